"""Done-when for accountability in a real Chromium: a citizen reads the public tracker (in English and
Dzongkha, overdue ones marked, the timeline behind each), and an officer confirms the promise the inbox
noticed in their reply and later closes it as kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from tests.accountability.conftest import Scene, published_with_participants
from tests.accountability.test_promises import THURSDAY
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_citizen_follows_a_commitment_on_the_public_tracker(db: Session, scene: Scene, page) -> None:  # type: ignore[no-untyped-def]
    _, commitment = published_with_participants(db, scene)
    scene.clock.advance(days=80)  # past its due date of 30 April
    page.goto("/commitments")
    row = page.get_by_role("row").filter(has_text="Raise the bus stop platform")
    expect(row.get_by_text("Overdue")).to_be_visible()
    expect(row.get_by_text("Urban Planning Division")).to_be_visible()
    row.get_by_role("link", name="Raise the bus stop platform above the flood line").click()
    expect(page.get_by_role("heading", name="Raise the bus stop platform above the flood line")).to_be_visible()
    expect(page.get_by_text("Commitment made in the consultation's report.")).to_be_visible()
    page.get_by_role("link", name="རྫོང་ཁ").click()
    expect(page.get_by_role("heading", name="དུས་རིམ།")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "dz"
    page.get_by_role("link", name=re.compile("ངེད་ཀྱི་ཁས་ལེན")).click()
    expect(page.get_by_role("row").filter(has_text="Raise the bus stop").get_by_text("འཆར་གཞི།")).to_be_visible()
    assert f"/commitments/{commitment.id}" in page.content()


def test_an_officer_confirms_the_promise_in_their_reply_and_closes_it_as_kept(db: Session, scene: Scene, page) -> None:  # type: ignore[no-untyped-def]
    scene.clock.at = THURSDAY
    message = scene.messenger("The streetlight outside the Clock Tower is out.")
    page.goto("/login")
    page.get_by_label("Email").fill(scene.officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto(f"/inbox/{message.conversation_id}")
    page.get_by_label("Your reply").fill("Thank you. We will fix it by Friday.")
    page.get_by_role("button", name="Send reply").click()
    prompt = page.get_by_role("region", name="Promise in your reply")
    expect(prompt).to_contain_text("by Friday")
    expect(prompt.locator("#promise-due")).to_have_text("Monday 2027-04-19 17:00")
    prompt.get_by_role("button", name="Track this promise").click()
    expect(prompt).to_be_hidden()
    promises = page.locator("ul.promises")
    expect(promises).to_contain_text("open")
    promises.get_by_label("What was done").fill("A crew replaced the bulb.")
    promises.get_by_role("button", name="Close as kept").click()
    expect(promises).to_contain_text("kept")
    expect(promises).to_contain_text("A crew replaced the bulb.")
