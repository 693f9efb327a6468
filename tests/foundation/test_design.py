"""The design system's shell: GOV.UK Frontend's built files, the form macros, the error summary, the
accessibility statement."""

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jinja2 import Environment
from sqlalchemy.orm import Session

from civicloop.agencies.models import AgencyKind
from civicloop.errors import Invalid
from civicloop.web.static_files import STATIC_DIR
from civicloop.web.templating import GOVUK_FRONTEND_FILE, templates
from tests.factories import create_agency, create_official, form_post, login

ROOT = Path(__file__).parents[2]


def macros() -> Environment:
    return templates.env


def test_the_built_govuk_frontend_is_the_version_pinned_in_assets() -> None:
    pinned = json.loads((ROOT / "assets" / "package.json").read_text())["dependencies"]["govuk-frontend"]
    locked = json.loads((ROOT / "assets" / "package-lock.json").read_text())["packages"]
    assert locked["node_modules/govuk-frontend"]["version"] == pinned
    assert f"govuk-frontend-{pinned}.min.js" == GOVUK_FRONTEND_FILE
    script = (STATIC_DIR / GOVUK_FRONTEND_FILE).read_text()
    assert script.startswith(f'const version="{pinned}"')
    css = (STATIC_DIR / "civicloop.css").read_text()
    # Compiled with CivicLoop's fonts: no GDS Transport (licensed to GOV.UK only), nothing from another server.
    assert ".govuk-error-summary" in css and "GDS Transport" not in css and "@font-face" not in css
    assert not re.search(r"url\((?!\"?/static/|\"?data:)", css)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sign_in_fields_carry_autocomplete_escaped_once(client: TestClient) -> None:
    html = client.get("/login").text
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert "&#34;" not in html and "&quot;" not in html.split("<main", 1)[1]


def test_a_field_macro_escapes_attribute_values_and_shows_its_error() -> None:
    module = macros().from_string('{% from "_macros.html" import field %}{{ field(*args, **kw) }}')
    html = module.render(
        args=["title", "Title", '"><script>'],
        kw={"attrs": {"placeholder": 'say "hi"'}, "error": "a title is needed", "help": "Short"},
    )
    assert 'value="&#34;&gt;&lt;script&gt;"' in html and 'placeholder="say &#34;hi&#34;"' in html
    assert 'aria-describedby="h-f-title e-f-title"' in html and 'aria-invalid="true"' in html
    assert 'id="e-f-title"' in html and "govuk-form-group--error" in html


def test_field_attributes_given_as_a_string_are_escaped_once_too() -> None:
    module = macros().from_string('{% from "_macros.html" import field %}{{ field("n", "N", attrs=a) }}')
    html = module.render(a='inputmode="numeric" autofocus data-x=\'a"b\'')
    assert ' inputmode="numeric" autofocus data-x="a&#34;b">' in html and "&#34;numeric" not in html
    assert module.render(a={"min": 1, "autofocus": True}).rstrip().endswith(' min="1" autofocus>\n</div>'.strip())


def test_the_error_summary_links_an_error_to_its_field() -> None:
    box = macros().from_string('{% from "_macros.html" import error_box %}{{ error_box(e) }}')
    linked = box.render(e=Invalid("an agency needs a name", field="name"))
    assert 'class="govuk-error-summary"' in linked and '<a href="#f-name">an agency needs a name</a>' in linked
    plain = box.render(e="wrong email or password")
    assert "wrong email or password" in plain and "<a " not in plain
    assert box.render(e=None).strip() == ""


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_accessibility_statement_is_public_in_english_and_dzongkha(client: TestClient) -> None:
    english = client.get("/accessibility")
    assert english.status_code == 200 and "<h1>Accessibility statement</h1>" in english.text
    assert "WCAG) 2.2 at level AA" in english.text and english.headers["content-language"] == "en"
    dzongkha = client.get("/accessibility?lang=dz")
    assert dzongkha.status_code == 200 and dzongkha.headers["content-language"] == "dz"
    assert '<html lang="dz"' in dzongkha.text and "འཛུལ་སྤྱོད་བདེ་ཐབས་ཀྱི་གསལ་བསྒྲགས།" in dzongkha.text
    assert 'href="/accessibility?lang=dz"' in dzongkha.text  # the footer keeps the language
    browser_choice = client.get("/accessibility", headers={"accept-language": "dz, en;q=0.5"})
    assert browser_choice.headers["content-language"] == "dz"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_refused_form_links_its_error_to_the_field_and_marks_the_field(db: Session, client: TestClient) -> None:
    create_agency(db, "DOIM", kind=AgencyKind.national_oversight)
    login(client, create_official(db, "national_admin@DOIM"))
    refused = form_post(
        client, "/agencies", {"code": "bad code", "name": "Somewhere", "kind": "department"}, page="/agencies"
    )
    html = refused.text  # type: ignore[attr-defined]
    assert refused.status_code == 422  # type: ignore[attr-defined]
    summary = html[html.index('class="govuk-error-summary"') :]
    assert re.search(r'<a href="#f-code">agency code &#39;BAD CODE&#39; must be', summary), summary[:600]
    # The field itself says it too, and a screen reader hears it with the field.
    group = summary[summary.index('<div class="govuk-form-group govuk-form-group--error">') :]
    assert group.index('for="f-code"') < group.index('id="e-f-code"') < group.index('id="f-code"')
    assert 'aria-describedby="h-f-code e-f-code" aria-invalid="true"' in group
