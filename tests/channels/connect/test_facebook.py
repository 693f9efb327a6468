"""Connecting a Facebook Page and an Instagram account with Facebook Login, against the simulated platform:
the happy path, and each way it can go wrong leaving nothing half-connected."""

from __future__ import annotations

from sqlalchemy import func, select

from civicloop.agencies.models import AccountStatus, OfficialAccount
from civicloop.channels.connect.models import AccountConnection, ConnectAttempt
from civicloop.channels.meta import simulator as meta_login
from civicloop.channels.meta.graph_state import facebook_graph
from civicloop.channels.simulator.state import Fault
from civicloop.kit.clock import FixedClock
from tests.channels.connect.conftest import IG, PAGE, PERSON, Connect, consent, query_of, start
from tests.conftest import shared_app
from tests.factories import create_official, csrf_from, login


def _accounts(scene: Connect) -> list[OfficialAccount]:
    scene.db.rollback()
    return list(scene.db.scalars(select(OfficialAccount)))


def _choose(scene: Connect, attempt_page: str, external_id: str):  # type: ignore[no-untyped-def]
    attempt_id = int(attempt_page.split('action="/connect/attempts/')[1].split('"')[0])
    return scene.client.post(
        f"/connect/attempts/{attempt_id}",
        data={"external_id": external_id, "csrf_token": csrf_from(attempt_page)},
        follow_redirects=False,
    )


def test_a_page_is_connected_with_a_long_lived_token_and_subscribed_to_its_webhooks(connect: Connect) -> None:
    authorize = start(connect.client, connect.agency, "facebook")
    assert "/facebook/v25.0/dialog/oauth?" in authorize
    params = query_of(authorize)
    assert params["client_id"] == "1234567890123"
    assert params["redirect_uri"] == f"{connect.base_url}/connect/facebook/callback"
    assert "pages_messaging" in params["scope"].split(",")

    back = consent(authorize)
    page = connect.client.get(back)
    assert page.status_code == 200, page.text
    assert "Thimphu Thromde" in page.text
    done = _choose(connect, page.text, PAGE)
    assert done.status_code == 303, done.text

    [account] = _accounts(connect)
    assert (account.platform, account.external_id, account.status) == ("facebook", PAGE, AccountStatus.active)
    token = account.credentials["page_access_token"]
    # A Page token from a long-lived user token: it never expires, and Graph calls accept it for this Page.
    assert facebook_graph(connect.sim).page_tokens[token] == PAGE
    assert meta_login.login(connect.sim).tokens[token].expires_at is None
    assert account.token_expires_at is None
    assert meta_login.meta(connect.sim).pages[PAGE].subscribed == {"1234567890123": ("feed", "messages")}
    exchanges = connect.sim.calls("meta.access_token")
    assert [c.query.get("grant_type") for c in exchanges] == [None, "fb_exchange_token"]
    link = connect.db.get(AccountConnection, account.id)
    assert link is not None and link.method == "oauth" and "pages_messaging" in (link.scopes_granted or [])

    health = connect.client.get(f"/accounts/{account.id}/health")
    assert health.status_code == 200
    assert "subscribed" in health.text and "does not expire" in health.text


def test_an_instagram_account_is_found_through_the_page_it_is_linked_to(connect: Connect) -> None:
    back = consent(start(connect.client, connect.agency, "instagram"))
    page = connect.client.get(back)
    assert "@thimphuthromde" in page.text and "linked to the Page Thimphu Thromde" in page.text
    assert _choose(connect, page.text, IG).status_code == 303
    [account] = _accounts(connect)
    assert (account.platform, account.external_id) == ("instagram", IG)
    assert account.credentials["page_id"] == PAGE


def test_the_code_is_single_use_and_the_state_is_spent(connect: Connect) -> None:
    back = consent(start(connect.client, connect.agency, "facebook"))
    assert connect.client.get(back).status_code == 200
    again = connect.client.get(back)
    assert again.status_code == 422 and "already used" in again.text
    # The simulated Graph API also refuses a second exchange of the same code.
    assert _accounts(connect) == []


def test_an_expired_authorization_code_is_refused_with_facebooks_reason(connect: Connect, clock: FixedClock) -> None:
    back = consent(start(connect.client, connect.agency, "facebook"))
    clock.advance(minutes=11)  # Facebook's codes live 10 minutes; our attempt lives 15
    page = connect.client.get(back)
    assert page.status_code == 400
    assert "This authorization code has expired." in page.text and "36007" in page.text
    assert _accounts(connect) == []


def test_a_callback_from_another_sign_in_is_refused(connect: Connect) -> None:
    from fastapi.testclient import TestClient

    back = consent(start(connect.client, connect.agency, "facebook"))
    other = create_official(connect.db, "agency_admin@THROMDE", email="other@thromde.example")
    with TestClient(shared_app(), base_url=connect.base_url) as intruder:
        login(intruder, other)
        refused = intruder.get(back)
    assert refused.status_code == 403 and "another sign-in" in refused.text
    assert _accounts(connect) == []


def test_a_person_without_a_moderating_role_on_the_page_cannot_connect_it(connect: Connect) -> None:
    meta_login.add_page(connect.sim, PAGE, "Thimphu Thromde", person_id=PERSON, tasks=("ANALYZE",))
    page = connect.client.get(consent(start(connect.client, connect.agency, "facebook")))
    assert "your role on this Page does not allow it" in page.text
    assert 'action="/connect/attempts/' not in page.text  # no Connect button for it
    attempt = connect.db.scalar(select(ConnectAttempt))
    assert attempt is not None
    forced = connect.client.post(
        f"/connect/attempts/{attempt.id}",
        data={"external_id": PAGE, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert forced.status_code == 422 and "does not allow it" in forced.text
    assert _accounts(connect) == []


def test_a_declined_permission_is_named(connect: Connect) -> None:
    page = connect.client.get(consent(start(connect.client, connect.agency, "facebook"), untick=("pages_messaging",)))
    assert "you did not allow pages_messaging" in page.text


def test_the_person_cancelling_leaves_nothing(connect: Connect) -> None:
    page = connect.client.get(consent(start(connect.client, connect.agency, "facebook"), decision="cancel"))
    assert page.status_code == 400 and "did not grant access" in page.text and "access_denied" in page.text
    assert _accounts(connect) == []


def test_facebook_failing_while_subscribing_leaves_nothing_half_connected(connect: Connect) -> None:
    page = connect.client.get(consent(start(connect.client, connect.agency, "facebook")))
    connect.sim.inject("meta.subscribed_apps", Fault(status=500))
    failed = _choose(connect, page.text, PAGE)
    assert failed.status_code == 422
    assert "Facebook refused subscribing the app to the Page" in failed.text and "unexpected error" in failed.text
    assert _accounts(connect) == []
    assert connect.db.scalar(select(func.count()).select_from(AccountConnection)) == 0
    # The attempt is still open: trying again works.
    assert _choose(connect, page.text, PAGE).status_code == 303
    assert [a.status for a in _accounts(connect)] == [AccountStatus.active]


def test_the_attempt_expires(connect: Connect, clock: FixedClock) -> None:
    authorize = start(connect.client, connect.agency, "facebook")
    back = consent(authorize)
    clock.advance(minutes=16)
    page = connect.client.get(back)
    assert page.status_code == 400 and "expired" in page.text
    assert connect.client.get("/connect/facebook/callback?state=forged&code=x").status_code == 422


def test_the_api_refuses_a_page_without_a_working_token_with_the_reason(connect: Connect) -> None:
    headers = {"X-CSRF-Token": csrf_from(connect.client.get("/accounts").text)}
    body = {"agency_code": "THROMDE", "platform": "facebook", "external_id": PAGE, "name": "Thromde"}
    credentials = {"app_secret": "abc", "verify_token": "tok"}
    missing = connect.client.post("/api/v1/accounts", headers=headers, json={**body, "credentials": credentials})
    assert missing.status_code == 422 and "no Page token" in missing.json()["error"]["message"]
    wrong = connect.client.post(
        "/api/v1/accounts",
        headers=headers,
        json={**body, "credentials": {**credentials, "page_access_token": "EAAG-x"}},
    )
    assert wrong.status_code == 422 and "Invalid OAuth access token" in wrong.json()["error"]["message"]
    assert _accounts(connect) == []


def test_an_officer_cannot_connect_accounts(connect: Connect) -> None:
    from fastapi.testclient import TestClient

    officer = create_official(connect.db, "officer@THROMDE", email="officer@thromde.example")
    with TestClient(shared_app(), base_url=connect.base_url) as client:
        login(client, officer)
        assert "Connect a Facebook Page" not in client.get("/accounts").text
        assert client.get(f"/agencies/{connect.agency.id}/connect/telegram").status_code == 403
        refused = client.get(f"/agencies/{connect.agency.id}/connect/facebook", follow_redirects=False)
        assert refused.status_code == 303 and refused.headers["location"] == "/accounts"
    connect.db.rollback()
    assert connect.db.scalar(select(func.count()).select_from(ConnectAttempt)) == 0
