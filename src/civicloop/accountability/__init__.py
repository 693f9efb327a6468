"""Accountability: commitments made in "you said, we did" reports, and promises made in replies.

Owns commitments (status, progress, dated updates with photos), the notices that tell a consultation's
participants when a commitment changes, citizens' opt-out from those notices, and promises detected in
officers' replies (confirmed, kept or missed). Reads consultations and conversations by id and sends
through the normal outbound path; no other domain imports this one: oversight counts missed promises
through ``oversight.hooks`` and the inbox shows the promise prompt through an HTMX fragment.
"""
