"""Officials' second factor: time-based one-time passwords (RFC 6238, pyotp) and recovery codes.

A password proves who is signing in; for the roles in ``CIVICLOOP_TOTP_REQUIRED_ROLES`` (agency heads,
agency administrators and national roles by default) a code from an authenticator app is asked
next, and an official holding such a role who has not enrolled must enrol before going further.
Anyone may enrol. A code is accepted once (the step of the last accepted code is kept) and wrong
codes are throttled like wrong passwords. Ten recovery codes are shown once at enrolment; only
their keyed digests are stored and each signs in once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from civicloop.audit import service as audit
from civicloop.auth.models import Official, Role
from civicloop.auth.totp_models import RecoveryCode, TotpFactor
from civicloop.config import get_settings
from civicloop.errors import Invalid, TooManyRequests, Unauthenticated
from civicloop.kit import crypto
from civicloop.kit.clock import utcnow

ISSUER = "CivicLoop"
RECOVERY_CODES = 10
STEP_SECONDS = 30
# One step either side: a phone's clock a little off still works, and a code stays valid ~90 s at most.
VALID_WINDOW = 1


def required_roles() -> frozenset[Role]:
    """The roles whose holders must use a second factor (``CIVICLOOP_TOTP_REQUIRED_ROLES``)."""
    names = {name.strip() for name in get_settings().totp_required_roles.split(",") if name.strip()}
    return frozenset(Role(name) for name in names)


def is_required(official: Official) -> bool:
    roles = required_roles()
    return any(membership.role in roles for membership in official.memberships)


def factor_of(session: Session, official_id: int) -> TotpFactor | None:
    return session.get(TotpFactor, official_id)


def is_enrolled(session: Session, official_id: int) -> bool:
    factor = factor_of(session, official_id)
    return factor is not None and factor.confirmed_at is not None


def needs_second_step(session: Session, official: Official) -> bool:
    """After the password: a code (enrolled) or an enrolment (required but not enrolled) comes next."""
    return is_enrolled(session, official.id) or is_required(official)


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret as text (to type in) and as a QR code (to scan)."""

    secret: str
    uri: str
    qr_svg: Markup


def start_enrolment(session: Session, *, official: Official) -> Enrolment:
    """A new secret waiting for its first code; replaces one not yet confirmed. Enrolling again once
    confirmed is refused: the second factor is removed by an administrator, not replaced quietly."""
    factor = factor_of(session, official.id)
    if factor is not None and factor.confirmed_at is not None:
        raise Invalid("two-factor sign-in is already set up for this official")
    secret = pyotp.random_base32()
    if factor is None:
        session.add(TotpFactor(official_id=official.id, secret=crypto.encrypt(secret), last_step=0, failures=0))
    else:
        factor.secret, factor.created_at = crypto.encrypt(secret), utcnow()
    session.flush()
    return enrolment(session, official=official)


def enrolment(session: Session, *, official: Official) -> Enrolment:
    """The pending enrolment's secret, URI and QR code (``start_enrolment`` first)."""
    factor = factor_of(session, official.id)
    if factor is None or factor.confirmed_at is not None:
        raise Invalid("no two-factor enrolment is waiting for this official")
    secret = crypto.decrypt(factor.secret)
    uri = pyotp.TOTP(secret).provisioning_uri(name=official.email, issuer_name=ISSUER)
    # Drawn here as SVG: the secret never leaves the server for a QR service. Safe to insert as it is:
    # segno writes only its own elements and path data, no text taken from the URI.
    svg = Markup(segno.make(uri, error="m").svg_inline(scale=5, border=2))  # noqa: S704
    return Enrolment(secret=secret, uri=uri, qr_svg=svg)


def confirm_enrolment(session: Session, *, official: Official, code: str) -> list[str]:
    """Accept the first code from the app; returns the recovery codes (shown once, stored as digests)."""
    factor = factor_of(session, official.id)
    if factor is None or factor.confirmed_at is not None:
        raise Invalid("no two-factor enrolment is waiting for this official")
    _check_code(session, factor, code)
    factor.confirmed_at = utcnow()
    codes = _new_recovery_codes(session, official.id)
    audit.record(session, actor=official, action="totp.enrol", target_type="official", target_id=official.id)
    return codes


def verify(session: Session, *, official: Official, code: str) -> None:
    """The second step of signing in: a current code from the app, or an unused recovery code."""
    factor = factor_of(session, official.id)
    if factor is None or factor.confirmed_at is None:
        raise Unauthenticated("two-factor sign-in is not set up for this official")
    cleaned = code.replace(" ", "").replace("-", "").strip()
    if not cleaned.isdigit():
        _use_recovery_code(session, factor, official, cleaned)
        return
    _check_code(session, factor, cleaned)


def _check_code(session: Session, factor: TotpFactor, code: str) -> None:
    _throttle(factor)
    totp = pyotp.TOTP(crypto.decrypt(factor.secret))
    now = utcnow()
    step = int(now.timestamp()) // STEP_SECONDS
    cleaned = code.replace(" ", "").strip()
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        candidate = step + offset
        if candidate > factor.last_step and hmac.compare_digest(totp.at(candidate * STEP_SECONDS), cleaned):
            factor.last_step, factor.failures = candidate, 0
            session.flush()
            return
    _fail(session, factor, "wrong or already used code")


def _throttle(factor: TotpFactor) -> None:
    settings = get_settings()
    window = timedelta(minutes=settings.login_lockout_minutes)
    if (
        factor.failures >= settings.login_max_failures
        and factor.last_failure_at is not None
        and utcnow() - factor.last_failure_at < window
    ):
        raise TooManyRequests(
            f"too many wrong codes; try again in {settings.login_lockout_minutes} minutes",
            retry_after=settings.login_lockout_minutes * 60,
        )


def _fail(session: Session, factor: TotpFactor, message: str) -> None:
    # The count is kept even though the request answers with an error (the page commits it).
    session.execute(
        update(TotpFactor)
        .where(TotpFactor.official_id == factor.official_id)
        .values(failures=TotpFactor.failures + 1, last_failure_at=utcnow())
    )
    raise Unauthenticated(message)


def _digest(code: str) -> str:
    key = get_settings().resolved_secret_key().encode()
    return hmac.new(key, b"civicloop-recovery:" + code.upper().encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(session: Session, official_id: int) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.official_id == official_id))
    # 10 characters of Crockford-like base32 (50 bits), grouped for reading aloud; never all digits,
    # so that a recovery code and an app code are told apart by their form.
    codes: list[str] = []
    while len(codes) < RECOVERY_CODES:
        raw = "".join(secrets.choice("ABCDEFGHJKMNPQRSTVWXYZ23456789") for _ in range(10))
        if not raw.isdigit():
            codes.append(f"{raw[:5]}-{raw[5:]}")
    session.add_all(RecoveryCode(official_id=official_id, digest=_digest(c.replace("-", ""))) for c in codes)
    session.flush()
    return codes


def _use_recovery_code(session: Session, factor: TotpFactor, official: Official, code: str) -> None:
    _throttle(factor)
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.official_id == official.id,
            RecoveryCode.digest == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if not getattr(used, "rowcount", 0):
        _fail(session, factor, "wrong or already used recovery code")
    factor.failures = 0
    audit.record(session, actor=official, action="totp.recovery_code", target_type="official", target_id=official.id)


def recovery_codes_left(session: Session, official_id: int) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.official_id == official_id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def reset(session: Session, *, actor: Official | None, official: Official) -> None:
    """Remove an official's second factor (a lost phone): they enrol again at their next sign-in."""
    session.execute(delete(TotpFactor).where(TotpFactor.official_id == official.id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.official_id == official.id))
    audit.record(session, actor=actor, action="totp.reset", target_type="official", target_id=official.id)
