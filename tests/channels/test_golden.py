"""Golden parse tests: every fixture, split into events and parsed into facts, checked field by field
against ``<platform>/golden.json``."""

from __future__ import annotations

import pytest

from civicloop.channels.registry import PARSERS
from tests.channels.golden import expected, golden

CASES = [(platform, fixture) for platform in sorted(PARSERS) for fixture in sorted(expected(platform))]


@pytest.mark.parametrize(("platform", "fixture"), CASES)
def test_golden_parse(platform: str, fixture: str) -> None:
    assert golden(PARSERS[platform], f"{platform}/{fixture}") == expected(platform)[fixture]
