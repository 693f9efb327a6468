"""The platforms, each declared in its own folder (``channels/<platform>/__init__.py``). Adding a
platform is one folder and one line here; everything else asks this module."""

from __future__ import annotations

from civicloop.agencies import platforms as account_platforms
from civicloop.channels import delivery, facebook, instagram, telegram, web, wechat, x, youtube
from civicloop.channels.base import Parser, Provider
from civicloop.channels.spec import PlatformSpec, RouteSpec
from civicloop.errors import Invalid, NotFound
from civicloop.web import badges

PLATFORMS: dict[str, PlatformSpec] = {}
PROVIDERS: dict[str, Provider] = {}
# What parses a platform's stored events, whether they came by webhook or by polling.
PARSERS: dict[str, Parser] = {}
ROUTES: dict[str, RouteSpec] = {}


def register(spec: PlatformSpec) -> None:
    """List a platform: its name, credentials and routes become accepted everywhere (the platform and
    route columns, requests, every list the product shows)."""
    taken = [r.route for r in spec.routes if r.route in ROUTES and ROUTES[r.route] is not r]
    if taken:
        raise ValueError(f"{spec.name}: routes {taken} are already declared by another platform")
    PLATFORMS[spec.name] = spec
    if spec.provider is not None:
        PROVIDERS[spec.name] = spec.provider
        PARSERS[spec.name] = spec.provider
    if spec.poller is not None:
        PARSERS[spec.name] = spec.poller
    for route in spec.routes:
        ROUTES[route.route] = route
        delivery.ROUTES.add(route.route)
    account_platforms.register(spec.account_platform())
    if spec.badge is not None:
        badges.TONES[spec.name] = spec.badge


def unregister(name: str) -> None:
    """Take a platform off the lists again (a platform registered by a test, once it is done)."""
    spec = PLATFORMS.pop(name)
    PROVIDERS.pop(name, None)
    PARSERS.pop(name, None)
    for route in spec.routes:
        ROUTES.pop(route.route, None)
        delivery.ROUTES.discard(route.route)
    account_platforms.unregister(name)
    badges.TONES.pop(name, None)


# The platforms, one line each.
register(facebook.SPEC)
register(x.SPEC)
register(wechat.SPEC)
register(telegram.SPEC)
register(instagram.SPEC)
register(youtube.SPEC)
register(web.SPEC)


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


def answers_a_form(route: str) -> bool:
    """Whether the route answers a feedback form's citizen (by email, with a subject; no platform object)."""
    return any(s.form_reply is not None and s.form_reply.route == route for s in PLATFORMS.values())


def publishable() -> list[PlatformSpec]:
    """The platforms an agency can post to."""
    return [s for s in PLATFORMS.values() if s.post is not None]
