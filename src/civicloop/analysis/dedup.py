"""Exact duplicates by normalized text, near-duplicates by MinHash LSH over word shingles.

Signatures and LSH buckets are computed as array operations a batch of texts at a time, not one
MinHash object per text: a million messages are grouped in about a minute (docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from civicloop.analysis.normalize import tokens

NUM_PERM = 128
# Texts shorter than this many words are grouped only when identical: "thank you" and "thanks
# you all" are not a copied message, and short texts have too few shingles for a fair estimate.
MIN_NEAR_WORDS = 5
TEXTS_PER_BATCH = 1_000
# At most this many word pairs a batch (its pairs × hash functions take 8 bytes each, 32 MB in all): a thousand
# letters of 3,000 words would otherwise take 1.8 GB at once.
PAIRS_PER_BATCH = 32_768
# SplitMix64's constants: a multiplier of the golden ratio and its finalizer's two multipliers.
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
U64 = np.uint64


@dataclass(frozen=True)
class Duplicates:
    """``group[i]`` is the duplicate group of row ``i``; ``representatives[g]`` its first row."""

    group: np.ndarray
    representatives: np.ndarray
    sizes: np.ndarray

    @property
    def unique(self) -> int:
        return len(self.representatives)


def _mix(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer over uint64s: every input bit moves every output bit."""
    values = (values ^ (values >> U64(30))) * MIX1
    values = (values ^ (values >> U64(27))) * MIX2
    mixed: np.ndarray = values ^ (values >> U64(31))
    return mixed


class Sketcher:
    """MinHash signatures over the word pairs of texts, for many texts at once.

    Each distinct word is hashed once (BLAKE2b of its letters, so the same text gets the same
    signature in any corpus); a word pair's 32-bit hash mixes its two words' hashes; each of the
    ``NUM_PERM`` hash functions is multiply-add-shift, ``(a·x + b) mod 2⁶⁴ >> 32`` with a random
    odd ``a`` and a random ``b`` drawn from ``seed`` — a universal family, as datasketch's affine
    permutations are.
    """

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.a = (rng.integers(0, 2**64, NUM_PERM, dtype=U64, endpoint=False) | U64(1))[:, None]
        self.b = rng.integers(0, 2**64, NUM_PERM, dtype=U64, endpoint=False)[:, None]
        self._index: dict[str, int] = {}
        self._hashes = np.empty(0, dtype=U64)

    def _word_hashes(self, words: list[str]) -> np.ndarray:
        new = [word for word in dict.fromkeys(words) if word not in self._index]
        if new:
            start = len(self._index)
            self._index.update((word, start + i) for i, word in enumerate(new))
            digests = b"".join(hashlib.blake2b(word.encode(), digest_size=8).digest() for word in new)
            self._hashes = np.concatenate([self._hashes, np.frombuffer(digests, dtype="<u8").astype(U64)])
        ids = np.fromiter(map(self._index.__getitem__, words), dtype=np.int64, count=len(words))
        return self._hashes[ids]

    def signatures(self, texts: Sequence[list[str]]) -> np.ndarray:
        """One row of ``NUM_PERM`` uint32 minima per text; every text needs two words or more."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        words = self._word_hashes(list(chain.from_iterable(texts)))
        pair_starts = np.ones(len(words), dtype=bool)
        pair_starts[np.cumsum(lengths) - 1] = False  # a text's last word starts no pair
        left = np.flatnonzero(pair_starts)
        shingles = _mix(words[left] ^ (words[left + 1] * GOLDEN)) >> U64(32)
        permuted = self.a * shingles[None, :]
        permuted += self.b
        permuted >>= U64(32)
        first_pair = np.concatenate(([0], np.cumsum(lengths - 1)[:-1]))
        return np.minimum.reduceat(permuted, first_pair, axis=1).T.astype(np.uint32)


def _batches(texts: Sequence[str]) -> Iterator[list[tuple[int, list[str]]]]:
    """(row, words) of the texts long enough for near-duplicate search, ``TEXTS_PER_BATCH`` texts a batch, fewer when
    their word pairs exceed ``PAIRS_PER_BATCH``: a million token lists, or all their pairs × hash functions, would not
    fit the memory the analysis may use."""
    for start in range(0, len(texts), TEXTS_PER_BATCH):
        rows = range(start, min(start + TEXTS_PER_BATCH, len(texts)))
        batch = [(row, words) for row in rows if len(words := tokens(texts[row])) >= MIN_NEAR_WORDS]
        if sum(len(words) - 1 for _, words in batch) <= PAIRS_PER_BATCH:
            yield batch
            continue
        part: list[tuple[int, list[str]]] = []
        pairs = 0
        for row, words in batch:
            if part and pairs + len(words) - 1 > PAIRS_PER_BATCH:
                yield part
                part, pairs = [], 0
            part.append((row, words))
            pairs += len(words) - 1
        yield part


def _sketch(texts: Sequence[str], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``texts`` long enough for near-duplicate search, and their signatures."""
    sketcher = Sketcher(seed)
    rows: list[int] = []
    parts = [np.empty((0, NUM_PERM), dtype=np.uint32)]
    for batch in _batches(texts):
        if not batch:
            continue
        rows.extend(row for row, _ in batch)
        parts.append(sketcher.signatures([words for _, words in batch]))
    return np.asarray(rows, dtype=np.int64), np.vstack(parts)


def _band_links(band: np.ndarray, signatures: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Links (bucket head, member) among texts whose ``band`` columns are equal, confirmed when
    their signatures agree on at least ``threshold`` of the hash functions: a shared band alone
    joins nothing. The head of a bucket is its first text."""
    keys = np.zeros(len(band), dtype=U64)
    for column in band.T:
        keys = _mix(keys ^ column.astype(U64))
    order = np.argsort(keys, kind="stable")
    ordered = band[order]
    new_bucket = np.ones(len(order), dtype=bool)
    new_bucket[1:] = (keys[order][1:] != keys[order][:-1]) | (ordered[1:] != ordered[:-1]).any(axis=1)
    heads = order[np.maximum.accumulate(np.where(new_bucket, np.arange(len(order)), 0))]
    members = np.flatnonzero(~new_bucket)
    head, member = heads[members], order[members]
    agree = np.empty(len(member), dtype=bool)
    for start in range(0, len(member), 100_000):
        part = slice(start, start + 100_000)
        agree[part] = (signatures[head[part]] == signatures[member[part]]).mean(axis=1) >= threshold
    return head[agree], member[agree]


def _near_groups(texts: Sequence[str], *, threshold: float, seed: int) -> np.ndarray:
    """A component label per text of ``texts`` (distinct, normalized): near-identical texts share one.

    Candidates come from LSH over the signatures, with the bands and rows datasketch's
    ``MinHashLSH`` chooses for ``threshold`` when a missed pair weighs nine times a false
    candidate: every candidate is confirmed on its signature, so a false one costs only a
    comparison, while a missed one leaves a copy uncounted.
    """
    # Imported by a run, not with the module: with SciPy and datasketch (which imports redis) they cost
    # a web process seconds to start (see analysis.embed).
    from datasketch import MinHashLSH
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rows, signatures = _sketch(texts, seed)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=(0.1, 0.9))
    links = [
        _band_links(signatures[:, band * lsh.r : (band + 1) * lsh.r], signatures, threshold) for band in range(lsh.b)
    ]
    heads = rows[np.concatenate([np.empty(0, dtype=np.int64), *(head for head, _ in links)])]
    members = rows[np.concatenate([np.empty(0, dtype=np.int64), *(member for _, member in links)])]
    graph = coo_matrix((np.ones(len(heads), dtype=np.int8), (heads, members)), shape=(len(texts), len(texts)))
    components: np.ndarray = connected_components(graph, directed=False)[1]
    return components


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
    components = _near_groups([normalized[row] for row in distinct_rows], threshold=threshold, seed=seed + 1)
    if progress:
        progress(0.9)
    group = components[distinct_of_row] if len(normalized) else np.empty(0, dtype=np.int64)
    n_groups = int(group.max()) + 1 if len(group) else 0
    # Number groups in order of first appearance, so that the result does not depend on hashing.
    representatives = np.full(n_groups, len(normalized), dtype=np.int64)
    np.minimum.at(representatives, group, np.arange(len(normalized)))
    order = np.argsort(representatives, kind="stable")
    renumber = np.empty_like(order)
    renumber[order] = np.arange(n_groups)
    group = renumber[group]
    sizes = np.bincount(group, minlength=n_groups)
    return Duplicates(group=group, representatives=representatives[order], sizes=sizes)
