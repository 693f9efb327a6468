"""The only place that reads the wall clock, so that any rule can be tested at any instant."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


class Clock:
    """Returns the current instant in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock(Clock):
    """A clock that stands still until moved; for tests and ``--at`` options."""

    at: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 3, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)


_current: Clock = Clock()


def set_clock(clock: Clock) -> Callable[[], None]:
    """Install ``clock`` process-wide; returns a function that restores the previous one."""
    global _current
    previous = _current
    _current = clock

    def restore() -> None:
        global _current
        _current = previous

    return restore


def utcnow() -> datetime:
    return _current.now()
