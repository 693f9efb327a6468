"""Hiding, unhiding and deleting citizens' comments on the platforms themselves (the simulator over HTTP),
the record and audit of every attempt, the citizen's notice through the outbound path, appeals, and the
agency's tightening of the national policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from civicloop.audit.models import AuditEntry
from civicloop.channels.instagram import simulator as instagram_sim
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.models import ConversationKind, MessageState
from civicloop.channels.moderation import Operation
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.channels.simulator.state import Fault
from civicloop.channels.telegram import simulator as telegram_sim
from civicloop.channels.x.simulator import x_api
from civicloop.channels.youtube import simulator as youtube_sim
from civicloop.errors import Conflict, Forbidden, Invalid, NotFound
from civicloop.moderation import queries, service
from civicloop.moderation.models import AppealStatus, ModerationAction
from tests.channels.outbound.conftest import PAGE, X_USER, no_answer
from tests.factories import create_agency, create_official
from tests.moderation.conftest import BOT_TOKEN, GROUP, IG_ACCOUNT, YT_CHANNEL, Moderation


def _fresh(mod: Moderation, action: ModerationAction) -> ModerationAction:
    mod.db.commit()
    mod.db.expire_all()
    row = mod.db.get(ModerationAction, action.id)
    assert row is not None
    return row


def test_an_officer_hides_a_facebook_comment_on_a_ground_and_the_citizen_is_told(mod: Moderation) -> None:
    comment = mod.scene.comment("Win a free iPhone! Send your bank PIN to claim.")
    action = service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground="spam", note="obvious scam")
    action = _fresh(mod, action)

    assert facebook_graph(mod.sim).objects["900001_700001"].is_hidden is True
    (call,) = mod.sim.calls("facebook.comment_hide")
    assert call.body["is_hidden"] == "true" and call.method == "POST"
    assert action.applied and action.platform_status == 200 and '"success":true' in action.platform_answer
    assert (action.operation, action.ground, action.by_label) == (Operation.hide, "spam", "officer@thromde.example")
    assert action.appeal_token and action.at is not None
    assert mod.db.get(type(comment), comment.id).state is MessageState.hidden  # type: ignore[union-attr]
    # Told through the normal outbound path: a reply under the comment with the ground and the appeal link.
    notice = mod.db.get(OutboundMessage, action.notice_outbound_id)
    assert notice is not None and notice.status.value == "sent"
    assert "(spam or scam)" in notice.text and f"/appeal/{action.appeal_token}" in notice.text
    assert [c.body["message"] for c in mod.sim.calls("facebook.comments")] == [notice.text]
    audited = mod.db.scalars(select(AuditEntry).where(AuditEntry.action == "moderation.hide")).one()
    assert audited.target_id == str(comment.id) and audited.after["ground"] == "spam"
    assert audited.after["platform_status"] == 200


def test_unhide_shows_it_again_and_a_hidden_comment_cannot_be_hidden_twice(mod: Moderation) -> None:
    comment = mod.scene.comment("The contractor's number is 17123456, call him at night!")
    service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground="personal_data")
    mod.db.commit()
    with pytest.raises(Conflict):
        service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground="spam")
    mod.db.rollback()
    action = _fresh(mod, service.unhide(mod.db, actor=mod.officer, message_id=comment.id, note="his own number"))
    assert action.applied and action.ground is None and action.appeal_token is None
    assert facebook_graph(mod.sim).objects["900001_700001"].is_hidden is False
    assert [c.body["is_hidden"] for c in mod.sim.calls("facebook.comment_hide")] == ["true", "false"]
    with pytest.raises(Conflict):
        service.unhide(mod.db, actor=mod.officer, message_id=comment.id)


def test_a_refusal_is_recorded_as_the_platform_gave_it_and_nothing_changes(mod: Moderation) -> None:
    comment = mod.scene.comment("Buy cheap cement at Olakha, best prices!!!")
    facebook_graph(mod.sim).page_tokens.clear()  # the Page's token was revoked on Facebook
    action = _fresh(mod, service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground="advertising"))
    assert not action.applied and action.platform_status == 400
    assert "code 190" in action.platform_summary and "Invalid OAuth access token" in action.platform_answer
    assert action.appeal_token is None and action.notice_outbound_id is None
    assert mod.db.get(type(comment), comment.id).state is MessageState.received  # type: ignore[union-attr]
    assert facebook_graph(mod.sim).objects["900001_700001"].is_hidden is False


def test_a_platform_that_does_not_answer_leaves_a_record_to_try_again(mod: Moderation) -> None:
    comment = mod.scene.comment("Spam spam spam")
    with no_answer(mod.sim, "facebook.comment_hide"):
        action = _fresh(mod, service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground="spam"))
    assert not action.applied and action.platform_status is None and "try again" in action.platform_summary
    action = _fresh(mod, service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground="spam"))
    assert action.applied
    assert len(queries.actions_for(mod.db, comment.id)) == 2


def test_only_the_agency_head_deletes_and_deleting_removes_it_on_the_platform(mod: Moderation) -> None:
    comment = mod.scene.comment("I will burn down the municipal office tonight")
    with pytest.raises(Forbidden, match="agency head"):
        service.delete(mod.db, actor=mod.officer, message_id=comment.id, ground="threat")
    mod.db.rollback()
    action = _fresh(mod, service.delete(mod.db, actor=mod.head_actor, message_id=comment.id, ground="threat"))
    assert action.applied and action.operation is Operation.delete and action.by_label == "head@thromde.example"
    assert "900001_700001" not in facebook_graph(mod.sim).objects
    assert mod.sim.calls("facebook.comment_delete")[0].method == "DELETE"
    assert action.notice_problem and "nothing to reply to" in action.notice_problem
    # The comment stays in the record, removed, with its text.
    kept = mod.db.get(type(comment), comment.id)
    assert kept is not None and kept.state is MessageState.removed and kept.text.startswith("I will burn")


def test_grounds_are_the_national_ones_and_an_agency_can_only_tighten_them(mod: Moderation) -> None:
    comment = mod.scene.comment("This mayor is useless and should resign")
    for bad in ("criticism", "disagreement", "", "SPAM"):
        with pytest.raises(Invalid):
            service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground=bad)
        mod.db.rollback()
    with pytest.raises(Invalid, match="not a ground of the national policy"):
        service.set_agency_policy(
            mod.db, actor=mod.head_actor, agency_id=mod.scene.agency.id, withheld=["criticism"], hide_needs_head=False
        )
    mod.db.rollback()
    with pytest.raises(Forbidden):
        service.set_agency_policy(
            mod.db, actor=mod.officer, agency_id=mod.scene.agency.id, withheld=[], hide_needs_head=False
        )
    mod.db.rollback()
    service.set_agency_policy(
        mod.db, actor=mod.head_actor, agency_id=mod.scene.agency.id, withheld=["advertising"], hide_needs_head=True
    )
    mod.db.commit()
    assert "advertising" not in [g.value for g in service.grounds_for(mod.db, mod.scene.agency.id)]
    with pytest.raises(Forbidden, match="only its head"):
        service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground="spam")
    mod.db.rollback()
    with pytest.raises(Invalid, match="withheld"):
        service.hide(mod.db, actor=mod.head_actor, message_id=comment.id, ground="advertising")
    mod.db.rollback()
    assert mod.sim.calls("facebook.comment_hide") == []


def test_another_agencys_comment_and_private_messages_cannot_be_moderated(mod: Moderation) -> None:
    other = create_agency(mod.db, "DOIM", name="Department of Information and Media")
    stranger = create_official(mod.db, "officer@DOIM", email="officer@doim.example")
    comment = mod.scene.comment("Spam")
    from civicloop.auth.scope import Actor

    with pytest.raises(NotFound):
        service.hide(mod.db, actor=Actor.of(stranger), message_id=comment.id, ground="spam")
    mod.db.rollback()
    dm = mod.scene.messenger("Scam link in private")
    with pytest.raises(Invalid, match="public comments"):
        service.hide(mod.db, actor=mod.officer, message_id=dm.id, ground="spam")
    mod.db.rollback()
    analyst = create_official(mod.db, "analyst@THROMDE", email="analyst@thromde.example")
    with pytest.raises(Forbidden):
        service.hide(mod.db, actor=Actor.of(analyst), message_id=comment.id, ground="spam")
    assert other.id != mod.scene.agency.id


def test_x_hides_only_replies_in_conversations_the_account_started(mod: Moderation) -> None:
    mention = mod.scene.mention("@ThimphuThromde check out my crypto giveaway")
    refused = _fresh(mod, service.hide(mod.db, actor=mod.officer, message_id=mention.id, ground="spam"))
    assert not refused.applied and refused.platform_status == 403
    assert "conversations you authored" in refused.platform_summary
    # A reply to the agency's own post can be hidden, and shown again.
    x_api(mod.sim).tweet("1860000000000000100", X_USER, "Road closures this week")
    x_api(mod.sim).tweet(
        "1860000000000000101", "9000007", "free followers at bit.ly/x", in_reply_to="1860000000000000100"
    )
    reply = mod.scene.inbound(
        mod.scene.x, ConversationKind.comment_thread, "1860000000000000100", "1860000000000000101", "free followers"
    )
    hidden = _fresh(mod, service.hide(mod.db, actor=mod.officer, message_id=reply.id, ground="spam"))
    assert hidden.applied and x_api(mod.sim).tweets["1860000000000000101"].hidden is True
    assert mod.sim.calls("x.hide")[-1].headers["authorization"].startswith("OAuth ")
    shown = _fresh(mod, service.unhide(mod.db, actor=mod.officer, message_id=reply.id))
    assert shown.applied and x_api(mod.sim).tweets["1860000000000000101"].hidden is False
    with pytest.raises(Invalid, match="no way to delete"):
        service.delete(mod.db, actor=mod.head_actor, message_id=reply.id, ground="spam")


def test_instagram_and_youtube_hide_unhide_and_delete(mod: Moderation) -> None:
    ig = mod.ig_comment("DM me for cheap followers")
    action = _fresh(mod, service.hide(mod.db, actor=mod.officer, message_id=ig.id, ground="advertising"))
    assert action.applied, (action.platform_status, action.platform_summary)
    assert ig.external_id in instagram_sim.accounts(mod.sim)[IG_ACCOUNT].hidden
    assert mod.sim.calls("instagram.hide")[0].body == {"hide": "true"}
    yt = mod.yt_comment("Visit druk-lottery-winner.com to claim your prize")
    assert [s.rule for s in service.suggestions(mod.db, yt)] == ["scam_link"]
    held = _fresh(
        mod, service.hide(mod.db, actor=mod.officer, message_id=yt.id, ground="spam", suggested_by="scam_link")
    )
    channel = youtube_sim.channels(mod.sim)[YT_CHANNEL]
    assert held.applied and held.suggested_by == "scam_link" and channel.moderation[yt.external_id] == "heldForReview"
    assert mod.sim.calls("youtube.comments.setModerationStatus")[0].query["moderationStatus"] == "heldForReview"
    rejected = _fresh(mod, service.delete(mod.db, actor=mod.head_actor, message_id=yt.id, ground="spam"))
    assert rejected.applied and channel.moderation[yt.external_id] == "rejected"


def test_telegram_deletes_only_in_a_group_the_bot_administers_within_48_hours(mod: Moderation) -> None:
    with pytest.raises(Invalid, match="no way to hide"):
        service.hide(mod.db, actor=mod.officer, message_id=mod.group_message("spam", 41).id, ground="spam")
    mod.db.rollback()
    ok = _fresh(
        mod, service.delete(mod.db, actor=mod.head_actor, message_id=mod.group_message("spam", 42).id, ground="spam")
    )
    assert ok.applied and (GROUP, 42) in telegram_sim.bots(mod.sim)[BOT_TOKEN].deleted
    old = mod.group_message("old spam", 43)
    mod.scene.clock.advance(hours=49)
    late = _fresh(mod, service.delete(mod.db, actor=mod.head_actor, message_id=old.id, ground="spam"))
    assert not late.applied and "can't be deleted for everyone" in late.platform_summary
    telegram_sim.bots(mod.sim)[BOT_TOKEN].admin_in.clear()
    fresh = mod.group_message("more spam", 44, admin=False)
    refused = _fresh(mod, service.delete(mod.db, actor=mod.head_actor, message_id=fresh.id, ground="spam"))
    assert not refused.applied and "message can't be deleted" in refused.platform_summary


def test_an_appeal_goes_to_the_agency_head_who_reverses_it_on_the_platform(mod: Moderation) -> None:
    comment = mod.scene.comment("The new bus stop design is ugly and a waste of money")
    action = _fresh(mod, service.hide(mod.db, actor=mod.officer, message_id=comment.id, ground="spam"))
    token = action.appeal_token
    assert token
    with pytest.raises(NotFound):
        service.submit_appeal(mod.db, token="nope", reason="x")
    with pytest.raises(Invalid):
        service.submit_appeal(mod.db, token=token, reason="   ")
    mod.db.rollback()
    appeal = service.submit_appeal(mod.db, token=token, reason="It is criticism of a design, not spam.")
    mod.db.commit()
    with pytest.raises(Conflict):
        service.submit_appeal(mod.db, token=token, reason="again")
    mod.db.rollback()
    from civicloop.notifications.models import Notification

    notice = mod.db.scalars(select(Notification).where(Notification.kind == "moderation_appeal")).one()
    assert notice.official_id == mod.head.id and notice.url == "/moderation/appeals"
    with pytest.raises(Forbidden):
        service.decide_appeal(mod.db, actor=mod.officer, appeal_id=appeal.id, decision="reverse")
    mod.db.rollback()
    decision = service.decide_appeal(
        mod.db, actor=mod.head_actor, appeal_id=appeal.id, decision="reverse", note="criticism is allowed"
    )
    mod.db.commit()
    assert decision.appeal.status is AppealStatus.reversed and decision.reversal is not None
    assert decision.reversal.applied and decision.reversal.reverses_id == action.id
    assert facebook_graph(mod.sim).objects["900001_700001"].is_hidden is False
    assert mod.db.get(type(comment), comment.id).state is MessageState.received  # type: ignore[union-attr]
    texts = [c.body["message"] for c in mod.sim.calls("facebook.comments")]
    assert texts[-1].endswith("decided your appeal: the comment is shown again.")
    actions = [e.action for e in mod.db.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions[-4:] == ["moderation.appeal", "moderation.unhide", "moderation.appeal_reversed", "outbound.create"]


def test_the_public_log_counts_per_agency_and_month_without_texts_or_names(mod: Moderation) -> None:
    first = mod.scene.comment("spam one")
    action = _fresh(mod, service.hide(mod.db, actor=mod.officer, message_id=first.id, ground="spam"))
    service.submit_appeal(mod.db, token=action.appeal_token or "", reason="not spam")
    mod.db.commit()
    appeal = queries.appeals(mod.db, None)[0][0]
    service.decide_appeal(mod.db, actor=mod.head_actor, appeal_id=appeal.id, decision="reverse")
    mod.db.commit()
    ig = mod.ig_comment("Follow my shop @cheapbags")
    service.hide(mod.db, actor=mod.officer, message_id=ig.id, ground="advertising")
    failed = mod.ig_comment("Spam again", 2)
    mod.sim.inject("instagram.hide", Fault(status=500))
    service.hide(mod.db, actor=mod.officer, message_id=failed.id, ground="spam")  # not applied: not counted
    mod.db.commit()
    start = mod.scene.clock.now() - timedelta(days=1)
    (row,) = queries.monthly_log(mod.db, start, start + timedelta(days=2), "Asia/Thimphu")
    assert (row.agency_code, row.month, row.hidden, row.deleted) == ("THROMDE", "2026-03", 2, 0)
    assert dict(row.grounds) == {"spam": 1, "advertising": 1}
    assert (row.appeals, row.reversals) == (1, 1)
    assert PAGE  # the Page id is the scene's
