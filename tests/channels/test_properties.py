"""Property tests: random and mutated deliveries to every webhook never give a 500, and nothing is
stored without a valid signature (signed garbage may be refused as malformed; it is never a crash)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from civicloop.channels.models import RawEvent
from tests.channels.conftest import (
    WX_TOKEN,
    World,
    all_fixtures,
    count,
    fixture_bytes,
    post_facebook,
    post_wechat,
    post_x,
)

ALLOWED = {200, 400, 401, 403, 404, 413}
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def _replace_somewhere(document: Any, draw: st.DrawFn) -> Any:
    """Replace one value anywhere in a JSON document by a random one."""
    if isinstance(document, dict) and document:
        key = draw(st.sampled_from(sorted(document)))
        if draw(st.booleans()):
            return {**document, key: draw(json_values)}
        return {**document, key: _replace_somewhere(document[key], draw)}
    if isinstance(document, list) and document:
        index = draw(st.integers(0, len(document) - 1))
        return [*document[:index], _replace_somewhere(document[index], draw), *document[index + 1 :]]
    return draw(json_values)


@st.composite
def bodies(draw: st.DrawFn, platform: str) -> bytes:
    original = fixture_bytes(draw(st.sampled_from(all_fixtures(platform))))
    how = draw(st.sampled_from(["random", "truncate", "flip", "insert", "json"]))
    if how == "random":
        return draw(st.binary(max_size=300))
    if how == "truncate":
        return original[: draw(st.integers(0, len(original)))]
    if how == "flip":
        index = draw(st.integers(0, len(original) - 1))
        return original[:index] + bytes([original[index] ^ draw(st.integers(1, 255))]) + original[index + 1 :]
    if how == "insert":
        index = draw(st.integers(0, len(original)))
        return original[:index] + draw(st.binary(min_size=1, max_size=20)) + original[index:]
    if platform == "wechat":
        return original.replace(b"<MsgType>", b"<MsgType>" + draw(st.binary(max_size=8)))
    return json.dumps(_replace_somewhere(json.loads(original), draw)).encode()


def _check(client: TestClient, db: Session, send: Any, body: bytes, signed: bool) -> None:
    before = count(db, RawEvent)
    response = send(body, signed)
    assert response.status_code in ALLOWED, (response.status_code, response.text, body[:200])
    if not signed:
        assert response.status_code in {401, 403, 413}
        assert count(db, RawEvent) == before
    elif response.status_code != 200:
        assert count(db, RawEvent) == before


@PROPERTY_SETTINGS
@given(body=bodies("facebook"), signed=st.booleans())
def test_facebook_endpoint_never_crashes(
    client: TestClient, db: Session, world: World, body: bytes, signed: bool
) -> None:
    url = world.url(world.facebook)

    def send(raw: bytes, valid: bool) -> Any:
        return post_facebook(client, url, raw) if valid else post_facebook(client, url, raw, signature="sha256=00")

    _check(client, db, send, body, signed)


@PROPERTY_SETTINGS
@given(body=bodies("x"), signed=st.booleans())
def test_x_endpoint_never_crashes(client: TestClient, db: Session, world: World, body: bytes, signed: bool) -> None:
    url = world.url(world.x)

    def send(raw: bytes, valid: bool) -> Any:
        return post_x(client, url, raw) if valid else post_x(client, url, raw, secret="guess")

    _check(client, db, send, body, signed)


@PROPERTY_SETTINGS
@given(body=bodies("wechat"), signed=st.booleans(), safe=st.booleans())
def test_wechat_endpoint_never_crashes(
    client: TestClient, db: Session, world: World, body: bytes, signed: bool, safe: bool
) -> None:
    account = world.wechat_safe if safe else world.wechat
    token = account.credentials["token"]
    secrets = (account.credentials["encoding_aes_key"], account.credentials["app_id"]) if safe else None

    def send(raw: bytes, valid: bool) -> Any:
        return post_wechat(client, world.url(account), raw, token=token if valid else WX_TOKEN + "x", safe=secrets)

    _check(client, db, send, body, signed)


@PROPERTY_SETTINGS
@given(
    platform=st.sampled_from(["facebook", "x", "wechat"]),
    query=st.dictionaries(
        st.sampled_from(
            ["hub.mode", "hub.challenge", "hub.verify_token", "crc_token", "signature", "timestamp", "nonce", "echostr"]
        ),
        st.text(max_size=300),
        max_size=6,
    ),
)
def test_handshakes_never_crash(client: TestClient, world: World, platform: str, query: dict[str, str]) -> None:
    account = {"facebook": world.facebook, "x": world.x, "wechat": world.wechat}[platform]
    assert client.get(world.url(account), params=query).status_code in ALLOWED
