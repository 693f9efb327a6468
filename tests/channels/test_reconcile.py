"""Reconciliation: what the platforms' webhooks never delivered is read back through their list APIs and
stored once, through the webhook events' own path; a second run recovers nothing; a revoked token and a
platform whose API cannot list are said clearly (CLI message and exit code, account page)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.channels.media.models import MediaFile
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.models import Message, RawEvent
from civicloop.channels.reconcile import service as reconciliation
from civicloop.channels.reconcile.models import ChannelReconciliation
from civicloop.channels.reconcile.tasks import reconcile_all
from civicloop.channels.simulator.app import SimulatorServer
from civicloop.channels.simulator.citizens import Citizens, Webhook, drive, load_targets, register_accounts
from civicloop.channels.simulator.state import SimulatorState
from civicloop.cli import main as cli_main
from civicloop.config import reset_settings
from civicloop.kit.clock import utcnow
from tests.factories import create_account, create_agency, create_official, login

PAGE = "104958162837"
PAGE_TOKEN = "EAAG-thromde-page-token"
X_USER = "1455612345678901248"
X_CREDENTIALS = {
    "consumer_key": "thromde-ck",
    "consumer_secret": "thromde-cs",
    "access_token": "thromde-at",
    "access_token_secret": "thromde-ats",
}
EVENTS = 60


@dataclass
class Scene:
    agency: Agency
    facebook: OfficialAccount
    x: OfficialAccount
    wechat: OfficialAccount
    state: SimulatorState


@pytest.fixture
def scene(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    monkeypatch.setenv("CIVICLOOP_MEDIA_DOWNLOAD", "true")
    agency = create_agency(db, "THROMDE", name="Thimphu Thromde")
    facebook = create_account(
        db,
        agency,
        "facebook",
        PAGE,
        {"app_secret": "fb-app-secret", "verify_token": "fb-verify", "page_access_token": PAGE_TOKEN},
        "Thimphu Thromde",
    )
    x = create_account(db, agency, "x", X_USER, dict(X_CREDENTIALS), "@ThimphuThromde")
    wechat = create_account(db, agency, "wechat", "gh_3a7c1e5d9b20", {"app_id": "wx1", "token": "t"}, "WeChat")
    with SimulatorServer() as sim:
        for key, value in sim.env().items():
            monkeypatch.setenv(key, value)
        reset_settings()
        yield Scene(agency, facebook, x, wechat, sim.state)
    reset_settings()


def _object_id(hook: Webhook) -> str:
    """The platform's own id of what a citizen did, read from the delivery the simulator built."""
    document: dict[str, Any] = json.loads(hook.body)
    if hook.kind == "facebook.comment":
        return str(document["entry"][0]["changes"][0]["value"]["comment_id"])
    if hook.kind == "facebook.message":
        return str(document["entry"][0]["messaging"][0]["message"]["mid"])
    if hook.kind == "instagram.message":
        return str(document["entry"][0]["changes"][0]["value"]["id"])
    if hook.kind == "x.mention":
        return str(document["tweet_create_events"][0]["id_str"])
    return str(document["direct_message_events"][0]["id"])


def _citizens_write(db: Session, client: TestClient, scene: Scene, count: int) -> dict[str, bool]:
    """``count`` citizens' comments and messages on Facebook and X; returns each one's id and whether
    the platform delivered its webhook."""
    targets = [t for t in load_targets(db) if t.platform in ("facebook", "x")]
    register_accounts(scene.state, targets)
    delivered: dict[str, bool] = {}

    def sent(hook: Webhook, status: int) -> None:
        delivered[_object_id(hook)] = status == 200

    report = drive(
        "http://testserver",
        Citizens(targets, seed=18, state=scene.state),
        rate=50,
        duration=60,
        count=count,
        client=client,
        on_sent=sent,
    )
    assert report.sent == count
    return delivered


@dataclass
class Ran:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> Ran:
    """``civicloop ARGS`` in this process, through the entry point that turns errors into exit codes."""
    capsys.readouterr()
    monkeypatch.setattr("sys.argv", ["civicloop", *args])
    with pytest.raises(SystemExit) as ended:
        cli_main()
        raise SystemExit(0)
    out = capsys.readouterr()
    return Ran(int(ended.value.code or 0), out.out, out.err)


def _stored(db: Session) -> list[str]:
    db.rollback()
    return list(db.scalars(select(Message.external_id).where(Message.external_id.is_not(None))))


def test_a_third_of_deliveries_dropped_are_all_recovered_once(db: Session, client: TestClient, scene: Scene) -> None:
    scene.state.webhook_drop_share = 1 / 3
    since = utcnow() - timedelta(minutes=5)
    delivered = _citizens_write(db, client, scene, EVENTS)
    dropped = {key for key, ok in delivered.items() if not ok}
    assert len(dropped) == EVENTS // 3 and len(scene.state.dropped) == EVENTS // 3
    kinds = set(scene.state.dropped)
    assert kinds == {"facebook.comment", "facebook.message", "x.mention", "x.dm"}, "every list endpoint is exercised"
    assert set(_stored(db)) == set(delivered) - dropped

    recovered = 0
    for account in (scene.facebook, scene.x):
        row = db.get(OfficialAccount, account.id)
        assert row is not None
        with httpx.Client(timeout=5) as http:
            outcome = reconciliation.reconcile_account(db, row, since=since, http=http, trigger="cli")
        db.commit()  # the recovered events are processed by the job enqueued after commit
        assert outcome.problem is None and outcome.supported
        recovered += outcome.recovered
    assert recovered == len(dropped)
    stored = _stored(db)
    assert sorted(stored) == sorted(delivered), "every comment and message, each exactly once"

    # A second pass (the periodic job this time) finds everything already stored.
    assert reconcile_all() == 0
    assert sorted(_stored(db)) == sorted(delivered)
    runs = db.scalars(select(ChannelReconciliation).where(ChannelReconciliation.trigger == "schedule")).all()
    assert {r.account_id for r in runs} == {scene.facebook.id, scene.x.id}
    assert all(r.recovered == 0 and r.fetched >= 1 for r in runs)
    # Photos in recovered Messenger messages are downloaded too, from the links the conversations API gives.
    photos = [o for o in facebook_graph(scene.state).objects.values() if o.attachments]
    media = db.scalars(select(MediaFile)).all()
    assert photos and len(media) == len(photos) and {m.status for m in media} == {"stored"}
    raw = [r for r in db.scalars(select(RawEvent)) if "x-civicloop-reconciled" in r.headers]
    assert len(raw) == len(dropped) and all(r.handled_at is not None and r.error is None for r in raw)


def test_the_cli_prints_fetched_and_recovered(
    db: Session, client: TestClient, scene: Scene, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scene.state.webhook_drop_share = 1 / 2
    since = (utcnow() - timedelta(minutes=5)).isoformat()
    delivered = _citizens_write(db, client, scene, 12)
    first = run_cli(capsys, monkeypatch, "account", "reconcile", PAGE, "--since", since, "--json")
    assert first.exit_code == 0, first.stderr
    result = json.loads(first.stdout)
    assert result["recovered"] >= 1 and result["fetched"] >= result["recovered"]
    again = json.loads(
        run_cli(capsys, monkeypatch, "account", "reconcile", str(scene.facebook.id), "--since", since, "--json").stdout
    )
    assert again["recovered"] == 0 and again["fetched"] == result["fetched"]
    facebook_ids = {k for k in delivered if not k.isdigit()}  # X ids are numbers; Facebook's have '_' or 'm_'
    assert facebook_ids <= set(_stored(db))


def test_a_revoked_token_is_said_and_exits_3(
    db: Session, client: TestClient, scene: Scene, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _citizens_write(db, client, scene, 4)
    facebook_graph(scene.state).page_tokens.clear()  # the Page's token was revoked
    result = run_cli(
        capsys, monkeypatch, "account", "reconcile", str(scene.facebook.id), "--since", "2026-01-01T00:00:00Z"
    )
    assert result.exit_code == 3
    assert "Invalid OAuth access token" in result.stderr and "connect the Page again" in result.stderr
    db.rollback()
    run = reconciliation.last_run(db, scene.facebook.id)
    assert run is not None and run.credentials_refused and run.problem and "code 190" in run.problem

    bad = run_cli(capsys, monkeypatch, "account", "reconcile", str(scene.facebook.id), "--since", "last tuesday")
    assert bad.exit_code == 2 and "not an ISO 8601 time" in bad.stderr
    missing = run_cli(capsys, monkeypatch, "account", "reconcile", "999999", "--since", "2026-01-01")
    assert missing.exit_code == 2 and "no account" in missing.stderr


def test_a_token_refused_during_the_scheduled_run_needs_a_person_and_raises_one_alert(
    db: Session, client: TestClient, scene: Scene
) -> None:
    from civicloop.agencies.models import AccountStatus
    from civicloop.channels.connect.models import AccountConnection
    from civicloop.oversight import alerts
    from civicloop.oversight.models import Alert, AlertKind

    admin = create_official(db, "agency_admin@THROMDE", email="itadmin@thromde.example")
    create_official(db, "officer@THROMDE", email="officer@thromde.example")  # not whom this alert is for
    register_accounts(scene.state, load_targets(db))  # the simulated platforms know the accounts' tokens
    facebook_graph(scene.state).page_tokens.clear()  # the Page's token was revoked on Facebook
    assert reconcile_all() == 0
    db.rollback()
    db.expire_all()
    account = db.get(OfficialAccount, scene.facebook.id)
    link = db.get(AccountConnection, scene.facebook.id)
    assert account is not None and account.status is AccountStatus.needs_attention
    assert link is not None and "code 190" in link.attention and "connect the Page again" in link.attention
    assert db.get(OfficialAccount, scene.x.id).status is AccountStatus.active  # type: ignore[union-attr]

    def evaluated() -> list[Alert]:
        db.rollback()
        db.expire_all()
        alerts.evaluate(db, now=utcnow(), rules=[alerts.accounts_needing_attention])
        db.commit()
        return list(db.scalars(select(Alert).order_by(Alert.id)))

    [alert] = evaluated()
    assert alert.kind is AlertKind.account_attention and alert.subject_id == scene.facebook.id
    assert alerts.recipients(db, alert) == [admin.email]
    assert alert.evidence["fix_url"] == f"/accounts/{scene.facebook.id}/reconnect"
    assert alert.evidence["fix_label"] == "Reconnect" and "code 190" in alert.evidence["reason"]
    # The next runs leave the account to its person: not read again, no second alert.
    assert reconcile_all() == 0
    assert evaluated() == [alert]
    runs = db.scalars(select(ChannelReconciliation).where(ChannelReconciliation.account_id == scene.facebook.id))
    assert len(runs.all()) == 1


def test_a_platform_that_cannot_list_says_so_and_the_account_page_shows_it(
    db: Session,
    client: TestClient,
    scene: Scene,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = run_cli(capsys, monkeypatch, "account", "reconcile", "gh_3a7c1e5d9b20", "--since", "2026-01-01", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) | {"since": ""} == {
        "account_id": scene.wechat.id,
        "platform": "wechat",
        "since": "",
        "fetched": 0,
        "recovered": 0,
        "supported": False,
        "gaps": list(reconciliation.registry.spec("wechat").reconcile_gaps),
        "problem": None,
        "credentials_refused": False,
    }
    assert "cannot list" in result.stderr
    official = create_official(db, "agency_admin@THROMDE")
    login(client, official)
    page = client.get(f"/accounts/{scene.wechat.id}")
    assert page.status_code == 200
    assert "Reconciliation" in page.text and "no way to list the messages followers sent" in page.text
    page = client.get(f"/accounts/{scene.x.id}")
    assert "only the 800 most recent" in page.text


def test_instagram_comments_dropped_are_recovered_once(db: Session, client: TestClient, scene: Scene) -> None:
    credentials = {"app_secret": "ig-secret", "verify_token": "ig-verify", "page_access_token": "EAA-ig-thromde"}
    instagram = create_account(db, scene.agency, "instagram", "17841405822304914", credentials, "@thromde")
    targets = [t for t in load_targets(db) if t.platform == "instagram"]
    register_accounts(scene.state, targets)
    scene.state.webhook_drop_share = 1 / 3
    delivered: dict[str, bool] = {}
    since = utcnow() - timedelta(minutes=5)
    drive(
        "http://testserver",
        Citizens(targets, seed=5, state=scene.state),
        rate=50,
        duration=60,
        count=9,
        client=client,
        on_sent=lambda hook, status: delivered.__setitem__(_object_id(hook), status == 200),
    )
    assert sum(not ok for ok in delivered.values()) == 3
    db.rollback()  # a fresh snapshot after the deliveries the app committed
    row = db.get(OfficialAccount, instagram.id)
    assert row is not None
    with httpx.Client(timeout=5) as http:
        outcome = reconciliation.reconcile_account(db, row, since=since, http=http, trigger="cli")
        db.commit()
        assert (outcome.fetched, outcome.recovered, outcome.problem) == (9, 3, None)
        assert sorted(_stored(db)) == sorted(delivered)
        assert reconciliation.reconcile_account(db, row, since=since, http=http, trigger="cli").recovered == 0
