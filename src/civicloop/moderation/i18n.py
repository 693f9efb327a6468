"""Labels of the public moderation pages (the policy, the log, the appeal form) in English and Dzongkha.

A label without a Dzongkha entry falls back to English. The Dzongkha wording is a first draft to be
reviewed before a national launch (docs/moderation.md).
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "policy": {"en": "How comments are moderated", "dz": "བསམ་འཆར་ཚུ་ བལྟ་རྟོག་འབད་ཐངས།"},
    "policy_intro": {
        "en": "Government agencies' official pages are public forums. A citizen's comment may be hidden only "
        "on one of these grounds, set nationally; an agency may use fewer of them, never more.",
        "dz": "གཞུང་གི་ལས་སྡེའི་ཤོག་ལེབ་ཚུ་ མི་མང་གི་གྲོས་ཚོགས་ཨིན། མི་སེར་གྱི་བསམ་འཆར་ རྒྱལ་ཡོངས་ཀྱི་ རྒྱུ་མཚན་འདི་ཚུ་ནང་ལས་ "
        "གཅིག་གི་དོན་ལུ་རྐྱངམ་ཅིག་ སྦ་བཏུབ།",
    },
    "grounds": {"en": "Grounds for hiding a comment", "dz": "བསམ་འཆར་སྦ་ནིའི་རྒྱུ་མཚན།"},
    "never": {"en": "Never a ground", "dz": "ནམ་ཡང་ རྒྱུ་མཚན་མེན།"},
    "appeals": {"en": "Appeals", "dz": "ཞུ་བ།"},
    "deleting": {
        "en": "Hiding is done by the agency's communications officers and can be undone. Deleting a comment is a "
        "separate step that only the agency head may take. Every hide and deletion is recorded with who did it, "
        "when, why and what the platform answered.",
        "dz": "བསམ་འཆར་བཏོན་གཏང་ནི་འདི་ ལས་སྡེའི་འགོ་དཔོན་རྐྱངམ་གྱིས་འབད་བཏུབ།",
    },
    "log": {"en": "Moderation log", "dz": "བལྟ་རྟོག་ཐོ་བཀོད།"},
    "log_intro": {
        "en": "How many comments each agency hid or deleted each month, on which grounds, and how many appeals it "
        "received and reversed. Counts only: no comment and no name appears here.",
        "dz": "ལས་སྡེ་རེ་རེའི་ ཟླ་རིམ་བཞིན་ སྦ་ཡོད་པའི་བསམ་འཆར་གྱི་གྱངས་ཁ། མིང་དང་ཚིག་ག་ནི་ཡང་མེད།",
    },
    "agency": {"en": "Agency", "dz": "ལས་སྡེ།"},
    "month": {"en": "Month", "dz": "ཟླ་ཝ།"},
    "hidden": {"en": "Hidden", "dz": "སྦ་ཡོདཔ།"},
    "deleted": {"en": "Deleted", "dz": "བཏོན་ཡོདཔ།"},
    "on_grounds": {"en": "On the grounds", "dz": "རྒྱུ་མཚན།"},
    "appeals_received": {"en": "Appeals", "dz": "ཞུ་བ།"},
    "reversals": {"en": "Reversed on appeal", "dz": "ཞུ་བ་ལས་ ཕྱིར་བཅོས།"},
    "no_log": {"en": "No comment was hidden or deleted in this period.", "dz": "དུས་ཡུན་འདི་ནང་ བསམ་འཆར་སྦ་མ་ཡོད།"},
    "language": {"en": "Language", "dz": "སྐད་ཡིག"},
    "appeal_title": {"en": "Appeal a moderation decision", "dz": "བལྟ་རྟོག་གྲོས་ཐག་ལུ་ ཞུ་བ།"},
    "appeal_what": {"en": "Your comment was", "dz": "ཁྱོད་ཀྱི་བསམ་འཆར།"},
    "hide": {"en": "hidden", "dz": "སྦ་ཡོདཔ།"},
    "delete": {"en": "deleted", "dz": "བཏོན་ཡོདཔ།"},
    "by_agency": {"en": "by", "dz": "ལས་སྡེ།"},
    "on": {"en": "on", "dz": "ཚེས་གྲངས།"},
    "ground": {"en": "Ground", "dz": "རྒྱུ་མཚན།"},
    "reason": {"en": "Why should it not have been?", "dz": "ག་ཅི་སྦེ་ སྦ་ནི་མི་འོང་ག?"},
    "reason_hint": {
        "en": "The agency head reads your appeal and decides. If the decision is reversed, your comment is "
        "shown again.",
        "dz": "ལས་སྡེའི་འགོ་དཔོན་གྱིས་ ཁྱོད་ཀྱི་ཞུ་བ་ལྷག་སྟེ་ གྲོས་ཐག་གཅོདཔ་ཨིན།",
    },
    "send": {"en": "Send my appeal", "dz": "ཞུ་བ་ཕུལ།"},
    "thanks": {
        "en": "Thank you. Your appeal is with the agency head, who will decide it.",
        "dz": "བཀའ་དྲིན་ཆེ། ཁྱོད་ཀྱི་ཞུ་བ་ ལས་སྡེའི་འགོ་དཔོན་ལུ་ལྷོད་ཡོད།",
    },
    "status_open": {"en": "Your appeal is with the agency head.", "dz": "ཞུ་བ་ འགོ་དཔོན་ལུ་ཡོད།"},
    "status_upheld": {"en": "The agency head upheld the decision.", "dz": "འགོ་དཔོན་གྱིས་ གྲོས་ཐག་བརྟན་བཞག་ཡོད།"},
    "status_reversed": {
        "en": "The agency head reversed the decision; the comment is shown again.",
        "dz": "འགོ་དཔོན་གྱིས་ གྲོས་ཐག་ཕྱིར་བཅོས་ཡོད།",
    },
    "full_policy": {"en": "The moderation policy and log", "dz": "བལྟ་རྟོག་སྲིད་བྱུས་དང་ཐོ་བཀོད།"},
}
