"""One citizen across channels: an officer links an agency's contacts that are the same person.

Owns: citizens and their linked contacts (``inbox.models.Citizen``, ``CitizenContact``), suggestions when
an email address or phone number matches, the citizen's page with every conversation in one history.
Must not: link anything by itself, or link contacts of different agencies (each agency knows its own
contacts only; the same person writing to two agencies stays two people to CivicLoop).
"""
