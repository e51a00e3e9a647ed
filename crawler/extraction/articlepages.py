"""Multi-page articles while fetching: request an article's continuation pages, merge them before the record goes out."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from cleaners.multipage import Assembly, PageLinks
from crawler.items import Page

logger = logging.getLogger(__name__)

PRIORITY_CONTINUATION = 30  # an article waiting for its next page goes before any other request


class ArticlePages:
    """Spider mixin: chains the requests of an article's continuation pages; its Page goes out with the merged record.

    The spider provides `extract_continuation(page) -> (status, payload, links)` (awaited: a worker in a crawl,
    in-process for `cleanwire extract`) and `article_done(page, record)` (what to yield for the finished
    article). Callbacks are spider methods and the request state pickles, as Scrapy's queues need.
    """

    def start_article_pages(
        self, page: Page, record: dict[str, Any], links: PageLinks, max_pages: int, chunk_tokens: int = 0
    ) -> Iterator[Any]:
        """The request of the article's next page, or (nothing more to fetch) what `article_done` yields.
        `chunk_tokens`: the cleaner's Options.chunk_tokens, for the merged record's chunks."""
        yield from self._next_article_page(Assembly(page.url, record, links, max_pages, chunk_tokens), page)

    def _next_article_page(self, assembly: Assembly, page: Page) -> Iterator[Any]:
        target = assembly.next_url()
        if target is None:
            merged = assembly.result()
            if merged.get("pages"):
                self._count_pages("merged_articles")
                self._count_pages("continuation_pages", len(merged["pages"]) - 1)
            for url, why in assembly.rejected:
                logger.info("%s: continuation %s not merged (%s)", page.url, url, why)
            yield from self.article_done(page, merged)
            return
        yield scrapy.Request(
            target,
            callback=self.parse_continuation,
            errback=self.continuation_failed,
            dont_filter=True,
            priority=PRIORITY_CONTINUATION,
            cb_kwargs={"assembly": assembly, "page": page},
        )

    async def parse_continuation(self, response: Response, assembly: Assembly, page: Page):
        from crawler.spiders.urls import page_from_response  # (that module's spider uses this mixin)

        status, payload, links = await self.extract_continuation(page_from_response(response, response.url))
        if status != "article":
            self._count_pages("rejected")
        assembly.add(
            response.url,
            payload if status == "article" else None,
            links,
            payload if isinstance(payload, str) else "not an article",
        )
        for out in self._next_article_page(assembly, page):
            yield out

    def continuation_failed(self, failure: Failure) -> Iterator[Any]:
        from crawler.spiders.urls import describe_failure

        # Scrapy sets .request on the Failure it hands an errback; twisted's Failure does not declare it
        request = failure.request  # type: ignore[attr-defined]
        kwargs = request.cb_kwargs
        self._count_pages("failed")
        kwargs["assembly"].add(request.url, None, PageLinks(), describe_failure(failure))
        yield from self._next_article_page(kwargs["assembly"], kwargs["page"])

    def _count_pages(self, key: str, n: int = 1) -> None:
        stats = getattr(getattr(self, "crawler", None), "stats", None)
        if stats is not None:
            stats.inc_value(f"cleanwire/pages/{key}", n)

    # provided by the spider
    async def extract_continuation(self, page: Page) -> tuple[str, Any, PageLinks]:
        raise NotImplementedError

    def article_done(self, page: Page, record: dict[str, Any]) -> Iterator[Any]:
        raise NotImplementedError
