"""Crawl pipelines and extensions: extraction in worker processes, dedup, --since, state, summary, Crawl-delay."""

from __future__ import annotations

import asyncio
import json

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from cleaners import extract
from crawler.fetching.politeness import CrawlDelay
from crawler.items import Page
from crawler.pipelines import DedupPipeline, ExtractPipeline, SincePipeline, reason_key
from crawler.reporting.progress import format_summary, progress_line, summarize

from conftest import PAGES

ARTICLE = PAGES / "arc" / "utility-rates-heating-bill.html"
URL = "https://news.example.com/2025/01/02/utility-rates-heating-bill/"
NOT_ARTICLE = b"<html><head><title>Home</title></head><body><nav><a href='/a'>A</a></nav><p>Hi.</p></body></html>"
FETCHED = "2025-01-02T03:04:05+00:00"


def page(body: bytes, url: str = URL, verdict: str = "article") -> Page:
    return Page(
        url=url,
        request_url=url,
        status=200,
        headers={},
        body=body,
        fetched_at=FETCHED,
        http_charset="utf-8",
        meta={"verdict": verdict},
    )


@pytest.fixture(scope="module")
def extract_pipeline():
    crawler = get_crawler(settings_dict={"CLEANWIRE_WORKERS": 1, "CLEANWIRE_MIN_WORDS_UNSURE": 100000})
    pipeline = ExtractPipeline.from_crawler(crawler)
    pipeline.open_spider()
    yield pipeline
    pipeline.close_spider()


def run(pipeline, item):
    return asyncio.run(pipeline.process_item(item))


@pytest.mark.e2e
def test_worker_record_equals_in_process_extraction(extract_pipeline):
    body = ARTICLE.read_bytes()
    record = run(extract_pipeline, page(body))
    expected = extract(
        body, url=URL, options=extract_pipeline.extractor.options.with_(fetched_at=FETCHED), http_charset="utf-8"
    ).to_dict()
    assert record == expected
    assert record["url"] == URL and record["fetched_at"] == FETCHED
    assert extract_pipeline.extractor.workers == 1 and extract_pipeline.extractor.in_flight == 2


@pytest.mark.e2e
def test_not_article_is_dropped_with_counted_reason(extract_pipeline):
    with pytest.raises(DropItem, match="not an article"):
        run(extract_pipeline, page(NOT_ARTICLE))
    assert extract_pipeline.stats.get_value("cleanwire/skipped/too_little_text") == 1


@pytest.mark.e2e
def test_binary_input_is_dropped_as_bad_input(extract_pipeline):
    with pytest.raises(DropItem):
        run(extract_pipeline, page(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4))
    assert extract_pipeline.stats.get_value("cleanwire/errors/bad_input") == 1


@pytest.mark.e2e
def test_unsure_page_needs_many_words(extract_pipeline):
    with pytest.raises(DropItem, match="no article signal"):
        run(extract_pipeline, page(ARTICLE.read_bytes(), verdict="unknown"))
    assert extract_pipeline.stats.get_value("cleanwire/skipped/short_unsure_page") == 1


@pytest.mark.e2e
def test_other_items_pass_through(extract_pipeline):
    assert run(extract_pipeline, {"a": 1}) == {"a": 1}


def test_reason_keys():
    assert reason_key("no main content found") == "no_content"
    assert reason_key("too little text (12 characters)") == "too_little_text"
    assert reason_key("page type 'website' with little text") == "page_type"
    assert reason_key("something new") == "other"


def record(url: str, canonical: str | None, digest: str, published: str | None = None) -> dict:
    return {
        "url": url,
        "canonical_url": canonical,
        "content_hash": digest,
        "date_published": published,
        "fetched_at": FETCHED,
    }


def test_dedup_by_canonical_url_and_content_hash():
    crawler = get_crawler()
    dedup = DedupPipeline.from_crawler(crawler)
    first = record("https://s.example/a/", "https://s.example/a/", "sha256:1")
    assert dedup.process_item(first) is first
    with pytest.raises(DropItem, match="same canonical URL"):
        dedup.process_item(record("https://s.example/a/?utm_source=x", None, "sha256:2"))
    with pytest.raises(DropItem, match="same canonical URL"):
        dedup.process_item(record("https://s.example/amp/a/", "https://s.example/a/#top", "sha256:3"))
    with pytest.raises(DropItem, match="same text"):
        dedup.process_item(record("https://s.example/b/", "https://s.example/b/", "sha256:1"))
    dedup.process_item(record("https://s.example/c/", None, "sha256:4"))
    dedup.process_item(record("https://s.example/d/", "https://s.example/", "sha256:5"))
    dedup.process_item(record("https://s.example/e/", "https://s.example/", "sha256:6"))  # home canonical: ignored
    stats = crawler.stats
    assert (
        stats.get_value("cleanwire/duplicates/url"),
        stats.get_value("cleanwire/duplicates/content_hash"),
        stats.get_value("cleanwire/articles"),
    ) == (2, 1, 4)


@pytest.mark.e2e
def test_since_drops_older_articles_and_is_off_by_default():
    with pytest.raises(NotConfigured):
        SincePipeline.from_crawler(get_crawler())
    since = SincePipeline.from_crawler(get_crawler(settings_dict={"CLEANWIRE_SINCE": "2025-03-01"}))
    kept = record("https://s.example/a/", None, "h", "2025-03-01T00:30:00+01:00")
    assert since.process_item(kept) is kept
    undated = record("https://s.example/b/", None, "h")
    assert since.process_item(undated) is undated
    with pytest.raises(DropItem, match="before 2025-03-01"):
        since.process_item(record("https://s.example/c/", None, "h", "2025-02-28T23:00:00+00:00"))


def test_summary_and_progress_line():
    stats = {
        "downloader/response_count": 120,
        "cleanwire/articles": 48,
        "item_scraped_count": 48,
        "cleanwire/skipped/tag": 30,
        "cleanwire/skipped/author": 11,
        "cleanwire/duplicates/url": 2,
        "robotstxt/forbidden": 1,
        "cleanwire/http_errors/404": 1,
        "cleanwire/http_errors/503": 2,
        "retry/count": 1,
        "cleanwire/discovery/sitemaps": 4,
        "cleanwire/discovery/feeds": 2,
    }
    summary = summarize(stats, elapsed=10.0)
    assert summary["skipped"] == {"author": 11, "tag": 30}
    assert summary["http_errors"] == {"404": 1, "503": 2}
    assert format_summary(summary).splitlines() == [
        "crawl finished in 10.0 s",
        "  pages fetched         120   12.0 pages/s (sitemaps 4, feeds 2, malformed 0, retries 1)",
        "  articles emitted       48",
        "  skipped                41   tag 30, author 11",
        "  duplicates              2   url 2",
        "  robots-forbidden        1",
        "  HTTP errors             3   HTTP 503 2, HTTP 404 1",
        "  other errors            0",
    ]
    assert progress_line(summary) == "fetched 120  articles 48  skipped 41  errors 3  12.0 pages/s"


def test_summary_counts_the_records_written_not_the_pages_extracted():
    stats = {
        "downloader/response_count": 60,
        "cleanwire/articles": 48,
        "item_scraped_count": 5,
        "cleanwire/state/unchanged": 42,
        "cleanwire/dropped/near_duplicate": 1,
    }
    summary = summarize(stats, elapsed=2.0)
    assert format_summary(summary).splitlines()[2] == (
        "  articles emitted        5   of 48 extracted; unchanged since last run 42, near-duplicates dropped 1"
    )
    assert progress_line(summary) == "fetched 60  articles 5  skipped 0  errors 0  30.0 pages/s"


@pytest.mark.e2e
def test_crawl_delay_from_robots_raises_the_slot_delay():
    class Slot:
        delay = 0.0

    crawler = get_crawler(
        settings_dict={"USER_AGENT": "cleanwire/0.1", "CLEANWIRE_MAX_CRAWL_DELAY": 5, "ROBOTSTXT_OBEY": True}
    )
    ext = CrawlDelay.from_crawler(crawler)
    robots = Request("https://s.example/robots.txt")
    ext.response_received(Response(robots.url, body=b"User-agent: *\nCrawl-delay: 2\n"), robots)
    assert ext.delays == {"s.example": 2.0}
    ext.response_received(
        Response("https://t.example/robots.txt", body=b"User-agent: *\nCrawl-delay: 60\n"),
        Request("https://t.example/robots.txt"),
    )
    assert ext.delays["t.example"] == 5.0

    slot = Slot()

    class Engine:
        class downloader:
            slots = {"s.example": slot}  # noqa: RUF012  (a stand-in for the engine's attribute)

    crawler.engine = Engine()
    ext.enforce(Request("https://s.example/a/", meta={"download_slot": "s.example"}))
    assert slot.delay == 2.0


def test_crawl_delay_off_without_robots():
    with pytest.raises(NotConfigured):
        CrawlDelay.from_crawler(get_crawler(settings_dict={"ROBOTSTXT_OBEY": False}))


@pytest.mark.e2e
def test_backoff_doubles_the_slot_delay_on_overload_and_recovers():
    from crawler.fetching.politeness import Backoff

    class Slot:
        delay = 0.25

    slot = Slot()

    class Engine:
        class downloader:
            slots = {"s.example": slot}  # noqa: RUF012  (a stand-in for the engine's attribute)

    crawler = get_crawler(settings_dict={"CLEANWIRE_BACKOFF_START": 1.0, "CLEANWIRE_BACKOFF_MAX": 10.0})
    ext = Backoff.from_crawler(crawler)
    crawler.engine = Engine()
    request = Request("https://s.example/a/", meta={"download_slot": "s.example"})
    delays = []
    for status, headers in [
        (503, {}),
        (503, {}),
        (429, {"Retry-After": "8"}),
        (429, {}),
        (200, {}),
        (200, {}),
        (200, {}),
        (200, {}),
        (200, {}),
        (200, {}),
    ]:
        ext.response_downloaded(Response(request.url, status=status, headers=headers), request)
        delays.append(slot.delay)
    assert delays == [1.0, 2.0, 8.0, 10.0, 5.0, 2.5, 1.25, 0.625, 0.3125, 0.25]
    assert crawler.stats.get_value("cleanwire/backoffs") == 4


@pytest.mark.parametrize("encoding", ["utf-8", None, "latin-1"])
def test_flushing_jsonlines_exporter_writes_what_scrapy_writes(encoding):
    import io

    from scrapy.exporters import JsonLinesItemExporter

    from crawler.output.feeds import FlushingJsonLinesExporter

    item = {"url": URL, "title": "Ünïcode «quoted»", "blocks": [{"kind": "p", "text": "é"}], "n": 3, "x": None}
    ours, scrapys = io.BytesIO(), io.BytesIO()
    FlushingJsonLinesExporter(ours, encoding=encoding).export_item(item)
    JsonLinesItemExporter(scrapys, encoding=encoding).export_item(item)
    assert ours.getvalue() == scrapys.getvalue()
    fields = io.BytesIO()
    FlushingJsonLinesExporter(fields, encoding=encoding, fields_to_export=["url", "n"]).export_item(item)
    assert json.loads(fields.getvalue()) == {"url": URL, "n": 3}


def test_worker_pool_results_errors_big_payloads_and_a_dead_worker_replaced():
    import os
    from concurrent.futures.process import BrokenProcessPool

    from crawler.extraction.pool import WorkerPool

    deaths = []
    pool = WorkerPool(1, depth=2, on_death=deaths.append)

    async def first_loop():
        results = await asyncio.gather(pool.run(pow, 2, 10), pool.run(len, b"x" * 5_000_000), pool.run(pow, 3, 2))
        assert results == [1024, 5_000_000, 9]  # more than one pipe buffer each way, in order
        with pytest.raises(ValueError, match="invalid literal"):
            await pool.run(int, "x")
        dying, beside, after = pool.run(os._exit, 3), pool.run(pow, 2, 2), pool.run(pow, 5, 2)
        outcome = await asyncio.gather(dying, beside, after, return_exceptions=True)
        assert isinstance(outcome[0], BrokenProcessPool)  # the tasks the worker held when it died
        assert isinstance(outcome[1], BrokenProcessPool)
        assert outcome[2] == 25  # queued behind them: run by the replacement

    try:
        asyncio.run(first_loop())
        assert len(deaths) == 1
        assert asyncio.run(pool.run(pow, 7, 2)) == 49  # another event loop (one asyncio.run per test)
    finally:
        pool.close()
    assert not pool.workers


def test_worker_pool_accounts_the_workers_cpu_in_the_tasks_and_beside_them():
    import os
    from concurrent.futures.process import BrokenProcessPool

    from crawler.extraction.pool import WorkerPool

    pool = WorkerPool(1, depth=1)
    try:
        assert pool.cpu() == (0.0, 0.0)
        assert asyncio.run(pool.run(sum, range(3_000_000))) == 4_499_998_500_000
        worker, in_tasks = pool.cpu()
        assert 0.02 < in_tasks <= worker < in_tasks + 0.5  # the rest: the worker's start and its pipes
        with pytest.raises(BrokenProcessPool):
            asyncio.run(pool.run(os._exit, 3))
        assert asyncio.run(pool.run(sum, range(3_000_000))) == 4_499_998_500_000  # in the replacement
        after = pool.cpu()
        assert after[0] >= worker + (after[1] - in_tasks)  # the dead worker's CPU is still counted
        assert after[1] > 2 * 0.02
    finally:
        pool.close()


def test_the_extractor_reports_the_workers_cpu_when_it_closes():
    from scrapy.statscollectors import MemoryStatsCollector

    from cleaners import Options
    from crawler.extraction.extractor import Extractor
    from crawler.extraction.pool import WorkerPool
    from crawler.stats import TASK_CPU, WORKER_CPU

    stats = MemoryStatsCollector(get_crawler())
    extractor = Extractor(Options(), stats, workers=1, in_flight=2)
    extractor.pool = WorkerPool(1)
    asyncio.run(extractor.pool.run(sum, range(3_000_000)))
    worker, in_tasks = extractor.pool.cpu()
    extractor.close()
    assert stats.get_value(WORKER_CPU) == round(worker, 3) and stats.get_value(TASK_CPU) == round(in_tasks, 3)
    assert stats.get_value(TASK_CPU) > 0.02


def test_crawl_stats_count_as_scrapys_collector_without_its_lookup_shim():
    import warnings

    from scrapy.statscollectors import MemoryStatsCollector

    import crawler.settings as project
    from crawler.reporting.collector import CrawlStats

    assert project.STATS_CLASS == "crawler.reporting.collector.CrawlStats"
    stats = CrawlStats(get_crawler())
    assert isinstance(stats, MemoryStatsCollector) and "_cached_inc_value" not in vars(stats)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats.inc_value("a")
        stats.inc_value("a", 2, spider=None)
        stats.max_value("m", 3)
        stats.max_value("m", 2)
        stats.set_value("s", "x")
    assert stats.get_stats() == {"a": 3, "m": 3, "s": "x"}
    assert "_cached_inc_value" not in vars(stats)  # nothing wrapped on the way


def test_summary_splits_the_workers_cpu():
    stats = {
        "downloader/response_count": 3194,
        "item_scraped_count": 3051,
        "cleanwire/extract/pages": 3180,
        "cleanwire/extract/worker_cpu_s": 34.93,
        "cleanwire/extract/task_cpu_s": 34.21,
    }
    assert format_summary(summarize(stats, elapsed=27.6)).splitlines()[-1] == (
        "  worker CPU (s)       34.9   34.2 on 3180 pages, 0.7 starting and passing pages and results (0.23 ms a page)"
    )


def test_robots_txt_once_whether_the_spider_or_the_middleware_asks_first():
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import TextResponse

    from crawler.fetching.middlewares import ROBOTS_META, RobotsTxtMiddleware

    rules = b"User-agent: *\nDisallow: /private/\n"
    downloads = []

    class Engine:
        async def download_async(self, request):
            downloads.append(request.url)
            return TextResponse(request.url, body=rules, request=request)

    def middleware():
        crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True})
        crawler.engine = Engine()
        return RobotsTxtMiddleware.from_crawler(crawler)

    def spider_request():
        return Request("http://s.example/robots.txt", meta={ROBOTS_META: "s.example"})

    async def middleware_first():
        mw = middleware()
        assert await mw.process_request(Request("http://s.example/")) is None  # fetches the rules itself
        asked = spider_request()
        response = await mw.process_request(asked)  # served that response: no download
        assert response.body == rules and response.request is asked
        with pytest.raises(IgnoreRequest):
            await mw.process_request(Request("http://s.example/private/a"))

    async def spider_first():
        mw = middleware()
        asked = spider_request()
        assert await mw.process_request(asked) is None  # the spider's request is the fetch
        response = TextResponse(asked.url, body=rules, request=asked)
        assert await mw.process_response(asked, response) is response
        assert await mw.process_request(Request("http://s.example/a")) is None
        with pytest.raises(IgnoreRequest):
            await mw.process_request(Request("http://s.example/private/a"))

    asyncio.run(middleware_first())
    assert downloads == ["http://s.example/robots.txt"]
    asyncio.run(spider_first())
    assert downloads == ["http://s.example/robots.txt"]


def test_worker_pool_stops_replacing_workers_that_keep_dying():
    import os
    from concurrent.futures.process import BrokenProcessPool

    from crawler.extraction.pool import MAX_DEATHS_IN_A_ROW, WorkerPool

    pool = WorkerPool(1, depth=1)

    async def deaths():
        for _ in range(MAX_DEATHS_IN_A_ROW + 2):
            with pytest.raises(BrokenProcessPool):
                await pool.run(os._exit, 3)
        assert pool.broken and "keep dying" in pool.broken
        with pytest.raises(BrokenProcessPool, match="keep dying"):
            await pool.run(pow, 2, 2)

    try:
        asyncio.run(deaths())
    finally:
        pool.close()


def test_the_workers_warm_up_page_is_an_article_with_a_language():
    from cleaners import clean
    from crawler.extraction.warmup import WARMUP_PAGE, WARMUP_URL

    article = clean(WARMUP_PAGE, WARMUP_URL).article  # so the forkserver loads what every extraction needs
    assert article is not None and article.language == "en" and article.word_count > 300


def test_workers_run_at_the_niceness_the_pool_adds():
    import os

    from crawler.extraction.pool import WorkerPool

    here = os.nice(0)
    pools = [WorkerPool(1, nice=5), WorkerPool(1)]
    try:
        assert [asyncio.run(pool.run(os.nice, 0)) for pool in pools] == [min(here + 5, 19), here]
    finally:
        for pool in pools:
            pool.close()


def test_the_crawls_extractor_takes_the_worker_niceness_setting():
    from scrapy.utils.test import get_crawler

    from crawler.extraction.extractor import Extractor
    from crawler.spiders.site import SiteSpider

    assert Extractor.for_crawler(get_crawler(SiteSpider)).nice == 5
    assert Extractor.for_crawler(get_crawler(SiteSpider, {"CLEANWIRE_WORKER_NICE": 0})).nice == 0
