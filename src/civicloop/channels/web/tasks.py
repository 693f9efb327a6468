"""Jobs of the web form: the acknowledgement email with the reference and the private status link."""

from __future__ import annotations

from civicloop import jobs
from civicloop.agencies.models import Agency
from civicloop.channels.models import Contact, Conversation
from civicloop.channels.web.status import status_url
from civicloop.db.session import session_scope
from civicloop.kit import i18n
from civicloop.kit.i18n import N_
from civicloop.kit.mail import send_mail

ACK_SUBJECT = N_("Your feedback to %(agency)s (%(reference)s)")
ACK_BODY = N_(
    "%(agency)s has received your feedback (reference %(reference)s).\n\n"
    "The agency's answer will appear on your private page, where you can also reply:\n"
    "%(link)s\n\n"
    "Keep this link to yourself: anyone who has it can read the conversation.\n"
)


@jobs.task(retries=3, retry_delay=60)
def acknowledge(conversation_id: int) -> bool:
    """Email the citizen that their feedback arrived, with its reference and status link (when they left
    an address and SMTP is configured; False otherwise)."""
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None or conversation.contact_id is None:
            return False
        contact = session.get(Contact, conversation.contact_id)
        agency = session.get(Agency, conversation.agency_id)
        if contact is None or not contact.email or agency is None:
            return False
        reference = conversation.external_ref
        # The form does not tell which language the citizen reads: the email says it in each, English first.
        subjects, bodies = [], []
        for lang in i18n.LANGUAGES:
            values = {"agency": i18n.localized(agency, "name", lang).text, "reference": reference}
            subjects.append(i18n.translate(lang, ACK_SUBJECT) % values)
            bodies.append(i18n.translate(lang, ACK_BODY) % {**values, "link": status_url(reference)})
        return send_mail(to=[contact.email], subject=" · ".join(subjects), body="\n---\n\n".join(bodies))
