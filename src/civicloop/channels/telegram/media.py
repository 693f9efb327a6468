"""Downloading the files citizens send a bot: ``getFile`` with the message's ``file_id``, then the file
at ``/file/bot<token>/<file_path>`` (core.telegram.org/bots/api#getfile). Bots may download files of up to
20 MB; the link is good for at least an hour, and ``getFile`` gives a new one after that."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from civicloop.channels.base import AppAccount
from civicloop.channels.media.download import Got, Refused, Wanted, size, stream, too_large
from civicloop.errors import PayloadTooLarge

BOT_FILE_LIMIT = 20 * 1_048_576  # what the Bot API lets a bot download


class TelegramMedia:
    def __init__(self, api_url: Callable[[], str]) -> None:
        self._api_url = api_url

    def download(
        self, account: AppAccount, wanted: Wanted, http: httpx.Client, *, limit: int, token: Callable[[str | None], str]
    ) -> Got:
        bot = account.credentials.get("bot_token", "")
        if not bot:
            raise Refused("the account has no bot_token to ask Telegram for the file with")
        if not wanted.media_id:
            raise Refused("Telegram gave no file_id for the file")
        base = self._api_url()
        response = http.get(f"{base}/bot{bot}/getFile", params={"file_id": wanted.media_id})
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            status = response.status_code
            raise Refused(f"Telegram answered getFile with HTTP {status} and no JSON", retry=status >= 500)
        if not body.get("ok"):
            description = str(body.get("description") or f"HTTP {response.status_code}")
            if "too big" in description:
                raise PayloadTooLarge(
                    f"Telegram lets bots download files of up to {size(BOT_FILE_LIMIT)} ({description})"
                )
            code = body.get("error_code")
            hint = ": the bot token was revoked, connect the bot again" if code == 401 else ""
            retry = isinstance(code, int) and (code >= 500 or code == 429)
            raise Refused(f"Telegram refused getFile: {description}{hint}", retry=retry)
        found = body.get("result")
        result: dict[str, Any] = found if isinstance(found, dict) else {}
        declared, path = result.get("file_size"), str(result.get("file_path") or "")
        if isinstance(declared, int) and declared > limit:
            raise too_large(limit)
        if not path:
            raise Refused("Telegram gave no file_path for the file")
        # The link carries the bot's token: it is used here and never stored.
        return stream(http, f"{base}/file/bot{bot}/{path}", limit=limit, label="Telegram")
