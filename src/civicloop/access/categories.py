"""Categories of sites: the shipped data file, overridden key by key by what oversight edits in the app."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.access.domains import normalize_domain
from civicloop.access.models import AccessCategory
from civicloop.channels import registry

DATA_FILE = Path(__file__).parent / "data" / "categories.json"


@dataclass(frozen=True)
class CategoryDef:
    key: str
    name: str
    domains: tuple[str, ...]
    platforms: tuple[str, ...]
    edited: bool = False


@lru_cache(maxsize=1)
def shipped() -> dict[str, CategoryDef]:
    """The data file's categories, each with the domains and platforms that platforms declare for it."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    result = {}
    for item in data["categories"]:
        key = item["key"]
        specs = [s for s in registry.PLATFORMS.values() if s.access_category == key]
        domains = {normalize_domain(d) for d in [*item["domains"], *(d for s in specs for d in s.domains)]}
        result[key] = CategoryDef(key, item["name"], tuple(sorted(domains)), tuple(s.name for s in specs))
    return result


def all_categories(session: Session) -> list[CategoryDef]:
    """Shipped categories with the app's edits applied, in a stable order (shipped first)."""
    merged = dict(shipped())
    for row in session.scalars(select(AccessCategory).order_by(AccessCategory.key)):
        merged[row.key] = CategoryDef(row.key, row.name, tuple(row.domains), tuple(row.platforms), edited=True)
    return list(merged.values())
