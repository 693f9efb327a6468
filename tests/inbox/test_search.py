"""Word search in the inbox with the database's own full-text engine (FTS5 on SQLite, tsvector + GIN on
PostgreSQL): stemming, all words, Dzongkha syllables, names, exact references, edits, agency isolation."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.agencies.models import Platform
from civicloop.auth.scope import Actor
from civicloop.channels.base import Action, ContactRef, Inbound
from civicloop.channels.models import ConversationKind
from civicloop.channels.service import record_inbound
from civicloop.inbox import queries, search
from civicloop.inbox.search import fts5_query
from civicloop.kit.clock import FixedClock
from tests.factories import create_account, create_agency, create_official, login
from tests.inbox.builders import at, citizen_says


def _found(db: Session, actor: Actor, q: str) -> list[int]:
    db.rollback()
    result = queries.list_conversations(db, actor=actor, filters=queries.Filters(status="all", q=q))
    assert result.total == len(result.rows)
    return [row.conversation.id for row in result.rows]


def test_words_are_stemmed_anded_and_ranked_and_references_match_exactly(
    db: Session, clock: FixedClock, client: TestClient
) -> None:
    agency = create_agency(db, "THROMDE")
    facebook = create_account(db, agency)
    web = create_account(db, agency, Platform.web, "thromde-feedback", {}, "Feedback form")
    officer = create_official(db, "officer@THROMDE")
    t = at("2026-03-02 09:00")
    both = citizen_says(db, facebook, t, "The streetlight on Norzin Lam is out again.", ref="p1", who="a")
    norzin_only = citizen_says(db, facebook, t, "Traffic jam on Norzin Lam every morning.", ref="p2", who="b")
    lights_only = citizen_says(db, facebook, t, "Streetlights in Babesa are fine.", ref="p3", who="c")
    dzongkha = citizen_says(db, facebook, t, "ལམ་འདི་ནང་ གློག་མེད། ཆུ་ཡང་མེད།", ref="p4", who="d")
    named = citizen_says(
        db, facebook, t, "Hello", ref="dm-1", who="e", name="Sonam Wangmo", kind=ConversationKind.direct
    )
    form = citizen_says(db, web, t, "Please fix the drain.", ref="THROMDE-7K3M9Q", who="f", kind=ConversationKind.form)
    actor = Actor.of(officer)

    assert _found(db, actor, "streetlights Norzin") == [both.conversation_id]
    assert set(_found(db, actor, "streetlight")) == {both.conversation_id, lights_only.conversation_id}
    assert set(_found(db, actor, "norzin")) == {both.conversation_id, norzin_only.conversation_id}
    assert _found(db, actor, "གློག") == [dzongkha.conversation_id]  # one syllable, split on the tsheg
    assert _found(db, actor, "ཆུ་ཡང") == [dzongkha.conversation_id]
    assert _found(db, actor, "wangmo") == [named.conversation_id]  # the citizen's name
    assert _found(db, actor, "THROMDE-7K3M9Q") == [form.conversation_id]
    assert _found(db, actor, "thromde-7k3m9q") == [form.conversation_id]
    # Typed syntax is words, never an error.
    for odd in ('"', "AND OR NOT", "NEAR(a b", "*", "-", "streetlight*", "a'b", "::"):
        _found(db, actor, odd)
    login(client, officer)
    page = client.get("/inbox", params={"q": "streetlights Norzin", "status": "all"})
    assert page.status_code == 200 and f"/inbox/{both.conversation_id}" in page.text
    assert f'/inbox/{norzin_only.conversation_id}"' not in page.text
    api = client.get("/api/v1/inbox/conversations", params={"q": "THROMDE-7K3M9Q", "status": "all"}).json()
    assert [item["id"] for item in api["items"]] == [form.conversation_id]


def test_better_matches_come_first(db: Session, clock: FixedClock) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    officer = create_official(db, "officer@THROMDE")
    t = at("2026-03-02 09:00")
    once = citizen_says(db, account, t, "Water is short in Changzamtog, and the road is dusty.", ref="p1", who="a")
    often = citizen_says(db, account, t, "Water, water: no water since Monday.", ref="p2", who="b")
    assert _found(db, Actor.of(officer), "water") == [often.conversation_id, once.conversation_id]


def test_edits_are_searchable_at_once_and_other_agencies_are_never_found(db: Session, clock: FixedClock) -> None:
    thromde, moh = create_agency(db, "THROMDE"), create_agency(db, "MOH")
    account, other = create_account(db, thromde), create_account(db, moh)
    officer = create_official(db, "officer@THROMDE")
    national = create_official(db, "national_admin@MOH", email="admin@doim.example")
    t = at("2026-03-02 09:00")
    mine = citizen_says(db, account, t, "The bridge at Lungten Zampa is cracked.", ref="p1", who="a")
    theirs = citizen_says(db, other, t, "The clinic at Lungten Zampa closes early.", ref="p9", who="z")
    actor = Actor.of(officer)
    assert _found(db, actor, "Lungten Zampa") == [mine.conversation_id]
    assert set(_found(db, Actor.of(national), "Lungten Zampa")) == {mine.conversation_id, theirs.conversation_id}

    edited = Inbound(Action.edit, account.external_id, ConversationKind.comment_thread, "p1",
                     t + timedelta(minutes=5), mine.external_id or "", text="The footbridge at Lungten Zampa is fixed.",
                     contact=ContactRef("a", "Karma Dorji"))  # fmt: skip
    record_inbound(db, account=account, inbound=edited)
    db.commit()
    assert _found(db, actor, "footbridge") == [mine.conversation_id]
    assert _found(db, actor, "cracked") == []


def test_an_fts5_query_quotes_every_word() -> None:
    assert fts5_query('streetlights "Norzin" AND') == '"streetlights" """Norzin""" "AND"'
    assert fts5_query("གློག་མེད། ཆུ") == '"གློག" "མེད" "ཆུ"'
    assert fts5_query(" - * ") == ""


def test_a_common_word_ranks_only_its_newest_matches_and_says_there_are_more(db: Session, clock: FixedClock) -> None:
    thromde, moh = create_agency(db, "THROMDE"), create_agency(db, "MOH")
    account, other = create_account(db, thromde), create_account(db, moh)
    t = at("2026-03-02 09:00")
    oldest = citizen_says(db, account, t, "Water, water: no water in Babesa.", ref="p1", who="a")
    older = citizen_says(db, account, t + timedelta(hours=1), "No water in Taba.", ref="p2", who="b")
    newer = citizen_says(db, account, t + timedelta(hours=2), "Water is brown in Hejo.", ref="p3", who="c")
    newest = citizen_says(db, account, t + timedelta(hours=3), "Water, water in Kabesa.", ref="p4", who="d")
    citizen_says(db, other, t + timedelta(hours=4), "Water everywhere at the clinic.", ref="p9", who="z")
    db.commit()
    for agencies in ({thromde.id}, {thromde.id, moh.id}, None):
        everything = search.best(db, "water", agency_ids=agencies)
        assert not everything.more and oldest.conversation_id in everything.ids
        # The newest three matches are ranked (best first), the oldest is not looked at, and the result says so.
        found = search.best(db, "water", agency_ids=agencies, newest=3)
        mine = [c for c in found.ids if c in {oldest.conversation_id, older.conversation_id, newer.conversation_id,
                                              newest.conversation_id}]  # fmt: skip
        if agencies == {thromde.id}:
            assert found.ids[0] == newest.conversation_id  # "water" twice
            assert set(found.ids) == {newest.conversation_id, newer.conversation_id, older.conversation_id}
        assert found.more and oldest.conversation_id not in mine and mine[0] == newest.conversation_id
    # Another word reaches it at once, however old.
    narrowed = search.best(db, "water Babesa", agency_ids={thromde.id}, newest=3)
    assert narrowed == search.Found([oldest.conversation_id], more=False)
    # At most ``limit`` conversations are listed, and then there are more too.
    assert search.best(db, "water", agency_ids={thromde.id}, limit=2) == search.Found(
        [oldest.conversation_id, newest.conversation_id], more=True
    )
