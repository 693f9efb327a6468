"""Agencies, officials in every role, and official accounts on every platform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency, AgencyKind, OfficialAccount, Platform
from civicloop.auth import service as officials
from civicloop.auth.models import Official
from civicloop.channels import registry
from civicloop.channels.spec import PlatformSpec
from civicloop.demo import dzongkha

DEMO_PASSWORD = "civicloop-demo"  # noqa: S105 - printed to the visitor on purpose


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: AgencyKind
    district: str | None


AGENCIES = [
    DemoAgency(
        "DOIM",
        "Department of Information and Media",
        AgencyKind.national_oversight,
        "Thimphu",
    ),
    DemoAgency(
        "MOIT",
        "Ministry of Infrastructure and Transport",
        AgencyKind.ministry,
        "Thimphu",
    ),
    DemoAgency(
        "THROMDE",
        "Thimphu Thromde",
        AgencyKind.city,
        "Thimphu",
    ),
    DemoAgency(
        "PUNAKHA",
        "Punakha Dzongkhag Administration",
        AgencyKind.district,
        "Punakha",
    ),
]

# (role, given name) per agency; emails are role@code.example so they are easy to type in the demo.
PEOPLE = {
    "DOIM": [
        ("national_admin", "Karma Wangchuk"),
        ("auditor", "Sonam Choden"),
        ("officer", "Tshering Dorji"),
        ("agency_head", "Dechen Wangmo"),
        ("analyst", "Ugyen Tenzin"),
        ("agency_admin", "Pema Lhamo"),
    ],
    "MOIT": [
        ("officer", "Kinley Penjor"),
        ("agency_head", "Jigme Namgyel"),
        ("analyst", "Tashi Yangzom"),
        ("agency_admin", "Namgay Dema"),
    ],
    "THROMDE": [
        ("officer", "Pema Wangchuk"),
        ("agency_head", "Chimi Dolkar"),
        ("analyst", "Sangay Tshomo"),
        ("agency_admin", "Dawa Gyeltshen"),
    ],
    "PUNAKHA": [
        ("officer", "Yeshey Lhaden"),
        ("agency_head", "Tandin Wangdi"),
        ("analyst", "Kezang Choki"),
        ("agency_admin", "Rinzin Norbu"),
    ],
}


@dataclass
class DemoWorld:
    agencies: dict[str, Agency] = field(default_factory=dict)
    officials: dict[str, Official] = field(default_factory=dict)
    accounts: dict[tuple[str, str], OfficialAccount] = field(default_factory=dict)

    def accounts_of(self, code: str, takes: Callable[[PlatformSpec], bool]) -> list[OfficialAccount]:
        """The agency's demo accounts (in the registry's order) on the platforms that ``takes``."""
        return [a for (c, p), a in self.accounts.items() if c == code and takes(registry.spec(p))]

    def first_account(self, code: str, takes: Callable[[PlatformSpec], bool]) -> OfficialAccount:
        return self.accounts_of(code, takes)[0]

    def logins(self) -> list[tuple[str, str, str]]:
        """(email, role, agency) for the printed table of demo logins."""
        rows = []
        for code, people in PEOPLE.items():
            for role, _name in people:
                rows.append((demo_email(role, code), role, code))
        return rows


def demo_email(role: str, code: str) -> str:
    short = {"national_admin": "admin", "agency_head": "head", "agency_admin": "itadmin"}.get(role, role)
    return f"{short}@{code.lower()}.example"


def seed_foundation(session: Session) -> DemoWorld:
    world = DemoWorld()
    for spec in AGENCIES:
        world.agencies[spec.code] = agencies.create_agency(
            session,
            actor=None,
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            district=spec.district,
            parent_code="DOIM" if spec.code != "DOIM" and spec.kind is AgencyKind.department else None,
        )
        world.agencies[spec.code].translations = {"dz": {"name": dzongkha.AGENCY_NAMES[spec.code]}}
    for code, people in PEOPLE.items():
        for role, name in people:
            email = demo_email(role, code)
            world.officials[email] = officials.create_official_with_roles(
                session, actor=None, email=email, name=name, password=DEMO_PASSWORD, roles=[f"{role}@{code}"]
            )
    for spec in AGENCIES:
        officer = world.officials[demo_email("officer", spec.code)]
        # Every platform's demo account, as its folder declares it: first those on every agency, then
        # those its simulated citizens declare (the city's).
        declared = [(s, s.demo.account(spec.code), s.demo.account_name) for s in registry.PLATFORMS.values() if s.demo]
        declared += [
            (s, found, s.label)
            for s in registry.PLATFORMS.values()
            if s.citizens is not None and (found := s.citizens.demo_account(spec.code)) is not None
        ]
        for platform, (external_id, credentials), label in declared:
            world.accounts[(spec.code, platform.name)] = agencies.create_account(
                session,
                actor=None,
                agency=world.agencies[spec.code],
                platform=Platform(platform.name),
                external_id=external_id,
                name=f"{spec.name} — {label}",
                credentials=credentials,
                responsible_official_id=officer.id,
            )
    return world
