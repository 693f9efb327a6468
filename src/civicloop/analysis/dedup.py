"""Exact duplicates by normalized text, near-duplicates by MinHash LSH over word shingles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from civicloop.analysis.normalize import tokens

NUM_PERM = 64
# Texts shorter than this many words are grouped only when identical: "thank you" and "thanks
# you all" are not a copied message, and short texts have too few shingles for a fair estimate.
MIN_NEAR_WORDS = 5
SHINGLE_WORDS = 2
CHUNK = 20_000


@dataclass(frozen=True)
class Duplicates:
    """``group[i]`` is the duplicate group of row ``i``; ``representatives[g]`` its first row."""

    group: np.ndarray
    representatives: np.ndarray
    sizes: np.ndarray

    @property
    def unique(self) -> int:
        return len(self.representatives)


def _shingles(words: list[str]) -> list[bytes]:
    if len(words) < SHINGLE_WORDS:
        return [w.encode() for w in words]
    return [" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)]


def _find(parent: np.ndarray, item: int) -> int:
    root = item
    while parent[root] != root:
        root = parent[root]
    while parent[item] != root:
        parent[item], item = root, parent[item]
    return root


def _near_groups(texts: Sequence[str], *, threshold: float, seed: int) -> np.ndarray:
    """Union-find parents over ``texts`` (distinct, normalized): near-identical texts end in one set.

    LSH buckets only propose candidates; each link is confirmed on the signatures (estimated
    Jaccard similarity to the bucket's first member), so a shared band alone joins nothing.
    """
    parent = np.arange(len(texts))
    eligible: list[int] = []
    parts: list[np.ndarray] = []
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    # Texts are tokenized, sketched and indexed a chunk at a time, keeping only the signatures: a
    # million token lists and MinHash objects at once would not fit the memory the analysis may use.
    with lsh.insertion_session() as session:
        for start in range(0, len(texts), CHUNK):
            batch = [(i, tokens(texts[i])) for i in range(start, min(start + CHUNK, len(texts)))]
            batch = [(i, words) for i, words in batch if len(words) >= MIN_NEAR_WORDS]
            if not batch:
                continue
            sketches = MinHash.bulk([_shingles(words) for _, words in batch], num_perm=NUM_PERM, seed=seed)
            for (row, _), sketch in zip(batch, sketches, strict=True):
                session.insert(len(eligible), sketch, check_duplication=False)
                eligible.append(row)
            parts.append(np.vstack([sketch.hashvalues for sketch in sketches]))
    if len(eligible) < 2:
        return parent
    signatures = np.vstack(parts)
    for table in lsh.hashtables:
        for key in table.keys():  # noqa: SIM118 - a datasketch storage, not a dict
            members = sorted(table.get(key))
            if len(members) < 2:
                continue
            head = members[0]
            rest = np.asarray(members[1:])
            similar = (signatures[rest] == signatures[head]).mean(axis=1) >= threshold
            for member in rest[similar]:
                a, b = _find(parent, eligible[head]), _find(parent, eligible[int(member)])
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return parent


def find_duplicates(
    normalized: Sequence[str],
    *,
    threshold: float = 0.7,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> Duplicates:
    """Group rows whose normalized texts are equal, or near-identical (estimated Jaccard ≥ threshold)."""
    first_row: dict[str, int] = {}
    distinct_of_row = np.empty(len(normalized), dtype=np.int64)
    distinct_rows: list[int] = []
    for row, text in enumerate(normalized):
        index = first_row.get(text)
        if index is None:
            index = first_row[text] = len(distinct_rows)
            distinct_rows.append(row)
        distinct_of_row[row] = index
    if progress:
        progress(0.3)
    parent = _near_groups([normalized[row] for row in distinct_rows], threshold=threshold, seed=seed + 1)
    roots = np.array([_find(parent, i) for i in range(len(parent))], dtype=np.int64)
    if progress:
        progress(0.9)
    # Number groups in order of first appearance, so that the result does not depend on hashing.
    _, group_of_root = np.unique(roots, return_inverse=True)
    group = group_of_root[distinct_of_row] if len(normalized) else np.empty(0, dtype=np.int64)
    n_groups = int(group.max()) + 1 if len(group) else 0
    representatives = np.full(n_groups, len(normalized), dtype=np.int64)
    np.minimum.at(representatives, group, np.arange(len(normalized)))
    order = np.argsort(representatives, kind="stable")
    renumber = np.empty_like(order)
    renumber[order] = np.arange(n_groups)
    group = renumber[group]
    sizes = np.bincount(group, minlength=n_groups)
    return Duplicates(group=group, representatives=representatives[order], sizes=sizes)
