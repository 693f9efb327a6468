"""X API v2 calls for replies, posts and DMs: OAuth 1.0a or OAuth 2.0 user tokens, weighted length.

Contract (platforms.md §2.5–2.6): ``POST /2/tweets`` with ``reply.in_reply_to_tweet_id`` answers
201 and ``{"data": {"id", "text"}}``; DMs go to ``POST /2/dm_conversations/with/{id}/messages``;
limits are read from ``x-rate-limit-*`` headers (429 until ``x-rate-limit-reset``; X sends no
``Retry-After``). A post counts 280 *weighted* characters: CJK and most scripts weigh 2, Latin and
Tibetan/Dzongkha 1, and every URL 23 (twitter-text v3 rules).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
import re
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

import httpx

from civicloop.channels.delivery import (
    Delivery,
    Next,
    SendError,
    Sent,
    classify_http,
    classify_transport,
)
from civicloop.config import get_settings
from civicloop.kit.clock import utcnow

POST_LIMIT = 280
DM_LIMIT = 10_000
URL_WEIGHT = 23
URL_RE = re.compile(r"https?://[^\s]+", re.IGNORECASE)
# twitter-text v3: code points in these ranges weigh 1, all others 2.
LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# Parts of an emoji sequence that add nothing to its weight of 2.
ZERO_WIDTH_JOINER = 0x200D
SILENT = ((0xFE00, 0xFE0F), (0x1F3FB, 0x1F3FF))
# How far back the duplicate check looks for a post an interrupted attempt may have created.
LOOKBACK = timedelta(minutes=2)

API_URL = "https://api.x.com"


def api_base() -> str:
    """The X API's base URL (``CIVICLOOP_X_API_URL`` points it elsewhere)."""
    return get_settings().api_url("x", API_URL)


def _weight(code_point: int) -> int:
    return 1 if any(low <= code_point <= high for low, high in LIGHT_RANGES) else 2


def _weigh_plain(text: str) -> int:
    total, joined = 0, False
    for char in text:
        cp = ord(char)
        if cp == ZERO_WIDTH_JOINER:
            joined = True
            continue
        if joined or any(low <= cp <= high for low, high in SILENT):
            joined = False
            continue
        total += _weight(cp)
    return total


def weighted_length(text: str) -> int:
    """The length X counts against the 280 limit (NFC-normalized, URLs as 23)."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for match in URL_RE.finditer(text):
        total += _weigh_plain(text[position : match.start()]) + URL_WEIGHT
        position = match.end()
    return total + _weigh_plain(text[position:])


# --- OAuth 1.0a (RFC 5849, HMAC-SHA1), as X documents in "Creating a signature" --------------------


def _enc(value: str) -> str:
    return quote(value, safe="")


def base_string_uri(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme.lower()}://{host}{port}{parts.path or '/'}"


def oauth1_signature(method: str, url: str, params: Mapping[str, str], consumer_secret: str, token_secret: str) -> str:
    """``oauth_signature`` over the method, the base URL and every query/form/oauth parameter."""
    pairs = sorted((_enc(k), _enc(v)) for k, v in params.items() if k != "oauth_signature")
    parameter_string = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join([method.upper(), _enc(base_string_uri(url)), _enc(parameter_string)])
    key = f"{_enc(consumer_secret)}&{_enc(token_secret)}"
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()


def oauth1_header(
    method: str, url: str, query: Mapping[str, str], credentials: Mapping[str, str], now: datetime
) -> str:
    oauth = {
        "oauth_consumer_key": credentials["consumer_key"],
        "oauth_nonce": secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(int(now.timestamp())),
        "oauth_token": credentials["access_token"],
        "oauth_version": "1.0",
    }
    oauth["oauth_signature"] = oauth1_signature(
        method, url, {**query, **oauth}, credentials["consumer_secret"], credentials["access_token_secret"]
    )
    return "OAuth " + ", ".join(f'{_enc(k)}="{_enc(v)}"' for k, v in sorted(oauth.items()))


def parse_oauth_header(header: str) -> dict[str, str]:
    from urllib.parse import unquote

    found = re.findall(r'([a-z_]+)="([^"]*)"', header.removeprefix("OAuth "))
    return {unquote(k): unquote(v) for k, v in found}


def can_post(credentials: Mapping[str, str]) -> bool:
    """User-context credentials: an OAuth 2.0 user token, or the four OAuth 1.0a values."""
    oauth1 = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
    return bool(credentials.get("bearer_token")) or all(credentials.get(name) for name in oauth1)


# --- the sender ------------------------------------------------------------------------------------


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"X answered {response.status_code}"
    detail = body.get("detail") or body.get("title") if isinstance(body, dict) else None
    errors = body.get("errors") if isinstance(body, dict) else None
    if not detail and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        detail = errors[0].get("message")
    return f"X answered {response.status_code}: {detail or 'no detail'}"


class XSender:
    platform = "x"

    def _url(self, path: str) -> str:
        return api_base() + path

    def _request(
        self,
        http: httpx.Client,
        method: str,
        path: str,
        credentials: Mapping[str, str],
        *,
        params: dict[str, str] | None = None,
        **kwargs: object,
    ) -> httpx.Response:
        url = self._url(path)
        if credentials.get("bearer_token"):
            authorization = f"Bearer {credentials['bearer_token']}"
        else:
            authorization = oauth1_header(method, url, params or {}, credentials, utcnow())
        try:
            return http.request(method, url, params=params, headers={"authorization": authorization}, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as exc:
            raise classify_transport(exc) from exc

    def _check(self, response: httpx.Response) -> dict[str, object]:
        if response.status_code >= 400:
            error = classify_http(response, utcnow(), _reason(response))
            if response.status_code in (401, 403) and error.next_step is Next.give_up:
                error.reason += " — check the account's X tokens and app permissions"
            raise error
        body = response.json()
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise SendError(f"X answered {response.status_code} without data", Next.check)
        return data

    def _upload(self, http: httpx.Client, delivery: Delivery) -> str:
        assert delivery.image_path is not None
        mime = mimetypes.guess_type(delivery.image_path.name)[0] or "application/octet-stream"
        files = {"media": (delivery.image_path.name, delivery.image_path.read_bytes(), mime)}
        response = self._request(
            http, "POST", "/2/media/upload", delivery.credentials, data={"media_category": "tweet_image"}, files=files
        )
        return str(self._check(response)["id"])

    def send(self, delivery: Delivery, http: httpx.Client) -> Sent:
        if delivery.route == "x_dm":
            assert delivery.recipient
            path = f"/2/dm_conversations/with/{delivery.recipient}/messages"
            data = self._check(self._request(http, "POST", path, delivery.credentials, json={"text": delivery.text}))
            return Sent(str(data["dm_event_id"]))
        body: dict[str, object] = {"text": delivery.text}
        if delivery.route == "x_reply":
            body["reply"] = {"in_reply_to_tweet_id": delivery.target}
        if delivery.image_path is not None:
            body["media"] = {"media_ids": [self._upload(http, delivery)]}
        data = self._check(self._request(http, "POST", "/2/tweets", delivery.credentials, json=body))
        tweet_id = str(data["id"])
        return Sent(tweet_id, f"https://x.com/i/web/status/{tweet_id}")

    def find(self, delivery: Delivery, http: httpx.Client) -> Sent | None:
        since = (delivery.attempt_started_at or utcnow()) - LOOKBACK
        user = delivery.account_external_id
        if delivery.route == "x_dm":
            assert delivery.recipient
            path = f"/2/dm_conversations/with/{delivery.recipient}/dm_events"
            params = {"dm_event.fields": "created_at,sender_id,text", "max_results": "50"}
            events = self._list(http, path, params, delivery)
            for event in events:
                if event.get("sender_id") == user and event.get("text") == delivery.text and _after(event, since):
                    return Sent(str(event["id"]))
            return None
        params = {"tweet.fields": "created_at,referenced_tweets", "max_results": "50"}
        for tweet in self._list(http, f"/2/users/{user}/tweets", params, delivery):
            if tweet.get("text") != delivery.text or not _after(tweet, since):
                continue
            references = tweet.get("referenced_tweets")
            replied = {
                r.get("id")
                for r in (references if isinstance(references, list) else [])
                if isinstance(r, dict) and r.get("type") == "replied_to"
            }
            if delivery.route == "x_post" or delivery.target in replied:
                return Sent(str(tweet["id"]), f"https://x.com/i/web/status/{tweet['id']}")
        return None

    def _list(
        self, http: httpx.Client, path: str, params: dict[str, str], delivery: Delivery
    ) -> list[dict[str, object]]:
        response = self._request(http, "GET", path, delivery.credentials, params=params)
        if response.status_code >= 400:
            raise classify_http(response, utcnow(), _reason(response))
        data = response.json().get("data") or []
        return [item for item in data if isinstance(item, dict)]


def _after(item: dict[str, object], since: datetime) -> bool:
    created = item.get("created_at")
    if not isinstance(created, str):
        return True
    try:
        return datetime.fromisoformat(created.replace("Z", "+00:00")) >= since
    except ValueError:
        return True
