"""The throughput peer: a plain Scrapy spider calling trafilatura.bare_extraction in its callback (no cleanwire code).

It obeys robots.txt, follows every same-site link (Scrapy's duplicate filter, no depth limit) and extracts every
HTML page it gets with `trafilatura.bare_extraction`, yielding the extractions to a JSON Lines feed: what a user
writes first with Scrapy and trafilatura. `benchmarks/crawl_throughput.py` runs it on the same loopback site as
`cleanwire crawl`, with the same loopback settings, and prints the two pages/s side by side. Not a test.

    .venv/bin/python benchmarks/peer_spider.py http://127.0.0.1:PORT/ out.jsonl
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import TextResponse

#: the loopback settings crawl_throughput.py gives `cleanwire crawl` (no delay, 16 requests in flight)
SETTINGS = {
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "ERROR",
    "FEED_EXPORT_ENCODING": "utf-8",
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "USER_AGENT": "peer-benchmark/0.1",
}


class PeerSpider(scrapy.Spider):
    """Start page, then every same-site link; bare_extraction on each HTML page."""

    name = "peer"

    def __init__(self, url: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = [url]
        self.allowed_domains = [urlsplit(url).hostname]

    def parse(self, response):
        from trafilatura import bare_extraction

        if not isinstance(response, TextResponse) or b"html" not in response.headers.get(b"Content-Type", b""):
            return
        doc = bare_extraction(response.text, url=response.url, with_metadata=True)
        if doc is not None and doc.text:
            yield {"url": response.url, "title": doc.title, "author": doc.author, "date": doc.date, "text": doc.text}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    url, out = argv[:2]
    settings = {**SETTINGS, "FEEDS": {out: {"format": "jsonlines", "overwrite": True}}}
    if len(argv) == 3:  # requests in flight, as crawl_throughput.py --concurrency gives both crawls
        settings["CONCURRENT_REQUESTS"] = settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = int(argv[2])
    process = CrawlerProcess(settings)
    process.crawl(PeerSpider, url=url)
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
