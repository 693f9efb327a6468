"""Single sign-on as an official goes through it, in a real Chromium, against the real provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from civicloop.config import reset_settings
from tests.factories import create_agency, create_official
from tests.foundation.test_oidc import running_provider

pytestmark = pytest.mark.browser


@pytest.fixture
def provider_for_browser(live_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The provider, with this live server's address as the deployment's (the redirect URI)."""
    monkeypatch.setenv("CIVICLOOP_BASE_URL", live_server)
    reset_settings()
    yield from running_provider(monkeypatch)
    monkeypatch.delenv("CIVICLOOP_BASE_URL")
    reset_settings()


def test_an_official_signs_in_with_the_government_account(  # type: ignore[no-untyped-def]
    db: Session, page, provider_for_browser: str
) -> None:
    create_agency(db, "THROMDE", name="Thimphu Thromde")
    create_official(db, "officer@THROMDE", email="karma@thromde.gov.bt", name="Karma Dorji")
    page.goto("/login")
    page.get_by_role("link", name="Sign in with your government account").click()
    page.wait_for_url(f"{provider_for_browser}/**")
    page.locator('input[name="login"]').fill("karma@thromde.gov.bt")
    page.locator('input[name="password"]').fill("the provider checks this, not CivicLoop")
    page.locator('button[type="submit"]').click()
    page.locator('button[type="submit"]').click()  # the provider's consent
    expect(page.locator(".who")).to_have_text("Karma Dorji")
    expect(page.get_by_role("link", name="Thimphu Thromde").first).to_be_visible()
