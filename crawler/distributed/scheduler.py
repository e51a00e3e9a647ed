"""A crawl shared by several workers through Redis (scrapy-redis): a reliable request queue and exactly-once output."""
from __future__ import annotations

import fcntl
import io
import logging
import os
import signal
import socket
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DropItem, NotConfigured
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from cleaners.errors import CleanwireError
from crawler.discovery.normalize import try_normalize
from crawler.engine import close_crawl
from crawler.incremental.journal import _fsync_dir
from crawler.incremental.state import StateError
from crawler.items import Page
from crawler.stats import FAILURE

logger = logging.getLogger(__name__)

DEFAULT_KEY = "cleanwire:%(spider)s"     # prefix of the crawl's Redis keys
DEFAULT_HEARTBEAT = 5.0                  # seconds between a worker's heartbeats; dead after three missed
JOB = "cleanwire_job"                    # request meta: the id of the queue entry this request works on
TOKEN = uuid.uuid4().hex                 # this process's session: a worker declared dead cannot write any more
KILL_POINTS = ("after_claim", "after_write")    # CLEANWIRE_REDIS_KILL_AT (tests): SIGKILL inside the commit

#: pop the best request and keep it in the worker's processing hash (score|data) until it is acked
POP = """
local items = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #items == 0 then return nil end
redis.call('ZREM', KEYS[1], items[1])
local job = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], job, items[2] .. '|' .. items[1])
return {job, items[1]}
"""
#: give a worker's unfinished requests back to the queue, release the records it claimed but never committed
#: and end its session (it cannot claim or commit any more); {requests, its output id, that output's committed size}
REQUEUE = """
local entries = redis.call('HVALS', KEYS[2])
for _, v in ipairs(entries) do
  local i = string.find(v, '|', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, i - 1)), string.sub(v, i + 1))
end
for _, c in ipairs(redis.call('SMEMBERS', KEYS[3])) do redis.call('SREM', KEYS[4], c) end
local output = redis.call('HGET', KEYS[6], 'output') or ''
redis.call('DEL', KEYS[2], KEYS[3], KEYS[6])
redis.call('SREM', KEYS[5], ARGV[1])
local committed = ''
if output ~= '' then committed = redis.call('HGET', KEYS[7], output) or '' end
return {#entries, output, committed}
"""
#: start (or go on with) a worker's session; with an output, its committed size (set to 0 for a new one)
JOIN = """
redis.call('HSET', KEYS[1], 'token', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
if ARGV[3] == '' then return false end
redis.call('HSET', KEYS[1], 'output', ARGV[3])
local committed = redis.call('HGET', KEYS[3], ARGV[3])
if not committed then redis.call('HSET', KEYS[3], ARGV[3], 0) end
return committed
"""
#: claim a record's keys (URLs, content hash) unless any was emitted already: 1 claimed, 0 duplicate,
#: -1 this worker's session is over (declared dead)
CLAIM = """
if redis.call('HGET', KEYS[3], 'token') ~= ARGV[1] then return -1 end
for i = 2, #ARGV do if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 then return 0 end end
for i = 2, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]); redis.call('SADD', KEYS[2], ARGV[i]) end
return 1
"""
#: the record is in the output file (fsynced): its claims become permanent and the file's committed size moves,
#: in one step; -1 the session is over or a claim was released, -2 the committed size is not the one written after
COMMIT = """
if redis.call('HGET', KEYS[2], 'token') ~= ARGV[1] then return -1 end
if (redis.call('HGET', KEYS[3], ARGV[2]) or '') ~= ARGV[3] then return -2 end
for i = 5, #ARGV do if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 then return -1 end end
for i = 5, #ARGV do redis.call('SREM', KEYS[1], ARGV[i]) end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
return 1
"""
#: a record dropped after its claim: release the keys this worker still holds (never another worker's)
RELEASE = """
for _, k in ipairs(ARGV) do
  if redis.call('SREM', KEYS[2], k) == 1 then redis.call('SREM', KEYS[1], k) end
end
"""
#: the last worker out of a finished crawl deletes its keys, so the next run starts afresh
FINISH = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
local workers = redis.call('SMEMBERS', KEYS[2])
for _, w in ipairs(workers) do
  if redis.call('EXISTS', ARGV[1] .. w) == 1 or redis.call('HLEN', ARGV[2] .. w) > 0 then return 0 end
end
for _, w in ipairs(workers) do redis.call('DEL', ARGV[3] .. w, ARGV[4] .. w) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
local bands = tonumber(redis.call('HGET', ARGV[5] .. 'meta', 'bands') or '0')
for b = 0, bands - 1 do redis.call('DEL', ARGV[5] .. 'band:' .. b) end
for _, k in ipairs({'meta', 'docs', 'sigs', 'urls', 'seq', 'bands_of'}) do redis.call('DEL', ARGV[5] .. k) end
return 1
"""


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
        raise RedisOutputError("--redis cannot be combined with --state or a per-run -o template (the state and its "
                               "journal are one machine's): give each worker -o FILE.jsonl", state)
    check_redis(url)
    extra = {
        "CLEANWIRE_REDIS": url,
        "REDIS_URL": url,
        "SCHEDULER": "crawler.distributed.scheduler.ReliableScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.scheduler.ReliableQueue",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",     # keyed under CLEANWIRE_REDIS_KEY
        "SCHEDULER_PERSIST": True,          # other workers go on: the last one out clears the keys
    }
    if output is not None:
        check_output(output)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        extra.update({"CLEANWIRE_REDIS_OUTPUT": str(Path(output).resolve()), "FEEDS": {}})
    return extra


def check_output(output: str) -> None:
    """Raise unless `output` is a JSONL file: a worker's output must be a file it can trim to its committed size."""
    if output in ("-", "") or "{" in output or Path(output).suffix.lower() not in (".jsonl", ".ndjson"):
        raise RedisOutputError("--redis writes each worker's records to its own JSONL file: give -o FILE.jsonl "
                               "(stdout, JSON, Parquet and per-run templates cannot be trimmed after a killed "
                               "worker, so their output would not be exactly-once)", output or "-")
    if os.path.exists(output):
        fd = os.open(output, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RedisOutputError("another process is writing this output: give each worker its own -o",
                                   output) from None
        finally:
            os.close(fd)


def check_redis(url: str) -> None:
    """Raise RedisUnavailableError unless the server at `url` answers a PING."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailableError(f"cannot reach Redis ({exc})", url) from exc


def output_id(path: str | os.PathLike) -> str:
    """The name of an output file in Redis: this host and its absolute path."""
    return f"{socket.gethostname()}:{os.path.abspath(path)}"


def worker_id(settings) -> str:
    """This worker's name in Redis: CLEANWIRE_REDIS_WORKER, else host:pid."""
    return settings.get("CLEANWIRE_REDIS_WORKER") or f"{socket.gethostname()}:{os.getpid()}"


class Keys:
    """The Redis keys of one crawl (prefix CLEANWIRE_REDIS_KEY) as seen by one worker."""

    def __init__(self, settings, spider_name: str) -> None:
        self.prefix = (settings.get("CLEANWIRE_REDIS_KEY") or DEFAULT_KEY) % {"spider": spider_name}
        self.worker = worker_id(settings)
        self.queue = f"{self.prefix}:requests"
        self.dupefilter = f"{self.prefix}:dupefilter"
        self.emitted = f"{self.prefix}:emitted"
        self.workers = f"{self.prefix}:workers"
        self.jobs = f"{self.prefix}:jobs"
        self.committed = f"{self.prefix}:committed"       # output id -> bytes of that file committed

    def processing(self, worker: str | None = None) -> str:
        return f"{self.prefix}:processing:{worker or self.worker}"

    def heartbeat(self, worker: str | None = None) -> str:
        return f"{self.prefix}:heartbeat:{worker or self.worker}"

    def claims(self, worker: str | None = None) -> str:
        return f"{self.prefix}:claims:{worker or self.worker}"

    def session(self, worker: str | None = None) -> str:
        return f"{self.prefix}:session:{worker or self.worker}"


def join(server, keys: Keys, output: str = "") -> int | None:
    """Start this process's session as its worker (a previous process under the same name is dead: its work
    goes back first); with an output id, return that output's committed size, None for a new output."""
    token = server.hget(keys.session(), "token")
    if token is not None and token.decode() != TOKEN:
        requeue(server, keys, keys.worker)
    committed = server.register_script(JOIN)(keys=[keys.session(), keys.workers, keys.committed],
                                             args=[TOKEN, keys.worker, output])
    return None if committed is None else int(committed)


def requeue(server, keys: Keys, worker: str) -> int:
    """Give a stopped worker's requests back, release its uncommitted claims, trim its output if it is here."""
    count, output, committed = server.register_script(REQUEUE)(
        keys=[keys.queue, keys.processing(worker), keys.claims(worker), keys.emitted, keys.workers,
              keys.session(worker), keys.committed], args=[worker])
    output, committed = output.decode(), committed.decode()
    if output and committed:        # a live writer holds the file's flock: then nothing is trimmed
        trim_dead_output(server, keys, worker, output, int(committed))
    return int(count)


def trim_dead_output(server, keys: Keys, worker: str, output: str, committed: int) -> int:
    """Cut a dead worker's output back to its committed size when the file is on this host and nobody writes it."""
    host, _, path = output.partition(":")
    if host != socket.gethostname() or not os.path.exists(path):
        logger.error("worker %s stopped: bytes after %d of its output %s were not committed (the records in them "
                       "are emitted again by other workers); a worker started there with that output trims them, "
                       "or run `truncate -s %d %s` on %s", worker, committed, output, committed, path, host)
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
            return 0        # a live process writes it again: it trimmed the file when it opened it
        committed = int(server.hget(keys.committed, output) or committed)     # final: only the lock holder commits
        extra = os.fstat(fd).st_size - committed
        if extra > 0:
            os.ftruncate(fd, committed)
            os.fsync(fd)
            logger.warning("worker %s stopped: %d uncommitted bytes trimmed from its output %s", worker, extra, path)
        return max(extra, 0)
    finally:
        os.close(fd)


def _connect(settings):
    from scrapy_redis.connection import get_redis_from_settings

    return get_redis_from_settings(settings)


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
        scheduler.interval = crawler.settings.getfloat("CLEANWIRE_REDIS_HEARTBEAT", DEFAULT_HEARTBEAT)
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
        if not queued and request.meta.get(JOB):        # a redirect to a page already seen: its job is done
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
        logger.error("worker %s missed its heartbeats and was declared dead by the others (its requests went back "
                     "to the queue): stopping", self.keys.worker)
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
        returned = self.requeue(self.keys.worker)       # what this worker did not finish goes back for the others
        if returned:
            logger.warning("stopping (%s) with %d unfinished requests: queued again for other workers",
                           reason, returned)
        if reason == "finished":
            prefix = f"{self.keys.prefix}:"
            done = self._finish(keys=[self.keys.queue, self.keys.workers, self.keys.dupefilter, self.keys.emitted,
                                      self.keys.jobs, self.keys.committed],
                                args=[prefix + "heartbeat:", prefix + "processing:", prefix + "claims:",
                                      prefix + "session:", prefix + "neardup:"])
            if done:
                logger.info("crawl %s finished: its Redis keys are cleared", self.keys.prefix)


class RedisAcks:
    """Spider and downloader middleware: acknowledge a request's job once its response or failure is handled."""

    def __init__(self, server, keys: Keys) -> None:
        self.server = server
        self.keys = keys

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("CLEANWIRE_REDIS"):
            raise NotConfigured("CLEANWIRE_REDIS is not set")
        acks = cls(_connect(crawler.settings), Keys(crawler.settings, crawler.spidercls.name))
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(acks.item_done, signal=signal)
        return acks

    def ack(self, meta) -> None:
        job = meta.get(JOB) if meta is not None else None
        if job:
            self.server.hdel(self.keys.processing(), job)

    def item_done(self, item, response=None, spider=None, **kwargs) -> None:
        """A Page's record was written or dropped: the page is done (item_scraped runs after the feed export).

        A record its worker could not write (NotWritten) stays in the processing hash: it goes back to the queue.
        """
        if response is not None and isinstance(item, (Page, dict)) and not isinstance(kwargs.get("exception"),
                                                                                      NotWritten):
            self.ack(response.meta)

    def process_spider_output(self, response, result, spider=None):
        page = False
        try:
            for out in result:
                page = page or isinstance(out, Page)
                yield out
        finally:
            if not page:            # a page with a Page item is acked when its record is done
                self.ack(response.meta)

    async def process_spider_output_async(self, response, result, spider=None):
        page = False
        try:
            async for out in result:
                page = page or isinstance(out, Page)
                yield out
        finally:
            if not page:
                self.ack(response.meta)

    def process_exception(self, request, exception, spider=None):
        """A download that failed (robots.txt, timeout, size): done; a retry hands the job on again."""
        self.ack(request.meta)


class NotWritten(DropItem):
    """A claimed record this worker could not write or commit: its page is not acked, so it is fetched again."""


class WorkerOutput:
    """A worker's JSONL file, journaled through Redis: a record is appended and fsynced, then ONE script makes its
    claims permanent and moves the file's committed size. Bytes past the committed size are not output: a
    worker's restart or a worker requeueing a dead one on the same host trims them."""

    def __init__(self, server, keys: Keys, path: str | os.PathLike) -> None:
        from scrapy.exporters import JsonLinesItemExporter

        self.server, self.keys = server, keys
        self.path = Path(path).resolve()
        self.id = output_id(self.path)
        self.buffer = io.BytesIO()
        self.exporter = JsonLinesItemExporter(self.buffer, encoding="utf-8")     # as FEEDS writes JSON lines
        self._commit = server.register_script(COMMIT)
        self.broken = False         # a commit whose outcome is unknown: write nothing more
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            lock(self.fd, str(self.path))
            self.committed = self._open()
        except BaseException:
            os.close(self.fd)
            raise

    def _open(self) -> int:
        """Join the crawl with this output: a new output starts empty (-o overwrites), a known one is trimmed."""
        committed = join(self.server, self.keys, self.id)
        size = os.fstat(self.fd).st_size
        if committed is None:
            committed = 0
        elif size < committed:
            raise short_output(self.path, size, committed)
        elif size > committed:
            logger.warning("%s: %d uncommitted bytes of a killed worker trimmed", self.path, size - committed)
        else:
            logger.info("%s: going on after the %d bytes committed to this crawl", self.path, committed)
        os.ftruncate(self.fd, committed)
        os.fsync(self.fd)
        _fsync_dir(self.path.parent)        # a new file's name survives a crash too
        return committed

    def encode(self, item) -> bytes:
        if type(item) is dict:          # the exporter's line without its field-by-field copy
            return (self.exporter.encoder.encode(item) + "\n").encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        self.exporter.export_item(item)
        return self.buffer.getvalue()

    def write(self, item, keys: list[str], kill_at: str = "") -> int:
        """Append the record and commit it with its claimed keys: 1 done, -1 session over (line cut), -2 the
        committed size in Redis is not this file's (nothing touched; the worker must stop)."""
        if self.broken:
            return -2
        line = self.encode(item)
        if os.fstat(self.fd).st_size != self.committed:
            os.ftruncate(self.fd, self.committed)
        try:
            view, offset = memoryview(line), self.committed
            while view:
                written = os.pwrite(self.fd, view, offset)
                view, offset = view[written:], offset + written
            os.fsync(self.fd)
        except BaseException:
            os.ftruncate(self.fd, self.committed)       # nothing of a failed write stays in the file
            raise
        if kill_at == "after_write":
            kill_self()
        size = self.committed + len(line)
        try:
            done = int(self._commit(keys=[self.keys.claims(), self.keys.session(), self.keys.committed],
                                    args=[TOKEN, self.id, self.committed, size, *keys]))
        except BaseException:
            self.broken = True      # committed or not, only Redis knows: the file is cut to its size when we stop
            raise
        if done == 1:
            self.committed = size
        elif done == -1:
            os.ftruncate(self.fd, self.committed)       # the session was over before the commit: not output
        else:
            self.broken = True
        return done

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)       # drops the flock
            self.fd = None


def short_output(path: Path, size: int, committed: int) -> RedisOutputError:
    return RedisOutputError(f"the file has {size} bytes, fewer than the {committed} committed to this crawl", str(path))


def check_committed(server, keys: Keys, path: str | os.PathLike) -> None:
    """Raise now, while Scrapy builds the crawl, if the output is shorter than its committed size in Redis.

    WorkerOutput checks it again when the spider opens, but an error raised there comes after Scrapy began
    opening the spider and before its stats started: Scrapy then also logs a CoreStats traceback."""
    path = Path(path).resolve()
    committed = server.hget(keys.committed, output_id(path))
    size = path.stat().st_size if path.exists() else 0
    if committed is not None and size < int(committed):
        raise short_output(path, size, int(committed))


def lock(fd: int, path: str, attempts: int = 20) -> None:
    """Take the output's flock; held by another live process (after a short wait for a trimming worker): error."""
    for attempt in range(attempts):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            time.sleep(0.1)
    raise RedisOutputError("another process is writing this output", path)


def kill_self() -> None:
    """SIGKILL this worker (and its extraction processes when it leads its process group): a test's crash."""
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


class EmitOnce:
    """Item pipeline: a record is emitted by one worker only (its URLs and content hash claimed in Redis).

    With CLEANWIRE_REDIS_OUTPUT (`cleanwire crawl --redis -o FILE.jsonl`) it also writes the record to the worker's
    journaled output and commits claim and write together: exactly-once even when a worker is killed. Without it
    (FEEDS), the claim is confirmed when the feed has written the record, which a kill in between can repeat.
    """

    def __init__(self, server, keys: Keys, stats, output: str = "", kill_at: str = "", crawler=None) -> None:
        self.crawler = crawler
        self.stopping = None
        self.server = server
        self.keys = keys
        self.stats = stats
        self.claimed: dict[int, list[str]] = {}
        self._claim = server.register_script(CLAIM)
        self._release = server.register_script(RELEASE)
        self.output_path = output
        self.output: WorkerOutput | None = None
        self.kill_point, _, count = kill_at.partition(":")
        if kill_at and self.kill_point not in KILL_POINTS:
            raise ValueError(f"CLEANWIRE_REDIS_KILL_AT must be one of {', '.join(KILL_POINTS)} with ':N', "
                             f"got {kill_at}")
        self.kill_after = int(count or 1) if kill_at else 0
        self.records = 0

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("CLEANWIRE_REDIS"):
            raise NotConfigured("CLEANWIRE_REDIS is not set")
        pipeline = cls(_connect(settings), Keys(settings, crawler.spidercls.name), crawler.stats,
                       settings.get("CLEANWIRE_REDIS_OUTPUT", ""), settings.get("CLEANWIRE_REDIS_KILL_AT", ""),
                       crawler)
        if pipeline.output_path:
            check_committed(pipeline.server, pipeline.keys, pipeline.output_path)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_lost, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_lost, signal=signals.item_error)
        return pipeline

    def open_spider(self, spider=None) -> None:
        if self.output_path:
            self.output = WorkerOutput(self.server, self.keys, self.output_path)
        else:
            join(self.server, self.keys)

    def _not_written(self, url: str, why: str, reason: str):
        """Stop the worker (its page goes back to the queue with its other unfinished requests)."""
        self.stats.inc_value("cleanwire/redis/not_written")
        if self.stopping is None and self.crawler is not None:
            self.stopping = close_crawl(self.crawler, reason)  # its unfinished requests go back to the queue
        return NotWritten(f"{url}: not written ({why})")

    def close_spider(self, spider=None) -> None:
        if self.output is not None:
            self.output.close()

    @staticmethod
    def record_keys(item: dict) -> list[str]:
        canonical = try_normalize(item.get("canonical_url"))
        if canonical and urlsplit(canonical).path == "/":
            canonical = None        # a canonical pointing at the home page is ignored, as DedupPipeline does
        urls = {u for u in (try_normalize(item.get("url")), canonical) if u}
        return sorted(f"url:{u}" for u in urls) + [f"hash:{item['content_hash']}"]

    def process_item(self, item, spider=None):
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        keys = self.record_keys(item)
        try:
            claimed = int(self._claim(keys=[self.keys.emitted, self.keys.claims(), self.keys.session()],
                                      args=[TOKEN, *keys]))
        except Exception as exc:        # Redis unreachable: the page stays unacknowledged, for the next worker
            logger.error("%s: claim failed, stopping: %s", item["url"], exc)
            raise self._not_written(item["url"], f"claim failed: {exc}", "output_failed") from exc
        if claimed == -1:
            raise self._not_written(item["url"], "this worker was declared dead", "redis_fenced")
        if not claimed:
            self.stats.inc_value("cleanwire/duplicates/other_worker")
            raise DropItem(f"{item['url']}: already emitted by another worker")
        self.claimed[id(item)] = keys
        self.records += 1
        kill_at = self.kill_point if self.records == self.kill_after else ""
        if kill_at == "after_claim":
            kill_self()
        if self.output is None:
            return item                 # FEEDS writes it; item_scraped confirms the claim
        try:
            done = self.output.write(item, keys, kill_at)
        except OSError as exc:
            logger.error("%s: record not written, stopping: %s", self.output.path, exc.strerror or exc)
            self.stats.set_value(FAILURE, f"output not written to {self.output.path}: "
                                                            f"{exc.strerror or exc}")
            raise self._not_written(item["url"], exc.strerror or str(exc), "output_failed") from exc
        except Exception as exc:        # Redis failed during the commit
            logger.error("%s: record written but its commit failed, stopping: %s", item["url"], exc)
            self.stats.set_value(FAILURE, f"commit to Redis failed: {exc}")
            raise self._not_written(item["url"], f"commit failed: {exc}", "output_failed") from exc
        if done == -1:
            logger.error("%s: record not committed: this worker was declared dead, stopping", item["url"])
            raise self._not_written(item["url"], "this worker was declared dead", "redis_fenced")
        if done != 1:
            logger.error("%s: record not committed: the committed size of %s in Redis is not this file's, stopping",
                         item["url"], self.output.path)
            raise self._not_written(item["url"], "output moved on in Redis", "output_failed")
        self.claimed.pop(id(item), None)
        return item

    def item_scraped(self, item, response=None, spider=None) -> None:
        """Written by the feed: the claim is permanent."""
        keys = self.claimed.pop(id(item), None)
        if keys:
            self.server.srem(self.keys.claims(), *keys)

    def item_lost(self, item, response=None, spider=None, **kwargs) -> None:
        """Dropped or failed after the claim: another worker may emit it."""
        keys = self.claimed.pop(id(item), None)
        if keys:
            self._release(keys=[self.keys.emitted, self.keys.claims()], args=keys)
