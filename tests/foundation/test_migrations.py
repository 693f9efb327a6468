from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.orm import Session

from civicloop import migrations
from civicloop.app.models import Base
from civicloop.db.session import get_engine


def test_models_and_migrations_do_not_drift(db: Session) -> None:
    with get_engine().connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": migrations.include_name}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models differ from migrations; add a revision: {diff}"


def test_migrated_database_has_no_pending_heads(db: Session) -> None:
    assert migrations.pending_heads(get_engine()) == set()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db: Session) -> None:
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
