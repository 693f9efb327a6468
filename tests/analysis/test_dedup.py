"""MinHash signatures computed as array operations: per text, batch-independent, unbiased."""

from __future__ import annotations

import random
import tracemalloc
from itertools import pairwise

import numpy as np

from civicloop.analysis.dedup import NUM_PERM, Sketcher, find_duplicates
from civicloop.analysis.normalize import normalize, tokens

TEXTS = [
    "the drain on norzin lam is blocked again",
    "still no water",
    "please withdraw the proposed parking fee increase in the town centre it hurts small shops and families",
    "ལམ་འདི་ལུ་ཆུ་མེད། ལམ་འདི་ལུ་ཆུ་མེད།",
    "the drain on norzin lam is blocked",
]


def pairs(words: list[str]) -> set[tuple[str, str]]:
    return set(pairwise(words))


def test_a_texts_signature_does_not_depend_on_its_batch_or_corpus() -> None:
    words = [tokens(normalize(text)) for text in TEXTS]
    together = Sketcher(seed=5).signatures(words)
    alone = np.vstack([Sketcher(seed=5).signatures([w]) for w in reversed(words)])[::-1]
    assert together.shape == (len(TEXTS), NUM_PERM) and together.dtype == np.uint32
    assert (together == alone).all()
    assert not (together == Sketcher(seed=6).signatures(words)).all()


def test_signature_agreement_estimates_the_jaccard_similarity_of_word_pairs() -> None:
    rng = random.Random(1)
    vocabulary = [f"w{i}" for i in range(500)]
    firsts, seconds, truth = [], [], []
    for edits in range(20):
        for _ in range(3):
            first = rng.sample(vocabulary, 30)
            second = list(first)
            for _ in range(edits):
                second[rng.randrange(len(second))] = rng.choice(vocabulary)
            firsts.append(first)
            seconds.append(second)
            truth.append(len(pairs(first) & pairs(second)) / len(pairs(first) | pairs(second)))
    sketcher = Sketcher(seed=0)
    estimate = (sketcher.signatures(firsts) == sketcher.signatures(seconds)).mean(axis=1)
    error = estimate - np.array(truth)
    assert min(truth) < 0.2 and max(truth) == 1.0
    assert abs(error.mean()) < 0.02 and np.abs(error).mean() < 0.06
    assert (estimate[np.array(truth) == 1.0] == 1.0).all()
    # Word order matters: the same words reversed share no pair.
    assert (sketcher.signatures([firsts[0]]) == sketcher.signatures([firsts[0][::-1]])).mean() < 0.15


def test_copies_with_a_word_changed_join_their_base_and_results_are_deterministic() -> None:
    rng = random.Random(2)
    vocabulary = [f"w{i}" for i in range(300)]
    bases = [rng.sample(vocabulary, 25) for _ in range(40)]
    texts, base_of = [], []
    for b, words in enumerate(bases):
        texts.append(" ".join(words))
        base_of.append(b)
        for _ in range(5):
            copy = list(words)
            copy[rng.randrange(len(copy))] = "changed"  # one word changed: about 0.85 similar to the base
            texts.append(" ".join(copy))
            base_of.append(b)
    first = find_duplicates(texts, seed=4)
    assert (first.group == find_duplicates(texts, seed=4).group).all()
    base_of_row = np.array(base_of)
    # No group holds copies of two bases, and most copies are grouped with their base.
    assert all(len(set(base_of_row[first.group == g].tolist())) == 1 for g in range(first.unique))
    with_base = first.group == first.group[::6].repeat(6)  # each base is followed by its five copies
    assert with_base.mean() >= 0.8


def test_long_letters_are_compared_in_batches_of_bounded_memory() -> None:
    """Two hundred letters of 3,000 words: the signatures of one batch of all their word pairs would take 600 MB."""
    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(5000)]
    letters = [" ".join(rng.choices(vocabulary, k=3000)) for _ in range(200)]
    copied = letters[7].replace(letters[7].split()[100], "changed", 1)
    tracemalloc.start()
    try:
        found = find_duplicates([*letters, copied])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 150_000_000, f"{peak / 1e6:.0f} MB"
    assert found.group[200] == found.group[7]
    assert len(set(found.group[:200].tolist())) == 200
