"""Crawl whole sites: discover articles through robots.txt, sitemaps, feeds and links; write one record each."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from cleaners.errors import InputError
from crawler.cli.args import add_common_arguments, add_record_arguments, count, positive_int
from crawler.cli.extract import url_problem
from crawler.output.files import chunks_problem
from crawler.stats import FAILURE

FEED_FORMATS = {
    ".jsonl": "jsonlines",
    ".ndjson": "jsonlines",
    ".json": "json",
    ".parquet": "parquet",
    ".md": "markdown",
}
#: --format names -> Scrapy feed formats (FEED_EXPORTERS)
CRAWL_FORMATS = {"jsonl": "jsonlines", "json": "json", "parquet": "parquet", "markdown": "markdown", "chunks": "chunks"}


def _iso_date(text: str) -> str:
    import argparse

    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date like 2025-01-31, got {text!r}") from exc


def _days(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def add_arguments(parser) -> None:
    parser.add_argument("sites", nargs="*", metavar="SITE_URL", help="home URL of a site to crawl (repeatable)")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="-",
        help="where records go: .jsonl (default format), .json or .parquet; '-' for stdout",
    )
    parser.add_argument(
        "--format",
        choices=tuple(CRAWL_FORMATS),
        help="jsonl (default), json, parquet, markdown (front matter and body per record) or chunks "
        "(one chunk a JSONL line; needs --chunks); default: from the -o suffix",
    )
    add_record_arguments(parser)
    parser.add_argument(
        "--sources",
        metavar="FILE",
        help='sites to crawl: one URL per line, or TOML with urls = [...] and [sites."x"] overrides',
    )
    parser.add_argument(
        "--state",
        metavar="PATH",
        help="incremental crawl state (SQLite); -o is then a .jsonl file every run appends its new records to, or "
        "a per-run template like 'out/{site}/{run_started:%%Y%%m%%d-%%H%%M%%S}.jsonl' (with a template the "
        "default state is ~/.local/share/cleanwire/state.db)",
    )
    parser.add_argument(
        "--recheck-days",
        type=_days,
        metavar="N",
        help="fetch an already emitted article again once N days have passed (default: only when "
        "its sitemap/feed date moves)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="ignore the state for discovery (fetch every page); output is still de-duplicated",
    )
    parser.add_argument("--max-pages", type=count, metavar="N", help="stop after fetching N responses (0: no limit)")
    parser.add_argument("--since", type=_iso_date, metavar="DATE", help="skip articles published before DATE")
    parser.add_argument(
        "--workers", type=positive_int, metavar="N", help="extraction processes (default: one per core)"
    )
    parser.add_argument(
        "--deny-private",
        action="store_true",
        help="refuse private, loopback and link-local addresses even for the sites named",
    )
    parser.add_argument("--rejects", metavar="FILE", help="JSONL: one line per fetched page not emitted, with status")
    parser.add_argument(
        "--warc",
        metavar="PATH",
        help="archive every response to WARC files named after PATH (a prefix): 'a/crawl.warc.gz' "
        "writes a/crawl-00000.warc.gz, then a/crawl-00001.warc.gz once CLEANWIRE_WARC_MAX_BYTES "
        "is reached",
    )
    parser.add_argument(
        "--drop-near-duplicates",
        action="store_true",
        help="drop near-duplicates of earlier records instead of setting duplicate_of",
    )
    parser.add_argument("--redis", metavar="URL", help="share the crawl with other workers: redis://HOST:PORT/0")
    add_common_arguments(parser)


def read_sources(path: str) -> tuple[list[str], str | None]:
    """(site URLs, overrides file or None) from a sources file: plain URL lines, or TOML."""
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        raise InputError(exc.strerror or "cannot read", path) from exc
    if file.suffix.lower() != ".toml":
        return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")], None
    from crawler.discovery.sources import read_toml_sources

    sources = read_toml_sources(path)
    return sources.urls, (path if sources.has_overrides else None)


def feed_settings(output: str, requested: str | None = None) -> dict:
    if output in ("-", ""):
        return {"stdout:": {"format": CRAWL_FORMATS.get(requested or "jsonl", "jsonlines"), "encoding": "utf-8"}}
    fmt = CRAWL_FORMATS[requested] if requested else FEED_FORMATS.get(Path(output).suffix.lower(), "jsonlines")
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    return {feed_path(output): {"format": fmt, "encoding": "utf-8", "overwrite": True}}


def feed_path(output: str) -> str:
    """The absolute path of -o, symlinks resolved, except a device or FIFO (/dev/stdout must not become 'pipe:[n]')."""
    from crawler.output.files import output_target

    target, in_place, _mode = output_target(output)
    return str(target.absolute() if in_place else target.resolve())


def crawl_settings(args, sites: list[str], overrides_file: str | None) -> dict:
    """Settings from the command's flags; `-s NAME=VALUE` pairs are applied after these."""
    templated = "{" in args.output  # a per-run template: written by the journal (state_settings), not FEEDS
    extra: dict[str, Any] = {
        "FEEDS": {} if templated else feed_settings(args.output, getattr(args, "format", None)),
        "LOG_LEVEL": "ERROR",
    }  # the summary reports the rest
    if getattr(args, "chunks", None):
        extra["CLEANWIRE_CHUNK_TOKENS"] = args.chunks
    if args.max_pages:
        extra["CLOSESPIDER_PAGECOUNT"] = args.max_pages
    if args.since:
        extra["CLEANWIRE_SINCE"] = args.since
    extra.update(state_settings(args))
    if args.workers:
        extra["CLEANWIRE_WORKERS"] = args.workers
    if args.deny_private:
        extra["CLEANWIRE_DENY_PRIVATE"] = True
    if args.render:
        extra["CLEANWIRE_RENDER"] = args.render
    if args.mode:
        extra["CLEANWIRE_MODE"] = args.mode
    if args.keep:
        extra["CLEANWIRE_KEEP_KINDS"] = args.keep
    if args.drop:
        extra["CLEANWIRE_DROP_KINDS"] = args.drop
    if args.overrides or overrides_file:
        extra["CLEANWIRE_OVERRIDES"] = args.overrides or overrides_file
    return {**extra, **dataset_settings(args, extra.get("CLEANWIRE_STATE"))}


def dataset_settings(args, state: str | None) -> dict:
    """Rejects, WARC, near-duplicates (in the state file, else in memory for the run) and the Redis crawl."""
    from crawler.distributed.scheduler import redis_settings

    extra: dict[str, Any] = {"CLEANWIRE_NEARDUP": state or ":memory:"}
    if args.drop_near_duplicates:
        extra["CLEANWIRE_DROP_NEAR_DUPLICATES"] = True
    if args.rejects:
        extra["CLEANWIRE_REJECTS"] = args.rejects
    if getattr(args, "respect_tdm", False):
        extra["CLEANWIRE_RESPECT_TDM"] = True
    if args.warc:
        extra["CLEANWIRE_WARC"] = args.warc
    return {**extra, **(redis_settings(args.redis, args.output, state) if args.redis else {})}


def state_path(args) -> str | None:
    """--state, else the default state file when -o is a per-run template, else None (a one-off crawl)."""
    from crawler.incremental.state import default_state_path

    if args.state:
        return args.state
    return str(default_state_path()) if "{" in args.output else None


def state_settings(args) -> dict:
    """An incremental crawl writes its output through the journal, not FEEDS: appended to one plain JSONL file, or
    one file per run and site from a template."""
    path = state_path(args)
    if path is None:
        if args.full or args.recheck_days is not None:
            raise InputError("--full and --recheck-days need --state or a per-run -o template", "crawl")
        return {}
    if args.output in ("-", "") or Path(args.output).suffix.lower() not in (".jsonl", ".ndjson"):
        raise InputError(
            "an incremental crawl appends JSON lines to a file it can trim after a killed run (not stdout, JSON, "
            "Parquet or Markdown): give -o a .jsonl or .ndjson file, or a per-run template such as "
            "'out/{site}/{run_started:%Y%m%d-%H%M%S}.jsonl'",
            args.output or "-",
        )
    if getattr(args, "format", None) not in (None, "jsonl"):
        raise InputError(f"an incremental crawl writes JSONL records, not {args.format}", f"--format {args.format}")
    extra = {"CLEANWIRE_STATE": path, "CLEANWIRE_OUTPUT_TEMPLATE": args.output, "FEEDS": {}}
    if args.full:
        extra["CLEANWIRE_FULL"] = True
    if args.recheck_days is not None:
        extra["CLEANWIRE_RECHECK_DAYS"] = args.recheck_days
    return extra


def check_state(store, output: str = "") -> None:
    """Take the state's write lock for an instant: a database another process is writing stops the run here. So
    does a plain -o that something else wrote or changed since the state's last run (a killed run's torn tail is
    not that: the run trims it once it holds the lock)."""
    from crawler.incremental.journal import append_offset, is_template

    try:
        with store.transaction():
            pass
        if output and not is_template(output) and not store.unfinished_runs():
            append_offset(store, os.path.abspath(output))
    finally:
        store.close()


def run_crawl(sites: list[str], settings) -> dict:
    """Run the site spider in this process (the Twisted reactor starts once per process); its final stats."""
    from scrapy.crawler import CrawlerProcess

    from crawler.fetching.render import configure as configure_render
    from crawler.incremental.state import StateError
    from crawler.spiders.site import SiteSpider

    configure_render(settings)  # the browser's download handler, when pages may be rendered
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    failed: list[Exception] = []  # a state error while the crawl opens (locked since check_state): one line
    process.crawl(crawler, urls=sites).addErrback(lambda f: failed.append(f.value) if f.check(StateError) else f)
    process.start()
    if failed:
        raise failed[0]
    return crawler.stats.get_stats()


def apply_sources_file(args) -> dict:
    """A TOML sources file's `state` and `output` stand in for --state and -o; its per-site settings."""
    from crawler.discovery.sources import read_toml_sources

    if not args.sources.lower().endswith(".toml"):
        return {}
    sources = read_toml_sources(args.sources)
    if sources.state and not args.state:
        args.state = sources.state
    if sources.output and args.output in ("-", ""):
        args.output = sources.output
    return sources.settings()


def run_failure(stats: dict) -> str | None:
    """Why a state run itself failed (page errors are counted, not failures): output not written, no site answered."""
    return stats.get(FAILURE)


def check_sites(sites: list[str]) -> None:
    """Every site must be an http(s) URL with a host: else one line naming it, exit 2, before Scrapy starts."""
    from crawler.discovery.normalize import BadURL, normalize_url

    for site in sites:
        problem = url_problem(site.strip())
        if problem is None:
            try:
                normalize_url(site)
            except BadURL as exc:
                problem = f"malformed URL ({exc})"
        if problem:
            raise InputError(problem, site)


def check_crawl_output(output: str) -> None:
    """-o must be writable before the crawl starts: a file (not a directory) in a directory that exists or can be
    made, or, for a per-run template, the directory before its first placeholder. One line, exit 1."""
    from crawler.output.files import check_directory, check_output

    if output in ("-", ""):
        return
    if "{" in output:
        check_directory(os.path.dirname(output[: output.index("{")]) or ".", output)
    else:
        check_output(output)


def no_answer(stats: dict, sites: list[str]) -> str:
    """Why no site answered, naming what --deny-private refused."""
    from crawler.incremental.pipeline import NO_RESPONSE

    refused = sum(v for k, v in stats.items() if k.startswith("cleanwire/refused/private"))
    if refused:
        return (
            f"no site answered: --deny-private refused every request ({', '.join(sites)}: private, loopback or "
            "link-local address)"
        )
    return NO_RESPONSE


def written_outputs(stats: dict, settings, output: str) -> list[tuple[str, int]]:
    """(path, records) of every output file that received records."""
    if settings.get("CLEANWIRE_OUTPUT_TEMPLATE"):
        return [(path, n) for path, n in stats.get("cleanwire/state/outputs") or () if n]
    records = stats.get("item_scraped_count") or 0
    if output in ("-", "") or not records or stats.get(FAILURE):  # failed: not written
        return []
    return [(feed_path(output), records)]


def run(args) -> int:
    from crawler.cli.main import quiet_scrapy
    from crawler.engine import run_status
    from crawler.fetching.fetch import project_settings

    sites, overrides_file, per_site = list(args.sites), None, {}
    if args.sources:
        listed, overrides_file = read_sources(args.sources)
        sites += listed
        per_site = apply_sources_file(args)
    if not sites:
        raise InputError("give at least one SITE_URL or --sources FILE", "crawl")
    check_sites(sites)
    check_crawl_output(args.output)  # before the crawl: an unwritable -o would fail every record, then exit 0
    check_crawl_output(args.rejects or "-")
    if args.warc:
        from crawler.output.files import check_directory

        check_directory(os.path.dirname(args.warc) or ".", args.warc)
    settings = project_settings(dict(args.settings), **{**crawl_settings(args, sites, overrides_file), **per_site})
    fmt = args.format or ("markdown" if args.output.lower().endswith(".md") else "jsonl")
    problem = chunks_problem(fmt, settings.getint("CLEANWIRE_CHUNK_TOKENS"))
    if problem:
        raise InputError(problem, "crawl")
    if settings.get("CLEANWIRE_STATE"):
        from crawler.incremental.state import RunLock, StateStore

        RunLock(settings.get("CLEANWIRE_STATE")).assert_free()  # a second run stops here, naming the holder
        state = StateStore(settings.get("CLEANWIRE_STATE"))
        check_state(state, settings.get("CLEANWIRE_OUTPUT_TEMPLATE"))  # corrupt, newer, locked: one line, exit 2
    quiet_scrapy()
    stats = run_crawl(sites, settings)
    for path, records in written_outputs(stats, settings, args.output):
        print(f"cleanwire crawl: {records} records written to {path}", file=sys.stderr, flush=True)
    _status, exit_status = run_status(stats.get("finish_reason"))
    if exit_status == 130:
        return exit_status  # SIGINT/SIGTERM: stopped cleanly; the next run resumes
    failure = run_failure(stats)
    if not stats.get("downloader/response_count") and not args.redis:  # a Redis worker may find nothing left to do
        failure = no_answer(stats, sites) if failure is None or failure.startswith("no site answered") else failure
    if failure:
        print(f"cleanwire crawl: {failure}", file=sys.stderr, flush=True)
        return 1
    return exit_status
