"""Alert detectors: pure functions over time series, so each rule can be tested with plain lists.

Every detector answers ``None`` (nothing unusual, or not enough history to say) or a ``Detection``
whose ``explanation`` says in plain words what was seen and what is usual for this subject.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from civicloop.kit.words import plural


@dataclass(frozen=True)
class Detection:
    value: float
    baseline: float
    threshold: float
    explanation: str


def bucket_counts(instants: Sequence[datetime], *, end: datetime, width: timedelta, buckets: int) -> list[int]:
    """How many instants fall in each of ``buckets`` windows of ``width`` ending at ``end``, oldest first."""
    counts = [0] * buckets
    start = end - width * buckets
    for instant in instants:
        if start <= instant < end:
            counts[int((instant - start) / width)] += 1
    return counts


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def volume_spike(
    counts: Sequence[int],
    *,
    min_count: int = 10,
    factor: float = 3.0,
    sigmas: float = 4.0,
    min_history: int = 24,
    unit: str = "messages",
    window: str = "hour",
) -> Detection | None:
    """The last bucket against the buckets before it.

    It is a spike when it reaches all of: ``min_count`` (a quiet account getting 3 messages is not news),
    ``factor`` times the usual mean, and ``sigmas`` standard deviations above it (a noisy account
    needs a bigger jump).
    """
    if len(counts) <= min_history:
        return None
    current, history = counts[-1], counts[:-1]
    mean, std = _mean_std(history)
    threshold = max(float(min_count), mean * factor, mean + sigmas * std)
    if current < threshold:
        return None
    return Detection(
        value=float(current),
        baseline=mean,
        threshold=threshold,
        explanation=(
            f"{current} {unit} in the last {window}; usually {mean:.1f} per {window} "
            f"(± {std:.1f}) over the previous {len(history)} {window}s, alert from {threshold:.0f}"
        ),
    )


def share_spike(
    hits: Sequence[int],
    totals: Sequence[int],
    *,
    min_hits: int = 5,
    min_total: int = 10,
    factor: float = 2.0,
    sigmas: float = 3.0,
    min_history_total: int = 30,
    what: str = "negative",
    window: str = "6 hours",
) -> Detection | None:
    """The share of ``hits`` among ``totals`` in the last bucket against the share in the buckets before.

    A spike needs enough messages to mean something (``min_hits`` and ``min_total`` now, and
    ``min_history_total`` to know the usual share), a share ``factor`` times the usual one, and one
    ``sigmas`` standard errors above it for a sample of this size.
    """
    if len(hits) != len(totals) or len(hits) < 2:
        raise ValueError("hits and totals must be series of the same length, at least 2 buckets")
    hit, total = hits[-1], totals[-1]
    past_hits, past_total = sum(hits[:-1]), sum(totals[:-1])
    if past_total < min_history_total or total < min_total or hit < min_hits:
        return None
    usual = past_hits / past_total
    share = hit / total
    standard_error = math.sqrt(max(usual * (1 - usual), 1e-9) / total)
    threshold = min(1.0, max(usual * factor, usual + sigmas * standard_error))
    if share < threshold:
        return None
    return Detection(
        value=share,
        baseline=usual,
        threshold=threshold,
        explanation=(
            f"{hit} of {plural(total, 'message')} ({share:.0%}) were {what} in the last {window}; "
            f"usually {usual:.0%} ({past_hits} of {past_total}) before, alert from {threshold:.0%}"
        ),
    )


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, math.ceil(q * len(ordered)) - 1)
    return ordered[index]


def silence(
    active: Sequence[bool],
    *,
    min_active: int = 12,
    factor: float = 3.0,
    floor_hours: int = 6,
    quantile: float = 0.95,
) -> Detection | None:
    """Hourly activity flags, oldest first, the last one being the hour that ends now.

    The usual longest pause is the ``quantile`` of the runs of quiet hours between active hours (this
    covers nights and weekends for an account that is quiet then). The account has gone silent when
    the current quiet run, which started after the last active hour, is longer than ``factor`` times
    that and at least ``floor_hours``. An account with fewer than ``min_active`` active hours has no
    usual rhythm to compare with.
    """
    positions = [i for i, flag in enumerate(active) if flag]
    if len(positions) < min_active:
        return None
    gaps = [b - a - 1 for a, b in itertools.pairwise(positions)]
    usual = _quantile(gaps, quantile) if gaps else 0.0
    current = len(active) - 1 - positions[-1]
    limit = max(float(floor_hours), usual * factor)
    if current <= limit:
        return None
    return Detection(
        value=float(current),
        baseline=usual,
        threshold=limit,
        explanation=(
            f"no event for {plural(current, 'hour')}; its usual longest pause is {plural(round(usual), 'hour')} "
            f"({quantile:.0%} of pauses over the last {len(active) // 24} days), alert after {limit:.0f}"
        ),
    )


def backlog_breach(
    *, open_count: int, breached: int, min_breached: int = 3, max_share: float = 0.2
) -> Detection | None:
    """Open conversations past their response target: too many, or too large a share of the backlog."""
    if open_count <= 0 or breached < min_breached:
        return None
    share = breached / open_count
    if share < max_share and breached < min_breached * 5:
        return None
    return Detection(
        value=float(breached),
        baseline=float(open_count),
        threshold=float(min_breached),
        explanation=(
            f"{breached} of {open_count} open conversations ({share:.0%}) are past their response target "
            f"(alert from {min_breached} and {max_share:.0%} of the backlog, or {min_breached * 5} in all)"
        ),
    )


def token_expiry(expires_at: datetime | None, *, now: datetime, warn_days: int = 14) -> Detection | None:
    """An access token that has expired or will within ``warn_days``."""
    if expires_at is None:
        return None
    left = expires_at - now
    if left > timedelta(days=warn_days):
        return None
    days = left.total_seconds() / 86400
    text = (
        f"the access token expired {plural(round(-days), 'day')} ago"
        if days < 0
        else f"the access token expires in {plural(round(days), 'day')}"
    )
    return Detection(value=days, baseline=float(warn_days), threshold=float(warn_days), explanation=text)
