"""The inbox as an officer uses it in the browser's HTML: list, filters, triage, reply, bulk."""

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry
from civicloop.channels.models import Conversation, ConversationKind, ConversationStatus
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.channels.simulator.state import Fault
from civicloop.inbox import clocks
from civicloop.inbox.models import ConversationTag, Note, SavedReply
from civicloop.kit.clock import FixedClock
from tests.channels.outbound.conftest import Scene
from tests.factories import create_account, create_agency, create_official, csrf_from, login
from tests.inbox.builders import agency_says, at, citizen_says


class Rows(HTMLParser):
    """The conversation links of the inbox table, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") or ""
        if tag == "a" and re.fullmatch(r"/inbox/\d+", href):
            self.links.append(href)


def links(html: str) -> list[str]:
    parser = Rows()
    parser.feed(html)
    return parser.links


def post(client: TestClient, path: str, data: dict[str, str | list[str]], page: str = "/inbox") -> object:
    token = csrf_from(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def test_the_list_puts_the_longest_waiting_first_and_counts_each_filter(
    db: Session, client: TestClient, clock: FixedClock
) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    account = create_account(db, agency)
    officer = create_official(db, "officer@THROMDE")
    clock.at = at("2026-03-02 11:00")
    recent = citizen_says(db, account, at("2026-03-02 10:30"), "Bus shelter roof leaks", ref="p-recent", who="a")
    oldest = citizen_says(db, account, at("2026-03-02 09:05"), "Garbage not collected", ref="p-old", who="b")
    answered = citizen_says(db, account, at("2026-03-02 09:00"), "Thank you for the road", ref="p-done", who="c")
    agency_says(db, account, at("2026-03-02 09:10"), ref="p-done")  # answered on Facebook itself
    clocks.sweep(db)  # the periodic job notices the platform reply
    db.commit()
    login(client, officer)

    html = client.get("/inbox").text
    order = [f"/inbox/{m.conversation_id}" for m in (oldest, recent, answered)]
    assert links(html) == order
    assert "Open and waiting (3)" in html
    assert "Unassigned (3)" in html

    assert links(client.get("/inbox", params={"q": "garbage"}).text) == [order[0]]
    assert links(client.get("/inbox", params={"channel": "x"}).text) == []
    listed = client.get("/inbox", params={"assignee": "me"}).text
    assert "No conversation matches these filters." in listed
    # HTMX polling gets only the list fragment.
    fragment = client.get("/inbox", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="inbox-list"') and "<html" not in fragment


def test_take_tag_note_wait_and_close_are_recorded_and_audited(
    db: Session, client: TestClient, clock: FixedClock
) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    officer = create_official(db, "officer@THROMDE", name="Pema Wangchuk")
    clock.at = at("2026-03-02 10:00")
    message = citizen_says(db, account, at("2026-03-02 09:30"), "<script>alert(1)</script> water leak at Motithang")
    conversation_id = message.conversation_id
    login(client, officer)
    page = f"/inbox/{conversation_id}"
    html = client.get(page).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html

    for path, data in [
        ("assign", {"assignee_id": "me"}),
        ("tags", {"tag": "Water Supply"}),
        ("notes", {"text": "Called the water section; crew booked for 14:00."}),
        ("status", {"status": "waiting"}),
    ]:
        response = post(client, f"{page}/{path}", data, page)
        assert response.status_code == 303, path  # type: ignore[attr-defined]
    db.rollback()
    conversation = db.get(Conversation, conversation_id)
    assert conversation is not None
    assert conversation.assignee_id == officer.id
    assert conversation.status is ConversationStatus.waiting
    assert db.scalar(select(Note.text)) == "Called the water section; crew booked for 14:00."
    assert db.scalar(select(ConversationTag.conversation_id)) == conversation_id
    html = client.get(page).text
    assert "water supply" in html and "paused while waiting on the citizen" in html
    assert "Pema Wangchuk" in html and "assigned to Pema Wangchuk" in html
    post(client, f"{page}/status", {"status": "closed"}, page)
    db.rollback()
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "conversation").order_by(AuditEntry.seq)
    ).all()
    assert actions == [
        "conversation.assign",
        "conversation.tag",
        "conversation.note",
        "conversation.status",
        "conversation.status",
    ]


def test_another_agencys_conversation_is_not_found(db: Session, client: TestClient, clock: FixedClock) -> None:
    other = create_agency(db, "MOIT")
    create_agency(db, "THROMDE")
    message = citizen_says(db, create_account(db, other), at("2026-03-02 09:30"))
    login(client, create_official(db, "officer@THROMDE"))
    assert client.get(f"/inbox/{message.conversation_id}").status_code == 404
    assert links(client.get("/inbox").text) == []
    response = post(client, f"/inbox/{message.conversation_id}/status", {"status": "closed"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    db.rollback()
    assert db.get(Conversation, message.conversation_id).status is ConversationStatus.open  # type: ignore[union-attr]


def test_bulk_assign_tag_and_close(db: Session, client: TestClient, clock: FixedClock) -> None:
    agency = create_agency(db, "THROMDE")
    account = create_account(db, agency)
    officer = create_official(db, "officer@THROMDE")
    colleague = create_official(db, "officer@THROMDE")
    ids = [
        str(citizen_says(db, account, at("2026-03-02 09:30"), ref=f"p{n}", who=f"w{n}").conversation_id)
        for n in range(3)
    ]
    login(client, officer)
    post(client, "/inbox/bulk", {"action": "assign", "value": str(colleague.id), "conversation_id": ids[:2]})
    post(client, "/inbox/bulk", {"action": "tag", "value": "streetlights", "conversation_id": ids})
    post(client, "/inbox/bulk", {"action": "close", "conversation_id": ids[1:]})
    db.rollback()
    rows = {str(c.id): c for c in db.scalars(select(Conversation))}
    assert [rows[i].assignee_id for i in ids] == [colleague.id, colleague.id, None]
    assert [rows[i].status.value for i in ids] == ["open", "closed", "closed"]
    assert len(db.scalars(select(ConversationTag)).all()) == 3
    bad = post(client, "/inbox/bulk", {"action": "assign", "value": "999999", "conversation_id": ids})
    assert bad.status_code == 303  # type: ignore[attr-defined]
    assert "only be assigned to an active official" in client.get("/inbox").text


def test_a_reply_with_a_saved_reply_goes_out_and_shows_delivered(scene: Scene, client: TestClient) -> None:
    comment = scene.comment("The streetlight on Norzin Lam is out.")
    scene.db.add(
        SavedReply(
            agency_id=scene.agency.id,
            title="Thanks, crew sent",
            text="Dear {citizen_name}, thank you. {agency_name} has sent a crew.",
        )
    )
    scene.db.commit()
    saved = scene.db.scalar(select(SavedReply))
    assert saved is not None
    login(client, scene.officer)
    page = f"/inbox/{comment.conversation_id}"
    filled = client.get(f"{page}/saved-reply", params={"saved_reply_id": saved.id}).text
    assert "Dear Sonam Dema, thank you. Thimphu Thromde has sent a crew." in filled
    response = post(client, f"{page}/reply", {"text": "Dear {citizen_name}, a crew is on its way."}, page)
    assert response.status_code == 303  # type: ignore[attr-defined]
    calls = scene.sim.calls("facebook.comments")
    assert [c.body["message"] for c in calls] == ["Dear Sonam Dema, a crew is on its way."]
    html = client.get(page).text
    assert "Dear Sonam Dema, a crew is on its way." in html
    assert 'class="delivery sent">delivered' in html
    assert "through CivicLoop" in html


def test_a_refused_reply_shows_the_platforms_reason_and_can_be_retried(scene: Scene, client: TestClient) -> None:
    comment = scene.comment()
    error = {
        "error": {
            "message": "(#200) The Page is not allowed to comment right now",
            "type": "OAuthException",
            "code": 200,
        }
    }
    scene.sim.inject("facebook.comments", Fault(status=400, body=error))
    login(client, scene.officer)
    page = f"/inbox/{comment.conversation_id}"
    post(client, f"{page}/reply", {"text": "We are looking into it."}, page)
    row = scene.db.scalar(select(OutboundMessage))
    assert row is not None and row.status is OutboundStatus.failed
    html = client.get(page).text
    assert 'class="delivery failed">failed' in html
    assert "not allowed to comment right now" in html
    post(client, f"{page}/outbound/{row.id}/retry", {}, page)
    assert scene.row(row.id).status is OutboundStatus.sent
    assert 'class="delivery sent">delivered' in client.get(page).text


def test_a_closed_messenger_window_is_shown_before_typing(scene: Scene, client: TestClient) -> None:
    message = scene.messenger()
    scene.clock.advance(hours=25)
    login(client, scene.officer)
    html = client.get(f"/inbox/{message.conversation_id}").text
    assert "Messenger allows replies only within 24 hours" in html
    assert re.search(r"<textarea id=\"f-text\" name=\"text\" rows=\"5\" required disabled", html)
    assert scene.db.get(Conversation, message.conversation_id).kind is ConversationKind.direct  # type: ignore[union-attr]


def test_the_json_api_lists_replies_and_bulk_closes(scene: Scene, client: TestClient) -> None:
    comment = scene.comment()
    login(client, scene.officer)
    token = csrf_from(client.get("/inbox").text)
    headers = {"X-CSRF-Token": token}
    listed = client.get("/api/v1/inbox/conversations").json()
    assert [i["id"] for i in listed["items"]] == [comment.conversation_id]
    assert listed["items"][0]["sla_state"] == "on_track" and listed["counts"]["status"]["active"] == 1
    sent = client.post(
        f"/api/v1/inbox/conversations/{comment.conversation_id}/reply", json={"text": "On it."}, headers=headers
    )
    assert sent.status_code == 201 and sent.json()["status"] == "queued"
    detail = client.get(f"/api/v1/inbox/conversations/{comment.conversation_id}").json()
    assert [m["direction"] for m in detail["messages"]] == ["in", "out"]
    assert detail["reply_window"]["open"] is True
    bulk = client.post(
        "/api/v1/inbox/bulk", json={"conversation_ids": [comment.conversation_id], "action": "close"}, headers=headers
    )
    assert bulk.json() == {"changed": 1}
    bad = client.post(
        "/api/v1/inbox/bulk", json={"conversation_ids": [comment.conversation_id], "action": "explode"}, headers=headers
    )
    assert bad.status_code == 422 and "unknown bulk action" in bad.json()["error"]["message"]


class ReplyBox(HTMLParser):
    """The reply textarea's attributes, and whether the findings' target is on the page."""

    def __init__(self) -> None:
        super().__init__()
        self.textarea: dict[str, str | None] = {}
        self.has_target = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "textarea" and found.get("id") == "f-text":
            self.textarea = found
        self.has_target |= found.get("id") == "reply-check"


def reply_box(html: str) -> ReplyBox:
    parser = ReplyBox()
    parser.feed(html)
    return parser


def test_the_reply_box_checks_the_guidelines_as_the_officer_types(scene: Scene, client: TestClient) -> None:
    comment = scene.comment("My permit is still pending.")
    login(client, scene.officer)
    page = f"/inbox/{comment.conversation_id}"
    box = reply_box(client.get(page).text)
    assert box.has_target
    assert box.textarea["hx-post"] == "/guidelines/check" and box.textarea["hx-target"] == "#reply-check"
    assert box.textarea["hx-vals"] == f'{{"agency_id": {scene.agency.id}}}'
    assert box.textarea["hx-trigger"] == "input changed delay:400ms"  # nothing typed yet: nothing to check

    # What the box posts as the officer types: the guidelines' findings, highlighted and explained.
    typed = {"text": "Dear Sonam, your CID 11512003456 is on file.", "agency_id": str(scene.agency.id)}
    findings = post(client, "/guidelines/check", typed, page).text  # type: ignore[attr-defined]
    assert '<mark class="gl-mark gl-personal_data"' in findings and "11512003456" in findings
    assert "held for your agency head&#39;s approval" in findings

    # A refused reply comes back in the box, and the box checks it again as soon as the page loads.
    refused = post(client, f"{page}/reply", {"text": "CONFIDENTIAL: the tender shortlist is attached."}, page)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    box = reply_box(refused.text)  # type: ignore[attr-defined]
    assert box.textarea["hx-trigger"] == "input changed delay:400ms, load"
    assert not scene.sim.calls("facebook.comments")

    # A saved reply swapped into the box is checked the same way.
    scene.db.add(SavedReply(agency_id=scene.agency.id, title="Thanks", text="Dear {citizen_name}, thank you."))
    scene.db.commit()
    saved = scene.db.scalar(select(SavedReply))
    assert saved is not None
    filled = reply_box(client.get(f"{page}/saved-reply", params={"saved_reply_id": saved.id}).text)
    assert filled.textarea["hx-post"] == "/guidelines/check"
    assert filled.textarea["hx-trigger"] == "input changed delay:400ms, load"


def _count(html: str, field: str, label: str) -> int:
    """The count shown beside ``label`` in the filter ``field``'s choices."""
    select_html = html[html.index(f'<select id="f-{field}"') :]
    select_html = select_html[: select_html.index("</select>")]
    found = re.search(re.escape(label) + r" \((\d+)\)</option>", select_html)
    assert found, f"no count for {label!r} in {field}"
    return int(found.group(1))


def test_link_a_conversation_to_a_consultation_and_filter_the_list_by_it(scene: Scene, client: TestClient) -> None:
    from civicloop.consultations.models import ConsultationStatus
    from tests.consultations.conftest import make_consultation

    consultation = make_consultation(scene.db, scene, accounts=False, design=False, title="Norzin Lam bus stop")
    consultation.status = ConsultationStatus.open  # as the opening job leaves it
    scene.db.commit()
    streetlight = scene.comment("The streetlight on Norzin Lam is out.")
    bus = scene.mention("@ThimphuThromde the bus stop design B has no shade")
    login(client, scene.officer)
    hx = {"HX-Request": "true"}

    # The conversation page loads the consultations domain's link control.
    page = f"/inbox/{bus.conversation_id}"
    assert f'hx-get="/consultations/link-control?conversation_id={bus.conversation_id}"' in client.get(page).text
    control = client.get("/consultations/link-control", params={"conversation_id": bus.conversation_id}, headers=hx)
    assert "Norzin Lam bus stop" in control.text and "Not linked to any consultation." in control.text
    link = {"consultation_id": str(consultation.id), "conversation_id": str(bus.conversation_id), "action": "link"}
    token = csrf_from(client.get(page).text)
    linked = client.post("/consultations/links", data={**link, "csrf_token": token}, headers=hx)
    assert linked.status_code == 200 and "Linked;" in linked.text and "unlink" in linked.text

    # The list filters by it, with a count beside each filter's choices.
    post(client, f"/inbox/{streetlight.conversation_id}/tags", {"tag": "streetlights"})
    html = client.get("/inbox").text
    assert _count(html, "consultation", "Norzin Lam bus stop") == 1
    assert _count(html, "tag", "streetlights") == 1
    assert _count(html, "account", "Thimphu Thromde") == 1 and _count(html, "account", "@ThimphuThromde") == 1
    chosen = client.get("/inbox", params={"consultation_id": consultation.id}).text
    assert links(chosen) == [f"/inbox/{bus.conversation_id}"]
    assert _count(chosen, "account", "@ThimphuThromde") == 1 and _count(chosen, "account", "Thimphu Thromde") == 0
    assert _count(chosen, "consultation", "Norzin Lam bus stop") == 1  # its own choice is not narrowed by itself
    api = client.get("/api/v1/inbox/conversations", params={"tag": "streetlights"}).json()
    assert api["counts"]["tag"] == {"streetlights": 1} and api["counts"]["consultation"] == {}
    assert api["counts"]["account"] == {str(scene.facebook.id): 1}

    # The refresh (and the filter form, which HTMX submits on every change) brings fresh counts too.
    refreshed = client.get("/inbox", params={"consultation_id": consultation.id}, headers=hx).text
    assert refreshed.lstrip().startswith('<div id="inbox-list"')
    assert '<div id="inbox-filter-fields" class="contents" hx-swap-oob="true">' in refreshed
    unlink = {**link, "action": "unlink", "csrf_token": token}
    assert "Unlinked;" in client.post("/consultations/links", data=unlink, headers=hx).text
    refreshed = client.get("/inbox", params={"consultation_id": consultation.id}, headers=hx).text
    assert links(refreshed) == [] and _count(refreshed, "consultation", "Norzin Lam bus stop") == 0


def test_a_saved_reply_has_a_dzongkha_version_the_officer_can_pick(scene: Scene, client: TestClient) -> None:
    comment = scene.comment("མཚན་མོ་ གློག་མེ་ མེད།")
    login(client, scene.officer)
    saved_page = f"/inbox-saved-replies?agency_id={scene.agency.id}"
    fields = {
        "agency_id": str(scene.agency.id),
        "title": "Thanks, crew sent",
        "text": "Dear {citizen_name}, a crew is coming.",
        "title_dz": "བཀའ་དྲིན་ཆེ།",
        "text_dz": "{citizen_name} ལུ། ལཱ་གཡོག་པ་ཚུ་ འོང་དོ།",
    }
    assert post(client, "/inbox-saved-replies", fields, saved_page).status_code == 303  # type: ignore[attr-defined]
    scene.db.expire_all()
    saved = scene.db.scalar(select(SavedReply).where(SavedReply.title == "Thanks, crew sent"))
    assert saved is not None and saved.translations == {"dz": {"title": "བཀའ་དྲིན་ཆེ།", "text": fields["text_dz"]}}
    page = f"/inbox/{comment.conversation_id}"
    assert f'value="{saved.id}-dz" lang="dz"' in client.get(page).text
    filled = client.get(f"{page}/saved-reply", params={"saved_reply_id": f"{saved.id}-dz"}).text
    assert "Sonam Dema ལུ། ལཱ་གཡོག་པ་ཚུ་ འོང་དོ།" in filled
    english = client.get(f"{page}/saved-reply", params={"saved_reply_id": str(saved.id)}).text
    assert "Dear Sonam Dema, a crew is coming." in english
    bad = post(client, "/inbox-saved-replies", {**fields, "text_dz": "{no_such_placeholder}"}, saved_page)
    assert bad.status_code == 422  # type: ignore[attr-defined]
