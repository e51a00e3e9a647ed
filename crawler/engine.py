"""The running crawl: closing it with a finish reason, and what each finish reason means for the run."""

from __future__ import annotations

#: Scrapy finish reasons of a run that did what it was asked: ran out of pages, or reached a CLOSESPIDER_* bound
DONE_REASONS = ("finished", "closespider_pagecount", "closespider_itemcount", "closespider_timeout")
INTERRUPTED = "shutdown"  # SIGINT/SIGTERM: stopped cleanly, the next run resumes


def run_status(reason: str | None) -> tuple[str, int]:
    """(run status, exit status) of a crawl from Scrapy's finish reason: finished 0, interrupted 130, failed 1."""
    if reason in DONE_REASONS:
        return "finished", 0
    if reason == INTERRUPTED:
        return "interrupted", 130
    return "failed", 1


def close_crawl(crawler, reason: str):
    """Close the running spider with `reason` as its finish reason; the Deferred fires when it is closed."""
    engine = crawler.engine
    if hasattr(engine, "close_spider_async"):  # Scrapy 2.14+
        from scrapy.utils.defer import deferred_from_coro

        return deferred_from_coro(engine.close_spider_async(reason=reason))
    return engine.close_spider(crawler.spider, reason)
