"""Failed sign-ins are counted atomically per email and per client address, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicloop.config import get_settings
from civicloop.kit.http import tls_context
from tests.factories import PASSWORD, create_agency, create_official, csrf_from

PARALLEL = 30


def _attempt(base_url: str, email: str, password: str, barrier: threading.Barrier, results: list[int]) -> None:
    with httpx.Client(base_url=base_url, timeout=60, verify=tls_context()) as http:
        token = csrf_from(http.get("/login").text)
        barrier.wait()
        response = http.post("/login", data={"email": email, "password": password, "csrf_token": token})
        results.append(response.status_code)


def test_parallel_wrong_passwords_are_checked_no_more_often_than_the_limit(db: Session, live_server: str) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    barrier = threading.Barrier(PARALLEL)
    results: list[int] = []
    threads = [
        threading.Thread(target=_attempt, args=(live_server, official.email, "wrong-password", barrier, results))
        for _ in range(PARALLEL)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(results) == {
        401: get_settings().login_max_failures,
        429: PARALLEL - get_settings().login_max_failures,
    }
    with httpx.Client(base_url=live_server, verify=tls_context()) as http:
        token = csrf_from(http.get("/login").text)
        locked = http.post("/login", data={"email": official.email, "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 429


def test_one_address_trying_many_emails_is_throttled_too(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    limit = get_settings().login_max_failures_per_client
    for n in range(limit):
        token = csrf_from(client.get("/login").text)
        bad = client.post("/login", data={"email": f"guess{n}@test.example", "password": "x", "csrf_token": token})
        assert bad.status_code == 401
    token = csrf_from(client.get("/login").text)
    locked = client.post("/login", data={"email": official.email, "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 429
    assert "too many failed sign-ins from your address" in locked.text
    assert int(locked.headers["retry-after"]) > 0


def test_a_successful_sign_in_clears_the_count_for_the_email(db: Session, client: TestClient) -> None:
    create_agency(db, "MOIT")
    official = create_official(db, "officer@MOIT")
    for _ in range(2):
        for password in ["wrong"] * (get_settings().login_max_failures - 1) + [PASSWORD]:
            token = csrf_from(client.get("/login").text)
            client.post("/login", data={"email": official.email, "password": password, "csrf_token": token})
        form = csrf_from(client.get("/").text)
        client.post("/logout", data={"csrf_token": form})
    token = csrf_from(client.get("/login").text)
    ok = client.post(
        "/login", data={"email": official.email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert ok.status_code == 303
