"""Guidelines: every outgoing post and reply checked before it leaves.

Owns: the pure checker (confidential markings and references, personal data, political neutrality,
civility; data files in ``data/``), national and agency policy (which category blocks, holds or
warns), election periods, lexicon overrides, reviews with their findings, the approval queue of
held items, and redaction of citizens' personal data for public display.
Must not: send anything itself (approval hands the item back to channels) or store citizen text
beyond the held item it reviews.
"""

from civicloop.guidelines.checker import check, explain
from civicloop.guidelines.findings import Category, CheckContext, ElectionPhase, Finding, Party, Severity

__all__ = ["Category", "CheckContext", "ElectionPhase", "Finding", "Party", "Severity", "check", "explain"]
