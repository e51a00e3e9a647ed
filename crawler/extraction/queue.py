"""The crawl's request queue: article candidates wait while the extraction workers have a full backlog, so the
downloader fetches other pages (links, many of them "not found" or redirects that need no worker) meanwhile."""

from __future__ import annotations

from scrapy.http import Request
from scrapy.pqueues import ScrapyPriorityQueue

from crawler.extraction.extractor import Extractor

PRIORITY_ARTICLE = 10  # the request priority of article candidates (sitemap- and feed-listed pages)


class ExtractionAwarePriorityQueue(ScrapyPriorityQueue):
    """Scrapy's priority queue, except that while the extractor is backlogged (as many pages waiting for a worker
    as the workers hold) an article candidate gives way to the best request of a lower priority.

    Without it the downloader fetched article candidates (priority PRIORITY_ARTICLE, ahead of links) faster than
    two workers extract them: their responses filled the scraper's memory budget (SCRAPER_SLOT_MAX_ACTIVE_SIZE)
    and every download paused, the not-found links the articles named included, while the crawler's own core
    idled; the links were fetched afterwards, on one core. Requests above PRIORITY_ARTICLE (robots.txt, sitemaps,
    feeds, an article's continuation pages) and start requests keep Scrapy's order, and when nothing of a lower
    priority is queued the candidate goes anyway.
    """

    def pop(self) -> Request | None:
        if self.curprio == -PRIORITY_ARTICLE and self.queues.get(self.curprio) is not None:
            extractor = Extractor.running(self.crawler)
            if extractor is not None and extractor.backlogged():
                lower = [key for key, queue in self.queues.items() if key > self.curprio and queue]
                if lower:
                    key = min(lower)  # Scrapy's keys are negated priorities: the best of the lower ones
                    queue = self.queues[key]
                    request = queue.pop()
                    if not queue:
                        del self.queues[key]
                        queue.close()
                    return request
        return super().pop()
