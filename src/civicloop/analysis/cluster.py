"""Themes from vectors: the number of themes is chosen by the data, with an "other" bucket.

A subsample of up to 3,000 messages is merged bottom-up by Ward linkage, and the tree is cut
before its largest relative jump in merge height: that is where two distinct topics would be
joined. The cut's groups seed k-means on the whole fitting sample, which refines them. Themes
smaller than ``min_size`` and messages far from every theme's centre go to "other". Fitting
sees at most a sample; every message is then assigned to the nearest centre, which is what
lets a million messages through in minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from civicloop.analysis.learn import kmeans

OTHER = -1
MIN_THEMES = 3
TREE_SAMPLE = 3000
# A message is "other" when its similarity to its theme's centre is this many standard
# deviations below that theme's mean similarity.
OUTLIER_SD = 2.5


@dataclass(frozen=True)
class ThemeModel:
    centroids: np.ndarray  # one L2-normalized row per theme
    floors: np.ndarray  # lowest similarity to the centre that still counts as a member

    @property
    def size(self) -> int:
        return len(self.centroids)


def _normalized(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = (matrix / norms).astype(np.float32)
    return out


def _model(vectors: np.ndarray, labels: np.ndarray, min_size: int) -> ThemeModel:
    kept = [t for t in np.unique(labels) if t != OTHER and (labels == t).sum() >= min_size]
    if not kept:
        return ThemeModel(np.empty((0, vectors.shape[1]), dtype=np.float32), np.empty(0, dtype=np.float32))
    centroids = _normalized(np.vstack([vectors[labels == t].mean(axis=0) for t in kept]))
    floors = []
    for index, theme in enumerate(kept):
        similarity = vectors[labels == theme] @ centroids[index]
        floors.append(float(similarity.mean() - OUTLIER_SD * similarity.std()))
    # Largest theme first, so theme numbers read in order of size.
    sizes = np.array([(labels == t).sum() for t in kept])
    order = np.argsort(-sizes, kind="stable")
    return ThemeModel(centroids[order], np.asarray(floors, dtype=np.float32)[order])


def _choose_cut(tree: np.ndarray, max_themes: int) -> np.ndarray:
    """Group of each leaf when the tree is cut before its largest relative jump in merge height.

    Two themes are rarely a useful answer for an agency, so the search starts at three when the
    tree allows it.
    """
    heights = tree[:, 2]
    ks = list(range(MIN_THEMES if max_themes >= MIN_THEMES else 2, max_themes + 1))
    # Going from k to k−1 groups performs merge number −(k−1) (the last merges are the highest).
    leaps = [(heights[-(k - 1)] - heights[-k]) / max(heights[-k], 1e-9) for k in ks]
    best = ks[int(np.argmax(leaps))]
    from scipy.cluster.hierarchy import fcluster  # imported by a run, not with the module (see analysis.embed)

    return np.asarray(fcluster(tree, best, criterion="maxclust"), dtype=np.int64)


def fit(vectors: np.ndarray, *, seed: int = 0, min_size: int = 5, max_themes: int = 30) -> ThemeModel:
    """Themes of ``vectors`` (L2-normalized rows), their number chosen from a Ward tree."""
    n = len(vectors)
    if n < max(2 * min_size, 4):
        return _model(vectors, np.zeros(n, dtype=np.int64), min_size)
    from scipy.cluster.hierarchy import linkage  # imported by a run, not with the module (see analysis.embed)

    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(n, size=min(n, TREE_SAMPLE), replace=False))
    tree = linkage(vectors[picked].astype(np.float64), method="ward")
    # No more themes than could each reach min_size: among a few dozen short, unrelated comments the
    # largest leap is at the bottom of the tree, and a cut there leaves only themes too small to keep.
    cut = _choose_cut(tree, min(max_themes, len(picked) - 1, n // min_size))
    groups = np.unique(cut)
    seeds = np.vstack([vectors[picked][cut == g].mean(axis=0) for g in groups])
    labels = kmeans(vectors, seeds, max_iter=30)[0]
    return _model(vectors, labels, min_size)


def assign(vectors: np.ndarray, model: ThemeModel, chunk: int = 50_000) -> tuple[np.ndarray, np.ndarray]:
    """(theme index or OTHER, similarity to that theme's centre) for each row."""
    themes = np.full(len(vectors), OTHER, dtype=np.int64)
    similarity = np.zeros(len(vectors), dtype=np.float32)
    if model.size == 0:
        return themes, similarity
    for start in range(0, len(vectors), chunk):
        sims = vectors[start : start + chunk] @ model.centroids.T
        best = sims.argmax(axis=1)
        top = sims[np.arange(len(best)), best]
        themes[start : start + chunk] = np.where(top >= model.floors[best], best, OTHER)
        similarity[start : start + chunk] = top
    return themes, similarity
