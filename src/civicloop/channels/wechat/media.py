"""Downloading what followers send an Official Account: images, voice notes and videos come with a
``MediaId`` that ``GET /cgi-bin/media/get?access_token=…&media_id=…`` turns into the file (WeChat keeps such
temporary media three days). Images and voice come back as the file itself; a video as ``{"video_url": …}``
to download; a refusal as HTTP 200 with ``{"errcode", "errmsg"}``
(developers.weixin.qq.com, "Get temporary materials")."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from civicloop.channels.base import AppAccount
from civicloop.channels.delivery import Next, SendError
from civicloop.channels.media.download import Got, Refused, Wanted, stream

STALE_TOKEN = frozenset({40001, 40014, 42001})  # the cached token was retired or expired: fetch a new one
BUSY = frozenset({-1, 45009})  # system busy, API call quota reached: later


def _error_of(got: Got) -> dict[str, Any] | None:
    """The JSON WeChat answers instead of a file (an error, or a video's link), else None."""
    if not got.data.startswith(b"{") or len(got.data) > 65_536:
        return None
    try:
        body = json.loads(got.data)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


class WeChatMedia:
    def __init__(self, api_url: Callable[[], str]) -> None:
        self._api_url = api_url

    def download(
        self, account: AppAccount, wanted: Wanted, http: httpx.Client, *, limit: int, token: Callable[[str | None], str]
    ) -> Got:
        if not wanted.media_id:
            if wanted.url:
                return stream(http, wanted.url, limit=limit, label="WeChat")
            raise Refused("WeChat gave no MediaId for the file")
        refused: str | None = None
        for _ in range(2):
            try:
                value = token(refused)
            except SendError as exc:
                raise Refused(f"no WeChat access token: {exc.reason}", retry=exc.next_step is not Next.give_up) from exc
            url = httpx.URL(
                f"{self._api_url()}/cgi-bin/media/get", params={"access_token": value, "media_id": wanted.media_id}
            )
            got = stream(http, str(url), limit=limit, label="WeChat")
            body = _error_of(got)
            if body is None:
                return got
            if isinstance(body.get("video_url"), str) and body["video_url"]:
                return stream(http, body["video_url"], limit=limit, label="WeChat")
            code = body.get("errcode")
            if code in STALE_TOKEN and refused is None:
                refused = value
                continue
            reason = f"WeChat refused media/get: {code} {str(body.get('errmsg') or '').split(' rid:')[0]}".strip()
            if code == 40007:
                reason += " (WeChat keeps what followers send for three days: the file is gone or was never there)"
            raise Refused(reason, retry=code in BUSY)
        raise Refused("WeChat refused a freshly fetched access token for media/get")
