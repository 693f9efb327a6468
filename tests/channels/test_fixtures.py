"""Every fixture is used: by the golden parse test (``<platform>/golden.json``) and by at least one end-to-end test."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicloop.channels.registry import PROVIDERS
from tests.channels.conftest import HERE, all_fixtures
from tests.channels.golden import expected

# Every platform that receives webhooks, as the registry lists them.
PLATFORMS = sorted(PROVIDERS)


def _end_to_end_sources() -> str:
    files = [path for path in HERE.rglob("test_*.py") if path.name not in {"test_golden.py", "test_fixtures.py"}]
    return "\n".join(Path(path).read_text() for path in files)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_fixture_has_a_golden_parse_test_and_an_end_to_end_test(platform: str) -> None:
    golden, elsewhere = expected(platform), _end_to_end_sources()
    fixtures = all_fixtures(platform)
    assert fixtures, f"no fixtures for {platform}"
    assert sorted(golden) == [name.split("/", 1)[1] for name in fixtures], "golden.json and the fixtures differ"
    for name in fixtures:
        stem = name.split("/", 1)[1].rsplit(".", 1)[0]
        assert stem in elsewhere, f"{name} is not delivered by any end-to-end test"


def test_fixture_names_follow_event__variant() -> None:
    for platform in PLATFORMS:
        for name in all_fixtures(platform):
            file = name.split("/", 1)[1]
            event, sep, variant = file.rsplit(".", 1)[0].partition("__")
            assert sep and event and variant, f"{name} is not named <event>__<variant>.<ext>"
            assert file.endswith((".json", ".xml")), name
