"""Generated consultation feedback with planted themes and planted campaigns, for tests."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta

# Each planted theme: "name: things | times", then its templates, indented, one a line. {a} and {b}
# are two of the things, {p} a place, {w} one of the times.
THEME_TABLE = """
bus_stop: bus stop, shelter, roof, bench, waiting area | rain, sun, wind, snow
    The {a} at {p} needs a proper {b} because we stand in the {w} every morning
    Please build a {a} with a {b} near {p}, children wait in the {w}
    A {b} over the {a} at {p} would keep commuters out of the {w}
water: water supply, tap water, drinking water, water pipe, water tank | days, weeks, mornings, nights
    Still no {a} in {p} for three {w}, when will the {b} be repaired
    Our {a} in {p} is muddy and the {b} leaks for {w}
    The {b} at {p} burst again and the {a} was cut for {w}
streetlights: streetlight, street lamp, lighting, lamp post, street lights | night, evening, dark, late hours
    The {a} near {p} is broken and the road is unsafe at {w}
    Please repair the {a} on the {b} at {p}, walking home at {w} is scary
    No {a} works along {p} so the {b} is dark at {w}
garbage: garbage, waste collection, rubbish bins, trash truck, dumping | week, fortnight, month, weekend
    The {a} in {p} has not come for a {w} and the {b} overflow
    Stray dogs tear the {b} at {p} because {a} is late every {w}
    Illegal {a} behind {p} smells terrible, the {b} are full all {w}
parking: parking fee, parking space, parking meter, car park, parking ticket | hour, day, visit, afternoon
    The new {a} at {p} is too expensive for one {w}
    There is no {a} near {p}, we circle for an {w} looking for a {b}
    The {b} at {p} charged me twice for a single {w}
praise: footpath, new park, playground, clean streets, library | families, children, elders, everyone
    Thank you for the lovely {a} in {p}, our {w} enjoy it a lot
    Great work on the {a} at {p}, wonderful for {w}
    We really appreciate the beautiful {b} near {p}, excellent for {w}
"""


def _themes(table: str) -> dict[str, tuple[list[str], list[str], list[str]]]:
    themes: dict[str, tuple[list[str], list[str], list[str]]] = {}
    templates: list[str] = []
    for line in table.strip().splitlines():
        if line.startswith(" "):
            templates.append(line.strip())
        else:
            name, rest = line.split(": ", 1)
            things, times = rest.split(" | ")
            templates = []
            themes[name] = (things.split(", "), times.split(", "), templates)
    return themes


THEMES = _themes(THEME_TABLE)
PLACES = ["Changzamtog", "Motithang", "Babesa", "Olakha", "Hejo", "Taba", "Zilukha", "Kawajangsa", "Chubachu"]
CAMPAIGN_TEXT = (
    "Dear Thromde, I, {name} of {place}, strongly oppose the proposed increase of parking fees in the town "
    "centre. Small shop owners like me will lose customers and families cannot afford to pay more every day. "
    "Please withdraw the proposal and consult residents first."
)
NAMES = ["Karma", "Sonam", "Pema", "Dorji", "Tashi", "Kinley", "Dechen", "Ugyen", "Tshering", "Jigme", "Namgay"]


@dataclass
class Corpus:
    texts: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    campaign: list[int] = field(default_factory=list)  # 0 = not in a campaign, else campaign number
    created: list[datetime] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [f"m{i}" for i in range(len(self.texts))]


def _fill(rng: random.Random, theme: str) -> str:
    things, when, templates = THEMES[theme]
    a, b = rng.sample(things, 2)
    return rng.choice(templates).format(a=a, b=b, p=rng.choice(PLACES), w=rng.choice(when))


def _small_edit(rng: random.Random, text: str) -> str:
    words = text.split()
    i = rng.randrange(len(words))
    edit = rng.choice(["drop", "swap", "typo", "add"])
    if edit == "drop":
        del words[i]
    elif edit == "swap" and i + 1 < len(words):
        words[i], words[i + 1] = words[i + 1], words[i]
    elif edit == "typo" and len(words[i]) > 3:
        w = words[i]
        words[i] = w[:1] + w[2] + w[1] + w[3:]
    else:
        words.insert(i, rng.choice(["really", "very", "also", "truly"]))
    return " ".join(words)


def generate(per_theme: int = 60, campaign_size: int = 40, seed: int = 7) -> Corpus:
    """``per_theme`` messages for each planted theme, plus one mail-merge campaign of
    ``campaign_size`` letters (names and places merged in, some with a small edit) and a second,
    exact copy-paste campaign on water."""
    rng = random.Random(seed)
    corpus = Corpus()
    start = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    channels = ["facebook", "x", "wechat", "web"]

    def add(text: str, theme: str, campaign: int = 0) -> None:
        corpus.texts.append(text)
        corpus.themes.append(theme)
        corpus.campaign.append(campaign)
        corpus.created.append(start + timedelta(minutes=37 * len(corpus.texts)))
        corpus.channels.append(rng.choice(channels))

    for theme in THEMES:
        for _ in range(per_theme):
            add(_fill(rng, theme), theme)
    for _ in range(campaign_size):
        letter = CAMPAIGN_TEXT.format(name=rng.choice(NAMES), place=rng.choice(PLACES))
        add(_small_edit(rng, letter) if rng.random() < 0.4 else letter, "parking", campaign=1)
    copied = "Still no water supply in Babesa for three weeks, when will the water pipe be repaired? Shame on you."
    for _ in range(campaign_size // 2):
        add(copied, "water", campaign=2)
    order = list(range(len(corpus.texts)))
    rng.shuffle(order)
    return Corpus(**{f.name: [getattr(corpus, f.name)[i] for i in order] for f in fields(corpus)})
