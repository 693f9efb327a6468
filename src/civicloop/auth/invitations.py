"""One-time links to set a password: an invitation for a new official, and a password reset.

A link carries a random token; only its SHA-256 digest is stored, so the table alone opens nothing. A link
works once, until it expires (``INVITATION_LIFETIME``, ``RESET_LIFETIME``), and a newer link of the same kind
for the same official replaces it. Sending happens after commit, from a job, through the same SMTP path as
notifications (``kit.mail``); the token waits for that job encrypted with the deployment's key and is wiped
once sent. Without SMTP nothing is sent and the CLI prints the link (``civicloop official invite``,
``civicloop official reset-link``). Issuing and using a link are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from civicloop import jobs
from civicloop.audit import service as audit
from civicloop.auth import service
from civicloop.auth.invitation_models import LinkPurpose, PasswordLink
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.config import get_settings
from civicloop.errors import Invalid
from civicloop.kit import crypto
from civicloop.kit.clock import utcnow

INVITATION_LIFETIME = timedelta(days=3)
RESET_LIFETIME = timedelta(hours=1)
LIFETIMES = {LinkPurpose.invitation: INVITATION_LIFETIME, LinkPurpose.reset: RESET_LIFETIME}
SET_PASSWORD_PATH = "/password/set/"  # noqa: S105 - a page address, not a password
EMAIL_JOB = "civicloop.auth.tasks.email_password_link"
# One message for every link that does not work, so that the page says nothing about which officials exist.
UNUSABLE = "this link does not work: it was used already, it expired, or it was replaced by a newer one"


@dataclass(frozen=True)
class Issued:
    link: PasswordLink
    url: str
    emailed: bool  # whether an email will carry it (SMTP configured); else someone must hand it over


def link_url(token: str) -> str:
    return get_settings().base_url.rstrip("/") + SET_PASSWORD_PATH + token


def issue(session: Session, *, official: Official, purpose: LinkPurpose, actor: Actor | None) -> Issued:
    """A new link for ``official``; earlier unused links of the same kind stop working."""
    now = utcnow()
    session.execute(
        update(PasswordLink)
        .where(
            PasswordLink.official_id == official.id,
            PasswordLink.purpose == purpose,
            PasswordLink.used_at.is_(None),
        )
        .values(expires_at=now, outgoing=None)
    )
    token = crypto.new_token("pw")
    emailed = bool(get_settings().smtp_url)
    link = PasswordLink(
        official_id=official.id,
        purpose=purpose,
        digest=crypto.token_digest(token),
        created_at=now,
        expires_at=now + LIFETIMES[purpose],
        created_by_id=actor.id if actor else None,
        outgoing=crypto.encrypt(token) if emailed else None,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor=actor.official if actor else None,
        actor_label=None if actor else "password reset request",
        action=f"official.{purpose.value}_link",
        target_type="official",
        target_id=official.id,
        after={"expires_at": link.expires_at.isoformat(), "emailed": emailed},
    )
    if emailed:
        jobs.after_commit(session, EMAIL_JOB, link.id)
    return Issued(link, link_url(token), emailed)


def invite(
    session: Session, *, actor: Actor | None, email: str, name: str, roles: list[str]
) -> tuple[Official, Issued]:
    """A new official without a password, holding ``roles`` (ROLE@AGENCY), and the link to set one."""
    official = service.create_official_with_roles(
        session, actor=actor, email=email, name=name, password=None, roles=roles
    )
    return official, issue(session, official=official, purpose=LinkPurpose.invitation, actor=actor)


def request_reset(session: Session, *, email: str) -> Issued | None:
    """A reset link for the active official with this email; None (and nothing recorded) for any other
    address, which the page does not reveal."""
    official = session.scalar(select(Official).where(Official.email == service.normalize_email(email)))
    if official is None or not official.active:
        return None
    return issue(session, official=official, purpose=LinkPurpose.reset, actor=None)


def usable(session: Session, token: str) -> PasswordLink:
    """The live link ``token`` opens, else Invalid with ``UNUSABLE``."""
    link = session.scalar(select(PasswordLink).where(PasswordLink.digest == crypto.token_digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise Invalid(UNUSABLE)
    official = session.get(Official, link.official_id)
    if official is None or not official.active:
        raise Invalid(UNUSABLE)
    return link


def redeem(session: Session, *, token: str, password: str, confirm: str) -> Official:
    """Set the password through the link, once; every session of the official ends (``set_password``)."""
    link = usable(session, token)
    if password != confirm:
        raise Invalid("the two passwords differ", field="confirm")
    official = session.get(Official, link.official_id)
    assert official is not None  # usable() checked it
    service.set_password(session, actor=None, official=official, password=password)
    link.used_at, link.outgoing = utcnow(), None
    session.flush()
    audit.record(
        session,
        actor=official,
        action=f"official.{link.purpose.value}_used",
        target_type="official",
        target_id=official.id,
    )
    return official
