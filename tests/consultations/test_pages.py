"""The consultation pages as officials and citizens use them, through the real app."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicloop.agencies.models import AccountStatus, OfficialAccount
from civicloop.channels import registry
from civicloop.config import reset_settings
from civicloop.consultations import queries, report, service
from civicloop.consultations.models import Response
from civicloop.consultations.schemas import ReportSectionIn
from tests.consultations.conftest import PDF, PNG, Scene, make_consultation
from tests.factories import csrf_from, login

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _form_post(client: TestClient, path: str, data: dict[str, object], page: str, **kwargs: object):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


def _local(scene: Scene, days: int) -> str:
    return (scene.clock.now() + timedelta(days=days, hours=6)).strftime("%Y-%m-%dT%H:%M")


def test_an_officer_builds_a_consultation_and_bad_input_gets_a_clear_message(
    db: Session, client: TestClient, scene: Scene
) -> None:
    login(client, scene.officer)
    past = _form_post(
        client,
        "/consultations",
        {"agency_id": scene.agency.id, "title": "Bus stop", "summary": "s", "closes_at": _local(scene, -2)},
        "/consultations/new",
    )
    assert past.status_code == 422 and "is in the past" in past.text
    assert 'value="Bus stop"' in past.text, "the form keeps what was typed"
    created = _form_post(
        client,
        "/consultations",
        {
            "agency_id": scene.agency.id,
            "title": "Bus stop",
            "summary": "Which design?",
            "closes_at": _local(scene, 10),
            "account_ids": [scene.facebook.id],
        },
        "/consultations/new",
    )
    assert created.status_code == 303
    detail = created.headers["location"]
    no_options = _form_post(client, f"{detail}/questions", {"kind": "single_choice", "prompt": "Where?"}, detail)
    assert no_options.status_code == 422 and "needs at least two options; none was given" in no_options.text
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = _form_post(
        client, f"{detail}/attachments", {"alt_text": "a"}, detail, files={"file": ("a.png", svg, "image/png")}
    )
    assert refused.status_code == 422 and "is an SVG image (it can carry scripts)" in refused.text
    no_alt = _form_post(client, f"{detail}/attachments", {}, detail, files={"file": ("a.png", PNG, "image/png")})
    assert no_alt.status_code == 422 and "describe the picture" in no_alt.text
    ok = _form_post(client, f"{detail}/attachments", {}, detail, files={"file": ("plan.pdf", PDF, "text/plain")})
    assert ok.status_code == 303
    assert "plan.pdf" in client.get(detail).text


def test_an_oversized_upload_is_refused(
    db: Session, client: TestClient, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    monkeypatch.setenv("CIVICLOOP_MAX_UPLOAD_BYTES", "1000")
    reset_settings()
    login(client, scene.officer)
    detail = f"/consultations/{consultation.id}"
    big = PDF + b"0" * 2000
    response = _form_post(
        client, f"{detail}/attachments", {}, detail, files={"file": ("big.pdf", big, "application/pdf")}
    )
    assert response.status_code == 413 and "larger than the limit" in response.text
    monkeypatch.undo()
    reset_settings()


def test_files_are_served_with_safe_headers_and_drafts_stay_private(
    db: Session, client: TestClient, scene: Scene
) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    document = service.add_attachment(
        db, actor=scene.actor, consultation_id=consultation.id, filename="../../etc/Plan 2026.pdf", data=PDF
    )
    attachment = queries.attachments_of(db, consultation.id)[0]
    public = f"/c/{consultation.code}/files/{attachment.id}/{attachment.filename}"
    assert client.get(public).status_code == 404, "a draft's files are not public"
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    served = client.get(public)
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith('inline; filename="option-A.png"')
    assert "sandbox" in served.headers["content-security-policy"]
    pdf = client.get(f"/c/{consultation.code}/files/{document.id}/{document.filename}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert (
        pdf.headers["content-disposition"] == "attachment; filename=\"Plan 2026.pdf\"; filename*=UTF-8''Plan%202026.pdf"
    )
    assert client.get(f"/c/{consultation.code}/files/999/x.png").status_code == 404


def test_a_citizen_answers_and_script_in_answers_is_escaped_everywhere(
    db: Session, client: TestClient, scene: Scene
) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    design, rating, free = queries.questions_of(db, consultation.id)
    page = f"/c/{consultation.code}"
    form = client.get(page)
    assert form.status_code == 200 and "Which design do you prefer?" in form.text
    bad = _form_post(client, page, {f"q{design.id}": "Z", f"q{free.id}": XSS}, page)
    assert bad.status_code == 422
    assert XSS not in bad.text and "&lt;script&gt;" in bad.text, "the typed answer comes back escaped"
    sent = _form_post(
        client, page, {f"q{design.id}": "B", f"q{rating.id}": "4", f"q{free.id}": XSS, "comment": XSS}, page
    )
    assert sent.status_code == 303 and "thanks=1" in sent.headers["location"]
    assert client.get(sent.headers["location"]).status_code == 200
    login(client, scene.officer)
    for path in (f"/consultations/{consultation.id}/results", f"/consultations/{consultation.id}"):
        html = client.get(path).text
        assert "<script>alert" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    results = client.get(f"/consultations/{consultation.id}/results").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in results
    csv_export = client.get(f"/consultations/{consultation.id}/export.csv")
    assert csv_export.headers["content-type"].startswith("text/csv") and "B" in csv_export.text
    assert client.get(f"/consultations/{consultation.id}/export.json").json()["results"]["total"] == 1
    _close_and_publish(db, client, scene, consultation.id)
    closed = client.get(f"/consultations/{consultation.id}/results").text  # themes worked out on closing
    assert "Sentiment over time" in closed and "<script>alert" not in closed
    client.cookies.clear()
    report = client.get(f"/c/{consultation.code}/report")
    assert report.status_code == 200 and "<script>alert" not in report.text
    assert "What you said and what we did" in report.text


def _close_and_publish(db: Session, client: TestClient, scene: Scene, consultation_id: int) -> None:
    detail = f"/consultations/{consultation_id}"
    assert _form_post(client, f"{detail}/close", {}, detail).status_code == 303
    report = f"{detail}/report"
    section = {"heading": "Design", "you_said": "Most chose B.", "we_did": "We build B with a longer roof."}
    assert _form_post(client, f"{report}/sections", section, report).status_code == 303
    assert _form_post(client, report, {"decision": "Design B, with a longer roof."}, report).status_code == 303
    assert _form_post(client, f"{detail}/publish", {}, report).status_code == 303


def test_the_honeypot_and_the_rate_limit_keep_bots_out(
    db: Session, client: TestClient, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    page = f"/c/{consultation.code}"
    bot = _form_post(client, page, {"comment": "cheap pills", "website": "http://spam.example"}, page)
    assert bot.status_code == 303, "a bot is told it succeeded"
    monkeypatch.setenv("CIVICLOOP_CONSULTATION_ANSWERS_PER_HOUR", "2")
    reset_settings()
    codes = [_form_post(client, page, {"comment": f"answer {i}"}, page).status_code for i in range(3)]
    monkeypatch.undo()
    reset_settings()
    assert codes == [303, 303, 429]
    db.expire_all()
    stored = db.scalar(select(func.count()).where(Response.consultation_id == consultation.id))
    assert stored == 2


def test_the_public_page_has_dzongkha_labels(db: Session, client: TestClient, scene: Scene) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    db.commit()
    page = client.get(f"/c/{consultation.code}?lang=dz")
    assert page.headers["content-language"] == "dz"
    assert '<html lang="dz"' in page.text and "བཅུད་བསྡུས།" in page.text
    assert re.search(r"<button[^>]*>ལན་ཕུལ།</button>", page.text)
    client.cookies.clear()  # ?lang=dz is remembered; a new visitor's browser decides
    english = client.get(f"/c/{consultation.code}", headers={"accept-language": "en-GB,en;q=0.9"})
    assert "Send my answers" in english.text
    # Where a comment counts as an answer: the agency's own social media accounts, as the registry names them.
    said = re.search(r"commenting on our posts on ([^;]+); quote the code", english.text)
    assert said is not None
    accounts = db.scalars(select(OfficialAccount).where(OfficialAccount.agency_id == consultation.agency_id)).all()
    social = {spec.name for spec in registry.social()}
    expected = {registry.label(a.platform) for a in accounts if a.platform in social}
    assert set(re.split(r", | or ", said.group(1))) == expected and len(expected) >= 3
    for account in accounts:
        account.status = AccountStatus.disconnected
    db.commit()
    assert "commenting on our posts" not in client.get(f"/c/{consultation.code}").text


def test_the_remove_buttons_remove_questions_files_and_report_sections(
    db: Session, client: TestClient, scene: Scene
) -> None:
    consultation = make_consultation(db, scene, accounts=False)
    login(client, scene.officer)
    detail = f"/consultations/{consultation.id}"
    question_id = queries.questions_of(db, consultation.id)[-1].id
    removed = _form_post(client, f"{detail}/questions/{question_id}/delete", {}, detail)
    assert removed.status_code == 303 and removed.headers["location"] == detail
    db.rollback()  # end the read snapshot taken before the request wrote
    document_id = service.add_attachment(
        db, actor=scene.actor, consultation_id=consultation.id, filename="plan.pdf", data=PDF
    ).id
    db.commit()
    assert _form_post(client, f"{detail}/attachments/{document_id}/delete", {}, detail).status_code == 303
    assert _form_post(client, f"{detail}/questions/{question_id}/delete", {}, detail).status_code == 404
    assert _form_post(client, f"{detail}/notes/1/delete", {}, detail).status_code == 404
    db.rollback()
    assert question_id not in {q.id for q in queries.questions_of(db, consultation.id)}
    assert document_id not in {a.id for a in queries.attachments_of(db, consultation.id)}
    service.open_now(db, actor=scene.actor, consultation_id=consultation.id)
    service.close(db, actor=scene.actor, consultation_id=consultation.id)
    section = report.add_section(
        db, actor=scene.actor, consultation_id=consultation.id, data=ReportSectionIn(heading="Roof", we_did="Longer.")
    )
    db.commit()
    page = f"{detail}/report"
    gone = _form_post(client, f"{detail}/report/sections/{section.id}/delete", {}, page)
    assert gone.status_code == 303 and gone.headers["location"] == page
    db.rollback()
    assert report.sections_of(db, consultation.id) == []
