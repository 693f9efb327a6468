"""Form actions on pages: a refused action is shown beside its form, and nothing of it is saved."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from civicloop.errors import AppError


@dataclass
class Attempt:
    """What a form action came to: ``error`` is the ``AppError`` it raised, if any."""

    error: AppError | None = None


# The refused action of this request, so the error summary (``error_box`` in _macros.html) can link its message
# to the field it is about, while pages keep passing the message alone. A request runs in its own context.
_refused: ContextVar[AppError | None] = ContextVar("refused_form_action", default=None)


def refused_action() -> AppError | None:
    """The error of this request's refused form action, if any (the field macro marks the field it names)."""
    return _refused.get()


def field_of(message: str) -> str | None:
    """The field the refused form action of this request named, if ``message`` is that action's message."""
    error = _refused.get()
    return error.field if error is not None and error.message == message else None


@contextmanager
def form_action(session: Session) -> Iterator[Attempt]:
    """Run a page's form action; on an ``AppError``, roll back whatever it flushed and keep the error for
    the page to show (the request then commits nothing half-done, and the page reads fresh rows).

    Other exceptions pass through to the error handlers, as everywhere else.
    """
    attempt = Attempt()
    try:
        yield attempt
    except AppError as exc:
        session.rollback()
        attempt.error = exc
        _refused.set(exc)


async def form_data(request: Request) -> FormData:
    """The submitted form, read in the event loop so the handler itself can stay synchronous (for fields whose
    names are not known in advance, such as one per item)."""
    return await request.form()
