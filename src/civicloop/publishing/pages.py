"""Pages: the post composer with a live check, the calendar per agency, a post's per-account results."""

from __future__ import annotations

import calendar as calendar_mod
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from civicloop.agencies import service as agencies
from civicloop.agencies.models import Agency, OfficialAccount, Platform
from civicloop.auth import deputies
from civicloop.auth.models import Role
from civicloop.auth.scope import Actor
from civicloop.channels import registry
from civicloop.channels.spec import PlatformSpec
from civicloop.deps import ActorDep, SessionDep
from civicloop.errors import AppError, Invalid
from civicloop.guidelines import service as guidelines
from civicloop.guidelines.views import FindingsView, findings_view
from civicloop.kit import i18n, uploads
from civicloop.kit.clock import utcnow
from civicloop.kit.timezones import local, parse_instant, zone
from civicloop.publishing import languages, lengths, queries, service
from civicloop.publishing.languages import Written
from civicloop.publishing.models import Post, PostStatus
from civicloop.web.forms import form_action
from civicloop.web.templating import flash, render

router = APIRouter(include_in_schema=False)
MAX_VARIANT = 10_000


# The composer's second language, written beside English (publishing.languages: what each account then gets).
OTHER = "dz"


def _variants(platforms: list[str] | None, texts: list[str] | None) -> dict[str, str]:
    """The per-platform variants, sent as pairs of ``variant_platform`` and ``variant`` fields."""
    if any(len(t) > MAX_VARIANT for t in texts or []):
        raise Invalid(f"a variant has at most {MAX_VARIANT:,} characters", field="variant")
    return {p: t for p, t in zip(platforms or [], texts or [], strict=False) if t.strip()}


def _texts(
    text: str, platforms: list[str] | None, variant: list[str] | None, text_dz: str, variant_dz: list[str] | None
) -> tuple[dict[str, str], dict[str, Written]]:
    """The English variants and the Dzongkha text with its variants, from the composer's side-by-side fields."""
    return _variants(platforms, variant), {OTHER: Written(text_dz, _variants(platforms, variant_dz))}


@dataclass
class ComposePage:
    agencies: list[Agency]
    accounts: list[OfficialAccount]
    form: dict[str, str] = field(default_factory=dict)
    chosen: list[int] = field(default_factory=list)
    error: str | None = None
    # The picture of a refused attempt, kept so that it need not be chosen again (its file name).
    kept_image: str | None = None
    other: str = OTHER

    @property
    def other_name(self) -> str:
        return i18n.LANGUAGES[self.other]

    def missing(self, key: str) -> str | None:
        """Which side of a row (``text``, ``variant_x``) is not written while the other is: the editor marks it."""
        english = self.form.get(key, "").strip()
        other = self.form.get(key.replace("_", f"_{self.other}_", 1) if "_" in key else f"{key}_{self.other}", "")
        if english and not other.strip():
            return self.other
        if other.strip() and not english:
            return i18n.DEFAULT
        return None

    @property
    def variant_platforms(self) -> list[PlatformSpec]:
        return [p for p in registry.publishable() if p.variant_hint]

    @staticmethod
    def takes_pictures(platform: Platform) -> bool:
        route = registry.spec(platform).post
        return route is not None and route.images

    @property
    def picture_platforms(self) -> list[str]:
        return [p.label for p in registry.publishable() if p.post is not None and p.post.images]


@dataclass
class CheckFragment:
    fits: list[lengths.Fit]
    reviews: list[tuple[str, FindingsView]]
    # Each platform's label → the names of the languages its post carries.
    carried: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class CalendarPage:
    agency: Agency | None
    agencies: list[Agency]
    month: date
    previous: str
    next: str
    weeks: list[list[date | None]]
    posts_by_day: dict[date, list[Post]]
    waiting: list[Post]
    require_approval: bool
    can_set_policy: bool
    # Each post's status as shown: "held" when the guidelines hold every account's message (queries).
    shown: dict[int, str] = field(default_factory=dict)


@dataclass
class PostPage:
    post: Post
    results: list[queries.TargetResult]
    can_decide: bool
    can_cancel: bool
    shown_status: str = ""

    @property
    def texts(self) -> dict[str, Written]:
        """The post in each language it was written in, English first (the page shows them one after another)."""
        written = languages.of_post(self.post)
        return {lang: written[lang] for lang in i18n.LANGUAGES if lang in written}

    def carried(self, platform: str) -> str:
        names = [i18n.LANGUAGES[lang] for lang in languages.languages_on(platform, languages.of_post(self.post))]
        return " + ".join(names)


# The session key of a refused post's picture, stored so that the next attempt can send it: the signed
# session cookie names it, so no one can point a post at another upload.
KEPT_IMAGE = "publishing_kept_image"


def _kept_image(request: Request) -> tuple[str, bytes] | None:
    kept = request.session.get(KEPT_IMAGE)
    if not isinstance(kept, dict):
        return None
    try:
        return str(kept["filename"]), uploads.path_of(str(kept["stored_name"])).read_bytes()
    except (KeyError, OSError, AppError):
        request.session.pop(KEPT_IMAGE, None)
        return None


def _forget_kept_image(request: Request) -> None:
    kept = request.session.pop(KEPT_IMAGE, None)
    if isinstance(kept, dict) and kept.get("stored_name"):
        uploads.remove(str(kept["stored_name"]))


def _keep_image(request: Request, picture: tuple[str, bytes]) -> str | None:
    """Keep the picture of a refused post for the next attempt; None when the picture itself is the problem."""
    _forget_kept_image(request)
    try:
        stored = uploads.store(picture[1], filename=picture[0], images_only=True)
    except AppError:
        return None
    request.session[KEPT_IMAGE] = {"stored_name": stored.stored_name, "filename": stored.filename}
    return stored.filename


def _compose_page(session: Session, actor: Actor, **extra: object) -> ComposePage:
    writable = [a for a in agencies.list_agencies(session, actor=actor) if actor.has_role(a.id)]
    ids = {a.id for a in writable}
    accounts = [
        a
        for a in agencies.list_accounts(session, actor=actor)
        if a.agency_id in ids and registry.spec(a.platform).post is not None
    ]
    return ComposePage(agencies=writable, accounts=accounts, **extra)  # type: ignore[arg-type]


@router.get("/publishing/new", response_class=HTMLResponse)
def compose(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return render(request, "publishing/compose.html", _compose_page(session, actor))


@router.post("/publishing/check", response_class=HTMLResponse)
def live_check(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    agency_id: Annotated[int, Form()],
    text: Annotated[str, Form(max_length=70_000)] = "",
    variant_platform: Annotated[list[str] | None, Form()] = None,
    variant: Annotated[list[str] | None, Form()] = None,
    account_ids: Annotated[list[int] | None, Form()] = None,
    text_dz: Annotated[str, Form(max_length=70_000)] = "",
    variant_dz: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """What the post weighs on each chosen platform, in which languages, and the guidelines' findings under the
    agency's policy for each distinct text (the guidelines' own preview: nothing is recorded)."""
    chosen = [a for a in agencies.list_accounts(session, actor=actor) if a.id in set(account_ids or [])]
    platforms = {a.platform.value for a in chosen} or {p.name for p in registry.publishable()}
    english, others = _texts(text, variant_platform, variant, text_dz, variant_dz)
    texts = service.written_texts(text, english, others)
    by_text: dict[str, list[str]] = {}
    for platform in sorted(platforms):
        body = languages.text_for(platform, texts)
        if body.strip():
            by_text.setdefault(body, []).append(platform)
    reviews = [
        (", ".join(names), findings_view(guidelines.preview(session, actor=actor, agency_id=agency_id, text=body)))
        for body, names in by_text.items()
    ]
    carried = {
        registry.label(p): [i18n.LANGUAGES[lang] for lang in languages.languages_on(p, texts)]
        for p in sorted(platforms)
    }
    page = CheckFragment(fits=service.check_lengths(texts, platforms), reviews=reviews, carried=carried)
    return render(request, "publishing/_check.html", page)


@router.post("/publishing", response_class=HTMLResponse)
def create(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    agency_id: Annotated[int, Form()],
    text: Annotated[str, Form(max_length=70_000)] = "",
    variant_platform: Annotated[list[str] | None, Form()] = None,
    variant: Annotated[list[str] | None, Form()] = None,
    account_ids: Annotated[list[int] | None, Form()] = None,
    scheduled_at: Annotated[str, Form(max_length=40)] = "",
    image: Annotated[UploadFile | None, File()] = None,
    keep_image: Annotated[bool, Form()] = False,
    text_dz: Annotated[str, Form(max_length=70_000)] = "",
    variant_dz: Annotated[list[str] | None, Form()] = None,
) -> Response:
    variants, others = _texts(text, variant_platform, variant, text_dz, variant_dz)
    form = {"agency_id": str(agency_id), "text": text, f"text_{OTHER}": text_dz}
    form |= {f"variant_{p}": t for p, t in variants.items()}
    form |= {f"variant_{OTHER}_{p}": t for p, t in others[OTHER].variants.items()}
    form["scheduled_at"] = scheduled_at
    with form_action(session) as attempt:
        agency = agencies.get_agency(session, actor=actor, agency_id=agency_id)
        when = parse_instant(scheduled_at, agencies.zone_name_of(agency)) if scheduled_at.strip() else None
        picture = (image.filename or "image", uploads.read_limited(image.file)) if image and image.filename else None
        if picture is None and keep_image:
            picture = _kept_image(request)
        post = service.create_post(
            session,
            actor=actor,
            agency_id=agency_id,
            text=text,
            variants=variants,
            translations=others,
            account_ids=account_ids or [],
            scheduled_at=when,
            image=picture,
        )
    if (exc := attempt.error) is not None:
        kept = _keep_image(request, picture) if picture is not None else None
        if picture is None:
            _forget_kept_image(request)
        page = _compose_page(session, actor, form=form, chosen=account_ids or [], error=exc.message, kept_image=kept)
        return render(request, "publishing/compose.html", page, status_code=exc.status_code)
    _forget_kept_image(request)
    messages = {
        PostStatus.pending_approval: "Saved. It waits for the agency head's approval.",
        PostStatus.scheduled: "Scheduled.",
        PostStatus.released: "Sent to the accounts; each passes the guidelines check on its way out.",
    }
    flash(request, messages.get(post.status, "Saved."))
    return RedirectResponse(f"/publishing/posts/{post.id}", status_code=303)


def _month(value: str | None, zone_name: str) -> date:
    if value:
        try:
            year, month = (int(part) for part in value.split("-", 1))
            return date(year, month, 1)
        except ValueError as exc:
            raise Invalid("the month is written YYYY-MM, e.g. 2026-11") from exc
    today = local(utcnow(), zone_name)
    return date(today.year, today.month, 1)


@router.get("/publishing", response_class=HTMLResponse)
def calendar(
    request: Request, session: SessionDep, actor: ActorDep, agency_id: int | None = None, month: str | None = None
) -> Response:
    visible = agencies.list_agencies(session, actor=actor)
    agency = agencies.get_agency(session, actor=actor, agency_id=agency_id) if agency_id else None
    zone_name = agencies.zone_name_of(agency)
    first = _month(month, zone_name)
    last = (first + timedelta(days=32)).replace(day=1)
    tz = zone(zone_name)
    start = datetime(first.year, first.month, 1, tzinfo=tz).astimezone(UTC)
    end = datetime(last.year, last.month, 1, tzinfo=tz).astimezone(UTC)
    posts = queries.list_posts(session, actor=actor, agency_id=agency_id, start=start, end=end)
    by_day: dict[date, list[Post]] = {}
    for post in sorted(posts, key=queries.when):
        by_day.setdefault(local(queries.when(post), zone_name).date(), []).append(post)
    weeks = [
        [day if day.month == first.month else None for day in week]
        for week in calendar_mod.Calendar().monthdatescalendar(first.year, first.month)
    ]
    waiting = [
        p
        for p in queries.list_posts(session, actor=actor, agency_id=agency_id)
        if p.status is PostStatus.pending_approval
    ]
    page = CalendarPage(
        agency=agency,
        agencies=visible,
        month=first,
        previous=(first - timedelta(days=1)).strftime("%Y-%m"),
        next=last.strftime("%Y-%m"),
        weeks=weeks,
        posts_by_day=by_day,
        waiting=waiting,
        require_approval=queries.policy_for(session, agency.id).require_approval if agency else False,
        can_set_policy=bool(agency and actor.has_role(agency.id, Role.agency_head, Role.agency_admin)),
        shown=queries.shown_statuses(session, posts),
    )
    return render(request, "publishing/calendar.html", page)


@router.post("/publishing/policy")
def set_policy(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    agency_id: Annotated[int, Form()],
    require_approval: Annotated[bool, Form()] = False,
) -> Response:
    service.set_policy(session, actor=actor, agency_id=agency_id, require_approval=require_approval)
    flash(
        request, "Posts now need the agency head's approval." if require_approval else "Posts no longer need approval."
    )
    return RedirectResponse(f"/publishing?agency_id={agency_id}", status_code=303)


@router.get("/publishing/posts/{post_id}", response_class=HTMLResponse)
def post_detail(post_id: int, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    post = queries.get_post(session, actor=actor, post_id=post_id)
    page = PostPage(
        post=post,
        results=queries.results(session, post),
        can_decide=post.status is PostStatus.pending_approval and deputies.may_approve(session, actor, post.agency_id),
        can_cancel=post.status in (PostStatus.pending_approval, PostStatus.scheduled)
        and actor.has_role(post.agency_id),
        shown_status=queries.shown_statuses(session, [post])[post.id],
    )
    return render(request, "publishing/post.html", page)


@router.post("/publishing/posts/{post_id}/{action}")
def decide(
    post_id: int,
    action: str,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if action == "cancel":
        service.cancel(session, actor=actor, post_id=post_id)
        flash(request, "Cancelled.")
    elif action in ("approve", "reject"):
        post = service.decide(session, actor=actor, post_id=post_id, approve=action == "approve", note=note)
        flash(request, "Approved." if post.status is not PostStatus.rejected else "Rejected.")
    else:
        raise Invalid(f"unknown action {action!r}")
    return RedirectResponse(f"/publishing/posts/{post_id}", status_code=303)
