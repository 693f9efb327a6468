"""Token lifecycle: tokens that expire are refreshed before they do, without a person and without an alert;
a revoked permission marks the account *needs attention* and raises one alert with the reconnect button,
until the account is connected again."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from civicloop.agencies.models import AccountStatus, OfficialAccount, Platform
from civicloop.channels.connect import tasks
from civicloop.channels.connect.models import AccountConnection
from civicloop.channels.meta import simulator as meta_login
from civicloop.channels.wechat.simulator import WeChatApp, wechat_api
from civicloop.channels.x import oauth_simulator as x_oauth
from civicloop.kit.clock import FixedClock
from civicloop.oversight import alerts
from civicloop.oversight.models import Alert, AlertKind
from tests.channels.connect.conftest import PAGE, PERSON, X_PERSON, Connect, consent, start
from tests.channels.connect.test_facebook import _choose
from tests.channels.connect.test_other_platforms import WECHAT, _connect_only_candidate, _form
from tests.factories import create_account


def _evaluate(scene: Connect, clock: FixedClock) -> list[Alert]:
    scene.db.rollback()
    alerts.evaluate(scene.db, now=clock.now(), rules=[alerts.expiring_tokens, alerts.accounts_needing_attention])
    scene.db.commit()
    return list(scene.db.scalars(select(Alert).order_by(Alert.id)))


def _account(scene: Connect, platform: Platform) -> OfficialAccount:
    scene.db.rollback()
    found = scene.db.scalar(select(OfficialAccount).where(OfficialAccount.platform == platform))
    assert found is not None
    return found


def test_x_tokens_are_refreshed_before_they_expire_and_the_refresh_token_rotates(
    connect: Connect, clock: FixedClock
) -> None:
    account = _connect_only_candidate(connect, "x")
    first_access, first_refresh = account.credentials["bearer_token"], account.credentials["refresh_token"]
    tasks.look_after_all(check=False)
    assert _account(connect, "x").credentials["bearer_token"] == first_access  # two hours left: nothing to do

    clock.advance(minutes=105)  # 15 minutes before the two hours end
    tasks.look_after_all(check=False)
    account = _account(connect, "x")
    assert account.credentials["bearer_token"] != first_access
    assert account.credentials["refresh_token"] != first_refresh
    assert account.token_expires_at == clock.now() + timedelta(hours=2)
    assert x_oauth.oauth(connect.sim).tokens[first_refresh].revoked  # rotation: the old one is spent
    # The X API accepts the new token for the account.
    with httpx.Client(timeout=10) as http:
        from civicloop.config import get_settings

        me = http.get(
            f"{get_settings().api_url('x', '')}/2/users/me",
            headers={"authorization": f"Bearer {account.credentials['bearer_token']}"},
        )
    assert me.status_code == 200 and me.json()["data"]["id"] == X_PERSON
    link = connect.db.get(AccountConnection, account.id)
    assert link is not None and link.refreshed_at == clock.now()

    # Tokens that refresh themselves never raise an expiry alert, however close the expiry.
    assert _evaluate(connect, clock) == []


def test_a_refresh_refused_for_good_needs_a_person_and_raises_one_alert(connect: Connect, clock: FixedClock) -> None:
    account = _connect_only_candidate(connect, "x")
    x_oauth.oauth(connect.sim).remove_app(X_PERSON)  # the person revoked the app on X
    clock.advance(minutes=105)
    tasks.look_after_all(check=False)
    account = _account(connect, "x")
    assert account.status is AccountStatus.needs_attention
    found = _evaluate(connect, clock)
    assert [a.kind for a in found] == [AlertKind.account_attention]
    assert found[0].evidence["fix_url"] == f"/accounts/{account.id}/reconnect"


def test_wechat_access_tokens_are_fetched_again_before_their_two_hours_end_without_alerts(
    connect: Connect, clock: FixedClock
) -> None:
    wechat_api(connect.sim).add_app(WeChatApp("wx7h40de00e5f6", "the-real-secret", "gh_7h40de00e5f6"))
    assert _form(connect, "wechat", {**WECHAT, "app_secret": "the-real-secret"}).status_code == 303
    issued_before = len(wechat_api(connect.sim).tokens)
    tasks.look_after_all(check=False)
    assert len(wechat_api(connect.sim).tokens) == issued_before + 1  # cached for the senders
    tasks.look_after_all(check=False)
    assert len(wechat_api(connect.sim).tokens) == issued_before + 1  # still fresh: not fetched again
    for _ in range(6):  # twelve hours of the five-minute job, in steps
        clock.advance(minutes=105)
        tasks.look_after_all(check=False)
        account = _account(connect, "wechat")
        assert account.token_expires_at is not None and account.token_expires_at - clock.now() > timedelta(minutes=100)
        # The old "expires in 0 days" alert: a token that refreshes itself is never one.
        assert _evaluate(connect, clock) == []
    assert len(wechat_api(connect.sim).tokens) == issued_before + 7


def test_a_token_that_does_not_refresh_itself_still_warns_before_it_expires(
    connect: Connect, clock: FixedClock
) -> None:
    account = create_account(
        connect.db,
        connect.agency,
        "youtube",
        "UCnorefresh00000000000",
        {"access_token": "ya29.x"},
        "Old channel",
    )
    account.token_expires_at = clock.now() + timedelta(days=3)
    connect.db.commit()
    assert [a.kind for a in _evaluate(connect, clock)] == [AlertKind.token_expiring]


def test_a_revoked_facebook_permission_needs_attention_until_reconnected(connect: Connect, clock: FixedClock) -> None:
    page = connect.client.get(consent(start(connect.client, connect.agency, "facebook")))
    assert _choose(connect, page.text, PAGE).status_code == 303
    tasks.look_after_all(check=True)
    assert _account(connect, "facebook").status is AccountStatus.active

    meta_login.login(connect.sim).revoke_scope(PERSON, "pages_messaging")
    tasks.look_after_all(check=True)
    account = _account(connect, "facebook")
    assert account.status is AccountStatus.needs_attention
    link = connect.db.get(AccountConnection, account.id)
    assert link is not None and "pages_messaging" in link.attention
    assert "pages_messaging" not in (link.scopes_granted or [])

    first = _evaluate(connect, clock)
    for _ in range(3):
        clock.advance(minutes=5)
        tasks.look_after_all(check=True)
        assert _evaluate(connect, clock) == first  # one alert, kept up to date, never raised again
    [alert] = first
    assert alert.kind is AlertKind.account_attention and alert.active
    assert alerts.recipients(connect.db, alert) == ["itadmin@thromde.example"]
    _, body = alerts.email_for(alert, connect.agency, connect.base_url)
    assert f"Reconnect: {connect.base_url}/accounts/{account.id}/reconnect" in body
    shown = connect.client.get(f"/oversight/alerts/{alert.id}")
    assert f'href="/accounts/{account.id}/reconnect"' in shown.text and ">Reconnect<" in shown.text
    health = connect.client.get(f"/accounts/{account.id}/health")
    assert "needs attention" in health.text.lower() and "no — missing" in health.text

    # The button that fixes it: Facebook Login again, the same Page, the permission granted again.
    reconnect = connect.client.get(f"/accounts/{account.id}/reconnect", follow_redirects=False)
    assert reconnect.headers["location"] == f"/agencies/{connect.agency.id}/connect/facebook"
    page = connect.client.get(consent(start(connect.client, connect.agency, "facebook")))
    assert _choose(connect, page.text, PAGE).status_code == 303
    assert _account(connect, "facebook").status is AccountStatus.active
    [after] = _evaluate(connect, clock)
    assert after.id == alert.id and not after.active  # cleared; resolved by itself after a quiet day


def test_youtube_access_tokens_are_refreshed_and_the_refresh_token_kept(connect: Connect, clock: FixedClock) -> None:
    account = _connect_only_candidate(connect, "youtube")
    first_access, refresh = account.credentials["access_token"], account.credentials["refresh_token"]
    clock.advance(minutes=45)  # Google's access tokens live 3599 seconds
    tasks.look_after_all(check=True)
    account = _account(connect, "youtube")
    assert account.credentials["access_token"] != first_access
    assert account.credentials["refresh_token"] == refresh  # Google does not rotate it
    assert account.status is AccountStatus.active  # and the hourly check passed with the new token


def test_a_bot_token_revoked_in_botfather_needs_attention(connect: Connect, clock: FixedClock) -> None:
    from civicloop.channels.telegram import simulator as telegram

    bot = telegram.add_bot(connect.sim, 7012345678, "7012345678:AAH-thromde-secret", "ThromdeBot")
    assert _form(connect, "telegram", {"bot_token": bot.token}).status_code == 303
    tasks.look_after_all(check=True)
    account = _account(connect, "telegram")
    link = connect.db.get(AccountConnection, account.id)
    assert account.status is AccountStatus.active and link is not None and link.webhook.startswith("set to https://")
    del telegram.bots(connect.sim)[bot.token]  # /revoke in @BotFather
    tasks.look_after_all(check=True)
    account = _account(connect, "telegram")
    link = connect.db.get(AccountConnection, account.id)
    assert account.status is AccountStatus.needs_attention
    assert link is not None and "Unauthorized" in link.attention
