"""Jobs of the web form: the acknowledgement email with the reference and the private status link."""

from __future__ import annotations

from civicloop import jobs
from civicloop.agencies.models import Agency
from civicloop.channels.models import Contact, Conversation
from civicloop.channels.web.status import status_url
from civicloop.db.session import session_scope
from civicloop.kit.mail import send_mail


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
        body = (
            f"{agency.name} has received your feedback (reference {reference}).\n\n"
            f"The agency's answer will appear on your private page, where you can also reply:\n"
            f"{status_url(reference)}\n\n"
            "Keep this link to yourself: anyone who has it can read the conversation.\n"
        )
        return send_mail(to=[contact.email], subject=f"Your feedback to {agency.name} ({reference})", body=body)
