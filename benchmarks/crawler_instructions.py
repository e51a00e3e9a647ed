"""Instructions the crawler process executes per page, counted by valgrind's callgrind: a figure that other load on
the machine does not move, for comparing two versions of the crawler where wall-clock CPU drifts ±15%.

Serves the crawl_throughput site (generated articles, optionally with dead links) on loopback and runs
`cleanwire crawl` on it under `valgrind --tool=callgrind` twice: a small crawl (the fixture site alone: start-up,
imports, robots.txt, sitemaps) and the full one. Only the crawler process is counted (the extraction workers are
forked from a forkserver that valgrind does not follow, and run at full speed). Prints both totals and the
difference per extra page fetched: the crawler's per-page cost with its start-up taken out. Takes minutes (the
crawler runs ~50x slower under valgrind). Not a test; needs valgrind (Debian's valgrind package).

    .venv/bin/python benchmarks/crawler_instructions.py [--extra 100] [--dead-links 10]

To compare two versions, run it from each version's tree with the same arguments: counts repeat within ~1%.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from crawl_throughput import LeanSite, add_dead_links, crawl_command  # noqa: E402


def count(extra: int, dead_links: int, workers: int) -> tuple[int, int]:
    """(instructions of the crawler process, pages it fetched) for one crawl of the site."""
    site = LeanSite(extra)
    with site, tempfile.TemporaryDirectory() as tmp:
        if dead_links:
            add_dead_links(site, dead_links)
        del site.requests[:]
        out = Path(tmp) / "callgrind.out"
        valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--trace-children=no"]
        command = valgrind + crawl_command(site, workers, Path(tmp) / "records.jsonl", [])
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
        if done.returncode:
            raise SystemExit(f"crawl under valgrind failed ({done.returncode}):\n{done.stderr[-3000:]}")
        totals = [line for line in out.read_text().splitlines() if line.startswith(("summary:", "totals:"))]
        return int(totals[0].split()[1]), len(site.requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=100, help="generated archive articles (default: 100)")
    parser.add_argument("--dead-links", type=int, default=10, help="links to missing pages per article (default: 10)")
    parser.add_argument("--workers", type=int, default=2, help="extraction workers (default: 2)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind not found: apt-get install valgrind")
    small, small_pages = count(0, 0, args.workers)
    print(f"fixture site only: {small_pages} pages, {small / 1e9:.3f} G instructions", flush=True)
    full, pages = count(args.extra, args.dead_links, args.workers)
    print(f"--extra {args.extra} --dead-links {args.dead_links}: {pages} pages, {full / 1e9:.3f} G instructions")
    print(f"crawler process per extra page: {(full - small) / (pages - small_pages) / 1e6:.2f} M instructions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
