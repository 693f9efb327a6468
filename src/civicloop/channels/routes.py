"""Webhooks (``/webhooks/{platform}/{app_key}``) and the read side of the JSON API.

A webhook request does exactly this: verify → store the raw events (insert, on conflict do nothing)
→ enqueue only the new ones → answer. Everything else happens in ``channels.tasks``. Whatever a
platform (or anyone) sends, the answer is never a 500: bad signatures 401/403, unparseable bodies 400,
oversized ones 413, unknown Pages or users 200 with a warning in the log.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketClose

from civicloop.channels import ingest, queries, registry
from civicloop.channels.base import Provider, WebhookRequest, wanted
from civicloop.channels.handoff import writer
from civicloop.channels.ingest import Reason
from civicloop.channels.models import ConversationStatus
from civicloop.channels.schemas import ConversationDetail, ConversationPublic, MessagePublic
from civicloop.config import get_settings
from civicloop.db.session import session_scope
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import AppError, BadRequest, Forbidden, PayloadTooLarge, Unauthenticated
from civicloop.kit.timezones import parse_instant

log = logging.getLogger(__name__)

router = APIRouter(tags=["conversations"])

# What a hostile or broken body can make the parsers raise beyond BadRequest: all mean "malformed".
MALFORMED = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)
# Bodies up to this size are verified and split on the event loop (microseconds); larger ones in a thread.
INLINE_BYTES = 65_536


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything over ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    return bytes(body)


def _count(provider: str, app_key: str, reason: str) -> None:
    try:
        with session_scope() as session:
            ingest.count_rejection(session, provider=provider, app_key=app_key, reason=reason)
    except Exception:  # counting must never turn a 401 into a 500
        log.exception("could not count a rejected %s webhook request", provider)


class Webhooks:
    """The ASGI app the web app mounts at ``/webhooks``: ``GET|POST /{platform}/{app_key}``.

    A plain ASGI app rather than routes of the app: a delivery skips the app-wide route table,
    dependencies and per-route wrappers (CSRF does not apply: platforms sign their requests). Errors
    propagate to the app's handlers like any route's."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await WebSocketClose()(scope, receive, send)
            return
        match = ROUTE.fullmatch(_route_path(scope))
        if match is None:
            raise HTTPException(404)
        request = Request(scope, receive)
        provider, app_key = registry.get(match[1]), match[2]
        if request.method == "POST":
            response = await accept(request, provider, app_key)
        elif request.method == "GET":
            response = await run_in_threadpool(handshake, request, provider, app_key)
        else:
            raise HTTPException(405, headers={"Allow": "GET, POST"})
        await response(scope, receive, send)


ROUTE = re.compile(r"/([^/]+)/([^/]+)")


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def handshake(request: Request, provider: Provider, app_key: str) -> Response:
    """The platform's verification handshake (a challenge echoed back, or a CRC), as its provider answers it."""
    try:
        return provider.handshake(request.query_params, ingest.app_for(provider.name, app_key))
    except (Unauthenticated, Forbidden):
        pass  # the token may have just changed: decide on fresh credentials
    try:
        return provider.handshake(request.query_params, ingest.app_for(provider.name, app_key, fresh=True))
    except (Unauthenticated, Forbidden):
        _count(provider.name, app_key, Reason.invalid_signature)
        raise


async def accept(request: Request, provider: Provider, app_key: str) -> Response:
    """A delivery: verify → store the raw events → answer (processing happens in a job).

    The common case (credentials cached, signature good, every Page or user known) runs on the event
    loop and stores through the group-committing writer; anything else takes ``_store_carefully``
    in a thread, which reloads the credentials before refusing and counts what it refuses."""
    try:
        raw = await read_limited(request, get_settings().max_webhook_bytes)
    except PayloadTooLarge:
        await run_in_threadpool(_count, provider.name, app_key, Reason.too_large)
        raise
    delivery = WebhookRequest(raw, request.headers, request.query_params)
    headers = ingest.record_headers(request.headers, request.scope["query_string"].decode("latin-1"))
    rows = _plainly_fine(provider, app_key, delivery, headers)
    if rows is None:
        return await run_in_threadpool(_store_carefully, provider, app_key, delivery, headers)
    if rows:
        await asyncio.wrap_future(writer.submit(rows))
    return provider.ack()


def _plainly_fine(
    provider: Provider, app_key: str, delivery: WebhookRequest, headers: dict[str, str]
) -> list[ingest.Row] | None:
    """The rows to store if nothing about the delivery needs a second look, else None."""
    app = ingest.cached_app(provider.name, app_key)
    if app is None or len(delivery.body) > INLINE_BYTES or provider.nonce(delivery):
        return None  # a nonce needs the database (its single use), which the event loop must not wait for
    try:
        items = provider.events(provider.verify(delivery, app))
    except (AppError, *MALFORMED):
        return None
    if any(app.account_for(item.route_key) is None for item in items if item.kind in provider.HANDLERS):
        return None
    return ingest.event_rows(provider, app, wanted(provider, items, app_key), headers)


def _store_carefully(provider: Provider, app_key: str, delivery: WebhookRequest, headers: dict[str, str]) -> Response:
    app = ingest.app_for(provider.name, app_key)
    try:
        try:
            payload = provider.verify(delivery, app)
        except (Unauthenticated, Forbidden):
            app = ingest.app_for(provider.name, app_key, fresh=True)  # the secret may have just changed
            payload = provider.verify(delivery, app)
        _claim_nonce(provider, app_key, delivery)
        items = wanted(provider, provider.events(payload), app_key)
        if any(app.account_for(item.route_key) is None for item in items):
            app = ingest.app_for(provider.name, app_key, fresh=True)  # the account may have just been added
    except (Unauthenticated, Forbidden) as exc:
        _count(provider.name, app_key, Reason.invalid_signature)
        raise exc from None
    except BadRequest as exc:
        _count(provider.name, app_key, Reason.malformed)
        raise exc from None
    except MALFORMED as exc:
        log.info("%s/%s: malformed body (%s)", provider.name, app_key, exc.__class__.__name__)
        _count(provider.name, app_key, Reason.malformed)
        raise BadRequest("the body is not a well-formed event") from None
    rows = ingest.event_rows(provider, app, items, headers)
    if rows:
        writer.submit(rows).result()
    return provider.ack()


def _claim_nonce(provider: Provider, app_key: str, delivery: WebhookRequest) -> None:
    """A replayed nonce raises InvalidSignature, counted with the bad signatures (it is one, reused)."""
    nonce = provider.nonce(delivery)
    if nonce:
        with session_scope() as session:
            ingest.claim_nonce(session, provider=provider.name, app_key=app_key, nonce=nonce, body=delivery.body)


webhooks = Webhooks()


# --- JSON API (read side) -------------------------------------------------------------------------


@router.get("/conversations", response_model=list[ConversationPublic])
def list_conversations(
    session: SessionDep,
    actor: ActorDep,
    agency_id: int | None = None,
    status: ConversationStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ConversationPublic]:
    rows = queries.list_conversations(
        session, actor=actor, agency_id=agency_id, status=status, limit=limit, offset=offset
    )
    contacts = queries.contacts_by_id(session, {c.contact_id for c in rows if c.contact_id is not None})
    return [ConversationPublic.of(c, contacts) for c in rows]


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
def get_conversation(conversation_id: int, session: SessionDep, actor: ActorDep) -> ConversationDetail:
    conversation = queries.get_conversation(session, actor=actor, conversation_id=conversation_id)
    messages = queries.list_messages(session, actor=actor, conversation_id=conversation.id, limit=queries.MAX_PAGE)
    ids = {m.contact_id for m in messages if m.contact_id is not None}
    if conversation.contact_id is not None:
        ids.add(conversation.contact_id)
    contacts = queries.contacts_by_id(session, ids)
    revisions = queries.revisions_of(session, [m.id for m in messages])
    return ConversationDetail(
        **ConversationPublic.of(conversation, contacts).model_dump(),
        messages=[MessagePublic.of(m, contacts, revisions.get(m.id, [])) for m in messages],
    )


@router.get("/messages", response_model=list[MessagePublic])
def list_messages(
    session: SessionDep,
    actor: ActorDep,
    agency_id: int | None = None,
    since: Annotated[str | None, Query(description="ISO 8601; without an offset, the deployment's time zone")] = None,
    conversation_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[MessagePublic]:
    rows = queries.list_messages(
        session,
        actor=actor,
        agency_id=agency_id,
        since=parse_instant(since, get_settings().timezone) if since else None,
        conversation_id=conversation_id,
        limit=limit,
        offset=offset,
    )
    contacts = queries.contacts_by_id(session, {m.contact_id for m in rows if m.contact_id is not None})
    return [MessagePublic.of(m, contacts) for m in rows]
