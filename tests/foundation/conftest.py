"""Fixtures of the foundation's tests: a clock that stands still, and the TOTP requirement switched on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from civicloop.config import reset_settings
from civicloop.kit.clock import FixedClock, set_clock


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(datetime(2026, 12, 6, 8, 0, tzinfo=UTC))
    restore = set_clock(fixed)
    yield fixed
    restore()


@pytest.fixture
def required(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CIVICLOOP_TOTP_REQUIRED_ROLES", "agency_head,agency_admin,national_admin,auditor")
    reset_settings()
    yield
    monkeypatch.delenv("CIVICLOOP_TOTP_REQUIRED_ROLES")
    reset_settings()
