"""Records-request export of 100,000 messages on PostgreSQL, beside a bare dump of the same messages.

Seeds a fresh database with ``bench/inbox.py``'s generator (one agency, ``--messages`` messages in
conversations of one to eight messages over a year), gives every citizen message a raw platform payload
(about 500 bytes of JSON, as a webhook would have stored it), then times, in one run:

- **bare dump** (the baseline): every message of the agency read with one SQL query and written as JSON
  Lines into a zip — the least any export does;
- **CivicLoop export, transcripts captured**: ``civicloop records export`` for the whole agency after the
  capture job drew the PDF transcripts (as it does every 15 minutes in a deployment) — every message as
  first received, edits, replies with their guidelines checks, raw payloads, an HTML and a PDF transcript
  per conversation, and the signed manifest;
- **CivicLoop export, cold** (``--cold``): the same with no PDF drawn yet (the first export of a
  deployment that never ran the capture job); on 2 cores this is dominated by drawing the PDFs.

Then ``records verify`` on the bundle. Ratios are export time ÷ bare dump time.

    .venv/bin/python bench/records_export.py                      # 100,000 messages
    .venv/bin/python bench/records_export.py --messages 20000 --cold
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inbox import fresh_database, seed_messages, seed_registry


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--cold", action="store_true", help="also time an export with no PDF drawn yet")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def add_raw_payloads(url: str) -> int:
    """A raw event per citizen message, linked as ingest links them."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO raw_events (provider, app_key, external_id, kind, account_id, agency_id, headers, body,
                                    received_at, handled_at, attempts)
            SELECT m.platform, 'bench', 'm' || m.id, 'message', m.account_id, m.agency_id,
                   '{"content-type": "application/json"}'::jsonb,
                   convert_to(
                       json_build_object('object', 'page', 'entry', json_build_array(json_build_object(
                           'id', m.account_id::text,
                           'time', extract(epoch from m.created_at)::bigint,
                           'changes', json_build_array(json_build_object('field', 'feed', 'value', json_build_object(
                               'item', 'comment', 'verb', 'add', 'comment_id', 'c' || m.id,
                               'from', json_build_object('id', m.contact_id::text, 'name', 'Citizen ' || m.contact_id),
                               'message', m.text,
                               'created_time', extract(epoch from m.created_at)::bigint
                           )))
                       )))::text,
                       'UTF8'
                   ),
                   m.received_at, m.received_at, 1
            FROM messages m WHERE m.direction = 'in'
            """
        )
        cursor.execute(
            "UPDATE messages m SET raw_event_id = r.id FROM raw_events r "
            "WHERE r.app_key = 'bench' AND r.external_id = 'm' || m.id"
        )
        return cursor.rowcount


def bare_dump(agency_id: int, out: Path) -> int:
    from sqlalchemy import text

    from civicloop.db.session import session_scope

    with session_scope() as session:
        rows = session.execute(
            text(
                "SELECT id, conversation_id, direction, platform, external_id, contact_id, text, created_at, state "
                "FROM messages WHERE agency_id = :agency ORDER BY conversation_id, created_at, id"
            ),
            {"agency": agency_id},
        ).mappings()
        lines = [json.dumps(dict(row), ensure_ascii=False, default=str) for row in rows]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("messages.jsonl", "\n".join(lines) + "\n")
    return len(lines)


def timed_export(code: str, out: Path) -> tuple[float, dict[str, object]]:
    from civicloop.db.session import session_scope
    from civicloop.records import export

    started = time.perf_counter()
    with session_scope() as session:
        summary = export.export_to_file(session, export.Criteria(agency_code=code), out)
    return time.perf_counter() - started, dict(summary.__dict__)


def capture_all(code: str) -> float:
    from sqlalchemy import select

    from civicloop.agencies.models import Agency
    from civicloop.channels.models import Conversation
    from civicloop.db.session import session_scope
    from civicloop.records import export

    started = time.perf_counter()
    with session_scope() as session:
        agency_id = session.scalars(select(Agency.id).where(Agency.code == code)).one()
        ids = list(session.scalars(select(Conversation.id).where(Conversation.agency_id == agency_id)))
        export.capture_transcripts(session, code, ids)
    return time.perf_counter() - started


def main() -> None:
    args = parse()
    with fresh_database(args.keep) as url:
        import os

        cache = tempfile.mkdtemp(prefix="cl-bench-records-")
        os.environ["CIVICLOOP_DATA_DIR"] = cache  # an empty transcript cache
        from civicloop.config import reset_settings

        reset_settings()
        started = time.perf_counter()
        accounts, officials, _officer = seed_registry(1)
        counts = seed_messages(url, accounts, officials, args.messages)
        raw = add_raw_payloads(url)
        print(f"seeded {counts} and {raw} raw payloads in {time.perf_counter() - started:.0f} s", flush=True)
        work = Path(cache)

        started = time.perf_counter()
        dumped = bare_dump(1, work / "bare.zip")
        bare = time.perf_counter() - started
        print(f"bare dump: {dumped} messages in {bare:.1f} s", flush=True)

        results = {}
        if args.cold:
            seconds, summary = timed_export("AG000", work / "cold.zip")
            results["cold"] = seconds
            print(f"export, cold: {seconds:.1f} s ({seconds / bare:.1f}× the bare dump) {summary}", flush=True)
        else:
            print(f"capture job over every conversation: {capture_all('AG000'):.1f} s", flush=True)
        seconds, summary = timed_export("AG000", work / "warm.zip")
        results["captured"] = seconds
        size = (work / "warm.zip").stat().st_size / 1e6
        print(
            f"export, transcripts captured: {seconds:.1f} s ({seconds / bare:.1f}× the bare dump), "
            f"{size:.0f} MB, {summary}",
            flush=True,
        )

        from civicloop.records import bundle

        started = time.perf_counter()
        verdict = bundle.verify(work / "warm.zip")
        print(f"records verify: ok={verdict.ok}, {verdict.files} files, {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
