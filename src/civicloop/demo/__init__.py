"""The demo: realistic agencies, officials and accounts, built by the same services the product uses.

Each domain contributes a seeding step to ``SEEDERS``; ``seed`` runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from civicloop.demo.access import seed_access
from civicloop.demo.accountability import seed_accountability
from civicloop.demo.analysis import seed_analysis
from civicloop.demo.channels import seed_channels
from civicloop.demo.consultations import seed_consultations
from civicloop.demo.foundation import DEMO_PASSWORD, DemoWorld, seed_foundation
from civicloop.demo.guidelines import seed_guidelines
from civicloop.demo.inbox import seed_inbox
from civicloop.demo.oversight import seed_oversight

__all__ = ["DEMO_PASSWORD", "SEEDERS", "DemoWorld", "seed"]

Seeder = Callable[[Session, DemoWorld], None]
SEEDERS: list[Seeder] = [
    seed_guidelines,
    seed_channels,
    seed_consultations,
    seed_accountability,
    seed_inbox,
    seed_oversight,
    seed_access,
    seed_analysis,
]


def seed(session: Session) -> DemoWorld:
    world = seed_foundation(session)
    for seeder in SEEDERS:
        seeder(session, world)
        session.flush()
    return world
