"""The "you said, we did" report as a PDF (WeasyPrint) side by side with the same report as an HTML page.

Builds the demo on a fresh SQLite database in a temporary folder (its published survey report: 64 answers,
three sections, themes with quotes, a chart per closed question), then requests through the ASGI app, in
process, ``--repeat`` times each after one warm-up:

* the report page ``/c/{code}/report`` (HTML),
* the PDF ``/c/{code}/report.pdf`` drawn afresh (the PDF cache is cleared before each request),
* the PDF again with the cache warm (a published report does not change, so it is drawn once).

Prints the medians and the ratio of a fresh PDF to the HTML page, and the PDF's size and page count.

    .venv/bin/python bench/consultations.py --repeat 7
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per variant (median reported)")
    parser.add_argument("--save", type=Path, help="also write the PDF to this file, to look at it")
    return parser.parse_args()


def setup() -> str:
    folder = Path(tempfile.mkdtemp(prefix="civicloop-bench-consultations-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    os.environ.update(
        CIVICLOOP_DATABASE_URL=url,
        CIVICLOOP_SECRET_KEY="bench-secret",  # noqa: S106 - a throw-away database
        CIVICLOOP_DATA_DIR=str(folder / "data"),
        CIVICLOOP_JOBS_IMMEDIATE="true",
    )
    os.environ.pop("CIVICLOOP_REDIS_URL", None)
    os.environ.pop("CIVICLOOP_SMTP_URL", None)
    from civicloop import migrations

    migrations.upgrade(url)
    return url


def published_code() -> str:
    from sqlalchemy import select

    from civicloop.consultations.models import Consultation, ConsultationStatus
    from civicloop.db.session import session_scope
    from civicloop.demo import seed

    with session_scope() as session:
        seed(session)
    with session_scope() as session:
        return session.scalars(
            select(Consultation.code).where(Consultation.status == ConsultationStatus.published)
        ).one()


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_count(pdf: bytes) -> int:
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() : pdf.find(b"endstream", match.end())]))
        except zlib.error:
            continue
    return len(re.findall(rb"/Type\s*/Page\b", b"\n".join(parts)))


def main() -> None:
    args = parse()
    setup()
    started = time.perf_counter()
    code = published_code()
    print(f"demo seeded in {time.perf_counter() - started:.0f} s; published report {code}")
    from fastapi.testclient import TestClient

    from civicloop.consultations import printable
    from civicloop.main import create_app

    with TestClient(create_app()) as client:

        def get(path: str) -> bytes:
            response = client.get(path)
            assert response.status_code == 200, response.text[:300]
            return response.content

        def fresh_pdf() -> bytes:
            printable._pdf_of.cache_clear()
            return get(f"/c/{code}/report.pdf")

        html_ms = median_ms(lambda: get(f"/c/{code}/report"), args.repeat)
        pdf_ms = median_ms(fresh_pdf, args.repeat)
        cached_ms = median_ms(lambda: get(f"/c/{code}/report.pdf"), args.repeat)
        pdf = fresh_pdf()
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"{'variant':<32}{'median ms':>10}")
    print(f"{'report page (HTML)':<32}{html_ms:>10.1f}")
    print(f"{'report PDF, drawn afresh':<32}{pdf_ms:>10.1f}")
    print(f"{'report PDF, cached':<32}{cached_ms:>10.1f}")
    if args.save:
        args.save.write_bytes(pdf)
    print(f"fresh PDF / HTML page: {pdf_ms / html_ms:.1f}x; PDF {len(pdf):,} bytes, {page_count(pdf)} page(s)")


if __name__ == "__main__":
    main()
