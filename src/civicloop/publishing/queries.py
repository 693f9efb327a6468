"""Reads of posts: scoped to the actor's agencies, and what became of each post on each account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import OfficialAccount
from civicloop.auth.scope import Actor
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.publishing.models import Post, PostStatus, PostTarget, PublishingPolicy


@dataclass(frozen=True)
class TargetResult:
    account: OfficialAccount
    outbound_id: int | None
    status: str
    permalink: str | None
    error: str


def policy_for(session: Session, agency_id: int) -> PublishingPolicy:
    return session.get(PublishingPolicy, agency_id) or PublishingPolicy(agency_id=agency_id, require_approval=False)


def targets_of(session: Session, post_id: int) -> list[PostTarget]:
    return list(
        session.scalars(select(PostTarget).where(PostTarget.post_id == post_id).order_by(PostTarget.account_id))
    )


def get_post(session: Session, *, actor: Actor, post_id: int) -> Post:
    return actor.fetch(session, Post, post_id, what="post")


def list_posts(
    session: Session,
    *,
    actor: Actor,
    agency_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Post]:
    """Posts newest first; with a window, those whose scheduled or release time falls in it."""
    query = select(Post).order_by(Post.created_at.desc())
    visible = actor.agency_ids()
    if visible is not None:
        query = query.where(Post.agency_id.in_(visible))
    if agency_id is not None:
        query = query.where(Post.agency_id == agency_id)
    posts = list(session.scalars(query.limit(2000)))
    if start is not None and end is not None:
        posts = [p for p in posts if start <= when(p) < end]
    return posts


def shown_statuses(session: Session, posts: list[Post]) -> dict[int, str]:
    """What to call each post: its own status, except a released post whose accounts' messages the guidelines
    held for approval is "held" (every account held) or "partly held" (some), as each account says."""
    released = [p.id for p in posts if p.status is PostStatus.released]
    held: dict[int, list[bool]] = {}
    if released:
        rows = session.execute(
            select(PostTarget.post_id, OutboundMessage.status)
            .join(OutboundMessage, OutboundMessage.id == PostTarget.outbound_id)
            .where(PostTarget.post_id.in_(released))
        )
        for post_id, status in rows:
            held.setdefault(post_id, []).append(status is OutboundStatus.held)
    shown = {}
    for post in posts:
        flags = held.get(post.id, [])
        if flags and all(flags):
            shown[post.id] = "held"
        elif any(flags):
            shown[post.id] = "partly_held"
        else:
            shown[post.id] = post.status.value
    return shown


def when(post: Post) -> datetime:
    """The instant a post shows on the calendar: its release, else its planned time, else its creation."""
    return post.released_at or post.scheduled_at or post.created_at


def results(session: Session, post: Post) -> list[TargetResult]:
    """Per account: what became of the post there, with the link to the live post once sent."""
    out = []
    for target in targets_of(session, post.id):
        account = session.get(OfficialAccount, target.account_id)
        if account is None:
            continue
        outbound = session.get(OutboundMessage, target.outbound_id) if target.outbound_id else None
        if outbound is not None:
            status, permalink, error = outbound.status.value, outbound.permalink, outbound.last_error or ""
        else:
            status = "refused" if target.error else post.status.value
            permalink, error = None, target.error
        out.append(TargetResult(account, target.outbound_id, status, permalink, error))
    return out
