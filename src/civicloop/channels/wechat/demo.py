"""The demo's WeChat Official Accounts: one per demo agency, with the token the simulator signs with.
Followers answer an announcement by a message quoting its code (an Official Account's mass message
takes no comments)."""

from __future__ import annotations

from civicloop.channels.spec import DemoSide

TOKEN = "demowechattoken"  # noqa: S105 - the demo's, known to the simulator
ACCOUNTS = {
    "DOIM": "gh_d01m0000a1b2",
    "MOIT": "gh_m017000c3d4",
    "THROMDE": "gh_7h40de00e5f6",
    "PUNAKHA": "gh_9un4kh00a7b8",
}


def _account(agency_code: str) -> tuple[str, dict[str, str]]:
    original_id = ACCOUNTS[agency_code]
    return original_id, {"app_id": f"wx{original_id[3:]}demo", "app_secret": "demo-wechat-app-secret", "token": TOKEN}


def _sent_post(original_id: str, batch: int, number: int) -> tuple[str, str | None]:
    return f"wechat-mass-{batch}-{number}", None


DEMO = DemoSide("WeChat", _account, _sent_post, answers_by_message=True)
