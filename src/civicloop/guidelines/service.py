"""Policy, reviews of outgoing texts, the approval queue, overrides, election periods, statistics.

Per category national oversight sets an action (block, hold, warn) and may lock it; an agency may
make a locked rule stricter, never looser. A finding's action follows its severity: ``low`` only
warns, ``medium`` takes the category's action, ``high`` takes it but never less than a hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.audit import service as audit
from civicloop.auth import deputies
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.channels.outbound.models import OutboundMessage
from civicloop.errors import Conflict, Forbidden, Invalid, NotFound
from civicloop.guidelines import politics, queries
from civicloop.guidelines.checker import check
from civicloop.guidelines.findings import Category, CheckContext, ElectionPhase, Finding, Severity
from civicloop.guidelines.lexicons import data_json, normalise_term, shipped_lexicons
from civicloop.guidelines.models import (
    ACTION_RANK,
    Action,
    Approval,
    ApprovalStatus,
    ElectionPeriod,
    GuidelineReview,
    GuidelineRule,
    ReviewFinding,
    TermOverride,
)
from civicloop.guidelines.personal import reference_format_regex
from civicloop.guidelines.redact import mask, redact_text
from civicloop.kit.clock import utcnow

AGENCY_TERMS = "agency_terms"  # an agency's own confidential terms
PUBLIC_CONTACTS = "public_contacts"  # an agency's published emails, phone numbers and fee accounts
REFERENCE_FORMATS = "reference_formats"  # an agency's own reference-number formats ("BP-YYYY-######")
AGENCY_ONLY = (AGENCY_TERMS, PUBLIC_CONTACTS, REFERENCE_FORMATS)  # kept as written, one agency's own
RULE_ROLES = (Role.agency_head, Role.agency_admin)
MAX_TEXT = 20_000
MAX_TERM = 200


@dataclass(frozen=True)
class RulePolicy:
    category: Category
    action: Action  # what applies to this agency
    national_action: Action
    locked: bool
    agency_action: Action | None = None


@dataclass(frozen=True)
class Review:
    """The result of checking one outgoing text: the overall action and each finding's action."""

    action: str  # "allow", "warn", "hold" or "block"
    findings: list[Finding]
    actions: list[Action]
    text: str
    review_id: int | None = None
    election: ElectionPhase = ElectionPhase.none

    def items(self) -> list[tuple[Finding, Action]]:
        return list(zip(self.findings, self.actions, strict=True))

    def blocking(self) -> list[Finding]:
        return [f for f, a in self.items() if a is Action.block]


# --- policy -------------------------------------------------------------------------------------


def national_defaults() -> dict[Category, tuple[Action, bool]]:
    shipped = data_json("policy.json")["categories"]
    return {Category(k): (Action(v["action"]), bool(v["locked"])) for k, v in shipped.items()}


def _stricter(a: Action, b: Action) -> Action:
    return a if ACTION_RANK[a] >= ACTION_RANK[b] else b


def policy_for(session: Session, agency_id: int | None) -> dict[Category, RulePolicy]:
    """The action per category for an agency (or the national policy when ``agency_id`` is None)."""
    national = national_defaults()
    rows = session.scalars(
        select(GuidelineRule).where((GuidelineRule.agency_id.is_(None)) | (GuidelineRule.agency_id == agency_id))
    ).all()
    for row in rows:
        if row.agency_id is None:
            national[row.category] = (row.action, row.locked)
    own = {row.category: row.action for row in rows if row.agency_id is not None and agency_id is not None}
    out = {}
    for category, (action, locked) in national.items():
        mine = own.get(category)
        # A rule locked after an agency loosened it applies in full again.
        effective = action if mine is None else _stricter(mine, action) if locked else mine
        out[category] = RulePolicy(category, effective, action, locked, mine)
    return out


def finding_action(finding: Finding, category_action: Action) -> Action:
    if finding.severity is Severity.low:
        return Action.warn
    if finding.severity is Severity.high:
        return _stricter(category_action, Action.hold)
    return category_action


def set_rule(
    session: Session,
    *,
    actor: Actor,
    category: Category | str,
    action: Action | str,
    locked: bool = False,
    agency_id: int | None = None,
) -> GuidelineRule:
    """National oversight sets (and locks) a category's action; an agency may only tighten a locked one."""
    return _set_rule(session, actor, parse_category(category), parse_action(action), locked, agency_id)


def _set_rule(
    session: Session, actor: Actor, category: Category, action: Action, locked: bool, agency_id: int | None
) -> GuidelineRule:
    if action is Action.allow:
        raise Invalid("a rule's action is block, hold or warn", field="action")
    if agency_id is None:
        actor.require_national_admin()
    else:
        actor.require(agency_id, *RULE_ROLES)
        national = policy_for(session, None)[category]
        if national.locked and ACTION_RANK[action] < ACTION_RANK[national.national_action]:
            raise Invalid(
                f"national oversight locked {category.value} at {national.national_action.value}; "
                "your agency may make it stricter, not looser",
                field="action",
            )
        locked = False
    row = session.scalars(
        select(GuidelineRule).where(
            GuidelineRule.category == category,
            GuidelineRule.agency_id.is_(None) if agency_id is None else GuidelineRule.agency_id == agency_id,
        )
    ).first()
    before = {"action": row.action.value, "locked": row.locked} if row else _default_snapshot(category, agency_id)
    if row is None:
        row = GuidelineRule(agency_id=agency_id, category=category, action=action, locked=locked)
        session.add(row)
    row.action, row.locked, row.updated_by_id = action, locked, actor.id
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="guidelines.rule_change",
        target_type="guideline_rule",
        target_id=category.value,
        agency_id=agency_id,
        before=before,
        after={"action": action.value, "locked": locked, "scope": "national" if agency_id is None else "agency"},
    )
    return row


def _default_snapshot(category: Category, agency_id: int | None) -> dict[str, Any] | None:
    if agency_id is not None:
        return None
    action, locked = national_defaults()[category]
    return {"action": action.value, "locked": locked}


def parse_category(value: Category | str) -> Category:
    try:
        return Category(value)
    except ValueError as exc:
        allowed = ", ".join(c.value for c in Category)
        raise Invalid(f"unknown category {value!r}; use one of {allowed}", field="category") from exc


def parse_action(value: Action | str) -> Action:
    try:
        return Action(value)
    except ValueError as exc:
        raise Invalid(f"unknown action {value!r}; use block, hold or warn", field="action") from exc


# --- context: overrides, agency terms, election phase ---------------------------------------------


def election_phase(session: Session, at: datetime) -> ElectionPhase:
    phase = ElectionPhase.none
    for period in session.scalars(
        select(ElectionPeriod).where(ElectionPeriod.starts_at <= at, ElectionPeriod.ends_at > at)
    ):
        if period.polls_at - timedelta(hours=period.embargo_hours) <= at:
            return ElectionPhase.embargo
        phase = ElectionPhase.period
    return phase


def context_for(session: Session, agency_id: int | None, *, at: datetime | None = None) -> CheckContext:
    rows = session.scalars(
        select(TermOverride)
        .where((TermOverride.agency_id.is_(None)) | (TermOverride.agency_id == agency_id))
        .order_by(TermOverride.id)
    ).all()
    at = at or utcnow()
    extra, removed, agency_terms, contacts, formats = [], [], [], [], []
    for row in rows:
        if row.lexicon == AGENCY_TERMS:
            agency_terms.append(row.term)
        elif row.lexicon == PUBLIC_CONTACTS:
            contacts.append(row.term)
        elif row.lexicon == REFERENCE_FORMATS:
            formats.append(row.term)
        elif row.removed:
            removed.append((row.lexicon, row.term))
        else:
            extra.append((row.lexicon, row.term))
    extra += [("candidates", name) for name in politics.current_candidate_names(session, at)]
    return CheckContext(
        election=election_phase(session, at),
        agency_terms=tuple(agency_terms),
        extra_terms=tuple(extra),
        removed_terms=tuple(removed),
        public_contacts=tuple(contacts),
        parties=politics.party_forms(session),
        reference_formats=tuple(formats),
    )


# --- reviews --------------------------------------------------------------------------------------


def _validate_text(text: str) -> str:
    if not text.strip():
        raise Invalid("there is no text to check", field="text")
    if len(text) > MAX_TEXT:
        raise Invalid(f"a text to check has at most {MAX_TEXT} characters", field="text")
    return text


def evaluate(session: Session, *, agency_id: int | None, text: str, at: datetime | None = None) -> Review:
    """Check ``text`` under the agency's policy without recording anything (the live check)."""
    text = _validate_text(text)
    context = context_for(session, agency_id, at=at)
    findings = check(text, context=context)
    policy = policy_for(session, agency_id)
    actions = [finding_action(f, policy[f.category].action) for f in findings]
    overall = max(actions, key=ACTION_RANK.__getitem__, default=Action.allow)
    return Review(overall.value, findings, actions, text, election=context.election)


def self_check(session: Session, *, text: str) -> Review:
    """A civil servant's own text under the national policy: read-only, recorded nowhere."""
    return evaluate(session, agency_id=None, text=text)


def preview(session: Session, *, actor: Actor, agency_id: int, text: str) -> Review:
    actor.require_view(agency_id)
    return evaluate(session, agency_id=agency_id, text=text)


def review_outgoing(
    session: Session, *, actor: Actor | None, agency_id: int, text: str, kind: str, outbound_id: int | None = None
) -> Review:
    """Check an outgoing text and record the review and its findings (and an audit entry if any)."""
    if actor is not None:
        actor.require(agency_id)
    result = evaluate(session, agency_id=agency_id, text=text)
    now = utcnow()
    row = GuidelineReview(
        agency_id=agency_id,
        kind=kind[:32],
        author_id=actor.id if actor else None,
        action=Action(result.action),
        election=result.election,
        text_length=len(text),
        outbound_id=outbound_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    recorded = []
    for finding, action in result.items():
        excerpt = finding.excerpt(text)
        stored = mask(excerpt) if finding.category is Category.personal_data else excerpt[:80]
        session.add(
            ReviewFinding(
                agency_id=agency_id,
                review_id=row.id,
                rule_id=finding.rule_id,
                category=finding.category,
                severity=finding.severity,
                action=action,
                start=finding.start,
                end=finding.end,
                excerpt=stored,
                created_at=now,
            )
        )
        recorded.append(
            {"rule": finding.rule_id, "severity": finding.severity.value, "action": action.value, "excerpt": stored}
        )
    if recorded:
        audit.record(
            session,
            actor=actor.official if actor else None,
            action="guidelines.review",
            target_type="guideline_review",
            target_id=row.id,
            agency_id=agency_id,
            after={"kind": kind, "action": result.action, "outbound_id": outbound_id, "findings": recorded},
        )
    session.flush()
    return Review(result.action, result.findings, result.actions, text, row.id, result.election)


def request_approval(
    session: Session, *, actor: Actor | None, review: Review, agency_id: int, kind: str, outbound_id: int | None = None
) -> Approval:
    """Put a held text in the agency head's queue."""
    if review.review_id is None or review.action != Action.hold.value:
        raise Conflict("only a recorded review that holds the text can ask for approval")
    approval = Approval(
        agency_id=agency_id,
        review_id=review.review_id,
        outbound_id=outbound_id,
        kind=kind[:32],
        text=review.text,
        status=ApprovalStatus.pending,
        requested_by_id=actor.id if actor else None,
        requested_at=utcnow(),
    )
    session.add(approval)
    session.flush()
    audit.record(
        session,
        actor=actor.official if actor else None,
        action="guidelines.hold",
        target_type="guideline_approval",
        target_id=approval.id,
        agency_id=agency_id,
        after={"kind": kind, "outbound_id": outbound_id, "review_id": review.review_id},
    )
    return approval


# --- approvals ------------------------------------------------------------------------------------


def can_decide(session: Session, actor: Actor, approval: Approval) -> bool:
    return (
        approval.status is ApprovalStatus.pending
        and deputies.may_approve(session, actor, approval.agency_id)
        and (approval.requested_by_id != actor.id or actor.is_national_admin)
    )


def decide(
    session: Session,
    *,
    actor: Actor,
    approval_id: int,
    approve: bool,
    reason: str,
    edited_text: str | None = None,
) -> Approval:
    """The agency head (or the deputy named for today) approves (optionally after editing) or rejects a held
    text, giving a reason."""
    approval = queries.get_approval(session, actor=actor, approval_id=approval_id)
    deputies.require_approver(session, actor, approval.agency_id)
    if approval.status is not ApprovalStatus.pending:
        raise Conflict(f"this item was already {approval.status.value}")
    if approval.requested_by_id == actor.id and not actor.is_national_admin:
        raise Forbidden("you cannot approve or reject your own text; another agency head or national oversight must")
    reason = reason.strip()
    if not reason:
        raise Invalid("give a reason for the decision; the author will see it", field="reason")
    before_text = approval.text
    edited = edited_text is not None and edited_text.strip() != approval.text.strip()
    if edited and approve:
        assert edited_text is not None
        recheck = evaluate(session, agency_id=approval.agency_id, text=edited_text)
        if recheck.blocking():
            names = ", ".join(sorted({f.title.lower() for f in recheck.blocking()}))
            raise Invalid(f"the edited text still contains {names}, which cannot be sent", field="text")
        approval.original_text, approval.text = approval.text, edited_text.strip()
    approval.status = ApprovalStatus.approved if approve else ApprovalStatus.rejected
    approval.decided_by_id, approval.decided_at, approval.reason = actor.id, utcnow(), reason
    session.flush()
    if approval.outbound_id is not None:
        from civicloop.guidelines.gate import release

        release(session, approval=approval)
    action = "guidelines.reject" if not approve else "guidelines.edit_approve" if edited else "guidelines.approve"
    audit.record(
        session,
        actor=actor.official,
        action=action,
        target_type="guideline_approval",
        target_id=approval.id,
        agency_id=approval.agency_id,
        before={"status": "pending", "text": redact_text(before_text)},
        after={"status": approval.status.value, "reason": reason, "text": redact_text(approval.text)},
    )
    return approval


def batch_of(session: Session, approval: Approval) -> list[Approval]:
    """The pending items of one post to several accounts (their outbound rows share a batch key), ``approval``
    first; a reply or a single-account post is a batch of one."""
    batch_key = (
        session.scalar(select(OutboundMessage.batch_key).where(OutboundMessage.id == approval.outbound_id))
        if approval.outbound_id is not None
        else None
    )
    if batch_key is None or approval.status is not ApprovalStatus.pending:
        return [approval]
    siblings = session.scalars(
        select(Approval)
        .join(OutboundMessage, OutboundMessage.id == Approval.outbound_id)
        .where(
            OutboundMessage.batch_key == batch_key,
            Approval.agency_id == approval.agency_id,
            Approval.status == ApprovalStatus.pending,
            Approval.id != approval.id,
        )
        .order_by(Approval.id)
    )
    return [approval, *siblings]


def decide_batch(
    session: Session,
    *,
    actor: Actor,
    approval_id: int,
    approve: bool,
    reason: str,
    edited_texts: dict[int, str] | None = None,
) -> list[Approval]:
    """Decide a post once for every account it goes to (``batch_of``): each item is decided, released and
    audited as ``decide`` does; ``edited_texts`` maps an item to its corrected text."""
    first = queries.get_approval(session, actor=actor, approval_id=approval_id)
    edits = edited_texts or {}
    return [
        decide(
            session,
            actor=actor,
            approval_id=item.id,
            approve=approve,
            reason=reason,
            edited_text=edits.get(item.id) if approve else None,
        )
        for item in batch_of(session, first)
    ]


# --- lexicon overrides ----------------------------------------------------------------------------


def national_lexicon_ids() -> list[str]:
    """Lexicons national oversight edits on its settings page (the agency-only ones are agencies')."""
    return [lex for lex in lexicon_ids() if lex not in AGENCY_ONLY]


def lexicon_ids() -> list[str]:
    """Lexicons an override may name; parties are edited as parties (politics.save_party)."""
    return [*(lex for lex in shipped_lexicons() if lex != "parties"), *AGENCY_ONLY]


def _check_term_scope(actor: Actor | None, lexicon: str, agency_id: int | None) -> None:
    """``actor`` None is the operator at the command line, who may change any list."""
    if lexicon not in lexicon_ids():
        raise Invalid(f"unknown lexicon {lexicon!r}; use one of {', '.join(lexicon_ids())}", field="lexicon")
    if agency_id is None and lexicon in AGENCY_ONLY:
        raise Invalid(f"{lexicon} belong to one agency; add them on that agency's page", field="lexicon")
    if actor is None:
        return
    if agency_id is None:
        actor.require_national_admin()
    else:
        actor.require(agency_id, *RULE_ROLES)


def add_term(
    session: Session, *, actor: Actor | None, lexicon: str, term: str, agency_id: int | None = None
) -> TermOverride:
    """Add a term (national oversight: to any lexicon; an agency: for itself only)."""
    _check_term_scope(actor, lexicon, agency_id)
    term = term.strip()
    if not term or len(term) > MAX_TERM:
        raise Invalid(f"a term has 1 to {MAX_TERM} characters", field="term")
    key = term if lexicon in (PUBLIC_CONTACTS, REFERENCE_FORMATS) else normalise_term(term)
    if not key.strip("=^* "):
        raise Invalid("a term needs at least one letter or digit", field="term")
    if lexicon == REFERENCE_FORMATS:
        try:
            reference_format_regex(key)
        except ValueError as exc:
            raise Invalid(f"{exc}; for example BP-YYYY-###### or 1##########", field="term") from exc
    existing = _find_term(session, lexicon, key, agency_id)
    if existing is not None and not existing.removed:
        raise Conflict(f"{term!r} is already in {lexicon}")
    if existing is not None:
        session.delete(existing)  # adding back a shipped term a national removal had dropped
        row = existing
    else:
        row = TermOverride(
            agency_id=agency_id, lexicon=lexicon, term=key, removed=False, created_by_id=actor.id if actor else None
        )
        session.add(row)
    session.flush()
    _audit_term(session, actor, "guidelines.term_add", lexicon, key, agency_id)
    return row


def remove_term(
    session: Session, *, actor: Actor | None, lexicon: str, term: str, agency_id: int | None = None
) -> None:
    """Remove an added term; national oversight may also drop a shipped one."""
    _check_term_scope(actor, lexicon, agency_id)
    key = term.strip() if lexicon in (PUBLIC_CONTACTS, REFERENCE_FORMATS) else normalise_term(term)
    existing = _find_term(session, lexicon, key, agency_id)
    if existing is not None and not existing.removed:
        session.delete(existing)
    elif agency_id is None and lexicon in shipped_lexicons() and key in _shipped_keys(lexicon):
        if existing is None:
            by = actor.id if actor else None
            session.add(TermOverride(agency_id=None, lexicon=lexicon, term=key, removed=True, created_by_id=by))
    else:
        raise NotFound(f"{term!r} is not in {lexicon}")
    session.flush()
    _audit_term(session, actor, "guidelines.term_remove", lexicon, key, agency_id)


def _shipped_keys(lexicon: str) -> set[str]:
    return {normalise_term(t) for t in shipped_lexicons()[lexicon].terms}


def _find_term(session: Session, lexicon: str, key: str, agency_id: int | None) -> TermOverride | None:
    return session.scalars(
        select(TermOverride).where(
            TermOverride.lexicon == lexicon,
            TermOverride.term == key,
            TermOverride.agency_id.is_(None) if agency_id is None else TermOverride.agency_id == agency_id,
        )
    ).first()


def _audit_term(
    session: Session, actor: Actor | None, action: str, lexicon: str, term: str, agency_id: int | None
) -> None:
    audit.record(
        session,
        actor=actor.official if actor else None,
        action=action,
        target_type="guideline_lexicon",
        target_id=lexicon,
        agency_id=agency_id,
        after={"lexicon": lexicon, "term": term, "scope": "national" if agency_id is None else "agency"},
    )


# --- election periods -----------------------------------------------------------------------------


def add_election_period(
    session: Session,
    *,
    actor: Actor,
    name: str,
    starts_at: datetime,
    polls_at: datetime,
    ends_at: datetime,
    embargo_hours: int = 48,
) -> ElectionPeriod:
    actor.require_national_admin()
    if not name.strip():
        raise Invalid("name the election", field="name")
    if not starts_at < polls_at < ends_at:
        raise Invalid("the period must start before polling and end after it", field="polls_at")
    if not 0 <= embargo_hours <= 240:
        raise Invalid("the embargo lasts 0 to 240 hours", field="embargo_hours")
    period = ElectionPeriod(
        name=name.strip(),
        starts_at=starts_at,
        polls_at=polls_at,
        ends_at=ends_at,
        embargo_hours=embargo_hours,
        created_by_id=actor.id,
    )
    session.add(period)
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="guidelines.election_add",
        target_type="election_period",
        target_id=period.id,
        after=audit.snapshot(period, ["name", "starts_at", "polls_at", "ends_at", "embargo_hours"]),
    )
    return period


def delete_election_period(session: Session, *, actor: Actor, period_id: int) -> None:
    actor.require_national_admin()
    period = session.get(ElectionPeriod, period_id)
    if period is None:
        raise NotFound("election period not found")
    before = audit.snapshot(period, ["name", "starts_at", "polls_at", "ends_at", "embargo_hours"])
    session.delete(period)
    session.flush()
    audit.record(
        session,
        actor=actor.official,
        action="guidelines.election_delete",
        target_type="election_period",
        target_id=period_id,
        before=before,
    )


# --- redaction ------------------------------------------------------------------------------------


def redact(text: str) -> str:
    """Citizens' words with their personal data replaced, for reports and open-data exports."""
    return redact_text(text)
