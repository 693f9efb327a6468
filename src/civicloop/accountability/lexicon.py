"""Promises with a time in a reply, and their due moment on the office calendar. Pure: no database.

A small explicit lexicon (docs/accountability.md lists it), not a language model: an English phrase
counts only in a sentence that commits to something ("will", "we'll", "shall", "going to",
"promise"), so "the office was closed on Friday" proposes nothing. Dzongkha phrases count alone.

Due dates follow the office calendar: a named day ("by Friday", "tomorrow") ends when the office
closes that day, or, if it is closed all day (a weekend, a public holiday), at the close of the next
working day; a period ("next week", "next month") ends at the close of its last working day;
"within N working days" counts office days; "within N days/weeks" counts calendar days, then moves
to a working day as a named day does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from civicloop.sla.calendar import MAX_CLOSED_DAYS, OfficeCalendar

WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Dzongkha weekday names (gza' + planet) in Unicode and in Wylie transliteration.
WEEKDAYS_DZ = (
    ("གཟའ་ཟླ་བ", "gza zla ba"),
    ("གཟའ་མིག་དམར", "gza mig dmar"),
    ("གཟའ་ལྷག་པ", "gza lhag pa"),
    ("གཟའ་ཕུར་བུ", "gza phur bu"),
    ("གཟའ་པ་སངས", "gza pa sangs"),
    ("གཟའ་སྤེན་པ", "gza spen pa"),
    ("གཟའ་ཉི་མ", "gza nyi ma"),
)
NUMBERS = {"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}
COMMITS = re.compile(r"\b(will|we'll|we’ll|i'll|i’ll|shall|going to|promise)\b", re.IGNORECASE)
_N = r"(\d{1,2}|one|a|two|three|four|five|six|seven|ten)"

# (pattern, kind); the first match in this order wins. Kinds: day+N, weekday:N, office_days, days, weeks,
# week_end+N, month_end+N.
ENGLISH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\bwithin {_N} (?:working|office|business) days?\b", re.I), "office_days"),
    (re.compile(rf"\b(?:within|in) {_N} days?\b", re.I), "days"),
    (re.compile(rf"\b(?:within|in) {_N} weeks?\b", re.I), "weeks"),
    (re.compile(r"\b(?:by|before|on|this) (" + "|".join(WEEKDAYS_EN) + r")\b", re.I), "weekday"),
    (re.compile(r"\btomorrow\b", re.I), "day+1"),
    (re.compile(r"\b(?:today|by the end of the day|by end of day)\b", re.I), "day+0"),
    (re.compile(r"\b(?:this week|by the end of the week)\b", re.I), "week_end+0"),
    (re.compile(r"\bnext week\b", re.I), "week_end+1"),
    (re.compile(r"\b(?:this month|by the end of the month)\b", re.I), "month_end+0"),
    (re.compile(r"\bnext month\b", re.I), "month_end+1"),
)
DZONGKHA: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"བདུན་ཕྲག་གཉིས|bdun phrag gnyis", re.I), "weeks:2"),
    (re.compile(r"ཟླ་བ་ཤུལ་མ|zla ba shul ma", re.I), "month_end+1"),
    (re.compile(r"བདུན་ཕྲག་ཤུལ་མ|bdun phrag shul ma", re.I), "week_end+1"),
    *((re.compile(f"{uni}|{wylie}", re.I), f"weekday:{n}") for n, (uni, wylie) in enumerate(WEEKDAYS_DZ)),
    (re.compile(r"ནངས་པ|nangs pa", re.I), "day+1"),
    (re.compile(r"ད་རིས|da ris", re.I), "day+0"),
)


@dataclass(frozen=True)
class Found:
    phrase: str
    kind: str
    amount: int
    excerpt: str


def _amount(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(mark, 0, start) for mark in ".!?\n།")
    rights = [i for i in (text.find(mark, end) for mark in ".!?\n།") if i != -1]
    return text[left + 1 : min(rights) + 1 if rights else len(text)].strip()


def find(text: str) -> Found | None:
    """The first promise with a time in ``text``, or None."""
    for pattern, kind in DZONGKHA:
        match = pattern.search(text)
        if match:
            name, _, value = kind.partition(":")
            return Found(match.group(0), name, int(value) if value else 0, _sentence(text, *match.span())[:400])
    for pattern, kind in ENGLISH:
        for match in pattern.finditer(text):
            sentence = _sentence(text, *match.span())
            if not COMMITS.search(sentence):
                continue
            amount = 0
            if kind == "weekday":
                amount = WEEKDAYS_EN.index(match.group(1).lower())
            elif match.groups():
                amount = _amount(match.group(1))
            return Found(match.group(0), kind, amount, sentence[:400])
    return None


def _close_of(calendar: OfficeCalendar, day: date) -> datetime | None:
    spans = calendar.open_spans(day)
    if not spans:
        return None
    local = datetime.combine(day, time.min, tzinfo=calendar.zone) + timedelta(minutes=spans[-1][1])
    return local.astimezone(UTC)


def _on_or_after(calendar: OfficeCalendar, day: date) -> datetime:
    for n in range(MAX_CLOSED_DAYS):
        close = _close_of(calendar, day + timedelta(days=n))
        if close is not None:
            return close
    raise ValueError("the office calendar has no working day ahead")


def _last_open(calendar: OfficeCalendar, first: date, last: date) -> datetime:
    """The close of the last working day in [first, last]; past it if the whole period is closed."""
    day = last
    while day >= first:
        close = _close_of(calendar, day)
        if close is not None:
            return close
        day -= timedelta(days=1)
    return _on_or_after(calendar, last)


def _month_after(day: date, months: int) -> tuple[date, date]:
    first = day.replace(day=1)
    for _ in range(months):
        first = (first + timedelta(days=32)).replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def due_at(calendar: OfficeCalendar, sent_at: datetime, found: Found) -> datetime:
    """When the promise falls due, in UTC, counted from the local day the reply was sent."""
    today = sent_at.astimezone(calendar.zone).date()
    kind, _, offset = found.kind.partition("+")
    if kind == "day":
        return _on_or_after(calendar, today + timedelta(days=int(offset)))
    if kind == "weekday":
        return _on_or_after(calendar, today + timedelta(days=(found.amount - today.weekday()) % 7))
    if kind == "days":
        return _on_or_after(calendar, today + timedelta(days=found.amount))
    if kind == "weeks":
        return _on_or_after(calendar, today + timedelta(weeks=found.amount))
    if kind == "office_days":
        day, counted = today, 0
        while counted < found.amount:
            day += timedelta(days=1)
            counted += bool(calendar.open_spans(day))
            if (day - today).days > MAX_CLOSED_DAYS:
                raise ValueError("the office calendar has no working day ahead")
        return _on_or_after(calendar, day)
    if kind == "week_end":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=int(offset))
        return _last_open(calendar, max(monday, today), monday + timedelta(days=6))
    first, last = _month_after(today, int(offset))
    return _last_open(calendar, max(first, today), last)
