"""Meta's Graph API as CivicLoop uses it: comment replies, Page posts and photos, Messenger sends.

Contract enforced (docs/channels/simulator.md lists the sources): a versioned path (``/v25.0/``),
a Page access token (query ``access_token`` or ``Authorization: Bearer``) that belongs to the Page
acted on, the object replied to must exist, ``message`` is required, Messenger needs
``messaging_type`` and answers ``RESPONSE``/``UPDATE`` only within 24 hours of the person's last
message, text up to 2000 characters, and every error in Meta's shape
``{"error": {"message", "type", "code", "error_subcode"?, "fbtrace_id"}}``. Moderation: ``POST
/{comment-id}`` with a boolean ``is_hidden`` hides or shows a comment on the Page's post written by
someone else, ``DELETE /{comment-id}`` removes it; both answer ``{"success": true}``.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from civicloop.channels.meta.graph_state import HUMAN_AGENT_WINDOW, MESSENGER_WINDOW, GraphObject, facebook_graph
from civicloop.channels.simulator.http import Call, Reply, dispatch, state_of
from civicloop.channels.simulator.state import Fault, SimulatorState

router = APIRouter(prefix="/facebook")

VERSION = re.compile(r"^v\d{1,2}\.0$")
DEFAULT_LIMIT = 25  # Graph's page size when no ``limit`` is given
MAX_LIMIT = 100
RECENT_MESSAGES = 20  # only the 20 most recent messages of a conversation can be read
MESSENGER_TEXT_LIMIT = 2000
MESSAGE_TAGS = {"ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "HUMAN_AGENT"}
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def error(
    status: int, code: int, message: str, *, subcode: int | None = None, transient: bool = False, kind: str = ""
) -> Reply:
    body: dict[str, Any] = {
        "message": message,
        "type": kind or ("OAuthException" if code in (104, 190, 200, 10) else "GraphMethodException"),
        "code": code,
        "fbtrace_id": secrets.token_urlsafe(8),
    }
    if subcode is not None:
        body["error_subcode"] = subcode
    if transient:
        body["is_transient"] = True
    return Reply(status, {"error": body})


def fault_body(fault: Fault) -> Any:
    if fault.status == 429:
        return error(429, 4, "(#4) Application request limit reached", transient=True).body
    return error(
        fault.status, 2, "An unexpected error has occurred. Please retry your request later.", transient=True
    ).body


def graph_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _unsupported(object_id: str, verb: str = "post") -> Reply:
    return error(
        400,
        100,
        f"Unsupported {verb} request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API documentation "
        "at https://developers.facebook.com/docs/graph-api",
        subcode=33,
    )


def _authenticate(state: SimulatorState, call: Call, version: str) -> str | Reply:
    """The Page id the token speaks for, or the error Meta would answer."""
    if not VERSION.match(version):
        return error(400, 2500, f"Unknown path components: /{version}", kind="OAuthException")
    token = call.param("access_token")
    if token is None:
        scheme, _, value = call.headers.get("authorization", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    if not token:
        return error(400, 104, "An access token is required to request this resource.")
    page_id = facebook_graph(state).page_tokens.get(token)
    if page_id is None:
        return error(400, 190, "Invalid OAuth access token - Cannot parse access token")
    return page_id


def _new_id(state: SimulatorState, prefix: str) -> str:
    return f"{prefix}_{10**15 + state.next_number()}"


def reply_to_object(state: SimulatorState, call: Call, version: str, object_id: str) -> Reply:
    page_id = _authenticate(state, call, version)
    if isinstance(page_id, Reply):
        return page_id
    target = facebook_graph(state).objects.get(object_id)
    if target is None or target.page_id != page_id or target.thread_with is not None or not target.can_comment:
        return _unsupported(object_id)
    message = (call.param("message") or "").strip()
    if not message:
        return error(400, 100, "(#100) Missing message or attachment")
    post_part = object_id.split("_")[-1] if target.parent_id is None else target.id.split("_")[0]
    comment = GraphObject(_new_id(state, post_part), page_id, page_id, message, state.now(), parent_id=object_id)
    facebook_graph(state).objects[comment.id] = comment
    return Reply(200, {"id": comment.id})


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    kind, _, number = text.partition(":")
    return int(number) if kind == "offset" and number.isdigit() else None


def page_of(call: Call, rows: list[dict[str, Any]], *, default: int = DEFAULT_LIMIT) -> Reply:
    """One page of ``rows`` with Graph's cursor-based paging: ``limit`` (at most 100), ``after``/``before``
    cursors, and ``paging.next`` only when more follows — its absence, not a short page, ends the list."""
    raw_limit = call.param("limit") or str(default)
    if not raw_limit.isdigit() or int(raw_limit) < 1:
        return error(400, 100, "(#100) The parameter limit must be a positive integer")
    limit = min(int(raw_limit), MAX_LIMIT)
    start = 0
    if call.param("after") is not None:
        found = _offset(call.param("after") or "")
        if found is None:
            return error(400, 100, "(#100) Invalid cursor: after")
        start = found
    chunk = rows[start : start + limit]
    paging: dict[str, Any] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(chunk))}}
    if start + len(chunk) < len(rows):
        query = {k: v for k, v in call.query.items() if k != "after"} | {"after": _cursor(start + len(chunk))}
        paging["next"] = f"{call.url}?{urlencode(query)}"
    return Reply(200, {"data": chunk, "paging": paging} if chunk else {"data": []})


def requested_fields(call: Call, default: tuple[str, ...]) -> set[str]:
    """The top-level names in ``fields`` (``from{id,name}`` counts as ``from``), or the edge's defaults."""
    raw = call.param("fields")
    if not raw:
        return set(default)
    names, depth, current = set(), 0, ""
    for ch in raw:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            names.add(current.strip())
            current = ""
            continue
        if depth == 0 and ch not in "{}":
            current += ch
    names.add(current.strip())
    return {name for name in names if name} | {"id"}


def _attachment(o: GraphObject) -> dict[str, Any] | None:
    if not o.attachments:
        return None
    first = o.attachments[0]
    return {"type": "photo" if first.get("type") == "image" else first.get("type"), "url": first.get("url")}


def _comment_row(o: GraphObject, fields: set[str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": o.id,
        "message": o.message,
        "from": {"id": o.from_id, "name": o.from_name},
        "created_time": graph_time(o.created),
        "parent": {"id": o.parent_id} if o.parent_id else None,
        "attachment": _attachment(o),
    }
    return {key: value for key, value in row.items() if key in fields and value is not None}


def _descendants(state: SimulatorState, object_id: str) -> list[GraphObject]:
    found, frontier = [], [object_id]
    while frontier:
        parent = frontier.pop()
        children = [o for o in facebook_graph(state).objects.values() if o.parent_id == parent]
        found.extend(children)
        frontier.extend(o.id for o in children)
    return found


def list_replies(state: SimulatorState, call: Call, version: str, object_id: str) -> Reply:
    """``GET /{object-id}/comments``: ``filter=toplevel`` (default: the object's own comments) or ``stream``
    (every comment below it, replies included, with ``parent``), ``order`` chronological (default) or
    reverse_chronological, default fields id, message, created_time, from."""
    page_id = _authenticate(state, call, version)
    if isinstance(page_id, Reply):
        return page_id
    target = facebook_graph(state).objects.get(object_id)
    if target is None or target.page_id != page_id:
        return _unsupported(object_id, "get")
    kind = call.param("filter") or "toplevel"
    order = call.param("order") or "chronological"
    if kind not in ("toplevel", "stream") or order not in ("chronological", "reverse_chronological"):
        return error(
            400,
            100,
            "(#100) filter must be one of {toplevel, stream}; order one of {chronological, reverse_chronological}",
        )
    found = (
        _descendants(state, object_id)
        if kind == "stream"
        else [o for o in facebook_graph(state).objects.values() if o.parent_id == object_id]
    )
    ordered = sorted(found, key=lambda o: o.created, reverse=order == "reverse_chronological")
    fields = requested_fields(call, ("id", "message", "created_time", "from"))
    return page_of(call, [_comment_row(o, fields) for o in ordered])


def _own_page(state: SimulatorState, call: Call, version: str, path_page: str) -> str | Reply:
    """The Page the token speaks for, if it is the Page in the path (``me`` included)."""
    page_id = _authenticate(state, call, version)
    if isinstance(page_id, Reply) or path_page in (page_id, "me"):
        return page_id
    return error(403, 200, "(#200) Permissions error: the access token does not belong to this Page")


def publish(state: SimulatorState, call: Call, version: str, path_page: str) -> Reply:
    page_id = _own_page(state, call, version, path_page)
    if isinstance(page_id, Reply):
        return page_id
    message = (call.param("message") or "").strip()
    if not message and not call.param("link"):
        return error(400, 100, "(#100) Missing message or attachment")
    latest = max(_posts_of(state, page_id), key=lambda o: o.created, default=None)
    if latest is not None and latest.message == message:
        return error(400, 506, "(#506) Duplicate status message")
    post = GraphObject(_new_id(state, page_id), page_id, page_id, message, state.now())
    facebook_graph(state).objects[post.id] = post
    return Reply(200, {"id": post.id})


def publish_photo(state: SimulatorState, call: Call, version: str, path_page: str) -> Reply:
    page_id = _own_page(state, call, version, path_page)
    if isinstance(page_id, Reply):
        return page_id
    source = call.files.get("source")
    if source is None and not call.param("url"):
        return error(400, 324, "(#324) Requires upload file")
    if source is not None and not source.startswith(IMAGE_MAGIC):
        return error(400, 100, "(#100) Invalid image file")
    photo_id = str(10**15 + state.next_number())
    post = GraphObject(_new_id(state, page_id), page_id, page_id, call.param("message") or "", state.now())
    facebook_graph(state).objects[post.id] = post
    return Reply(200, {"id": photo_id, "post_id": post.id})


def _posts_of(state: SimulatorState, page_id: str) -> list[GraphObject]:
    return [
        o
        for o in facebook_graph(state).objects.values()
        if o.page_id == page_id and o.parent_id is None and o.thread_with is None and o.id.startswith(f"{page_id}_")
    ]


def list_posts(state: SimulatorState, call: Call, version: str, path_page: str) -> Reply:
    """``GET /{page-id}/feed``: the Page's posts newest first; ``updated_time`` moves when someone comments
    (so a reader finds the posts with new comments); ``since``/``until`` (UNIX seconds) bound ``created_time``."""
    page_id = _own_page(state, call, version, path_page)
    if isinstance(page_id, Reply):
        return page_id
    bounds = []
    for name in ("since", "until"):
        value = call.param(name)
        if value is not None and not value.isdigit():
            return error(400, 100, f"(#100) The parameter {name} must be a UNIX timestamp")
        bounds.append(int(value) if value else None)
    since, until = bounds
    posts = sorted(_posts_of(state, page_id), key=lambda o: o.created, reverse=True)
    posts = [
        o
        for o in posts
        if (since is None or o.created.timestamp() >= since) and (until is None or o.created.timestamp() <= until)
    ]
    fields = requested_fields(call, ("id", "message", "created_time"))
    rows = []
    for o in posts:
        latest = max([o.created, *(c.created for c in _descendants(state, o.id))])
        row = {
            "id": o.id,
            "message": o.message,
            "created_time": graph_time(o.created),
            "updated_time": graph_time(latest),
        }
        rows.append({key: value for key, value in row.items() if key in fields})
    return page_of(call, rows)


def _json_field(value: Any) -> dict[str, Any]:
    """Graph takes nested parameters as JSON objects, or as JSON text in a form body."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def send_message(state: SimulatorState, call: Call, version: str, path_page: str) -> Reply:
    page_id = _own_page(state, call, version, path_page)
    if isinstance(page_id, Reply):
        return page_id
    body = call.body if isinstance(call.body, dict) else {}
    psid = str(_json_field(body.get("recipient")).get("id") or "")
    message = _json_field(body.get("message"))
    messaging_type = str(body.get("messaging_type") or "")
    if not psid:
        return error(400, 100, "(#100) The parameter recipient is required")
    if messaging_type not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        return error(400, 100, "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        return error(400, 100, "(#100) The parameter message must contain text or an attachment")
    if len(text) > MESSENGER_TEXT_LIMIT:
        return error(
            400, 100, f"(#100) Length of param message[text] must be less than or equal to {MESSENGER_TEXT_LIMIT}"
        )
    last = facebook_graph(state).messenger_last_user_message.get((page_id, psid))
    if last is None:
        return error(400, 100, "(#100) No matching user found", subcode=2018001)
    window = MESSENGER_WINDOW
    if messaging_type == "MESSAGE_TAG":
        tag = str(body.get("tag") or "")
        if tag not in MESSAGE_TAGS:
            return error(400, 100, "(#100) Param tag must be a valid message tag")
        window = HUMAN_AGENT_WINDOW if tag == "HUMAN_AGENT" else window
    if (messaging_type != "MESSAGE_TAG" or body.get("tag") == "HUMAN_AGENT") and state.now() - last > window:
        return error(400, 10, "(#10) This message is sent outside of allowed window.", subcode=2018278)
    sent = GraphObject(f"m_{secrets.token_urlsafe(24)}", page_id, page_id, text, state.now(), thread_with=psid)
    facebook_graph(state).objects[sent.id] = sent
    return Reply(200, {"recipient_id": psid, "message_id": sent.id})


def _threads(state: SimulatorState, page_id: str) -> dict[str, list[GraphObject]]:
    threads: dict[str, list[GraphObject]] = {}
    for o in facebook_graph(state).objects.values():
        if o.page_id == page_id and o.thread_with:
            threads.setdefault(o.thread_with, []).append(o)
    return threads


def _message_row(o: GraphObject, page_id: str, fields: set[str]) -> dict[str, Any]:
    to = page_id if o.from_id != page_id else o.thread_with
    row: dict[str, Any] = {
        "id": o.id,
        "created_time": graph_time(o.created),
        "message": o.message,
        "from": {"id": o.from_id},
        "to": {"data": [{"id": to}]},
        "attachments": {"data": [_message_attachment(a) for a in o.attachments]} if o.attachments else None,
    }
    return {key: value for key, value in row.items() if key in fields and value is not None}


def _message_attachment(attachment: dict[str, Any]) -> dict[str, Any]:
    kind = str(attachment.get("type") or "file")
    url = attachment.get("url")
    if kind == "image":
        return {"mime_type": attachment.get("mime_type", "image/jpeg"), "image_data": {"url": url}}
    if kind == "video":
        return {"mime_type": attachment.get("mime_type", "video/mp4"), "video_data": {"url": url}}
    return {"mime_type": attachment.get("mime_type", "application/octet-stream"), "file_url": url}


def list_conversations(state: SimulatorState, call: Call, version: str, path_page: str) -> Reply:
    """``GET /{page-id}/conversations``: ``platform=messenger`` (the Page's; a professional account's are
    served by its own platform's simulator), optional ``user_id``; default
    fields id and updated_time, most recently updated first; no time-based paging (cursors only)."""
    page_id = _own_page(state, call, version, path_page)
    if isinstance(page_id, Reply):
        return page_id
    platform = call.param("platform")
    if platform is not None and platform != "messenger":
        return error(400, 100, f"(#100) the Page has no conversations on platform {platform!r}")
    if call.param("since") is not None or call.param("until") is not None:
        return error(400, 100, "(#100) Time-based pagination is not available for the conversations endpoint")
    psid = call.param("user_id")
    fields = requested_fields(call, ("id", "updated_time"))
    message_fields = requested_fields(_nested(call.param("fields") or "", "messages"), ("id", "created_time"))
    rows = []
    for partner, messages in _threads(state, page_id).items():
        if psid is not None and partner != psid:
            continue
        ordered = sorted(messages, key=lambda o: o.created, reverse=True)
        row: dict[str, Any] = {"id": f"t_{partner}", "updated_time": graph_time(ordered[0].created)}
        if "messages" in fields:
            row["messages"] = {"data": [_message_row(o, page_id, message_fields) for o in ordered[:DEFAULT_LIMIT]]}
        rows.append({key: value for key, value in row.items() if key in fields})
    rows.sort(key=lambda r: str(r.get("updated_time", "")), reverse=True)
    return page_of(call, rows)


def _nested(fields: str, name: str) -> Call:
    """A stand-in call whose ``fields`` are those nested in ``name{...}`` of ``fields``."""
    inner = ""
    marker = f"{name}{{"
    if marker in fields:
        start = fields.index(marker) + len(marker)
        depth, end = 1, start
        while end < len(fields) and depth:
            depth += {"{": 1, "}": -1}.get(fields[end], 0)
            end += 1
        inner = fields[start : end - 1]
    return Call("GET", "", "", {"fields": inner} if inner else {}, {}, None)


def conversation_messages(state: SimulatorState, call: Call, version: str, conversation_id: str) -> Reply:
    """``GET /{conversation-id}/messages``: newest first, default fields id and created_time; details of only
    the 20 most recent messages of a conversation can be read (Meta's documented limit)."""
    page_id = _authenticate(state, call, version)
    if isinstance(page_id, Reply):
        return page_id
    partner = conversation_id.removeprefix("t_")
    messages = _threads(state, page_id).get(partner) if conversation_id.startswith("t_") else None
    if not messages:
        return _unsupported(conversation_id, "get")
    ordered = sorted(messages, key=lambda o: o.created, reverse=True)[:RECENT_MESSAGES]
    fields = requested_fields(call, ("id", "created_time"))
    return page_of(call, [_message_row(o, page_id, fields) for o in ordered])


GraphLogic = Callable[[SimulatorState, Call, str, str], Reply]


def _route(method: str, edge: str, endpoint: str, logic: GraphLogic) -> None:
    """Serve ``METHOD /{version}/{object-id}/{edge}`` as ``endpoint`` (the name faults and records use)."""

    async def handler(request: Request, version: str, object_id: str) -> Response:
        state = state_of(request)
        return await dispatch(request, endpoint, lambda call: logic(state, call, version, object_id), fault_body)

    router.add_api_route(f"/{{version}}/{{object_id}}/{edge}", handler, methods=[method], name=endpoint)


for _method, _edge, _endpoint, _logic in (
    ("POST", "comments", "facebook.comments", reply_to_object),
    ("GET", "comments", "facebook.comments_list", list_replies),
    ("POST", "feed", "facebook.feed", publish),
    ("GET", "feed", "facebook.feed_list", list_posts),
    ("POST", "photos", "facebook.photos", publish_photo),
    ("POST", "messages", "facebook.messages", send_message),
    ("GET", "conversations", "facebook.conversations", list_conversations),
    ("GET", "messages", "facebook.conversation_messages", conversation_messages),
):
    _route(_method, _edge, _endpoint, _logic)


# --- moderation: hide, unhide and delete a citizen's comment on the Page --------------------------


def _page_comment(state: SimulatorState, call: Call, version: str, object_id: str, verb: str) -> GraphObject | Reply:
    page_id = _authenticate(state, call, version)
    if isinstance(page_id, Reply):
        return page_id
    target = facebook_graph(state).objects.get(object_id)
    if target is None or target.page_id != page_id or target.parent_id is None or target.thread_with is not None:
        return _unsupported(object_id, verb)
    return target


def set_hidden(state: SimulatorState, call: Call, version: str, object_id: str) -> Reply:
    """``POST /{comment-id}`` with ``is_hidden``: only a comment on the Page's own post, by someone else."""
    target = _page_comment(state, call, version, object_id, "post")
    if isinstance(target, Reply):
        return target
    value = (call.param("is_hidden") or "").lower()
    if value not in ("true", "false"):
        return error(400, 100, "(#100) Param is_hidden must be a boolean")
    if target.from_id == target.page_id:
        return error(400, 100, "(#100) The Page cannot hide its own comment")
    target.is_hidden = value == "true"
    return Reply(200, {"success": True})


def delete_comment(state: SimulatorState, call: Call, version: str, object_id: str) -> Reply:
    target = _page_comment(state, call, version, object_id, "delete")
    if isinstance(target, Reply):
        return target
    del facebook_graph(state).objects[object_id]
    return Reply(200, {"success": True})


def _object_route(method: str, endpoint: str, logic: GraphLogic) -> None:
    """Serve ``METHOD /{version}/{object-id}`` (an object itself, no edge) as ``endpoint``."""

    async def handler(request: Request, version: str, object_id: str) -> Response:
        state = state_of(request)
        return await dispatch(request, endpoint, lambda call: logic(state, call, version, object_id), fault_body)

    router.add_api_route("/{version}/{object_id}", handler, methods=[method], name=endpoint)


_object_route("POST", "facebook.comment_hide", set_hidden)
_object_route("DELETE", "facebook.comment_delete", delete_comment)
