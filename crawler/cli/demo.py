"""Serve the fixture news site on 127.0.0.1 and crawl it: the whole pipeline, offline."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.cli.args import add_settings_argument

#: settings for a loopback site we own: no politeness delays, more parallel requests
LOOPBACK_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "ERROR",
}


def add_arguments(parser) -> None:
    parser.add_argument("-o", "--output", default="out/demo.jsonl", help="where the records go (default: %(default)s)")
    add_settings_argument(parser)


def short_record(record: dict) -> str:
    """A record in a few lines: title, authors, date, words, the start of the text, removals by kind."""
    kinds: dict[str, int] = {}
    for removal in record.get("removed", []):
        kinds[removal["kind"]] = kinds.get(removal["kind"], 0) + 1
    removed = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"
    text = " ".join((record.get("text") or "").split())
    return "\n".join(
        [
            f"  url      {record['url']}",
            f"  title    {record.get('title')}",
            f"  authors  {', '.join(record.get('authors') or []) or '-'}",
            f"  date     {record.get('date_published') or '-'}",
            f"  words    {record.get('word_count')}",
            f"  text     {text[:200]}{'...' if len(text) > 200 else ''}",
            f"  removed  {removed}",
        ]
    )


def read_records(output: Path) -> list[dict]:
    """The records the crawl wrote, in the output's format: Parquet, a JSON array, or JSON lines."""
    suffix = output.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(output).to_pylist()
    text = output.read_text("utf-8")
    if suffix == ".json":
        return json.loads(text) if text.strip() else []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def run(args) -> int:
    from crawler.cli.crawl import feed_settings, run_crawl
    from crawler.demo.server import FixtureSite
    from crawler.engine import run_status
    from crawler.fetching.fetch import project_settings

    output = Path(args.output)
    with FixtureSite() as site:
        print(f'serving the fixture site "{site.manifest["site"]}" at {site.origin}/ (loopback, no network needed)')
        print("crawling it: robots.txt, sitemaps, feeds, links; extracting on every core\n", flush=True)
        extra = {**LOOPBACK_SETTINGS, "FEEDS": feed_settings(str(output))}
        stats = run_crawl([site.origin + "/"], project_settings(dict(args.settings), **extra))
    records = read_records(output)
    print(f"\n{len(records)} article records written to {output.resolve()}")
    if records:
        print("first record:")
        print(short_record(records[0]))
    return 0 if run_status(stats.get("finish_reason"))[1] == 0 and records else 1
