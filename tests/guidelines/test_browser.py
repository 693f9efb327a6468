"""Done-when, in a real Chromium: an officer's reply carrying a citizen's CID is flagged with an
explanation and cannot leave without the agency head's approval; the national admin changes a
rule and finds the change in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from tests.channels.outbound.conftest import Scene, clock, scene, sim, simulator_server
from tests.factories import create_agency, create_official
from tests.foundation.test_browser import _sign_in

__all__ = ["clock", "scene", "sim", "simulator_server"]

pytestmark = pytest.mark.browser
CID = "11512003456"
REPLY = f"Dear Sonam, we checked CID {CID}: your building permit is ready at counter 3."


def _sent_texts(scene: Scene) -> list[str]:
    return [str(r.body) for r in scene.sim.requests if r.method == "POST"]


def _outbound(db: Session) -> OutboundMessage:
    db.rollback()  # a fresh snapshot: the app committed in its own sessions
    return db.scalars(select(OutboundMessage)).one()


def test_a_cid_in_a_reply_is_flagged_and_held_until_the_head_approves(db: Session, scene: Scene, page) -> None:  # type: ignore[no-untyped-def]
    create_official(db, "agency_head@THROMDE", email="head@thromde.example", name="Chimi Dolkar")
    comment = scene.comment("My building permit for plot TT-117 is still pending. Please check.")

    _sign_in(page, scene.officer.email)
    # As the officer types into the reply box, the findings appear under it: the ID highlighted,
    # what is wrong, how to fix it, and that sending it will hold it for the agency head.
    page.goto(f"/inbox/{comment.conversation_id}")
    reply_box = page.get_by_label("Your reply")
    reply_box.press_sequentially(REPLY, delay=5)
    check = page.locator("#reply-check")
    flagged = check.locator("mark.gl-personal_data")
    flagged.wait_for()
    assert flagged.inner_text().startswith(CID)
    assert "held for your agency head's approval" in check.locator(".gl-verdict").inner_text()
    assert "Citizenship ID (CID)" in check.locator(".gl-finding").inner_text()
    assert "Ask the citizen to send it privately" in check.locator(".gl-finding").inner_text()
    assert reply_box.input_value() == REPLY  # the check never rewrites what the officer typed

    # Removing the number clears the finding before anything is sent.
    reply_box.fill("Dear Sonam, your building permit is ready at counter 3.")
    check.locator(".gl-verdict", has_text="No problems found.").wait_for()
    assert check.locator("mark").count() == 0

    # Sending the flagged text anyway holds the reply instead of queuing it.
    reply_box.fill(REPLY)
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("held for approval under the guidelines").wait_for()
    assert _outbound(db).status is OutboundStatus.held
    assert not any(CID in body for body in _sent_texts(scene))

    # The officer sees why, and cannot approve it alone.
    page.goto("/guidelines/approvals")
    item = page.locator("section.gl-approval")
    assert item.locator("mark.gl-personal_data").inner_text().startswith(CID)
    assert "Citizenship ID number" in item.inner_text()
    assert "you cannot decide on your own text" in item.inner_text()
    assert page.get_by_role("button", name="Approve and send").count() == 0

    # The agency head removes the ID, gives a reason and approves: only then does the reply leave.
    page.context.clear_cookies()
    _sign_in(page, "head@thromde.example")
    page.goto("/guidelines/approvals")
    page.get_by_label("Text (edit it to approve a corrected version)").fill(
        "Dear Sonam, your building permit is ready at counter 3."
    )
    page.get_by_label("Reason (the author sees it)").fill("Removed the CID; the citizen knows their own number.")
    page.get_by_role("button", name="Approve and send").click()
    page.get_by_text("approved and queued for sending").wait_for()
    sent = _outbound(db)
    assert sent.status is OutboundStatus.sent
    assert sent.text == "Dear Sonam, your building permit is ready at counter 3."
    assert not any(CID in body for body in _sent_texts(scene))
    assert any("your building permit is ready" in body for body in _sent_texts(scene))

    page.context.clear_cookies()
    _sign_in(page, scene.officer.email)
    page.goto("/guidelines")
    assert "Removed the CID" in page.get_by_role("table").inner_text()


def test_the_national_admin_changes_a_rule_and_the_audit_log_shows_it(db: Session, page) -> None:  # type: ignore[no-untyped-def]
    create_agency(db, "DOIM", name="Department of Information and Media")
    create_official(db, "national_admin@DOIM", email="admin@doim.example", name="Karma Wangchuk")
    _sign_in(page, "admin@doim.example")
    page.goto("/guidelines")
    page.get_by_role("link", name="National settings").click()
    page.get_by_label("Action for Civility").select_option("block")
    row = page.get_by_role("row", name="Civility")
    row.get_by_label("locked").check()
    row.get_by_role("button", name="Save civility").click()
    page.get_by_text("The national rule for civility is now: block (locked).").wait_for()
    assert page.get_by_role("row", name="Civility").get_by_role("cell").first.inner_text() == "block"
    page.get_by_role("link", name="Audit log").click()
    entry = page.get_by_role("row").filter(has_text="guidelines.rule_change")
    assert "civility" in entry.inner_text()
    assert '"action": "block"' in entry.inner_text() and '"locked": true' in entry.inner_text()
