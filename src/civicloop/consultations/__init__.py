"""Consultations and surveys: drafts, questions, attachments, the public page, answers, results and reports.

Owns: consultations, their questions, attachments (uploaded files under the data folder), answers from the
public form and from social media, the links between consultations and inbox conversations, and the public
"you said, we did" report. Must not: send anything itself (announcements go through ``civicloop.publishing``
and so through the channels' outbound path and the guidelines gate), nor show citizens' personal data publicly.
"""

# Registers the staff-survey panel of the office-access usage report.
from civicloop.consultations import staff_opinion as _staff_opinion  # noqa: F401
