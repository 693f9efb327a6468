"""Every public page of the demo reads in Dzongkha: no interface text left in English, content in Dzongkha where the
officials wrote it, and English content only where marked as such (lang="en", with a note)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import ClassVar

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.accountability.models import Commitment
from civicloop.agencies.models import Agency
from civicloop.channels import registry
from civicloop.channels.models import Conversation, ConversationKind
from civicloop.channels.moderation import Operation
from civicloop.channels.web import status
from civicloop.consultations.models import Consultation, ConsultationStatus
from civicloop.demo.foundation import DemoWorld
from civicloop.moderation.models import ModerationAction

# Latin-script words a Dzongkha page may hold: names of products and formats, and every platform's name.
ALLOWED = {"civicloop", "pdf", "csv", "json", "kb", "nu", "docs/open-data.md"} | {
    label.lower() for label in registry.labels().values()
}
WORD = re.compile(r"[A-Za-z][A-Za-z/.\-]*[A-Za-z]|[A-Za-z]")


class TextNodes(HTMLParser):
    """Visible text outside subtrees marked lang="en" (an official's text not yet translated, said so on the page)
    or data-citizen-words (what citizens wrote, in whatever language they wrote it)."""

    SKIP: ClassVar[set[str]] = {"script", "style", "title"}
    VOID: ClassVar[set[str]] = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        names = dict(attrs)
        skipped = tag in self.SKIP or names.get("lang") == "en" or "data-citizen-words" in names
        self.stack.append(skipped or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and not (self.stack and self.stack[-1]):
            self.texts.append(data.strip())


def english_words(html: str) -> list[str]:
    parser = TextNodes()
    parser.feed(html)
    found = []
    for text in parser.texts:
        # A hashtag or a code is typed as it is, in any language.
        for word in WORD.findall(re.sub(r"#\w+", "", text)):
            if word.lower() in ALLOWED or word.isupper() or "@" in text or word.lower().startswith("v"):
                continue
            found.append(f"{word!r} in {text[:60]!r}")
    return found


def public_pages(db: Session) -> list[str]:
    """One address of every public page of the demo (a new public page goes here: the test below checks it)."""
    bus_stop = db.scalar(select(Consultation).where(Consultation.hashtag == "NorzinBusStop"))
    published = db.scalar(select(Consultation).where(Consultation.status == ConsultationStatus.published))
    form = db.scalars(
        select(Conversation).where(Conversation.kind == ConversationKind.form).order_by(Conversation.id)
    ).first()
    commitment = db.scalars(select(Commitment).order_by(Commitment.id)).first()
    agency = db.scalars(select(Agency).where(Agency.code == "THROMDE")).one()
    assert bus_stop is not None and published is not None and form is not None and commitment is not None
    # The demo moderates nothing, so the appeal page gets a hidden comment of its own.
    db.add(
        ModerationAction(
            agency_id=agency.id, platform="facebook", external_id="demo-comment", operation=Operation.hide,
            ground="spam", by_label="officer@thromde.example", applied=True, appeal_token="demo-appeal-token",
        )
    )  # fmt: skip
    db.commit()
    reference = form.external_ref
    return [
        "/",
        "/accessibility",
        "/c",
        f"/c/{bus_stop.code}",
        f"/c/{published.code}/report",
        "/c/NO-SUCH-CODE",
        "/feedback/THROMDE",
        "/feedback/THROMDE/thanks?ref=THROMDE-ABCDEF",
        f"/feedback/{reference.rsplit('-', 1)[0]}/status/{reference}/{status.status_token(reference)}",
        "/transparency",
        "/transparency/moderation",
        "/appeal/demo-appeal-token",
        "/commitments",
        f"/commitments/{commitment.id}",
    ]


def test_every_public_page_of_the_demo_reads_in_dzongkha(demo: DemoWorld, db: Session, client: TestClient) -> None:
    pages = public_pages(db)
    left: dict[str, list[str]] = {}
    for path in pages:
        answer = client.get(path, headers={"accept-language": "dz"})
        assert answer.status_code in (200, 404), path
        assert answer.headers["content-language"] == "dz", path
        assert '<html lang="dz"' in answer.text
        if found := english_words(answer.text):
            left[path] = found
    assert not left, left
    # Every page a visitor can open without signing in, answered in the visitor's language (Content-Language), is
    # one of the pages above: a new public page cannot escape this test.
    covered = {_route_of(path.split("?")[0]) for path in pages}
    bus_stop = db.scalar(select(Consultation).where(Consultation.hashtag == "NorzinBusStop"))
    assert bus_stop is not None
    values = {"code": bus_stop.code, "agency_code": "THROMDE", "fmt": "json", "token": "demo-appeal-token"}
    for route in set(_page_routes()) - covered:
        url = re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "1"), route)
        answer = client.get(url, headers={"accept-language": "dz"}, follow_redirects=False)
        html = answer.headers.get("content-type", "").startswith("text/html")
        assert not (answer.status_code == 200 and html and "content-language" in answer.headers), (
            f"{route} is a public page: add it to public_pages()"
        )
    # The bus stop is written in both languages: no field falls back there.
    page = client.get(f"/c/{bus_stop.code}?lang=dz").text
    assert "ནོར་འཛིན་ལམ་གུ་ དཔེ་ཚད་བཱས་བསྒུག་ས་" in page and "ཐོག" in page and 'class="fallback"' not in page
    # The answers keep the English option values, so results count them whatever the form's language.
    assert 'value="Roof"' in page


def _page_routes() -> list[str]:
    from civicloop.main import PAGE_ROUTERS

    return sorted(
        {r.path for router in PAGE_ROUTERS for r in router.routes if isinstance(r, APIRoute) and "GET" in r.methods}
    )


def _route_of(path: str) -> str:
    """The route pattern an address answers to (``/c/BUS-1`` → ``/c/{code}``)."""
    for route in _page_routes():
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(route)), path):
            return route
    return path


def test_a_missing_translation_falls_back_per_field_and_says_so(
    demo: DemoWorld, db: Session, client: TestClient
) -> None:
    bus_stop = db.scalar(select(Consultation).where(Consultation.hashtag == "NorzinBusStop"))
    assert bus_stop is not None
    bus_stop.translations = {"dz": {"title": bus_stop.translations["dz"]["title"]}}
    db.commit()
    page = client.get(f"/c/{bus_stop.code}?lang=dz").text
    assert "ནོར་འཛིན་ལམ་གུ་" in page
    assert re.search(r'<span lang="en" class="fallback">Thimphu Thromde will build', page)
    assert "ཨིང་ལིཤ་ནང་སྟོན་ཡོདཔ།" in page


def test_the_chosen_language_is_remembered_and_the_browser_decides_first(demo: DemoWorld, client: TestClient) -> None:
    first = client.get("/c", headers={"accept-language": "en-GB,en"})
    assert first.headers["content-language"] == "en" and "Have your say" in first.text
    chosen = client.get("/c?lang=dz")
    assert chosen.cookies.get("civicloop_lang") == "dz"
    later = client.get("/transparency", headers={"accept-language": "en-GB,en"})
    assert later.headers["content-language"] == "dz"
    assert "གཞུང་གི་ལས་སྡེ་ཚུ་གིས་" in later.text


def test_the_feedback_form_explains_problems_in_dzongkha_and_thanks_in_dzongkha(
    demo: DemoWorld, client: TestClient
) -> None:
    form = client.get("/feedback/THROMDE?lang=dz").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    fields = {"csrf_token": token.group(1), "lang": "dz", "contact": "not a number"}
    refused = client.post("/feedback/THROMDE", data={**fields, "message": "ཀ" * 5001})
    assert refused.status_code == 422
    # The problems themselves are said in Dzongkha too (the catalogs), with the figures the citizen needs.
    assert '<html lang="dz"' in refused.text and not english_words(refused.text)
    assert "ཡིག་འབྲུ་ 5,001 ཡོདཔ་ཨིན།" in refused.text and "ཐུང་ཀུ་བཟོ་གནང་།" in refused.text
    assert "མེན་པ་ཅིན་ སྟོངམ་སྦེ་བཞག" in refused.text  # the contact problem
    # The agency's topics are offered in Dzongkha; the English label is what is stored.
    assert '<option value="Water supply">ཆུ་མཁོ་སྤྲོད།</option>' in refused.text
    sent = client.post(
        "/feedback/THROMDE",
        data={**fields, "contact": "", "topic": "Water supply", "message": "ལམ་ནང་ ཆུ་འཁྱིལ་དོ།"},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("&lang=dz")
    thanks = client.get(sent.headers["location"])
    assert "བཀའ་དྲིན་ཆེ།" in thanks.text and 'id="reference"' in thanks.text and not english_words(thanks.text)
    status_page = client.get(re.search(r'id="status-link" href="([^"]+)"', thanks.text).group(1))  # type: ignore[union-attr]
    assert '<dd id="topic">ཆུ་མཁོ་སྤྲོད།</dd>' in status_page.text and not english_words(status_page.text)
    english = client.post("/feedback/THROMDE", data={**fields, "lang": "en", "message": ""})
    assert "Please write your message." in english.text and "Enter an email address" in english.text
