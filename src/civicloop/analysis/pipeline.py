"""The whole analysis over arrays, with no database: ``analyse(texts, ids) -> AnalysisResult``.

normalize → exact and near duplicates (campaigns) → embed distinct texts → themes (fit on a
sample, assign all) → labels → sentiment → quotes. Campaign members count once in a theme's
``size`` and fully in its ``raw_size``. The same input, options and seed give the same result.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import numpy as np

from civicloop.analysis import cluster, labels, sentiment
from civicloop.analysis.dedup import Duplicates, find_duplicates
from civicloop.analysis.embed import FALLBACK_NOTE, default_embedder, embed_distinct, make_embedder
from civicloop.analysis.normalize import detect_language, normalize, tokens
from civicloop.analysis.schemas import RepeatedText, ThemeSummary
from civicloop.errors import Invalid

OTHER_ID = 0
OTHER_LABEL = "Other"
QUOTES = 5
QUOTE_CHARS = 280
QUOTE_OVERLAP = 0.6
LABEL_TEXTS_PER_THEME = 3000
# Short exact repeats ("thank you", "agree") are ordinary replies, not an organised campaign.
CAMPAIGN_MIN_WORDS = 6
# A campaign is coordinated: most of its copies arrive within this window. The same question asked
# again and again over days is a frequent question instead (one saved reply answers it).
BURST = timedelta(hours=24)
CAMPAIGN, QUESTION = "campaign", "question"
# Questions asking the same thing in other words: average cosine distance within a group at most this
# (MiniLM; chosen on tests/analysis/questions.py, where 0.30 splits paraphrases and 0.40 joins "renew a
# trade licence" with "renew a driving licence"). Short questions count ("trade licence renewal?").
QUESTION_DISTANCE = 0.35
QUESTION_MIN_WORDS = 2
QUESTION_SAMPLE = 4000
QUESTION_RE = re.compile(
    r"\?|^(?:who|what|when|where|why|how|which|is|are|can|could|will|would|do|does|did|should|may)\b", re.IGNORECASE
)

Progress = Callable[[str, float], None]
Redactor = Callable[[str], str]


@dataclass(frozen=True)
class AnalysisOptions:
    campaign_min_size: int = 10
    near_threshold: float = 0.7
    sample_size: int = 20_000
    min_theme_size: int | None = None  # None: 0.5 % of distinct messages, at least 3
    max_themes: int = 30


@dataclass
class Theme:
    id: int
    label: str
    keywords: list[str]
    size: int
    raw_size: int
    sentiment: dict[str, float]
    quotes: list[str]
    centroid: np.ndarray | None = None
    floor: float = 0.0

    def to_json(self) -> dict[str, Any]:
        summary = ThemeSummary(
            id=self.id,
            label=self.label,
            keywords=self.keywords,
            size=self.size,
            raw_size=self.raw_size,
            sentiment=self.sentiment,
            quotes=self.quotes,
            example=self.example,
        )
        return summary.model_dump(mode="json")

    @property
    def example(self) -> str | None:
        """The theme's most representative message (its first quote, the closest to its centre)."""
        return self.quotes[0] if self.quotes else None


class CampaignFacts(Protocol):
    """What a campaign shows, whether just found (``Campaign``) or stored (``AnalysisCampaign``)."""

    @property
    def size(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def first_seen(self) -> datetime | None: ...
    @property
    def last_seen(self) -> datetime | None: ...
    @property
    def channels(self) -> list[str]: ...
    @property
    def accounts(self) -> list[str]: ...
    @property
    def kind(self) -> str: ...


def campaign_json(number: int, campaign: CampaignFacts) -> dict[str, Any]:
    repeated = RepeatedText(
        id=number,
        kind=campaign.kind,
        size=campaign.size,
        text=campaign.text,
        first_seen=campaign.first_seen,
        last_seen=campaign.last_seen,
        channels=campaign.channels,
        accounts=campaign.accounts,
    )
    return repeated.model_dump(mode="json")


@dataclass
class Campaign:
    id: int
    size: int
    text: str
    first_seen: datetime | None
    last_seen: datetime | None
    channels: list[str]
    accounts: list[str]
    members: np.ndarray = field(repr=False)
    kind: str = CAMPAIGN

    def to_json(self) -> dict[str, Any]:
        return campaign_json(self.id, self)


@dataclass
class AnalysisResult:
    ids: list[str]
    themes: list[Theme]
    campaigns: list[Campaign]
    theme_of_row: np.ndarray
    sentiment_of_row: list[str]
    group_of_row: np.ndarray
    campaign_of_row: np.ndarray
    language_of_row: list[str]
    embedder: str
    model: str
    seconds: float
    unique: int
    embedded: int  # distinct texts the model embedded itself; the others have stand-in vectors
    embedder_state: bytes = field(repr=False)
    quotes_redacted: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "themes": [theme.to_json() for theme in self.themes],
            "campaigns": [c.to_json() for c in self.campaigns if c.kind == CAMPAIGN],
            "questions": [c.to_json() for c in self.campaigns if c.kind == QUESTION],
            "assignments": {
                message_id: int(theme) for message_id, theme in zip(self.ids, self.theme_of_row, strict=True)
            },
            "run": {
                "embedder": self.embedder,
                "model": self.model,
                "seconds": round(self.seconds, 3),
                "messages": len(self.ids),
                "unique": self.unique,
                "embedded": self.embedded,
                "sentiment": sentiment.METHOD,
            },
        }


def guidelines_redactor() -> Redactor | None:
    """The guidelines domain's personal-data redaction, or None while it is not installed."""
    try:
        from civicloop.guidelines.service import redact
    except ImportError:
        return None
    fn: Redactor = redact
    return fn


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _sentiment_mix(labels_: Sequence[str]) -> dict[str, float]:
    total = max(1, len(labels_))
    return {name: round(sum(1 for x in labels_ if x == name) / total, 3) for name in sentiment.LABELS}


def _quotes(
    members: np.ndarray,
    similarity: np.ndarray,
    embedded: np.ndarray,
    originals: Sequence[str],
    normalized: Sequence[str],
    redact: Redactor | None,
) -> list[str]:
    """Up to five distinct messages closest to the theme's centre, readable length first.

    Texts the model embedded itself come before those with stand-in vectors, whose similarity to
    the centre reads higher than it is (a regression's answers lean towards the average).
    ``normalized`` holds each of ``originals`` normalized; a text's words are read once, when first needed.
    """
    if redact is None:
        return []
    # lexsort's last key is the first: embedded rows, then the most similar.
    ranked = members[np.lexsort((-similarity[members], ~embedded[members]))]
    picked: list[str] = []
    chosen_words: list[set[str]] = []
    words_of: dict[int, set[str]] = {}
    # Prefer readable lengths and texts that do not mostly repeat a quote already chosen (a template
    # with another place name says nothing new); relax both when the theme has nothing else.
    for readable_only, overlap in ((True, QUOTE_OVERLAP), (False, QUOTE_OVERLAP), (False, 1.0)):
        for group in ranked:
            text = originals[group]
            if readable_only and not 20 <= len(text) <= QUOTE_CHARS:
                continue
            if group not in words_of:
                words_of[group] = set(tokens(normalized[group]))
            words = words_of[group]
            if not words or any(len(words & w) / len(words | w) >= overlap for w in chosen_words):
                continue
            chosen_words.append(words)
            picked.append(_clip(redact(text)))
            if len(picked) == QUOTES:
                return picked
    return picked


def _burst(times: list[datetime]) -> bool:
    """Whether most of ``times`` fall within one ``BURST`` window."""
    times = sorted(times)
    busiest, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] > BURST:
            start += 1
        busiest = max(busiest, end - start + 1)
    return busiest * 2 > len(times)


def _kind(text: str, times: list[datetime], variants: int) -> str | None:
    """``campaign``, ``question`` (a frequent question) or None (a repeated message, no more).

    A campaign is coordinated: its copies come in a burst (most within ``BURST``), or they are one
    template with names swapped (several variants of a long text). Citizens who each need the same
    answer ask whenever they need it: a question repeated over days is a frequent question, even in
    the same words. Without times, every repeated statement counts as a campaign, as before.
    """
    question = bool(QUESTION_RE.search(text.strip()))
    if not times:
        return QUESTION if question else CAMPAIGN
    if _burst(times) or (variants > 1 and not question):
        return CAMPAIGN
    return QUESTION if question else None


def _members(group_of_row: np.ndarray, groups: Sequence[int]) -> list[np.ndarray]:
    """The rows of each of ``groups`` (duplicate group numbers)."""
    if not len(groups):
        return []
    order = np.argsort(group_of_row, kind="stable")
    bounds = np.searchsorted(group_of_row[order], [(g, g + 1) for g in groups])
    return [order[start:end] for start, end in bounds]


def _question_groups(vectors: np.ndarray, seed: int) -> np.ndarray:
    """A label per question (row of ``vectors``): questions asking the same thing share one.

    Average-linkage clustering on cosine distance, cut at ``QUESTION_DISTANCE``: a question joins a
    group when it is on average that close to all the group's questions, so a chain of small steps
    ("renew a trade licence" → "renew a licence" → "renew a driving licence") joins nothing. Beyond
    ``QUESTION_SAMPLE`` questions, a seeded sample is clustered and the others join the nearest
    group's centre when they are as close to it, else stand alone.
    """
    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(n, size=min(n, QUESTION_SAMPLE), replace=False))
    # Cosine distances of unit rows; a row of zeros (a text with no known word) is at distance 1 from all.
    unit = vectors[picked].astype(np.float64)
    unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    distance = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    found = np.asarray(fcluster(tree, QUESTION_DISTANCE, criterion="distance"), dtype=np.int64) - 1
    labels = np.full(n, -1, dtype=np.int64)
    labels[picked] = found
    rest = np.flatnonzero(labels < 0)
    if len(rest):
        centres = np.vstack([vectors[picked][found == g].mean(axis=0) for g in range(found.max() + 1)])
        centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
        sims = vectors[rest] @ centres.T
        best = sims.argmax(axis=1)
        close = sims[np.arange(len(rest)), best] >= 1 - QUESTION_DISTANCE
        labels[rest] = np.where(close, best, found.max() + 1 + np.arange(len(rest)))
    return labels


def _campaigns(
    dup: Duplicates,
    vectors: np.ndarray,
    normalized: Sequence[str],
    texts: Sequence[str],
    created: Sequence[datetime | None] | None,
    channels: Sequence[str | None] | None,
    accounts: Sequence[str | None] | None,
    min_size: int,
    redact: Redactor | None,
    seed: int,
    embed: Callable[[list[str]], np.ndarray],
) -> tuple[list[Campaign], np.ndarray]:
    """Campaigns (near-identical texts, coordinated) and frequent questions (the same question in
    citizens' own words), each at least ``min_size`` messages."""
    group_of_row, sizes, reps = dup.group, dup.sizes, dup.representatives

    def times_of(members: np.ndarray) -> list[datetime]:
        return [t for i in members if (t := created[i]) is not None] if created else []

    found: list[tuple[str, np.ndarray, int]] = []  # kind, rows, the row whose wording is shown
    in_campaign = np.zeros(len(reps), dtype=bool)
    big = [int(g) for g in np.flatnonzero(sizes >= min_size) if len(tokens(normalized[reps[g]])) >= CAMPAIGN_MIN_WORDS]
    for group, members in zip(big, _members(group_of_row, big), strict=True):
        text = texts[reps[group]]
        kind = _kind(text, times_of(members), len({normalized[i] for i in members}))
        if kind == CAMPAIGN:
            found.append((CAMPAIGN, members, int(reps[group])))
            in_campaign[group] = True
    # Repeated questions by meaning: every distinct wording of a question outside a campaign, grouped
    # with those that ask the same thing in other words; a group asked at least min_size times is
    # frequent. Wordings, not near-duplicate groups, are the units: "What documents do I need for a
    # passport?" is a near-duplicate of "… for a building permit?" by its word pairs, not by its meaning.
    rows_of: dict[str, list[int]] = {}
    for row, text in enumerate(normalized):
        asked = not in_campaign[group_of_row[row]] and QUESTION_RE.search(text.strip())
        if asked and len(tokens(text)) >= QUESTION_MIN_WORDS:
            rows_of.setdefault(text, []).append(row)
    if rows_of:
        wordings = list(rows_of)
        rep_text = {normalized[r]: g for g, r in enumerate(reps.tolist())}
        own = [w for w in wordings if w not in rep_text][:QUESTION_SAMPLE]
        extra = dict(zip(own, embed(own) if own else [], strict=True))
        matrix = np.vstack(
            [extra[w] if w in extra else vectors[rep_text.get(w, group_of_row[rows_of[w][0]])] for w in wordings]
        )
        labels = _question_groups(matrix, seed)
        for label in np.unique(labels):
            chosen = [wordings[i] for i in np.flatnonzero(labels == label)]
            if sum(len(rows_of[w]) for w in chosen) < min_size:
                continue
            members = np.sort(np.concatenate([np.asarray(rows_of[w], dtype=np.int64) for w in chosen]))
            # The wording most people used (the first asked among equals).
            shown = min(chosen, key=lambda w: (-len(rows_of[w]), rows_of[w][0]))
            found.append((QUESTION, members, rows_of[shown][0]))
    found.sort(key=lambda item: (-len(item[1]), item[2]))
    campaign_of_row = np.zeros(len(group_of_row), dtype=np.int64)
    out: list[Campaign] = []
    for number, (kind, members, shown_row) in enumerate(found, start=1):
        times = times_of(members)
        text = texts[shown_row]
        campaign_of_row[members] = number
        out.append(
            Campaign(
                id=number,
                size=len(members),
                text=_clip(redact(text) if redact else text),
                first_seen=min(times) if times else None,
                last_seen=max(times) if times else None,
                channels=sorted({str(channels[i]) for i in members if channels[i]}) if channels else [],
                accounts=sorted({str(accounts[i]) for i in members if accounts[i]}) if accounts else [],
                members=members,
                kind=kind,
            )
        )
    return out, campaign_of_row


def _described(model: str, embedded: int, distinct: int, fallback: bool) -> str:
    """The run's model, saying so when some texts had stand-in vectors or the fast one stood in."""
    notes = [FALLBACK_NOTE] if fallback else []
    if embedded != distinct:
        notes.append(f"{embedded:,} of {distinct:,} distinct texts embedded, the rest by ridge regression from TF-IDF")
    return "; ".join([model, *notes])


def _check(texts: Sequence[str], ids: Sequence[str], **columns: Sequence[Any] | None) -> None:
    if len(texts) != len(ids):
        raise Invalid(f"{len(texts)} texts but {len(ids)} ids")
    if len(set(ids)) != len(ids):
        raise Invalid("message ids must be unique")
    for name, column in columns.items():
        if column is not None and len(column) != len(texts):
            raise Invalid(f"{name} has {len(column)} values for {len(texts)} texts")


def analyse(
    texts: Sequence[str],
    ids: Sequence[str],
    *,
    created: Sequence[datetime | None] | None = None,
    channels: Sequence[str | None] | None = None,
    accounts: Sequence[str | None] | None = None,
    embedder: str | None = None,
    seed: int = 0,
    options: AnalysisOptions | None = None,
    redact: Redactor | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Themes, campaigns and sentiment of ``texts``; every row gets a theme (0 = other).

    Without ``embedder``, the quality one runs when it is installed, else the fast one, and the run's
    model says so.
    """
    started = time.perf_counter()
    options = options or AnalysisOptions()
    _check(texts, ids, created=created, channels=channels, accounts=accounts)
    redact = redact or guidelines_redactor()
    report = progress or (lambda stage, fraction: None)
    fallback = embedder is None and default_embedder() == "fast"
    embedder = embedder or default_embedder()
    model = make_embedder(embedder)
    if not texts:
        return AnalysisResult(
            ids=[],
            themes=[],
            campaigns=[],
            theme_of_row=np.zeros(0, dtype=np.int64),
            sentiment_of_row=[],
            group_of_row=np.zeros(0, dtype=np.int64),
            campaign_of_row=np.zeros(0, dtype=np.int64),
            language_of_row=[],
            embedder=embedder,
            model=_described(model.model, 0, 0, fallback),
            seconds=time.perf_counter() - started,
            unique=0,
            embedded=0,
            embedder_state=b"",
            quotes_redacted=redact is not None,
        )

    report("normalize", 0.0)
    normalized = [normalize(text) for text in texts]
    report("duplicates", 0.0)
    duplicates = find_duplicates(
        normalized, threshold=options.near_threshold, seed=seed, progress=lambda f: report("duplicates", f)
    )
    reps = duplicates.representatives
    rep_texts = [normalized[i] for i in reps]
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(len(reps), size=min(len(reps), options.sample_size), replace=False))

    report("embed", 0.0)
    vectors, embedded = embed_distinct(model, rep_texts, sample, seed=seed, progress=lambda f: report("embed", f))

    report("themes", 0.0)
    min_size = options.min_theme_size or max(3, round(0.005 * len(reps)))
    theme_model = cluster.fit(vectors[sample], seed=seed, min_size=min_size, max_themes=options.max_themes)
    theme_of_group, similarity = cluster.assign(vectors, theme_model)
    theme_of_group = theme_of_group + 1  # OTHER (−1) becomes 0, themes are numbered from 1

    report("sentiment", 0.0)
    group_sentiment = [sentiment.label(sentiment.score(texts[i])) for i in reps]
    report("labels", 0.0)
    theme_ids = list(range(1, theme_model.size + 1))
    groups_of_theme = {t: np.flatnonzero(theme_of_group == t) for t in [*theme_ids, OTHER_ID]}
    label_rng = np.random.default_rng(seed + 2)
    label_texts = []
    for theme_id in [*theme_ids, OTHER_ID]:
        members = groups_of_theme[theme_id]
        if len(members) > LABEL_TEXTS_PER_THEME:
            members = np.sort(label_rng.choice(members, size=LABEL_TEXTS_PER_THEME, replace=False))
        label_texts.append([rep_texts[i] for i in members])
    words = labels.describe(label_texts)

    originals = [texts[i] for i in reps]
    raw_sizes = np.bincount(theme_of_group, weights=duplicates.sizes, minlength=theme_model.size + 1)
    themes = []
    for index, theme_id in enumerate([*theme_ids, OTHER_ID]):
        members = groups_of_theme[theme_id]
        if theme_id == OTHER_ID and not len(members):
            continue
        themes.append(
            Theme(
                id=theme_id,
                label=words[index].label if theme_id != OTHER_ID else OTHER_LABEL,
                keywords=words[index].keywords,
                size=len(members),
                raw_size=int(raw_sizes[theme_id]),
                sentiment=_sentiment_mix([group_sentiment[i] for i in members]),
                quotes=_quotes(members, similarity, embedded, originals, rep_texts, redact),
                centroid=theme_model.centroids[theme_id - 1] if theme_id != OTHER_ID else None,
                floor=float(theme_model.floors[theme_id - 1]) if theme_id != OTHER_ID else 0.0,
            )
        )
    campaigns, campaign_of_row = _campaigns(
        duplicates,
        vectors,
        normalized,
        texts,
        created,
        channels,
        accounts,
        options.campaign_min_size,
        redact,
        seed,
        model.transform,
    )
    languages = [detect_language(text) for text in originals]
    themes.sort(key=lambda theme: (theme.id == OTHER_ID, -theme.size, theme.id))
    report("done", 1.0)
    return AnalysisResult(
        ids=[str(i) for i in ids],
        themes=themes,
        campaigns=campaigns,
        theme_of_row=theme_of_group[duplicates.group],
        sentiment_of_row=[group_sentiment[g] for g in duplicates.group],
        group_of_row=duplicates.group,
        campaign_of_row=campaign_of_row,
        language_of_row=[languages[g] for g in duplicates.group],
        embedder=embedder,
        model=_described(model.model, int(embedded.sum()), duplicates.unique, fallback),
        seconds=time.perf_counter() - started,
        unique=duplicates.unique,
        embedded=int(embedded.sum()),
        embedder_state=model.state(),
        quotes_redacted=redact is not None,
    )
