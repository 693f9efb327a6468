"""Runs over stored messages: storage, incremental assignment, officials' edits, pages and API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from civicloop.agencies.models import Agency
from civicloop.analysis import queries, service
from civicloop.analysis import tasks as analysis_tasks
from civicloop.analysis.models import AnalysisAssignment, AnalysisTheme, RunStatus
from civicloop.auth.scope import Actor
from civicloop.channels.models import Message
from civicloop.cli import app
from civicloop.errors import NotFound
from tests.analysis.builders import post, seed
from tests.factories import create_agency, create_official, csrf_from, login

assert analysis_tasks.on_message is not None  # registers the ON_MESSAGE hook


def start(db: Session, actor: Actor, scope: queries.AnalysisScope, embedder: str | None = None) -> None:
    """A run with the default embedder (the quality one here), or ``embedder`` where the test is about what the service
    keeps, not about the embedding: the fast one takes a tenth of the time."""
    service.run_analysis(db, service.create_run(db, actor=actor, scope=scope, embedder=embedder))


def finished(db: Session, agency: Agency) -> int:
    run = queries.latest_run(db, queries.AnalysisScope(agency_id=agency.id), finished=True)
    assert run is not None and run.status is RunStatus.done
    return run.id


def test_run_stores_themes_campaigns_and_assigns_every_message_then_new_ones(db: Session) -> None:
    agency, account, actor = seed(db)
    start(db, actor, queries.AnalysisScope(agency_id=agency.id))
    db.commit()  # the job runs after commit (immediately, in tests)
    run_id = finished(db, agency)
    data = queries.run_json(db, run_id=run_id)
    ids = {str(i) for i in db.scalars(select(Message.id))}
    assert set(data["assignments"]) == ids
    assert len(data["themes"]) >= 3
    assert [c["size"] for c in data["campaigns"]][:1] and data["campaigns"][0]["accounts"] == [account.name]
    assert sum(t["raw_size"] for t in data["themes"]) == len(ids)

    # A new message worded like one already in a theme joins that theme, without a new run.
    known_text, known_theme = db.execute(
        select(Message.text, AnalysisAssignment.theme_id)
        .join(AnalysisAssignment, AnalysisAssignment.message_id == Message.id)
        .join(AnalysisTheme, AnalysisTheme.id == AnalysisAssignment.theme_id)
        .where(AnalysisTheme.number != 0)
        .limit(1)
    ).one()
    new = post(db, account, known_text + " Please act.", 999)
    db.commit()
    assignment = db.scalar(select(AnalysisAssignment).where(AnalysisAssignment.message_id == new.id))
    assert assignment is not None and assignment.incremental
    assert assignment.theme_id == known_theme
    theme = db.get(AnalysisTheme, known_theme)
    assert theme is not None and theme.raw_size >= 2


def test_officials_edits_survive_a_new_analysis(db: Session) -> None:
    agency, _account, actor = seed(db)
    scope = queries.AnalysisScope(agency_id=agency.id)
    start(db, actor, scope, embedder="fast")
    db.commit()
    first = finished(db, agency)
    themes = [t for t in queries.themes_of(db, first) if t.number != 0]
    renamed, merged_a, merged_b = themes[0], themes[1], themes[2]
    service.rename_theme(db, actor=actor, theme_id=renamed.id, label="Drinking water")
    service.merge_themes(db, actor=actor, theme_id=merged_b.id, into_id=merged_a.id)
    moved_message = db.scalar(
        select(AnalysisAssignment.message_id).where(AnalysisAssignment.theme_id == renamed.id).limit(1)
    )
    assert moved_message is not None
    service.move_message(db, actor=actor, theme_id=merged_a.id, message_id=moved_message)
    db.commit()
    merged_messages = set(
        db.scalars(select(AnalysisAssignment.message_id).where(AnalysisAssignment.theme_id == merged_a.id))
    )

    start(db, actor, scope, embedder="fast")
    db.commit()
    second = finished(db, agency)
    assert second != first
    names = {t.name for t in queries.themes_of(db, second)}
    assert "Drinking water" in names
    new_theme_of = dict(
        db.execute(
            select(AnalysisAssignment.message_id, AnalysisAssignment.theme_id).where(
                AnalysisAssignment.run_id == second
            )
        ).all()
    )
    # The merged theme is one theme again, and the moved message is still in it.
    homes = {new_theme_of[m] for m in merged_messages}
    assert len(homes) == 1 and new_theme_of[moved_message] in homes


def test_other_agencies_cannot_see_or_edit(db: Session) -> None:
    agency, _account, actor = seed(db)
    start(db, actor, queries.AnalysisScope(agency_id=agency.id), embedder="fast")
    db.commit()
    run_id = finished(db, agency)
    create_agency(db, "OTHER")
    outsider = Actor.of(create_official(db, "analyst@OTHER"))
    with pytest.raises(NotFound):
        queries.get_run(db, actor=outsider, run_id=run_id)
    theme = queries.themes_of(db, run_id)[0]
    with pytest.raises(NotFound):
        service.rename_theme(db, actor=outsider, theme_id=theme.id, label="Mine")


def test_pages_and_api(db: Session, client: TestClient) -> None:
    agency, _account, _actor = seed(db)
    analyst = create_official(db, "analyst@ANLYS", email="pages-analyst@test.example")
    login(client, analyst)
    page = client.get(f"/analysis/agency/{agency.id}")
    assert page.status_code == 200 and "No analysis yet" in page.text
    response = client.post(
        "/api/v1/analysis/runs", json={"agency_id": agency.id}, headers={"X-CSRF-Token": csrf_from(page.text)}
    )
    assert response.status_code == 202, response.text
    run_id = response.json()["id"]
    assert client.get(f"/api/v1/analysis/runs/{run_id}").json()["status"] == "done"
    latest = client.get(f"/api/v1/analysis/latest?agency_id={agency.id}").json()
    messages = db.scalar(select(func.count(Message.id)))
    assert len(latest["assignments"]) == messages
    # Every message counted once in its local day (all were posted on Monday 2 March, Thimphu time).
    over_time = latest["sentiment_over_time"]
    assert over_time["unit"] == "day" and [p["start"] for p in over_time["periods"]] == ["2026-03-02"]
    assert sum(over_time["periods"][0][name] for name in ("positive", "neutral", "negative")) == messages
    page = client.get(f"/analysis/agency/{agency.id}")
    assert "<svg" in page.text and "Campaigns" in page.text and "Dear Thromde" in page.text
    assert "Sentiment over time" in page.text and '<th scope="row">2026-03-02</th>' in page.text
    theme = next(t for t in latest["themes"] if t["id"] != 0)
    theme_row = db.scalar(
        select(AnalysisTheme).where(AnalysisTheme.run_id == run_id, AnalysisTheme.number == theme["id"])
    )
    assert theme_row is not None
    detail = client.get(f"/analysis/themes/{theme_row.id}")
    assert detail.status_code == 200 and "Move to" in detail.text
    renamed = client.post(
        f"/analysis/themes/{theme_row.id}/rename",
        data={"label": "Renamed <b>theme</b>", "csrf_token": csrf_from(detail.text)},
        follow_redirects=True,
    )
    assert "Renamed &lt;b&gt;theme&lt;/b&gt;" in renamed.text
    progress = client.get(f"/analysis/runs/{run_id}/progress")
    assert progress.headers.get("HX-Refresh") == "true"


def test_cli_analyses_an_agency(db: Session) -> None:
    agency, _account, _actor = seed(db)
    result = CliRunner().invoke(app, ["analyse", "--agency", agency.code])
    assert result.exit_code == 0, result.output
    assert "Campaigns" in result.output
    finished(db, agency)


def test_analysis_imports_nothing_of_consultations() -> None:
    """Layering, in a fresh process (this one has imported everything): no database involved, so run once."""
    import subprocess
    import sys

    probe = (
        "import sys, civicloop.analysis.service, civicloop.analysis.pages, civicloop.analysis.routes; "
        "print(sorted(m for m in sys.modules if m.startswith('civicloop.consultations')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_consultations_register_their_messages_as_a_source_of_analysis(db: Session) -> None:
    """A consultation's messages reach analysis through a source the consultations domain registers."""
    from civicloop.analysis import sources
    from civicloop.consultations import themes

    assert sources.SOURCES["consultation"].agency_of == themes._agency_of
    with pytest.raises(NotFound, match="consultation not found"):
        service.create_run(db, actor=None, scope=queries.AnalysisScope(consultation_id=987654))


def test_a_frequent_question_is_listed_apart_from_campaigns_and_offers_a_saved_reply(
    db: Session, client: TestClient
) -> None:
    agency, account, _actor = seed(db)
    question = "Where can I renew my trade licence?"
    for k in range(12):  # twelve citizens over four days, in their own time
        post(db, account, question, 1000 + 540 * k)
    db.commit()
    officer = create_official(db, "officer@ANLYS", email="faq-officer@test.example")  # officers keep saved replies
    login(client, officer)
    page = client.get(f"/analysis/agency/{agency.id}")
    response = client.post(
        "/api/v1/analysis/runs",
        json={"agency_id": agency.id, "embedder": "fast"},
        headers={"X-CSRF-Token": csrf_from(page.text)},
    )
    assert response.status_code == 202, response.text
    latest = client.get(f"/api/v1/analysis/latest?agency_id={agency.id}").json()
    assert [(q["size"], q["text"]) for q in latest["questions"]] == [(12, question)]
    assert question not in [c["text"] for c in latest["campaigns"]] and latest["campaigns"]
    page = client.get(f"/analysis/agency/{agency.id}")
    table = page.text.split('id="frequent-questions"')[1].split("</table>")[0]
    assert question in table and "Create a saved reply" in table
    link = table.split('href="')[1].split('"')[0].replace("&amp;", "&")
    offer = client.get(link)
    assert offer.status_code == 200 and f'value="{question}"' in offer.text
