"""Benchmark: pages/s re-extracting a WARC of the fixture pages, beside the single-process extraction rate."""
from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaners import Options, extract
from crawler.warcextract import Tally, reextract

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
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                  ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"{url}?copy={i}", "response", payload=io.BytesIO(body),
                                                          length=len(body), http_headers=headers))
    return path.stat().st_size


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def single_process_rate(pages: list[tuple[str, bytes]], records: int) -> tuple[float, float]:
    """Plain cleaners.extract in a loop over the same bodies (no WARC reading): pages/s, pages/CPU-s."""
    start, cpu = time.perf_counter(), cpu_seconds()
    for i in range(records):
        url, body = pages[i % len(pages)]
        extract(body, url=url)
    return records / (time.perf_counter() - start), records / (cpu_seconds() - cpu)


def warc_rate(path: Path, processes: int) -> tuple[float, float, Tally]:
    tally = Tally()
    start, cpu = time.perf_counter(), cpu_seconds()
    count = sum(1 for _ in reextract([str(path)], Options(), processes=processes, tally=tally))
    elapsed = time.perf_counter() - start
    assert count == tally.articles
    return tally.responses / elapsed, tally.responses / (cpu_seconds() - cpu), tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=500, help="responses in the WARC (default 500)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    args = parser.parse_args(argv)
    pages = fixture_pages()
    extract(pages[0][1], url=pages[0][0])                     # warm up imports and caches
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "fixtures.warc.gz"
        size = write_warc(warc, pages, args.records)
        print(f"WARC: {args.records} responses of {len(pages)} fixture pages, {size / 1e6:.1f} MB gzipped; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other work skews the figures)")
        base, base_cpu = single_process_rate(pages, args.records)
        print(f"single-process extract():    {base:7.1f} pages/s            {base_cpu:7.1f} pages/CPU-s")
        one, one_cpu, _ = warc_rate(warc, 1)
        print(f"extract --warc, 1 process:   {one:7.1f} pages/s ({one / base:.2f}x)   {one_cpu:7.1f} pages/CPU-s")
        many, many_cpu, tally = warc_rate(warc, args.jobs)
        print(f"extract --warc, {args.jobs} processes: {many:7.1f} pages/s ({many / base:.2f}x)   "
              f"{many_cpu:7.1f} pages/CPU-s  [{tally.summary()}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
