"""Each platform is one folder under ``channels/`` declaring its ``PlatformSpec``, listed once in
``channels/registry.py``; everything else asks the registry. These tests keep it so: every registered
platform has fixtures for the events it handles, a simulator, its docs page, a place in every list
the product shows, and its name appears nowhere outside its folder but in the registry's line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.access.categories import shipped
from civicloop.agencies import platforms as account_platforms
from civicloop.agencies.models import OfficialAccount, Platform
from civicloop.auth.models import Official
from civicloop.auth.scope import Actor
from civicloop.channels import delivery, registry
from civicloop.channels.delivery import Route
from civicloop.channels.outbound.models import OutboundMessage, OutboundStatus
from civicloop.channels.outbound.service import create_outbound
from civicloop.channels.simulator.app import SimulatorServer
from civicloop.channels.spec import PlatformSpec
from civicloop.config import reset_settings
from civicloop.errors import Invalid
from civicloop.inbox.pages import InboxPage
from civicloop.oversight.adoption import social_platforms
from civicloop.oversight.alerts import watched_for_silence
from civicloop.publishing import lengths
from tests.channels import throwaway
from tests.channels.conftest import HERE, all_fixtures, fixture_bytes
from tests.factories import create_account, create_agency, create_official, csrf_from, login

ROOT = Path(__file__).parents[2]
SRC = ROOT / "src" / "civicloop"
NAMES = sorted(registry.PLATFORMS)

# The registry line: the only place outside its folder where a platform may be named. The platform and
# route columns take any registered name (no enum to extend), so a new platform needs no other edit.
SHARED = {"channels/registry.py"}
# Meta's code shared by the two platforms it serves (its Login, its Graph simulator's common parts).
FAMILY = {"facebook": "channels/meta/", "instagram": "channels/meta/"}


# An address ends at a word's end ("facebook.comments", an endpoint's name, is no address).
HOST = re.compile(r"(https?://)?[\w.-]+\.(com|net|org|me|qq\.com)\b(/\S*)?")


def _pattern(name: str, label: str) -> re.Pattern[str]:
    """The platform's name or label as a word; a short or common one ("x", "web") only as a quoted name
    or the start of one ("x_dm", the endpoint "x.tweets"), where it cannot be an ordinary word."""
    if len(name) <= 3:
        return re.compile(rf"[\"']{name}([_.]\w+)*[\"']")
    # A route or setting named after the platform ("telegram_post") names it too.
    word = rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])"
    return re.compile(rf"{word}|\b{re.escape(label)}\b", re.IGNORECASE)


# Third-party files shipped as they are: Swagger UI's bundle names social networks of its own, and MiniLM's
# tokenizer vocabulary holds every English word. The learned taking-sides model's vocabulary is the words of the
# officials' texts it was trained on ("our Facebook page"), not a reference to a platform.
VENDORED = (
    "web/static/vendor/",
    "web/static/swagger-ui-",
    "web/static/htmx-",
    "analysis/data/all-MiniLM-L6-v2-tokenizer.json",
    "guidelines/data/sides_model.json",
)


SOURCE_SUFFIXES = {".py", ".html", ".json", ".toml", ".txt", ".css", ".js"}


@functools.cache
def _sources() -> tuple[tuple[str, str], ...]:
    """Every source file under src/civicloop outside the migrations and the vendored files, as (path, text), with
    host names taken out: they are addresses, not references to a platform (Instagram's API is at graph.facebook.com).
    Read once for all the platforms."""
    return tuple(
        (relative, HOST.sub("", path.read_text(encoding="utf-8", errors="replace")))
        for path in sorted(SRC.rglob("*"))
        if path.is_file() and path.suffix in SOURCE_SUFFIXES
        and not (relative := path.relative_to(SRC).as_posix()).startswith(("migrations/", *VENDORED))
    )  # fmt: skip


def _mentions(name: str, label: str) -> set[str]:
    """Files under src/civicloop outside ``channels/<name>/`` that name the platform."""
    pattern = _pattern(name, label)
    own = (f"channels/{name}/", *([FAMILY[name]] if name in FAMILY else []))
    return {relative for relative, text in _sources() if not relative.startswith(own) and pattern.search(text)}


@pytest.mark.parametrize("name", NAMES)
def test_each_platform_is_declared_in_its_own_folder(name: str) -> None:
    spec = registry.PLATFORMS[name]
    assert spec.name == name and (SRC / "channels" / name / "__init__.py").is_file()
    assert (ROOT / "docs" / "channels" / f"{name}.md").is_file(), f"docs/channels/{name}.md is missing"
    if spec.api_url_default:
        assert spec.simulator is not None, f"{name} calls an API but has no simulator router"
        assert spec.simulator.prefix == f"/{name}"


@pytest.mark.parametrize("name", sorted(registry.PARSERS))
def test_every_handled_event_has_a_fixture_in_the_documented_shape(name: str) -> None:
    provider = registry.PARSERS[name]
    fixtures = all_fixtures(name)
    covered = {item.kind for fixture in fixtures for item in provider.events(fixture_bytes(fixture))}
    missing = set(provider.HANDLERS) - covered
    assert not missing, f"{name}: no fixture delivers {sorted(missing)}"
    assert (HERE / name / "golden.json").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_each_platform_appears_in_every_list(name: str) -> None:
    spec = registry.PLATFORMS[name]
    assert name in account_platforms.names(), "the accounts' platform column"
    assert account_platforms.get(name).label == spec.label, "accounts ask the registry for credentials"
    assert name in InboxPage.__dataclass_fields__["channel_labels"].default_factory(), "the inbox's channel filter"  # type: ignore[misc]
    assert all(r.route in delivery.ROUTES for r in spec.routes), "the outbound messages' route column"
    if spec.post is not None:
        assert spec in registry.publishable()
    if spec.social:
        assert name in social_platforms() and name in watched_for_silence(), "oversight's adoption and silence watch"
    if spec.access_category is not None:
        category = shipped()[spec.access_category]
        assert name in category.platforms and set(spec.domains) <= set(category.domains), "office access"


@pytest.mark.parametrize("name", NAMES)
def test_no_file_outside_the_platform_folder_names_it(name: str) -> None:
    spec = registry.PLATFORMS[name]
    assert _mentions(name, spec.label) <= SHARED


def test_the_pages_list_every_platform_from_the_registry(db: Session, client: TestClient) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    bot = create_account(
        db, agency, "telegram", "7012345678", {"bot_token": "7012345678:AAH-x", "secret_token": "s3cret"}
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


@pytest.fixture
def town_square() -> Iterator[PlatformSpec]:
    """A platform declared in a folder of the tests (``tests/channels/throwaway/``), registered as the
    registry's own line registers one, and taken off the lists afterwards."""
    registry.register(throwaway.SPEC)
    shipped.cache_clear()
    yield throwaway.SPEC
    registry.unregister(throwaway.NAME)
    shipped.cache_clear()


def test_a_platform_added_by_its_folder_and_one_registry_line_appears_everywhere(
    town_square: PlatformSpec, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = town_square.name
    assert not any(name in path.read_text(errors="replace") for path in SRC.rglob("*.py")), "no product file names it"
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    board = create_account(db, agency, name, "board-17", {"api_key": "town-key"}, "Thromde board")
    db.expire_all()
    assert db.get(OfficialAccount, board.id).platform == name  # type: ignore[union-attr]
    login(client, create_official(db, "national_admin@THROMDE", email="admin@doim.example"))

    # Accounts: the add-account form offers it, and the API takes an account on it (checking its credentials).
    detail = client.get(f"/agencies/{agency.id}").text
    assert f'<option value="{name}"' in detail
    token = csrf_from(detail)
    created = client.post(
        "/api/v1/accounts",
        json={"agency_code": "THROMDE", "platform": name, "external_id": "board-18", "name": "Second board"},
        headers={"X-CSRF-Token": token},
    )
    assert created.status_code == 422 and "api_key" in created.text, "its own credential rules apply"
    # The inbox's channel filter, office access's categories, oversight's adoption table and silence watch.
    assert f'<option value="{name}"' in client.get("/inbox").text
    categories = client.get("/access/categories").text
    assert f'value="{name}"' in categories and "Town Square" in categories
    assert name in shipped()["social"].platforms and "townsquare.example" in shipped()["social"].domains
    assert name in social_platforms() and name in watched_for_silence()
    assert "Town Square" in client.get("/oversight").text
    # Publishing: the composer offers the board, and measures a post against the platform's own limit.
    assert "Thromde board" in client.get("/publishing/new").text
    assert not lengths.fit(name, "a" * (throwaway.POST_LIMIT + 1)).ok and lengths.fit(name, "a" * 10).ok

    # Outbound, through the simulator (which mounts the platform's router from the registry): a post is
    # accepted on its route, stored with it, sent to the platform's API and its id kept.
    with SimulatorServer() as simulator:
        for key, value in simulator.env().items():
            monkeypatch.setenv(key, value)
        reset_settings()
        official = db.scalar(select(Official).where(Official.email == "admin@doim.example"))
        assert official is not None
        row = create_outbound(
            db, actor=Actor.of(official), account_id=board.id, text="The Norzin Lam market opens at 7.", kind="post"
        )
        db.commit()
        db.expire_all()
        sent = db.get(OutboundMessage, row.id)
        assert sent is not None and sent.route == "townsquare_note", sent.route
        assert sent.status is OutboundStatus.sent and (sent.external_id or "").startswith("note-"), sent.last_error
        assert [r.body["text"] for r in simulator.state.calls("townsquare.notes")] == [sent.text]
    monkeypatch.undo()
    reset_settings()


def test_a_platform_taken_off_the_registry_is_refused_again(town_square: PlatformSpec) -> None:
    assert Platform(town_square.name) == town_square.name
    registry.unregister(town_square.name)
    with pytest.raises(Invalid, match="unknown platform 'townsquare'"):
        Platform(town_square.name)
    with pytest.raises(ValueError, match="unknown route"):
        Route.checked("townsquare_note")
    registry.register(town_square)


def test_each_platform_api_url_is_its_own_setting_named_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """``CIVICLOOP_<PLATFORM>_API_URL`` for every platform (the three older names among them, unchanged);
    ``CIVICLOOP_API_URLS`` is still read, and the platform's own variable wins over it."""
    for spec in registry.PLATFORMS.values():
        monkeypatch.delenv(spec.api_url_variable, raising=False)
    monkeypatch.setenv("CIVICLOOP_API_URLS", '{"telegram": "http://json.example/tg", "x": "http://json.example/x"}')
    monkeypatch.setenv("CIVICLOOP_X_API_URL", "http://own.example/x/")
    monkeypatch.setenv("CIVICLOOP_WECHAT_API_URL", "http://own.example/wx")
    reset_settings()
    try:
        assert registry.spec("x").api_url_variable == "CIVICLOOP_X_API_URL"
        assert registry.spec("x").api_url() == "http://own.example/x"
        assert registry.spec("wechat").api_url() == "http://own.example/wx"
        assert registry.spec("telegram").api_url() == "http://json.example/tg"
        assert registry.spec("youtube").api_url() == registry.spec("youtube").api_url_default
    finally:
        monkeypatch.undo()
        reset_settings()


def test_a_setting_declared_in_a_platform_folder_is_read_like_every_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Meta's Graph API version is declared by ``channels/meta`` (not ``config.py``) and still read from
    ``CIVICLOOP_FACEBOOK_GRAPH_VERSION``, in any case, into every Graph call's path."""
    from civicloop.channels.facebook.outbound import FacebookSender
    from civicloop.channels.meta import GRAPH_VERSION, graph_version

    monkeypatch.delenv("CIVICLOOP_FACEBOOK_GRAPH_VERSION", raising=False)
    reset_settings()
    try:
        assert graph_version() == GRAPH_VERSION == "v25.0"
        monkeypatch.setenv("civicloop_facebook_graph_version", "v26.0")
        reset_settings()
        assert graph_version() == "v26.0"
        assert FacebookSender()._url("me/feed").endswith("/v26.0/me/feed")
    finally:
        monkeypatch.undo()
        reset_settings()
