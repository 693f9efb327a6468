"""One citizen across channels: an officer links an agency's contacts, reads one history, unlinks; email and
phone matches are suggested, never linked by themselves; nothing crosses agencies; every change audited."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.audit.models import AuditEntry
from civicloop.auth.scope import Actor
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import Contact, ConversationKind, Message
from civicloop.channels.service import record_inbound
from civicloop.errors import Forbidden, Invalid, NotFound
from civicloop.inbox.citizens import queries, service
from civicloop.inbox.models import Citizen, CitizenContact
from civicloop.kit.clock import FixedClock
from tests.factories import create_account, create_agency, create_official, csrf_from, login
from tests.inbox.builders import at, citizen_says


def _writes(
    db: Session, account: OfficialAccount, when: datetime, text: str, ref: ContactRef, *, platform: str | None = None
) -> Message:
    kind = ConversationKind.form if account.platform == "web" else ConversationKind.direct
    inbound = Inbound(Action.message, account.external_id, kind, f"{ref.platform_user_id}-{text[:8]}", when,
                      f"m-{ref.platform_user_id}-{text[:12]}", contact=ref, text=text)  # fmt: skip
    recorded = record_inbound(db, account=account, inbound=inbound, platform=platform)
    assert recorded.message is not None
    db.commit()
    return recorded.message


@pytest.fixture
def thromde(db: Session) -> Agency:
    return create_agency(db, "THROMDE", name="Thimphu Thromde")


def test_an_officer_links_four_channels_reads_one_history_and_unlinks(
    db: Session, clock: FixedClock, client: TestClient, thromde: Agency
) -> None:
    facebook, x = create_account(db, thromde), create_account(db, thromde, "x")
    wechat, web = create_account(db, thromde, "wechat"), create_account(db, thromde, "web", "form")
    officer = create_official(db, "officer@THROMDE", name="Pema Lhamo")
    on_fb = citizen_says(db, facebook, at("2026-03-02 09:00"), "Messenger: my water bill is wrong.",
                         ref="dm-1", who="fb-karma", name="Karma D", kind=ConversationKind.direct)  # fmt: skip
    on_x = citizen_says(db, x, at("2026-03-02 10:00"), "X: still no answer about the bill.",
                        ref="dm-2", who="x-karma", name="@karmad", kind=ConversationKind.direct)  # fmt: skip
    on_wechat = citizen_says(db, wechat, at("2026-03-02 11:00"), "WeChat: the bill again.",
                             ref="o-3", who="wx-karma", name="Karma", kind=ConversationKind.direct)  # fmt: skip
    on_web = _writes(db, web, at("2026-03-02 12:00"), "Form: please call me about my bill.",
                     ContactRef("karma@example.bt", "Karma Dorji", email="karma@example.bt"))  # fmt: skip
    stranger = citizen_says(db, facebook, at("2026-03-02 12:30"), "Someone else entirely.",
                            ref="dm-9", who="fb-other", name="Dorji", kind=ConversationKind.direct)  # fmt: skip
    contact_of = {m.id: m.contact_id for m in (on_fb, on_x, on_wechat, on_web, stranger)}
    login(client, officer)

    page = client.get(f"/inbox/contacts/{contact_of[on_fb.id]}")
    assert page.status_code == 200 and "Not linked to any other contact yet." in page.text
    for other in (on_x, on_wechat, on_web):
        token = csrf_from(page.text)
        linked = client.post(f"/inbox/contacts/{contact_of[on_fb.id]}/link",
                             data={"other_contact_id": str(contact_of[other.id]), "csrf_token": token})  # fmt: skip
        assert linked.status_code == 200
    db.rollback()
    [citizen] = db.scalars(select(Citizen)).all()
    members = set(db.scalars(select(CitizenContact.contact_id).where(CitizenContact.citizen_id == citizen.id)))
    assert members == {contact_of[m.id] for m in (on_fb, on_x, on_wechat, on_web)}

    # One history from any of the contacts, newest first, without the stranger.
    html = client.get(f"/inbox/contacts/{contact_of[on_web.id]}").text
    history = html.split('id="history"')[1]
    order = [history.index(t) for t in ("Form: please", "WeChat: the bill", "X: still no", "Messenger: my water")]
    assert order == sorted(order) and "Someone else entirely." not in history
    # The conversation page lists the linked channels' conversations as the citizen's other ones.
    conversation_page = client.get(f"/inbox/{on_wechat.conversation_id}").text
    earlier = conversation_page.split('id="earlier-h"')[1]
    for other in (on_fb, on_x, on_web):
        assert f'/inbox/{other.conversation_id}"' in earlier
    assert f'/inbox/{stranger.conversation_id}"' not in earlier
    assert f'href="/inbox/contacts/{contact_of[on_wechat.id]}"' in conversation_page

    token = csrf_from(html)
    client.post(f"/inbox/contacts/{contact_of[on_web.id]}/unlink",
                data={"unlink_contact_id": str(contact_of[on_x.id]), "csrf_token": token})  # fmt: skip
    db.rollback()
    assert contact_of[on_x.id] not in set(db.scalars(select(CitizenContact.contact_id)))
    entries = db.scalars(select(AuditEntry).where(AuditEntry.target_type == "citizen").order_by(AuditEntry.seq)).all()
    assert [e.action for e in entries] == ["citizen.link"] * 3 + ["citizen.unlink"]
    assert all(e.actor_id == officer.id and e.agency_id == thromde.id for e in entries)


def test_matching_email_or_phone_is_suggested_not_linked(db: Session, clock: FixedClock, thromde: Agency) -> None:
    web = create_account(db, thromde, "web", "form")
    officer = create_official(db, "officer@THROMDE")
    by_form = _writes(db, web, at("2026-03-02 09:00"), "Form: broken tap.",
                      ContactRef("karma@example.bt", "Karma", email="karma@example.bt"))  # fmt: skip
    imported = _writes(db, web, at("2026-03-02 10:00"), "Survey: broken tap again.",
                       ContactRef("row-7", "K. Dorji", email="Karma@Example.bt".lower()), platform="csv")  # fmt: skip
    by_phone = _writes(db, web, at("2026-03-02 11:00"), "Form: call me.",
                       ContactRef("+97577123456", "Karma", phone="+97577123456"))  # fmt: skip
    contact = db.get(Contact, by_form.contact_id)
    assert contact is not None
    suggested = queries.suggestions(db, [contact])
    assert [c.id for c in suggested] == [imported.contact_id]
    assert db.scalars(select(CitizenContact)).all() == []  # nothing linked by itself
    service.link(db, actor=Actor.of(officer), contact_id=contact.id, other_contact_id=imported.contact_id)
    phone_contact = db.get(Contact, by_phone.contact_id)
    assert phone_contact is not None
    assert queries.suggestions(db, queries.linked_contacts(db, contact)) == []
    assert queries.candidates(db, [contact], "7712") == [phone_contact]


def test_nothing_is_linked_across_agencies_or_by_those_who_only_read(
    db: Session, clock: FixedClock, thromde: Agency
) -> None:
    moh = create_agency(db, "MOH", name="Ministry of Health")
    mine, theirs = create_account(db, thromde, "web", "f1"), create_account(db, moh, "web", "f2")
    ref = ContactRef("karma@example.bt", "Karma", email="karma@example.bt")
    here = _writes(db, mine, at("2026-03-02 09:00"), "To the city.", ref)
    there = _writes(db, theirs, at("2026-03-02 09:30"), "To the ministry.", ref)
    assert here.contact_id != there.contact_id  # the same email is two contacts, one per agency
    assert here.contact_id is not None and there.contact_id is not None
    contact = db.get(Contact, here.contact_id)
    assert contact is not None
    assert queries.suggestions(db, [contact]) == []  # the other agency's contact is never offered
    officer = Actor.of(create_official(db, "officer@THROMDE"))
    with pytest.raises(NotFound):
        service.link(db, actor=officer, contact_id=here.contact_id, other_contact_id=there.contact_id)
    admin = Actor.of(create_official(db, "national_admin@MOH", email="admin@doim.example"))
    with pytest.raises(Invalid, match="different agencies"):
        service.link(db, actor=admin, contact_id=here.contact_id, other_contact_id=there.contact_id)
    analyst = Actor.of(create_official(db, "analyst@THROMDE", email="analyst@thromde.example"))
    other = _writes(db, mine, at("2026-03-02 10:00"), "Another.", ContactRef("77111111", "Sonam", phone="+97577111111"))
    with pytest.raises(Forbidden):
        service.link(db, actor=analyst, contact_id=here.contact_id, other_contact_id=other.contact_id or 0)
    with pytest.raises(Invalid, match="not linked"):
        service.unlink(db, actor=officer, contact_id=here.contact_id)
