"""A crawl shared by several workers through Redis (scrapy-redis): a reliable request queue and exactly-once output."""
from __future__ import annotations

import logging
import os
import socket
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DropItem, NotConfigured
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from cleaners.errors import CleanwireError
from crawler.items import Page
from crawler.urls import try_normalize

logger = logging.getLogger(__name__)

DEFAULT_KEY = "cleanwire:%(spider)s"     # prefix of the crawl's Redis keys
DEFAULT_HEARTBEAT = 5.0                  # seconds between a worker's heartbeats; dead after three missed
JOB = "cleanwire_job"                    # request meta: the id of the queue entry this request works on

#: pop the best request and keep it in the worker's processing hash (score|data) until it is acked
POP = """
local items = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #items == 0 then return nil end
redis.call('ZREM', KEYS[1], items[1])
local job = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], job, items[2] .. '|' .. items[1])
return {job, items[1]}
"""
#: give a worker's unfinished requests back to the queue and release the records it claimed but never wrote
REQUEUE = """
local entries = redis.call('HVALS', KEYS[2])
for _, v in ipairs(entries) do
  local i = string.find(v, '|', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, i - 1)), string.sub(v, i + 1))
end
for _, c in ipairs(redis.call('SMEMBERS', KEYS[3])) do redis.call('SREM', KEYS[4], c) end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('SREM', KEYS[5], ARGV[1])
return #entries
"""
#: claim a record's keys (URLs, content hash) unless any was emitted already: 1 claimed, 0 duplicate
CLAIM = """
for _, k in ipairs(ARGV) do if redis.call('SISMEMBER', KEYS[1], k) == 1 then return 0 end end
for _, k in ipairs(ARGV) do redis.call('SADD', KEYS[1], k); redis.call('SADD', KEYS[2], k) end
return 1
"""
#: the last worker out of a finished crawl deletes its keys, so the next run starts afresh
FINISH = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
local workers = redis.call('SMEMBERS', KEYS[2])
for _, w in ipairs(workers) do
  if redis.call('EXISTS', ARGV[1] .. w) == 1 or redis.call('HLEN', ARGV[2] .. w) > 0 then return 0 end
end
for _, w in ipairs(workers) do redis.call('DEL', ARGV[3] .. w) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return 1
"""


class RedisUnavailableError(CleanwireError):
    """The Redis server of a distributed crawl cannot be reached."""


def redis_settings(url: str) -> dict:
    """Settings that move the scheduler's queue and duplicate filter to Redis (`cleanwire crawl --redis URL`)."""
    check_redis(url)
    return {
        "CLEANWIRE_REDIS": url,
        "REDIS_URL": url,
        "SCHEDULER": "crawler.distributed.ReliableScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.ReliableQueue",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",     # keyed under CLEANWIRE_REDIS_KEY
        "SCHEDULER_PERSIST": True,          # other workers go on: the last one out clears the keys
    }


def check_redis(url: str) -> None:
    """Raise RedisUnavailableError unless the server at `url` answers a PING."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailableError(f"cannot reach Redis ({exc})", url) from exc


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

    def processing(self, worker: str | None = None) -> str:
        return f"{self.prefix}:processing:{worker or self.worker}"

    def heartbeat(self, worker: str | None = None) -> str:
        return f"{self.prefix}:heartbeat:{worker or self.worker}"

    def claims(self, worker: str | None = None) -> str:
        return f"{self.prefix}:claims:{worker or self.worker}"


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
        self._requeue = self.server.register_script(REQUEUE)
        self._finish = self.server.register_script(FINISH)
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
        self.server.set(self.keys.heartbeat(), "1", ex=max(1, round(3 * self.interval)))
        self.server.sadd(self.keys.workers, self.keys.worker)
        self.recover()

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
        count = int(self._requeue(keys=[self.keys.queue, self.keys.processing(worker), self.keys.claims(worker),
                                        self.keys.emitted, self.keys.workers], args=[worker]))
        if count and self.stats:
            self.stats.inc_value("cleanwire/redis/requeued", count)
        return count

    def spider_idle(self, spider=None) -> None:
        """Stay open while the queue or any worker's in-flight work may still bring requests."""
        self.recover()
        stale = self.server.hlen(self.keys.processing())
        if stale:       # this worker is idle, so nothing of its own is in flight: an ack was missed
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
                                      self.keys.jobs], args=[prefix + "heartbeat:", prefix + "processing:",
                                                             prefix + "claims:"])
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
        """A Page's record was written or dropped: the page is done (item_scraped runs after the feed export)."""
        if response is not None and isinstance(item, (Page, dict)):
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


class EmitOnce:
    """Item pipeline: a record is emitted by one worker only (its URLs and content hash claimed in Redis)."""

    def __init__(self, server, keys: Keys, stats) -> None:
        self.server = server
        self.keys = keys
        self.stats = stats
        self.claimed: dict[int, list[str]] = {}
        self._claim = server.register_script(CLAIM)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("CLEANWIRE_REDIS"):
            raise NotConfigured("CLEANWIRE_REDIS is not set")
        pipeline = cls(_connect(crawler.settings), Keys(crawler.settings, crawler.spidercls.name), crawler.stats)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_lost, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_lost, signal=signals.item_error)
        return pipeline

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
        if not self._claim(keys=[self.keys.emitted, self.keys.claims()], args=keys):
            self.stats.inc_value("cleanwire/duplicates/other_worker")
            raise DropItem(f"{item['url']}: already emitted by another worker")
        self.claimed[id(item)] = keys
        return item

    def item_scraped(self, item, response=None, spider=None) -> None:
        """Written to the output: the claim is permanent."""
        keys = self.claimed.pop(id(item), None)
        if keys:
            self.server.srem(self.keys.claims(), *keys)

    def item_lost(self, item, response=None, spider=None, **kwargs) -> None:
        """Dropped or failed after the claim: another worker may emit it."""
        keys = self.claimed.pop(id(item), None)
        if keys:
            pipe = self.server.pipeline()
            pipe.srem(self.keys.emitted, *keys)
            pipe.srem(self.keys.claims(), *keys)
            pipe.execute()
