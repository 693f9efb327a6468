"""Labels of the web-form citizen's pages (thank-you and status) in English and Dzongkha.

Same shape and fallback as the other public pages (``consultations.i18n``, which sits in a higher layer
and so cannot be imported here): ``?lang=dz`` wins, then the browser's preference, then English; a label
without Dzongkha falls back to English. The Dzongkha wording is a first draft for review.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = {"en": "English", "dz": "རྫོང་ཁ"}

LABELS: dict[str, dict[str, str]] = {
    "language": {"en": "Language", "dz": "སྐད་ཡིག"},
    "thanks": {"en": "Thank you", "dz": "བཀའ་དྲིན་ཆེ།"},
    "received": {"en": "has received your feedback.", "dz": "གིས་ཁྱོད་ཀྱི་བསམ་འཆར་ཐོབ་ཡི།"},
    "your_reference": {"en": "Your reference number is", "dz": "ཁྱོད་ཀྱི་གཞི་བསྟུན་ཨང་"},
    "quote_it": {
        "en": "Please quote it if you contact the agency about this message.",
        "dz": "ལས་སྡེ་ལུ་འབྲེལ་བ་འཐབ་པའི་སྐབས་ གཞི་བསྟུན་ཨང་འདི་སླབ་གནང་།",
    },
    "status_link_intro": {
        "en": "The agency's answer will appear on your private page. Keep this link: anyone who has it can "
        "read the conversation.",
        "dz": "ལས་སྡེའི་ལན་ ཁྱོད་རའི་ཤོག་ལེབ་ནང་ཐོན་འོང་། འབྲེལ་མཐུད་འདི་བདག་འཛིན་འབད།",
    },
    "status_link": {"en": "Your private page for this feedback", "dz": "བསམ་འཆར་འདིའི་ཤོག་ལེབ།"},
    "send_another": {"en": "Send another message", "dz": "འཕྲིན་ཡིག་གཞན་ཅིག་གཏང་།"},
    "status_title": {"en": "Your feedback", "dz": "ཁྱོད་ཀྱི་བསམ་འཆར།"},
    "reference": {"en": "Reference", "dz": "གཞི་བསྟུན་ཨང་།"},
    "topic": {"en": "Topic", "dz": "དོན་ཚན།"},
    "state": {"en": "State", "dz": "གནས་སྟངས།"},
    "state_open": {"en": "Waiting for the agency's answer", "dz": "ལས་སྡེའི་ལན་ལུ་བསྒུག་དོ།"},
    "state_answered": {"en": "Answered", "dz": "ལན་ཐོབ་ཡི།"},
    "state_closed": {"en": "Closed by the agency", "dz": "ལས་སྡེ་གིས་མཇུག་བསྡུ་ཡི།"},
    "conversation": {"en": "Conversation", "dz": "གཏམ་གྲོས།"},
    "you_wrote": {"en": "You wrote", "dz": "ཁྱོད་ཀྱིས་བྲིས་མི།"},
    "agency_answered": {"en": "answered", "dz": "གིས་ལན་བྲིས་མི།"},
    "no_answer_yet": {
        "en": "No answer yet. The agency's staff read every message; come back to this page later.",
        "dz": "ད་ལྟོ་ལན་མིན་འདུག ཤུལ་ལས་ཤོག་ལེབ་འདི་ལུ་ལོག་བལྟ།",
    },
    "reply": {"en": "Answer the agency", "dz": "ལས་སྡེ་ལུ་ལན་གཏང་།"},
    "your_message": {"en": "Your message", "dz": "ཁྱོད་ཀྱི་འཕྲིན་ཡིག"},
    "message_help": {
        "en": "Up to 5,000 characters. Please do not include passwords or your CID number.",
        "dz": "ཡིག་འབྲུ་ ༥༠༠༠ ཚུན། གསང་ཚིག་དང་ ངོ་སྤྲོད་ལག་ཁྱེར་ཨང་མ་བྲིས།",
    },
    "send": {"en": "Send", "dz": "གཏང་།"},
    "sent": {"en": "Your message was sent to the agency.", "dz": "ཁྱོད་ཀྱི་འཕྲིན་ཡིག་ལས་སྡེ་ལུ་བཏང་ཡི།"},
}


def language_of(requested: str | None, accept_language: str = "") -> str:
    if requested in LANGUAGES:
        return requested
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def translator(lang: str) -> Callable[[str], str]:
    def label(key: str) -> str:
        entry = LABELS[key]
        return entry.get(lang) or entry["en"]

    return label
