"""Item pipelines: Page -> clean record in worker processes, then quality, dedup and state, each skip counted."""
from __future__ import annotations

import asyncio
import fcntl
import logging
import multiprocessing
import os
import pickle
import signal
import struct
import time
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from urllib.parse import urlsplit

from scrapy.exceptions import DropItem, NotConfigured

from cleaners import CleanwireError, Options, clean
from cleaners.access import Access
from cleaners.tdm import Tdm
from crawler.discovery.classify import ARTICLE, UNKNOWN
from crawler.discovery.normalize import try_normalize
from crawler.items import Page

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
    from crawler.extraction.overrides import load_overrides

    return Options(
        mode=settings.get("CLEANWIRE_MODE", "balanced"),
        keep_kinds=frozenset(settings.getlist("CLEANWIRE_KEEP_KINDS")),
        drop_kinds=frozenset(settings.getlist("CLEANWIRE_DROP_KINDS")),
        site_overrides=load_overrides(settings.get("CLEANWIRE_OVERRIDES") or None),
        chunk_tokens=settings.getint("CLEANWIRE_CHUNK_TOKENS"),
        record_markdown=settings.getbool("CLEANWIRE_RECORD_MARKDOWN"),
    )


def reason_key(reason: str) -> str:
    for prefix, key in NOT_ARTICLE_REASONS:
        if reason.startswith(prefix):
            return key
    return "other"


def extract_record(body: bytes, url: str, options: Options, http_charset: str | None, headers: dict[str, str],
                   tdm: Tdm | None, parsed=None) -> tuple[str, object]:
    """Runs in a worker process: ('article', record) | ('not_article', reason) | ('access', access evidence)
    for a page that is a wall instead of an article (cleaners.access) | ('bad_input', reason).
    `parsed`: the page already decoded and parsed (cleaners.parse_document), as the site spider's analyse_page has it."""
    _test_kill_hook(url)
    try:
        result = clean(body, url, options, http_charset=http_charset, headers=headers, tdm=tdm, parsed=parsed)
    except CleanwireError as exc:
        return "bad_input", exc.reason
    return result_status(result)


def result_status(result) -> tuple[str, object]:
    """A cleaner Result as the workers hand it back: ('article', record) | ('access', evidence) | ('not_article', reason)."""
    if result.article is None:
        if result.access.state != "ok":
            return "access", access_evidence(result.access)
        return "not_article", result.not_article_reason or "not an article"
    return "article", result.article.to_dict()


def access_evidence(access: Access) -> dict:
    """What a page's access verdict tells the crawler process: state, rule, what matched, the reason line."""
    return {"state": access.state, "rule": access.rule, "matched": access.matched, "reason": access.describe()}


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


MAX_DEATHS_IN_A_ROW = 5     # worker deaths with no task finished in between before a pool stops replacing them


class WorkerPool:
    """Worker processes driven from the event loop, with no helper thread in the crawler process.

    concurrent.futures' ProcessPoolExecutor feeds and reads its workers from two threads of the crawler process;
    on a busy machine every GIL-releasing call of Scrapy's thread (a socket send, a file write) then waited
    for those threads (profiled: ~4 ms of waiting a page). Here each worker has a task pipe and a result pipe whose ends in this
    process are non-blocking and watched by the asyncio loop: `run` frames the pickled task into a buffer
    written as the pipe drains, and results are read as they arrive. Each worker holds at most `depth` tasks, so
    a dead worker (kill -9, OOM) fails only the tasks it held (BrokenProcessPool) and is replaced at once.
    """

    def __init__(self, workers: int, depth: int = 2, on_death=None) -> None:
        self.size = workers
        self.depth = depth
        self.on_death = on_death           # called with the dead worker's pid, once per death
        self.context = _context()
        self.workers: list[_Worker] = []
        self.queue: deque[tuple[asyncio.Future, bytes]] = deque()     # tasks waiting for a worker
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closed = False
        self.deaths_in_a_row = 0           # deaths since a task last finished: a worker that cannot start
        self.broken: str | None = None     # set once replacing workers is pointless: every task fails at once
        for _ in range(workers):
            self.workers.append(self._start())

    def _start(self) -> _Worker:
        task_read, task_write = self.context.Pipe(duplex=False)
        result_read, result_write = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_worker_loop, args=(task_read, result_write), daemon=True)
        process.start()
        task_read.close()          # the worker holds these: EOF on the result pipe means it is gone
        result_write.close()
        worker = _Worker(process, task_write, result_read)
        for conn in (task_write, result_read):
            _grow_pipe(conn.fileno())
            os.set_blocking(conn.fileno(), False)
        if self.loop is not None and not self.loop.is_closed():
            self.loop.add_reader(worker.results.fileno(), self._readable, worker)
        return worker

    def _bind(self) -> asyncio.AbstractEventLoop:
        """Watch the workers' result pipes from the running loop (a new loop, e.g. one asyncio.run per test)."""
        loop = asyncio.get_running_loop()
        if loop is not self.loop:
            if self.loop is not None and not self.loop.is_closed():
                for worker in self.workers:
                    self.loop.remove_reader(worker.results.fileno())
                    self.loop.remove_writer(worker.tasks.fileno())
            self.loop = loop
            for worker in self.workers:
                loop.add_reader(worker.results.fileno(), self._readable, worker)
                if worker.out:
                    loop.add_writer(worker.tasks.fileno(), self._writable, worker)
        return loop

    async def run(self, fn, *args):
        """fn(*args) in a worker process; raises BrokenProcessPool when the worker running it died."""
        if self.closed:
            raise RuntimeError("worker pool is closed")
        if self.broken:
            raise BrokenProcessPool(self.broken)
        loop = self._bind()
        future = loop.create_future()
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        self.queue.append((future, payload))
        self._dispatch()
        return await future

    def _dispatch(self) -> None:
        while self.queue:
            worker = min(self.workers, key=lambda w: len(w.held))
            if len(worker.held) >= self.depth:
                return
            future, payload = self.queue.popleft()
            if future.done():          # cancelled while waiting
                continue
            worker.held.append(future)
            if not worker.out:
                self.loop.add_writer(worker.tasks.fileno(), self._writable, worker)
            worker.out += struct.pack("!i", len(payload)) + payload if len(payload) < 0x7FFFFFFF else \
                struct.pack("!iQ", -1, len(payload)) + payload
            self._writable(worker)

    def _writable(self, worker: _Worker) -> None:
        try:
            while worker.out:
                sent = os.write(worker.tasks.fileno(), worker.out[:1 << 20])
                del worker.out[:sent]
        except BlockingIOError:
            return
        except OSError:            # EPIPE: the worker is gone; its result pipe reports the death
            worker.out.clear()
        self.loop.remove_writer(worker.tasks.fileno())

    def _readable(self, worker: _Worker) -> None:
        try:
            while True:
                chunk = os.read(worker.results.fileno(), 1 << 20)
                if not chunk:
                    self._died(worker)
                    return
                worker.inbox += chunk
                if len(chunk) < 1 << 20:
                    break
        except BlockingIOError:
            pass
        except OSError:
            self._died(worker)
            return
        while len(worker.inbox) >= 4:
            size = struct.unpack_from("!i", worker.inbox)[0]
            head = 4
            if size == -1:
                if len(worker.inbox) < 12:
                    return
                size, head = struct.unpack_from("!Q", worker.inbox, 4)[0], 12
            if len(worker.inbox) < head + size:
                return
            ok, value = pickle.loads(memoryview(worker.inbox)[head:head + size])
            del worker.inbox[:head + size]
            self.deaths_in_a_row = 0
            future = worker.held.popleft()
            if not future.done():
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
            self._dispatch()

    def _died(self, worker: _Worker) -> None:
        self._forget(worker)
        worker.process.join(timeout=1)
        pid, held = worker.process.pid, list(worker.held)
        worker.held.clear()
        if self.closed:
            return
        self.deaths_in_a_row += 1
        if self.deaths_in_a_row > MAX_DEATHS_IN_A_ROW + self.size:
            self.broken = f"extraction workers keep dying ({self.deaths_in_a_row} in a row, exit code " \
                          f"{worker.process.exitcode}): not started again"
            logger.error("%s", self.broken)
            self.workers.remove(worker)
            held += [future for future, _ in self.queue]
            self.queue.clear()
        else:
            self.workers[self.workers.index(worker)] = self._start()
        if self.on_death is not None:
            self.on_death(pid)
        for future in held:
            if not future.done():
                future.set_exception(BrokenProcessPool(self.broken or f"extraction worker {pid} died"))
        if self.workers:
            self._dispatch()

    def _forget(self, worker: _Worker) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.remove_reader(worker.results.fileno())
            self.loop.remove_writer(worker.tasks.fileno())
        worker.tasks.close()
        worker.results.close()

    def close(self, timeout: float = 10.0) -> None:
        """Stop every worker: the task pipe closes (the worker exits at EOF), then a kill after `timeout`."""
        if self.closed:
            return
        self.closed = True
        for future, _ in self.queue:
            future.cancel()
        self.queue.clear()
        for worker in self.workers:
            for future in worker.held:
                future.cancel()
            self._forget(worker)
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        self.workers.clear()


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    tasks: Connection                   # this process's write end of the task pipe (non-blocking)
    results: Connection                 # this process's read end of the result pipe (non-blocking)
    held: deque = field(default_factory=deque)      # futures of the tasks sent, in order
    out: bytearray = field(default_factory=bytearray)     # framed tasks not yet written
    inbox: bytearray = field(default_factory=bytearray)   # result bytes not yet a whole message


def _context():
    """forkserver where available (workers import the cleaner once, in the server), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["cleaners", "crawler.pipelines", "crawler.spiders.site",
                                        "crawler.extraction.warmup"])     # the last cleans a page: models loaded once
    return context


def _grow_pipe(fd: int) -> None:
    """A 1 MB pipe buffer (Linux): most pages and records then pass in one write."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (AttributeError, OSError):
        pass


def _worker_loop(tasks: Connection, results: Connection) -> None:
    """A worker process: run each task until the task pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C stops the crawl, which then closes the pool
    while True:
        try:
            fn, args = pickle.loads(tasks.recv_bytes())
        except EOFError:
            return
        try:
            reply = (True, fn(*args))
        except Exception as exc:        # noqa: BLE001 - handed to the awaiting coroutine
            reply = (False, exc)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:        # noqa: BLE001 - an unpicklable result or exception
            data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            results.send_bytes(data)
        except OSError:                 # the pool closed (end of the crawl, Ctrl-C) while this task ran
            return


class ExtractPipeline:
    """Runs cleaners.extract on each Page in a pool of worker processes; at most `in_flight` pages at once.

    A Page whose record the site spider already had a worker make (with the page's links, see
    crawler.spiders.site) carries it in `meta["extracted"]` and is not extracted again.
    """

    def __init__(self, options: Options, stats, workers: int, in_flight: int, min_words_unsure: int = 150,
                 respect_tdm: bool = False) -> None:
        self.options = options
        self.respect_tdm = respect_tdm                # --respect-tdm: records whose TDM rights are reserved are dropped
        self.stats = stats
        self.workers = workers
        self.in_flight = in_flight
        self.min_words_unsure = min_words_unsure      # pages without any article signal need this many words
        self.pool: WorkerPool | None = None
        self.retry_pool: WorkerPool | None = None     # one worker, started when a worker first dies
        self._slots: asyncio.Semaphore | None = None
        self._alone: asyncio.Lock | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        workers = settings.getint("CLEANWIRE_WORKERS") or os.cpu_count() or 1
        in_flight = settings.getint("CLEANWIRE_MAX_IN_FLIGHT") or 2 * workers
        pipeline = cls(options_from_settings(settings), crawler.stats, workers, in_flight,
                       settings.getint("CLEANWIRE_MIN_WORDS_UNSURE", 150), settings.getbool("CLEANWIRE_RESPECT_TDM"))
        crawler.cleanwire_extract = pipeline        # the site spider extracts through the same pool
        return pipeline

    def open_spider(self) -> None:
        if self.pool is None:
            self.pool = WorkerPool(self.workers, on_death=self._worker_died)
        self.stats.set_value("cleanwire/workers", self.workers)

    def close_spider(self) -> None:
        for pool in (self.pool, self.retry_pool):
            if pool is not None:
                pool.close()
        self.pool = self.retry_pool = None

    def _worker_died(self, pid: int) -> None:
        self.stats.inc_value("cleanwire/extract/pool_restarts")
        logger.warning("extraction worker %s died; started another", pid)

    async def process_item(self, item):
        if not isinstance(item, Page):
            return item
        extracted = item.meta.pop("extracted", None)
        if extracted is None:
            signal = item.meta.get("reason") if item.meta.get("verdict") == ARTICLE else None
            extracted = await self.extract(item, signal=signal)
        return self.settle(item, *extracted)

    async def extract(self, page: Page, fn=None, *extra, signal: str | None = None):
        """`fn(body, url, options, http_charset, headers, tdm, *extra)` of the page in a worker (default
        extract_record), with at most `in_flight` pages in the workers and waiting for them."""
        if self._slots is None:
            self._slots, self._alone = asyncio.Semaphore(self.in_flight), asyncio.Lock()
        if self.pool is None:
            self.open_spider()
        options = self.options.with_(fetched_at=page.fetched_at, article_signal=signal)
        args = (page.body, page.url, options, page.http_charset, page.headers, page.tdm, *extra)
        self.stats.inc_value("cleanwire/extract/pages")      # pages sent to the workers (tests count them)
        async with self._slots:
            return await self._run(fn or extract_record, page.url, args)

    def settle(self, item: Page, status: str, payload) -> dict:
        """The record of an extraction result, or DropItem with the reason counted."""
        if status == "article":
            self.stats.inc_value(f"cleanwire/access/{payload['access']}")
            if item.meta.get("verdict") == UNKNOWN and payload["word_count"] < self.min_words_unsure:
                self.stats.inc_value("cleanwire/skipped/short_unsure_page")
                raise DropItem(f"{item.url}: no article signal and only {payload['word_count']} words")
            if self.respect_tdm and payload.get("tdm_reserved"):
                item.meta["tdm_reserved"] = payload["provenance"].get("tdm_reserved")
                self.stats.inc_value("cleanwire/skipped/tdm_reserved")
                raise DropItem(f"{item.url}: TDM rights reserved ({_tdm_source(payload)}), --respect-tdm")
            return payload
        if status == "access":
            item.meta["access"] = payload
            self.stats.inc_value(f"cleanwire/access/{payload['state']}")
            self.stats.inc_value(f"cleanwire/skipped/{payload['state']}")
            raise DropItem(f"{item.url}: {payload['reason']}")
        if status == "not_article":
            self.stats.inc_value("cleanwire/access/ok")
            self.stats.inc_value(f"cleanwire/skipped/{reason_key(payload)}")
            raise DropItem(f"{item.url}: not an article ({payload})")
        self.stats.inc_value("cleanwire/errors/bad_input")
        raise DropItem(f"{item.url}: {payload}")

    async def _run(self, fn, url: str, args: tuple):
        """In the pool; when a worker dies (kill -9, OOM), each page it held is retried on its own."""
        try:
            return await self._submit(self.pool, fn, url, args)
        except BrokenProcessPool:
            pass
        self.stats.inc_value("cleanwire/extract/retries")
        async with self._alone:         # one page at a time in the retry pool: a death now is this page's doing
            if self.retry_pool is None:
                self.retry_pool = WorkerPool(1, depth=1)
            try:
                return await self._submit(self.retry_pool, fn, url, args)
            except BrokenProcessPool:
                pass
        self.stats.inc_value("cleanwire/errors/worker_died")
        logger.error("an extraction worker died on %s twice, the second time alone: page dropped", url)
        return _died(fn, args)

    async def _submit(self, pool: WorkerPool, fn, url: str, args: tuple):
        try:
            return await pool.run(fn, *args)
        except BrokenProcessPool:
            raise
        except Exception:
            self.stats.inc_value("cleanwire/errors/extractor_bug")
            logger.exception("extraction failed on %s", url)
            return _failed(fn, "extraction failed (see log)", args)


def _tdm_source(record: dict) -> str:
    found = (record.get("provenance") or {}).get("tdm_reserved") or {}
    return " ".join(filter(None, (found.get("source"), found.get("policy")))) or "declared"


def _died(fn, args: tuple):
    return _failed(fn, "extraction worker died on this page (tried twice, the second time alone)", args)


def _failed(fn, reason: str, args: tuple):
    """The result of a task that could not run: ('bad_input', reason), in the shape `fn` returns."""
    if fn is extract_record:
        return "bad_input", reason
    return fn.failed(reason, *args)


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
