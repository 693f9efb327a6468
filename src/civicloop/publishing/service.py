"""Posts to many accounts: validation, approval, scheduling and release through the channels' outbound path."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, OfficialAccount
from civicloop.audit import service as audit
from civicloop.auth import deputies
from civicloop.auth.models import Official, Role
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.errors import AppError, Conflict, Forbidden, Invalid
from civicloop.kit import i18n, uploads
from civicloop.kit.clock import utcnow
from civicloop.publishing import languages, lengths
from civicloop.publishing.languages import Written
from civicloop.publishing.models import Post, PostPurpose, PostStatus, PostTarget, PublishingPolicy
from civicloop.publishing.queries import get_post, policy_for, targets_of

POST_AUDIT_FIELDS = ["status", "scheduled_at", "purpose", "batch_key", "consultation_id"]
APPROVER_ROLES = (Role.agency_head,)


def usable_account(session: Session, *, actor: Actor, agency_id: int, account_id: int) -> OfficialAccount:
    """An account the official may post to for this agency, or a clear refusal."""
    account = session.get(OfficialAccount, account_id)
    if account is None or not actor.can_view(account.agency_id):
        raise Invalid(f"account #{account_id} is not one of your agency's accounts", field="account_ids")
    if account.agency_id != agency_id:
        raise Invalid(f"{account.name} belongs to another agency; post only on this agency's accounts")
    if not actor.has_role(account.agency_id):
        raise Forbidden(f"you have no working role in the agency that runs {account.name}")
    if registry.spec(account.platform).post is None:
        platform = registry.label(account.platform)
        raise Invalid(f"{account.name} is a {platform} account: it receives feedback but cannot carry posts")
    if account.status is not AccountStatus.active:
        raise Invalid(f"{account.name} is {account.status.value}; reconnect it before posting")
    return account


def set_policy(session: Session, *, actor: Actor, agency_id: int, require_approval: bool) -> PublishingPolicy:
    actor.require(agency_id, Role.agency_head, Role.agency_admin)
    policy = session.get(PublishingPolicy, agency_id)
    before = policy.require_approval if policy else False
    if policy is None:
        policy = PublishingPolicy(agency_id=agency_id, require_approval=require_approval)
        session.add(policy)
    policy.require_approval = require_approval
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="publishing.policy",
        target_type="agency",
        target_id=agency_id,
        agency_id=agency_id,
        before={"require_approval": before},
        after={"require_approval": require_approval},
    )
    return policy


def check_lengths(texts: Mapping[str, Written], platforms: set[str]) -> list[lengths.Fit]:
    """How the post fits each platform, in the words it carries there (every language written: ``languages``)."""
    return [lengths.fit(p, languages.text_for(p, texts)) for p in sorted(platforms)]


def written_texts(
    text: str, variants: Mapping[str, str] | None, translations: Mapping[str, Written] | None
) -> dict[str, Written]:
    """English (``text``, ``variants``) and the other languages' texts, cleaned; a clear refusal for a language
    the product does not have or a variant for a platform that takes no posts."""
    texts = {i18n.DEFAULT: Written(text, dict(variants or {})).clean()}
    for lang, written in (translations or {}).items():
        if lang == i18n.DEFAULT or lang not in i18n.LANGUAGES:
            others = ", ".join(c for c in i18n.LANGUAGES if c != i18n.DEFAULT)
            raise Invalid(f"a post's other language is one of {others}; got {lang!r}", field="translations")
        texts[lang] = written.clean()
    known = {p.name for p in registry.publishable()}
    unknown = {platform for written in texts.values() for platform in written.variants} - known
    if unknown:
        raise Invalid(f"unknown platform variant(s): {', '.join(sorted(unknown))}", field="variants")
    return {lang: written for lang, written in texts.items() if written}


def create_post(
    session: Session,
    *,
    actor: Actor,
    agency_id: int,
    text: str,
    account_ids: list[int],
    variants: dict[str, str] | None = None,
    scheduled_at: datetime | None = None,
    image: tuple[str, bytes] | None = None,
    purpose: PostPurpose = PostPurpose.post,
    consultation_id: int | None = None,
    translations: Mapping[str, Written] | None = None,
) -> Post:
    """Validate and store a post; it waits for approval, waits for its time, or is released at once.

    ``text`` and ``variants`` are English; ``translations`` the same in other languages (``{"dz": Written(…)}``).
    Either may be empty, not both: each account gets the words of every language written (``languages``)."""
    actor.require(agency_id)
    texts = written_texts(text, variants, translations)
    if not any(w.text for w in texts.values()):
        raise Invalid("write the text of the post, in English, in Dzongkha or in both", field="text")
    unique_ids = list(dict.fromkeys(account_ids))
    if not unique_ids:
        raise Invalid("choose at least one account to post to", field="account_ids")
    accounts = [usable_account(session, actor=actor, agency_id=agency_id, account_id=i) for i in unique_ids]
    for fit in check_lengths(texts, {a.platform.value for a in accounts}):
        if not fit.ok:
            several = len(texts) > 1
            hint = " (in one language, or shorter in each)" if several else ""
            raise Invalid(f"{fit.message}: write a shorter {fit.platform} variant{hint}", field="variants")
    english = texts.get(i18n.DEFAULT, Written())
    now = utcnow()
    if scheduled_at is not None and scheduled_at <= now:
        raise Invalid("the scheduled time is in the past; choose a later time or post now", field="scheduled_at")
    stored = uploads.store(image[1], filename=image[0], images_only=True) if image else None
    try:
        _check_outbound(session, _sender(actor, purpose), accounts, texts, stored)
    except AppError:
        if stored is not None:
            uploads.remove(stored.stored_name)
        raise
    needs_approval = purpose is PostPurpose.post and policy_for(session, agency_id).require_approval
    if needs_approval and not actor.has_role(agency_id, *APPROVER_ROLES):
        status = PostStatus.pending_approval
    else:
        status = PostStatus.scheduled
    post = Post(
        agency_id=agency_id,
        text=english.text,
        variants=english.variants,
        translations=languages.stored(texts),
        image_name=stored.stored_name if stored else None,
        scheduled_at=scheduled_at,
        status=status,
        purpose=purpose,
        batch_key=f"post-{secrets.token_hex(12)}",
        consultation_id=consultation_id,
        created_by_id=actor.id,
    )
    session.add(post)
    session.flush()
    for account in accounts:
        session.add(PostTarget(post_id=post.id, account_id=account.id))
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="post.create",
        target_type="post",
        target_id=post.id,
        agency_id=agency_id,
        after={**audit.snapshot(post, POST_AUDIT_FIELDS), "accounts": unique_ids},
    )
    if status is PostStatus.scheduled and scheduled_at is None:
        release(session, post=post, actor=actor)
    return post


def _sender(actor: Actor, purpose: PostPurpose) -> Actor | None:
    """Who the outbound path sees as the author: the official for their own posts; the system for the
    announcements a consultation makes (composed from it, opened or published by an official of any
    working role, and still checked by the guidelines gate)."""
    return actor if purpose is PostPurpose.post else None


def _check_outbound(
    session: Session,
    actor: Actor | None,
    accounts: list[OfficialAccount],
    texts: Mapping[str, Written],
    stored: uploads.StoredFile | None,
) -> None:
    """Every check the outbound path will make at release (credentials, image, length), made now."""
    from civicloop.channels.outbound.service import prepare

    image_path = str(uploads.path_of(stored.stored_name)) if stored else None
    for account in accounts:
        try:
            prepare(
                session,
                actor=actor,
                account_id=account.id,
                kind="post",
                text=languages.text_for(account.platform.value, texts),
                image_path=image_path,
            )
        except AppError as exc:
            raise Invalid(f"{account.name}: {exc.message}", field="account_ids") from exc


def release(session: Session, *, post: Post, actor: Actor) -> Post:
    """Hand the post to the outbound path, one message per account; each passes the guidelines gate there."""
    from civicloop.channels.outbound.service import create_outbound

    image_path = str(uploads.path_of(post.image_name)) if post.image_name else None
    texts = languages.of_post(post)
    for target in targets_of(session, post.id):
        account = session.get(OfficialAccount, target.account_id)
        if account is None:
            continue
        try:
            with session.begin_nested():
                outbound = create_outbound(
                    session,
                    actor=_sender(actor, post.purpose),
                    account_id=account.id,
                    kind="post",
                    text=languages.text_for(account.platform.value, texts),
                    image_path=image_path,
                    batch_key=post.batch_key,
                    idempotency_key=f"{post.batch_key}-{account.id}",
                )
            target.outbound_id, target.error = outbound.id, ""
        except AppError as exc:
            # One refused account (guidelines block, lost access) must not stop the others.
            target.error = exc.message
    before = post.status.value
    post.status, post.released_at = PostStatus.released, utcnow()
    session.flush()
    _record_status(session, actor, "post.release", post, before)
    return post


def _record_status(session: Session, actor: Actor, action: str, post: Post, before: str, **extra: str | None) -> None:
    """One audit entry for a post's change of status (from ``before`` to its status now)."""
    change = {"status": post.status.value, **extra}
    audit.record(
        session,
        action=action,
        target_id=post.id,
        target_type="post",
        agency_id=post.agency_id,
        actor=actor.official,
        before={"status": before},
        after=change,
    )


def decide(session: Session, *, actor: Actor, post_id: int, approve: bool, note: str = "") -> Post:
    """The agency head approves (released now or at its time) or rejects a post waiting for approval."""
    post = get_post(session, actor=actor, post_id=post_id)
    deputies.require_approver(session, actor, post.agency_id)
    if post.status is not PostStatus.pending_approval:
        raise Conflict(f"this post is {post.status.value.replace('_', ' ')}, not waiting for approval")
    post.decided_by_id, post.decided_at, post.decision_note = actor.id, utcnow(), note.strip()
    post.status = PostStatus.scheduled if approve else PostStatus.rejected
    session.flush()
    action = "post.approve" if approve else "post.reject"
    _record_status(session, actor, action, post, PostStatus.pending_approval.value, note=post.decision_note)
    if approve and (post.scheduled_at is None or post.scheduled_at <= utcnow()):
        release(session, post=post, actor=actor)
    return post


def cancel(session: Session, *, actor: Actor, post_id: int) -> Post:
    post = get_post(session, actor=actor, post_id=post_id)
    actor.require(post.agency_id)
    if post.status not in (PostStatus.pending_approval, PostStatus.scheduled):
        raise Conflict(f"this post is {post.status.value}; only waiting posts can be cancelled")
    before = post.status.value
    post.status = PostStatus.cancelled
    session.flush()
    _record_status(session, actor, "post.cancel", post, before)
    return post


def release_due(session: Session) -> list[int]:
    """Release scheduled posts whose time has come, each on behalf of the official who wrote it."""
    due = session.scalars(
        select(Post)
        .where(Post.status == PostStatus.scheduled, Post.scheduled_at.is_not(None), Post.scheduled_at <= utcnow())
        .order_by(Post.scheduled_at)
    ).all()
    released = []
    for post in due:
        author = session.get(Official, post.created_by_id) if post.created_by_id else None
        if author is None or not author.active:
            post.status, post.decision_note = PostStatus.cancelled, "its author no longer has an active account"
            continue
        release(session, post=post, actor=Actor.of(author))
        released.append(post.id)
    return released
