"""Done-when for moderation: in a real Chromium, an officer hides a citizen's Facebook comment (arrived as a
signed webhook) through the simulated Graph API with a ground; the citizen follows the appeal link in the
notice under their comment and appeals; the agency head reverses it, which shows the comment again on
the platform; and the transparency page's moderation log counts the hide, the appeal and the reversal."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.simulator.citizens import Citizens, load_targets
from civicloop.channels.simulator.state import SimulatorState
from civicloop.config import reset_settings
from civicloop.kit.clock import FixedClock
from tests.factories import create_account, create_agency, create_official
from tests.foundation.test_browser import _sign_in
from tests.inbox.builders import clock
from tests.moderation.conftest import sim, simulator_server

__all__ = ["clock", "sim", "simulator_server"]

pytestmark = pytest.mark.browser

PAGE = "104577788899900"
TOKEN = "EAAG-thromde-page-token"


def test_a_hide_with_a_ground_is_appealed_reversed_and_counted_in_public(  # type: ignore[no-untyped-def]
    db: Session,
    sim: SimulatorState,
    clock: FixedClock,
    live_server: str,
    browser,
    page,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The notice's appeal link points at this deployment's public address.
    monkeypatch.setenv("CIVICLOOP_BASE_URL", live_server)
    reset_settings()
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    credentials = {"app_secret": "meta-app-secret", "verify_token": "verify", "page_access_token": TOKEN}
    create_account(db, agency, "facebook", PAGE, credentials, "Thimphu Thromde")
    officer = create_official(db, "officer@THROMDE", email="pema@thromde.example", name="Pema Wangchuk")
    create_official(db, "agency_head@THROMDE", email="head@thromde.example", name="Chimi Dolkar")
    facebook_graph(sim).add_page(PAGE, TOKEN)

    citizens = Citizens(load_targets(db), seed=11, now=clock.now, state=sim)
    event = citizens.next()
    while event.kind != "facebook.comment":
        event = citizens.next()
    hook = citizens.sign(event)
    assert httpx.post(live_server + hook.path, headers=hook.headers, content=hook.body, timeout=10).status_code == 200
    comment_id = next(
        i for i, o in facebook_graph(sim).objects.items() if o.message == event.text and o.from_id != PAGE
    )

    # The officer opens the comment from the inbox and hides it on the ground "Spam or scam".
    _sign_in(page, officer.email)
    page.get_by_role("link", name="Inbox").first.click()
    page.get_by_role("link", name=f"{event.person.name} on a post").click()
    page.get_by_role("link", name="moderate").first.click()
    expect(page.get_by_role("heading", name="Moderate a comment")).to_be_visible()
    page.get_by_label("Spam or scam").check()
    page.get_by_label("Note for the record (internal, optional)").fill("repeated advertising")
    page.get_by_role("button", name="Hide on Facebook").click()
    page.get_by_role("status").filter(has_text="Done: hidden on Facebook.").wait_for()
    expect(page.locator("#moderation-state")).to_have_text("hidden")
    record = page.locator("#moderation-record")
    expect(record).to_contain_text("pema@thromde.example")
    expect(record).to_contain_text("Spam or scam")
    expect(record).to_contain_text("done: hidden on Facebook")
    assert facebook_graph(sim).objects[comment_id].is_hidden

    # The citizen reads the notice under their comment (sent through the outbound path) and appeals.
    notice = next(o for o in facebook_graph(sim).objects.values() if o.parent_id == comment_id and o.from_id == PAGE)
    assert "(spam or scam)" in notice.message
    link = re.search(r"https?://\S+/appeal/[A-Za-z]+", notice.message)
    assert link is not None and link.group(0).startswith(live_server)
    citizen = browser.new_context()
    tab = citizen.new_page()
    tab.goto(link.group(0))
    expect(tab.get_by_role("heading", name="Appeal a moderation decision")).to_be_visible()
    assert event.text not in tab.content()  # the hidden text is not republished on a public page
    tab.get_by_label("Why should it not have been?").fill("I was asking about the bus schedule, not selling anything.")
    tab.get_by_role("button", name="Send my appeal").click()
    expect(tab.locator("#appeal-status")).to_have_text(
        "Thank you. Your appeal is with the agency head, who will decide it."
    )
    citizen.close()

    # The agency head reverses it: the comment is shown again on Facebook.
    page.context.clear_cookies()
    _sign_in(page, "head@thromde.example")
    page.get_by_role("link", name="Moderation").first.click()
    expect(page.get_by_text("I was asking about the bus schedule, not selling anything.")).to_be_visible()
    page.get_by_label("Your reasons (kept in the record)").fill("A question about buses is not spam.")
    page.get_by_role("button", name="Reverse: show it again").click()
    page.get_by_role("status").filter(has_text="Reversed: the comment is shown again").wait_for()
    assert not facebook_graph(sim).objects[comment_id].is_hidden
    assert [c.body["is_hidden"] for c in sim.calls("facebook.comment_hide")] == ["true", "false"]

    # The public transparency page counts the hide, the appeal and the reversal — and shows no text or name.
    page.context.clear_cookies()
    page.goto("/transparency")
    row = page.locator('#moderation-log tr[data-agency="THROMDE"]')
    expect(row.locator('[data-col="hidden"]')).to_have_text("1")
    expect(row.locator('[data-col="appeals"]')).to_have_text("1")
    expect(row.locator('[data-col="reversals"]')).to_have_text("1")
    expect(row).to_contain_text("Spam or scam 1")
    public = page.content()
    assert event.text not in public and event.person.name not in public and "pema@thromde.example" not in public


def test_the_moderation_and_appeal_pages_fit_a_phone_screen(  # type: ignore[no-untyped-def]
    db: Session, sim: SimulatorState, clock: FixedClock, phone_page
) -> None:
    from civicloop.auth.scope import Actor
    from civicloop.channels.models import ConversationKind
    from civicloop.moderation import service
    from tests.inbox.builders import at, citizen_says

    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    credentials = {"app_secret": "s", "verify_token": "v", "page_access_token": TOKEN}
    account = create_account(db, agency, "facebook", PAGE, credentials, "Page")
    officer = create_official(db, "officer@THROMDE", email="pema@thromde.example")
    facebook_graph(sim).add_page(PAGE, TOKEN)
    text = "Claim your prize at druk-lottery-winner.com/" + "x" * 120
    message = citizen_says(db, account, at("2026-03-02 09:00"), text, kind=ConversationKind.comment_thread)
    facebook_graph(sim).comment(PAGE, message.external_id or "", post_id=f"{PAGE}_1", from_id="555", message=text)
    action = service.hide(db, actor=Actor.of(officer), message_id=message.id, ground="spam", note="n " * 80)
    db.commit()
    _sign_in(phone_page, officer.email)
    for path in (
        f"/moderation/messages/{message.id}",
        f"/appeal/{action.appeal_token}?lang=dz",
        "/transparency/moderation",
    ):
        phone_page.goto(path)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
