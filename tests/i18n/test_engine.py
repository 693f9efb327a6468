"""Dzongkha in the engine: themes over mixed Dzongkha and English comments, Tibetan digits, sentiment, dedup."""

from __future__ import annotations

import random

from civicloop.analysis.labels import NO_LABEL
from civicloop.analysis.pipeline import analyse

ENGLISH_LIGHT = [
    "The street lights on Norzin Lam are broken, it is dark at night",
    "No lighting at the bus stop at night, please fix the lights",
    "Dark at night near the stop, we need street lights",
    "Put lights at the bus stop, it is too dark in the evening",
]
ENGLISH_SEATS = [
    "More benches for old people at the bus stop",
    "Old people need benches to sit while waiting",
    "Please add seats and benches, grandmother cannot stand long",
    "Benches for the elderly, there is only one seat",
]
DZONGKHA_LIGHT = [
    "མཚན་མོ་ གློག་མེ་ མེདཔ་ལས་ ནག་ཚུབ་ཨིན།",
    "བཱས་བསྒུག་ས་ལུ་ གློག་མེ་ བཙུགས་གནང་། མཚན་མོ་ ནག་ཚུབ།",
    "མཚན་མོ་ གློག་མེ་ དགོ། ལམ་ ནག་ཚུབ་ཨིན།",
    "གློག་མེ་ ཆད་དེ་འདུག མཚན་མོ་ འགྱོ་མ་ཚུགས།",
]
DZONGKHA_SEATS = [
    "རྒས་པ་ཚུ་ལུ་ སྡོད་ཁྲི་ དགོ། ལངམ་སྦེ་ སྡོད་མ་ཚུགས།",
    "སྡོད་ཁྲི་ མང་ཤོས་ བཙུགས་གནང་། རྒས་པ་ཚུ་གི་དོན་ལུ།",
    "སྡོད་ཁྲི་ གཅིག་རྐྱངམ་ཅིག་ཡོད། རྒས་པ་ཚུ་ ལངམ་སྦེ་ སྡོདཔ་ཨིན།",
    "རྒས་པ་ཚུ་གི་དོན་ལུ་ སྡོད་ཁྲི་ ཧེང་བཀལ་ དགོ།",
]


def test_themes_over_mixed_comments_give_dzongkha_messages_a_named_theme() -> None:
    rng = random.Random(4)
    texts = []
    for group in (ENGLISH_LIGHT, ENGLISH_SEATS, DZONGKHA_LIGHT, DZONGKHA_SEATS):
        texts += [f"{text} {'!' * rng.randint(0, 2)}".strip() for text in group * 3]
    ids = [str(n) for n in range(len(texts))]
    result = analyse(texts, ids, embedder="fast", redact=str)
    labels = {theme.id: theme.label for theme in result.themes}
    for row, text in enumerate(texts):
        if result.language_of_row[row] != "dz":
            continue
        theme = int(result.theme_of_row[row])
        assert theme != 0 and labels.get(theme, NO_LABEL) != NO_LABEL, (text, labels)
    dzongkha_labels = {
        labels[int(result.theme_of_row[r])] for r in range(len(texts)) if result.language_of_row[r] == "dz"
    }
    assert any("གློག" in label or "མཚན" in label for label in dzongkha_labels), dzongkha_labels
    assert any("སྡོད" in label or "རྒས" in label for label in dzongkha_labels), dzongkha_labels
