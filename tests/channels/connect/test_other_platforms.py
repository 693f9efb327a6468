"""Connecting X (OAuth 2.0 with PKCE), YouTube (Google OAuth), WeChat and Telegram (checked forms)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from civicloop.agencies.models import AccountStatus, OfficialAccount, Platform
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.telegram import simulator as telegram
from civicloop.channels.wechat.simulator import WeChatApp, wechat_api
from civicloop.channels.x import oauth_simulator as x_oauth
from tests.channels.connect.conftest import CHANNEL, X_APP, X_PERSON, Connect, consent, query_of, start
from tests.factories import csrf_from


def _connect_only_candidate(scene: Connect, platform: str, **consent_options: object) -> OfficialAccount:
    page = scene.client.get(consent(start(scene.client, scene.agency, platform), **consent_options))  # type: ignore[arg-type]
    assert page.status_code == 200, page.text
    attempt_id = int(page.text.split('action="/connect/attempts/')[1].split('"')[0])
    external_id = page.text.split('name="external_id" value="')[1].split('"')[0]
    done = scene.client.post(
        f"/connect/attempts/{attempt_id}",
        data={"external_id": external_id, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    scene.db.rollback()
    account = scene.db.scalar(select(OfficialAccount).where(OfficialAccount.platform == Platform(platform)))
    assert account is not None
    return account


def test_an_x_account_is_connected_with_pkce_and_subscribed_to_the_webhook(connect: Connect) -> None:
    authorize = start(connect.client, connect.agency, "x")
    params = query_of(authorize)
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert "offline.access" in params["scope"].split()
    account = _connect_only_candidate(connect, "x")
    assert (account.external_id, account.status) == (X_PERSON, AccountStatus.active)
    assert account.credentials["consumer_secret"] == X_APP["consumer_secret"]
    assert account.credentials["refresh_token"] and account.token_expires_at is not None
    assert X_PERSON in x_oauth.webhooks(connect.sim).subscribed[X_APP["webhook_id"]]
    # The token endpoint was called as a confidential client, with the verifier.
    [exchange] = connect.sim.calls("x.oauth_token")
    assert exchange.headers["authorization"].startswith("Basic ")
    assert exchange.body["code_verifier"] and exchange.body["grant_type"] == "authorization_code"


def test_x_refuses_a_code_without_its_verifier_or_used_twice(connect: Connect) -> None:
    back = consent(start(connect.client, connect.agency, "x"))
    form = {
        "grant_type": "authorization_code",
        "code": query_of(back)["code"],
        "redirect_uri": f"{connect.base_url}/connect/x/callback",
        "code_verifier": "not-the-verifier-of-this-code",
    }
    token_url = f"{_sim_base(connect)}/x/2/oauth2/token"
    app = (X_APP["client_id"], X_APP["client_secret"])
    with httpx.Client(timeout=10) as http:
        wrong = http.post(token_url, data=form, auth=app)
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_request"
        assert connect.client.get(back).status_code == 200  # CivicLoop's own exchange, with the verifier
        replay = http.post(token_url, data=form, auth=app)
    assert replay.status_code == 400
    assert connect.client.get(back).status_code == 422  # and the callback itself is spent


def _sim_base(scene: Connect) -> str:
    from civicloop.config import get_settings

    return get_settings().api_url("x", "").rsplit("/x", 1)[0]


def test_a_youtube_channel_is_connected_with_a_refresh_token(connect: Connect) -> None:
    params = query_of(start(connect.client, connect.agency, "youtube"))
    assert params["access_type"] == "offline" and params["prompt"] == "consent"
    account = _connect_only_candidate(connect, "youtube")
    assert account.external_id == CHANNEL
    assert account.credentials["refresh_token"] and account.credentials["access_token"]


def _form(scene: Connect, platform: str, values: dict[str, str]) -> httpx.Response:
    page = scene.client.get(f"/agencies/{scene.agency.id}/connect/{platform}")
    assert page.status_code == 200
    return scene.client.post(
        f"/agencies/{scene.agency.id}/connect/{platform}",
        data={**values, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


WECHAT = {
    "external_id": "gh_7h40de00e5f6",
    "name": "Thimphu Thromde",
    "app_id": "wx7h40de00e5f6",
    "token": "thromdewechattoken",
}


def test_wechat_credentials_are_proven_by_fetching_an_access_token(connect: Connect) -> None:
    wechat_api(connect.sim).add_app(WeChatApp("wx7h40de00e5f6", "the-real-secret", "gh_7h40de00e5f6"))
    refused = _form(connect, "wechat", {**WECHAT, "app_secret": "a-wrong-secret"})
    assert refused.status_code == 422
    assert "errcode 40125" in refused.text and "invalid appsecret" in refused.text
    connect.db.rollback()
    assert connect.db.scalar(select(OfficialAccount)) is None
    assert _form(connect, "wechat", {**WECHAT, "app_secret": "the-real-secret"}).status_code == 303
    connect.db.rollback()
    account = connect.db.scalar(select(OfficialAccount))
    assert account is not None and account.credentials["app_secret"] == "the-real-secret"


def test_a_telegram_bot_is_checked_with_getme_and_its_webhook_set_with_a_secret(connect: Connect) -> None:
    bot = telegram.add_bot(connect.sim, 7012345678, "7012345678:AAH-thromde-secret", "ThromdeBot")
    refused = _form(connect, "telegram", {"bot_token": "7012345678:AAH-wrong"})
    assert refused.status_code == 422 and "Telegram refused the bot token: Unauthorized" in refused.text
    assert _form(connect, "telegram", {"bot_token": bot.token}).status_code == 303
    connect.db.rollback()
    account = connect.db.scalar(select(OfficialAccount))
    assert account is not None and account.external_id == "7012345678"
    secret = account.credentials["secret_token"]
    assert bot.webhook_url == f"{connect.base_url}/webhooks/telegram/{account.app_key}"
    assert bot.webhook_secret == secret and len(secret) >= 32


def test_telegram_refusing_the_webhook_url_leaves_no_bot_behind(connect: Connect, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from civicloop.config import reset_settings

    bot = telegram.add_bot(connect.sim, 7012345678, "7012345678:AAH-thromde-secret", "ThromdeBot")
    monkeypatch.setenv("CIVICLOOP_BASE_URL", "https://civicloop.example.bt:8000")  # not a port Telegram calls
    reset_settings()
    refused = _form(connect, "telegram", {"bot_token": bot.token})
    assert refused.status_code == 422 and "ports 80, 88, 443 or 8443" in refused.text
    connect.db.rollback()
    assert connect.db.scalar(select(OfficialAccount)) is None


def _cli(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    import sys

    import pytest

    from civicloop.cli import main

    monkeypatch.setattr(sys, "argv", ["civicloop", *args])
    with pytest.raises(SystemExit) as exited:
        main()
        sys.exit(0)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_pasted_credentials_are_checked_with_the_platform_and_refused_with_its_reason(  # type: ignore[no-untyped-def]
    connect: Connect, capsys, monkeypatch
) -> None:
    add = ("account", "add", "--agency", "THROMDE", "--name", "Thromde")
    telegram.add_bot(connect.sim, 7012345678, "7012345678:AAH-thromde-secret", "ThromdeBot")
    code, _, err = _cli(
        capsys,
        monkeypatch,
        *add,
        "--platform",
        "telegram",
        "--external-id",
        "7012345678",
        "--credential",
        "bot_token=7012345678:AAH-revoked",
        "--credential",
        "secret_token=abc",
    )
    assert code == 2 and "Telegram refused" in err and "Unauthorized" in err
    code, _, err = _cli(
        capsys,
        monkeypatch,
        *add,
        "--platform",
        "facebook",
        "--external-id",
        "104577788899900",
        "--credential",
        "app_secret=abc",
        "--credential",
        "verify_token=tok",
    )
    assert code == 2 and "no Page token" in err  # a Page that cannot send is never stored "active"
    facebook_graph(connect.sim).add_page("104577788899900", "EAAG-pasted-token")
    code, _, err = _cli(
        capsys,
        monkeypatch,
        *add,
        "--platform",
        "facebook",
        "--external-id",
        "104577788899900",
        "--credential",
        "app_secret=abc",
        "--credential",
        "verify_token=tok",
        "--credential",
        "page_access_token=EAAG-wrong",
    )
    assert code == 2 and "Invalid OAuth access token" in err
    connect.db.rollback()
    assert connect.db.scalar(select(OfficialAccount)) is None
    code, _, err = _cli(
        capsys,
        monkeypatch,
        *add,
        "--platform",
        "facebook",
        "--external-id",
        "104577788899900",
        "--credential",
        "app_secret=abc",
        "--credential",
        "verify_token=tok",
        "--credential",
        "page_access_token=EAAG-pasted-token",
        "--json",
    )
    assert code == 0, err
    connect.db.rollback()
    account = connect.db.scalar(select(OfficialAccount))
    assert account is not None and account.status is AccountStatus.active
