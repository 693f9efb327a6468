"""The public web form: anyone may leave feedback for an agency, with or without name and contact.

Owns: the page ``/feedback/{agency_code}``, its anti-spam helpers (CSRF, honeypot, per-address rate
limit in the database, length limits; reused by consultations) and email replies to the citizen.
Must not: require a login, or show anything of other people's feedback.
"""
