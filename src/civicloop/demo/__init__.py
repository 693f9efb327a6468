"""The demo: realistic agencies, officials and accounts, built by the same services the product uses.

Each domain contributes a seeding step to ``SEEDERS``; ``seed`` runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from civicloop.demo.foundation import DEMO_PASSWORD, DemoWorld, seed_foundation

__all__ = ["DEMO_PASSWORD", "SEEDERS", "DemoWorld", "seed"]

Seeder = Callable[[Session, DemoWorld], None]
SEEDERS: list[Seeder] = []


def seed(session: Session) -> DemoWorld:
    world = seed_foundation(session)
    for seeder in SEEDERS:
        seeder(session, world)
        session.flush()
    return world
