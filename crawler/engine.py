"""Closing the running crawl from a pipeline, an exporter or an extension."""
from __future__ import annotations


def close_crawl(crawler, reason: str):
    """Close the running spider with `reason` as its finish reason; the Deferred fires when it is closed."""
    engine = crawler.engine
    if hasattr(engine, "close_spider_async"):       # Scrapy 2.14+
        from scrapy.utils.defer import deferred_from_coro

        return deferred_from_coro(engine.close_spider_async(reason=reason))
    return engine.close_spider(crawler.spider, reason)
