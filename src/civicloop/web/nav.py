"""The navigation bar: each domain adds its entries here, with who may see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from civicloop.auth.scope import Actor
from civicloop.oversight.scope import sees_alerts


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    visible: Callable[[Actor], bool] = lambda actor: True


NAV: list[NavItem] = [
    NavItem("Home", "/"),
    NavItem("Inbox", "/inbox"),
    NavItem("Response times", "/metrics"),
    NavItem("Calendar", "/calendar"),
    NavItem("Agencies", "/agencies"),
    NavItem("Officials", "/officials"),
    NavItem("Accounts", "/accounts"),
    NavItem("Consultations", "/consultations"),
    NavItem("Analysis", "/analysis"),
    NavItem("Publishing", "/publishing"),
    NavItem("Guidelines", "/guidelines"),
    NavItem("Office access", "/access"),
    NavItem("Audit log", "/audit"),
    NavItem("Oversight", "/oversight", sees_alerts),
]


def items_for(actor: Actor | None) -> list[NavItem]:
    if actor is None:
        return []
    return [item for item in NAV if item.visible(actor)]
