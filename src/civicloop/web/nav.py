"""The navigation bar: which entries each role sees, and in which group.

An official sees what their roles use (docs/architecture.md, "Pages shaped by role"): an officer the
daily work (inbox, publishing, consultations, analysis); an agency head also the agency's approvals,
office access and scorecard; an agency administrator the agency's registry; national roles the
oversight, the registry and the audit log. Each entry's rule reads only the actor's roles, so this
module, below the domains, imports none of them. A domain may narrow an entry further (``restrict``,
as ``oversight.pages`` does with who sees alerts); the entry then shows only when both rules agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from civicloop.auth.models import Role
from civicloop.auth.scope import Actor

Rule = Callable[[Actor], bool]


def holds(*roles: Role) -> Rule:
    """True for an official holding one of ``roles`` in some agency or nationally."""
    wanted = frozenset(roles)

    def rule(actor: Actor) -> bool:
        return bool(actor.national & wanted) or any(held & wanted for held in actor.roles.values())

    return rule


def deputy(actor: Actor) -> bool:
    """True for an official named deputy approver for today by an agency head."""
    return bool(actor.deputy_for)


def either(first: Rule, second: Rule) -> Rule:
    return lambda actor: first(actor) or second(actor)


def _both(first: Rule, second: Rule) -> Rule:
    return lambda actor: first(actor) and second(actor)


OFFICER = Role.officer
HEAD = Role.agency_head
ANALYST = Role.analyst
ADMIN = Role.agency_admin
NATIONAL_ADMIN = Role.national_admin
AUDITOR = Role.auditor


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    visible: Rule = lambda actor: True
    group: str = "Work"


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: list[NavItem]


# Group labels, in the order the bar shows them.
GROUPS = ["Work", "Consultations", "Agency", "National"]

NAV: list[NavItem] = [
    NavItem("Inbox", "/inbox", holds(OFFICER, HEAD, NATIONAL_ADMIN), "Work"),
    NavItem("Publishing", "/publishing", holds(OFFICER, HEAD, NATIONAL_ADMIN), "Work"),
    NavItem("Response times", "/metrics", holds(OFFICER, HEAD, ADMIN, NATIONAL_ADMIN, AUDITOR), "Work"),
    NavItem("Consultations", "/consultations", holds(OFFICER, HEAD, ANALYST, NATIONAL_ADMIN, AUDITOR), "Consultations"),
    NavItem("Analysis", "/analysis", holds(OFFICER, HEAD, ANALYST, NATIONAL_ADMIN), "Consultations"),
    NavItem("Approvals", "/guidelines/approvals", either(holds(HEAD, NATIONAL_ADMIN), deputy), "Agency"),
    NavItem("Deputy", "/deputies", holds(HEAD), "Agency"),
    NavItem("Guidelines", "/guidelines", holds(HEAD, ADMIN, NATIONAL_ADMIN), "Agency"),
    NavItem("Office access", "/access", holds(HEAD, ADMIN, NATIONAL_ADMIN, AUDITOR), "Agency"),
    NavItem("Scorecard", "/oversight", holds(HEAD, ADMIN, ANALYST, OFFICER), "Agency"),
    NavItem("Office hours", "/calendar", holds(ADMIN, NATIONAL_ADMIN), "Agency"),
    NavItem("Officials", "/officials", holds(ADMIN), "Agency"),
    NavItem("Accounts", "/accounts", holds(ADMIN, HEAD), "Agency"),
    NavItem("Records", "/records", holds(HEAD), "Agency"),  # narrowed by records.pages
    NavItem("Moderation", "/moderation/appeals", holds(HEAD), "Agency"),  # narrowed by moderation.pages
    NavItem("Oversight", "/oversight", holds(NATIONAL_ADMIN, AUDITOR), "National"),
    NavItem("Agencies", "/agencies", holds(NATIONAL_ADMIN, AUDITOR), "National"),
    NavItem("Officials", "/officials", holds(NATIONAL_ADMIN), "National"),
    NavItem("Accounts", "/accounts", holds(NATIONAL_ADMIN, AUDITOR), "National"),
    NavItem("Audit log", "/audit", holds(NATIONAL_ADMIN, AUDITOR), "National"),
    NavItem("Records", "/records", holds(NATIONAL_ADMIN, AUDITOR), "National"),
    NavItem("Moderation", "/moderation/appeals", holds(NATIONAL_ADMIN, AUDITOR), "National"),
]


def restrict(href: str, visible: Rule) -> None:
    """Show the entries for ``href`` only to the actors ``visible`` accepts as well as their own rule."""
    for index, item in enumerate(NAV):
        if item.href == href:
            NAV[index] = replace(item, visible=_both(item.visible, visible))


def items_for(actor: Actor | None) -> list[NavItem]:
    """The entries ``actor`` sees, one per address (a national role's entry wins over the agency's)."""
    if actor is None:
        return []
    seen: dict[str, NavItem] = {}
    for item in NAV:
        if item.visible(actor):
            if item.href in seen and item.group != "National":
                continue
            seen[item.href] = item
    return list(seen.values())


def groups_for(actor: Actor | None) -> list[NavGroup]:
    """``items_for`` grouped, in ``GROUPS`` order, empty groups left out."""
    items = items_for(actor)
    groups = [NavGroup(label, [item for item in items if item.group == label]) for label in GROUPS]
    return [group for group in groups if group.items]
