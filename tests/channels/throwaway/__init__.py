"""A platform that exists only in the tests ("Town Square"), declared the way a real one is: one folder
with its ``PlatformSpec``, a sender and a simulator router. ``test_registry`` registers it at test time
and checks that it then appears in every list the product shows, with no other file edited."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from civicloop.agencies.platforms import Credentials
from civicloop.channels.delivery import Delivery, Route, Sent, Unverifiable, classify_http, classify_transport
from civicloop.channels.simulator.http import state_of
from civicloop.channels.simulator.state import Recorded
from civicloop.channels.spec import PlatformSpec, RouteSpec, TextLimit
from civicloop.kit.clock import utcnow

NAME = "townsquare"
POST_LIMIT = 500
router = APIRouter(prefix=f"/{NAME}")
_ids = count(1)


@router.post("/v1/boards/{board}/notes")
async def create_note(board: str, request: Request) -> JSONResponse:
    """The simulated API: a note on the agency's board, answered with its id (401 without the key)."""
    state = state_of(request)
    body = await request.json()
    ok = request.headers.get("authorization") == "Key town-key"
    status = 201 if ok and body.get("text") else 401 if not ok else 400
    headers = dict(request.headers)
    state.record(Recorded(f"{NAME}.notes", "POST", request.url.path, {}, headers, body, status, datetime.now(UTC)))
    if status != 201:
        return JSONResponse({"error": "refused"}, status_code=status)
    return JSONResponse({"id": f"note-{next(_ids)}", "board": board}, status_code=201)


class TownSquareSender:
    platform = NAME

    def send(self, delivery: Delivery, http: httpx.Client) -> Sent:
        url = f"{SPEC.api_url()}/v1/boards/{delivery.account_external_id}/notes"
        headers = {"Authorization": f"Key {delivery.credentials.get('api_key', '')}"}
        try:
            response = http.post(url, json={"text": delivery.text, "reply_to": delivery.target}, headers=headers)
        except httpx.TransportError as exc:
            raise classify_transport(exc) from exc
        if response.status_code != 201:
            raise classify_http(response, utcnow(), f"Town Square answered {response.status_code}")
        return Sent(str(response.json()["id"]))

    def find(self, delivery: Delivery, http: httpx.Client) -> Sent | None:
        raise Unverifiable("Town Square cannot list what was posted")


SPEC = PlatformSpec(
    name=NAME,
    label="Town Square",
    external_id="the board's id",
    credentials=Credentials(required=frozenset({"api_key"})),
    sender=TownSquareSender(),
    comment_reply=RouteSpec(Route("townsquare_reply"), TextLimit(POST_LIMIT, "characters")),
    post=RouteSpec(Route("townsquare_note"), TextLimit(POST_LIMIT, "characters")),
    api_url_default="https://api.townsquare.example",
    simulator=router,
    access_category="social",
    domains=("townsquare.example",),
)
