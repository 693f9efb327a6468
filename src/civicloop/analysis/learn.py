"""The few learning routines the analysis needs, on NumPy and SciPy: TF-IDF, truncated SVD, ridge
regression, k-means, and the agreement scores NMI and ARI.

scikit-learn provided them before; it is not installed by ``make demo`` any more (61 MB with joblib
and narwhals: docs/analysis.md, "Install size"). Each routine follows the published method that
scikit-learn documents, with the same defaults where CivicLoop relied on them:
- TF-IDF: counts of words and word pairs (stop words dropped before pairing), terms in fewer than
  ``min_df`` or more than ``max_df`` of the texts dropped, the ``max_features`` most frequent kept,
  ``1 + ln(tf)``, smoothed idf ``ln((1 + n) / (1 + df)) + 1``, rows scaled to unit length;
- truncated SVD: the randomized range finder of Halko, Martinsson and Tropp (2011) with power
  iterations normalized by LU, then an exact SVD of the small projected matrix;
- ridge: ``min ‖Xw + b − y‖² + α‖w‖²`` per output column by LSQR on the centred operator (the
  intercept is not penalized);
- k-means: Lloyd's iterations from given centres (or k-means++ seeding), squared Euclidean distance.
SciPy is imported where a run needs it, not with this module (see ``analysis.embed``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix


class Tfidf:
    """TF-IDF over words and word pairs of texts (already lower-cased), as a SciPy CSR matrix."""

    def __init__(
        self,
        *,
        token_pattern: str,
        stop_words: Iterable[str] = (),
        ngrams: int = 2,
        min_df: int = 1,
        max_df: float = 1.0,
        sublinear_tf: bool = False,
        max_features: int | None = None,
        vocabulary: dict[str, int] | None = None,
        idf: np.ndarray | None = None,
    ) -> None:
        self.pattern = re.compile(token_pattern)
        self.stop = frozenset(stop_words)
        self.ngrams = ngrams
        self.min_df, self.max_df = min_df, max_df
        self.sublinear_tf = sublinear_tf
        self.max_features = max_features
        self.vocabulary_: dict[str, int] = dict(vocabulary or {})
        self.idf_: np.ndarray = idf if idf is not None else np.empty(0, dtype=np.float32)

    def _terms(self, text: str) -> list[str]:
        words = [w for w in self.pattern.findall(text) if w not in self.stop]
        terms = list(words)
        for n in range(2, self.ngrams + 1):
            terms.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        return terms

    def _counts(self, texts: Sequence[str], vocabulary: dict[str, int], grow: bool) -> csr_matrix:
        from scipy.sparse import csr_matrix

        indptr = [0]
        indices: list[int] = []
        values: list[int] = []
        for text in texts:
            counts = Counter(self._terms(text))
            for term, count in counts.items():
                index = vocabulary.get(term)
                if index is None:
                    if not grow:
                        continue
                    index = vocabulary[term] = len(vocabulary)
                indices.append(index)
                values.append(count)
            indptr.append(len(indices))
        matrix = csr_matrix(
            (np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(texts), len(vocabulary)),
        )
        matrix.sum_duplicates()
        return matrix

    def _weighted(self, counts: csr_matrix) -> csr_matrix:
        matrix = counts.astype(np.float32)
        if self.sublinear_tf:
            np.log(matrix.data, out=matrix.data)
            matrix.data += 1.0
        matrix = matrix.multiply(self.idf_[None, :]).tocsr()
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr)).astype(np.float32)
        matrix.sort_indices()
        return matrix

    def fit_transform(self, texts: Sequence[str]) -> csr_matrix:
        """Learn the vocabulary and idf of ``texts``; ValueError when no term is left."""
        vocabulary: dict[str, int] = {}
        counts = self._counts(texts, vocabulary, grow=True)
        if not vocabulary:
            raise ValueError("empty vocabulary: the texts hold only stop words")
        df = np.bincount(counts.indices, minlength=len(vocabulary))
        keep = (df >= self.min_df) & (df <= self.max_df * len(texts))
        if self.max_features is not None and keep.sum() > self.max_features:
            totals = np.asarray(counts.sum(axis=0)).ravel()
            rank = np.empty(len(vocabulary), dtype=np.int64)
            rank[[vocabulary[term] for term in sorted(vocabulary)]] = np.arange(len(vocabulary))
            kept = np.flatnonzero(keep)
            # Most frequent first; among equals, the first in alphabetical order.
            order = kept[np.lexsort((rank[kept], -totals[kept]))][: self.max_features]
            keep = np.zeros(len(vocabulary), dtype=bool)
            keep[order] = True
        if not keep.any():
            raise ValueError("no terms remain after dropping the rarest and the commonest")
        terms = sorted(term for term, index in vocabulary.items() if keep[index])
        old = np.fromiter((vocabulary[term] for term in terms), dtype=np.int64, count=len(terms))
        self.vocabulary_ = {term: i for i, term in enumerate(terms)}
        counts = counts[:, old].tocsr()
        df = df[old].astype(np.float32)
        self.idf_ = (np.log((len(texts) + 1) / (df + 1)) + 1).astype(np.float32)
        return self._weighted(counts)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        return self._weighted(self._counts(texts, self.vocabulary_, grow=False))


def truncated_svd(matrix: csr_matrix, dimensions: int, *, seed: int, iterations: int = 5) -> np.ndarray:
    """The top ``dimensions`` right singular vectors of ``matrix`` (rows), by randomized SVD."""
    from scipy.linalg import lu, qr, svd

    rng = np.random.RandomState(seed)
    q = rng.normal(size=(matrix.shape[1], dimensions + 10)).astype(np.float32)
    for _ in range(iterations):
        q = lu(matrix @ q, permute_l=True)[0]
        q = lu(matrix.T @ q, permute_l=True)[0]
    q = qr(matrix @ q, mode="economic")[0]
    projected = np.asarray((matrix.T @ q).T)
    vt = svd(projected, full_matrices=False)[2]
    components: np.ndarray = vt[:dimensions].astype(np.float32)
    return components


class Ridge:
    """Linear least squares with an L2 penalty on the weights (not the intercept).

    Solved for every target column at once by conjugate gradients on the normal equations (CGLS, the
    same iterates as LSQR in exact arithmetic), stopping a column by LSQR's test
    ``|Aᵀr| ≤ tol·|A|·|r|``. One sparse product per step serves all columns: solving the 384 columns
    of MiniLM's vectors one LSQR at a time read the TF-IDF matrix 384 times per step (docs/benchmarks.md).
    """

    def __init__(self, alpha: float = 1.0, tol: float = 1e-4) -> None:
        self.alpha, self.tol = alpha, tol
        self.coef_ = np.empty((0, 0), dtype=np.float64)
        self.intercept_ = np.empty(0, dtype=np.float64)

    def fit(self, features: csr_matrix, targets: np.ndarray) -> Ridge:
        matrix = features.astype(np.float32).tocsr()
        transposed = matrix.T.tocsr()
        x_mean = np.asarray(matrix.mean(axis=0), dtype=np.float32).ravel()
        y_mean = targets.astype(np.float32).mean(axis=0)

        def centred(w: np.ndarray) -> np.ndarray:  # (X − mean) w
            out: np.ndarray = matrix @ w - (x_mean @ w)[None, :]
            return out

        def centred_t(r: np.ndarray) -> np.ndarray:  # (X − mean)ᵀ r
            out: np.ndarray = transposed @ r - np.outer(x_mean, r.sum(axis=0))
            return out

        # Frobenius norm of [X − mean; √α·I], LSQR's bound on |A| in its stopping test.
        squares = float(matrix.multiply(matrix).sum()) - matrix.shape[0] * float(x_mean @ x_mean)
        norm = math.sqrt(max(squares, 0.0) + self.alpha * matrix.shape[1])
        residual = (targets - y_mean).astype(np.float32)
        coef = np.zeros((matrix.shape[1], residual.shape[1]), dtype=np.float32)
        gradient = centred_t(residual)
        direction = gradient.copy()
        gamma = (gradient * gradient).sum(axis=0)
        active = gamma > 0
        for _ in range(2 * max(matrix.shape)):
            if not active.any():
                break
            step_of = centred(direction)
            curvature = (step_of * step_of).sum(axis=0) + self.alpha * (direction * direction).sum(axis=0)
            step = np.where(active, gamma / np.maximum(curvature, 1e-30), 0.0).astype(np.float32)
            coef += step * direction
            residual -= step * step_of
            gradient = centred_t(residual) - self.alpha * coef
            new_gamma = (gradient * gradient).sum(axis=0)
            size = np.sqrt((residual * residual).sum(axis=0) + self.alpha * (coef * coef).sum(axis=0))
            active &= np.sqrt(new_gamma) > self.tol * norm * size
            direction = gradient + (new_gamma / np.maximum(gamma, 1e-30)).astype(np.float32) * direction
            gamma = new_gamma
        self.coef_ = coef.T.copy()
        self.intercept_ = y_mean - self.coef_ @ x_mean
        return self

    def predict(self, features: csr_matrix) -> np.ndarray:
        out: np.ndarray = np.asarray(features @ self.coef_.T) + self.intercept_
        return out


def _nearest(vectors: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each row's nearest centre and the squared distance to it."""
    scores = vectors @ centres.T
    scores *= -2
    scores += (centres * centres).sum(axis=1)[None, :]
    nearest = scores.argmin(axis=1)
    distance = scores[np.arange(len(vectors)), nearest] + (vectors * vectors).sum(axis=1)
    return nearest, np.maximum(distance, 0.0)


def kmeans(
    vectors: np.ndarray, centres: np.ndarray, *, max_iter: int = 30, chunk: int = 50_000
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means from ``centres``: (label of each row, final centres).

    Stops when no row changes its centre. A centre that loses every row stays where it was.
    """
    centres = np.array(centres, dtype=np.float64)
    labels = np.full(len(vectors), -1, dtype=np.int64)
    data = np.asarray(vectors, dtype=np.float32)
    for _ in range(max_iter):
        new = np.concatenate(
            [
                _nearest(data[start : start + chunk], centres.astype(np.float32))[0]
                for start in range(0, len(data), chunk)
            ]
            or [np.empty(0, dtype=np.int64)]
        )
        if np.array_equal(new, labels):
            break
        labels = new
        counts = np.bincount(labels, minlength=len(centres))
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, data.astype(np.float64))
        filled = counts > 0
        centres[filled] = sums[filled] / counts[filled, None]
    return labels, centres


def kmeans_plus_plus(vectors: np.ndarray, k: int, *, seed: int, restarts: int = 3) -> np.ndarray:
    """k-means with k-means++ seeding, the best of ``restarts`` runs (lowest within-theme distance)."""
    rng = np.random.default_rng(seed)
    data = np.asarray(vectors, dtype=np.float32)
    best_labels, best_inertia = np.zeros(len(data), dtype=np.int64), math.inf
    for _ in range(restarts):
        centres = [data[rng.integers(len(data))]]
        for _ in range(1, k):
            distance = _nearest(data, np.vstack(centres))[1].astype(np.float64)
            total = distance.sum()
            pick = rng.choice(len(data), p=distance / total) if total > 0 else rng.integers(len(data))
            centres.append(data[pick])
        labels, final = kmeans(data, np.vstack(centres), max_iter=300)
        inertia = float(_nearest(data, final.astype(np.float32))[1].sum())
        if inertia < best_inertia:
            best_labels, best_inertia = labels, inertia
    return best_labels


def _contingency(truth: Sequence[object], found: Sequence[object]) -> np.ndarray:
    rows = {label: i for i, label in enumerate(dict.fromkeys(truth))}
    columns = {label: i for i, label in enumerate(dict.fromkeys(found))}
    table = np.zeros((len(rows), len(columns)), dtype=np.float64)
    np.add.at(table, ([rows[t] for t in truth], [columns[f] for f in found]), 1)
    return table


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def nmi(truth: Sequence[object], found: Sequence[object]) -> float:
    """Normalized mutual information (arithmetic mean of the two entropies): 1 = same partition."""
    table = _contingency(truth, found)
    if table.shape[0] == table.shape[1] == 1 or table.size == 0:
        return 1.0
    n = table.sum()
    rows, columns = table.sum(axis=1), table.sum(axis=0)
    i, j = np.nonzero(table)
    cells = table[i, j]
    mutual = float((cells / n * np.log(cells * n / (rows[i] * columns[j]))).sum())
    mean = (_entropy(rows) + _entropy(columns)) / 2
    return mutual / max(mean, np.finfo(np.float64).eps) if mutual > 0 else 0.0


def ari(truth: Sequence[object], found: Sequence[object]) -> float:
    """Adjusted Rand index: 0 = chance agreement, 1 = same partition."""
    table = _contingency(truth, found)
    pairs: Callable[[np.ndarray], float] = lambda x: float((x * (x - 1) / 2).sum())  # noqa: E731
    n = table.sum()
    if table.shape[0] == table.shape[1] == 1 or table.shape[0] == table.shape[1] == n:
        return 1.0
    together = pairs(table)
    rows, columns = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * columns / (n * (n - 1) / 2)
    top = (rows + columns) / 2
    return (together - expected) / (top - expected) if top != expected else 0.0
