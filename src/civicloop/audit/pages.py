"""The audit log as officials see it: their agencies' entries, or everything for national roles."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from civicloop.audit import service
from civicloop.audit.models import AuditEntry
from civicloop.deps import ActorDep, SessionDep
from civicloop.web.templating import render

router = APIRouter(include_in_schema=False)


@dataclass
class AuditPage:
    entries: list[AuditEntry]


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    entries = service.recent(session, agency_ids=actor.agency_ids(), limit=200)
    return render(request, "audit/list.html", AuditPage(entries=entries))
