"""Labels of the public commitments tracker in English and Dzongkha (same mechanism and fallback as the
consultation pages: ``consultations.i18n``). The Dzongkha wording is a first draft for review."""

from __future__ import annotations

from collections.abc import Callable

from civicloop.consultations import i18n as consultation_i18n

LANGUAGES = consultation_i18n.LANGUAGES
language_of = consultation_i18n.language_of

LABELS: dict[str, dict[str, str]] = {
    "tracker": {"en": "What we committed to, and whether we did it", "dz": "ངེད་ཀྱི་ཁས་ལེན་དང་ལག་ལེན།"},
    "intro": {
        "en": "After each consultation the agency says what it will do. Each commitment is followed here "
        "until it is done, with dated updates. Overdue ones are marked.",
    },
    "national": {"en": "All agencies", "dz": "ལས་སྡེ་ཆ་མཉམ།"},
    "agency": {"en": "Agency", "dz": "ལས་སྡེ།"},
    "commitment": {"en": "Commitment", "dz": "ཁས་ལེན།"},
    "division": {"en": "Responsible", "dz": "འགན་འཁུར།"},
    "due": {"en": "Due by", "dz": "དུས་ཚོད།"},
    "status": {"en": "Status", "dz": "གནས་སྟངས།"},
    "progress": {"en": "Progress", "dz": "ཡར་འཕེལ།"},
    "overdue": {"en": "Overdue", "dz": "དུས་ཚོད་ཡོལ་ཡོདཔ།"},
    "overdue_count": {"en": "overdue"},
    "timeline": {"en": "Timeline", "dz": "དུས་རིམ།"},
    "consultation": {"en": "From the consultation", "dz": "གྲོས་བསྡུར།"},
    "themes": {"en": "What citizens raised", "dz": "མི་སེར་གྱི་བསམ་འཆར།"},
    "linked_comments": {"en": "Citizen comments that led to it", "dz": "མི་སེར་གྱི་བསམ་འཆར་གྲངས།"},
    "dropped_reason": {"en": "Why it was dropped"},
    "none": {"en": "No commitments yet.", "dz": "ཁས་ལེན་མིན་འདུག"},
    "open_data": {"en": "Open data", "dz": "གསལ་ཁྲམ།"},
    "status_planned": {"en": "Planned", "dz": "འཆར་གཞི།"},
    "status_in_progress": {"en": "In progress", "dz": "ལཱ་འབད་དོ།"},
    "status_done": {"en": "Done", "dz": "ལཱ་གྲུབ་ཡོདཔ།"},
    "status_dropped": {"en": "Dropped", "dz": "བཤོལ་ཡོདཔ།"},
    "language": {"en": "Language", "dz": "སྐད་ཡིག"},
    "photo": {"en": "Photo"},
}


def translator(lang: str) -> Callable[[str], str]:
    return consultation_i18n.translator(lang, LABELS)
