"""The exception tree every layer raises; one handler per edge renders it.

AppError                  500  internal
├── Invalid               422  invalid        bad input, with a reason
│   └── Conflict          409  conflict       duplicates, wrong state
├── BadRequest            400  bad_request    unparseable body
├── Unauthenticated       401  unauthenticated
│   └── InvalidSignature  401  invalid_signature
├── Forbidden             403  forbidden
├── NotFound              404  not_found       (also used to hide other agencies' rows)
├── PayloadTooLarge       413  payload_too_large
└── TooManyRequests       429  too_many_requests
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class AppError(Exception):
    status_code = 500
    code = "internal"

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code.replace("_", " ")
        self.field = field


class Invalid(AppError):
    status_code = 422
    code = "invalid"


class Conflict(Invalid):
    status_code = 409
    code = "conflict"


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class Unauthenticated(AppError):
    status_code = 401
    code = "unauthenticated"


class InvalidSignature(Unauthenticated):
    code = "invalid_signature"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str = "", *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """What the JSON API answers for every error: ``{"error": {"code", "message", "field"}}``."""

    error: ErrorDetail


# Declared on every JSON API operation, so that clients (and the fuzzing test) know each status it may answer.
API_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "The body could not be parsed (not JSON, or a broken multipart form)",
        401: "No valid API token (or session)",
        403: "The official's roles do not allow this",
        404: "Not found, or in an agency the official cannot see",
        409: "Conflicts with the current state or an existing record",
        422: "Invalid input, with the reason and the field",
    }.items()
}
