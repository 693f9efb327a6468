"""The voluntary self-check for civil servants' personal accounts: a public page and the same JSON
API. A text goes through the national policy and is answered; nothing is stored, logged or
reported: no review row, no audit entry, no account, and the text travels only in a POST body,
never in a URL that an access log would keep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from civicloop.deps import SessionDep
from civicloop.errors import AppError
from civicloop.guidelines import service
from civicloop.guidelines.schemas import ReviewPublic
from civicloop.guidelines.views import SELF_CHECK_MESSAGES, FindingsView, findings_view
from civicloop.web.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/self-check", tags=["guidelines"])
PATH = "/self-check"


class SelfCheckRequest(BaseModel):
    text: str = Field(max_length=service.MAX_TEXT)


@dataclass
class SelfCheckPage:
    text: str = ""
    result: FindingsView | None = None
    error: str | None = None


@pages.get(PATH, response_class=HTMLResponse)
def page(request: Request) -> Response:
    return render(request, "guidelines/self_check.html", SelfCheckPage())


@pages.post(PATH, response_class=HTMLResponse)
def check_page(request: Request, session: SessionDep, text: Annotated[str, Form()] = "") -> Response:
    partial = request.headers.get("hx-request") == "true"
    try:
        result = findings_view(service.self_check(session, text=text), SELF_CHECK_MESSAGES)
    except AppError as exc:
        if partial:
            return render(request, "guidelines/_self_check_error.html", status_code=200, message=exc.message)
        return render(request, "guidelines/self_check.html", SelfCheckPage(text, error=exc.message), status_code=422)
    if partial:
        return render(request, "guidelines/_findings.html", guideline_view=result)
    return render(request, "guidelines/self_check.html", SelfCheckPage(text, result))


@api.post("")
def check_api(body: SelfCheckRequest, session: SessionDep) -> ReviewPublic:
    """Findings for a text under the national policy; nothing is stored or logged. No sign-in."""
    return ReviewPublic.of(service.self_check(session, text=body.text))
