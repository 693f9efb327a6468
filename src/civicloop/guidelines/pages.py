"""Pages: the live check, the approval queue, findings over time, national and agency settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency
from civicloop.auth.scope import Actor
from civicloop.config import get_settings
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import AppError, Invalid
from civicloop.guidelines import politics, queries, service
from civicloop.guidelines.findings import CATEGORY_LABELS, Category
from civicloop.guidelines.lexicons import shipped_lexicons
from civicloop.guidelines.models import (
    Action,
    Approval,
    ApprovalStatus,
    ElectionPeriod,
    PoliticalParty,
    TermOverride,
)
from civicloop.guidelines.views import FindingsView, findings_view
from civicloop.kit.timezones import parse_instant
from civicloop.web.charts import line_chart
from civicloop.web.forms import form_action, form_data
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)
RULE_ACTIONS = [Action.block.value, Action.hold.value, Action.warn.value]


def _agencies(session: Session, actor: Actor) -> list[Agency]:
    return agencies.list_agencies(session, actor=actor)


def _default_agency(session: Session, actor: Actor, agency_id: int | None) -> int | None:
    if agency_id is not None:
        actor.require_view(agency_id)
        return agency_id
    own = sorted(actor.roles)
    if own:
        return own[0]
    visible = _agencies(session, actor)
    return visible[0].id if visible else None


@dataclass
class HomePage:
    agencies: list[Agency]
    agency_id: int | None
    pending: int
    mine: list[Approval]
    is_national_admin: bool
    manageable: list[Agency]
    text: str = ""
    view: FindingsView | None = None


@router.get("/guidelines", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, actor: ActorDep, agency_id: int | None = None) -> Response:
    page = HomePage(
        agencies=_agencies(session, actor),
        agency_id=_default_agency(session, actor, agency_id),
        pending=len([a for a in _queue(session, actor) if service.can_decide(session, actor, a)]),
        mine=queries.list_approvals(session, actor=actor, requested_by=actor.id, limit=20),
        is_national_admin=actor.is_national_admin,
        manageable=[a for a in _agencies(session, actor) if actor.has_role(a.id, *service.RULE_ROLES)],
    )
    return render(request, "guidelines/home.html", page)


@router.post("/guidelines/check", response_class=HTMLResponse)
def live_check(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    text: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
    agency_id: Annotated[int | None, Form()] = None,
) -> Response:
    """HTMX: the findings for ``text`` under the agency's policy, highlighted; nothing is recorded. Blank text gets
    the line shown before anything is typed, so that clearing the box does not move what is below it."""
    target = _default_agency(session, actor, agency_id)
    if target is None:
        return HTMLResponse("")
    if not text.strip():
        return render(request, "guidelines/_not_checked.html")
    review = service.preview(session, actor=actor, agency_id=target, text=text)
    return render(request, "guidelines/_findings.html", guideline_view=findings_view(review))


# --- approvals ------------------------------------------------------------------------------------


def _queue(session: Session, actor: Actor) -> list[Approval]:
    return queries.list_approvals(session, actor=actor, status=ApprovalStatus.pending)


@dataclass
class ApprovalRow:
    approval: Approval
    view: FindingsView
    author: str
    agency: str
    can_decide: bool
    # The account the text goes to ("<platform> · <account name>"), empty when it is not an outbound message.
    account: str = ""


@dataclass
class ApprovalGroup:
    """One thing to decide: a reply, or a post with one item per account it goes to (its variants)."""

    rows: list[ApprovalRow]

    @property
    def first(self) -> ApprovalRow:
        return self.rows[0]

    @property
    def can_decide(self) -> bool:
        return all(row.can_decide for row in self.rows)


@dataclass
class ApprovalsPage:
    pending: list[ApprovalGroup]
    decided: list[ApprovalRow]
    error: str | None = None
    error_for: int | None = None


def _rows(session: Session, actor: Actor, approvals: list[Approval]) -> list[ApprovalRow]:
    names = queries.official_names(
        session, {a.requested_by_id for a in approvals} | {a.decided_by_id for a in approvals}
    )
    agency_names = {a.id: a.name for a in _agencies(session, actor)}
    accounts = queries.account_labels(session, approvals)
    rows = []
    for approval in approvals:
        review = service.evaluate(session, agency_id=approval.agency_id, text=approval.text)
        rows.append(
            ApprovalRow(
                approval,
                findings_view(review),
                names.get(approval.requested_by_id, "the system"),
                agency_names.get(approval.agency_id, ""),
                service.can_decide(session, actor, approval),
                accounts.get(approval.id, ""),
            )
        )
    return rows


def _groups(session: Session, actor: Actor, approvals: list[Approval]) -> list[ApprovalGroup]:
    """The queue with each post's items together (``service.batch_of``), in the queue's order."""
    rows = {row.approval.id: row for row in _rows(session, actor, approvals)}
    groups: list[ApprovalGroup] = []
    placed: set[int] = set()
    for approval in approvals:
        if approval.id in placed:
            continue
        batch = [a.id for a in service.batch_of(session, approval) if a.id in rows and a.id not in placed]
        placed.update(batch)
        groups.append(ApprovalGroup([rows[i] for i in batch]))
    return groups


def _approvals_page(session: Session, actor: Actor, **extra: object) -> ApprovalsPage:
    decided = [
        a for a in queries.list_approvals(session, actor=actor, limit=50) if a.status is not ApprovalStatus.pending
    ]
    return ApprovalsPage(
        pending=_groups(session, actor, _queue(session, actor)),
        decided=_rows(session, actor, decided[:20]),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/guidelines/approvals", response_class=HTMLResponse)
def approvals(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "guidelines/approvals.html", _approvals_page(session, actor))


@router.post("/guidelines/approvals/{approval_id}", response_class=HTMLResponse)
def decide(
    approval_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    form: Annotated[FormData, Depends(form_data)],
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
    text: Annotated[str | None, Form(max_length=service.MAX_TEXT)] = None,
) -> Response:
    if decision not in ("approve", "reject"):
        raise Invalid("decide approve or reject", field="decision")
    # One text per account the post goes to (text_<item id>); ``text`` alone edits the item itself.
    edits = {
        int(key[5:]): value
        for key, value in form.multi_items()
        if key.startswith("text_") and key[5:].isdigit()
        if isinstance(value, str)
    }
    if text is not None:
        edits[approval_id] = text
    if any(len(value) > service.MAX_TEXT for value in edits.values()):
        raise Invalid(f"a text is longer than {service.MAX_TEXT:,} characters", field="text")
    with form_action(session) as attempt:
        decided = service.decide_batch(
            session,
            actor=actor,
            approval_id=approval_id,
            approve=decision == "approve",
            reason=reason,
            edited_texts=edits,
        )
    if (exc := attempt.error) is not None:
        page = _approvals_page(session, actor, error=exc.message, error_for=approval_id)
        return render(request, "guidelines/approvals.html", page, status_code=exc.status_code)
    verb = "approved and queued for sending" if decided[0].status is ApprovalStatus.approved else "rejected"
    what = f"The post to {len(decided)} accounts was" if len(decided) > 1 else f"Item {decided[0].id} was"
    flash(request, f"{what} {verb}.")
    return RedirectResponse("/guidelines/approvals", status_code=303)


# --- findings over time ---------------------------------------------------------------------------


@dataclass
class StatsPage:
    agencies: list[Agency]
    agency_id: int | None
    days: int
    chart: Markup
    totals: list[tuple[str, int]]


@router.get("/guidelines/stats", response_class=HTMLResponse)
def stats(
    request: Request, session: SessionDep, actor: ActorDep, agency_id: int | None = None, days: int = 90
) -> Response:
    days = min(max(days, 1), 730)
    if agency_id is None and not actor.sees_all:
        agency_id = _default_agency(session, actor, None)
    series = queries.findings_per_week(session, actor=actor, agency_id=agency_id, days=days)
    named: dict[str, Sequence[tuple[str, float]]] = {CATEGORY_LABELS[c]: points for c, points in series.items()}
    page = StatsPage(
        agencies=_agencies(session, actor),
        agency_id=agency_id,
        days=days,
        chart=line_chart(named, title=f"Findings per category per week, last {days} days"),
        totals=[(CATEGORY_LABELS[c], sum(n for _, n in points)) for c, points in series.items()],
    )
    return render(request, "guidelines/stats.html", page)


# --- settings -------------------------------------------------------------------------------------


@dataclass
class LexiconRow:
    id: str
    description: str
    shipped: int
    added: list[str]
    removed: list[str]


@dataclass
class SettingsPage:
    policy: list[service.RulePolicy]
    actions: list[str]
    lexicons: list[LexiconRow]
    elections: list[ElectionPeriod]
    parties: list[PoliticalParty]
    candidates: dict[int, int]  # election id -> imported candidates
    category_labels: dict[Category, str]
    error: str | None = None
    form: dict[str, str] = field(default_factory=dict)


def _lexicon_rows(overrides: list[TermOverride], ids: list[str]) -> list[LexiconRow]:
    shipped = shipped_lexicons()
    rows = []
    for lexicon in ids:
        spec = shipped.get(lexicon)
        rows.append(
            LexiconRow(
                lexicon,
                spec.description if spec else _OWN_LEXICONS.get(lexicon, ""),
                len(spec.terms) if spec else 0,
                [o.term for o in overrides if o.lexicon == lexicon and not o.removed],
                [o.term for o in overrides if o.lexicon == lexicon and o.removed],
            )
        )
    return rows


_OWN_LEXICONS = {
    service.AGENCY_TERMS: "Terms your agency marks confidential: unannounced projects, ongoing tenders, interview "
    "questions.",
    service.PUBLIC_CONTACTS: "Your agency's published email addresses, phone numbers and fee accounts: never flagged.",
    service.REFERENCE_FORMATS: "Your agency's reference-number formats: # a digit, @ a letter, YYYY MM DD a date, "
    "anything else as written (BP-YYYY-######). An 11-digit number shaped like a citizen ID is held unless it "
    "fits one of these.",
}


def _settings_page(session: Session, actor: Actor, **extra: object) -> SettingsPage:
    actor.require_national_admin()
    return SettingsPage(
        policy=list(service.policy_for(session, None).values()),
        actions=RULE_ACTIONS,
        lexicons=_lexicon_rows(queries.list_terms(session, actor=actor), service.national_lexicon_ids()),
        elections=queries.list_election_periods(session),
        parties=politics.list_parties(session),
        candidates=politics.candidate_counts(session),
        category_labels=CATEGORY_LABELS,
        **extra,  # type: ignore[arg-type]
    )


@router.get("/guidelines/settings", response_class=HTMLResponse)
def settings_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "guidelines/settings.html", _settings_page(session, actor))


def _settings_error(request: Request, session: Session, actor: Actor, exc: AppError, form: dict[str, str]) -> Response:
    page = _settings_page(session, actor, error=exc.message, form=form)
    return render(request, "guidelines/settings.html", page, status_code=exc.status_code)


@router.post("/guidelines/settings/rules", response_class=HTMLResponse)
def set_national_rule(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    category: Annotated[str, Form()],
    action: Annotated[str, Form()],
    locked: Annotated[str, Form()] = "",
) -> Response:
    with form_action(session) as attempt:
        service.set_rule(session, actor=actor, category=category, action=action, locked=bool(locked))
    if (exc := attempt.error) is not None:
        return _settings_error(request, session, actor, exc, {})
    flash(
        request, f"The national rule for {category.replace('_', ' ')} is now: {action}{' (locked)' if locked else ''}."
    )
    return RedirectResponse("/guidelines/settings", status_code=303)


@dataclass(frozen=True)
class TermChange:
    """A lexicon form: add (or remove) ``term`` in ``lexicon``."""

    lexicon: str
    term: str
    op: str


def _term_form(
    lexicon: Annotated[str, Form()],
    term: Annotated[str, Form(max_length=service.MAX_TERM)],
    op: Annotated[str, Form()] = "add",
) -> TermChange:
    return TermChange(lexicon, term, op)


TermForm = Annotated[TermChange, Depends(_term_form)]


@router.post("/guidelines/settings/terms", response_class=HTMLResponse)
def national_term(request: Request, session: SessionDep, actor: ActorDep, change: TermForm) -> Response:
    with form_action(session) as attempt:
        done = _change_term(session, actor, change, None)
    if (exc := attempt.error) is not None:
        return _settings_error(request, session, actor, exc, {"lexicon": change.lexicon, "term": change.term})
    flash(request, done)
    return RedirectResponse("/guidelines/settings#lexicons", status_code=303)


def _change_term(session: Session, actor: Actor, change: TermChange, agency_id: int | None) -> str:
    """Add or remove a term; the sentence that tells the official what was done."""
    lexicon, term = change.lexicon, change.term
    if change.op == "remove":
        service.remove_term(session, actor=actor, lexicon=lexicon, term=term, agency_id=agency_id)
        return f"Removed “{term}” from {lexicon.replace('_', ' ')}."
    service.add_term(session, actor=actor, lexicon=lexicon, term=term, agency_id=agency_id)
    return f"Added “{term}” to {lexicon.replace('_', ' ')}."


@router.post("/guidelines/settings/elections", response_class=HTMLResponse)
def add_election(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    name: Annotated[str, Form(max_length=200)],
    starts_at: Annotated[str, Form()],
    polls_at: Annotated[str, Form()],
    ends_at: Annotated[str, Form()],
    embargo_hours: Annotated[int, Form()] = 48,
) -> Response:
    form = {"name": name, "starts_at": starts_at, "polls_at": polls_at, "ends_at": ends_at}
    zone_name = get_settings().timezone
    with form_action(session) as attempt:
        service.add_election_period(
            session,
            actor=actor,
            name=name,
            starts_at=parse_instant(starts_at, zone_name),
            polls_at=parse_instant(polls_at, zone_name),
            ends_at=parse_instant(ends_at, zone_name),
            embargo_hours=embargo_hours,
        )
    if (exc := attempt.error) is not None:
        return _settings_error(request, session, actor, exc, form)
    flash(request, f"Election period “{name}” was added.")
    return RedirectResponse("/guidelines/settings#elections", status_code=303)


@router.post("/guidelines/settings/parties", response_class=HTMLResponse)
def save_party(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    name: Annotated[str, Form(max_length=200)],
    abbreviation: Annotated[str, Form(max_length=20)] = "",
    name_dz: Annotated[str, Form(max_length=200)] = "",
    other_names: Annotated[str, Form(max_length=4000)] = "",
    slogans: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    form = {"party_name": name, "abbreviation": abbreviation, "name_dz": name_dz}
    with form_action(session) as attempt:
        politics.save_party(
            session,
            actor=actor,
            name=name,
            abbreviation=abbreviation,
            name_dz=name_dz,
            other_names=other_names.splitlines(),
            slogans=slogans.splitlines(),
        )
    if (exc := attempt.error) is not None:
        return _settings_error(request, session, actor, exc, form)
    flash(request, f"The party “{name.strip()}” was saved; the neutrality check recognises it now.")
    return RedirectResponse("/guidelines/settings#parties", status_code=303)


@router.post("/guidelines/settings/parties/remove", response_class=HTMLResponse)
def remove_party(request: Request, session: SessionDep, actor: ActorDep, name: Annotated[str, Form()]) -> Response:
    with form_action(session) as attempt:
        politics.remove_party(session, actor=actor, name=name)
    if (exc := attempt.error) is not None:
        return _settings_error(request, session, actor, exc, {})
    flash(request, f"The party “{name}” was removed.")
    return RedirectResponse("/guidelines/settings#parties", status_code=303)


@router.post("/guidelines/settings/elections/{period_id}/candidates", response_class=HTMLResponse)
def import_candidates(
    period_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    with form_action(session) as attempt:
        count = politics.import_candidates(
            session, actor=actor, election_id=period_id, data=file.file.read(politics.MAX_CSV_BYTES + 1)
        )
    if (exc := attempt.error) is not None:
        return _settings_error(request, session, actor, exc, {})
    flash(request, f"{count} candidates were imported; the neutrality check recognises them now.")
    return RedirectResponse("/guidelines/settings#elections", status_code=303)


@router.post("/guidelines/settings/elections/{period_id}/delete", response_class=HTMLResponse)
def delete_election(period_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    service.delete_election_period(session, actor=actor, period_id=period_id)
    flash(request, "The election period was deleted.")
    return RedirectResponse("/guidelines/settings#elections", status_code=303)


@dataclass
class AgencySettingsPage:
    agency: Agency
    policy: list[service.RulePolicy]
    actions: list[str]
    lexicons: list[LexiconRow]
    category_labels: dict[Category, str]
    can_manage: bool
    error: str | None = None


def _agency_page(session: Session, actor: Actor, agency_id: int, **extra: object) -> AgencySettingsPage:
    agency = agencies.get_agency(session, actor=actor, agency_id=agency_id)
    return AgencySettingsPage(
        agency=agency,
        policy=list(service.policy_for(session, agency.id).values()),
        actions=RULE_ACTIONS,
        lexicons=_lexicon_rows(queries.list_terms(session, actor=actor, agency_id=agency.id), service.lexicon_ids()),
        category_labels=CATEGORY_LABELS,
        can_manage=actor.has_role(agency.id, *service.RULE_ROLES),
        **extra,  # type: ignore[arg-type]
    )


@router.get("/guidelines/agencies/{agency_id}", response_class=HTMLResponse)
def agency_settings(agency_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "guidelines/agency.html", _agency_page(session, actor, agency_id))


@router.post("/guidelines/agencies/{agency_id}/rules", response_class=HTMLResponse)
def set_agency_rule(
    agency_id: int,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    category: Annotated[str, Form()],
    action: Annotated[str, Form()],
) -> Response:
    with form_action(session) as attempt:
        service.set_rule(session, actor=actor, category=category, action=action, agency_id=agency_id)
    if (exc := attempt.error) is not None:
        return _agency_error(request, session, actor, agency_id, exc)
    flash(request, f"Your agency's rule for {category.replace('_', ' ')} is now: {action}.")
    return RedirectResponse(f"/guidelines/agencies/{agency_id}", status_code=303)


@router.post("/guidelines/agencies/{agency_id}/terms", response_class=HTMLResponse)
def agency_term(agency_id: int, request: Request, session: SessionDep, actor: ActorDep, change: TermForm) -> Response:
    with form_action(session) as attempt:
        done = _change_term(session, actor, change, agency_id)
    if (exc := attempt.error) is not None:
        return _agency_error(request, session, actor, agency_id, exc)
    flash(request, done)
    return RedirectResponse(f"/guidelines/agencies/{agency_id}#lexicons", status_code=303)


def _agency_error(request: Request, session: Session, actor: Actor, agency_id: int, exc: AppError) -> Response:
    page = _agency_page(session, actor, agency_id, error=exc.message)
    return render(request, "guidelines/agency.html", page, status_code=exc.status_code)
