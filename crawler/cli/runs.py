"""List the past crawl runs recorded in a state database, with their counts."""

from __future__ import annotations

import json

COUNT_COLUMNS = ("emitted", "new", "revised", "unchanged", "errors")


def add_state_argument(parser) -> None:
    from crawler.incremental.state import default_state_path

    parser.add_argument(
        "--state",
        metavar="PATH",
        default=str(default_state_path()),
        help="the crawl state database (default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def add_arguments(parser) -> None:
    add_state_argument(parser)
    parser.add_argument("-n", "--limit", type=int, default=20, metavar="N", help="newest N runs (0 = all; default 20)")


def live_status(run: dict, holder: dict | None) -> str:
    """A 'running' row is running only while its PID holds the lock; otherwise it was killed (repaired next run)."""
    from crawler.incremental.state import pid_alive

    if run["status"] != "running":
        return run["status"]
    if holder and holder["pid"] == run["pid"] and pid_alive(run["pid"]):
        return "running"
    return "killed?"


def duration(run: dict) -> str:
    from datetime import datetime

    if not run["ended"]:
        return "-"
    seconds = (datetime.fromisoformat(run["ended"]) - datetime.fromisoformat(run["started"])).total_seconds()
    return f"{seconds:.0f}s" if seconds < 3600 else f"{seconds / 3600:.1f}h"


def run(args) -> int:
    from crawler.incremental.state import open_existing

    with open_existing(args.state) as state:
        holder = state.lock_holder()
        runs = state.runs(args.limit or None)
        for item in runs:
            item["status"] = live_status(item, holder)
            item["outputs"] = [o["path"] for o in state.outputs(item["id"])]
    if args.json:
        print(json.dumps(runs, indent=2, ensure_ascii=False))
        return 0
    print(
        f"{'run':>5} {'status':<12} {'started':<25} {'took':>6} "
        + " ".join(f"{c:>9}" for c in COUNT_COLUMNS)
        + "  sites"
    )
    for item in runs:
        counts = " ".join(f"{item['counts'].get(c, 0):>9}" for c in COUNT_COLUMNS)
        print(
            f"{item['id']:>5} {item['status']:<12} {item['started']:<25} {duration(item):>6} {counts}  "
            f"{', '.join(item['sites'])}"
        )
    if not runs:
        print("(no runs yet)")
    return 0
