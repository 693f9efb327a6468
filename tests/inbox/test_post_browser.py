"""Done-when for per-comment conversations: three citizens comment on one Facebook post (signed webhooks in
Meta's documented format); an officer opens the post view in a real Chromium, picks two of them and sends one
reply, which the simulated Graph API receives as a reply to each chosen comment."""

import hashlib
import hmac
import json

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from civicloop.agencies.service import webhook_path
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.simulator.state import SimulatorState
from civicloop.kit.clock import FixedClock
from tests.factories import PASSWORD, create_account, create_agency, create_official

pytestmark = pytest.mark.browser

PAGE = "104577788899900"
POST = f"{PAGE}_918273645512"
TOKEN = "EAAG-thromde-page-token"
SECRET = "meta-app-secret"
CITIZENS = [
    ("7395028461937201", "Karma Wangchuk", "The streetlight at the Norzin Lam circle is out."),
    ("7395028461937202", "Pema Choden", "Is the Changlam footpath open yet?"),
    ("7395028461937203", "Sonam Dorji", "Water has been off in Motithang since morning."),
]


def test_an_officer_answers_several_comments_of_one_post_from_the_post_view(  # type: ignore[no-untyped-def]
    db: Session, sim: SimulatorState, clock: FixedClock, live_server: str, page
) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    credentials = {"app_secret": SECRET, "verify_token": "verify", "page_access_token": TOKEN}
    account = create_account(db, agency, "facebook", PAGE, credentials, "Thimphu Thromde")
    officer = create_official(db, "officer@THROMDE", email="pema@thromde.example", name="Pema Wangchuk")
    db.commit()
    facebook_graph(sim).add_page(PAGE, TOKEN)
    comments = []
    for n, (who, name, text) in enumerate(CITIZENS):
        comment_id = f"918273645512_120394850{n}"
        facebook_graph(sim).comment(PAGE, comment_id, post_id=POST, from_id=who, message=text)
        value = {"from": {"id": who, "name": name}, "post_id": POST, "comment_id": comment_id, "message": text,
                 "created_time": int(clock.now().timestamp()), "item": "comment", "parent_id": POST,
                 "verb": "add"}  # fmt: skip
        body = json.dumps(
            {
                "object": "page",
                "entry": [{"id": PAGE, "time": 1767585604, "changes": [{"field": "feed", "value": value}]}],
            }
        ).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"content-type": "application/json", "x-hub-signature-256": signature}
        assert (
            httpx.post(live_server + webhook_path(account), content=body, headers=headers, timeout=10).status_code
            == 200
        )
        comments.append(comment_id)

    page.goto("/login")
    page.get_by_label("Email").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto("/inbox")
    # Three citizens, three conversations in the inbox.
    for _, _name, text in CITIZENS:
        expect(page.get_by_role("row").filter(has_text=text[:30])).to_have_count(1)
    page.get_by_role("row").filter(has_text=CITIZENS[0][2][:30]).get_by_role("link").first.click()
    page.get_by_role("link", name="Every citizen's conversation under this post").click()
    expect(page.locator("#post-summary")).to_contain_text("3 citizen conversations under this post; 3 waiting")

    page.get_by_label("Answer Karma Wangchuk").check()
    page.get_by_label("Answer Sonam Dorji").check()
    page.get_by_label("One reply, sent as a reply to each comment chosen").fill(
        "Dear {citizen_name}, thank you: a crew will look at it today."
    )
    page.get_by_role("button", name="Send to the chosen comments").click()
    expect(page.locator("#outcomes li")).to_have_count(2)
    expect(page.locator("#outcomes")).to_contain_text("on its way")

    replies = {r.parent_id: r.message for r in facebook_graph(sim).page_comments_by(PAGE)}
    assert replies == {
        comments[0]: "Dear Karma Wangchuk, thank you: a crew will look at it today.",
        comments[2]: "Dear Sonam Dorji, thank you: a crew will look at it today.",
    }
    page.reload()
    expect(page.locator("#post-summary")).to_contain_text("3 citizen conversations under this post; 1 waiting")
