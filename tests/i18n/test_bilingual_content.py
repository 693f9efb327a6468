"""What officials write in English and Dzongkha beyond consultations: the feedback form's topics and the commitments
of the tracker. Each editor shows both side by side and marks what is missing; the public pages fall back per field,
marked as English and saying so."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.accountability.models import Commitment
from civicloop.audit.models import AuditEntry
from civicloop.demo.foundation import DEMO_PASSWORD, DemoWorld, demo_email
from tests.factories import csrf_from, login

FALLBACK_NOTE = "ཨིང་ལིཤ་ནང་སྟོན་ཡོདཔ།"


def test_the_topics_editor_writes_both_languages_and_the_form_falls_back_per_topic(
    demo: DemoWorld, db: Session, client: TestClient
) -> None:
    agency = demo.agencies["THROMDE"]
    login(client, demo.officials[demo_email("officer", "THROMDE")], DEMO_PASSWORD)
    editor = client.get(f"/feedback-topics?agency_id={agency.id}")
    assert editor.status_code == 200 and "Every topic is written in both languages." in editor.text
    assert 'value="བཱས་དང་ བཱས་བསྒུག་ས།"' in editor.text and 'name="label_dz"' in editor.text
    form = {
        "agency_id": str(agency.id),
        "label": ["Buses and bus stops", "Dogs"],
        "label_dz": ["བཱས་དང་ བཱས་བསྒུག་ས།", ""],
        "csrf_token": csrf_from(editor.text),
    }
    # A topic written in Dzongkha only is refused whole: the English label is the stored subject.
    refused = client.post(
        "/feedback-topics", data={**form, "label": ["Buses and bus stops", ""], "label_dz": ["བཱས།", "ཁྱི།"]}
    )
    assert refused.status_code == 422 and "topic 2 has no English label" in refused.text
    saved = client.post("/feedback-topics", data=form, follow_redirects=False)
    assert saved.status_code == 303
    marked = client.get(saved.headers["location"]).text
    assert '<strong id="missing-count">1 not written in' in marked and marked.count('class="missing"') == 1
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "feedback.topics").order_by(AuditEntry.seq)).all()[
        -1
    ]
    assert [t["label"] for t in entry.after["topics"]] == ["Buses and bus stops", "Dogs"]
    public = client.get("/feedback/THROMDE?lang=dz").text
    assert '<option value="Buses and bus stops">བཱས་དང་ བཱས་བསྒུག་ས།</option>' in public
    assert '<option value="Dogs" lang="en">Dogs</option>' in public and 'class="fallback-note" id="h-topic"' in public
    english = client.get("/feedback/THROMDE?lang=en").text
    assert '<option value="Buses and bus stops">Buses and bus stops</option>' in english and "h-topic" not in english


def test_a_commitment_is_written_side_by_side_and_the_tracker_falls_back_per_field(
    demo: DemoWorld, db: Session, client: TestClient
) -> None:
    commitment = db.scalars(select(Commitment).where(Commitment.title.startswith("Light the 12"))).one()
    public = client.get(f"/commitments/{commitment.id}?lang=dz").text
    assert "ནོར་འཛིན་ལམ་གུ་ བཱས་བསྒུག་ས་ ༡༢ ལུ་ གློག་མེ་ བཙུགས་ནི།" in public
    assert 'class="fallback">Thimphu Thromde Electrical' not in public and 'class="fallback">Light' not in public
    login(client, demo.officials[demo_email("analyst", "THROMDE")], DEMO_PASSWORD)
    editor = client.get(f"/accountability/commitments/{commitment.id}/translation?lang=dz")
    assert editor.status_code == 200 and "Every text is written in both languages." in editor.text
    title = re.search(r'name="title" value="([^"]*)"', editor.text)
    assert title is not None
    # The division's Dzongkha is removed: the public page shows the English one, marked and said to be English.
    saved = client.post(
        f"/accountability/commitments/{commitment.id}/translation",
        data={"lang": "dz", "title": title.group(1), "division": "", "csrf_token": csrf_from(editor.text)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    again = client.get(saved.headers["location"]).text
    assert '<strong id="missing-count">1 not written yet</strong>' in again
    public = client.get(f"/commitments/{commitment.id}?lang=dz").text
    assert '<span lang="en" class="fallback">Thimphu Thromde Electrical Section</span>' in public
    assert FALLBACK_NOTE in public and "ནོར་འཛིན་ལམ་གུ་ བཱས་བསྒུག་ས་ ༡༢ ལུ་" in public
    too_long = client.post(
        f"/accountability/commitments/{commitment.id}/translation",
        data={"lang": "dz", "title": "ཀ" * 201, "csrf_token": csrf_from(editor.text)},
    )
    assert too_long.status_code == 422 and "at most 200 characters" in too_long.text
    assert "ཀ" * 201 in too_long.text, "the form keeps what was typed"
    db.expire_all()
    assert db.get(Commitment, commitment.id).translations["dz"]["title"] == title.group(1)  # type: ignore[union-attr]
