"""The demo's X accounts: one per demo agency, with the credentials the simulator signs with."""

from __future__ import annotations

from civicloop.channels.spec import DemoSide

CONSUMER_SECRET = "demo-x-consumer-secret-77ab21"  # noqa: S105 - the demo's, known to the simulator
# Posting uses OAuth 1.0a, which needs the app's consumer key beside its secret.
CONSUMER_KEY = "demo-x-consumer-key"
USERS = {
    "DOIM": "1450011223344556677",
    "MOIT": "1450099887766554433",
    "THROMDE": "1450055566677788899",
    "PUNAKHA": "1450044433322211100",
}


def _account(agency_code: str) -> tuple[str, dict[str, str]]:
    user = USERS[agency_code]
    return user, {
        "consumer_secret": CONSUMER_SECRET,
        "access_token": f"{user}-demo",
        "access_token_secret": "demo-access-secret",
        "consumer_key": f"{CONSUMER_KEY}-{agency_code.lower()}",
    }


def _sent_post(user: str, batch: int, number: int) -> tuple[str, str | None]:
    post_id = str(1_870_000_000_000_000_000 + batch * 100 + number)
    return post_id, f"https://x.com/i/web/status/{post_id}"


DEMO = DemoSide("X", _account, _sent_post)
