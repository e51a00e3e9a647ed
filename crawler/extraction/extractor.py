"""The Extractor: one per crawl, the extraction worker pool that the site spider and the ExtractPipeline share.

Both ask `Extractor.for_crawler(crawler)` for it; the pipeline (crawler.pipelines.ExtractPipeline) creates it when
Scrapy builds the item pipelines, and the spider finds it with `Extractor.running(crawler)` (None when the pipeline
is off: the spider then reads links in its own process).
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from cleaners import Options
from crawler.extraction.pool import WorkerPool
from crawler.extraction.tasks import EXTRACT, Task, run_task
from crawler.items import Page
from crawler.settings import with_defaults
from crawler.stats import EXTRACT_PAGES, TASK_CPU, WORKER_CPU

logger = logging.getLogger(__name__)

_EXTRACTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # crawler -> its Extractor


def options_from_settings(settings) -> Options:
    """The cleaner's Options from CLEANWIRE_* settings."""
    from crawler.extraction.overrides import load_overrides

    settings = with_defaults(settings)
    return Options(
        mode=settings.get("CLEANWIRE_MODE"),
        keep_kinds=frozenset(settings.getlist("CLEANWIRE_KEEP_KINDS")),
        drop_kinds=frozenset(settings.getlist("CLEANWIRE_DROP_KINDS")),
        site_overrides=load_overrides(settings.get("CLEANWIRE_OVERRIDES") or None),
        chunk_tokens=settings.getint("CLEANWIRE_CHUNK_TOKENS"),
        record_markdown=settings.getbool("CLEANWIRE_RECORD_MARKDOWN"),
    )


class Extractor:
    """Runs extraction tasks in a pool of worker processes, at most `in_flight` pages at once; a page whose worker
    died is retried alone in a one-worker pool, then given up with its task's failure result."""

    def __init__(
        self,
        options: Options,
        stats,
        workers: int,
        in_flight: int,
        hook=None,
        signatures: bool = False,
        nice: int = 0,
    ) -> None:
        self.options = options
        self.stats = stats
        self.workers = workers
        self.in_flight = in_flight
        self.hook = hook  # CLEANWIRE_EXTRACT_HOOK: a callable(url) run in the worker first (tests)
        self.signatures = signatures  # records get their near-duplicate signature in the worker (CLEANWIRE_NEARDUP)
        self.nice = nice  # CLEANWIRE_WORKER_NICE
        self.pool: WorkerPool | None = None
        self.starting: Future | None = None  # the pool being started on a thread (see open)
        self.retry_pool: WorkerPool | None = None  # one worker, started when a worker first dies
        self._slots: asyncio.Semaphore | None = None
        self.waiting = 0  # pages waiting for one of the `in_flight` slots
        self._alone: asyncio.Lock | None = None

    @classmethod
    def for_crawler(cls, crawler) -> Extractor:
        """The crawl's Extractor, created from its settings on first use."""
        extractor = _EXTRACTORS.get(crawler)
        if extractor is None:
            from scrapy.utils.misc import load_object

            settings = with_defaults(crawler.settings)
            workers = settings.getint("CLEANWIRE_WORKERS") or os.cpu_count() or 1
            in_flight = settings.getint("CLEANWIRE_MAX_IN_FLIGHT") or 2 * workers
            hook = settings.get("CLEANWIRE_EXTRACT_HOOK")
            extractor = cls(
                options_from_settings(settings),
                crawler.stats,
                workers,
                in_flight,
                load_object(hook) if hook else None,
                signatures=bool(settings.get("CLEANWIRE_NEARDUP")),
                nice=settings.getint("CLEANWIRE_WORKER_NICE"),
            )
            _EXTRACTORS[crawler] = extractor
        return extractor

    @staticmethod
    def running(crawler) -> Extractor | None:
        """The crawl's Extractor if the ExtractPipeline made one, else None."""
        return _EXTRACTORS.get(crawler)

    def open(self) -> None:
        """Start the worker pool on a thread: starting the first worker waits for the forkserver's imports and
        warm-up (about a second), which then overlap the crawl's first fetches (robots.txt, sitemaps, the first
        pages) instead of holding the reactor. The first extraction waits for the pool (`started`)."""
        if self.pool is None and self.starting is None:
            # signing workers need only numpy (crawler.dedup.neardup), preloaded once in the forkserver
            preload = ("crawler.dedup.neardup",) if self.signatures else ()
            starter = ThreadPoolExecutor(1, thread_name_prefix="cleanwire-pool-start")
            self.starting = starter.submit(
                WorkerPool, self.workers, on_death=self._worker_died, preload=preload, nice=self.nice
            )
            starter.shutdown(wait=False)  # the thread ends when the pool has started
        self.stats.set_value("cleanwire/workers", self.workers)

    async def started(self) -> WorkerPool:
        """The worker pool, once its workers have started (open() first if nothing did)."""
        if self.pool is None:
            if self.starting is None:
                self.open()
            assert self.starting is not None
            self.pool = pool = await asyncio.wrap_future(self.starting)  # every waiter gets the same pool
            return pool
        return self.pool

    def close(self) -> None:
        if self.pool is None and self.starting is not None:  # a crawl that ended before its first extraction
            try:
                self.pool = self.starting.result()
            except Exception:  # it failed to start: nothing to stop
                logger.debug("the extraction pool had not started", exc_info=True)
        self.starting = None
        pools = [pool for pool in (self.pool, self.retry_pool) if pool is not None]
        if pools:  # where the workers' CPU went: the summary's "worker CPU (s)" line
            worker_cpu, task_cpu = (sum(figures) for figures in zip(*(pool.cpu() for pool in pools)))
            self.stats.set_value(WORKER_CPU, round(worker_cpu, 3))
            self.stats.set_value(TASK_CPU, round(task_cpu, 3))
        for pool in pools:
            pool.close()
        self.pool = self.retry_pool = None

    def _worker_died(self, pid: int) -> None:
        self.stats.inc_value("cleanwire/extract/pool_restarts")
        logger.warning("extraction worker %s died; started another", pid)

    async def extract(self, page: Page, task: Task = EXTRACT, *extra, signal: str | None = None):
        """`task.run(body, url, options, http_charset, headers, tdm, *extra)` of the page in a worker, with at most
        `in_flight` pages in the workers and waiting for them; `signal`: the crawl's article verdict reason."""
        if self._slots is None:
            self._slots, self._alone = asyncio.Semaphore(self.in_flight), asyncio.Lock()
        options = self.options.with_(fetched_at=page.fetched_at, article_signal=signal)
        args = (page.body, page.url, options, page.http_charset, page.headers, page.tdm, *extra)
        self.stats.inc_value(EXTRACT_PAGES)  # pages sent to the workers (tests count them)
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        try:
            if self.pool is None:
                await self.started()
            return await self._run(task, page.url, args)
        finally:
            self._slots.release()

    def backlogged(self) -> bool:
        """As many pages wait for a worker as the workers hold (`in_flight`): more would only wait longer."""
        return self.waiting >= self.in_flight

    async def _run(self, task: Task, url: str, args: tuple):
        """In the pool; when a worker dies (kill -9, OOM), each page it held is retried on its own."""
        assert self.pool is not None and self._alone is not None  # both set up by extract()
        try:
            return await self._submit(self.pool, task, url, args)
        except BrokenProcessPool:
            pass
        self.stats.inc_value("cleanwire/extract/retries")
        async with self._alone:  # one page at a time in the retry pool: a death now is this page's doing
            if self.retry_pool is None:
                self.retry_pool = WorkerPool(1, depth=1, nice=self.nice)
            try:
                return await self._submit(self.retry_pool, task, url, args)
            except BrokenProcessPool:
                pass
        self.stats.inc_value("cleanwire/errors/worker_died")
        logger.error("an extraction worker died on %s twice, the second time alone: page dropped", url)
        return task.failed("extraction worker died on this page (tried twice, the second time alone)", *args)

    async def _submit(self, pool: WorkerPool, task: Task, url: str, args: tuple):
        try:
            if self.hook is None and not self.signatures:
                return await pool.run(task.run, *args)
            return await pool.run(run_task, task, self.hook, self.signatures, *args)
        except BrokenProcessPool:
            raise
        except Exception:
            self.stats.inc_value("cleanwire/errors/extractor_bug")
            logger.exception("extraction failed on %s", url)
            return task.failed("extraction failed (see log)", *args)
