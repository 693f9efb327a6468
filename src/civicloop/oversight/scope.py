"""Who sees which oversight figures (docs/oversight.md has the table).

National roles (``national_admin``, ``auditor``) see every agency. Inside an agency, its head, its
administrator and its analysts see its scorecard and alerts; officers see its alerts (they answer the
spikes) but not the scorecard. Only ``national_admin`` and the agency's head or administrator change
an alert's state; auditors change nothing.
"""

from __future__ import annotations

from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.errors import Forbidden

SCORECARD_ROLES = frozenset({Role.agency_head, Role.agency_admin, Role.analyst})
ALERT_VIEW_ROLES = SCORECARD_ROLES | {Role.officer}
ALERT_MANAGE_ROLES = frozenset({Role.agency_head, Role.agency_admin})


def _agencies_with(actor: Actor, roles: frozenset[Role]) -> set[int] | None:
    if actor.sees_all:
        return None
    return {agency_id for agency_id, held in actor.roles.items() if held & roles}


def scorecard_agency_ids(actor: Actor) -> set[int] | None:
    """Agencies whose scorecard ``actor`` may read; None means all."""
    return _agencies_with(actor, SCORECARD_ROLES)


def alert_agency_ids(actor: Actor) -> set[int] | None:
    return _agencies_with(actor, ALERT_VIEW_ROLES)


def sees_oversight(actor: Actor) -> bool:
    visible = scorecard_agency_ids(actor)
    return visible is None or bool(visible)


def sees_alerts(actor: Actor) -> bool:
    visible = alert_agency_ids(actor)
    return visible is None or bool(visible)


def _require(actor: Actor, agency_id: int, visible: set[int] | None, refusal: str) -> None:
    if visible is None or agency_id in visible:
        return
    actor.require_view(agency_id)  # 404 for another agency's figures: not even their existence
    raise Forbidden(refusal)


def require_scorecard(actor: Actor, agency_id: int) -> None:
    _require(
        actor,
        agency_id,
        scorecard_agency_ids(actor),
        "the scorecard is for the agency's head, administrator and analysts, and national oversight",
    )


def require_alert_view(actor: Actor, agency_id: int) -> None:
    _require(actor, agency_id, alert_agency_ids(actor), "alerts are for the agency's staff and national oversight")


def require_alert_manage(actor: Actor, agency_id: int) -> None:
    require_alert_view(actor, agency_id)
    if actor.is_national_admin or actor.roles.get(agency_id, frozenset()) & ALERT_MANAGE_ROLES:
        return
    raise Forbidden("changing an alert needs the agency head, its administrator, or national_admin")


def require_national(actor: Actor) -> None:
    if not actor.sees_all:
        raise Forbidden("this needs a national role (national_admin or auditor)")
