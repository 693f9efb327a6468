"""The navigation bar: each domain adds its entries here, with who may see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from civicloop.auth.scope import Actor


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    visible: Callable[[Actor], bool] = lambda actor: True


NAV: list[NavItem] = [
    NavItem("Home", "/"),
    NavItem("Agencies", "/agencies"),
    NavItem("Officials", "/officials"),
    NavItem("Accounts", "/accounts"),
    NavItem("Audit log", "/audit"),
]


def items_for(actor: Actor | None) -> list[NavItem]:
    if actor is None:
        return []
    return [item for item in NAV if item.visible(actor)]
