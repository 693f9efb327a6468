"""Counted nouns in English: "1 answer", "2 answers", never "1 answers"."""

from __future__ import annotations

# Nouns whose plural is not the singular plus "s".
IRREGULAR = {"person": "people", "reply": "replies", "day": "days", "category": "categories", "agency": "agencies"}


def plural(count: int | float, singular: str, many: str | None = None) -> str:
    """``count`` followed by the noun, singular for exactly one (``many`` overrides the plural form)."""
    shown = f"{count:g}" if isinstance(count, float) else str(count)
    if count == 1:
        return f"{shown} {singular}"
    return f"{shown} {many or IRREGULAR.get(singular) or singular + 's'}"
