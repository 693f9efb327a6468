"""Linking and unlinking an agency's contacts as one citizen; every change audited."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from civicloop.audit import service as audit
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.channels.models import Contact
from civicloop.errors import Invalid
from civicloop.inbox.citizens.queries import citizen_of
from civicloop.inbox.models import Citizen, CitizenContact

# Who may link contacts: those who work the inbox (as ``inbox.service.TRIAGE_ROLES``).
LINK_ROLES = (Role.officer, Role.agency_head, Role.agency_admin)


def get_contact(session: Session, *, actor: Actor, contact_id: int) -> Contact:
    return actor.fetch(session, Contact, contact_id, what="contact")


def _members(session: Session, citizen_id: int) -> list[int]:
    query = select(CitizenContact.contact_id).where(CitizenContact.citizen_id == citizen_id)
    return sorted(session.scalars(query))


def _audit(session: Session, actor: Actor, action: str, agency_id: int, citizen_id: int, **change: object) -> None:
    audit.record(
        session,
        actor=actor.official,
        action=action,
        target_type="citizen",
        target_id=citizen_id,
        agency_id=agency_id,
        after={"contact_ids": _members(session, citizen_id), **change},
    )


def _add(session: Session, actor: Actor, contact: Contact, citizen_id: int) -> None:
    session.add(
        CitizenContact(contact_id=contact.id, citizen_id=citizen_id, agency_id=contact.agency_id, linked_by_id=actor.id)
    )
    session.flush()


def link(session: Session, *, actor: Actor, contact_id: int, other_contact_id: int) -> int:
    """Make two contacts of one agency the same citizen (joining their citizens if both had one); returns
    the citizen's id. Contacts of different agencies are refused: nothing is linked across agencies."""
    contact = actor.fetch(session, Contact, contact_id, what="contact", roles=LINK_ROLES)
    other = actor.fetch(session, Contact, other_contact_id, what="contact", roles=LINK_ROLES)
    if contact.id == other.id:
        raise Invalid("choose another contact to link", field="other_contact_id")
    if contact.agency_id != other.agency_id:
        raise Invalid("contacts of different agencies are never linked", field="other_contact_id")
    mine, theirs = citizen_of(session, contact.id), citizen_of(session, other.id)
    if mine is not None and mine == theirs:
        return mine
    if mine is None and theirs is None:
        citizen = Citizen(agency_id=contact.agency_id, created_by_id=actor.id)
        session.add(citizen)
        session.flush()
        mine = citizen.id
    elif mine is None:
        mine, theirs = theirs, None
        contact, other = other, contact
    assert mine is not None
    if theirs is not None:
        # Two citizens turn out to be one: the second's contacts move over and it goes.
        session.execute(update(CitizenContact).where(CitizenContact.citizen_id == theirs).values(citizen_id=mine))
        session.execute(delete(Citizen).where(Citizen.id == theirs))
    else:
        session.add(
            CitizenContact(contact_id=other.id, citizen_id=mine, agency_id=other.agency_id, linked_by_id=actor.id)
        )
    if citizen_of(session, contact.id) is None:
        session.add(
            CitizenContact(contact_id=contact.id, citizen_id=mine, agency_id=contact.agency_id, linked_by_id=actor.id)
        )
    session.flush()
    _audit(session, actor, "citizen.link", contact.agency_id, mine, linked=[contact_id, other_contact_id])
    return mine


def unlink(session: Session, *, actor: Actor, contact_id: int) -> None:
    """Take a contact out of its citizen; a citizen left with one contact is no longer a link."""
    contact = actor.fetch(session, Contact, contact_id, what="contact", roles=LINK_ROLES)
    citizen_id = citizen_of(session, contact.id)
    if citizen_id is None:
        raise Invalid("this contact is not linked to anyone", field="contact_id")
    session.execute(delete(CitizenContact).where(CitizenContact.contact_id == contact.id))
    session.flush()
    left = session.scalar(select(func.count()).where(CitizenContact.citizen_id == citizen_id)) or 0
    _audit(session, actor, "citizen.unlink", contact.agency_id, citizen_id, unlinked=contact.id)
    if left < 2:
        session.execute(delete(CitizenContact).where(CitizenContact.citizen_id == citizen_id))
        session.execute(delete(Citizen).where(Citizen.id == citizen_id))
