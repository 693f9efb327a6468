"""``civicloop check``: run the guidelines checker on a text, as an agency's policy would."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from civicloop.cli._common import JsonOption, console, emit


def check(
    text: Annotated[str, typer.Argument(help="The text to check, or - to read it from standard input")],
    agency: Annotated[str | None, typer.Option(help="Agency code whose rules and terms apply")] = None,
    json_out: JsonOption = False,
) -> None:
    """Print the findings; exit 0 when nothing would be held or blocked, 1 when something would, 2 on bad input."""
    from civicloop.agencies.service import get_agency_by_code
    from civicloop.db.session import session_scope
    from civicloop.guidelines import service
    from civicloop.guidelines.schemas import ReviewPublic

    if text == "-":
        text = sys.stdin.read()
    with session_scope() as session:
        agency_id = get_agency_by_code(session, agency).id if agency else None
        review = service.evaluate(session, agency_id=agency_id, text=text)
    result = ReviewPublic.of(review)
    if json_out:
        emit(result.model_dump(mode="json"), True)
    else:
        for f in result.findings:
            console.print(
                f"[bold]{f.action.upper()}[/bold] {escape(f.title)} ({f.rule}, characters {f.start}–{f.end}): "
                f"“{escape(f.text)}”\n  {escape(f.explanation)}\n  Fix: {escape(f.suggestion)}",
                highlight=False,
            )
        console.print(f"Result: {review.action}. " + _VERDICT[review.action], highlight=False)
    if review.action in ("hold", "block"):
        raise typer.Exit(1)


_VERDICT = {
    "allow": "No problems found.",
    "warn": "It may be sent, but read the notes.",
    "hold": "It would wait for the agency head's approval.",
    "block": "It cannot be sent as written.",
}
