"""The inbound providers, by the platform name in the webhook URL. Providers are listed only here."""

from __future__ import annotations

from civicloop.channels.base import Provider
from civicloop.channels.facebook.provider import FacebookProvider
from civicloop.channels.wechat.provider import WeChatProvider
from civicloop.channels.x.provider import XProvider
from civicloop.errors import NotFound

PROVIDERS: dict[str, Provider] = {
    provider.name: provider for provider in (FacebookProvider(), XProvider(), WeChatProvider())
}


def get(name: str) -> Provider:
    provider = PROVIDERS.get(name)
    if provider is None:
        raise NotFound(f"no webhook provider {name!r}")
    return provider
