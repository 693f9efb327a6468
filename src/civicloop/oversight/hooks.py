"""Extension point: per-agency counts other domains add to the scorecard, dashboard and transparency page.

A domain appends an ``AgencyCount`` when it is imported (accountability adds missed promises); oversight
shows each as one more figure or column and never imports that domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

# (session, first instant, first instant after, agency ids or None for all) -> {agency_id: count}
Counter = Callable[[Session, datetime, datetime, "set[int] | None"], dict[int, int]]


@dataclass(frozen=True)
class AgencyCount:
    key: str
    label: str
    definition: str
    count: Counter


AGENCY_COUNTS: list[AgencyCount] = []
