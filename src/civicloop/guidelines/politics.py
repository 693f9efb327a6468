"""Parties and candidates the neutrality check recognises: parties kept by national oversight,
candidates imported per election from the Election Commission's list (CSV)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from civicloop.audit import service as audit
from civicloop.auth.scope import Actor
from civicloop.errors import Conflict, Invalid, NotFound
from civicloop.guidelines.findings import Party
from civicloop.guidelines.models import ElectionCandidate, ElectionPeriod, PoliticalParty

CSV_COLUMNS = ("name", "party", "constituency", "name_dz")
MAX_CANDIDATES = 5_000
MAX_NAME = 200
MAX_CSV_BYTES = 2_000_000


# --- parties --------------------------------------------------------------------------------------


def list_parties(session: Session) -> list[PoliticalParty]:
    return list(session.scalars(select(PoliticalParty).order_by(PoliticalParty.name)))


def party_forms(session: Session) -> tuple[Party, ...]:
    return tuple(
        Party(
            name=row.name,
            abbreviation=row.abbreviation,
            name_dz=row.name_dz,
            other_names=tuple(_lines(row.other_names)),
            slogans=tuple(_lines(row.slogans)),
        )
        for row in list_parties(session)
    )


def _require_national(actor: Actor | None) -> None:
    if actor is not None:
        actor.require_national_admin()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def save_party(
    session: Session,
    *,
    actor: Actor | None,
    name: str,
    abbreviation: str = "",
    name_dz: str = "",
    other_names: list[str] | None = None,
    slogans: list[str] | None = None,
) -> PoliticalParty:
    """Add a party, or replace the forms of the party with this name (``actor`` None: the operator
    at the command line)."""
    _require_national(actor)
    name, abbreviation, name_dz = name.strip(), abbreviation.strip(), name_dz.strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid(f"a party's name has 1 to {MAX_NAME} characters", field="name")
    if abbreviation and (len(abbreviation) > 20 or not any(ch.isalnum() for ch in abbreviation)):
        raise Invalid("an abbreviation has 1 to 20 characters, letters or digits among them", field="abbreviation")
    if abbreviation:
        clash = session.scalars(
            select(PoliticalParty).where(PoliticalParty.abbreviation == abbreviation, PoliticalParty.name != name)
        ).first()
        if clash is not None:
            raise Conflict(f"{abbreviation} is already the abbreviation of {clash.name}")
    row = session.scalars(select(PoliticalParty).where(PoliticalParty.name == name)).first()
    before = _snapshot(row) if row else None
    if row is None:
        row = PoliticalParty(name=name)
        session.add(row)
    row.abbreviation, row.name_dz = abbreviation, name_dz
    row.other_names = "\n".join(n.strip() for n in other_names or [] if n.strip())
    row.slogans = "\n".join(s.strip() for s in slogans or [] if s.strip())
    row.updated_by_id = actor.id if actor else None
    session.flush()
    audit.record(
        session,
        actor=actor.official if actor else None,
        action="guidelines.party_save",
        target_type="political_party",
        target_id=row.id,
        before=before,
        after=_snapshot(row),
    )
    return row


def remove_party(session: Session, *, actor: Actor | None, name: str) -> None:
    """Remove a party, named by its name or abbreviation (a party that was dissolved)."""
    _require_national(actor)
    row = _find_party(session, name)
    if row is None:
        raise NotFound(f"no party is called {name!r}")
    before = _snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor=actor.official if actor else None,
        action="guidelines.party_remove",
        target_type="political_party",
        target_id=before["name"],
        before=before,
    )


def _find_party(session: Session, name: str) -> PoliticalParty | None:
    name = name.strip()
    return session.scalars(
        select(PoliticalParty).where((PoliticalParty.name == name) | (PoliticalParty.abbreviation == name))
    ).first()


def _snapshot(row: PoliticalParty) -> dict[str, str]:
    return {
        "name": row.name,
        "abbreviation": row.abbreviation,
        "name_dz": row.name_dz,
        "other_names": row.other_names,
        "slogans": row.slogans,
    }


# --- candidates -----------------------------------------------------------------------------------


def list_candidates(session: Session, *, election_id: int) -> list[ElectionCandidate]:
    return list(
        session.scalars(
            select(ElectionCandidate)
            .where(ElectionCandidate.election_id == election_id)
            .order_by(ElectionCandidate.constituency, ElectionCandidate.name)
        )
    )


def import_candidates(session: Session, *, actor: Actor | None, election_id: int, data: bytes) -> int:
    """Replace an election's candidates with those of a CSV file (columns: name, party, constituency,
    name_dz; only name is required). Every problem is reported with its line; nothing is imported
    unless the whole file is right."""
    _require_national(actor)
    election = session.get(ElectionPeriod, election_id)
    if election is None:
        raise NotFound(f"no election period has id {election_id}")
    rows = _parse_candidates(data, {p.name for p in list_parties(session)} | _abbreviations(session))
    session.execute(delete(ElectionCandidate).where(ElectionCandidate.election_id == election_id))
    for name, party, constituency, name_dz in rows:
        session.add(
            ElectionCandidate(
                election_id=election_id, name=name, party=party, constituency=constituency, name_dz=name_dz
            )
        )
    session.flush()
    audit.record(
        session,
        actor=actor.official if actor else None,
        action="guidelines.candidates_import",
        target_type="election_period",
        target_id=election_id,
        after={"election": election.name, "candidates": len(rows)},
    )
    return len(rows)


def _abbreviations(session: Session) -> set[str]:
    return {p.abbreviation for p in list_parties(session) if p.abbreviation}


def _parse_candidates(data: bytes, parties: set[str]) -> list[tuple[str, str, str, str]]:
    if len(data) > MAX_CSV_BYTES:
        raise Invalid(f"the file is larger than {MAX_CSV_BYTES // 1_000_000} MB", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"the file is not UTF-8 text (byte {exc.start} cannot be read); save it as CSV UTF-8", field="file"
        ) from exc
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if "name" not in header:
        raise Invalid(
            f"the first line must name the columns, including 'name' (allowed: {', '.join(CSV_COLUMNS)})", field="file"
        )
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise Invalid(f"unknown column {unknown[0]!r}; allowed: {', '.join(CSV_COLUMNS)}", field="file")
    problems: list[str] = []
    rows: list[tuple[str, str, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                problems.append(f"line {line}: {len(record)} fields where the header has {len(header)}")
                continue
            values = {h: cell.strip() for h, cell in zip(header, record, strict=True)}
            name, party = values["name"], values.get("party", "")
            if not name or len(name) > MAX_NAME:
                problems.append(f"line {line}: the name is empty or longer than {MAX_NAME} characters")
                continue
            if party and party not in parties:
                problems.append(f"line {line}: unknown party {party!r} (add it to the parties first)")
                continue
            key = (name.lower(), values.get("constituency", "").lower())
            if key in seen:
                problems.append(f"line {line}: {name} is already on line {seen[key]} for the same constituency")
                continue
            seen[key] = line
            rows.append((name, party, values.get("constituency", ""), values.get("name_dz", "")))
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: {exc}")
    if len(rows) > MAX_CANDIDATES:
        problems.append(f"more than {MAX_CANDIDATES} candidates")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise Invalid(f"nothing was imported: {shown}", field="file")
    if not rows:
        raise Invalid("the file lists no candidates", field="file")
    return rows


def candidate_counts(session: Session) -> dict[int, int]:
    rows = session.execute(select(ElectionCandidate.election_id, func.count()).group_by(ElectionCandidate.election_id))
    return {election_id: int(count) for election_id, count in rows}


def current_candidate_names(session: Session, at: datetime) -> tuple[str, ...]:
    """Candidates of every election not yet over, or else of the last one (they stay public figures)."""
    open_ids = list(session.scalars(select(ElectionPeriod.id).where(ElectionPeriod.ends_at > at)))
    if not open_ids:
        last = session.scalars(select(ElectionPeriod.id).order_by(ElectionPeriod.ends_at.desc()).limit(1)).first()
        open_ids = [last] if last is not None else []
    if not open_ids:
        return ()
    names = session.execute(
        select(ElectionCandidate.name, ElectionCandidate.name_dz).where(ElectionCandidate.election_id.in_(open_ids))
    )
    return tuple(sorted({n for pair in names for n in pair if n}))
