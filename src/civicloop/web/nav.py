"""The navigation bar: every entry, and who may see it.

An entry that only some roles may see is restricted by its domain's pages (``restrict``), so this
module, below the domains, imports none of them; until restricted, such an entry shows to nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from civicloop.auth.scope import Actor


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    visible: Callable[[Actor], bool] = lambda actor: True


def _nobody(actor: Actor) -> bool:
    return False


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
    NavItem("Records", "/records", _nobody),  # restricted by records.pages
    NavItem("Oversight", "/oversight", _nobody),  # restricted by oversight.pages
    NavItem("Moderation", "/moderation/appeals", _nobody),  # restricted by moderation.pages
]


def restrict(href: str, visible: Callable[[Actor], bool]) -> None:
    """Show the entry for ``href`` only to the actors ``visible`` accepts."""
    (index,) = [i for i, item in enumerate(NAV) if item.href == href]
    NAV[index] = NavItem(NAV[index].label, href, visible)


def items_for(actor: Actor | None) -> list[NavItem]:
    if actor is None:
        return []
    return [item for item in NAV if item.visible(actor)]
