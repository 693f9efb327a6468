"""JSON API for posts: create (released, scheduled or waiting for approval), list, decide, cancel."""

from __future__ import annotations

from fastapi import APIRouter

from civicloop.deps import ActorDep, SessionDep
from civicloop.publishing import queries, service
from civicloop.publishing.languages import Written
from civicloop.publishing.schemas import Decision, PostCreate, PostPublic

router = APIRouter(prefix="/posts", tags=["publishing"])


@router.get("", response_model=list[PostPublic])
def list_posts(session: SessionDep, actor: ActorDep, agency_id: int | None = None) -> list[PostPublic]:
    posts = queries.list_posts(session, actor=actor, agency_id=agency_id)[:500]
    return [PostPublic.of(p, queries.results(session, p)) for p in posts]


@router.post("", response_model=PostPublic, status_code=201)
def create(body: PostCreate, session: SessionDep, actor: ActorDep) -> PostPublic:
    post = service.create_post(
        session,
        actor=actor,
        agency_id=body.agency_id,
        text=body.text,
        variants=body.variants,
        translations={lang: Written(t.text, t.variants) for lang, t in body.translations.items()},
        account_ids=body.account_ids,
        scheduled_at=body.scheduled_at,
    )
    return PostPublic.of(post, queries.results(session, post))


@router.get("/{post_id}", response_model=PostPublic)
def get(post_id: int, session: SessionDep, actor: ActorDep) -> PostPublic:
    post = queries.get_post(session, actor=actor, post_id=post_id)
    return PostPublic.of(post, queries.results(session, post))


@router.post("/{post_id}/approve", response_model=PostPublic)
def approve(post_id: int, body: Decision, session: SessionDep, actor: ActorDep) -> PostPublic:
    post = service.decide(session, actor=actor, post_id=post_id, approve=True, note=body.note)
    return PostPublic.of(post, queries.results(session, post))


@router.post("/{post_id}/reject", response_model=PostPublic)
def reject(post_id: int, body: Decision, session: SessionDep, actor: ActorDep) -> PostPublic:
    post = service.decide(session, actor=actor, post_id=post_id, approve=False, note=body.note)
    return PostPublic.of(post, queries.results(session, post))


@router.post("/{post_id}/cancel", response_model=PostPublic)
def cancel(post_id: int, session: SessionDep, actor: ActorDep) -> PostPublic:
    post = service.cancel(session, actor=actor, post_id=post_id)
    return PostPublic.of(post, queries.results(session, post))
