"""The analysis's own TF-IDF, SVD, ridge, k-means and agreement scores, and its WordPiece tokenizer.

Expected token ids were produced by Hugging Face's ``tokenizers`` 0.23.3 from the same
``tokenizer.json`` (CivicLoop no longer installs it); on the demo's texts and 3,000 real complaints
the two agree on every id (docs/analysis.md, "Install size").
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from civicloop.analysis.embed import TOKENIZER
from civicloop.analysis.learn import Ridge, Tfidf, ari, kmeans, kmeans_plus_plus, nmi, truncated_svd
from civicloop.analysis.wordpiece import WordPiece


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        (
            "The bus stop at Hejo needs a proper roof!",
            [101, 1996, 3902, 2644, 2012, 2002, 5558, 3791, 1037, 5372, 4412, 999, 102],
        ),
        ("Café naïve — résumé", [101, 7668, 15743, 1517, 13746, 102]),
        ("中文 test", [101, 1746, 1861, 3231, 102]),
        ("[UNK] a[CLS]b", [101, 100, 1037, 101, 1038, 102]),
        ("tab\tnew\nline\x00zero\u200bwidth", [101, 21628, 2047, 2240, 6290, 5004, 3593, 2705, 102]),
        ("Lights གློག་མེ་ དགོ། stop", [101, 4597, 1426, 29962, 1424, 1432, 1424, 1428, 29962, 1425, 2644, 102]),
        ("unaffordable overcharged xyzzyq", [101, 14477, 4246, 8551, 3085, 2058, 22620, 1060, 2100, 28753, 4160, 102]),
    ],
)
def test_wordpiece_gives_the_models_token_ids(text: str, ids: list[int]) -> None:
    assert WordPiece(TOKENIZER).ids(text) == ids


def test_wordpiece_cuts_long_texts_to_the_models_limit() -> None:
    tokenizer = WordPiece(TOKENIZER)
    ids = tokenizer.ids("word " * 2000)
    assert len(ids) == 128 and ids[0] == 101 and ids[-2:] == [2773, 102]
    assert tokenizer.ids("word " * 100 + "roof") == [101, *[2773] * 100, 4412, 102]


def test_agreement_scores() -> None:
    assert nmi([1, 1, 2, 2], ["a", "a", "b", "b"]) == pytest.approx(1.0)
    assert ari([1, 1, 2, 2], ["a", "a", "b", "b"]) == pytest.approx(1.0)
    # Worked by hand: contingency [[2, 0], [1, 1]]; pairs together 1, rows 1 + 1, columns 3 + 0.
    assert ari([0, 0, 1, 1], [0, 0, 0, 1]) == pytest.approx((1 - 2 * 3 / 6) / (2.5 - 1.0))
    mutual = 0.5 * math.log(2 / 1.5) + 0.25 * math.log(1 / 1.5) + 0.25 * math.log(2)
    entropy_rows, entropy_columns = math.log(2), -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert nmi([0, 0, 1, 1], [0, 0, 0, 1]) == pytest.approx(mutual / ((entropy_rows + entropy_columns) / 2))
    assert ari([0, 1, 0, 1], [0, 0, 1, 1]) < 0 < nmi([0, 0, 1, 1, 2], [0, 0, 1, 1, 1])


def test_tfidf_weights_words_and_pairs() -> None:
    vectorizer = Tfidf(token_pattern=r"\b\w+\b", stop_words={"the"}, ngrams=2, sublinear_tf=True)
    matrix = vectorizer.fit_transform(["the roof leaks", "roof roof", "bus late"])
    assert sorted(vectorizer.vocabulary_) == ["bus", "bus late", "late", "leaks", "roof", "roof leaks", "roof roof"]
    row = matrix[1].toarray().ravel()
    # "roof" twice: 1 + ln 2, idf ln(4/3) + 1; "roof roof" once, idf ln(4/2) + 1; then unit length.
    roof, pair = (1 + math.log(2)) * (math.log(4 / 3) + 1), math.log(2) + 1
    norm = math.hypot(roof, pair)
    assert row[vectorizer.vocabulary_["roof"]] == pytest.approx(roof / norm, rel=1e-5)
    assert row[vectorizer.vocabulary_["roof roof"]] == pytest.approx(pair / norm, rel=1e-5)
    assert vectorizer.transform(["unknown words only"]).nnz == 0
    with pytest.raises(ValueError):
        Tfidf(token_pattern=r"\b\w+\b", stop_words={"the"}).fit_transform(["the", "the the"])


def test_svd_ridge_and_kmeans_recover_planted_structure() -> None:
    from scipy.sparse import csr_matrix

    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(40, 3)))[0].T  # three orthonormal directions
    data = rng.normal(size=(300, 3)) * [10, 5, 2] @ basis + rng.normal(scale=0.01, size=(300, 40))
    components = truncated_svd(csr_matrix(data), 3, seed=0)
    assert np.abs(components @ basis.T).max(axis=1) == pytest.approx([1, 1, 1], abs=1e-3)

    # Targets in the planted directions: in float32 the 37 directions of 0.01 noise are ill-conditioned
    # (a condition number of about 10⁶), and weights on them came out differently from run to run.
    weights = basis.T @ rng.normal(size=(3, 2))
    targets = data @ weights + 7.0
    ridge = Ridge(alpha=1e-6, tol=1e-10).fit(csr_matrix(data), targets)
    assert ridge.predict(csr_matrix(data[:5])) == pytest.approx(targets[:5], abs=1e-2)

    points = np.vstack([rng.normal(loc=centre, scale=0.1, size=(50, 2)) for centre in ([0, 0], [5, 5], [0, 5])])
    truth = np.repeat([0, 1, 2], 50)
    labels, centres = kmeans(points, points[[0, 50, 100]] + 1.0)
    assert ari(truth, labels) == 1.0
    assert centres[1] == pytest.approx([5, 5], abs=0.1)
    assert ari(truth[:100], kmeans_plus_plus(points[:100], 2, seed=0)) == 1.0
