"""FastAPI dependencies shared by every router: the session, the current official, roles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from civicloop.auth import deputies, sessions
from civicloop.auth import service as auth_service
from civicloop.auth.csrf import token_authenticated
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.db.session import session_scope
from civicloop.errors import Forbidden, Unauthenticated

# The cookie's key for the token of the server-side session (auth/sessions.py).
SESSION_TOKEN_KEY = "session_token"  # noqa: S105 (a key name, not a secret)


def sign_in(request: Request, session: Session, official: Official) -> None:
    """Start the official's server-side session once every step of signing in has passed (password, second
    factor, or the identity provider); the cookie carries only its token."""
    client = request.client.host if request.client else "unknown"
    token = sessions.start(session, official=official, client=client, user_agent=request.headers.get("user-agent", ""))
    request.session.clear()
    request.session[SESSION_TOKEN_KEY] = token


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A GET that writes (an OAuth callback) says so in its route's ``openapi_extra``: it begins as a writer.
WRITING_GET = "x-civicloop-writes"


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    extra = getattr(request.scope.get("route"), "openapi_extra", None) or {}
    with session_scope(reader=request.method in SAFE_METHODS and not extra.get(WRITING_GET)) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def optional_actor(request: Request, session: SessionDep) -> Actor | None:
    official: Official | None
    if token_authenticated(request):
        # Token or cookie, never both: a header without a valid token does not fall back to the cookie.
        token = _bearer_token(request)
        official = auth_service.official_for_token(session, token) if token else None
        if official is None:
            raise Unauthenticated("the API token is missing, unknown or revoked (Authorization: Bearer TOKEN)")
    else:
        cookie_token = request.session.get(SESSION_TOKEN_KEY)
        live = sessions.resolve(session, cookie_token) if isinstance(cookie_token, str) else None
        official = session.get(Official, live.official_id) if live is not None else None
        request.state.official_session_id = live.id if live is not None else None
    if official is None:
        return None
    actor = replace(Actor.of(official), deputy_for=deputies.agencies_deputised(session, official_id=official.id))
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
