"""The token lifecycle job: every five minutes, refresh what expires soon (short-lived tokens fetched with
the account's credentials, OAuth access tokens with a refresh token), and ask each platform hourly whether
the account's token, permissions and webhook subscription still hold. Each account is handled in its own
transaction, so one platform failing never holds back the others."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab
from sqlalchemy import select

from civicloop import jobs
from civicloop.agencies.models import AccountStatus, OfficialAccount
from civicloop.channels import registry
from civicloop.channels.connect import service
from civicloop.channels.delivery import Next, SendError
from civicloop.channels.outbound import send as outbound
from civicloop.channels.outbound.models import PlatformToken
from civicloop.db.session import session_scope
from civicloop.kit.clock import utcnow

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(hours=1)


def _refresh_cached_token(account_id: int) -> None:
    """Platforms with ``fetch_token``: fetch the next access token before the cached one enters its last
    ``REFRESH_AHEAD``."""
    with session_scope() as session:
        account = session.get(OfficialAccount, account_id)
        if account is None or not (account.credentials or {}).get("app_secret"):
            return
        cached = session.scalar(select(PlatformToken).where(PlatformToken.account_id == account_id))
        now = utcnow()
        if cached is not None and cached.expires_at - now > service.REFRESH_AHEAD:
            return
        current = cached.secret.get("access_token") if cached is not None else None
    try:
        with outbound.http_client() as http:
            # Passing the current token as "refused" makes the shared cache fetch a new one under its lock.
            outbound.access_token(account_id, http, refused=current)
    except SendError as exc:
        with session_scope() as session:
            account = session.get(OfficialAccount, account_id)
            if account is None:
                return
            if exc.next_step is Next.give_up:
                service.needs_person(session, account, f"{exc.reason}: connect the account again", now=utcnow())
            else:
                service.transient_failure(session, account, exc.reason, now=utcnow())
        return
    with session_scope() as session:
        account = session.get(OfficialAccount, account_id)
        if account is not None:
            link = service.link_of(session, account)
            link.refreshed_at, link.last_failure, link.failures = utcnow(), "", 0


def look_after(account_id: int, *, check: bool | None = None) -> None:
    """Refresh and (when due, or when ``check``) check one account."""
    with session_scope() as session:
        account = session.get(OfficialAccount, account_id)
        if account is None:
            return
        uses_cache = registry.spec(account.platform).fetch_token is not None
    if uses_cache:
        _refresh_cached_token(account_id)
    with session_scope() as session, outbound.http_client() as http:
        account = session.get(OfficialAccount, account_id)
        if account is None:
            return
        now = utcnow()
        if not uses_cache and account.status is AccountStatus.active:
            service.refresh_account(session, account, http, now=now)
        link = service.link_of(session, account)
        due = link.checked_at is None or now - link.checked_at >= CHECK_EVERY
        if check or (check is None and due):
            service.check_account(session, account, http, now=now)


def look_after_all(*, check: bool | None = None) -> int:
    with session_scope() as session:
        ids = service.connected_accounts(session)
    for account_id in ids:
        try:
            look_after(account_id, check=check)
        except Exception:  # one account's failure must not stop the others; it is retried next run
            log.exception("looking after account %s failed", account_id)
    return len(ids)


@jobs.periodic(crontab(minute="*/5"))
def keep_tokens_fresh() -> int:
    return look_after_all()
