"""Encryption at rest for platform credentials, and hashing of API tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from civicloop.config import get_settings
from civicloop.errors import AppError


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    derived = hashlib.sha256(b"civicloop-credentials:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def cipher() -> Fernet:
    return _fernet(get_settings().resolved_secret_key())


def encrypt(plaintext: str) -> str:
    return cipher().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise AppError("stored credentials cannot be decrypted: was the secret key changed?") from exc


def new_token(prefix: str = "cl") -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(token: str) -> str:
    """API tokens are stored as a SHA-256 digest: they are long random strings, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equal(a: str | bytes, b: str | bytes) -> bool:
    a_bytes = a.encode() if isinstance(a, str) else a
    b_bytes = b.encode() if isinstance(b, str) else b
    return hmac.compare_digest(a_bytes, b_bytes)
