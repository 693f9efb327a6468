"""Feedback left on the public web form, stored as a message of the agency's ``web`` account."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.agencies.models import AccountStatus, Agency, OfficialAccount, Platform
from civicloop.agencies.service import get_agency_by_code
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import ConversationKind
from civicloop.channels.service import record_inbound
from civicloop.channels.web.antispam import Limit, check_lengths
from civicloop.channels.web.status import ACK_JOB
from civicloop.config import get_settings
from civicloop.errors import Invalid, NotFound
from civicloop.kit import i18n
from civicloop.kit.clock import utcnow
from civicloop.kit.i18n import N_

LIMITS = {
    "name": Limit(N_("Your name"), 100),
    "contact": Limit(N_("Your contact"), 200),
    "topic": Limit(N_("The topic"), 150),
    "message": Limit(N_("Message"), 5000, required=True),
}
CONTACT_ERROR = N_(
    "Enter an email address or a Bhutanese mobile number (8 digits starting with 17 or 77), or leave it empty."
)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Bhutanese mobile numbers: 8 digits starting 17 or 77, optionally with the country code +975.
PHONE_RE = re.compile(r"^(?:\+?975)?((?:17|77)\d{6})$")
# Reference letters without look-alikes (no 0/O, 1/I/L), easy to read out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6
REFERENCE_RE = re.compile(rf"^[A-Z0-9_-]{{2,32}}-[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}$")


@dataclass(frozen=True)
class Feedback:
    name: str = ""
    contact: str = ""
    topic: str = ""
    message: str = ""

    def values(self) -> dict[str, str]:
        return {"name": self.name, "contact": self.contact, "topic": self.topic, "message": self.message}


@dataclass(frozen=True)
class Contact:
    email: str | None
    phone: str | None


def parse_contact(value: str) -> Contact | None:
    """An email address or a Bhutanese mobile number; ``None`` when it is neither."""
    value = value.strip()
    if not value:
        return Contact(None, None)
    if EMAIL_RE.match(value):
        return Contact(value.lower(), None)
    match = PHONE_RE.match(re.sub(r"[\s\-().]", "", value))
    return Contact(None, f"+975{match.group(1)}") if match else None


def validate(feedback: Feedback, lang: str = i18n.DEFAULT) -> dict[str, str]:
    """``{field: message}`` for everything a person must fix (empty when the form is fine), said in ``lang``."""
    errors = check_lengths(feedback.values(), LIMITS, lang)
    if "contact" not in errors and parse_contact(feedback.contact) is None:
        errors["contact"] = i18n.translate(lang, CONTACT_ERROR)
    return errors


def form_account(session: Session, agency_code: str) -> tuple[Agency, OfficialAccount]:
    """The agency and its active web-form account; 404 when it takes no feedback here."""
    agency = get_agency_by_code(session, agency_code)
    account = session.scalars(
        select(OfficialAccount)
        .where(
            OfficialAccount.agency_id == agency.id,
            OfficialAccount.platform == Platform.web,
            OfficialAccount.status == AccountStatus.active,
        )
        .order_by(OfficialAccount.id)
    ).first()
    if account is None:
        raise NotFound(f"{agency.name} does not take feedback on this site")
    return agency, account


def new_reference(agency: Agency) -> str:
    return f"{agency.code}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def submit(session: Session, *, agency: Agency, account: OfficialAccount, feedback: Feedback) -> str:
    """Store valid feedback as one message in its own ``form`` conversation; returns its reference. A
    citizen who left an email address is sent an acknowledgement with the status link (when SMTP is set)."""
    errors = validate(feedback)
    if errors:
        field, message = next(iter(errors.items()))
        raise Invalid(message, field=field)
    contact = parse_contact(feedback.contact) or Contact(None, None)
    name = feedback.name.strip()
    for _ in range(5):
        reference = new_reference(agency)
        # One citizen who leaves the same address is one contact; an anonymous one is new each time.
        person = contact.email or contact.phone or reference
        recorded = record_inbound(
            session,
            account=account,
            inbound=Inbound(
                action=Action.message,
                account_ref=account.external_id,
                conversation_kind=ConversationKind.form,
                conversation_ref=reference,
                created_at=utcnow(),
                external_id=reference,
                contact=ContactRef(person, name or "Anonymous", email=contact.email, phone=contact.phone),
                text=feedback.message.strip(),
                subject=feedback.topic.strip() or None,
            ),
        )
        if recorded.created:
            if contact.email and get_settings().smtp_url:
                assert recorded.message is not None
                jobs.after_commit(session, ACK_JOB, recorded.message.conversation_id)
            return reference
    raise Invalid(N_("Your message could not be stored; please send it again."))
