"""Per-site totals of a state database, its last run and who holds its run lock."""

from __future__ import annotations

import json

from crawler.cli.runs import add_state_argument, live_status


def add_arguments(parser) -> None:
    add_state_argument(parser)
    parser.add_argument(
        "--min-articles",
        type=int,
        default=3,
        metavar="N",
        help="articles a block must appear on to count as template (default 3)",
    )


def gather(state, min_articles: int) -> dict:
    from crawler.incremental.state import pid_alive

    holder = state.lock_holder()
    templates = state.template_counts(min_articles)
    sites = [{**site, "template_blocks": templates.get(site["site"], 0)} for site in state.site_totals()]
    last = state.runs(1)
    if last:
        last[0]["status"] = live_status(last[0], holder)
    if holder:
        holder["alive"] = pid_alive(holder["pid"])
    return {
        "state": state.path,
        "schema_version": state.version,
        "sites": sites,
        "last_run": last[0] if last else None,
        "lock": holder,
    }


def run(args) -> int:
    from crawler.incremental.state import open_existing

    with open_existing(args.state) as state:
        report = gather(state, args.min_articles)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(f"state {report['state']} (schema version {report['schema_version']})")
    print(
        f"{'site':<32} {'urls':>7} {'articles':>8} {'revised':>7} {'pending':>7} {'refused':>7} {'template':>8}  "
        "last fetched"
    )
    for site in report["sites"]:
        print(
            f"{site['site'][:32]:<32} {site['urls']:>7} {site['articles']:>8} {site['revised']:>7} "
            f"{site['pending']:>7} {site['refused']:>7} {site['template_blocks']:>8}  {site['last_fetched'] or '-'}"
        )
    last, lock = report["last_run"], report["lock"]
    if last:
        counts = ", ".join(f"{name} {value}" for name, value in sorted(last["counts"].items()))
        print(
            f"last run {last['id']}: {last['status']}, started {last['started']}, ended {last['ended'] or '-'}"
            f"{'; ' + counts if counts else ''}"
        )
    else:
        print("no runs yet")
    if lock:
        state_word = "running" if lock["alive"] else "stale: PID gone, the next run takes it over"
        print(f"run lock: PID {lock['pid']} on {lock['host']}, since {lock['started']} ({state_word})")
    return 0
