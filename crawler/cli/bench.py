"""Score extraction on labelled pages (truth.jsonl + pages/), beside plain trafilatura."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from cleaners.errors import InputError


def add_arguments(parser) -> None:
    parser.add_argument("directory", help="a directory with truth.jsonl and pages/<id>.html.gz")
    parser.add_argument("--json", metavar="FILE", help="write the per-page figures to FILE")
    parser.add_argument("--limit", type=int, help="score only the first N pages")
    parser.add_argument("--only", choices=("cleanwire", "trafilatura"), help="run one system only")


def run(args) -> int:
    from cleaners.bench import bench, format_table, summarise
    from crawler.output.files import write_atomic

    root = Path(args.directory)
    if not (root / "truth.jsonl").is_file():
        raise InputError("not a benchmark directory (no truth.jsonl)", str(root))
    systems = (args.only,) if args.only else ("cleanwire", "trafilatura")
    tty = sys.stderr.isatty()

    def progress(n: int) -> None:
        if tty:
            print(f"\r{n} pages", end="", file=sys.stderr, flush=True)

    results = bench(root, systems, limit=args.limit, progress=progress)
    if tty:
        print(file=sys.stderr)
    summaries = {name: summarise(rows) for name, rows in results.items()}
    print(format_table(summaries))
    for name, rows in results.items():
        for row in rows:
            if row.error:
                print(f"{name} crashed on {row.id}: {row.error}", file=sys.stderr)
    if args.json:
        payload = {"summary": summaries, "pages": {n: [r.__dict__ for r in rows] for n, rows in results.items()}}
        write_atomic(args.json, json.dumps(payload, indent=1, ensure_ascii=False))
    return 0
