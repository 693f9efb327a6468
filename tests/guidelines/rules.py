"""The rules' own taking-sides findings, the learned model left out: what the round tests of the
sides check assert on."""

from __future__ import annotations

from civicloop.guidelines import CheckContext
from civicloop.guidelines.checker import rulebook

# Findings that only say a party or candidate is named, no side taken.
MENTIONS = ("political.party", "political.candidate")


def side_rules(text: str, context: CheckContext) -> list[str]:
    """The rules' taking-sides findings (the learned model left out), by rule id."""
    found = rulebook(context.extra_terms, context.removed_terms, context.parties).check(text, context, learned=False)
    return [f.rule_id for f in found if f.rule_id.startswith("political.") and f.rule_id not in MENTIONS]
