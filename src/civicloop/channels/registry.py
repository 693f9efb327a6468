"""The platforms, each declared in its own folder (``channels/<platform>/__init__.py``). Adding a
platform is one folder and one line here; everything else asks this module."""

from __future__ import annotations

from civicloop.agencies import platforms as account_platforms
from civicloop.channels import facebook, instagram, telegram, web, wechat, x, youtube
from civicloop.channels.base import Parser, Provider
from civicloop.channels.spec import PlatformSpec, RouteSpec
from civicloop.errors import Invalid, NotFound

PLATFORMS: dict[str, PlatformSpec] = {
    spec.name: spec
    for spec in (
        facebook.SPEC,
        x.SPEC,
        wechat.SPEC,
        telegram.SPEC,
        instagram.SPEC,
        youtube.SPEC,
        web.SPEC,
    )
}
PROVIDERS: dict[str, Provider] = {s.name: s.provider for s in PLATFORMS.values() if s.provider is not None}
# What parses a platform's stored events, whether they came by webhook or by polling.
PARSERS: dict[str, Parser] = {s.name: s.provider for s in PLATFORMS.values() if s.provider is not None} | {
    s.name: s.poller for s in PLATFORMS.values() if s.poller is not None
}
ROUTES: dict[str, RouteSpec] = {r.route.value: r for s in PLATFORMS.values() for r in s.routes}
for _spec in PLATFORMS.values():
    account_platforms.register(_spec.account_platform())


def spec(name: str) -> PlatformSpec:
    found = PLATFORMS.get(str(name))
    if found is None:
        allowed = ", ".join(PLATFORMS)
        raise Invalid(f"unknown platform {name!r}; use one of {allowed}", field="platform")
    return found


def get(name: str) -> Provider:
    """The webhook provider named in a webhook URL."""
    provider = PROVIDERS.get(name)
    if provider is None:
        raise NotFound(f"no webhook provider {name!r}")
    return provider


def parser(name: str) -> Parser:
    """What parses a stored event of the platform ``name``."""
    found = PARSERS.get(name)
    if found is None:
        raise NotFound(f"no parser for platform {name!r}")
    return found


def pollers() -> list[PlatformSpec]:
    """The platforms whose events are fetched by polling their API (no webhooks)."""
    return [s for s in PLATFORMS.values() if s.poller is not None]


def label(name: str) -> str:
    found = PLATFORMS.get(str(name))
    return found.label if found is not None else str(name)


def labels() -> dict[str, str]:
    return {name: s.label for name, s in PLATFORMS.items()}


def social() -> list[PlatformSpec]:
    """The social media platforms (every platform but the web form)."""
    return [s for s in PLATFORMS.values() if s.social]


def listed(names: list[str], last: str = "or") -> str:
    """Labels in prose: "Facebook, X or WeChat"."""
    labels_ = [label(n) for n in names]
    return labels_[0] if len(labels_) == 1 else f"{', '.join(labels_[:-1])} {last} {labels_[-1]}"


def social_names() -> str:
    return listed([s.name for s in social()])


def publishable() -> list[PlatformSpec]:
    """The platforms an agency can post to."""
    return [s for s in PLATFORMS.values() if s.post is not None]
