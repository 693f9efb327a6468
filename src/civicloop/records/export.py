"""Records-request exports: everything an agency holds on record for a period, as a signed bundle.

The bundle (see ``records.bundle`` for the signature) holds:

- ``data/conversations.jsonl``, ``data/messages.jsonl`` (every message as first received, each later edit,
  removals and hides, who wrote it), ``data/outbound.jsonl`` (replies and posts sent, who sent them, the
  guidelines findings of their check), ``data/posts.jsonl``, ``data/audit.jsonl`` (officials' actions);
- ``raw/<id>.bin`` with ``raw/<id>.json``: each platform payload exactly as received, and how it came;
- ``transcripts/conversation-<id>.html`` and ``.pdf``: a readable transcript of each conversation, in the
  context of the post it answered (third parties' personal data redacted when the request is a citizen's;
  the raw copy never is);
- ``README.txt``; ``manifest.json``, ``manifest.sig`` and ``public_key.pem``.
"""

from __future__ import annotations

import hashlib
import json
import string
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement, and_, exists, func, select, true
from sqlalchemy.orm import Session

from civicloop import __version__
from civicloop.agencies.models import Agency, OfficialAccount
from civicloop.audit import checkpoints
from civicloop.audit.models import AuditEntry
from civicloop.auth.models import Official
from civicloop.channels.models import Contact, Conversation, Direction, Message, MessageRevision, RawEvent
from civicloop.channels.outbound.models import OutboundKind, OutboundMessage
from civicloop.config import get_settings
from civicloop.errors import Invalid, NotFound
from civicloop.guidelines.models import GuidelineReview, ReviewFinding
from civicloop.guidelines.redact import redact_text
from civicloop.kit.clock import utcnow
from civicloop.moderation.models import ModerationAction, ModerationAppeal
from civicloop.publishing.models import Post
from civicloop.records import transcripts
from civicloop.records.bundle import BundleWriter
from civicloop.records.models import RecordsExport
from civicloop.records.transcripts import Line, Transcript

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Criteria:
    agency_code: str
    since: datetime | None = None
    until: datetime | None = None
    account_id: int | None = None
    search: str | None = None
    # A citizen's request: third parties' personal data is redacted in the readable transcripts, and the
    # requester (a contact id), if named, keeps their own name.
    redact: bool = False
    requester_contact_id: int | None = None
    conversation_ids: frozenset[int] | None = None  # only these conversations (the capture job's)

    def check(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise Invalid("--until is before --since", field="until")
        if self.search is not None and not self.search.strip():
            raise Invalid("--search needs words", field="search")


@dataclass
class Summary:
    conversations: int = 0
    messages: int = 0
    outbound: int = 0
    posts: int = 0
    moderation_actions: int = 0
    raw_payloads: int = 0
    audit_entries: int = 0
    transcripts: int = 0
    pdfs_drawn: int = 0
    files: int = 0
    key_id: str = ""
    criteria: dict[str, Any] = field(default_factory=dict)


def _in_range(column: Any, criteria: Criteria) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [true()]
    if criteria.since is not None:
        conditions.append(column >= criteria.since)
    if criteria.until is not None:
        conditions.append(column <= criteria.until)
    return and_(*conditions)


def _contains(column: Any, words: str) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = func.lower(column).contains(words.lower(), autoescape=True)
    return condition


@dataclass
class _Collector:
    session: Session
    agency: Agency
    criteria: Criteria

    def message_filter(self) -> ColumnElement[bool]:
        conditions = [Message.agency_id == self.agency.id, _in_range(Message.created_at, self.criteria)]
        if self.criteria.account_id is not None:
            conditions.append(Message.account_id == self.criteria.account_id)
        if self.criteria.conversation_ids is not None:
            conditions.append(Message.conversation_id.in_(self.criteria.conversation_ids))
        if self.criteria.search:
            matching = (
                select(Message.conversation_id)
                .where(Message.agency_id == self.agency.id, _contains(Message.text, self.criteria.search))
                .scalar_subquery()
            )
            conditions.append(Message.conversation_id.in_(matching))
        return and_(*conditions)

    def conversations(self) -> list[Conversation]:
        ids = select(Message.conversation_id).where(self.message_filter()).distinct().scalar_subquery()
        return list(
            self.session.scalars(select(Conversation).where(Conversation.id.in_(ids)).order_by(Conversation.id))
        )

    def messages(self) -> list[Message]:
        return list(
            self.session.scalars(
                select(Message)
                .where(self.message_filter())
                .order_by(Message.conversation_id, Message.created_at, Message.id)
            )
        )

    def revisions(self) -> dict[int, list[MessageRevision]]:
        rows = self.session.scalars(
            select(MessageRevision)
            .join(Message, Message.id == MessageRevision.message_id)
            .where(self.message_filter())
            .order_by(MessageRevision.message_id, MessageRevision.at, MessageRevision.id)
        )
        out: dict[int, list[MessageRevision]] = defaultdict(list)
        for row in rows:
            out[row.message_id].append(row)
        return out

    def outbound(self) -> list[OutboundMessage]:
        conditions = [OutboundMessage.agency_id == self.agency.id, _in_range(OutboundMessage.created_at, self.criteria)]
        if self.criteria.account_id is not None:
            conditions.append(OutboundMessage.account_id == self.criteria.account_id)
        if self.criteria.search:
            in_conversation = exists(
                select(Message.id).where(
                    Message.conversation_id == OutboundMessage.conversation_id,
                    _contains(Message.text, self.criteria.search),
                )
            )
            conditions.append(in_conversation | _contains(OutboundMessage.text, self.criteria.search))
        return list(self.session.scalars(select(OutboundMessage).where(*conditions).order_by(OutboundMessage.id)))

    def posts(self) -> list[Post]:
        conditions = [Post.agency_id == self.agency.id, _in_range(Post.created_at, self.criteria)]
        if self.criteria.search:
            conditions.append(_contains(Post.text, self.criteria.search))
        return list(self.session.scalars(select(Post).where(*conditions).order_by(Post.id)))

    def reviews(self, outbound_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
        rows = self.session.execute(
            select(GuidelineReview, ReviewFinding)
            .outerjoin(ReviewFinding, ReviewFinding.review_id == GuidelineReview.id)
            .where(GuidelineReview.agency_id == self.agency.id, GuidelineReview.outbound_id.is_not(None))
            .order_by(GuidelineReview.id, ReviewFinding.id)
        )
        reviews: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
        for review, finding in rows:
            if review.outbound_id not in outbound_ids:
                continue
            entry = reviews[review.outbound_id].setdefault(
                review.id,
                {"review_id": review.id, "action": review.action, "at": review.created_at, "findings": []},
            )
            if finding is not None:
                entry["findings"].append(
                    {
                        "rule": finding.rule_id,
                        "category": finding.category,
                        "severity": finding.severity,
                        "action": finding.action,
                        "excerpt": finding.excerpt,
                    }
                )
        return {outbound_id: list(by_id.values()) for outbound_id, by_id in reviews.items()}

    def moderation(self) -> list[tuple[ModerationAction, list[ModerationAppeal]]]:
        conditions = [ModerationAction.agency_id == self.agency.id, _in_range(ModerationAction.at, self.criteria)]
        if self.criteria.account_id is not None:
            conditions.append(ModerationAction.account_id == self.criteria.account_id)
        if self.criteria.search or self.criteria.conversation_ids is not None:
            selected = select(Message.conversation_id).where(self.message_filter()).distinct().scalar_subquery()
            conditions.append(ModerationAction.conversation_id.in_(selected))
        actions = list(self.session.scalars(select(ModerationAction).where(*conditions).order_by(ModerationAction.id)))
        appeals: dict[int, list[ModerationAppeal]] = defaultdict(list)
        ids = [a.id for a in actions]
        for start in range(0, len(ids), 500):
            for appeal in self.session.scalars(
                select(ModerationAppeal)
                .where(ModerationAppeal.action_id.in_(ids[start : start + 500]))
                .order_by(ModerationAppeal.id)
            ):
                appeals[appeal.action_id].append(appeal)
        return [(action, appeals.get(action.id, [])) for action in actions]

    def audit_entries(self) -> list[AuditEntry]:
        return list(
            self.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.agency_id == self.agency.id, _in_range(AuditEntry.at, self.criteria))
                .order_by(AuditEntry.seq)
            )
        )

    def raw_events(self, ids: set[int]) -> Iterator[RawEvent]:
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            yield from self.session.scalars(
                select(RawEvent).where(RawEvent.id.in_(ordered[start : start + 500])).order_by(RawEvent.id)
            )


def _official_names(session: Session, ids: set[int]) -> dict[int, Official]:
    return {o.id: o for o in session.scalars(select(Official).where(Official.id.in_(ids)))} if ids else {}


def _who(official: Official | None) -> dict[str, Any] | None:
    return {"id": official.id, "name": official.name, "email": official.email} if official else None


class _Pseudonyms:
    """Third parties in a redacted transcript: "Citizen A", "Citizen B"… in order of appearance."""

    def __init__(self, requester: int | None) -> None:
        self.requester = requester
        self.names: dict[int | None, str] = {}

    def name(self, contact: Contact | None) -> str:
        if contact is not None and contact.id == self.requester:
            return contact.display_name
        key = contact.id if contact else None
        if key not in self.names:
            n = len(self.names)
            letters = string.ascii_uppercase
            self.names[key] = f"Citizen {letters[n % 26]}{n // 26 or ''}"
        return self.names[key]


@dataclass
class _Gathered:
    """Everything a bundle holds, read in a few bulk queries."""

    agency: Agency
    criteria: Criteria
    conversations: list[Conversation]
    messages: list[Message]
    revisions: dict[int, list[MessageRevision]]
    outbound: list[OutboundMessage]
    posts: list[Post]
    accounts: dict[int, OfficialAccount]
    contacts: dict[int, Contact]
    officials: dict[int, Official]
    sent_by_external: dict[tuple[int, str | None], OutboundMessage]


def _agency_of(session: Session, criteria: Criteria) -> Agency:
    criteria.check()
    agency = session.scalar(select(Agency).where(Agency.code == criteria.agency_code))
    if agency is None:
        raise NotFound(f"no agency with the code {criteria.agency_code!r}")
    if criteria.account_id is not None:
        account = session.get(OfficialAccount, criteria.account_id)
        if account is None or account.agency_id != agency.id:
            raise NotFound(f"{agency.code} has no account {criteria.account_id}")
    return agency


def _gather(session: Session, collector: _Collector) -> _Gathered:
    conversations = collector.conversations()
    messages = collector.messages()
    outbound = collector.outbound()
    posts = collector.posts()
    agency = collector.agency
    contact_ids = {m.contact_id for m in messages if m.contact_id} | {
        c.contact_id for c in conversations if c.contact_id
    }
    contacts = (
        {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))} if contact_ids else {}
    )
    official_ids = (
        {o.created_by_id for o in outbound if o.created_by_id}
        | {p.created_by_id for p in posts if p.created_by_id}
        | {p.decided_by_id for p in posts if p.decided_by_id}
    )
    return _Gathered(
        agency=agency,
        criteria=collector.criteria,
        conversations=conversations,
        messages=messages,
        revisions=collector.revisions(),
        outbound=outbound,
        posts=posts,
        accounts={
            a.id: a for a in session.scalars(select(OfficialAccount).where(OfficialAccount.agency_id == agency.id))
        },
        contacts=contacts,
        officials=_official_names(session, official_ids),
        sent_by_external={(o.account_id, o.external_id): o for o in outbound if o.external_id},
    )


def _transcript_htmls(g: _Gathered) -> list[tuple[int, str]]:
    by_conversation: dict[int, list[Message]] = defaultdict(list)
    for message in g.messages:
        by_conversation[message.conversation_id].append(message)
    posts_by_ref = {
        (o.account_id, o.external_id): o.text for o in g.outbound if o.kind == OutboundKind.post and o.external_id
    }
    return [
        (
            conversation.id,
            transcripts.render_html(
                _transcript(
                    g,
                    conversation,
                    by_conversation[conversation.id],
                    posts_by_ref.get((conversation.account_id, conversation.external_ref)),
                )
            ),
        )
        for conversation in g.conversations
    ]


def capture_transcripts(session: Session, agency_code: str, conversation_ids: Collection[int]) -> int:
    """Draw the PDF transcripts of these conversations now (the capture job), so that an export of them
    finds them drawn; how many were drawn."""
    criteria = Criteria(agency_code=agency_code, conversation_ids=frozenset(conversation_ids))
    gathered = _gather(session, _Collector(session, _agency_of(session, criteria), criteria))
    return transcripts.ensure_pdfs([html for _id, html in _transcript_htmls(gathered)])


def write_bundle(session: Session, criteria: Criteria, out: IO[bytes], progress: Progress | None = None) -> Summary:
    """Write the bundle for ``criteria`` into ``out``; what it holds, counted."""
    agency = _agency_of(session, criteria)
    say = progress or (lambda _message: None)
    collector = _Collector(session, agency, criteria)
    summary = Summary(criteria=_plain_criteria(criteria))
    writer = BundleWriter(out)

    say("reading conversations and messages")
    g = _gather(session, collector)
    reviews = collector.reviews({o.id for o in g.outbound})
    summary.conversations = writer.add_lines(
        "data/conversations.jsonl", (_conversation_record(c, g.accounts, g.contacts) for c in g.conversations)
    )
    summary.messages = writer.add_lines("data/messages.jsonl", (_message_record(g, m) for m in g.messages))
    summary.outbound = writer.add_lines(
        "data/outbound.jsonl", (_outbound_record(o, g.officials, reviews.get(o.id, [])) for o in g.outbound)
    )
    summary.posts = writer.add_lines("data/posts.jsonl", (_post_record(p, g.officials) for p in g.posts))
    summary.moderation_actions = writer.add_lines(
        "data/moderation.jsonl", (_moderation_record(a, appeals) for a, appeals in collector.moderation())
    )
    summary.audit_entries = writer.add_lines("data/audit.jsonl", (_audit_record(e) for e in collector.audit_entries()))

    say("copying the platforms' raw payloads")
    for raw in collector.raw_events({m.raw_event_id for m in g.messages if m.raw_event_id}):
        writer.add(f"raw/{raw.id}.bin", raw.body)
        writer.add(f"raw/{raw.id}.json", _json(_raw_record(raw)))
        summary.raw_payloads += 1

    say(f"writing {len(g.conversations)} transcripts")
    htmls = _transcript_htmls(g)
    summary.pdfs_drawn = transcripts.ensure_pdfs([html for _id, html in htmls])
    for conversation_id, html in htmls:
        writer.add(f"transcripts/conversation-{conversation_id}.html", html.encode())
        writer.add(f"transcripts/conversation-{conversation_id}.pdf", transcripts.pdf_of(html), compress=False)
    summary.transcripts = len(htmls)

    writer.add("README.txt", _readme(agency, criteria).encode())
    say("signing the manifest")
    key = checkpoints.signing_key()
    manifest = writer.sign_and_close(
        key,
        {
            "agency": {"code": agency.code, "name": agency.name},
            "criteria": summary.criteria,
            "created_at": utcnow().isoformat(),
            "software": f"CivicLoop {__version__}",
            "counts": {k: v for k, v in asdict(summary).items() if isinstance(v, int)},
        },
    )
    summary.files = len(manifest["files"])
    summary.key_id = checkpoints.key_id(key.public_key())
    return summary


def export_to_file(session: Session, criteria: Criteria, path: Path, progress: Progress | None = None) -> Summary:
    """Write the bundle next to ``path`` and move it into place only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as out:
            summary = write_bundle(session, criteria, out, progress)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return summary


# -- records -------------------------------------------------------------------------------------------------


def _json(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode()


def _plain_criteria(criteria: Criteria) -> dict[str, Any]:
    plain = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(criteria).items()}
    plain["conversation_ids"] = sorted(criteria.conversation_ids) if criteria.conversation_ids is not None else None
    return plain


def _contact_record(contact: Contact | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    return {
        "id": contact.id,
        "platform": contact.platform,
        "platform_user_id": contact.platform_user_id,
        "name": contact.display_name,
        "handle": contact.handle,
        "email": contact.email,
        "phone": contact.phone,
    }


def _conversation_record(
    c: Conversation, accounts: dict[int, OfficialAccount], contacts: dict[int, Contact]
) -> dict[str, Any]:
    account = accounts.get(c.account_id)
    return {
        "id": c.id,
        "account": {
            "id": c.account_id,
            "name": account.name if account else None,
            "platform": account.platform if account else None,
        },
        "kind": c.kind,
        "external_ref": c.external_ref,
        "subject": c.subject,
        "status": c.status,
        "contact": _contact_record(contacts.get(c.contact_id) if c.contact_id else None),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def _sender(g: _Gathered, m: Message) -> Official | None:
    sent = g.sent_by_external.get((m.account_id, m.external_id))
    return g.officials.get(sent.created_by_id) if sent and sent.created_by_id else None


def _message_record(g: _Gathered, m: Message) -> dict[str, Any]:
    revisions = g.revisions.get(m.id, [])
    return {
        "id": m.id,
        "conversation_id": m.conversation_id,
        "account_id": m.account_id,
        "direction": m.direction,
        "platform": m.platform,
        "external_id": m.external_id,
        "from": _contact_record(g.contacts.get(m.contact_id) if m.contact_id else None),
        "sent_by": _who(_sender(g, m)),
        "created_at": m.created_at,
        "received_at": m.received_at,
        "text_as_first_received": revisions[0].text if revisions else m.text,
        "text_now": m.text,
        "edits": [{"previous_text": r.text, "replaced_at": r.at} for r in revisions],
        "state": m.state,
        "reply_to_external_id": m.reply_to_external_id,
        "permalink": m.permalink,
        "attachments": m.attachments,
        "language": m.language,
        "raw_event_id": m.raw_event_id,
    }


def _outbound_record(
    o: OutboundMessage, officials: dict[int, Official], reviews: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": o.id,
        "kind": o.kind,
        "account_id": o.account_id,
        "conversation_id": o.conversation_id,
        "route": o.route,
        "text": o.text,
        "image": o.image_path,
        "in_reply_to_message_id": o.in_reply_to_message_id,
        "target": o.target,
        "status": o.status,
        "attempts": o.attempts,
        "last_error": o.last_error,
        "external_id": o.external_id,
        "permalink": o.permalink,
        "written_by": _who(officials.get(o.created_by_id) if o.created_by_id else None),
        "created_at": o.created_at,
        "sent_at": o.sent_at,
        "guidelines_checks": reviews,
    }


def _post_record(p: Post, officials: dict[int, Official]) -> dict[str, Any]:
    return {
        "id": p.id,
        "text": p.text,
        "variants": p.variants,
        # The other languages the post was written in (the words each account got are the outbound records).
        "translations": p.translations,
        "image": p.image_name,
        "status": p.status,
        "purpose": p.purpose,
        "scheduled_at": p.scheduled_at,
        "released_at": p.released_at,
        "written_by": _who(officials.get(p.created_by_id) if p.created_by_id else None),
        "decided_by": _who(officials.get(p.decided_by_id) if p.decided_by_id else None),
        "decided_at": p.decided_at,
        "decision_note": p.decision_note,
        "created_at": p.created_at,
    }


def _moderation_record(a: ModerationAction, appeals: list[ModerationAppeal]) -> dict[str, Any]:
    return {
        "id": a.id,
        "message_id": a.message_id,
        "conversation_id": a.conversation_id,
        "account_id": a.account_id,
        "platform": a.platform,
        "external_id": a.external_id,
        "operation": a.operation,
        "ground": a.ground,
        "note": a.note,
        "suggested_by": a.suggested_by,
        "by": a.by_label,
        "at": a.at,
        "applied": a.applied,
        "platform_status": a.platform_status,
        "platform_answer": a.platform_answer,
        "platform_summary": a.platform_summary,
        "citizen_told_by_outbound_id": a.notice_outbound_id,
        "citizen_not_told_because": a.notice_problem,
        "reverses": a.reverses_id,
        "appeals": [
            {
                "id": appeal.id,
                "reason": appeal.reason,
                "received_at": appeal.received_at,
                "status": appeal.status,
                "decided_by": appeal.decided_by_label,
                "decided_at": appeal.decided_at,
                "decision_note": appeal.decision_note,
                "reversal_action_id": appeal.reversal_action_id,
            }
            for appeal in appeals
        ],
    }


def _audit_record(e: AuditEntry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at,
        "actor": e.actor_label,
        "action": e.action,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "before": e.before,
        "after": e.after,
        "hash": e.hash,
        "prev_hash": e.prev_hash,
    }


def _raw_record(raw: RawEvent) -> dict[str, Any]:
    return {
        "id": raw.id,
        "provider": raw.provider,
        "external_id": raw.external_id,
        "kind": raw.kind,
        "account_id": raw.account_id,
        "received_at": raw.received_at,
        "headers": raw.headers,
        "body_file": f"raw/{raw.id}.bin",
    }


def _transcript(g: _Gathered, conversation: Conversation, messages: list[Message], context: str | None) -> Transcript:
    agency, criteria = g.agency, g.criteria
    account = g.accounts.get(conversation.account_id)
    pseudonyms = _Pseudonyms(criteria.requester_contact_id) if criteria.redact else None

    def readable(text: str) -> str:
        return redact_text(text) if pseudonyms is not None else text

    lines = []
    for m in messages:
        contact = g.contacts.get(m.contact_id) if m.contact_id else None
        agency_side = m.direction == Direction.outbound
        if agency_side:
            sender = _sender(g, m)
            who = f"{agency.name} ({sender.name})" if sender else agency.name
        elif pseudonyms is not None:
            who = pseudonyms.name(contact)
        else:
            who = contact.display_name if contact else "Unknown citizen"
        lines.append(
            Line(
                at=m.created_at,
                who=who,
                agency=agency_side,
                text=readable(m.text),
                state=m.state,
                revisions=tuple(readable(r.text) for r in g.revisions.get(m.id, [])),
                reply_to=m.reply_to_external_id,
            )
        )
    return Transcript(
        conversation_id=conversation.id,
        agency=agency.name,
        account=account.name if account else "",
        platform=str(account.platform) if account else "",
        kind=str(conversation.kind),
        subject=readable(conversation.subject or ""),
        context=context,
        lines=tuple(lines),
        redacted=pseudonyms is not None,
    )


def _readme(agency: Agency, criteria: Criteria) -> str:
    return f"""Records of {agency.name} ({agency.code}) exported by CivicLoop {__version__}.
Criteria: {json.dumps(_plain_criteria(criteria), ensure_ascii=False)}

data/conversations.jsonl  one conversation per line (the citizen, the account, its state)
data/messages.jsonl       every message: text as first received, each edit, its state (removed, hidden)
data/outbound.jsonl       replies and posts sent, who wrote them, the guidelines checks made before sending
data/posts.jsonl          posts prepared for several accounts, who wrote and who approved them
data/moderation.jsonl     comments hidden, unhidden or deleted: by whom, when, why, the platform's answer, appeals
data/audit.jsonl          officials' actions in the agency (entries of the deployment's hash-chained audit log)
raw/<id>.bin, raw/<id>.json  each platform payload exactly as received, and how it was received
transcripts/              a readable transcript of each conversation (HTML and PDF)
manifest.json             every file above with its SHA-256 and size
manifest.sig, public_key.pem  the Ed25519 signature of manifest.json and the key that made it

To check this bundle: civicloop records verify THIS_FILE.zip [--public-key KEY.pem]
Compare the key id it prints with the one the deployment publishes on its transparency page.
"""


# -- exports asked for on the web -----------------------------------------------------------------------------


def exports_dir() -> Path:
    return get_settings().data_dir / "records" / "exports"


def export_file_name(row: RecordsExport) -> str:
    return f"records-{row.id}-{row.requested_at:%Y%m%d-%H%M%S}.zip"


def criteria_of(session: Session, row: RecordsExport) -> Criteria:
    c = row.criteria
    agency = session.get_one(Agency, row.agency_id)
    return Criteria(
        agency_code=agency.code,
        since=datetime.fromisoformat(c["since"]) if c.get("since") else None,
        until=datetime.fromisoformat(c["until"]) if c.get("until") else None,
        account_id=c.get("account_id"),
        search=c.get("search"),
        redact=bool(c.get("redact")),
        requester_contact_id=c.get("requester_contact_id"),
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
