"""An official writes the consultation in Dzongkha beside the English; the public page shows it field by field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit.models import AuditEntry
from civicloop.config import reset_settings
from civicloop.consultations import queries, report, service
from civicloop.consultations.models import Consultation, ReportSection
from civicloop.consultations.schemas import ReportSectionIn
from civicloop.kit import i18n
from tests.consultations.conftest import Scene, make_consultation
from tests.factories import csrf_from, login


def _post(client: TestClient, consultation: Consultation, data: dict[str, str]):  # type: ignore[no-untyped-def]
    page = f"/consultations/{consultation.id}/translation?lang=dz"
    token = csrf_from(client.get(page).text)
    return client.post(
        f"/consultations/{consultation.id}/translation",
        data={**data, "lang": "dz", "csrf_token": token},
        follow_redirects=False,
    )


def test_an_official_writes_the_dzongkha_version_side_by_side(db: Session, client: TestClient, scene: Scene) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    login(client, scene.officer)
    editor = client.get(f"/consultations/{consultation.id}/translation?lang=dz")
    assert editor.status_code == 200 and 'id="missing-count"' in editor.text
    assert "not written yet" in editor.text and editor.text.count('class="missing"') >= 5
    design = queries.questions_of(db, consultation.id)[0]
    picture = queries.attachments_of(db, consultation.id)[0]
    db.commit()  # end this session's read before the app writes (SQLite)
    saved = _post(
        client,
        consultation,
        {
            "c.title": "ནོར་འཛིན་ལམ་གུ་ དཔེ་ཚད་བཱས་བསྒུག་ས།",
            "c.summary": "",
            f"q{design.id}.prompt": "ཁྱོད་ལུ་ བཟོ་བཀོད་ག་འདི་དགའ?",
            f"a{picture.id}.alt_text": "བཟོ་བཀོད་ A",
        },
    )
    assert saved.status_code == 303, saved.text
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    public = client.get(f"/c/{consultation.code}?lang=dz").text
    assert "ནོར་འཛིན་ལམ་གུ་ དཔེ་ཚད་བཱས་བསྒུག་ས།" in public and "ཁྱོད་ལུ་ བཟོ་བཀོད་ག་འདི་དགའ?" in public
    # The summary has no Dzongkha version: English, marked as such, with the note.
    assert '<span lang="en" class="fallback">Three designs for the new bus stop.' in public
    assert client.get(f"/c/{consultation.code}?lang=en").text.count("Model bus stop on Norzin Lam") >= 1
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(consultation.id))).all()
    assert "consultation.translated" in actions


def test_a_bad_translation_form_is_refused_with_its_reason_and_nothing_changes(
    db: Session, client: TestClient, scene: Scene
) -> None:
    consultation = make_consultation(db, scene, accounts=False, design=False)
    login(client, scene.officer)
    too_long = _post(client, consultation, {"c.title": "ཀ" * 201})
    assert too_long.status_code == 422 and "longer than 200" in too_long.text
    unknown = _post(client, consultation, {"c.code": "X"})
    assert unknown.status_code == 422 and "cannot be translated" in unknown.text
    foreign = _post(client, consultation, {"q999999.prompt": "X"})
    assert foreign.status_code == 422 and "not a part of this consultation" in foreign.text
    db.expire_all()
    assert db.get(Consultation, consultation.id).translations == {}  # type: ignore[union-attr]


def test_the_report_sections_are_written_in_dzongkha_too(db: Session, client: TestClient, scene: Scene) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    service.close(db, actor=scene.actor, consultation_id=consultation.id)
    section = report.add_section(
        db,
        actor=scene.actor,
        consultation_id=consultation.id,
        data=ReportSectionIn(heading="Shelter", you_said="Too small", we_did="Bigger roof"),
    )
    db.commit()
    login(client, scene.officer)
    editor = client.get(f"/consultations/{consultation.id}/translation?lang=dz").text
    assert f'name="s{section.id}.we_did"' in editor
    saved = _post(client, consultation, {f"s{section.id}.heading": "སྐྱབས་ཁང་།", f"s{section.id}.we_did": "ཐོག་ཆེ།"})
    assert saved.status_code == 303, saved.text
    db.expire_all()
    written = db.get(ReportSection, section.id)
    assert written is not None
    assert i18n.localized(written, "we_did", "dz") == i18n.Localized("ཐོག་ཆེ།", "dz", False)
    assert i18n.localized(written, "you_said", "dz") == i18n.Localized("Too small", "en", True)


def test_a_deployment_may_show_tibetan_digits_on_dzongkha_pages(
    db: Session, client: TestClient, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    year = str(consultation.closes_at.year) if consultation.closes_at else ""
    tibetan_year = year.translate(str.maketrans("0123456789", "༠༡༢༣༤༥༦༧༨༩"))
    plain = client.get(f"/c/{consultation.code}?lang=dz").text
    assert f"སྤྱི་ལོ་{year}" in plain and tibetan_year not in plain
    monkeypatch.setenv("CIVICLOOP_NATIVE_DIGITS", "true")
    reset_settings()
    try:
        native = client.get(f"/c/{consultation.code}?lang=dz").text
        english = client.get(f"/c/{consultation.code}?lang=en").text
    finally:
        monkeypatch.undo()
        reset_settings()
    assert f"སྤྱི་ལོ་{tibetan_year}" in native and "༡." in native  # the date and the questions' numbers
    assert tibetan_year not in english and year in english
