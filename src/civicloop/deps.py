"""FastAPI dependencies shared by every router: the session, the current official, roles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from civicloop.auth import service as auth_service
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.db.session import get_sessionmaker, read_mostly
from civicloop.errors import Forbidden, Unauthenticated

SESSION_OFFICIAL_KEY = "official_id"


def sign_in(request: Request, official_id: int) -> None:
    """Start the official's session once every step of signing in has passed (password, second factor)."""
    request.session.clear()
    request.session[SESSION_OFFICIAL_KEY] = official_id


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    session = get_sessionmaker()()
    if request.method in SAFE_METHODS:
        read_mostly(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def optional_actor(request: Request, session: SessionDep) -> Actor | None:
    token = _bearer_token(request)
    official: Official | None
    if token is not None:
        official = auth_service.official_for_token(session, token)
        if official is None:
            raise Unauthenticated("the API token is unknown or revoked")
    else:
        official_id = request.session.get(SESSION_OFFICIAL_KEY)
        official = session.get(Official, official_id) if isinstance(official_id, int) else None
        if official is not None and not official.active:
            official = None
    if official is None:
        return None
    actor = Actor.of(official)
    request.state.actor = actor
    return actor


def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    if actor is None:
        raise Unauthenticated("please sign in")
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
OptionalActorDep = Annotated[Actor | None, Depends(optional_actor)]


def national_admin(actor: ActorDep) -> Actor:
    if not actor.is_national_admin:
        raise Forbidden("this needs the national_admin role")
    return actor


NationalAdminDep = Annotated[Actor, Depends(national_admin)]
