"""The plumbing every simulated endpoint shares: read the request, apply an injected fault, record it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.datastructures import UploadFile

from civicloop.channels.simulator.state import Fault, Recorded, SimulatorState


@dataclass
class Call:
    """One request, parsed once: JSON body, form fields, uploaded files, query and headers."""

    method: str
    url: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    files: dict[str, bytes] = field(default_factory=dict)
    # Every value of a form field sent more than once (checkboxes); ``body`` keeps the last.
    lists: dict[str, list[str]] = field(default_factory=dict)

    def param(self, name: str) -> str | None:
        """A parameter from the query, a form body or a JSON body, as Graph accepts all three."""
        if name in self.query:
            return self.query[name]
        if isinstance(self.body, dict) and isinstance(self.body.get(name), str | int):
            return str(self.body[name])
        return None


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Logic = Callable[[Call], Reply]
FaultBody = Callable[[Fault], Any]


def state_of(request: Request) -> SimulatorState:
    state: SimulatorState = request.app.state.sim
    return state


async def _parse(request: Request) -> Call:
    content_type = request.headers.get("content-type", "")
    body: Any = None
    files: dict[str, bytes] = {}
    lists: dict[str, list[str]] = {}
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        fields: dict[str, str] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files[key] = await value.read()
            else:
                fields[key] = value
                lists.setdefault(key, []).append(value)
        body = fields
    else:
        raw = await request.body()
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
    return Call(
        method=request.method,
        url=str(request.url).split("?", 1)[0],
        path=request.url.path,
        query=dict(request.query_params),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
        files=files,
        lists=lists,
    )


def _response(reply: Reply) -> Response:
    if isinstance(reply.body, bytes):  # a file, its type in the headers
        return Response(reply.body, status_code=reply.status, headers=reply.headers)
    if isinstance(reply.body, str):
        return PlainTextResponse(reply.body, status_code=reply.status, headers=reply.headers)
    return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)


async def dispatch(request: Request, endpoint: str, logic: Logic, fault_body: FaultBody) -> Response:
    """Run ``logic`` for ``endpoint`` unless an injected fault answers instead (before or after it)."""
    state = state_of(request)
    call = await _parse(request)
    fault = state.take_fault(endpoint)
    if fault is None or fault.after:
        with state.lock:
            reply = logic(call)
    if fault is not None:
        reply = Reply(fault.status, fault.body if fault.body is not None else fault_body(fault), dict(fault.headers))
    # Recorded on arrival, before any injected delay: the caller may have given up by then.
    state.record(
        Recorded(
            endpoint=endpoint,
            method=call.method,
            path=call.path,
            query=call.query,
            headers=call.headers,
            body=call.body,
            status=reply.status,
            at=state.now(),
        )
    )
    if fault is not None and fault.delay:
        await asyncio.sleep(fault.delay)
    return _response(reply)
