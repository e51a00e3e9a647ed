"""Scrapy extensions for site crawls: robots.txt Crawl-delay, progress line and summary, per-item flushed feeds."""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping

from protego import Protego
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.exporters import JsonItemExporter, JsonLinesItemExporter
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.python import to_bytes
from twisted.internet import task

from crawler.output.parquet import NOT_WRITTEN, StopsOnFailure

logger = logging.getLogger(__name__)

SKIPPED = "cleanwire/skipped/"
DUPLICATES = "cleanwire/duplicates/"
HTTP_ERRORS = "cleanwire/http_errors/"
ACCESS = "cleanwire/access/"            # pages by access state: ok, paywall, bot_challenge, ... (ExtractPipeline, AccessCounter)
ERRORS = "cleanwire/errors/"


class CrawlDelay:
    """Honours robots.txt `Crawl-delay`: the download slot of that host never goes below it (AutoThrottle included)."""

    def __init__(self, crawler, user_agent: str, max_delay: float) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.max_delay = max_delay
        self.delays: dict[str, float] = {}       # host -> Crawl-delay, seconds

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("CLEANWIRE_OBEY_CRAWL_DELAY", True) or not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("Crawl-delay not obeyed")
        ext = cls(crawler, settings.get("USER_AGENT") or "", settings.getfloat("CLEANWIRE_MAX_CRAWL_DELAY", 30.0))
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.enforce, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.enforce, signal=signals.response_downloaded)   # after AutoThrottle's change
        return ext

    def response_received(self, response, request, spider=None) -> None:
        if urlparse_cached(request).path != "/robots.txt" or response.status != 200:
            return
        try:
            delay = Protego.parse(response.body.decode("utf-8", "replace")).crawl_delay(self.user_agent)
        except Exception:       # a robots.txt Protego cannot read gives no delay
            delay = None
        if delay:
            host = urlparse_cached(request).hostname or ""
            self.delays[host] = min(float(delay), self.max_delay)
            logger.info("robots.txt of %s asks for Crawl-delay %.1f s", host, self.delays[host])

    def enforce(self, request, spider=None, response=None) -> None:
        if not self.delays or self.crawler.engine is None:
            return
        key = request.meta.get("download_slot") or urlparse_cached(request).hostname or ""
        delay = self.delays.get(urlparse_cached(request).hostname or "")
        slot = self.crawler.engine.downloader.slots.get(key)
        if delay and slot is not None and slot.delay < delay:
            slot.delay = delay


class Backoff:
    """Slows a site down when it says it is overloaded: a 429 or 5xx doubles its slot delay (Retry-After honoured),
    each later success halves it back towards the configured delay. Retries then wait at least that long."""

    STATUSES = frozenset({429, 500, 502, 503, 504, 522, 524})

    def __init__(self, crawler, start: float, maximum: float) -> None:
        self.crawler = crawler
        self.start = start          # first backoff delay, seconds
        self.maximum = maximum      # longest backoff delay, seconds
        self.base: dict[str, float] = {}    # slot -> its delay before backing off

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("CLEANWIRE_BACKOFF", True):
            raise NotConfigured
        ext = cls(crawler, settings.getfloat("CLEANWIRE_BACKOFF_START", 1.0),
                  settings.getfloat("CLEANWIRE_BACKOFF_MAX", 60.0))
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        return ext

    def response_downloaded(self, response, request, spider=None) -> None:
        key = request.meta.get("download_slot")
        slot = self.crawler.engine.downloader.slots.get(key) if key and self.crawler.engine else None
        if slot is None:
            return
        if response.status in self.STATUSES:
            self.base.setdefault(key, slot.delay)
            wanted = max(slot.delay * 2, self.start, _retry_after(response))
            slot.delay = min(wanted, self.maximum)
            self.crawler.stats.inc_value("cleanwire/backoffs")
            logger.info("%s answered %d: delay for %s now %.1f s", request.url, response.status, key, slot.delay)
        elif key in self.base and 200 <= response.status < 400:
            slot.delay = slot.delay / 2
            if slot.delay <= max(self.base[key], self.start / 8):
                slot.delay = self.base.pop(key)


def _retry_after(response) -> float:
    value = response.headers.get(b"Retry-After", b"").decode("latin-1").strip()
    return float(value) if value.isdigit() else 0.0


def _grouped(stats: Mapping, prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix) and v}


#: articles extracted but not emitted, by reason (the run's state said unchanged, --drop-near-duplicates)
WITHHELD = (("unchanged since last run", "cleanwire/state/unchanged"),
            ("near-duplicates dropped", "cleanwire/dropped/near_duplicate"))


def summarize(stats: Mapping, elapsed: float) -> dict:
    """The crawl's totals from Scrapy stats: what the summary and the progress line show."""
    fetched = stats.get("downloader/response_count", 0)      # every HTTP response, redirects and retries included
    return {
        "fetched": fetched,
        "articles": stats.get("item_scraped_count", 0) - stats.get(NOT_WRITTEN, 0),   # records that went out
        "extracted": stats.get("cleanwire/articles", 0),        # articles extracted, before state and near-dup checks
        "withheld": {name: stats[key] for name, key in WITHHELD if stats.get(key)},
        "skipped": _grouped(stats, SKIPPED),
        "access": _grouped(stats, ACCESS),                      # access state of each page read (cleaners.access)
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
        "rendered": stats.get("cleanwire/render/rendered", 0),    # pages Chromium rendered (--render)
        "render": _grouped(stats, "cleanwire/render/"),
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
        *([f"  access states      {sum(s['access'].values()):>6}   {_breakdown(s['access'])}"] if s.get("access") else []),
        f"  HTTP errors        {sum(s['http_errors'].values()):>6}   {_breakdown(s['http_errors'], 'HTTP ')}",
        f"  other errors       {sum(s['errors'].values()):>6}   {_breakdown(s['errors'])}",
    ]
    if s.get("render"):         # only when a page was sent to the browser (--render)
        lines.append(f"  rendered           {s['rendered']:>6}   {_render_notes(s['render'])}")
    return "\n".join(line.rstrip() for line in lines)


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
    return (f"fetched {s['fetched']}  articles {s['articles']}  skipped {sum(s['skipped'].values())}"
            f"  errors {errors}  {s['pages_per_s']:.1f} pages/s")


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
        settings = crawler.settings
        ext = cls(crawler.stats, settings.getfloat("CLEANWIRE_PROGRESS_INTERVAL", 0.5),
                  settings.getbool("CLEANWIRE_PROGRESS"), settings.getbool("CLEANWIRE_SUMMARY"))
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


class _FlushingFeed(StopsOnFailure):
    """Each record written through to the file at once; a failed write stops the crawl in one line."""

    @classmethod
    def from_crawler(cls, crawler, file, **kwargs):
        exporter = cls(file, **kwargs)
        exporter.crawler = crawler
        return exporter

    def export_item(self, item) -> None:
        if self.failure:
            self.not_written()
            return
        try:
            self._write(item)
            self.file.flush()
        except OSError as exc:
            if self.crawler is None:
                raise
            self.not_written()
            self._fail(exc)

    def finish_exporting(self) -> None:
        if self.failure:
            return
        try:
            super().finish_exporting()
            self.file.flush()
        except OSError as exc:
            if self.crawler is None:
                raise
            self._fail(exc)


class FlushingJsonLinesExporter(_FlushingFeed, JsonLinesItemExporter):
    """JSON Lines written through to the file after every record, so a reader sees each article at once."""

    def _write(self, item) -> None:
        if type(item) is dict and self.fields_to_export is None and type(self).serialize_field is \
                JsonLinesItemExporter.serialize_field:      # the same line without a field-by-field copy
            self.file.write(to_bytes(self.encoder.encode(item) + "\n", self.encoding))
        else:
            JsonLinesItemExporter.export_item(self, item)


class FlushingJsonExporter(_FlushingFeed, JsonItemExporter):
    """A JSON array flushed after every record (the closing bracket comes at the end of the crawl)."""

    def _write(self, item) -> None:
        JsonItemExporter.export_item(self, item)
