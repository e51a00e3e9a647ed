"""Item pipelines: Page -> clean record in worker processes, then quality, dedup and state, each skip counted."""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from urllib.parse import urlsplit

from scrapy.exceptions import DropItem, NotConfigured

from cleaners import CleanwireError, Options, clean
from crawler.classify import UNKNOWN
from crawler.items import Page
from crawler.urls import try_normalize

logger = logging.getLogger(__name__)

#: the cleaner's not-article reasons (message prefixes) -> stats keys
NOT_ARTICLE_REASONS = (
    ("no main content", "no_content"),
    ("too little text", "too_little_text"),
    ("page type", "page_type"),
)
KILL_WORKER_ON = "CLEANWIRE_TEST_KILL_WORKER_ON"        # test hook (see _test_kill_hook), never set in production
KILL_WORKER_MARK = "CLEANWIRE_TEST_KILL_WORKER_MARK"


def options_from_settings(settings) -> Options:
    """The cleaner's Options from CLEANWIRE_* settings."""
    from crawler.overrides import load_overrides

    return Options(
        mode=settings.get("CLEANWIRE_MODE", "balanced"),
        keep_kinds=frozenset(settings.getlist("CLEANWIRE_KEEP_KINDS")),
        drop_kinds=frozenset(settings.getlist("CLEANWIRE_DROP_KINDS")),
        site_overrides=load_overrides(settings.get("CLEANWIRE_OVERRIDES") or None),
    )


def reason_key(reason: str) -> str:
    for prefix, key in NOT_ARTICLE_REASONS:
        if reason.startswith(prefix):
            return key
    return "other"


def extract_record(body: bytes, url: str, options: Options, http_charset: str | None) -> tuple[str, object]:
    """Runs in a worker process: ('article', record) | ('not_article', reason) | ('bad_input', reason)."""
    _test_kill_hook(url)
    try:
        result = clean(body, url, options, http_charset=http_charset)
    except CleanwireError as exc:
        return "bad_input", exc.reason
    if result.article is None:
        return "not_article", result.not_article_reason or "not an article"
    return "article", result.article.to_dict()


def _test_kill_hook(url: str) -> None:
    """Test hook only: a worker SIGKILLs itself on a URL containing $CLEANWIRE_TEST_KILL_WORKER_ON; with
    $CLEANWIRE_TEST_KILL_WORKER_MARK set, only the worker that creates that file does (so once per crawl)."""
    needle = os.environ.get(KILL_WORKER_ON)
    if not needle or needle not in url:
        return
    mark = os.environ.get(KILL_WORKER_MARK)
    if mark:
        try:
            os.close(os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return          # killed once already
    os.kill(os.getpid(), signal.SIGKILL)


def make_executor(workers: int) -> Executor:
    """A process pool whose workers import the cleaner once (forkserver where available, else spawn)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["cleaners", "crawler.pipelines"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


class ExtractPipeline:
    """Runs cleaners.extract on each Page in a pool of worker processes; at most `in_flight` pages at once."""

    def __init__(self, options: Options, stats, workers: int, in_flight: int, min_words_unsure: int = 150) -> None:
        self.options = options
        self.stats = stats
        self.workers = workers
        self.in_flight = in_flight
        self.min_words_unsure = min_words_unsure      # pages without any article signal need this many words
        self.executor: Executor | None = None
        self.retry_executor: Executor | None = None     # one worker, started when a pool first breaks
        self._slots: asyncio.Semaphore | None = None
        self._alone: asyncio.Lock | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        workers = settings.getint("CLEANWIRE_WORKERS") or os.cpu_count() or 1
        in_flight = settings.getint("CLEANWIRE_MAX_IN_FLIGHT") or 2 * workers
        return cls(options_from_settings(settings), crawler.stats, workers, in_flight,
                   settings.getint("CLEANWIRE_MIN_WORDS_UNSURE", 150))

    def open_spider(self) -> None:
        self.executor = make_executor(self.workers)
        self.stats.set_value("cleanwire/workers", self.workers)

    def close_spider(self) -> None:
        for executor in (self.executor, self.retry_executor):
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self.retry_executor = None

    async def process_item(self, item):
        if not isinstance(item, Page):
            return item
        if self._slots is None:
            self._slots, self._alone = asyncio.Semaphore(self.in_flight), asyncio.Lock()
        options = self.options.with_(fetched_at=item.fetched_at)
        async with self._slots:
            status, payload = await self._run(item, options)
        if status == "article":
            if item.meta.get("verdict") == UNKNOWN and payload["word_count"] < self.min_words_unsure:
                self.stats.inc_value("cleanwire/skipped/short_unsure_page")
                raise DropItem(f"{item.url}: no article signal and only {payload['word_count']} words")
            return payload
        if status == "not_article":
            self.stats.inc_value(f"cleanwire/skipped/{reason_key(payload)}")
            raise DropItem(f"{item.url}: not an article ({payload})")
        self.stats.inc_value("cleanwire/errors/bad_input")
        raise DropItem(f"{item.url}: {payload}")

    async def _run(self, page: Page, options: Options) -> tuple[str, object]:
        """Extract in the pool; when a worker dies (kill -9, OOM), every page in flight is retried on its own."""
        executor = self.executor
        try:
            return await self._submit(executor, page, options)
        except BrokenProcessPool:
            self._rebuild(executor, page.url)
        self.stats.inc_value("cleanwire/extract/retries")
        async with self._alone:         # one page at a time in the retry pool: a death now is this page's doing
            if self.retry_executor is None:
                self.retry_executor = make_executor(1)
            try:
                return await self._submit(self.retry_executor, page, options)
            except BrokenProcessPool:
                self.retry_executor.shutdown(wait=False, cancel_futures=True)
                self.retry_executor = None
        self.stats.inc_value("cleanwire/errors/worker_died")
        logger.error("an extraction worker died on %s twice, the second time alone: page dropped", page.url)
        return "bad_input", "extraction worker died on this page (tried twice, the second time alone)"

    async def _submit(self, executor: Executor, page: Page, options: Options) -> tuple[str, object]:
        try:
            future = executor.submit(extract_record, page.body, page.url, options, page.http_charset)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            raise
        except Exception:
            self.stats.inc_value("cleanwire/errors/extractor_bug")
            logger.exception("extraction failed on %s", page.url)
            return "bad_input", "extraction failed (see log)"

    def _rebuild(self, broken: Executor, url: str) -> None:
        """Replace a broken pool once: every page in flight in it sees the same BrokenProcessPool."""
        if self.executor is not broken:
            return          # another page in flight already rebuilt it
        self.stats.inc_value("cleanwire/extract/pool_restarts")
        logger.warning("an extraction worker died (in flight: %s); restarting the pool", url)
        broken.shutdown(wait=False, cancel_futures=True)
        self.executor = make_executor(self.workers)


class SincePipeline:
    """Drops articles published before CLEANWIRE_SINCE (--since); off when it is unset."""

    def __init__(self, stats, since: str) -> None:
        self.stats = stats
        self.since = since

    @classmethod
    def from_crawler(cls, crawler):
        since = crawler.settings.get("CLEANWIRE_SINCE")
        if not since:
            raise NotConfigured     # no --since: nothing to drop
        return cls(crawler.stats, since)

    def process_item(self, item):
        if not isinstance(item, dict):
            return item
        published = item.get("date_published")
        if published and published[:10] < self.since[:10]:
            self.stats.inc_value("cleanwire/skipped/older_than_since")
            raise DropItem(f"{item['url']}: published {published[:10]}, before {self.since[:10]}")
        return item


class DedupPipeline:
    """Emits an article once: the same canonical URL, final URL or content hash seen earlier in the run is dropped."""

    def __init__(self, stats) -> None:
        self.stats = stats
        self.urls: set[str] = set()
        self.hashes: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        canonical = try_normalize(item.get("canonical_url"))
        if canonical and urlsplit(canonical).path == "/":
            canonical = None        # a canonical pointing at the home page is a site misconfiguration, not a duplicate
        keys = {k for k in (try_normalize(item.get("url")), canonical) if k}
        if keys & self.urls:
            self.stats.inc_value("cleanwire/duplicates/url")
            raise DropItem(f"{item['url']}: duplicate of an article already emitted (same canonical URL)")
        if item["content_hash"] in self.hashes:
            self.stats.inc_value("cleanwire/duplicates/content_hash")
            raise DropItem(f"{item['url']}: duplicate of an article already emitted (same text)")
        self.urls |= keys
        self.hashes.add(item["content_hash"])
        self.stats.inc_value("cleanwire/articles")
        return item
