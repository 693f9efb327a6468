"""How use of a category is counted: requests grouped into sessions, measured in minutes.

One rule serves the proxy helper (daily allowances), the log import and the reports:

* every request at instant ``t`` stands for one minute of use, ``[t, t + 1 min)``;
* requests by one person to one category less than ``SESSION_GAP`` (5 minutes) apart belong to
  one session, and the time between them counts as use;
* a person's use on a day is the total length of their sessions; for an allowance only the part
  inside the agency's office hours counts.

Sessions are unions of intervals closed under "bridge gaps shorter than the session gap", so
merging sessions from two sources (the imported access log and what the helper itself allowed)
gives the same result as grouping all their requests at once, and a request seen by both is
counted once. Instants are float seconds since the epoch (UTC).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

REQUEST_SECONDS = 60.0
SESSION_GAP_SECONDS = 300.0
# Two sessions join when the next request comes less than SESSION_GAP after the previous one,
# i.e. when the gap between the end of one (its last request + 1 min) and the next start is shorter.
_BRIDGE = SESSION_GAP_SECONDS - REQUEST_SECONDS

Interval = tuple[float, float]
Session = tuple[float, float, int]
"""``(start, end, requests)``."""


def merge_sessions(sessions: Iterable[Session]) -> list[Session]:
    """Join overlapping sessions and those closer than the session gap; sorted by start."""
    ordered = sorted(sessions)
    out: list[Session] = []
    for start, end, requests in ordered:
        if out and start - out[-1][1] < _BRIDGE:
            last = out[-1]
            out[-1] = (last[0], max(last[1], end), last[2] + requests)
        else:
            out.append((start, end, requests))
    return out


def sessions_from_requests(instants: Iterable[float]) -> list[Session]:
    return merge_sessions((t, t + REQUEST_SECONDS, 1) for t in instants)


def add_request(intervals: list[Interval], instant: float) -> list[Interval]:
    """``intervals`` (merged, sorted) with one more request; the common case appends or extends."""
    end = instant + REQUEST_SECONDS
    if intervals:
        last_start, last_end = intervals[-1]
        if last_start <= instant and instant - last_end < _BRIDGE:
            intervals[-1] = (last_start, max(last_end, end))
            return intervals
        if instant > last_end:
            intervals.append((instant, end))
            return intervals
    return merge_intervals([*intervals, (instant, end)])


def merge_intervals(*groups: Iterable[Interval]) -> list[Interval]:
    return [(s, e) for s, e, _ in merge_sessions((s, e, 0) for group in groups for s, e in group)]


def overlap_seconds(intervals: Sequence[Interval], windows: Sequence[Interval]) -> float:
    """Total length of ``intervals`` inside ``windows`` (both sorted and disjoint)."""
    total, j = 0.0, 0
    for start, end in intervals:
        while j < len(windows) and windows[j][1] <= start:
            j += 1
        k = j
        while k < len(windows) and windows[k][0] < end:
            total += max(0.0, min(end, windows[k][1]) - max(start, windows[k][0]))
            k += 1
    return total


def total_seconds(intervals: Iterable[Interval]) -> float:
    return sum(end - start for start, end in intervals)
