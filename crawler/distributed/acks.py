"""RedisAcks: a request's queue entry is done once its response was handled or its download failed for good."""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.distributed.keys import Keys, connect
from crawler.distributed.output import NotWritten
from crawler.distributed.scheduler import JOB
from crawler.items import Page
from crawler.settings import with_defaults


class RedisAcks:
    """Spider and downloader middleware: acknowledge a request's job once its response or failure is handled."""

    def __init__(self, server, keys: Keys) -> None:
        self.server = server
        self.keys = keys

    @classmethod
    def from_crawler(cls, crawler):
        settings = with_defaults(crawler.settings)
        if not settings.get("CLEANWIRE_REDIS"):
            raise NotConfigured("CLEANWIRE_REDIS is not set")
        acks = cls(connect(settings), Keys(settings, crawler.spidercls.name))
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
        if (
            response is not None
            and isinstance(item, (Page, dict))
            and not isinstance(kwargs.get("exception"), NotWritten)
        ):
            self.ack(response.meta)

    def process_spider_output(self, response, result, spider=None):
        page = False
        try:
            for out in result:
                page = page or isinstance(out, Page)
                yield out
        finally:
            if not page:  # a page with a Page item is acked when its record is done
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
