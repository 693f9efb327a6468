"""Serving a citizen's stored attachment to the officials of its agency, shown in the conversation page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from civicloop.channels.media import service
from civicloop.deps import ActorDep, SessionDep

router = APIRouter(include_in_schema=False)

# Shown in the page (images, video, audio); anything else is offered as a download.
INLINE = ("image/", "video/", "audio/")


@router.get("/media/{media_id}")
def media_file(media_id: int, session: SessionDep, actor: ActorDep) -> Response:
    row = service.for_agency(session, media_id=media_id, agency_ids=actor.agency_ids())
    content_type = row.content_type or "application/octet-stream"
    disposition = "inline" if content_type.startswith(INLINE) else "attachment"
    return Response(
        service.read(row),
        media_type=content_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="media-{row.id}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=3600",
        },
    )
