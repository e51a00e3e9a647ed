"""A crawl shared by several workers through Redis (scrapy-redis): the reliable request queue and its scheduler."""

from __future__ import annotations

import fcntl
import logging
import os
import socket
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from cleaners.errors import CleanwireError
from crawler.distributed.keys import TOKEN, Keys
from crawler.distributed.scripts import FINISH, JOIN, POP, REQUEUE
from crawler.engine import close_crawl
from crawler.incremental.state import StateError
from crawler.settings import with_defaults

logger = logging.getLogger(__name__)

JOB = "cleanwire_job"  # request meta: the id of the queue entry this request works on


class RedisUnavailableError(CleanwireError):
    """The Redis server of a distributed crawl cannot be reached."""


class RedisOutputError(StateError):
    """A worker's output cannot be used for a distributed crawl (not a JSONL file, locked, shorter than committed).

    A StateError: raised while the crawl opens, `cleanwire crawl` reports it in one line (exit 2)."""


def redis_settings(url: str, output: str | None = None, state: str | None = None) -> dict:
    """Settings that move the scheduler's queue and duplicate filter to Redis (`cleanwire crawl --redis URL`).

    With `output` (the worker's -o), records go to that JSONL file through the worker's journal (WorkerOutput)
    instead of FEEDS: the only output whose exactly-once guarantee survives a killed worker.
    """
    if state:
        raise RedisOutputError(
            "--redis cannot be combined with --state or a per-run -o template (the state and its "
            "journal are one machine's): give each worker -o FILE.jsonl",
            state,
        )
    check_redis(url)
    extra = {
        "CLEANWIRE_REDIS": url,
        "REDIS_URL": url,
        "SCHEDULER": "crawler.distributed.scheduler.ReliableScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.scheduler.ReliableQueue",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",  # keyed under CLEANWIRE_REDIS_KEY
        "SCHEDULER_PERSIST": True,  # other workers go on: the last one out clears the keys
    }
    if output is not None:
        check_output(output)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        extra.update({"CLEANWIRE_REDIS_OUTPUT": str(Path(output).resolve()), "FEEDS": {}})
    return extra


def check_output(output: str) -> None:
    """Raise unless `output` is a JSONL file: a worker's output must be a file it can trim to its committed size."""
    if output in ("-", "") or "{" in output or Path(output).suffix.lower() not in (".jsonl", ".ndjson"):
        raise RedisOutputError(
            "--redis writes each worker's records to its own JSONL file: give -o FILE.jsonl "
            "(stdout, JSON, Parquet and per-run templates cannot be trimmed after a killed "
            "worker, so their output would not be exactly-once)",
            output or "-",
        )
    if os.path.exists(output):
        fd = os.open(output, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RedisOutputError(
                "another process is writing this output: give each worker its own -o", output
            ) from None
        finally:
            os.close(fd)


def check_redis(url: str) -> None:
    """Raise RedisUnavailableError unless the server at `url` answers a PING."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailableError(f"cannot reach Redis ({exc})", url) from exc


def join(server, keys: Keys, output: str = "") -> int | None:
    """Start this process's session as its worker (a previous process under the same name is dead: its work
    goes back first); with an output id, return that output's committed size, None for a new output."""
    token = server.hget(keys.session(), "token")
    if token is not None and token.decode() != TOKEN:
        requeue(server, keys, keys.worker)
    committed = server.register_script(JOIN)(
        keys=[keys.session(), keys.workers, keys.committed], args=[TOKEN, keys.worker, output]
    )
    return None if committed is None else int(committed)


def requeue(server, keys: Keys, worker: str) -> int:
    """Give a stopped worker's requests back, release its uncommitted claims, trim its output if it is here."""
    count, output, committed = server.register_script(REQUEUE)(
        keys=[
            keys.queue,
            keys.processing(worker),
            keys.claims(worker),
            keys.emitted,
            keys.workers,
            keys.session(worker),
            keys.committed,
        ],
        args=[worker],
    )
    output, committed = output.decode(), committed.decode()
    if output and committed:  # a live writer holds the file's flock: then nothing is trimmed
        trim_dead_output(server, keys, worker, output, int(committed))
    return int(count)


def trim_dead_output(server, keys: Keys, worker: str, output: str, committed: int) -> int:
    """Cut a dead worker's output back to its committed size when the file is on this host and nobody writes it."""
    host, _, path = output.partition(":")
    if host != socket.gethostname() or not os.path.exists(path):
        logger.error(
            "worker %s stopped: bytes after %d of its output %s were not committed (the records in them "
            "are emitted again by other workers); a worker started there with that output trims them, "
            "or run `truncate -s %d %s` on %s",
            worker,
            committed,
            output,
            committed,
            path,
            host,
        )
        return 0
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError as exc:
        logger.error("worker %s stopped: cannot trim its output %s: %s", worker, path, exc.strerror or exc)
        return 0
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # a live process writes it again: it trimmed the file when it opened it
        committed = int(server.hget(keys.committed, output) or committed)  # final: only the lock holder commits
        extra = os.fstat(fd).st_size - committed
        if extra > 0:
            os.ftruncate(fd, committed)
            os.fsync(fd)
            logger.warning("worker %s stopped: %d uncommitted bytes trimmed from its output %s", worker, extra, path)
        return max(extra, 0)
    finally:
        os.close(fd)


class ReliableQueue(PriorityQueue):
    """scrapy-redis's priority queue, but a popped request stays in the worker's processing hash until acked."""

    def __init__(self, server, spider, key, serializer=None) -> None:
        super().__init__(server, spider, key, serializer)
        self.keys = Keys(spider.settings, spider.name)
        self._pop = server.register_script(POP)

    def push(self, request) -> None:
        """Queue a request; a request carrying a job (retry, redirect) hands that job over to the new entry."""
        pipe = self.server.pipeline()
        pipe.execute_command("ZADD", self.key, -request.priority, self._encode_request(request))
        if request.meta.get(JOB):
            pipe.hdel(self.keys.processing(), request.meta[JOB])
        pipe.execute()

    def pop(self, timeout=0):
        found = self._pop(keys=[self.key, self.keys.processing(), self.keys.jobs])
        if not found:
            return None
        job, data = found
        request = self._decode_request(data)
        request.meta[JOB] = int(job)
        return request


class ReliableScheduler(Scheduler):
    """scrapy-redis's scheduler with heartbeats: a dead worker's unfinished requests go back to the queue."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.interval = with_defaults(crawler.settings).getfloat("CLEANWIRE_REDIS_HEARTBEAT")
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider):
        from scrapy_redis.dupefilter import RFPDupeFilter
        from twisted.internet import task

        self.keys = Keys(spider.settings, spider.name)
        self.queue_key = self.keys.queue
        debug = spider.settings.getbool("DUPEFILTER_DEBUG")
        self.df = RFPDupeFilter(self.server, key=self.keys.dupefilter, debug=debug)
        self._finish = self.server.register_script(FINISH)
        self.fenced = False
        join(self.server, self.keys)
        self.beat()
        super().open(spider)
        self.heart = task.LoopingCall(self.beat)
        self.heart.start(self.interval, now=False)

    def enqueue_request(self, request):
        queued = super().enqueue_request(request)
        if not queued and request.meta.get(JOB):  # a redirect to a page already seen: its job is done
            self.server.hdel(self.keys.processing(), request.meta[JOB])
        return queued

    def beat(self) -> None:
        """Say this worker is alive, then take back the work of workers that are not."""
        if self.fenced:
            return
        token = self.server.hget(self.keys.session(), "token")
        if token is None or token.decode() != TOKEN:
            self.fence()
            return
        self.server.set(self.keys.heartbeat(), "1", ex=max(1, round(3 * self.interval)))
        self.server.sadd(self.keys.workers, self.keys.worker)
        self.recover()

    def fence(self) -> None:
        """Another worker took this one's work back (its heartbeat lapsed): stop, it cannot write any more."""
        self.fenced = True
        logger.error(
            "worker %s missed its heartbeats and was declared dead by the others (its requests went back "
            "to the queue): stopping",
            self.keys.worker,
        )
        self.stats.set_value("cleanwire/redis/fenced", 1)
        self._closing = close_crawl(self.crawler, "redis_fenced")

    def recover(self) -> int:
        """Requeue the requests of every worker whose heartbeat expired; how many went back."""
        total = 0
        for member in self.server.smembers(self.keys.workers):
            worker = member.decode() if isinstance(member, bytes) else member
            if worker == self.keys.worker or self.server.exists(self.keys.heartbeat(worker)):
                continue
            count = self.requeue(worker)
            if count:
                logger.warning("worker %s stopped: %d unfinished requests queued again", worker, count)
            total += count
        return total

    def requeue(self, worker: str) -> int:
        count = requeue(self.server, self.keys, worker)
        if count and self.stats:
            self.stats.inc_value("cleanwire/redis/requeued", count)
        return count

    def spider_idle(self, spider=None) -> None:
        """Stay open while the queue or any worker's in-flight work may still bring requests."""
        self.recover()
        stale = self.server.hlen(self.keys.processing())
        if stale and not self.stats.get_value("cleanwire/redis/not_written"):
            # this worker is idle, so nothing of its own is in flight: an ack was missed (a record it could not
            # write is never acked on purpose: it stops, and its close gives those pages back)
            logger.warning("%d requests were never acknowledged; dropping them from the processing list", stale)
            self.stats.inc_value("cleanwire/redis/unacked", stale)
            self.server.delete(self.keys.processing())
        if len(self.queue) or self._others_busy():
            raise DontCloseSpider("other workers still hold requests")

    def _others_busy(self) -> bool:
        for member in self.server.smembers(self.keys.workers):
            worker = member.decode() if isinstance(member, bytes) else member
            if worker != self.keys.worker and self.server.hlen(self.keys.processing(worker)):
                return True
        return False

    def close(self, reason):
        if getattr(self, "heart", None) is not None and self.heart.running:
            self.heart.stop()
        self.server.delete(self.keys.heartbeat())
        returned = self.requeue(self.keys.worker)  # what this worker did not finish goes back for the others
        if returned:
            logger.warning(
                "stopping (%s) with %d unfinished requests: queued again for other workers", reason, returned
            )
        if reason == "finished":
            prefix = f"{self.keys.prefix}:"
            done = self._finish(
                keys=[
                    self.keys.queue,
                    self.keys.workers,
                    self.keys.dupefilter,
                    self.keys.emitted,
                    self.keys.jobs,
                    self.keys.committed,
                ],
                args=[
                    prefix + "heartbeat:",
                    prefix + "processing:",
                    prefix + "claims:",
                    prefix + "session:",
                    prefix + "neardup:",
                ],
            )
            if done:
                logger.info("crawl %s finished: its Redis keys are cleared", self.keys.prefix)
