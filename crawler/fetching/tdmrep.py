"""TDMRep in crawls: each site's /.well-known/tdmrep.json fetched once, and the rule for each request's path."""

from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from cleaners.errors import TdmRepError
from cleaners.tdm import WELL_KNOWN_PATH, Tdm, TdmRule, from_tdmrep, parse_tdmrep
from crawler.settings import with_defaults

logger = logging.getLogger(__name__)

TDM_META = "cleanwire_tdm"  # request.meta: the tdmrep.json rule for the page (cleaners.tdm.Tdm), when one applies
TDMREP_FETCH = "cleanwire_tdmrep"  # request.meta of this middleware's own fetch of a site's tdmrep.json


class TdmRepMiddleware:
    """Downloader middleware (CLEANWIRE_TDMREP): before a site's first request goes out, its
    /.well-known/tdmrep.json is fetched (once, however many requests wait on it; robots.txt does not apply to
    it, as to robots.txt itself); every request then carries in meta[TDM_META] the rule that applies to its path.
    A missing, unreadable or invalid file means no rules (counted in cleanwire/tdmrep/*); it is fetched once, not
    retried (a site that answers 5xx there declares nothing)."""

    DOWNLOAD_PRIORITY = 1000  # ahead of the site's pages, as robots.txt

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.rules: dict[str, tuple[TdmRule, ...]] = {}  # site origin -> its rules (() when none)
        self.waiting: dict[str, list[Deferred]] = {}  # site origin -> requests waiting for the fetch

    @classmethod
    def from_crawler(cls, crawler):
        if not with_defaults(crawler.settings).getbool("CLEANWIRE_TDMREP"):
            raise NotConfigured("CLEANWIRE_TDMREP is off")
        return cls(crawler)

    async def process_request(self, request: Request, spider=None) -> None:
        if request.meta.get(TDMREP_FETCH) or request.meta.get("dont_obey_robotstxt"):
            return None  # our own fetch, robots.txt and the like: protocol files, not content
        url = urlparse_cached(request)
        rules = await self.site_rules(f"{url.scheme}://{url.netloc}")
        found = from_tdmrep(rules, url.path + (f"?{url.query}" if url.query else ""))
        if found is not None:
            request.meta[TDM_META] = found
        return None

    async def site_rules(self, origin: str) -> tuple[TdmRule, ...]:
        if origin in self.rules:
            return self.rules[origin]
        if origin in self.waiting:
            waiter: Deferred = Deferred()
            self.waiting[origin].append(waiter)
            return await maybe_deferred_to_future(waiter)
        self.waiting[origin] = []
        rules = await self.fetch(origin)
        self.rules[origin] = rules
        for waiter in self.waiting.pop(origin):
            waiter.callback(rules)
        return rules

    async def fetch(self, origin: str) -> tuple[TdmRule, ...]:
        request = Request(
            origin + WELL_KNOWN_PATH,
            priority=self.DOWNLOAD_PRIORITY,
            callback=NO_CALLBACK,
            dont_filter=True,
            meta={TDMREP_FETCH: True, "dont_obey_robotstxt": True, "cleanwire_probe": True, "dont_retry": True},
        )
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest:
            self.stats.inc_value("cleanwire/tdmrep/not_fetched")
            return ()
        except Exception as exc:  # any download failure: the site declares nothing here
            logger.info("%s: not fetched (%s)", request.url, exc)
            self.stats.inc_value("cleanwire/tdmrep/not_fetched")
            return ()
        if response.status != 200:
            self.stats.inc_value("cleanwire/tdmrep/missing")
            return ()
        try:
            rules = parse_tdmrep(response.body, response.url)
        except TdmRepError as exc:
            logger.warning("%s (ignored)", exc)
            self.stats.inc_value("cleanwire/tdmrep/invalid")
            return ()
        self.stats.inc_value("cleanwire/tdmrep/found")
        return rules


def request_tdm(meta: dict) -> Tdm | None:
    """The tdmrep.json rule a response's request carried, for the Page handed to extraction."""
    found = meta.get(TDM_META)
    return found if isinstance(found, Tdm) else None
