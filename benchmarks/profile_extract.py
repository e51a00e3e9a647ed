"""Benchmark: median ms per cleaning stage on a directory of pages, beside plain trafilatura.

The pages are cleaned in `--repeat` passes, each in a fresh process so caches warm up as in
`cleanwire bench`; per page the fastest pass counts (the machine is shared and noisy), then the
median over pages is printed per stage. Times are CPU time of the process (less disturbed by other
processes than wall time; the cleaner does no I/O). The stages are the functions `cleaners.extract.clean`
calls, wrapped with a timer, so the profile follows the cleaner as it changes.

    .venv/bin/python benchmarks/profile_extract.py ../shared/devdata [--repeat 3] [--limit N]

Skips (exit 0) when the directory is absent.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from cleaners.bench import iter_pages, run_trafilatura

extract_module = importlib.import_module("cleaners.extract")  # the package re-exports a function of that name

#: the names `clean` calls, in order (a name missing from the module is skipped)
STAGES = (
    "decode",
    "parse",
    "extract_metadata",
    "scan_access",
    "from_meta",
    "_anchor_texts",
    "page_links",
    "prose_chars",
    "find_live_blog",
    "strip_code",
    "apply_site_overrides",
    "scan_page",
    "scan_structure",
    "collect_media",
    "prune",
    "drop_link_cards",
    "extract_body",
    "to_candidates",
    "text_elements",
    "script_body",
    "recover_paragraphs",
    "recover_lost",
    "filter_blocks",
    "recover_standfirst",
    "audit_dropped",
    "place_structure",
    "guard",
    "decide",
    "_build",
)


def instrument(times: dict[str, float]) -> None:
    """Wrap each stage function of cleaners.extract so its time adds to `times[name]`."""
    for name in STAGES:
        func = getattr(extract_module, name, None)
        if func is None:
            continue

        def timed(*args, __func=func, __name=name, **kwargs):
            start = time.process_time()
            try:
                return __func(*args, **kwargs)
            finally:
                times[__name] += (time.process_time() - start) * 1000

        setattr(extract_module, name, timed)


def one_pass(root: Path, limit: int | None) -> dict[str, list[float]]:
    """stage -> ms per page in one pass over the pages (caches warm up as in `cleanwire bench`).

    Also 'cleanwire' (the whole extract) and 'trafilatura' (plain bare_extraction on the same page).
    """
    times: dict[str, float] = defaultdict(float)
    instrument(times)
    per_page: dict[str, list[float]] = defaultdict(list)
    for n, (row, html) in enumerate(iter_pages(root)):
        if limit and n >= limit:
            break
        url = row.get("url") or ""
        times.clear()
        start = time.process_time()
        try:
            extract_module.extract(html, url=url)
        except Exception:  # a crash is timed like a page
            pass
        per_page["cleanwire"].append((time.process_time() - start) * 1000)
        start = time.process_time()
        run_trafilatura(html, url)
        per_page["trafilatura"].append((time.process_time() - start) * 1000)
        for name in STAGES:
            per_page[name].append(times.get(name, 0.0))
    return per_page


def profile(root: Path, repeat: int, limit: int | None) -> dict[str, list[float]]:
    """Per page and stage, the fastest of `repeat` passes, each in a fresh process (cold caches as in the bench)."""
    best: dict[str, list[float]] = {}
    for _ in range(repeat):
        cmd = [sys.executable, __file__, str(root), "--one-pass"] + (["--limit", str(limit)] if limit else [])
        run = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        best = {k: [min(a, b) for a, b in zip(v, best[k])] if k in best else v for k, v in run.items()}
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="truth directory (truth.jsonl + pages/)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page; the fastest counts")
    parser.add_argument("--limit", type=int, default=None, help="first N pages only")
    parser.add_argument("--one-pass", action="store_true", help=argparse.SUPPRESS)  # a child process's run
    args = parser.parse_args(argv)
    if not (args.root / "truth.jsonl").is_file():
        print(f"skipped: no truth.jsonl in {args.root}")
        return 0
    if args.one_pass:
        print(json.dumps(one_pass(args.root, args.limit)))
        return 0
    per_page = profile(args.root, args.repeat, args.limit)
    print(f"{'stage':<22} {'median ms':>9} {'mean ms':>8}")
    for name, values in per_page.items():
        if any(values):
            print(f"{name:<22} {statistics.median(values):>9.2f} {statistics.fmean(values):>8.2f}")
    ratio = statistics.median(per_page["cleanwire"]) / statistics.median(per_page["trafilatura"])
    print(f"median ratio cleanwire/trafilatura: {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
