"""Single sign-on with OpenID Connect: the authorization code flow with PKCE, for governments that
run an identity provider.

The provider is found by discovery (``ISSUER/.well-known/openid-configuration``); the ID token's
signature is checked against the provider's JWKS (joserfc), and its issuer, audience, expiry and
nonce against what this sign-in sent. The provider proves an email address; CivicLoop still decides
what the official may do: roles are granted here, as for any official. An email CivicLoop does not
know is refused, or (``CIVICLOOP_OIDC_PROVISION``) becomes an official without roles.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit import service as audit
from civicloop.auth.models import Official
from civicloop.config import get_settings
from civicloop.errors import AppError, Forbidden, Unauthenticated

SCOPE = "openid email profile"
# Leeway for the clocks of the provider and of this server.
LEEWAY_SECONDS = 60
CALLBACK_PATH = "/login/oidc/callback"


class ProviderError(AppError):
    """The identity provider could not be reached or answered something unusable."""

    status_code = 502
    code = "identity_provider"


@dataclass(frozen=True)
class Request:
    """What a sign-in keeps in the browser's session between leaving and coming back."""

    state: str
    nonce: str
    verifier: str
    next: str

    def as_dict(self) -> dict[str, str]:
        return {"state": self.state, "nonce": self.nonce, "verifier": self.verifier, "next": self.next}


def enabled() -> bool:
    return bool(get_settings().oidc_issuer)


def redirect_uri() -> str:
    return get_settings().base_url.rstrip("/") + CALLBACK_PATH


def _get_json(http: httpx.Client, url: str) -> dict[str, Any]:
    try:
        response = http.get(url)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(f"the identity provider did not answer {url} usefully: {exc}") from exc
    if not isinstance(document, dict):
        raise ProviderError(f"{url} is not a JSON object")
    return document


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
DISCOVERY_SECONDS = 3600.0


def discover(http: httpx.Client) -> dict[str, Any]:
    """The provider's metadata, cached an hour; its ``issuer`` must be the configured one."""
    issuer = get_settings().oidc_issuer.rstrip("/")
    cached = _discovered.get(issuer)
    if cached is not None and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
        return cached[1]
    metadata = _get_json(http, issuer + "/.well-known/openid-configuration")
    if str(metadata.get("issuer", "")).rstrip("/") != issuer:
        raise ProviderError(f"the provider at {issuer} names another issuer: {metadata.get('issuer')!r}")
    _discovered[issuer] = (time.monotonic(), metadata)
    return metadata


def begin(http: httpx.Client, next: str) -> tuple[str, Request]:
    """The provider's authorization URL to send the browser to, and what to keep until it returns."""
    settings = get_settings()
    metadata = discover(http)
    pending = Request(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),
        next=next,
    )
    challenge = base64.urlsafe_b64encode(hashlib.sha256(pending.verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": settings.oidc_client_id,
        "redirect_uri": redirect_uri(),
        "scope": SCOPE,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{metadata['authorization_endpoint']}?{urlencode(query)}", pending


def claims_for(http: httpx.Client, pending: Request, *, state: str, code: str) -> dict[str, Any]:
    """Exchange the code (with the PKCE verifier) and return the verified ID token's claims."""
    if not secrets.compare_digest(state, pending.state):
        raise Unauthenticated("the sign-in came back with another state: start again")
    settings = get_settings()
    metadata = discover(http)
    try:
        response = http.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(),
                "code_verifier": pending.verifier,
            },
            auth=(settings.oidc_client_id, settings.oidc_client_secret),
        )
    except httpx.HTTPError as exc:
        raise ProviderError(f"the identity provider's token endpoint failed: {exc}") from exc
    if response.status_code != 200:
        raise Unauthenticated(f"the identity provider refused the sign-in ({response.status_code})")
    tokens = response.json()
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise ProviderError("the identity provider returned no ID token")
    keys = KeySet.import_key_set(_get_json(http, metadata["jwks_uri"]))  # type: ignore[arg-type]
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    try:
        token = jwt.decode(id_token, keys, algorithms=[a for a in algorithms if a != "none"])
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": settings.oidc_client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": pending.nonce},
            sub={"essential": True},
        ).validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise Unauthenticated(f"the ID token does not verify: {exc}") from exc
    claims = dict(token.claims)
    if "email" not in claims and metadata.get("userinfo_endpoint"):
        claims.update(_userinfo(http, metadata["userinfo_endpoint"], str(tokens.get("access_token", "")), claims))
    return claims


def _userinfo(http: httpx.Client, url: str, access_token: str, claims: dict[str, Any]) -> dict[str, Any]:
    """Providers may keep the email out of the ID token and give it at the UserInfo endpoint; its
    ``sub`` must be the ID token's (OpenID Connect Core 5.3.2)."""
    try:
        response = http.get(url, headers={"Authorization": f"Bearer {access_token}"})
        response.raise_for_status()
        info = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(f"the identity provider's UserInfo endpoint failed: {exc}") from exc
    if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
        raise Unauthenticated("the UserInfo answer is about someone else than the ID token")
    return {k: v for k, v in info.items() if k in ("email", "email_verified", "name")}


def official_for(session: Session, claims: dict[str, Any]) -> Official:
    """The official the verified claims name, by email; refused or provisioned if unknown."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is False:
        raise Forbidden("the identity provider gave no verified email address")
    official = session.scalar(select(Official).where(Official.email == email))
    if official is None:
        if not get_settings().oidc_provision:
            raise Forbidden(f"{email} is not an official of CivicLoop: ask an administrator to add you")
        name = str(claims.get("name") or email.split("@")[0])[:200]
        official = Official(email=email, name=name, password_hash=None, active=True)
        session.add(official)
        session.flush()
        audit.record(
            session,
            actor=None,
            actor_label=f"oidc:{get_settings().oidc_issuer}",
            action="official.provision",
            target_type="official",
            target_id=official.id,
            after={"email": email, "name": name},
        )
    if not official.active:
        raise Forbidden("this official is disabled")
    return official
