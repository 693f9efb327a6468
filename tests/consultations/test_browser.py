"""An analyst runs a consultation end to end, and a citizen answers on a phone, in a real Chromium."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.consultations import answers, queries, service
from civicloop.consultations.models import Answer, Consultation, Response
from tests.consultations.conftest import Scene, make_consultation
from tests.factories import PASSWORD, create_official

pytestmark = pytest.mark.browser


def _sign_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_an_analyst_creates_opens_reads_closes_and_publishes(db: Session, scene: Scene, page) -> None:  # type: ignore[no-untyped-def]
    create_official(db, "analyst@THROMDE", email="analyst@thromde.example")
    _sign_in(page, "analyst@thromde.example")
    page.get_by_role("link", name="Consultations").click()
    page.get_by_role("link", name="New consultation or survey").click()
    page.get_by_label("Title").fill("Model bus stop on Norzin Lam: tell us before we build it")
    page.get_by_label("Summary in plain words").fill("Three designs for the new bus stop.")
    page.get_by_label("The full draft or design").fill("## Why\nThe shelter is too small.\n\n<script>alert(1)</script>")
    closes = (scene.clock.now() + timedelta(days=14, hours=6)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Closes").fill(closes)
    page.get_by_label("Thimphu Thromde", exact=False).first.check()  # the Facebook Page
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r"/consultations/\d+$"))
    expect(page.get_by_text("add at least one question")).to_be_visible()
    page.get_by_label("Kind of question").select_option("single_choice")
    page.locator("#f-prompt").fill("Where should the shelter face?")
    page.get_by_label("Options, one per line").fill("The road\nThe shops")
    page.get_by_role("button", name="Add question").click()
    page.get_by_role("button", name="Open now and announce").click()
    expect(page.get_by_text("Open for answers.")).to_be_visible()
    consultation = db.scalars(select(Consultation)).one()
    db.refresh(consultation)
    question = queries.questions_of(db, consultation.id)[0]
    answers.submit_form(db, consultation=consultation, values={question.id: ["The shops"]}, comment="More benches")
    db.commit()
    page.get_by_role("link", name="results").click()
    expect(page.get_by_role("heading", name="Participation: 1 answer", exact=True)).to_be_visible()
    expect(page.locator("#feedback").get_by_text("More benches")).to_be_visible()
    page.go_back()
    page.get_by_role("button", name="Close for answers").click()
    expect(page.get_by_text("Closed. Write the report")).to_be_visible()
    page.get_by_role("link", name="“You said, we did” report").click()
    page.get_by_label("Decision").fill("The shelter will face the shops.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_label("Heading").fill("Which way it faces")
    page.get_by_label("You said").fill("Most of you asked for the shops side.")
    page.get_by_label("We did (what changes").fill("We turned the design around.")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("button", name="Publish the report").click()
    expect(page.get_by_text("The report is public.")).to_be_visible()
    page.get_by_role("link", name="public report").click()
    expect(page.get_by_role("heading", name="Which way it faces")).to_be_visible()
    expect(page.get_by_text("The shelter will face the shops.")).to_be_visible()


def test_a_citizen_answers_on_a_phone(db: Session, scene: Scene, phone_page) -> None:  # type: ignore[no-untyped-def]
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    phone_page.goto(f"/c/{consultation.code}")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the public page scrolls sideways on a phone ({width}px)"
    expect(phone_page.get_by_role("img", name="Design B")).to_be_visible()
    phone_page.get_by_label("Option B — Design B").check()
    phone_page.get_by_role("group", name="2. How good is the bus stop today?").get_by_label("2").check()
    phone_page.get_by_label("What should the new bus stop have?").fill("A roof that keeps the rain off <b>please</b>")
    phone_page.get_by_role("button", name="Send my answers").click()
    expect(phone_page.get_by_role("status").filter(has_text="Thank you")).to_be_visible()
    db.rollback()
    response = db.scalars(select(Response).where(Response.consultation_id == consultation.id)).one()
    stored = {a.question_id: (a.choices, a.rating, a.text) for a in db.scalars(select(Answer))}
    design, rating, free = queries.questions_of(db, consultation.id)
    assert response.channel == "form"
    assert stored == {
        design.id: (["B"], None, None),
        rating.id: (None, 2, None),
        free.id: (None, None, "A roof that keeps the rain off <b>please</b>"),
    }
