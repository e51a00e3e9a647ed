"""Politeness extensions: robots.txt Crawl-delay as a floor under each site's delay, and backoff on 429/5xx."""

from __future__ import annotations

import logging

from protego import Protego
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from crawler.settings import with_defaults

logger = logging.getLogger(__name__)


class CrawlDelay:
    """Honours robots.txt `Crawl-delay`: the download slot of that host never goes below it (AutoThrottle included)."""

    def __init__(self, crawler, user_agent: str, max_delay: float) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.max_delay = max_delay
        self.delays: dict[str, float] = {}  # host -> Crawl-delay, seconds

    @classmethod
    def from_crawler(cls, crawler):
        settings = with_defaults(crawler.settings)
        if not settings.getbool("CLEANWIRE_OBEY_CRAWL_DELAY") or not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("Crawl-delay not obeyed")
        ext = cls(crawler, settings.get("USER_AGENT") or "", settings.getfloat("CLEANWIRE_MAX_CRAWL_DELAY"))
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.enforce, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.enforce, signal=signals.response_downloaded)  # after AutoThrottle's change
        return ext

    def response_received(self, response, request, spider=None) -> None:
        if urlparse_cached(request).path != "/robots.txt" or response.status != 200:
            return
        try:
            delay = Protego.parse(response.body.decode("utf-8", "replace")).crawl_delay(self.user_agent)
        except Exception:  # a robots.txt Protego cannot read gives no delay
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
        self.start = start  # first backoff delay, seconds
        self.maximum = maximum  # longest backoff delay, seconds
        self.base: dict[str, float] = {}  # slot -> its delay before backing off

    @classmethod
    def from_crawler(cls, crawler):
        settings = with_defaults(crawler.settings)
        if not settings.getbool("CLEANWIRE_BACKOFF"):
            raise NotConfigured
        ext = cls(crawler, settings.getfloat("CLEANWIRE_BACKOFF_START"), settings.getfloat("CLEANWIRE_BACKOFF_MAX"))
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
