"""Each platform is one folder under ``channels/`` declaring its ``PlatformSpec``, listed once in
``channels/registry.py``; everything else asks the registry. These tests keep it so: every registered
platform has fixtures for the events it handles, a simulator, its docs page, a place in every list
the product shows, and its name appears nowhere outside its folder but in the few places listed here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.access.categories import shipped
from civicloop.agencies import platforms as account_platforms
from civicloop.agencies.models import Platform
from civicloop.channels import registry
from civicloop.channels.delivery import Route
from civicloop.inbox.pages import InboxPage
from civicloop.oversight.adoption import SOCIAL_PLATFORMS
from civicloop.oversight.alerts import WATCHED_FOR_SILENCE
from tests.channels.conftest import HERE, all_fixtures, fixture_bytes
from tests.factories import create_account, create_agency, create_official, login

ROOT = Path(__file__).parents[2]
SRC = ROOT / "src" / "civicloop"
NAMES = sorted(registry.PLATFORMS)

# The database's vocabularies (a column each) and the registry line: the only places outside its folder
# where a platform added since the registry existed may be named.
SHARED = {"channels/registry.py", "agencies/models.py", "channels/delivery.py"}
# Platforms from before the registry are still named in these files (the demo's scripted scenes, the
# simulator's first three APIs and citizens, settings, docstrings and data). The lists may only shrink.
LEGACY: dict[str, set[str]] = {
    "facebook": {
        "access/domains.py",
        "access/logimport.py",
        "access/pages.py",
        "access/service.py",
        "channels/models.py",
        "channels/outbound/service.py",
        "channels/routes.py",
        "channels/simulator/app.py",
        "channels/simulator/citizens.py",
        "channels/simulator/graph.py",
        "channels/simulator/live.py",
        "cli/access.py",
        "cli/simulate.py",
        "config.py",
        "consultations/models.py",
        "web/templates/consultations/public.html",
        "demo/access.py",
        "demo/analysis.py",
        "demo/consultations.py",
        "demo/foundation.py",
        "demo/guidelines.py",
        "demo/oversight.py",
        "publishing/lengths.py",
        "web/static/civicloop.css",
        "web/templates/access/categories.html",
    },
    "x": {
        "channels/simulator/citizens.py",
        "channels/simulator/live.py",
        "demo/channels.py",
        "demo/consultations.py",
        "demo/foundation.py",
        "demo/oversight.py",
        "publishing/models.py",
    },
    "wechat": {
        "channels/base.py",
        "channels/models.py",
        "channels/outbound/models.py",
        "channels/outbound/routes.py",
        "channels/outbound/send.py",
        "channels/outbound/service.py",
        "channels/routes.py",
        "channels/simulator/__init__.py",
        "channels/simulator/app.py",
        "channels/simulator/citizens.py",
        "channels/simulator/live.py",
        "channels/simulator/state.py",
        "channels/simulator/wechat.py",
        "channels/spec.py",
        "cli/simulate.py",
        "config.py",
        "consultations/models.py",
        "web/templates/consultations/public.html",
        "consultations/report.py",
        "demo/access.py",
        "demo/consultations.py",
        "demo/foundation.py",
        "guidelines/data/personal.json",
        "publishing/lengths.py",
        "publishing/models.py",
        "web/static/civicloop.css",
    },
    "web": {
        "channels/csv/importer.py",
        "channels/simulator/citizens.py",
        "demo/channels.py",
        "demo/foundation.py",
    },
}
# Handled event kinds of platforms from before the registry that no fixture delivers yet.
FIXTURE_GAPS: dict[str, set[str]] = {"facebook": {"feed.status"}}


HOST = re.compile(r"(https?://)?[\w.-]+\.(com|net|org|me|qq\.com)(/\S*)?")


def _pattern(name: str, label: str) -> re.Pattern[str]:
    """The platform's name or label as a word; a short or common one ("x", "web") only as a quoted name
    or an enum member, where it cannot be an ordinary word."""
    if len(name) <= 3:
        return re.compile(rf"[\"']{name}[\"']|Platform\.{name}\b|Route\.{name}_")
    return re.compile(rf"\b{re.escape(name)}\b|\b{re.escape(label)}\b", re.IGNORECASE)


# Third-party files shipped as they are: Swagger UI's bundle names social networks of its own, and MiniLM's
# tokenizer vocabulary holds every English word.
VENDORED = (
    "web/static/vendor/",
    "web/static/swagger-ui-",
    "web/static/htmx-",
    "analysis/data/all-MiniLM-L6-v2-tokenizer.json",
)


def _mentions(name: str, label: str) -> set[str]:
    """Files under src/civicloop outside ``channels/<name>/`` that name the platform."""
    pattern = _pattern(name, label)
    found = set()
    for path in SRC.rglob("*"):
        relative = path.relative_to(SRC).as_posix()
        if not path.is_file() or path.suffix not in {".py", ".html", ".json", ".toml", ".txt", ".css", ".js"}:
            continue
        if relative.startswith((f"channels/{name}/", "migrations/", *VENDORED)):
            continue
        # Host names are addresses, not references to a platform (Instagram's API is at graph.facebook.com).
        text = HOST.sub("", path.read_text(encoding="utf-8", errors="replace"))
        if pattern.search(text):
            found.add(relative)
    return found


@pytest.mark.parametrize("name", NAMES)
def test_each_platform_is_declared_in_its_own_folder(name: str) -> None:
    spec = registry.PLATFORMS[name]
    assert spec.name == name and (SRC / "channels" / name / "__init__.py").is_file()
    assert (ROOT / "docs" / "channels" / f"{name}.md").is_file(), f"docs/channels/{name}.md is missing"
    if spec.api_url_setting or spec.api_url_default:
        assert spec.simulator is not None, f"{name} calls an API but has no simulator router"
        assert spec.simulator.prefix == f"/{name}"


@pytest.mark.parametrize("name", sorted(registry.PARSERS))
def test_every_handled_event_has_a_fixture_in_the_documented_shape(name: str) -> None:
    provider = registry.PARSERS[name]
    fixtures = all_fixtures(name)
    covered = {item.kind for fixture in fixtures for item in provider.events(fixture_bytes(fixture))}
    missing = set(provider.HANDLERS) - covered - FIXTURE_GAPS.get(name, set())
    assert not missing, f"{name}: no fixture delivers {sorted(missing)}"
    assert (HERE / name / "golden.json").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_each_platform_appears_in_every_list(name: str) -> None:
    spec = registry.PLATFORMS[name]
    assert name in set(Platform), "the accounts' platform column"
    assert account_platforms.get(name).label == spec.label, "accounts ask the registry for credentials"
    assert name in InboxPage.__dataclass_fields__["channel_labels"].default_factory(), "the inbox's channel filter"  # type: ignore[misc]
    assert all(r.route in set(Route) for r in spec.routes)
    if spec.post is not None:
        assert spec in registry.publishable()
    if spec.social:
        assert name in SOCIAL_PLATFORMS and name in WATCHED_FOR_SILENCE, "oversight's adoption and silence watch"
    if spec.access_category is not None:
        category = shipped()[spec.access_category]
        assert name in category.platforms and set(spec.domains) <= set(category.domains), "office access"


@pytest.mark.parametrize("name", NAMES)
def test_no_file_outside_the_platform_folder_names_it(name: str) -> None:
    spec = registry.PLATFORMS[name]
    allowed = SHARED | LEGACY.get(name, set())
    assert _mentions(name, spec.label) <= allowed


def test_the_pages_list_every_platform_from_the_registry(db: Session, client: TestClient) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    bot = create_account(
        db, agency, Platform.telegram, "7012345678", {"bot_token": "7012345678:AAH-x", "secret_token": "s3cret"}
    )
    login(client, create_official(db, "national_admin@THROMDE", email="admin@doim.example"))
    detail = client.get(f"/agencies/{agency.id}").text
    categories = client.get("/access/categories").text
    inbox = client.get("/inbox").text
    for spec in registry.PLATFORMS.values():
        assert f'<option value="{spec.name}"' in detail, f"{spec.name} missing from the add-account form"
        assert f'value="{spec.name}"' in categories and spec.label in categories, spec.name
        assert f'<option value="{spec.name}"' in inbox, f"{spec.name} missing from the inbox's channel filter"
    account = client.get(f"/accounts/{bot.id}").text
    assert "Refused webhook requests" in account, "a platform with webhooks shows its refusals"
