"""The `urls` spider: fetch exactly the given URLs (for `cleanwire extract URL...`)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from cleaners.access import classify as classify_access
from crawler.items import Page
from crawler.tdmrep import request_tdm


def page_from_response(response: Response, request_url: str, source: str = "url") -> Page:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    charset = None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            charset = value.strip("\"' ") or None
    return Page(
        url=response.url,
        request_url=request_url,
        status=response.status,
        headers={k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()},
        body=response.body,
        fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        http_charset=charset,
        source=source,
        tdm=request_tdm(response.meta),
    )


def describe_failure(failure: Failure) -> str:
    """One line saying why a request failed."""
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

    exc = failure.value
    if isinstance(exc, HttpError):
        response = exc.response
        access = classify_access(response.body, response.status, response.headers, url=response.url)
        return f"HTTP {response.status}" + (f": {access.describe()}" if access.state != "ok" else "")
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "request ignored"
        return "forbidden by robots.txt" if "robots" in text.lower() or not str(exc) else text
    if isinstance(exc, DNSLookupError):
        return "DNS lookup failed"
    if isinstance(exc, (TimeoutError, TCPTimedOutError)):
        return "timed out"
    return f"{type(exc).__name__}: {exc}".strip()


class UrlsSpider(scrapy.Spider):
    """Fetches each URL once; results go to `self.pages` and failures to `self.failures`."""

    name = "urls"

    def __init__(self, urls: list[str] | str = (), *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.urls = urls.split(",") if isinstance(urls, str) else list(urls)
        self.pages: dict[str, Page] = {}
        self.failures: dict[str, str] = {}

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True,
                                 cb_kwargs={"asked": url})

    def parse(self, response: Response, asked: str) -> Iterator[Page]:
        page = page_from_response(response, asked)
        self.pages[asked] = page
        yield page

    def failed(self, failure: Failure) -> None:
        asked = failure.request.cb_kwargs.get("asked", failure.request.url)
        self.failures[asked] = describe_failure(failure)
