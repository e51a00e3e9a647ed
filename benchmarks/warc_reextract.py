"""Benchmark: pages/s re-extracting a WARC of the fixture pages, beside the single-process extraction rate."""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaners import Options, extract
from crawler.extraction.fromwarc import Tally, reextract

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "fixtures" / "pages"


def fixture_pages() -> list[tuple[str, bytes]]:
    return [(f"https://{p.parent.name}.example/{p.stem}/", p.read_bytes()) for p in sorted(PAGES.glob("*/*.html"))]


def write_warc(path: Path, pages: list[tuple[str, bytes]], records: int) -> int:
    """Repeat the pages (URLs made unique) until `records` responses are archived; returns the file size."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for i in range(records):
            url, body = pages[i % len(pages)]
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            writer.write_record(
                writer.create_warc_record(
                    f"{url}?copy={i}", "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
                )
            )
    return path.stat().st_size


def child_run(mode: str, warc: str, records: int, jobs: int) -> dict:
    """One measurement in a fresh process, timed after the imports: neither path inherits the other's warm caches or
    loaded language model (the model load counts in both). single: extract() and to_dict() over the same bodies in a
    loop, no WARC; warc: reextract() with `jobs` processes, pool start and warm-up included."""
    if mode == "single":
        pages = fixture_pages()
        start, cpu = time.perf_counter(), cpu_seconds()
        for i in range(records):
            url, body = pages[i % len(pages)]
            article = extract(body, url=url)
            if article is not None:
                article.to_dict()  # the record, as --warc emits it (about 9% of the work)
        return {"pages": records, "seconds": time.perf_counter() - start, "cpu": cpu_seconds() - cpu}
    tally = Tally()
    start, cpu = time.perf_counter(), cpu_seconds()
    count = sum(1 for _ in reextract([warc], Options(), processes=jobs, tally=tally))
    elapsed = time.perf_counter() - start
    assert count == tally.articles and tally.responses == records, tally.summary()
    return {"pages": tally.responses, "seconds": elapsed, "cpu": cpu_seconds() - cpu, "summary": tally.summary()}


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers, reaped when the pool closes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(mode: str, warc: Path, records: int, jobs: int) -> tuple[float, float, dict]:
    """(pages/s, pages per CPU-second of the child and its workers, the child's figures), both over the timed part."""
    command = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--warc",
        str(warc),
        "--records",
        str(records),
        "--jobs",
        str(jobs),
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures = json.loads(out.splitlines()[-1])
    return figures["pages"] / figures["seconds"], figures["pages"] / figures["cpu"], figures


def row(label: str, rate: float, per_cpu: float, note: str = "") -> None:
    print(f"  {label + ':':<36}{rate:7.1f} pages/s {per_cpu:7.1f} pages/CPU-s" + (f"  ({note})" if note else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=500, help="responses in the WARC (default 500)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="rounds of the three measurements, interleaved so load changes hit all (default 2)",
    )
    parser.add_argument("--child", choices=["single", "warc"], help=argparse.SUPPRESS)
    parser.add_argument("--warc", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_run(args.child, args.warc, args.records, args.jobs)))
        return 0
    pages = fixture_pages()
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "fixtures.warc.gz"
        size = write_warc(warc, pages, args.records)
        print(
            f"WARC: {args.records} responses of {len(pages)} fixture pages, {size / 1e6:.1f} MB gzipped; "
            f"{os.cpu_count()} cores; each figure from a fresh process (timed after imports, model load "
            "included); compare rates only within a round: other work on the machine skews them"
        )
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}, load average {os.getloadavg()[0]:.1f}:")
            base, base_cpu, _ = measure("single", warc, args.records, 1)
            row("single-process extract+to_dict", base, base_cpu)
            one, one_cpu, _ = measure("warc", warc, args.records, 1)
            row("extract --warc, 1 process", one, one_cpu, f"{one / base:.2f}x single")
            many, many_cpu, figures = measure("warc", warc, args.records, args.jobs)
            row(
                f"extract --warc, {args.jobs} worker processes",
                many,
                many_cpu,
                f"{many / base:.2f}x single; {figures['cpu'] / figures['seconds']:.2f} cores busy on average: the "
                f"warm-up is serial, other work takes the rest; {figures['summary']}",
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
