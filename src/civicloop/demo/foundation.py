"""Agencies, officials in every role, and official accounts on every platform."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency, AgencyKind, OfficialAccount, Platform
from civicloop.auth import service as officials
from civicloop.auth.models import Official
from civicloop.channels import registry
from civicloop.demo import dzongkha

DEMO_PASSWORD = "civicloop-demo"  # noqa: S105 - printed to the visitor on purpose


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: AgencyKind
    district: str | None
    page_id: str
    x_user_id: str
    wechat_id: str


AGENCIES = [
    DemoAgency(
        "DOIM",
        "Department of Information and Media",
        AgencyKind.national_oversight,
        "Thimphu",
        "104512233445566",
        "1450011223344556677",
        "gh_d01m0000a1b2",
    ),
    DemoAgency(
        "MOIT",
        "Ministry of Infrastructure and Transport",
        AgencyKind.ministry,
        "Thimphu",
        "104598877665544",
        "1450099887766554433",
        "gh_m017000c3d4",
    ),
    DemoAgency(
        "THROMDE",
        "Thimphu Thromde",
        AgencyKind.city,
        "Thimphu",
        "104577788899900",
        "1450055566677788899",
        "gh_7h40de00e5f6",
    ),
    DemoAgency(
        "PUNAKHA",
        "Punakha Dzongkhag Administration",
        AgencyKind.district,
        "Punakha",
        "104566655544433",
        "1450044433322211100",
        "gh_9un4kh00a7b8",
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

# Demo credentials, known to the simulator so that it can sign the webhooks it sends.
FACEBOOK_APP_SECRET = "demo-meta-app-secret-0f3c9a"  # noqa: S105
FACEBOOK_VERIFY_TOKEN = "demo-verify-token"  # noqa: S105
X_CONSUMER_SECRET = "demo-x-consumer-secret-77ab21"  # noqa: S105
WECHAT_TOKEN = "demowechattoken"  # noqa: S105


@dataclass
class DemoWorld:
    agencies: dict[str, Agency] = field(default_factory=dict)
    officials: dict[str, Official] = field(default_factory=dict)
    accounts: dict[tuple[str, Platform], OfficialAccount] = field(default_factory=dict)

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


# The platforms from before the registry, whose demo accounts are written here (the others declare theirs).
LEGACY_LABELS = {
    Platform.facebook: "Facebook Page",
    Platform.x: "X",
    Platform.wechat: "WeChat",
    Platform.web: "Feedback form",
}


def _credentials(platform: Platform, agency: DemoAgency) -> dict[str, str]:
    if platform is Platform.facebook:
        return {
            "app_secret": FACEBOOK_APP_SECRET,
            "verify_token": FACEBOOK_VERIFY_TOKEN,
            "page_access_token": f"EAAdemo{agency.page_id}",
        }
    if platform is Platform.x:
        return {
            "consumer_secret": X_CONSUMER_SECRET,
            "access_token": f"{agency.x_user_id}-demo",
            "access_token_secret": "demo-access-secret",
        }
    if platform is Platform.wechat:
        return {
            "app_id": f"wx{agency.wechat_id[3:]}demo",
            "app_secret": "demo-wechat-app-secret",
            "token": WECHAT_TOKEN,
        }
    return {}


def _external_id(platform: Platform, agency: DemoAgency) -> str:
    return {
        Platform.facebook: agency.page_id,
        Platform.x: agency.x_user_id,
        Platform.wechat: agency.wechat_id,
        Platform.web: f"{agency.code.lower()}-feedback",
    }[platform]


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
        for platform, label in LEGACY_LABELS.items():
            world.accounts[(spec.code, platform)] = agencies.create_account(
                session,
                actor=None,
                agency=world.agencies[spec.code],
                platform=platform,
                external_id=_external_id(platform, spec),
                name=f"{spec.name} — {label}",
                credentials=_credentials(platform, spec),
                responsible_official_id=officer.id,
            )
        for name, declared in registry.PLATFORMS.items():
            demo = declared.citizens.demo_account(spec.code) if declared.citizens is not None else None
            if demo is not None:
                world.accounts[(spec.code, Platform(name))] = agencies.create_account(
                    session,
                    actor=None,
                    agency=world.agencies[spec.code],
                    platform=Platform(name),
                    external_id=demo[0],
                    name=f"{spec.name} — {declared.label}",
                    credentials=demo[1],
                    responsible_official_id=officer.id,
                )
    return world
