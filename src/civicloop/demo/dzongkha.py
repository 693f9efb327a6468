"""The demo's Dzongkha texts: agencies' names, the bus-stop consultation, the saved replies.

Written by the engineers with care as a first draft; not yet reviewed by a native Dzongkha speaker (docs/languages.md
says so and how to review). Placeholders in saved replies ({citizen_name}…) stay as they are.
"""

from __future__ import annotations

AGENCY_NAMES = {
    "DOIM": "བརྡ་དོན་དང་བརྒྱུད་ལམ་ལས་ཁུངས།",
    "MOIT": "གཞི་རྟེན་མཐུན་རྐྱེན་དང་སྐྱེལ་འདྲེན་ལྷན་ཁག",
    "THROMDE": "ཐིམ་ཕུ་ཁྲོམ་སྡེ།",
    "PUNAKHA": "སྤུ་ན་ཁ་རྫོང་ཁག་བདག་སྐྱོང་།",
}

BUS_STOP = {
    "contact_name": "སངས་རྒྱས་མཚོ་མོ་ ཁྲོམ་གྱི་འཆར་གཞི་སྡེ་ཚན།",
    "title": "ནོར་འཛིན་ལམ་གུ་ དཔེ་ཚད་བཱས་བསྒུག་ས་: མ་བརྩིགས་པའི་ཧེ་མ་ ངེད་ལུ་སླབ།",
    "summary": (
        "ཐིམ་ཕུ་ཁྲོམ་སྡེ་གིས་ ནོར་འཛིན་ལམ་གུ་ དཔེ་ཚད་བཱས་བསྒུག་ས་གསརཔ་ཅིག་བརྩིགས་ཏེ་ དེ་གི་བཟོ་བཀོད་འདི་ ཁྲོམ་ཆ་ཚང་ནང་ལག་ལེན་འཐབ་ནི་ཨིན། "
        "འདི་ནང་ བཟོ་བཀོད་གསུམ་ཡོད། ཁྱོད་ལུ་ག་འདི་ལེགས་ཤོམ་ཨིན་ན་དང་ བཱས་བསྒུག་ས་ཅིག་ལུ་ ག་ཅི་དགོཔ་ཨིན་ན་ ངེད་ལུ་སླབ།"
    ),
    "body_markdown": (
        "## བཱས་བསྒུག་ས་གསརཔ་ག་ཅི་སྦེ་དགོཔ་ཨིན་ན\n"
        "ཆུ་ཚོད་འཁོར་ལོ་གི་དྲུང་ལུ་ཡོད་པའི་བསྒུག་ས་འདི་ལུ་ ཉིན་བསྟར་ བགྲོད་པ་པ་ ༢,༠༠༠ ལས་ལྷག་སྟེ་ལག་ལེན་འཐབ་ཨིན། "
        "དེ་གི་སྐྱབས་ཁང་ཆུང་དྲགས་ཡོདཔ་དང་ གློག་མེད་ དེ་གི་མདུན་ལུ་ ཆུ་འཁྱིལཝ་ཨིན།\n\n"
        "## ངེད་ཀྱི་འཆར་གཞི\n- གདམ་ཁ་རྐྱབ་མི་བཟོ་བཀོད་འདི་ དཔྱིད་ཀ་ ནོར་འཛིན་ལམ་གུ་བརྩིག\n"
        "- ལོ་གསུམ་གྱི་ནང་ བསྒུག་ས་ ༤༠ ལུ་ བཟོ་བཀོད་འདི་ལག་ལེན་འཐབ\n\n"
        "| བཟོ་བཀོད | འགྲོ་སོང་ཚོད་རྩིས (དངུལ་ཀྲམ) | བརྩིགས་ནིའི་དུས་ཡུན |\n|---|---|---|\n"
        "| A | ༤༥༠,༠༠༠ | བདུན་ཕྲག་ ༣ |\n| B | ༧༨༠,༠༠༠ | བདུན་ཕྲག་ ༦ |\n| C | ༡,༡༥༠,༠༠༠ | བདུན་ཕྲག་ ༥ |"
    ),
}
BUS_STOP_QUESTIONS = [
    {"prompt": "ཁྱོད་ལུ་ བཟོ་བཀོད་ག་འདི་དགའ་སྟེ་ཡོདཔ་ཨིན?"},
    {
        "prompt": "ད་ལྟོ་ འདི་ཁར་ཡོད་པའི་བཱས་བསྒུག་ས་ ག་དེ་སྦེ་ལེགས་ཤོམ་ཨིན? (༡–༥)",
        "scale_low": "ངན་ཤོས།",
        "scale_high": "ལེགས་ཤོས།",
    },
    {
        "prompt": "བཱས་བསྒུག་ས་རེ་རེ་ལུ་ ག་ཅི་དགོཔ་ཨིན?",
        "options": "ཐོག\nསྡོད་ཁྲི\nགློག\nདུས་ཚོད་རེའུ་མིག\nའཁོར་ཁྲི་གི་དོན་ལུ་ འཛེགས་ལམ\nགད་སྙིགས་སྣོད",
    },
    {"prompt": "མ་བརྩིགས་པའི་ཧེ་མ་ ངེད་ཀྱིས་ ག་ཅི་ཤེས་དགོཔ་ཨིན?"},
]
DESIGN_CAPTIONS = {
    "A": "བཟོ་བཀོད་ A: ལྕགས་ཀྱི་སྐྱབས་ཁང་འཇམ་ཏོང་ཏོ་ ཐོག་ལེབ་ཏོག་ཏོ་དང་ སྡོད་ཁྲི་གཅིག",
    "B": "བཟོ་བཀོད་ B: ཤིང་གི་སྐྱབས་ཁང་ འབྲུག་པའི་ལམ་སྲོལ་གྱི་ཐོག་དང་ སྡོད་ཁྲི་གཉིས་ ས་ཁྲ་དང་བཅས",
    "C": "བཟོ་བཀོད་ C: ཤེལ་གྱི་སྐྱབས་ཁང་ ཐོག་རིངམོ་ གློག་དང་ དུས་ཚོད་རེའུ་མིག་གི་གློག་བརྙན་དང་བཅས",
}

# English title → Dzongkha (title, text), in the same order as demo/inbox.py's SAVED_REPLIES.
SAVED_REPLIES = {
    "Thanks, passed on": (
        "བཀའ་དྲིན་ཆེ། འགན་འཁུར་ཅན་ལུ་བསྐུར་ཡོད།",
        "{citizen_name} ལུ། ངེད་ལུ་སླབ་མི་ལུ་ བཀའ་དྲིན་ཆེ། འདི་ འགན་འཁུར་ཅན་གྱི་སྡེ་ཚན་ལུ་ བསྐུར་ཡོདཔ་ལས་ "
        "གནས་སྟངས་ འདི་ཁར་ སླབ་ནི་ཨིན། — {agency_name}",
    ),
    "Need more details": (
        "ཁ་གསལ་ཧེང་བཀལ་དགོ",
        "{citizen_name} ལུ། ས་གནས་ཁ་གསལ་ཏོག་ཏོ་ (ཚུགས་པ་ཅིན་ པར་ཅིག་ཡང་) ངེད་ལུ་སླབ་ཚུགས་ག? "
        "གཞི་བསྟུན་ཨང་ {conversation_id} བྲིས་གནང་།",
    ),
    "Fixed": (
        "བཅོ་ཁ་བཏང་ཡོད",
        "{citizen_name} ལུ། འདི་ བཅོ་ཁ་བཏང་ཡོད། བསྒུག་སྡོད་གནང་མི་ལུ་ བཀའ་དྲིན་ཆེ། — {officer_name}, {agency_name}",
    ),
}

# The topics of Thimphu Thromde's feedback form (English label → Dzongkha); the demo's form messages use three of them.
FEEDBACK_TOPICS = {
    "THROMDE": [
        ("Buses and bus stops", "བཱས་དང་ བཱས་བསྒུག་ས།"),
        ("Water supply", "ཆུ་མཁོ་སྤྲོད།"),
        ("Roads and footpaths", "ལམ་དང་ གོམ་ལམ།"),
        ("Street lights", "ལམ་གྱི་ གློག་མེ།"),
        ("Waste collection", "གད་སྙིགས་ བསྡུ་ལེན།"),
        ("Building permits", "ཁང་མིག་ བཟོ་བསྐྲུན་གྱི་ ཆོག་ཐམ།"),
    ]
}

# The commitments of the first round of the bus-stop consultation (demo/accountability.py): title and responsible
# division, then each update's note, by their English text.
COMMITMENTS = {
    "Publish the bus timetable at every stop on Norzin Lam": {
        "title": "ནོར་འཛིན་ལམ་གུ་ བཱས་བསྒུག་ས་ག་ར་ལུ་ བཱས་ཀྱི་ དུས་ཚོད་རེའུ་མིག་ བཀོད་ནི།",
        "division": "མི་མང་ སྐྱེལ་འདྲེན་ སྡེ་ཚན།",
    },
    "Raise the platform of the Clock Tower stop above the flood line": {
        "title": "ཆུ་ཚོད་ཁང་གི་ བཱས་བསྒུག་སའི་ སྟེགས་བུ་འདི་ ཆུ་ལོག་གི་ཚད་ལས་ མཐོ་བཟོ་ནི།",
        "division": "གྲོང་ཁྱེར་ འཆར་འགོད་ སྡེ་ཚན།",
    },
    "Light the 12 bus stops on Norzin Lam": {
        "title": "ནོར་འཛིན་ལམ་གུ་ བཱས་བསྒུག་ས་ ༡༢ ལུ་ གློག་མེ་ བཙུགས་ནི།",
        "division": "ཐིམ་ཕུ་ཁྲོམ་སྡེའི་ གློག་མེ་ ཡན་ལག་སྡེ་ཚན།",
    },
    "Move the stop 50 m towards the Clock Tower": {
        "title": "བཱས་བསྒུག་ས་འདི་ ཆུ་ཚོད་ཁང་གི་ཕྱོགས་ལུ་ མི་ཊར་ ༥༠ སྤོ་ནི།",
        "division": "གྲོང་ཁྱེར་ འཆར་འགོད་ སྡེ་ཚན།",
    },
}
UPDATE_NOTES = {
    "Timetables printed.": "དུས་ཚོད་རེའུ་མིག་ དཔར་བསྐྲུན་འབད་ཚར་ཡི།",
    "Up at all 12 stops.": "བཱས་བསྒུག་ས་ ༡༢ ཆ་མཉམ་ལུ་ བཀོད་ཚར་ཡི།",
    "Drainage laid; the platform is being raised.": "ཆུ་རྒྱུན་གྱི་ ཡུར་བ་ བཏོན་ཚར་ཡི། སྟེགས་བུ་ མཐོ་བཟོ་དོ།",
    "The traffic study showed the new place would block the junction.": (
        "འགྲུལ་འཁོར་གྱི་ ཞིབ་འཚོལ་ནང་ ས་གནས་གསརཔ་འདི་གིས་ ལམ་མདོ་ བཀག་འོང་ཟེར་ ཐོན་ཡི།"
    ),
}
PHOTO_ALT = {"Work at the stop": "བཱས་བསྒུག་སའི་ ལཱ་ཀ།"}
