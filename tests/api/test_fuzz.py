"""The JSON API fuzzed with schemathesis: no answer is a server error, and every status is in the schema.

Bounded: a fixed number of derandomized examples per operation (valid and invalid inputs), sent with a
national administrator's token to every operation of the API, on PostgreSQL (about a minute). Platform
API calls go to a closed local port, so nothing leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlalchemy.orm import Session

from civicloop.auth import service as auth_service
from civicloop.auth.scope import Actor
from civicloop.config import reset_settings
from tests.conftest import shared_app
from tests.factories import create_account, create_agency, create_official

EXAMPLES_PER_OPERATION = 5
CLOSED_PORT = "http://127.0.0.1:9"


@pytest.fixture
def api(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[object, str]]:
    for name in ("FACEBOOK_API_URL", "X_API_URL", "WECHAT_API_URL"):
        monkeypatch.setenv(f"CIVICLOOP_{name}", CLOSED_PORT)
    monkeypatch.setenv("CIVICLOOP_OUTBOUND_TIMEOUT_SECONDS", "0.5")
    reset_settings()
    agency = create_agency(db, "MOIT")
    create_account(db, agency)
    admin = create_official(db, "national_admin@MOIT")
    token = auth_service.create_api_token(db, actor=Actor.of(admin), name="fuzz")
    db.commit()
    yield shared_app(), token
    monkeypatch.undo()
    reset_settings()


def _failures(app: object, token: str, mode: GenerationMode) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            try:
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {token}"},
                    checks=[not_a_server_error, status_code_conformance],
                )
            except (Exception, BaseExceptionGroup) as exc:  # failed checks, or the server's own error: list all
                found.append(f"{case.operation.label}: {type(exc).__name__}: {str(exc)[:300]!r}")

        try:
            run()
        except Unsatisfiable:  # nothing invalid can be made for an operation without inputs (GET /me)
            continue
    return found


# PostgreSQL only: its 32-bit integer columns and strict types make it the stricter of the two (SQLite's
# own out-of-range and unknown-id cases are in test_bad_input.py).
@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_api_answers_fuzzed_input_without_server_errors_or_undeclared_statuses(api: tuple[object, str]) -> None:
    app, token = api
    failures = _failures(app, token, GenerationMode.POSITIVE) + _failures(app, token, GenerationMode.NEGATIVE)
    assert failures == [], f"{len(failures)} failures:\n" + "\n".join(sorted(set(failures))[:40])
