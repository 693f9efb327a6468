"""Done-when for the inbox: an officer picks up a citizen's Facebook comment, replies, and sees it
delivered — in a real Chromium, the comment arriving as a signed webhook, the reply going out to the
simulated Graph API over HTTP."""

from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.simulator.citizens import Citizens, load_targets
from civicloop.channels.simulator.state import SimulatorState
from civicloop.kit.clock import FixedClock
from tests.factories import PASSWORD, create_account, create_agency, create_official
from tests.foundation.test_browser import _sign_in
from tests.inbox.builders import at, citizen_says

pytestmark = pytest.mark.browser

PAGE = "104577788899900"
TOKEN = "EAAG-thromde-page-token"


def test_an_officer_picks_up_a_facebook_comment_replies_and_sees_it_delivered(  # type: ignore[no-untyped-def]
    db: Session, sim: SimulatorState, clock: FixedClock, live_server: str, page
) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    credentials = {"app_secret": "meta-app-secret", "verify_token": "verify", "page_access_token": TOKEN}
    create_account(db, agency, "facebook", PAGE, credentials, "Thimphu Thromde")
    officer = create_official(db, "officer@THROMDE", email="pema@thromde.example", name="Pema Wangchuk")
    facebook_graph(sim).add_page(PAGE, TOKEN)

    citizens = Citizens(load_targets(db), seed=7, now=clock.now, state=sim)
    event = citizens.next()
    while event.kind != "facebook.comment":
        event = citizens.next()
    hook = citizens.sign(event)
    delivered = httpx.post(live_server + hook.path, headers=hook.headers, content=hook.body, timeout=10)
    assert delivered.status_code == 200

    page.goto("/login")
    page.get_by_label("Email").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.get_by_role("link", name="Inbox").first.click()
    row = page.get_by_role("row").filter(has_text=event.text[:40])
    expect(row.get_by_text("on track")).to_be_visible()
    row.get_by_role("link", name=f"{event.person.name} on a post").click()
    expect(page.locator("#thread").get_by_text(event.text)).to_be_visible()  # the list pane beside it shows it too

    page.get_by_role("button", name="Take it").click()
    assert page.locator("#assignee").inner_text() == "Pema Wangchuk"
    page.get_by_label("Your reply").fill("Dear {citizen_name}, thank you — a crew will check it today.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_role("status").filter(has_text="The reply is on its way.").wait_for()

    reply = page.locator("li.msg.out")
    # A job sends the reply after the request commits; the thread refreshes itself every 3 s while it
    # is queued, so the page may first say "queued" and then "delivered".
    expect(reply.locator(".delivery")).to_have_text("delivered")
    assert f"Dear {event.person.name}, thank you — a crew will check it today." in reply.inner_text()
    assert "through CivicLoop" in reply.inner_text()
    calls = sim.calls("facebook.comments")
    assert [c.body["message"] for c in calls] == [f"Dear {event.person.name}, thank you — a crew will check it today."]
    page.get_by_role("link", name="Inbox").first.click()
    expect(page.get_by_role("row").filter(has_text=event.text[:40]).get_by_text("Pema Wangchuk")).to_be_visible()


def test_the_inbox_and_a_conversation_fit_a_phone_screen(db: Session, clock: FixedClock, phone_page) -> None:  # type: ignore[no-untyped-def]
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    account = create_account(db, agency, "facebook", PAGE, {"app_secret": "s", "verify_token": "v"}, "Page")
    officer = create_official(db, "officer@THROMDE", email="pema@thromde.example")
    message = citizen_says(db, account, at("2026-03-02 09:00"), "Long text " * 40)
    phone_page.goto("/login")
    phone_page.get_by_label("Email").fill(officer.email)
    phone_page.get_by_label("Password").fill(PASSWORD)
    phone_page.get_by_role("button", name="Sign in").click()
    phone_page.wait_for_url("**/")
    for path in ("/inbox", f"/inbox/{message.conversation_id}"):
        phone_page.goto(path)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"


def test_a_conversation_stays_put_while_the_list_beside_it_loads(db: Session, clock: FixedClock, page) -> None:  # type: ignore[no-untyped-def]
    """On a wide screen the list of conversations arrives in a pane beside the open one after the page has loaded.
    Its arrival must not move the conversation nor scroll the window: a click aimed at a link as it arrives would
    land elsewhere (it once did, in a test, under load)."""
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    account = create_account(db, agency, "facebook", PAGE, {"app_secret": "s", "verify_token": "v"}, "Page")
    officer = create_official(db, "officer@THROMDE", email="pema@thromde.example")
    for n in range(30):  # the list is longer than the screen, the open conversation near its end
        message = citizen_says(db, account, at(f"2026-03-02 08:{n:02d}"), f"Comment {n}", ref=f"post-{n}", who=f"c{n}")
    db.commit()
    held = []  # the pane's request for the list, until released below
    page.route(lambda url: urlsplit(url).path == "/inbox", lambda route: held.append(route))
    _sign_in(page, officer.email)
    page.goto(f"/inbox/{message.conversation_id}")
    page.evaluate("window.scrollTo(0, 120)")
    heading = page.get_by_role("heading", level=1)
    before = heading.bounding_box(), page.evaluate("window.scrollY")
    while not held:
        page.wait_for_timeout(20)
    held[0].continue_()
    expect(page.locator("#inbox-pane tr.is-current")).to_be_visible()
    assert (heading.bounding_box(), page.evaluate("window.scrollY")) == before


def test_the_send_button_stays_put_while_the_rest_of_the_page_arrives(db: Session, clock: FixedClock, page) -> None:  # type: ignore[no-untyped-def]
    """What arrives after the page (the consultations this conversation counts for, its promises) and the live
    check's verdict, 400 ms after the officer stops typing, come as they reach for "Send reply": a button pushed
    down by any of them would take the click somewhere else (it did, in a test, under load)."""
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    account = create_account(db, agency, "facebook", PAGE, {"app_secret": "s", "verify_token": "v"}, "Page")
    officer = create_official(db, "officer@THROMDE", email="pema@thromde.example")
    message = citizen_says(db, account, at("2026-03-02 08:00"), "The streetlight is out.", ref="post-1")
    db.commit()
    _sign_in(page, officer.email)
    page.goto(f"/inbox/{message.conversation_id}")
    send = page.get_by_role("button", name="Send reply")
    page.get_by_label("Your reply").fill("Thank you. A crew will fix it this week.")
    before = send.bounding_box()
    verdict = page.locator("#reply-check .gl-verdict")
    expect(verdict).to_have_text("No problems found.")
    assert send.bounding_box() == before
    page.get_by_label("Your reply").fill("")  # cleared: the line stays, and so does the button
    expect(verdict).to_have_text("Not checked yet.")
    assert send.bounding_box() == before
