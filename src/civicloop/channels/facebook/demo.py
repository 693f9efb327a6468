"""The demo's Facebook Pages: one per demo agency, with the credentials the simulator signs with."""

from __future__ import annotations

from civicloop.channels.spec import DemoSide

APP_SECRET = "demo-meta-app-secret-0f3c9a"  # noqa: S105 - the demo's, known to the simulator
VERIFY_TOKEN = "demo-verify-token"  # noqa: S105
PAGES = {
    "DOIM": "104512233445566",
    "MOIT": "104598877665544",
    "THROMDE": "104577788899900",
    "PUNAKHA": "104566655544433",
}


def _account(agency_code: str) -> tuple[str, dict[str, str]]:
    page = PAGES[agency_code]
    return page, {"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN, "page_access_token": f"EAAdemo{page}"}


def _sent_post(page: str, batch: int, number: int) -> tuple[str, str | None]:
    post_id = f"{page}_{9_000_000 + batch * 100 + number}"
    return post_id, f"https://www.facebook.com/{post_id}"


DEMO = DemoSide("Facebook Page", _account, _sent_post)
