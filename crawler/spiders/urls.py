"""The `urls` spider: fetch exactly the given URLs (for `cleanwire extract URL...`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from cleaners import Options
from cleaners.access import access_state
from cleaners.multipage import PageLinks, wants_pages
from crawler.clock import utcnow
from crawler.extraction.articlepages import ArticlePages
from crawler.extraction.tasks import extract_with_links
from crawler.fetching.render import RENDER_META, SHELL_META, RenderPolicy, rendered, shell_evidence
from crawler.fetching.tdmrep import request_tdm
from crawler.items import Page
from crawler.settings import with_defaults


def page_from_response(response: Response, request_url: str, source: str = "url") -> Page:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
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
        fetched_at=utcnow(),
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
        access = access_state(response.body, response.status, response.headers, url=response.url)
        return f"HTTP {response.status}" + (f": {access.describe()}" if access.state != "ok" else "")
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "request ignored"
        return "forbidden by robots.txt" if "robots" in text.lower() or not str(exc) else text
    if isinstance(exc, DNSLookupError):
        return "DNS lookup failed"
    if isinstance(exc, (TimeoutError, TCPTimedOutError)):
        return "timed out"
    return f"{type(exc).__name__}: {exc}".strip()


class UrlsSpider(ArticlePages, scrapy.Spider):
    """Fetches each URL once; results go to `self.pages` and failures to `self.failures`.

    Given cleaner `options`, each page is also cleaned here, and the continuation pages of a multi-page
    article are fetched and merged (at most CLEANWIRE_MAX_ARTICLE_PAGES): the merged record is in the
    first page's `meta["record"]`.
    """

    name = "urls"

    def __init__(self, urls: Sequence[str] | str = (), *args, options: Options | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.urls = urls.split(",") if isinstance(urls, str) else list(urls)
        self.pages: dict[str, Page] = {}
        self.failures: dict[str, str] = {}
        self.options = options
        self.max_article_pages = 1

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_article_pages = with_defaults(crawler.settings).getint("CLEANWIRE_MAX_ARTICLE_PAGES")
        return spider

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        render = RenderPolicy.from_crawler(self.crawler)
        for url in self.urls:
            request = scrapy.Request(
                url, callback=self.parse, errback=self.failed, dont_filter=True, cb_kwargs={"asked": url}
            )
            yield (render.upfront(url) and render.request(request)) or request

    async def parse(self, response: Response, asked: str):
        render = RenderPolicy.from_crawler(self.crawler)
        shell = None
        if not rendered(response):
            shell = shell_evidence(response.body, response.url, response.status)
            again = shell and render.after_shell() and render.request(response.request, meta={SHELL_META: shell})
            if again:
                yield again  # the page's article is built by scripts: through the browser
                return
        page = page_from_response(response, asked)
        if not rendered(response) and shell:
            page.meta["js_shell"] = shell  # not rendered (--render never, no Chromium, budget spent)
        elif rendered(response):
            page.meta["rendered"] = True
        self.pages[asked] = page
        if self.options is not None and self.max_article_pages > 1:
            status, payload, links = await self.extract_continuation(page)
            if status == "article" and links.first and not response.meta.get("cleanwire_first_of"):
                # page 2 (or later) of an article: the whole article is extracted from its first page
                yield scrapy.Request(
                    links.first,
                    callback=self.parse,
                    errback=self.failed,
                    dont_filter=True,
                    cb_kwargs={"asked": asked},
                    meta={"cleanwire_first_of": response.url},
                )
                return
            if status == "article" and wants_pages(links, self.max_article_pages):
                assert isinstance(payload, dict)  # an article's payload is its record
                for out in self.start_article_pages(
                    page, payload, links, self.max_article_pages, self.options.chunk_tokens
                ):
                    yield out
                return
        yield page

    async def extract_continuation(self, page: Page) -> tuple[str, object, PageLinks]:
        """Cleaned here, in this process: `cleanwire extract` fetches a handful of URLs."""
        options = (self.options or Options()).with_(fetched_at=page.fetched_at)
        return extract_with_links(page.body, page.url, options, page.http_charset, page.headers, page.tdm)

    def article_done(self, page: Page, record: dict) -> Iterator[Page]:
        if record.get("pages"):
            page.meta["record"] = record
        yield page

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy for errbacks, not in twisted's stubs
        asked = request.cb_kwargs.get("asked", request.url)
        why = describe_failure(failure)
        from scrapy.exceptions import IgnoreRequest

        if request.meta.get(RENDER_META) and not failure.check(IgnoreRequest):  # robots.txt says why itself
            shell = request.meta.get(SHELL_META)
            why = why.splitlines()[0]  # Playwright appends its call log
            why = f"{shell}; rendering failed: {why}" if shell else f"rendering failed: {why}"
        self.failures[asked] = why
