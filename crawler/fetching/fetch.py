"""Fetch a list of URLs with Scrapy (project settings, robots.txt) in this process."""

from __future__ import annotations

import logging

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.items import Page


def project_settings(overrides: dict[str, str] | None = None, **extra) -> Settings:
    """crawler.settings, then `extra` from the command's flags, then `-s NAME=VALUE` pairs."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in extra.items():
        settings.set(name, value, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def fetch_urls(urls: list[str], settings: Settings, options=None) -> tuple[dict[str, Page], dict[str, str]]:
    """Fetch each URL once; returns (pages by asked URL, failure reason by asked URL).

    With cleaner `options`, a multi-page article's continuation pages are fetched too and its merged record
    is in the page's `meta["record"]` (see crawler.spiders.urls)."""
    from crawler.fetching.render import configure
    from crawler.spiders.urls import UrlsSpider

    settings = settings.copy()
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")  # extraction happens in the caller
    configure(settings)  # the browser's download handler, when pages may be rendered
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(UrlsSpider)
    process.crawl(crawler, urls=urls, options=options)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, UrlsSpider)  # set by process.crawl, which has returned
    failures = dict(spider.failures)
    for url in urls:
        if url not in spider.pages and url not in failures:
            failures[url] = "not fetched (no response)"
    logging.getLogger(__name__).debug("fetched %d of %d URLs", len(spider.pages), len(urls))
    return spider.pages, failures
