"""Records-request bundles: what they hold, and that ``records verify`` catches any change to them."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from civicloop.agencies.models import Agency
from civicloop.auth.scope import Actor
from civicloop.channels.models import Contact, Message
from civicloop.channels.moderation import Operation
from civicloop.cli import app
from civicloop.demo.foundation import DemoWorld
from civicloop.errors import Invalid, NotFound
from civicloop.kit.clock import utcnow
from civicloop.moderation.models import ModerationAction, ModerationAppeal
from civicloop.records import bundle, service
from tests.conftest import run_civicloop
from tests.i18n.test_font import _embedded_fonts

runner = CliRunner()


def cli(*args: str) -> str:
    done = run_civicloop(*args)
    assert done.returncode == 0, (done.stdout, done.stderr)
    return done.stdout


def _smallest_agency(session: Session) -> str:
    """The demo agency with the fewest messages (for tests that need a bundle, not a big one)."""
    agency_id = session.scalar(select(Message.agency_id).group_by(Message.agency_id).order_by(func.count()).limit(1))
    return session.get_one(Agency, agency_id).code


def _rewrite(source: Path, target: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> None:
    """A copy of the bundle with some members replaced (None: left out) and others added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change.get(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)


def _one_character_changed(data: bytes) -> bytes:
    """The same file with one character (byte) changed, in the middle (an empty file gains one)."""
    if not data:
        return b"\n"
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def _smallest_agency_with_dzongkha(session: Session) -> str:
    """The demo agency with the fewest messages among those a citizen wrote to in Dzongkha: a whole bundle,
    with a transcript in Tibetan script, at the cost of a small agency's PDFs."""
    sizes: dict[int, int] = {}
    dzongkha: set[int] = set()
    for agency_id, text in session.execute(select(Message.agency_id, Message.text)):
        sizes[agency_id] = sizes.get(agency_id, 0) + 1
        if any("\u0f00" <= ch <= "\u0fff" for ch in text or ""):
            dzongkha.add(agency_id)
    return session.get_one(Agency, min(dzongkha, key=lambda agency_id: sizes[agency_id])).code


def test_the_demo_exports_a_bundle_that_verifies_with_every_record_in_it(
    db: Session, demo: DemoWorld, tmp_path: Path
) -> None:
    code = _smallest_agency_with_dzongkha(db)
    out = tmp_path / "records.zip"
    summary = json.loads(cli("records", "export", "--agency", code, "--out", str(out), "--json"))
    messages = db.scalar(select(func.count()).select_from(Message).where(Message.agency_id == summary_agency(db, code)))
    assert summary["messages"] == messages
    assert summary["transcripts"] == summary["conversations"] > 0
    assert "Bundle intact" in cli("records", "verify", str(out))

    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        lines = archive.read("data/messages.jsonl").decode().splitlines()
        first = json.loads(lines[0])
        assert {"text_as_first_received", "edits", "state", "from", "raw_event_id"} <= set(first)
        with_raw = next(json.loads(line) for line in lines if json.loads(line)["raw_event_id"])
        assert f"raw/{with_raw['raw_event_id']}.bin" in names
        conversation = json.loads(archive.read("data/conversations.jsonl").decode().splitlines()[0])
        html = archive.read(f"transcripts/conversation-{conversation['id']}.html").decode()
        assert f"Conversation {conversation['id']}" in html
        assert archive.read(f"transcripts/conversation-{conversation['id']}.pdf").startswith(b"%PDF-")
        manifest = json.loads(archive.read("manifest.json"))
        assert {entry["path"] for entry in manifest["files"]} == names - bundle.SIGNATURE_FILES
        # A conversation written in Dzongkha is drawn with the bundled font, embedded in its PDF.
        dzongkha = next(
            name
            for name in sorted(names)
            if name.endswith(".html") and any("\u0f00" <= ch <= "\u0fff" for ch in archive.read(name).decode())
        )
        fonts = _embedded_fonts(archive.read(dzongkha.removesuffix(".html") + ".pdf"))
        assert any("Jomolhari" in font for font in fonts), fonts


def summary_agency(session: Session, code: str) -> int:
    return session.scalars(select(Agency.id).where(Agency.code == code)).one()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_verify_names_every_file_changed_added_or_removed(db: Session, demo: DemoWorld, tmp_path: Path) -> None:
    code = _smallest_agency(db)
    out = tmp_path / "records.zip"
    cli("records", "export", "--agency", code, "--out", str(out))
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    assert {"data/messages.jsonl", "manifest.json", "manifest.sig", "public_key.pem"} < set(names)
    assert any(name.startswith("raw/") for name in names) and any(name.endswith(".pdf") for name in names)
    tampered = tmp_path / "tampered.zip"
    for name in names:  # every file, the manifest, its signature and the public key included
        with zipfile.ZipFile(out) as archive:
            changed = _one_character_changed(archive.read(name))
        _rewrite(out, tampered, {name: changed})
        verified = run_civicloop("records", "verify", str(tampered))
        assert verified.returncode == 1, name
        assert name in verified.stdout, (name, verified.stdout, verified.stderr)
        tampered.unlink()
    _rewrite(out, tampered, {}, add={"data/extra.jsonl": b"{}\n"})
    verified = run_civicloop("records", "verify", str(tampered), "--json")
    assert verified.returncode == 1 and json.loads(verified.stdout)["problems"] == [
        "data/extra.jsonl: added (not in the signed manifest)"
    ]
    tampered.unlink()
    _rewrite(out, tampered, {"data/posts.jsonl": None})
    verified = run_civicloop("records", "verify", str(tampered))
    assert verified.returncode == 1 and "data/posts.jsonl: removed" in verified.stdout


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_citizens_request_redacts_third_parties_in_transcripts_but_never_in_the_raw_copy(
    db: Session, demo: DemoWorld, tmp_path: Path
) -> None:
    # A conversation in which at least two different citizens wrote.
    conversation_id, agency_id = db.execute(
        select(Message.conversation_id, Message.agency_id)
        .where(Message.contact_id.is_not(None))
        .group_by(Message.conversation_id, Message.agency_id)
        .having(func.count(Message.contact_id.distinct()) > 1)
        .limit(1)
    ).one()
    contact_ids = list(
        db.scalars(select(Message.contact_id).where(Message.conversation_id == conversation_id).distinct())
    )
    requester, other = (db.get_one(Contact, i) for i in contact_ids[:2])
    code = db.get_one(Agency, agency_id).code
    out = tmp_path / "request.zip"
    cli("records", "export", "--agency", code, "--out", str(out), "--redact", "--requester", str(requester.id))
    with zipfile.ZipFile(out) as archive:
        html = archive.read(f"transcripts/conversation-{conversation_id}.html").decode()
        raw_messages = archive.read("data/messages.jsonl").decode()
    assert requester.display_name in html
    assert other.display_name not in html and "Citizen A" in html
    assert other.display_name in raw_messages


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bad_requests_get_clear_errors_and_write_nothing(db: Session, demo: DemoWorld, tmp_path: Path) -> None:
    out = tmp_path / "x.zip"
    result = runner.invoke(app, ["records", "export", "--agency", "NOPE", "--out", str(out)])
    assert isinstance(result.exception, NotFound) and not out.exists()
    result = runner.invoke(
        app,
        ["records", "export", "--agency", "DOIM", "--out", str(out), "--since", "2026-02-01", "--until", "2026-01-01"],
    )
    assert isinstance(result.exception, Invalid) and not out.exists()
    result = runner.invoke(app, ["records", "export", "--agency", "DOIM", "--out", str(out), "--since", "last week"])
    assert result.exit_code == 2 and "ISO 8601" in result.output
    result = runner.invoke(app, ["records", "verify", str(tmp_path / "missing.zip")])
    assert result.exit_code == 2 and "no such file" in result.output
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    result = runner.invoke(app, ["records", "verify", str(tmp_path / "junk.zip")])
    assert result.exit_code == 1 and "junk.zip: not a readable zip file" in result.output


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_moderation_actions_and_appeals_are_in_the_bundle_and_follow_their_own_schedule(
    db: Session, demo: DemoWorld, tmp_path: Path
) -> None:
    message = db.scalars(select(Message).where(Message.direction == "in").order_by(Message.id)).first()
    assert message is not None
    action = ModerationAction(
        agency_id=message.agency_id,
        message_id=message.id,
        conversation_id=message.conversation_id,
        account_id=message.account_id,
        platform=message.platform,
        external_id=message.external_id or "c1",
        operation=Operation.hide,
        ground="spam",
        by_label="officer@example",
        applied=True,
        platform_status=200,
        platform_answer='{"success": true}',
    )
    db.add(action)
    db.flush()
    db.add(ModerationAppeal(agency_id=message.agency_id, action_id=action.id, reason="It was not spam"))
    db.commit()
    code = db.get_one(Agency, message.agency_id).code
    out = tmp_path / "records.zip"
    cli("records", "export", "--agency", code, "--out", str(out))
    with zipfile.ZipFile(out) as archive:
        (record,) = [json.loads(line) for line in archive.read("data/moderation.jsonl").decode().splitlines()]
    assert (record["ground"], record["platform_status"], record["appeals"][0]["reason"]) == (
        "spam",
        200,
        "It was not spam",
    )

    admin = Actor.of(demo.officials["admin@doim.example"])
    service.set_rule(db, admin, "moderation_actions", 30, "Records Act s.14")
    run = service.dispose(db, now=utcnow() + timedelta(days=60))
    db.commit()
    assert run.report["moderation_actions"]["sources"]["appeals"]["disposed"] == 1
    assert run.report["moderation_actions"]["sources"]["moderation actions"]["disposed"] == 1


def test_an_outside_party_verifies_a_bundle_on_a_machine_without_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from civicloop.config import reset_settings

    path = tmp_path / "bundle.zip"
    with path.open("wb") as out:
        writer = bundle.BundleWriter(out)
        writer.add("data/messages.jsonl", b'{"id": 1}\n')
        writer.sign_and_close(Ed25519PrivateKey.generate(), {"agency": {"code": "X"}})
    nowhere = tmp_path / "no-such.db"
    monkeypatch.setenv("CIVICLOOP_DATABASE_URL", f"sqlite:///{nowhere}")
    reset_settings()
    try:
        result = runner.invoke(app, ["records", "verify", str(path)])
    finally:
        monkeypatch.undo()
        reset_settings()
    assert result.exit_code == 0 and "Bundle intact: 1 files" in result.output, result.output
    assert not nowhere.exists(), "verifying creates no database"
