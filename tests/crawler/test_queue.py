"""The crawl's request queue: article candidates give way to lower-priority requests while extraction is backlogged."""

from __future__ import annotations

import scrapy
from scrapy.squeues import FifoMemoryQueue
from scrapy.utils.test import get_crawler

from crawler.extraction.extractor import Extractor
from crawler.extraction.queue import PRIORITY_ARTICLE, ExtractionAwarePriorityQueue
from crawler.spiders.site import SiteSpider


def queue_with(extractor_waiting: int | None, *requests: tuple[str, int]):
    crawler = get_crawler(SiteSpider, {"CLEANWIRE_WORKERS": 2})
    if extractor_waiting is not None:
        Extractor.for_crawler(crawler).waiting = extractor_waiting  # in_flight: twice the workers, 4
    queue = ExtractionAwarePriorityQueue.from_crawler(crawler, FifoMemoryQueue, "")
    for url, priority in requests:
        queue.push(scrapy.Request(f"https://s.example{url}", priority=priority))
    return queue


def order(queue) -> list[str]:
    out = []
    while (request := queue.pop()) is not None:
        out.append(request.url.removeprefix("https://s.example"))
    assert len(queue) == 0
    return out


REQUESTS = [
    ("/a1", PRIORITY_ARTICLE),
    ("/link1", 0),
    ("/sitemap.xml", 20),
    ("/a2", PRIORITY_ARTICLE),
    ("/link2", 0),
    ("/low", -5),
    ("/next-page", 30),
]


def test_without_a_backlog_it_is_scrapys_priority_order():
    expected = ["/next-page", "/sitemap.xml", "/a1", "/a2", "/link1", "/link2", "/low"]
    assert order(queue_with(3, *REQUESTS)) == expected
    assert order(queue_with(None, *REQUESTS)) == expected  # no extractor: `cleanwire extract URL` fetches


def test_a_backlog_sends_the_links_before_the_article_candidates_and_never_before_discovery():
    assert order(queue_with(4, *REQUESTS)) == ["/next-page", "/sitemap.xml", "/link1", "/link2", "/low", "/a1", "/a2"]


def test_the_backlog_is_read_at_each_pop():
    queue = queue_with(4, *REQUESTS)
    extractor = Extractor.running(queue.crawler)
    assert [queue.pop().url for _ in range(3)][-1] == "https://s.example/link1"
    extractor.waiting = 0  # the workers caught up
    assert queue.pop().url == "https://s.example/a1"
    extractor.waiting = 9
    assert order(queue) == ["/link2", "/low", "/a2"]
