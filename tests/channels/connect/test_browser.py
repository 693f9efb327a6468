"""Done-when: from the accounts page, in a real Chromium, an agency admin connects a Facebook Page, an
Instagram account and an X account through the simulated platforms' own sign-in pages; a citizen then
comments on the Page (a signed webhook) and the reply goes out with the token the sign-in produced."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, OfficialAccount
from civicloop.channels.meta import simulator as meta_login
from civicloop.channels.simulator.citizens import Citizens, load_targets
from civicloop.channels.simulator.state import SimulatorState
from civicloop.channels.x import oauth_simulator as x_oauth
from civicloop.kit.clock import FixedClock
from tests.channels.connect.conftest import IG, PAGE, X_APP, X_PERSON, arrange_platforms, point_at
from tests.factories import PASSWORD, create_agency, create_official

pytestmark = pytest.mark.browser


def _connect(page, link: str, choose: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts")
    page.get_by_role("link", name=link).click()
    # The platform's own consent page (the simulator, another origin): allow.
    expect(page.get_by_role("heading", name="CivicLoop wants to use your")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name=f"Connect {choose}").click()
    expect(page.get_by_role("status").filter(has_text="is connected")).to_be_visible()


def test_an_admin_connects_a_page_an_instagram_account_and_an_x_account_and_the_page_answers(  # type: ignore[no-untyped-def]
    db: Session, sim: SimulatorState, clock: FixedClock, live_server: str, page, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at(monkeypatch, live_server)
    arrange_platforms(sim, live_server)
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    admin = create_official(
        db, "agency_admin@THROMDE", "officer@THROMDE", email="itadmin@thromde.example", name="Dorji Tshering"
    )

    page.goto("/login")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

    _connect(page, "Connect a Facebook Page", "Thimphu Thromde")
    _connect(page, "Connect an Instagram account", "@thimphuthromde")
    _connect(page, "Connect an X account", "Thimphu Thromde")

    db.rollback()
    accounts = {
        a.platform: a for a in db.scalars(select(OfficialAccount).where(OfficialAccount.agency_id == agency.id))
    }
    assert {p: (a.external_id, a.status) for p, a in accounts.items()} == {
        "facebook": (PAGE, AccountStatus.active),
        "instagram": (IG, AccountStatus.active),
        "x": (X_PERSON, AccountStatus.active),
    }
    assert meta_login.meta(sim).pages[PAGE].subscribed  # the Page's webhooks reach the app
    assert X_PERSON in x_oauth.webhooks(sim).subscribed[X_APP["webhook_id"]]
    page.goto("/accounts")
    expect(page.get_by_role("row").filter(has_text="@thimphuthromde").get_by_text("active")).to_be_visible()

    # A citizen comments on the connected Page: Meta's signed webhook, then an answer from the inbox.
    citizens = Citizens(load_targets(db), seed=11, now=clock.now, state=sim)
    event = citizens.next()
    while event.kind != "facebook.comment":
        event = citizens.next()
    hook = citizens.sign(event)
    assert httpx.post(live_server + hook.path, headers=hook.headers, content=hook.body, timeout=10).status_code == 200
    page.get_by_role("link", name="Inbox").first.click()
    page.get_by_role("link", name=f"{event.person.name} on a post").click()
    page.get_by_label("Your reply").fill("Thank you, a crew will check it today.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("li.msg.out .delivery")).to_have_text("delivered")
    [sent] = sim.calls("facebook.comments")
    token = accounts["facebook"].credentials["page_access_token"]
    assert sent.body["message"] == "Thank you, a crew will check it today."
    assert sent.status == 200 and sent.body["access_token"] == token  # the Page token Facebook Login gave

    page.goto(f"/accounts/{accounts['facebook'].id}")
    page.get_by_role("link", name="Health: token, permissions, webhook").click()
    expect(page.locator("#health-webhook")).to_contain_text("subscribed")
    expect(page.locator("#health-token")).to_contain_text("does not expire")
    assert page.locator("#health-last-event").inner_text().strip() not in ("", "—")
    assert page.locator("#health-last-send").inner_text().strip() not in ("", "—")
