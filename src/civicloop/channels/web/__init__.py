"""The public web form: anyone may leave feedback for an agency, with or without name and contact.

Owns: the page ``/feedback/{agency_code}``, its anti-spam helpers (CSRF, honeypot, per-address rate
limit in the database, length limits; reused by consultations) and email replies to the citizen.
Must not: require a login, or show anything of other people's feedback.
"""

from __future__ import annotations

from civicloop.agencies.platforms import Credentials
from civicloop.channels.delivery import Route
from civicloop.channels.spec import PlatformSpec, RouteSpec, TextLimit
from civicloop.channels.web import demo as web_demo
from civicloop.channels.web.outbound import EmailSender

SPEC = PlatformSpec(
    name="web",
    label="Web form",
    external_id="any label for the form",
    credentials=Credentials(required=frozenset()),
    sender=EmailSender(),
    form_reply=RouteSpec(Route("email"), TextLimit(20_000, "characters")),
    access_category=None,
    social=False,
    badge="yellow",
    demo=web_demo.DEMO,
)
