"""Downloader middlewares cleanwire adds to Scrapy's."""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.defer import _schedule_coro, maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.settings import with_defaults

#: meta key of a spider's own robots.txt request (its value: the host whose rules it is); see RobotsTxtMiddleware
ROBOTS_META = "cleanwire_robots"
_FETCHING = "cleanwire_robots_fetching"  # set on the spider's request that this middleware lets fetch the rules


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, fixed for requests that wait on the same robots.txt, and fetching each
    robots.txt once.

    In Scrapy 2.13-2.19 every request to a host whose robots.txt is still downloading awaits one
    shared Deferred; only the first waiter receives the parser, the others get None and are let
    through unchecked. Here a waiter that gets None re-reads the parser once it is known.

    A spider that reads robots.txt itself (the site spider, for its Sitemap lines) marks its request with
    meta[ROBOTS_META]: when the rules of that host are not known yet, that request is the fetch the rules are
    parsed from; when this middleware has fetched them already (or is fetching them), the spider gets that
    response without a second download. Scrapy alone fetched robots.txt twice per site (#6).
    """

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self._responses: dict[str, Response | None] = {}  # host -> its robots.txt response (None: failed)

    async def process_request(self, request: Request, spider=None):
        netloc = request.meta.get(ROBOTS_META)
        if netloc is None:
            return await super().process_request(request)
        if request.meta.get(_FETCHING):
            return None  # our own fetch (or its redirect/retry): download it
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            request.meta[_FETCHING] = True
            return None
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            await maybe_deferred_to_future(parser)
        response = self._responses.get(netloc)
        if response is None:
            raise IgnoreRequest(f"robots.txt of {netloc} could not be fetched")
        return response.replace(request=request)

    async def process_response(self, request: Request, response: Response, spider=None) -> Response:
        netloc = request.meta.get(ROBOTS_META)
        if netloc is not None and request.meta.get(_FETCHING) and isinstance(self._parsers.get(netloc), Deferred):
            self._stats.inc_value("robotstxt/request_count")
            await self._parse_robots(response, netloc, request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider=None) -> None:
        netloc = request.meta.get(ROBOTS_META)
        if netloc is not None and request.meta.get(_FETCHING) and isinstance(self._parsers.get(netloc), Deferred):
            self._stats.inc_value("robotstxt/request_count")
            self._robots_error(exception, netloc)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self._responses[netloc] = response
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._responses[netloc] = None
        super()._robots_error(exc, netloc)

    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        if parser is None:
            current = self._parsers.get(urlparse_cached(request).netloc)
            if current is not None and not isinstance(current, Deferred):
                return current
        return parser


class MaxPagesReached(IgnoreRequest):
    """A request not downloaded: the crawl's page budget (CLOSESPIDER_PAGECOUNT, `--max-pages N`) is spent."""


class MaxPages:
    """`--max-pages N` as a budget of N downloads: the crawl closes (`closespider_pagecount`) when the Nth
    download starts, that one and those before it finish and are extracted, and no other is made.

    Scrapy's CloseSpider counts responses received and only then closes, so every request already in flight
    was fetched and emitted beyond N. A request that still reaches this middleware after the Nth is dropped
    (MaxPagesReached, not a reject); in a Redis crawl it goes on instead, as a dropped request would be acked
    as done and never handed to another worker.
    """

    def __init__(self, crawler, limit: int, strict: bool) -> None:
        self.crawler = crawler
        self.limit = limit
        self.strict = strict
        self.admitted = 0

    @classmethod
    def from_crawler(cls, crawler):
        limit = crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        if limit <= 0:
            raise NotConfigured("no page budget")
        return cls(crawler, limit, strict=not with_defaults(crawler.settings).get("CLEANWIRE_REDIS"))

    def process_request(self, request: Request, spider=None) -> None:
        if request.meta.get("cleanwire_tdmrep"):
            return  # a site's tdmrep.json (crawler.fetching.tdmrep) is a protocol file, not a page
        if self.admitted >= self.limit:
            if self.strict:
                self.crawler.stats.inc_value("cleanwire/max_pages/not_fetched")
                raise MaxPagesReached(f"--max-pages {self.limit}: budget spent")
            return
        self.admitted += 1
        if self.admitted == self.limit:
            _schedule_coro(self.crawler.engine.close_spider_async(reason="closespider_pagecount"))


#: the bytes Scrapy's meta refresh scan can reach: its first 4,096 characters, at most 4 bytes each
_REFRESH_SCAN = 4 * 4096


class MetaRefresh(MetaRefreshMiddleware):
    """Scrapy's meta refresh redirects, without decoding the pages that cannot have one.

    Scrapy decodes every HTML response (error pages too) and scans the first 4,096 characters for
    `<meta http-equiv="refresh">`: ~3% of the crawler process's CPU on a site of small pages. A page whose first
    bytes do not spell "refresh" (any case) cannot declare one, in any ASCII-compatible encoding; a page with NUL
    bytes there (UTF-16 or UTF-32) goes through Scrapy's scan as before, as does every page that does spell it.
    """

    def process_response(self, request: Request, response: Response, spider=None):
        if isinstance(response, HtmlResponse) and _cannot_refresh(response.body):
            return response
        return super().process_response(request, response)


def _cannot_refresh(body: bytes) -> bool:
    head = body[:_REFRESH_SCAN]
    return b"\x00" not in head and b"refresh" not in head.lower()  # lower(): bytes, ASCII letters only
