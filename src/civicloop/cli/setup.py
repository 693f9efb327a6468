"""``civicloop init``: first start of a deployment."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from civicloop import migrations
from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency, AgencyKind
from civicloop.auth import service as officials
from civicloop.cli._common import console, fail
from civicloop.config import get_settings
from civicloop.db.session import session_scope


def init(
    admin_email: Annotated[str | None, typer.Option(help="Email of the first national administrator")] = None,
    admin_password: Annotated[str | None, typer.Option(help="Their password (10+ characters)")] = None,
    admin_name: Annotated[str, typer.Option(help="Their name")] = "National administrator",
    oversight_code: Annotated[str, typer.Option(help="Code of the national oversight body")] = "DOIM",
    oversight_name: Annotated[str, typer.Option(help="Name of the national oversight body")] = (
        "Department of Information and Media"
    ),
) -> None:
    """Create the data folder and secret key, migrate the database, and add the first administrator."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.resolved_secret_key()
    migrations.upgrade(settings.resolved_database_url)
    console.print("Database schema is up to date.")
    if (admin_email is None) != (admin_password is None):
        raise fail("give both --admin-email and --admin-password, or neither")
    if admin_email is None or admin_password is None:
        return
    with session_scope() as session:
        oversight = session.scalar(select(Agency).where(Agency.code == oversight_code.upper()))
        if oversight is None:
            oversight = agencies.create_agency(
                session, actor=None, code=oversight_code, name=oversight_name, kind=AgencyKind.national_oversight
            )
        officials.create_official_with_roles(
            session,
            actor=None,
            email=admin_email,
            name=admin_name,
            password=admin_password,
            roles=[f"national_admin@{oversight.code}"],
        )
    console.print(f"National administrator {admin_email} created. Start with `civicloop serve`.")
