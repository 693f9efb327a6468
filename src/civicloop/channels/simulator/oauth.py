"""OAuth 2.0 authorization servers as the platforms run them, shared by the simulated Meta, X and Google.

What every one enforces (RFC 6749 §4.1 and RFC 7636, and each platform's documented deviations, set per
server): the client is registered and the ``redirect_uri`` is one of its own, else an error page and
no redirect (§4.1.2.1); a consent page where a simulated person signs in, may untick scopes, allows or
cancels; an authorization code bound to the client, the redirect URI, the person, the scopes granted
and the PKCE challenge, usable **once** and only for ``code_ttl``; access tokens with a lifetime, and
refresh tokens that rotate where the platform rotates them.

The pages are plain HTML forms so that a real browser drives them in tests; nothing here is CivicLoop's.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from civicloop.channels.simulator.http import Call, Reply
from civicloop.channels.simulator.state import SimulatorState
from civicloop.kit.crypto import constant_time_equal


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    name: str = "CivicLoop"


@dataclass
class Person:
    """A simulated person who can sign in on the platform's consent page."""

    id: str
    name: str
    username: str = ""


@dataclass
class Code:
    value: str
    client_id: str
    redirect_uri: str
    person_id: str
    scopes: tuple[str, ...]
    issued_at: datetime
    challenge: str = ""
    challenge_method: str = ""
    used: bool = False


@dataclass
class Token:
    value: str
    client_id: str
    person_id: str
    scopes: tuple[str, ...]
    expires_at: datetime | None  # None: does not expire
    kind: str = "access"  # "access" or "refresh" (or a platform's own kind, e.g. Meta's "page")
    subject: str = ""  # what the token speaks for when not the person (a Page id)
    revoked: bool = False

    def live(self, now: datetime) -> bool:
        return not self.revoked and (self.expires_at is None or now < self.expires_at)


@dataclass
class AuthorizationServer:
    """One platform's authorization server: its clients, people, codes and tokens."""

    name: str
    code_ttl: timedelta
    access_ttl: timedelta | None
    scope_separator: str = " "
    pkce_required: bool = False
    rotate_refresh: bool = False
    clients: dict[str, Client] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    # What each person has granted each client (scopes), revocable later as on the platform's settings page.
    grants: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    # --- arranging a scene ---------------------------------------------------------------------------
    def add_client(self, client_id: str, client_secret: str, *redirect_uris: str) -> Client:
        client = Client(client_id, client_secret, tuple(redirect_uris))
        self.clients[client_id] = client
        return client

    def add_person(self, person_id: str, name: str, username: str = "") -> Person:
        person = Person(person_id, name, username)
        self.people[person_id] = person
        return person

    def revoke_scope(self, person_id: str, scope: str) -> None:
        """The person removes one permission from the app on the platform's own settings page."""
        for (_, person), scopes in self.grants.items():
            if person == person_id:
                scopes.discard(scope)

    def remove_app(self, person_id: str) -> None:
        """The person removes the app: every token issued for them stops working."""
        for token in self.tokens.values():
            if token.person_id == person_id:
                token.revoked = True
        for key in [k for k in self.grants if k[1] == person_id]:
            del self.grants[key]

    # --- the consent page ----------------------------------------------------------------------------
    def _problem_page(self, message: str) -> Reply:
        body = (
            f"<!doctype html><title>{self.name}: error</title><h1>Something went wrong</h1>"
            f"<p>{html.escape(message)}</p>"
        )
        return Reply(400, body, {"content-type": "text/html; charset=utf-8"})

    def check_request(self, query: dict[str, str]) -> Client | Reply:
        client = self.clients.get(query.get("client_id", ""))
        if client is None:
            return self._problem_page("Invalid App ID / client_id: the app is not known.")
        if query.get("redirect_uri", "") not in client.redirect_uris:
            return self._problem_page(
                "URL blocked: this redirect failed because the redirect URI is not whitelisted in the app's "
                "client OAuth settings."
            )
        if query.get("response_type", "code") != "code":
            return self._problem_page("response_type must be code.")
        if self.pkce_required and (
            not query.get("code_challenge") or query.get("code_challenge_method", "plain") not in ("S256", "plain")
        ):
            return self._problem_page("code_challenge and code_challenge_method (S256 or plain) are required.")
        return client

    def consent_page(self, call: Call, action: str) -> Reply:
        checked = self.check_request(call.query)
        if isinstance(checked, Reply):
            return checked
        scopes = [s for s in call.query.get("scope", "").replace(",", " ").split() if s]
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in call.query.items()
        )
        people = "".join(
            f'<p><label><input type="radio" name="person" value="{html.escape(p.id)}"{" checked" if i == 0 else ""}> '
            f"{html.escape(p.name)}</label></p>"
            for i, p in enumerate(self.people.values())
        )
        boxes = "".join(
            f'<p><label><input type="checkbox" name="grant" value="{html.escape(s)}" checked> '
            f"{html.escape(s)}</label></p>"
            for s in scopes
        )
        body = (
            f"<!doctype html><html lang='en'><title>{self.name}: log in</title>"
            f"<h1>{html.escape(checked.name)} wants to use your {self.name} account</h1>"
            f'<form method="post" action="{html.escape(action)}">{hidden}'
            f"<fieldset><legend>Log in as</legend>{people or '<p>No simulated people.</p>'}</fieldset>"
            f"<fieldset><legend>Permissions</legend>{boxes}</fieldset>"
            '<button name="decision" value="allow">Continue</button> '
            '<button name="decision" value="cancel">Cancel</button></form></html>'
        )
        return Reply(200, body, {"content-type": "text/html; charset=utf-8"})

    def decide(self, call: Call, now: datetime) -> Reply:
        """The consent form came back: redirect to the client with a code, or with ``error``."""
        form = call.body if isinstance(call.body, dict) else {}
        query = {k: str(v) for k, v in form.items() if k not in ("person", "grant", "decision")}
        checked = self.check_request(query)
        if isinstance(checked, Reply):
            return checked
        redirect_uri = query["redirect_uri"]
        state = query.get("state", "")
        if form.get("decision") != "allow":
            return self._redirect(
                redirect_uri,
                {
                    "error": "access_denied",
                    "error_reason": "user_denied",
                    "error_description": "Permissions error: the person cancelled the login",
                    "state": state,
                },
            )
        person = self.people.get(str(form.get("person", "")))
        if person is None:
            return self._problem_page("Choose who logs in.")
        requested = [s for s in query.get("scope", "").replace(",", " ").split() if s]
        ticked = set(call.lists.get("grant", []))
        granted = [s for s in requested if s in ticked]
        code = Code(
            secrets.token_urlsafe(32),
            checked.client_id,
            redirect_uri,
            person.id,
            tuple(granted),
            now,
            query.get("code_challenge", ""),
            query.get("code_challenge_method", "plain" if query.get("code_challenge") else ""),
        )
        self.codes[code.value] = code
        return self._redirect(redirect_uri, {"code": code.value, "state": state})

    @staticmethod
    def _redirect(redirect_uri: str, params: dict[str, str]) -> Reply:
        separator = "&" if "?" in redirect_uri else "?"
        return Reply(303, "", {"location": redirect_uri + separator + urlencode(params)})

    # --- the token endpoint --------------------------------------------------------------------------
    def authenticate_client(self, client_id: str, client_secret: str | None) -> Client | str:
        client = self.clients.get(client_id)
        if client is None:
            return "invalid_client"
        if client_secret is not None and not constant_time_equal(client.client_secret, client_secret):
            return "invalid_client"
        return client

    def redeem(self, code_value: str, *, client_id: str, redirect_uri: str, verifier: str, now: datetime) -> Code | str:
        """The code, if it may be exchanged now; else which rule it broke ("expired", "used", ...)."""
        code = self.codes.get(code_value)
        if code is None or code.client_id != client_id:
            return "unknown"
        if code.used:
            return "used"
        if now - code.issued_at > self.code_ttl:
            return "expired"
        if code.redirect_uri != redirect_uri:
            return "redirect_uri"
        if code.challenge:
            if code.challenge_method == "S256":
                digest = hashlib.sha256(verifier.encode()).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            else:
                expected = verifier
            if not verifier or not constant_time_equal(expected, code.challenge):
                return "verifier"
        elif self.pkce_required:
            return "verifier"
        code.used = True
        self.grants.setdefault((code.client_id, code.person_id), set()).update(code.scopes)
        return code

    def redeem_form(self, form: dict[str, object], client_id: str, now: datetime) -> Code | str:
        """``redeem`` with a token request's form fields (RFC 6749 §4.1.3, RFC 7636 §4.5)."""
        return self.redeem(
            str(form.get("code", "")),
            client_id=client_id,
            redirect_uri=str(form.get("redirect_uri", "")),
            verifier=str(form.get("code_verifier", "")),
            now=now,
        )

    def issue(
        self,
        client_id: str,
        person_id: str,
        scopes: tuple[str, ...],
        now: datetime,
        *,
        ttl: timedelta | None = None,
        kind: str = "access",
        subject: str = "",
        prefix: str = "",
    ) -> Token:
        lifetime = self.access_ttl if ttl is None and kind == "access" else ttl
        token = Token(
            prefix + secrets.token_urlsafe(40),
            client_id,
            person_id,
            scopes,
            None if lifetime is None else now + lifetime,
            kind,
            subject,
        )
        self.tokens[token.value] = token
        return token

    def token(self, value: str, now: datetime, kind: str = "access") -> Token | None:
        """A live token of ``kind`` with the scopes the person still grants."""
        token = self.tokens.get(value)
        if token is None or token.kind != kind or not token.live(now):
            return None
        granted = self.grants.get((token.client_id, token.person_id))
        if granted is None:
            return None
        token.scopes = tuple(s for s in token.scopes if s in granted)
        return token


def server(state: SimulatorState, name: str, **options: object) -> AuthorizationServer:
    """The simulated platform's authorization server (created with ``options`` the first time)."""
    key = f"oauth:{name}"
    found = state.platforms.get(key)
    if found is None:
        found = AuthorizationServer(name=name, **options)  # type: ignore[arg-type]
        state.platforms[key] = found
    assert isinstance(found, AuthorizationServer)
    return found


def basic_credentials(call: Call) -> tuple[str, str] | None:
    """``Authorization: Basic base64(client_id:client_secret)``, as confidential clients authenticate."""
    scheme, _, value = call.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(value.strip()).decode().partition(":")
    except ValueError:
        return None
    return client_id, secret
