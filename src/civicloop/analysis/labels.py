"""Readable theme labels: each theme's most distinctive words and word pairs (class-based TF-IDF).

A term scores high for a theme when it is frequent in the theme's messages and rare in the
others' (the c-TF-IDF weighting BERTopic uses: tf within the theme × log(1 + A / f), A the
average number of words per theme, f the term's frequency over all themes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from civicloop.analysis.embed import stop_words
from civicloop.analysis.normalize import TOKEN_PATTERN

KEYWORDS = 10
LABEL_TERMS = 3


def keywords(groups: Sequence[Sequence[str]], *, top: int = KEYWORDS) -> list[list[str]]:
    """The ``top`` most distinctive terms of each group of texts, best first."""
    from scipy import sparse  # imported by a run, not with the module (seconds: see analysis.embed)
    from sklearn.feature_extraction.text import CountVectorizer

    texts = [text for group in groups for text in group]
    if not texts:
        return [[] for _ in groups]
    owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    vectorizer = CountVectorizer(
        token_pattern=TOKEN_PATTERN,
        ngram_range=(1, 2),
        stop_words=stop_words(),
        min_df=2 if len(texts) >= 50 else 1,
        max_features=50_000,
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return [[] for _ in groups]
    membership = sparse.csr_matrix(
        (np.ones(len(texts)), (owner, np.arange(len(texts)))), shape=(len(groups), len(texts))
    )
    per_group = np.asarray((membership @ counts).todense(), dtype=np.float64)
    totals = per_group.sum(axis=1, keepdims=True)
    tf = per_group / np.maximum(totals, 1.0)
    average_words = max(float(totals.mean()), 1.0)
    frequency = per_group.sum(axis=0)
    scores = tf * np.log1p(average_words / np.maximum(frequency, 1.0))
    vocabulary = vectorizer.get_feature_names_out()
    out: list[list[str]] = []
    for row in scores:
        best = np.argsort(-row, kind="stable")[:top]
        out.append([str(vocabulary[i]) for i in best if row[i] > 0])
    return out


def label(terms: Sequence[str], count: int = LABEL_TERMS) -> str:
    """``["bus", "bus stop", "roof", "stop"]`` → ``"bus stop, roof, …"``: pairs absorb their words."""
    chosen: list[str] = []
    for term in terms:
        words = term.split()
        if any(term in kept.split() for kept in chosen):
            continue  # already inside a chosen pair
        if len(words) > 1:
            chosen = [kept for kept in chosen if kept not in words]
        chosen.append(term)
        if len(chosen) == count:
            break
    return ", ".join(chosen) if chosen else "(no distinctive words)"
