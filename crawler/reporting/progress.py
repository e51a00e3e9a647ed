"""The crawl's live progress line on a terminal and its summary at the end (the CrawlProgress extension)."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping

from scrapy import signals
from twisted.internet import task

from crawler.settings import with_defaults
from crawler.stats import (
    ACCESS,
    DUPLICATES,
    ERRORS,
    EXTRACT_PAGES,
    HTTP_ERRORS,
    NOT_WRITTEN,
    SKIPPED,
    TASK_CPU,
    WORKER_CPU,
)


def _grouped(stats: Mapping, prefix: str) -> dict[str, int]:
    return {k[len(prefix) :]: v for k, v in sorted(stats.items()) if k.startswith(prefix) and v}


#: articles extracted but not emitted, by reason (the run's state said unchanged, --drop-near-duplicates)
WITHHELD = (
    ("unchanged since last run", "cleanwire/state/unchanged"),
    ("near-duplicates dropped", "cleanwire/dropped/near_duplicate"),
)


def summarize(stats: Mapping, elapsed: float) -> dict:
    """The crawl's totals from Scrapy stats: what the summary and the progress line show."""
    fetched = stats.get("downloader/response_count", 0)  # every HTTP response, redirects and retries included
    return {
        "fetched": fetched,
        "articles": stats.get("item_scraped_count", 0) - stats.get(NOT_WRITTEN, 0),  # records that went out
        "extracted": stats.get("cleanwire/articles", 0),  # articles extracted, before state and near-dup checks
        "withheld": {name: stats[key] for name, key in WITHHELD if stats.get(key)},
        "skipped": _grouped(stats, SKIPPED),
        "access": _grouped(stats, ACCESS),  # access state of each page read (cleaners.access)
        "duplicates": _grouped(stats, DUPLICATES),
        "robots_forbidden": stats.get("robotstxt/forbidden", 0),
        "http_errors": _grouped(stats, HTTP_ERRORS),
        "errors": _grouped(stats, ERRORS),
        "retries": stats.get("retry/count", 0),
        "sitemaps": stats.get("cleanwire/discovery/sitemaps", 0),
        "feeds": stats.get("cleanwire/discovery/feeds", 0),
        "malformed": stats.get("cleanwire/discovery/sitemap_malformed", 0)
        + stats.get("cleanwire/discovery/feed_malformed", 0),
        "elapsed": elapsed,
        "pages_per_s": fetched / elapsed if elapsed > 0 else 0.0,
        "rendered": stats.get("cleanwire/render/rendered", 0),  # pages Chromium rendered (--render)
        "render": _grouped(stats, "cleanwire/render/"),
        "worker_cpu": stats.get(WORKER_CPU, 0.0),  # CPU seconds of the extraction workers
        "task_cpu": stats.get(TASK_CPU, 0.0),  # of it extracting (the rest: pages and results passed)
        "tasks": stats.get(EXTRACT_PAGES, 0),
    }


def _breakdown(counts: dict[str, int], sign: str = "") -> str:
    return ", ".join(f"{sign}{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def format_summary(s: dict, reason: str = "finished") -> str:
    lines = [
        f"crawl {reason} in {s['elapsed']:.1f} s",
        f"  pages fetched      {s['fetched']:>6}   {s['pages_per_s']:.1f} pages/s"
        f" (sitemaps {s['sitemaps']}, feeds {s['feeds']}, malformed {s['malformed']}, retries {s['retries']})",
        f"  articles emitted   {s['articles']:>6}"
        + (f"   of {s['extracted']} extracted; {_breakdown(s['withheld'])}" if s["withheld"] else ""),
        f"  skipped            {sum(s['skipped'].values()):>6}   {_breakdown(s['skipped'])}",
        f"  duplicates         {sum(s['duplicates'].values()):>6}   {_breakdown(s['duplicates'])}",
        f"  robots-forbidden   {s['robots_forbidden']:>6}",
        *(
            [f"  access states      {sum(s['access'].values()):>6}   {_breakdown(s['access'])}"]
            if s.get("access")
            else []
        ),
        f"  HTTP errors        {sum(s['http_errors'].values()):>6}   {_breakdown(s['http_errors'], 'HTTP ')}",
        f"  other errors       {sum(s['errors'].values()):>6}   {_breakdown(s['errors'])}",
    ]
    if s.get("worker_cpu"):
        lines.append(f"  worker CPU (s)     {s['worker_cpu']:>6.1f}   {_cpu_split(s)}")
    if s.get("render"):  # only when a page was sent to the browser (--render)
        lines.append(f"  rendered           {s['rendered']:>6}   {_render_notes(s['render'])}")
    return "\n".join(line.rstrip() for line in lines)


def _cpu_split(s: dict) -> str:
    """`41.2 on 3180 pages, 0.4 starting and passing pages and results (0.13 ms a page)`."""
    passing = max(0.0, s["worker_cpu"] - s["task_cpu"])
    each = f" ({1000 * passing / s['tasks']:.2f} ms a page)" if s.get("tasks") else ""
    return f"{s['task_cpu']:.1f} on {s['tasks']} pages, {passing:.1f} starting and passing pages and results{each}"


def _render_notes(counts: dict[str, int]) -> str:
    """`of 12 asked; over budget 3, subrequests blocked: image 40, private 2`."""
    notes = [f"of {counts.get('requested', 0)} asked"]
    over = counts.get("over_budget", 0) + counts.get("over_site_budget", 0)
    if over:
        notes.append(f"over budget {over}")
    if counts.get("too_large"):
        notes.append(f"too large {counts['too_large']}")
    blocked = {k.removeprefix("blocked/"): v for k, v in counts.items() if k.startswith("blocked/")}
    if blocked:
        notes.append(f"subrequests blocked: {_breakdown(blocked)}")
    return "; ".join(notes)


def progress_line(s: dict) -> str:
    errors = sum(s["http_errors"].values()) + sum(s["errors"].values())
    return (
        f"fetched {s['fetched']}  articles {s['articles']}  skipped {sum(s['skipped'].values())}"
        f"  errors {errors}  {s['pages_per_s']:.1f} pages/s"
    )


class CrawlProgress:
    """Prints a live progress line on a terminal and the summary at the end, for spiders that ask for it."""

    def __init__(self, stats, interval: float, progress: bool, summary: bool, stream=None) -> None:
        self.stats = stats
        self.interval = interval
        self.progress = progress
        self.summary = summary
        self.stream = stream or sys.stderr
        self.started = 0.0
        self.loop: task.LoopingCall | None = None
        self.active = False
        self.last: dict | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = with_defaults(crawler.settings)
        ext = cls(
            crawler.stats,
            settings.getfloat("CLEANWIRE_PROGRESS_INTERVAL"),
            settings.getbool("CLEANWIRE_PROGRESS"),
            settings.getbool("CLEANWIRE_SUMMARY"),
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        self.active = bool(getattr(spider, "cleanwire_summary", False))
        self.started = time.monotonic()
        if self.active and self.progress and self.stream.isatty():
            self.loop = task.LoopingCall(self.show)
            self.loop.start(self.interval, now=False)

    def current(self) -> dict:
        return summarize(self.stats.get_stats(), time.monotonic() - self.started)

    def show(self) -> None:
        self.stream.write("\r\x1b[K" + progress_line(self.current()))
        self.stream.flush()

    def spider_closed(self, spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
            self.stream.write("\r\x1b[K")
        if not self.active:
            return
        self.last = self.current()
        self.stats.set_value("cleanwire/elapsed_s", round(self.last["elapsed"], 3))
        if self.summary:
            self.stream.write(format_summary(self.last, reason) + "\n")
            self.stream.flush()
