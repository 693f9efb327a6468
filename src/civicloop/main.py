"""The web application: routers, static files, sessions, CSRF and error rendering."""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from civicloop import __version__
from civicloop.access import pages as access_pages
from civicloop.access import routes as access_routes
from civicloop.accountability import pages as accountability_pages
from civicloop.accountability import routes as accountability_routes
from civicloop.agencies import pages as agency_pages
from civicloop.agencies import routes as agency_routes
from civicloop.analysis import pages as analysis_pages
from civicloop.analysis import routes as analysis_routes
from civicloop.audit import pages as audit_pages
from civicloop.auth import oidc_pages, totp_pages
from civicloop.auth import pages as auth_pages
from civicloop.auth import routes as auth_routes
from civicloop.auth.csrf import verify_csrf
from civicloop.channels import routes as channel_routes
from civicloop.channels.connect import pages as connect_pages
from civicloop.channels.media import pages as media_pages
from civicloop.channels.outbound import hooks as outbound_hooks
from civicloop.channels.outbound import routes as outbound_routes
from civicloop.channels.web import pages as feedback_pages
from civicloop.config import get_settings
from civicloop.consultations import pages as consultation_pages
from civicloop.consultations import public as consultation_public
from civicloop.consultations import routes as consultation_routes
from civicloop.errors import API_ERROR_RESPONSES, AppError, TooManyRequests, Unauthenticated
from civicloop.guidelines import gate as _gate  # noqa: F401 - registers the before-send review
from civicloop.guidelines import pages as guideline_pages
from civicloop.guidelines import routes as guideline_routes
from civicloop.guidelines import selfcheck as guideline_selfcheck
from civicloop.inbox import pages as inbox_pages
from civicloop.inbox import post_pages as inbox_post_pages
from civicloop.inbox import routes as inbox_routes
from civicloop.inbox.citizens import pages as citizen_pages
from civicloop.moderation import pages as moderation_pages
from civicloop.moderation import public as moderation_public
from civicloop.moderation import routes as moderation_routes
from civicloop.oversight import pages as oversight_pages
from civicloop.oversight import public as oversight_public
from civicloop.oversight import routes as oversight_routes
from civicloop.oversight import transfers as _transfers  # noqa: F401 - registers the recount after a transfer
from civicloop.publishing import pages as publishing_pages
from civicloop.publishing import routes as publishing_routes
from civicloop.records import pages as records_pages
from civicloop.sla import pages as sla_pages
from civicloop.sla import routes as sla_routes
from civicloop.web import pages as web_pages
from civicloop.web.headers import SecurityHeaders, security_headers
from civicloop.web.static_files import STATIC_DIR, VersionedStaticFiles
from civicloop.web.templating import SWAGGER_UI_DIR, render, request_language

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
# Named in the message when PostgreSQL says which foreign key a request's id broke (SQLite does not say).
FOREIGN_KEY_FIELDS = ("agency_id", "account_id", "conversation_id", "consultation_id", "official_id", "assignee_id")
PAGE_ROUTERS = [
    access_pages.router,
    accountability_pages.router,
    analysis_pages.router,
    auth_pages.router,
    totp_pages.router,
    oidc_pages.router,
    connect_pages.router,
    agency_pages.router,
    audit_pages.router,
    feedback_pages.router,
    oversight_pages.router,
    oversight_public.router,
    consultation_pages.router,
    consultation_public.router,
    publishing_pages.router,
    records_pages.router,
    guideline_pages.router,
    guideline_selfcheck.pages,
    inbox_post_pages.router,
    citizen_pages.router,
    inbox_pages.router,
    media_pages.router,
    moderation_pages.router,
    moderation_public.router,
    sla_pages.router,
    web_pages.router,
]
API_ROUTERS = [
    access_routes.router,
    accountability_routes.router,
    analysis_routes.router,
    auth_routes.router,
    agency_routes.router,
    channel_routes.router,
    outbound_routes.router,
    consultation_routes.router,
    publishing_routes.router,
    guideline_routes.router,
    guideline_selfcheck.api,
    inbox_routes.router,
    moderation_routes.router,
    sla_routes.router,
    oversight_routes.router,
]


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/webhooks/")) or "application/json" in request.headers.get("accept", "")


def _error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if _wants_json(request):
        body = {"error": {"code": code, "message": message, "field": field}}
        return JSONResponse(body, status_code=status, headers=headers)
    if request.headers.get("hx-request"):
        response = render(request, "_toast.html", {"message": message, "kind": "error"}, status_code=status)
        response.headers["HX-Reswap"] = "none"
        response.headers["HX-Retarget"] = "#toasts"
        return response
    # An error page is a message to whoever reached it, citizens included: in their language (the reason, from the
    # code, stays English and is marked so).
    page = {"status": status, "code": code, "message": message}
    return render(request, "error.html", page, status_code=status, lang=request_language(request))


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    def app_error(request: Request, exc: AppError) -> Response:
        if isinstance(exc, Unauthenticated) and not _wants_json(request) and request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        return _error_response(request, exc.status_code, exc.code, exc.message, exc.field, headers)

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid input"}
        if not _wants_json(request) and tuple(first.get("loc", ()))[:1] == ("path",):
            # A page address that names no page (/inbox/abc): not found, not a validation message.
            return _error_response(request, 404, "not_found", "there is no page at this address")
        where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path"))
        message = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        return _error_response(request, 422, "invalid", message, where or None)

    # The database refusing a value is bad input, never a 500: a number beyond its column's range (an id or an
    # offset past 32/64 bits), or a reference to a row that does not exist (an unknown agency_id). Routes check
    # what they can first; these catch the rest in one place, whichever of the 90 operations it was.
    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    def out_of_range(request: Request, exc: Exception) -> Response:
        return _error_response(request, 422, "invalid", "a number or text in the request is out of range for its field")

    @app.exception_handler(IntegrityError)
    def integrity_error(request: Request, exc: IntegrityError) -> Response:
        if "foreign key" not in str(exc.orig).lower():
            return _error_response(request, 409, "conflict", "this conflicts with an existing record")
        column = getattr(getattr(exc.orig, "diag", None), "constraint_name", None) or ""
        field = next((f for f in FOREIGN_KEY_FIELDS if f"_{f}_" in column), None)
        return _error_response(
            request, 422, "invalid", f"{field or 'an id in the request'} names something that does not exist", field
        )

    # A value refused while SQLAlchemy binds it (an unknown platform name, checked by its column type) is
    # the refusal it carries; anything else wrapped this way is a bug, answered as one.
    @app.exception_handler(StatementError)
    def refused_while_binding(request: Request, exc: StatementError) -> Response:
        if isinstance(exc.orig, AppError):
            return app_error(request, exc.orig)
        return unexpected(request, exc)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_response(request, exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    def unexpected(request: Request, exc: Exception) -> Response:
        # The handler runs in a worker thread, outside the ``except`` that caught ``exc``: name it, or the log gets
        # "NoneType: None" instead of the traceback.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        response = _error_response(request, 500, "internal", "something went wrong on our side; it has been logged")
        for name, value in security_headers(https=get_settings().https).items():
            response.headers.setdefault(name, value)
        return response


def create_app() -> FastAPI:
    outbound_hooks.require_registered()
    settings = get_settings()
    app = FastAPI(
        title="CivicLoop",
        version=__version__,
        docs_url=None,  # served below from this server's own copy of Swagger UI, not a CDN
        openapi_url="/api/openapi.json",
        redoc_url=None,
        dependencies=[Depends(verify_csrf)],
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="civicloop_session",
        max_age=int(timedelta(hours=settings.session_max_age_hours).total_seconds()),
        same_site="lax",
        https_only=settings.https,
    )
    # Outermost, so that every answer (pages, API, static files, webhooks) carries the headers.
    app.add_middleware(SecurityHeaders, https=settings.https)
    app.mount("/static", VersionedStaticFiles(directory=str(STATIC_DIR)), name="static")
    # Platform deliveries: mounted ahead of the routers, outside the app-wide dependencies (ADR 0005).
    app.mount("/webhooks", channel_routes.webhooks)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=API_ERROR_RESPONSES)
    _install_error_handlers(app)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        return render(request, "api_docs.html", swagger_dir=SWAGGER_UI_DIR)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
