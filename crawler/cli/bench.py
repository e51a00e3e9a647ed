"""Score extraction on labelled pages (truth.jsonl + pages/), beside plain trafilatura."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cleaners.errors import InputError


def add_arguments(parser) -> None:
    parser.add_argument(
        "directory",
        nargs="+",
        help="directories with truth.jsonl and pages/<id>.html.gz (one table row per directory and system)",
    )
    parser.add_argument("--json", metavar="FILE", help="write the per-page figures to FILE")
    parser.add_argument("--limit", type=int, help="score only the first N pages of each directory")
    parser.add_argument("--only", choices=("cleanwire", "trafilatura"), help="run one system only")
    parser.add_argument(
        "--worst",
        type=int,
        metavar="N",
        default=0,
        help="list the N pages of each directory where cleanwire loses most F1 against trafilatura, "
        "with the lines it lost and added",
    )


def run(args) -> int:
    from cleaners.bench import bench, format_table, format_worst, worst
    from crawler.output.files import write_atomic

    roots = [Path(d) for d in args.directory]
    for root in roots:
        if not (root / "truth.jsonl").is_file():
            raise InputError("not a benchmark directory (no truth.jsonl)", str(root))
    if args.worst < 0:
        raise InputError("--worst must be 0 or more", str(args.worst))
    systems = (args.only,) if args.only else ("cleanwire", "trafilatura")
    tty = sys.stderr.isatty()
    runs = []
    for root in roots:

        def progress(n: int, name: str = root.name) -> None:
            if tty:
                print(f"\r{name}: {n} pages", end="", file=sys.stderr, flush=True)

        runs.append(bench(root, systems, limit=args.limit, progress=progress))
        if tty:
            print(file=sys.stderr)
    print(format_table(runs))
    if args.worst and "trafilatura" in systems and "cleanwire" in systems:
        losses = [loss for run in runs for loss in worst(run, args.worst)]
        print()
        print(format_worst(losses) if losses else "no page scores below trafilatura")
    for run in runs:
        for name, rows in run.results.items():
            for row in rows:
                if row.error:
                    print(f"{name} crashed on {run.name}/{row.id}: {row.error}", file=sys.stderr)
    if args.json:
        payload = {
            run.name: {
                "summary": run.summaries(),
                "pages": {n: [r.to_json() for r in rows] for n, rows in run.results.items()},
            }
            for run in runs
        }
        write_atomic(args.json, json.dumps(payload, indent=1, ensure_ascii=False))
    return 0
