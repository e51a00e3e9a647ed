"""EmitOnce: a record is emitted by one worker only, and with -o exactly once even when a worker is killed."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.misc import load_object

from crawler.dedup.keys import record_keys
from crawler.distributed.keys import TOKEN, Keys, connect
from crawler.distributed.output import NotWritten, WorkerOutput, check_committed
from crawler.distributed.scheduler import join
from crawler.distributed.scripts import CLAIM, RELEASE
from crawler.engine import close_crawl
from crawler.settings import with_defaults
from crawler.stats import FAILURE

logger = logging.getLogger(__name__)


class EmitOnce:
    """Item pipeline: a record is emitted by one worker only (its URLs and content hash claimed in Redis).

    With CLEANWIRE_REDIS_OUTPUT (`cleanwire crawl --redis -o FILE.jsonl`) it also writes the record to the worker's
    journaled output and commits claim and write together: exactly-once even when a worker is killed. Without it
    (FEEDS), the claim is confirmed when the feed has written the record, which a kill in between can repeat.
    """

    def __init__(self, server, keys: Keys, stats, output: str = "", hook=None, crawler=None) -> None:
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
        self.hook = hook  # CLEANWIRE_REDIS_HOOK: called as hook(point, records) inside the commit (tests)
        self.records = 0

    @classmethod
    def from_crawler(cls, crawler):
        settings = with_defaults(crawler.settings)
        if not settings.get("CLEANWIRE_REDIS"):
            raise NotConfigured("CLEANWIRE_REDIS is not set")
        hook = settings.get("CLEANWIRE_REDIS_HOOK")
        pipeline = cls(
            connect(settings),
            Keys(settings, crawler.spidercls.name),
            crawler.stats,
            settings.get("CLEANWIRE_REDIS_OUTPUT"),
            load_object(hook)(settings) if hook else None,
            crawler,
        )
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

    def process_item(self, item, spider=None):
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        keys = record_keys(item)
        try:
            claimed = int(
                self._claim(keys=[self.keys.emitted, self.keys.claims(), self.keys.session()], args=[TOKEN, *keys])
            )
        except Exception as exc:  # Redis unreachable: the page stays unacknowledged, for the next worker
            logger.error("%s: claim failed, stopping: %s", item["url"], exc)
            raise self._not_written(item["url"], f"claim failed: {exc}", "output_failed") from exc
        if claimed == -1:
            raise self._not_written(item["url"], "this worker was declared dead", "redis_fenced")
        if not claimed:
            self.stats.inc_value("cleanwire/duplicates/other_worker")
            raise DropItem(f"{item['url']}: already emitted by another worker")
        self.claimed[id(item)] = keys
        self.records += 1
        if self.hook is not None:
            self.hook("after_claim", self.records)
        if self.output is None:
            return item  # FEEDS writes it; item_scraped confirms the claim
        try:
            done = self.output.write(item, keys, self._written_hook())
        except OSError as exc:
            logger.error("%s: record not written, stopping: %s", self.output.path, exc.strerror or exc)
            self.stats.set_value(FAILURE, f"output not written to {self.output.path}: {exc.strerror or exc}")
            raise self._not_written(item["url"], exc.strerror or str(exc), "output_failed") from exc
        except Exception as exc:  # Redis failed during the commit
            logger.error("%s: record written but its commit failed, stopping: %s", item["url"], exc)
            self.stats.set_value(FAILURE, f"commit to Redis failed: {exc}")
            raise self._not_written(item["url"], f"commit failed: {exc}", "output_failed") from exc
        if done == -1:
            logger.error("%s: record not committed: this worker was declared dead, stopping", item["url"])
            raise self._not_written(item["url"], "this worker was declared dead", "redis_fenced")
        if done != 1:
            logger.error(
                "%s: record not committed: the committed size of %s in Redis is not this file's, stopping",
                item["url"],
                self.output.path,
            )
            raise self._not_written(item["url"], "output moved on in Redis", "output_failed")
        self.claimed.pop(id(item), None)
        return item

    def _written_hook(self):
        if self.hook is None:
            return None
        records = self.records
        return lambda: self.hook("after_write", records)

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
