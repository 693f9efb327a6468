"""Simulated citizens: payloads the inbound providers accept, and `civicloop simulate` against a live server."""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.channels.base import AppAccount, ChannelApp, WebhookRequest
from civicloop.channels.models import Message
from civicloop.channels.registry import get as provider_for
from civicloop.channels.simulator.citizens import Citizens, Target, check_loopback, drive
from civicloop.errors import Invalid
from tests.conftest import run_civicloop
from tests.factories import create_account, create_agency

AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
TARGETS = [
    Target(
        "facebook",
        "THROMDE",
        "104577788899900",
        "Thimphu Thromde — Facebook Page",
        "/webhooks/facebook/a",
        {"app_secret": "meta-secret", "verify_token": "v"},
    ),
    Target(
        "x",
        "THROMDE",
        "1450055566677788899",
        "Thimphu Thromde — X",
        "/webhooks/x/b",
        {"consumer_secret": "x-secret"},
    ),
    Target(
        "wechat",
        "THROMDE",
        "gh_7h40de00e5f6",
        "Thimphu Thromde — WeChat",
        "/webhooks/wechat/c",
        {"app_id": "wx7h40de00e5f6", "token": "wechattoken", "encoding_aes_key": AES_KEY},
    ),
]


def test_every_kind_of_simulated_event_passes_the_providers_signature_check_and_parser() -> None:
    citizens = Citizens(TARGETS, seed=11)
    seen: set[str] = set()
    for _ in range(60):
        event = citizens.next()
        hook = citizens.sign(event)
        target = event.target
        app = ChannelApp(target.platform, "key", (AppAccount(1, 1, target.external_id, target.credentials),))
        provider = provider_for(target.platform)
        headers = {k.lower(): v for k, v in hook.headers.items()}
        payload = provider.verify(WebhookRequest(hook.body, headers, hook.params), app)
        items = provider.events(payload)
        assert len(items) == 1 and items[0].route_key == target.external_id
        [inbound] = provider.parse(items[0])
        assert event.text in inbound.text and inbound.contact is not None
        seen.add(event.kind)
    assert seen == {"facebook.comment", "facebook.message", "x.mention", "x.dm", "wechat.text"}


def test_simulated_traffic_goes_to_this_machine_only() -> None:
    check_loopback("http://127.0.0.1:8000")
    check_loopback("http://localhost:8000")
    with pytest.raises(Invalid, match="not this machine"):
        check_loopback("http://192.0.2.10:8000")  # TEST-NET-1: refused before anything is sent


def test_a_stop_ends_the_drive_between_two_events_at_once() -> None:
    """The live demo stops its citizens when the demo is stopped: one event every 5 s must not keep it waiting."""
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()
    report = drive("http://127.0.0.1:9", Citizens(TARGETS, seed=3), rate=0.2, duration=60, stop=stop)
    assert time.monotonic() - started < 2 and report.sent == 1  # a closed port: the one event is an error


def test_civicloop_simulate_fills_a_live_servers_inbox(db: Session, live_server: str) -> None:
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    for target in TARGETS:
        create_account(db, agency, target.platform, target.external_id, dict(target.credentials), target.name)
    create_account(db, agency, "web", "thromde-feedback", {}, "Feedback form")
    command = [
        "simulate",
        "--target",
        live_server,
        "--rate",
        "25",
        "--duration",
        "10",
        "--count",
        "30",
        "--seed",
        "5",
        "--json",
    ]
    result = run_civicloop(*command)  # in this process: the process boundary is tested in tests/foundation/test_cli.py
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["sent"] == 30 and report["by_status"] == {"200": 30}
    db.rollback()
    stored = dict(db.execute(select(Message.platform, func.count()).group_by(Message.platform)).all())
    assert sum(stored.values()) == 30
    assert set(stored) == {"facebook", "x", "wechat"}
    assert report["by_kind"]["wechat.text"] == stored["wechat"]
    refused = run_civicloop(*command[:2], "http://192.0.2.10:8000")
    assert refused.returncode == 2 and "not this machine" in refused.stderr
