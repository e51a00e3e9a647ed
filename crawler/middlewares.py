"""Downloader middlewares cleanwire adds to Scrapy's."""
from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, fixed for requests that wait on the same robots.txt.

    In Scrapy 2.13-2.19 every request to a host whose robots.txt is still downloading awaits one
    shared Deferred; only the first waiter receives the parser, the others get None and are let
    through unchecked. Here a waiter that gets None re-reads the parser once it is known.
    """

    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        if parser is None:
            current = self._parsers.get(urlparse_cached(request).netloc)
            if current is not None and not isinstance(current, Deferred):
                return current
        return parser
