from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, OfficialAccount
from civicloop.auth.scope import Actor
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.errors import Conflict, Forbidden, Invalid
from civicloop.publishing import queries, service
from civicloop.publishing.models import PostStatus
from tests.factories import create_official
from tests.publishing.conftest import Scene

TEXT = "Norzin Lam will be closed to traffic on Sunday from 8 to 11 for the marathon."


def test_a_post_goes_to_every_account_and_reports_each_result(db: Session, scene: Scene) -> None:
    post = service.create_post(
        db,
        actor=scene.actor,
        agency_id=scene.agency.id,
        text=f"**{TEXT}**",
        account_ids=[scene.facebook.id, scene.x.id, scene.wechat.id],
    )
    db.commit()
    assert post.status is PostStatus.released
    db.expire_all()
    results = {r.account.platform.value: r for r in queries.results(db, post)}
    assert {k: r.status for k, r in results.items()} == {"facebook": "sent", "x": "sent", "wechat": "sent"}
    assert results["facebook"].permalink and results["x"].permalink
    wechat_text = db.scalars(select(OutboundMessage.text).where(OutboundMessage.account_id == scene.wechat.id)).one()
    assert wechat_text == TEXT, "WeChat shows no Markdown, so the emphasis marks are dropped"


def test_a_text_too_long_for_x_needs_a_variant(db: Session, scene: Scene) -> None:
    long_text = TEXT * 5
    with pytest.raises(Invalid, match=r"too long for X .* write a shorter X variant"):
        service.create_post(db, actor=scene.actor, agency_id=scene.agency.id, text=long_text, account_ids=[scene.x.id])
    post = service.create_post(
        db,
        actor=scene.actor,
        agency_id=scene.agency.id,
        text=long_text,
        variants={"x": "Norzin Lam closed Sunday 8–11 for the marathon."},
        account_ids=[scene.x.id, scene.facebook.id],
    )
    db.commit()
    texts = set(db.scalars(select(OutboundMessage.text).where(OutboundMessage.batch_key == post.batch_key)))
    assert texts == {long_text, "Norzin Lam closed Sunday 8–11 for the marathon."}


def test_an_account_that_cannot_post_is_named_before_anything_is_stored(db: Session, scene: Scene) -> None:
    scene.facebook.credentials = {"app_secret": "s", "verify_token": "v"}
    db.commit()
    with pytest.raises(Invalid, match="Thimphu Thromde: add the Page's page_access_token"):
        service.create_post(
            db, actor=scene.actor, agency_id=scene.agency.id, text=TEXT, account_ids=[scene.x.id, scene.facebook.id]
        )


def test_with_the_approval_policy_the_head_decides(db: Session, scene: Scene) -> None:
    head = Actor.of(create_official(db, "agency_head@THROMDE"))
    with pytest.raises(Forbidden):
        service.set_policy(db, actor=scene.actor, agency_id=scene.agency.id, require_approval=True)
    service.set_policy(db, actor=head, agency_id=scene.agency.id, require_approval=True)
    post = service.create_post(db, actor=scene.actor, agency_id=scene.agency.id, text=TEXT, account_ids=[scene.x.id])
    db.commit()
    assert post.status is PostStatus.pending_approval
    assert not db.scalars(select(OutboundMessage).where(OutboundMessage.batch_key == post.batch_key)).all()
    with pytest.raises(Forbidden):
        service.decide(db, actor=scene.actor, post_id=post.id, approve=True)
    service.decide(db, actor=head, post_id=post.id, approve=True, note="fine")
    db.commit()
    assert post.status is PostStatus.released
    with pytest.raises(Conflict, match="not waiting for approval"):
        service.decide(db, actor=head, post_id=post.id, approve=False)


def test_a_scheduled_post_is_released_on_time_and_one_lost_account_does_not_stop_the_others(
    db: Session, scene: Scene
) -> None:
    at = scene.clock.now() + timedelta(hours=2)
    with pytest.raises(Invalid, match="in the past"):
        service.create_post(
            db,
            actor=scene.actor,
            agency_id=scene.agency.id,
            text=TEXT,
            account_ids=[scene.x.id],
            scheduled_at=scene.clock.now() - timedelta(minutes=1),
        )
    post = service.create_post(
        db,
        actor=scene.actor,
        agency_id=scene.agency.id,
        text=TEXT,
        account_ids=[scene.x.id, scene.wechat.id],
        scheduled_at=at,
    )
    db.commit()
    assert service.release_due(db) == []
    x_account = db.get(OfficialAccount, scene.x.id)
    assert x_account is not None
    x_account.status = AccountStatus.paused
    db.commit()
    scene.clock.advance(hours=2)
    assert service.release_due(db) == [post.id]
    db.commit()
    db.expire_all()
    results = {r.account.platform.value: r for r in queries.results(db, post)}
    assert results["x"].status == "refused" and "paused" in results["x"].error
    assert results["wechat"].status == "sent", "the other account's send job ran after the real commit"
