"""Argon2id password hashing."""

from __future__ import annotations

import logging
from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from civicloop.config import get_settings

MIN_PASSWORD_LENGTH = 10
log = logging.getLogger(__name__)


@lru_cache(maxsize=2)
def _hasher_for(insecure_for_tests: bool) -> PasswordHasher:
    """RFC 9106's low-memory profile (argon2-cffi's default); the cheapest parameters only for test suites,
    which would otherwise spend minutes hashing (see ``CIVICLOOP_INSECURE_TEST_PASSWORD_HASHING``)."""
    if insecure_for_tests:
        log.warning("CIVICLOOP_INSECURE_TEST_PASSWORD_HASHING is on: passwords are hashed for tests, not for use")
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def _hasher() -> PasswordHasher:
    return _hasher_for(get_settings().insecure_test_password_hashing)


@lru_cache(maxsize=2)
def _dummy_hash(insecure_for_tests: bool) -> str:
    """Verified against when the email is unknown, so that a miss costs as much time as a hit."""
    return _hasher_for(insecure_for_tests).hash("civicloop-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Argon2 reads the cost from the hash itself: a hash made at full cost verifies at full cost."""
    insecure = get_settings().insecure_test_password_hashing
    try:
        return (
            _hasher_for(insecure).verify(password_hash or _dummy_hash(insecure), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False
