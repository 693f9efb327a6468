"""A post the guidelines hold, approved once for every account; a deputy approver; a picture kept after a
refusal (issue 15), through the real app and the platform simulator."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry
from civicloop.auth import deputies
from civicloop.auth.scope import Actor
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.errors import Forbidden
from civicloop.guidelines.models import Approval, ApprovalStatus
from civicloop.publishing.models import Post
from tests.consultations.conftest import PNG
from tests.factories import create_official, csrf_from, login
from tests.publishing.conftest import Scene

HELD_TEXT = "Citizen Karma Dorji (CID 11410001234, mobile 17123456) asked about the road closure on Norzin Lam."


def _post(client: TestClient, scene: Scene, text: str, account_ids: list[int], **files: object) -> object:
    compose = client.get("/publishing/new")
    form = {
        "agency_id": scene.agency.id,
        "text": text,
        "account_ids": account_ids,
        "csrf_token": csrf_from(compose.text),
    }
    return client.post("/publishing", data=form, files=files or None, follow_redirects=False)


APPROVALS_LINK = 'class="govuk-service-navigation__link" href="/guidelines/approvals"'


def test_a_held_post_says_held_and_is_approved_once_for_every_account(
    db: Session, client: TestClient, scene: Scene
) -> None:
    head = create_official(db, "agency_head@THROMDE", email="head@thromde.example", name="Chimi Dolkar")
    login(client, scene.officer)
    accounts = [scene.facebook.id, scene.x.id, scene.wechat.id]
    created = _post(client, scene, HELD_TEXT, accounts)
    assert created.status_code == 303, created.text
    post = db.scalars(select(Post).order_by(Post.id.desc())).first()
    assert post is not None
    statuses = db.scalars(select(OutboundMessage.status).where(OutboundMessage.batch_key == post.batch_key)).all()
    assert statuses == [OutboundStatus.held] * 3, "the guidelines hold the message to every account"
    page = client.get(f"/publishing/posts/{post.id}").text
    assert '<span class="status held">held</span>' in page and "Post released" not in page
    calendar = client.get(f"/publishing?agency_id={scene.agency.id}").text
    assert '<span class="status held">held</span>' in calendar and '<span class="status released">' not in calendar
    # The head sees one item for the post, naming each account with its own text, and approves it once.
    login(client, head)
    queue = client.get("/guidelines/approvals").text
    assert queue.count('class="gl-approval"') == 1 and "Post to 3 accounts" in queue
    for account in (scene.facebook, scene.x, scene.wechat):
        assert account.name in queue
    items = db.scalars(select(Approval).order_by(Approval.id)).all()
    assert len(items) == 3
    decided = client.post(
        f"/guidelines/approvals/{items[0].id}",
        data={
            "decision": "approve",
            "reason": "The citizen agreed to be named.",
            **{f"text_{a.id}": a.text for a in items},
            "csrf_token": csrf_from(queue),
        },
        follow_redirects=False,
    )
    assert decided.status_code == 303, decided.text
    db.rollback()
    assert {a.status for a in db.scalars(select(Approval))} == {ApprovalStatus.approved}
    sent = db.scalars(select(OutboundMessage.status).where(OutboundMessage.batch_key == post.batch_key)).all()
    assert sent == [OutboundStatus.sent] * 3
    assert "Nothing is waiting for approval" in client.get("/guidelines/approvals").text
    login(client, scene.officer)
    assert '<span class="status released">released</span>' in client.get(f"/publishing/posts/{post.id}").text


def test_a_deputy_approves_within_the_period_only_and_it_is_audited(
    db: Session, client: TestClient, scene: Scene
) -> None:
    head = create_official(db, "agency_head@THROMDE", email="head@thromde.example", name="Chimi Dolkar")
    deputy = create_official(db, "officer@THROMDE", email="deputy@thromde.example", name="Sonam Deputy")
    login(client, scene.officer)
    assert _post(client, scene, HELD_TEXT, [scene.facebook.id]).status_code == 303
    (item,) = db.scalars(select(Approval)).all()
    # Before any deputy is named, the officer cannot decide.
    login(client, deputy)
    queue = client.get("/guidelines/approvals").text
    assert "Waiting for an agency head" in queue
    assert APPROVALS_LINK not in client.get("/").text  # an officer's navigation has no approvals
    # The head names the deputy for today and the next three days, on the deputies page.
    login(client, head)
    page = client.get("/deputies")
    assert page.status_code == 200 and "Sonam Deputy" in page.text
    today = deputies.today()
    named = client.post(
        "/deputies",
        data={
            "agency_id": scene.agency.id,
            "official_id": deputy.id,
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=3)).isoformat(),
            "reason": "Training in Paro",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert named.status_code == 303, named.text
    refused = client.post(
        "/deputies",
        data={
            "agency_id": scene.agency.id,
            "official_id": deputy.id,
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
            "csrf_token": csrf_from(page.text),
        },
    )
    assert refused.status_code == 422 and "ends before it starts" in refused.text
    login(client, deputy)
    home = client.get("/").text
    assert "You approve in the agency head's place" in home
    assert APPROVALS_LINK in home  # while deputising, the navigation has the approvals too
    queue = client.get("/guidelines/approvals").text
    assert "Approve and send" in queue
    decided = client.post(
        f"/guidelines/approvals/{item.id}",
        data={"decision": "approve", "reason": "Checked with the head by phone.", "csrf_token": csrf_from(queue)},
        follow_redirects=False,
    )
    assert decided.status_code == 303, decided.text
    db.rollback()
    assert db.get(Approval, item.id).status is ApprovalStatus.approved  # type: ignore[union-attr]
    actions = {(e.action, e.actor_id) for e in db.scalars(select(AuditEntry))}
    assert ("deputy.name", head.id) in actions and ("guidelines.approve", deputy.id) in actions
    # Outside the period the deputy is an officer again.
    deputy_actor = Actor.of(db.get(type(deputy), deputy.id))  # type: ignore[arg-type]
    assert deputies.may_approve(db, deputy_actor, scene.agency.id)
    assert not deputies.is_deputy(db, official_id=deputy.id, agency_id=scene.agency.id, on=today + timedelta(days=4))
    assert not deputies.is_deputy(db, official_id=deputy.id, agency_id=scene.agency.id, on=today - timedelta(days=1))
    # Ended early by the head: no more approvals.
    login(client, head)
    page = client.get("/deputies")
    (row,) = [line for line in page.text.splitlines() if "/end" in line]
    end_path = row.split('action="', 1)[1].split('"', 1)[0]
    assert client.post(end_path, data={"csrf_token": csrf_from(page.text)}, follow_redirects=False).status_code == 303
    db.rollback()
    assert not deputies.may_approve(db, deputy_actor, scene.agency.id)
    login(client, deputy)
    assert APPROVALS_LINK not in client.get("/").text
    try:
        deputies.require_approver(db, deputy_actor, scene.agency.id)
    except Forbidden as exc:
        assert "deputy" in exc.message
    else:
        raise AssertionError("an ended deputy still approves")


def test_a_picture_post_says_which_accounts_take_no_picture_and_keeps_the_upload(
    db: Session, client: TestClient, scene: Scene
) -> None:
    login(client, scene.officer)
    compose = client.get("/publishing/new").text
    wechat_line = next(line for line in compose.splitlines() if f'value="{scene.wechat.id}"' in line)
    assert "text only: no picture" in wechat_line, "said before submitting"
    assert "A picture goes with posts on" in compose
    accounts = [scene.facebook.id, scene.wechat.id]
    refused = _post(client, scene, "The new bus stop, as built.", accounts, image=("stop.png", PNG, "image/png"))
    assert refused.status_code == 422 and "an image can go with a post on" in refused.text
    assert "Keep the picture you chose" in refused.text and "stop.png" in refused.text
    # Without WeChat and without choosing the file again, the kept picture goes with the post.
    form = {
        "agency_id": scene.agency.id,
        "text": "The new bus stop, as built.",
        "account_ids": [scene.facebook.id],
        "keep_image": "true",
        "csrf_token": csrf_from(refused.text),
    }
    created = client.post("/publishing", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    post = db.scalars(select(Post).order_by(Post.id.desc())).first()
    assert post is not None and post.image_name is not None
