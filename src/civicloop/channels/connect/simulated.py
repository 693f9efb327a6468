"""The connection flows against the platform simulator: every connector arranges its simulated platform
(this deployment's app registered with its exact redirect URIs, someone with something to connect), and
``CIVICLOOP_PLATFORM_APPS`` names those apps. ``civicloop demo`` does this on the simulator it serves, so an
administrator can click "Connect …" on the accounts page and finish on the simulated consent pages; the
connection tests use the same arrangement.
"""

from __future__ import annotations

import json
import os
from typing import Any

from civicloop.channels import registry


def apps() -> dict[str, dict[str, str]]:
    """``CIVICLOOP_PLATFORM_APPS`` for the apps the simulated platforms know."""
    found: dict[str, dict[str, str]] = {}
    for spec in registry.PLATFORMS.values():
        connector = spec.connector
        if connector is not None and connector.app_key and connector.simulated_app:
            found[connector.app_key] = dict(connector.simulated_app)
    return found


def use_apps() -> None:
    """Point this process at the simulated apps, unless the operator configured apps of their own."""
    os.environ.setdefault("CIVICLOOP_PLATFORM_APPS", json.dumps(apps()))


def arrange(state: Any, base_url: str) -> list[str]:
    """Arrange every connector's simulated platform for a CivicLoop served at ``base_url``; returns, per
    connectable platform, what to connect there ("Connect a … : …")."""
    base_url = base_url.rstrip("/")
    connectors = [(name, spec.connector) for name, spec in registry.PLATFORMS.items() if spec.connector is not None]
    hints = []
    for name, connector in connectors:
        # An app shared by several platforms (one Login) is registered with every one's callback.
        shared = [other for other, c in connectors if c.app_key and c.app_key == connector.app_key] or [name]
        uris = [f"{base_url}/connect/{platform}/callback" for platform in shared]
        hint = connector.simulate(state, redirect_uris=uris, base_url=base_url)
        if hint:
            hints.append(f"Connect {connector.article} {connector.label}: {hint}")
    return hints
