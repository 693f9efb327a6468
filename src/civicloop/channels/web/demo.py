"""The demo's feedback forms: one per demo agency."""

from __future__ import annotations

from civicloop.channels.spec import DemoSide


def _account(agency_code: str) -> tuple[str, dict[str, str]]:
    return f"{agency_code.lower()}-feedback", {}


DEMO = DemoSide("Feedback form", _account)
