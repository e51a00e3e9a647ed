"""`cleanwire crawl` and `scrapy crawl site` on the fixture news site (loopback), plus sitemap/feed parsing units."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from crawler.demo.server import FixtureSite
from crawler.discovery.listings import Entry, MalformedDocument, parse_feed, parse_sitemap

from conftest import CLEANWIRE, ROOT

LOOPBACK = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s",
    "CLEANWIRE_WORKERS=2",
]


class Crawl:
    """One finished crawl of a fresh fixture site: records, summary text, the server's request log."""

    def __init__(self, command: list[str], out, site: FixtureSite) -> None:
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        self.stderr = result.stderr
        self.records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        self.paths = [urlsplit(r["url"]).path for r in self.records]
        self.requests = list(site.requests)
        self.manifest = site.manifest
        self.origin = site.origin


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("crawl") / "out.jsonl"
    with FixtureSite() as site:
        yield Crawl([*CLEANWIRE, "crawl", site.origin + "/", "-o", str(out), *LOOPBACK], out, site)


def test_every_public_article_is_emitted_exactly_once(crawl):
    expected = sorted(a["path"] for a in crawl.manifest["articles"])
    assert sorted(crawl.paths) == expected
    assert len(crawl.records) == len(expected) == crawl.manifest["counts"]["articles"]


def test_a_live_blog_is_one_record_with_every_entry(crawl):
    [live] = [a for a in crawl.manifest["articles"] if a.get("kind") == "liveblog"]
    [record] = [r for r, path in zip(crawl.records, crawl.paths) if path == live["path"]]
    assert [{"time": e["time"], "headline": e["headline"]} for e in record["entries"]] == live["entries"]
    assert [e["url"] for e in record["entries"]] == [
        f"{crawl.origin}{live['path']}#update-{n}" for n in range(len(live["entries"]), 0, -1)
    ]
    headings = [b["text"] for b in record["blocks"] if b["type"] == "heading"]
    assert headings == [e["headline"] for e in live["entries"]]
    assert not [r for r in record["removed"] if any(r["text"] in e["text"] for e in record["entries"])]


def test_a_three_page_article_is_one_record_with_every_page_and_no_page_alone(crawl):
    [paged] = [a for a in crawl.manifest["articles"] if a.get("kind") == "pages"]
    assert paged["pages"][1:] == crawl.manifest["continuation_pages"]
    [record] = [r for r, path in zip(crawl.records, crawl.paths) if path == paged["path"]]
    assert record["pages"] == [crawl.origin + p for p in paged["pages"]]
    assert [b["text"] for b in record["blocks"] if b["type"] == "heading"] == [
        "Homes on the east quay",
        "A working harbour",
        "Squares and the waterfront path",
    ]
    assert record["word_count"] >= paged["word_count"]
    assert not set(crawl.manifest["continuation_pages"]) & set(crawl.paths)
    assert "kelmouth-gazette" not in " ".join(record["pages"])  # the other site's "page 2" is no page of it


def test_no_non_article_record(crawl):
    assert not set(crawl.paths) & set(crawl.manifest["non_articles"])
    assert all(r["title"] and r["word_count"] > 100 for r in crawl.records)


def test_records_validate_against_the_schema(crawl, validate):
    for record in crawl.records:
        validate(record)


def test_nothing_robots_forbids_was_requested(crawl):
    requested = [urlsplit(target).path for _, target, _ in crawl.requests]
    assert "/robots.txt" in requested
    for prefix in crawl.manifest["robots_disallow"]:
        assert not [p for p in requested if p.startswith(prefix)]
    assert "  robots-forbidden        1" in crawl.stderr.splitlines()


def test_tracking_parameters_are_never_requested_nor_emitted(crawl):
    assert not [t for _, t, _ in crawl.requests if "utm_" in t or "#" in t]
    assert all("?" not in r["url"] for r in crawl.records)


def test_no_page_is_requested_twice_except_the_retried_one(crawl):
    seen = [t for _, t, s in crawl.requests if s != 503]
    assert len(seen) == len(set(seen))


def test_robots_txt_is_fetched_once_for_the_middleware_and_the_spider(crawl):
    requested = [t for _, t, _ in crawl.requests]
    assert requested.count("/robots.txt") == 1
    assert requested.index("/robots.txt") < requested.index("/")  # the rules before the first page
    assert crawl.manifest["sitemaps"]["index"] in requested  # its Sitemap line read by the spider
    assert "/sitemap.xml" not in requested  # (no probing for one)


def test_redirected_old_url_yields_the_article_under_its_final_url(crawl):
    ((old, new),) = crawl.manifest["redirects"].items()
    assert ("GET", old, 301) in crawl.requests
    assert new in crawl.paths and old not in crawl.paths
    record = crawl.records[crawl.paths.index(new)]
    assert urlsplit(record["canonical_url"]).path == new


def test_flaky_page_is_retried_and_emitted(crawl):
    (flaky,) = crawl.manifest["flaky"]
    statuses = [s for _, t, s in crawl.requests if t == flaky]
    assert statuses == [503, 200]
    assert flaky in crawl.paths


def test_missing_page_is_counted_in_the_summary(crawl):
    (missing,) = crawl.manifest["not_found"]
    assert ("GET", missing, 404) in crawl.requests
    assert "  HTTP errors             1   HTTP 404 1" in crawl.stderr.splitlines()


def test_summary_counts_articles_and_skips_by_reason(crawl):
    lines = crawl.stderr.splitlines()
    assert f"  articles emitted   {len(crawl.records):>6}" in lines
    skipped = next(line for line in lines if line.startswith("  skipped"))
    for reason in ("tag", "author", "category", "about", "contact", "home", "search"):
        assert f" {reason} " in skipped + " "
    fetched = next(line for line in lines if line.startswith("  pages fetched"))
    assert "sitemaps 4, feeds 2, malformed 0, retries 1" in fetched
    assert int(fetched.split()[2]) == len(crawl.requests)


def test_an_article_typed_website_but_in_the_news_sitemap_is_emitted(crawl):
    """og:type website and a JSON-LD WebPage (no article node): the news sitemap lists it under a dated URL,
    and its record is the article's."""
    (path,) = crawl.manifest["website_typed_articles"]
    assert path in crawl.manifest["news_sitemap_articles"]
    expected = next(a for a in crawl.manifest["articles"] if a["path"] == path)
    record = crawl.records[crawl.paths.index(path)]
    assert {
        k: record[k] for k in ("title", "description", "authors", "date_published", "date_modified", "tags", "language")
    } == {
        "title": expected["title"],
        "description": expected["description"],
        "authors": expected["authors"],
        "date_published": expected["date_published"],
        "date_modified": expected["date_modified"],
        "tags": expected["tags"],
        "language": expected["lang"],
    }
    paragraphs = record["text"].split("\n\n")
    assert paragraphs[:2] == [
        expected["description"],
        (
            "Kelmouth's new harbour pilot boat has been named after Agnes Trewin, the lifeboat coxswain who rescued "
            "more than 40 people from the estuary during a career of almost thirty years, the port authority "
            "announced on Tuesday."
        ),
    ]
    assert "Family at the ceremony" in paragraphs
    assert any(p.endswith("The old boat will be sold.") for p in paragraphs)


def test_scrapy_crawl_site_works_too(tmp_path):
    out = tmp_path / "scrapy.jsonl"
    with FixtureSite() as site:
        command = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "site",
            "-a",
            f"url={site.origin}/",
            "-O",
            str(out),
            "-s",
            "LOG_LEVEL=ERROR",
            *LOOPBACK,
        ]
        crawl = Crawl(command, out, site)
    assert sorted(crawl.paths) == sorted(a["path"] for a in site.manifest["articles"])


# ---------------------------------------------------------------- sitemap and feed parsing

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>https://s.example/2025/01/02/a/</loc><lastmod>2025-01-02T10:00:00+00:00</lastmod>
  <image:image><image:loc>https://s.example/a.jpg</image:loc></image:image></url>
<url><loc>https://s.example/2025/01/03/b/</loc>
  <news:news><news:publication_date>2025-01-03T09:00:00+01:00</news:publication_date><news:title>B</news:title></news:news>
</url>
<url><lastmod>2025-01-04</lastmod></url>
</urlset>"""


def test_urlset_with_news_and_image_entries():
    kind, entries = parse_sitemap(URLSET)
    assert kind == "urlset"
    assert entries == [
        Entry("https://s.example/2025/01/02/a/", "2025-01-02T10:00:00+00:00"),
        Entry("https://s.example/2025/01/03/b/", "2025-01-03T09:00:00+01:00"),
    ]


def test_gzipped_sitemap_index():
    body = gzip.compress(
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://s.example/s1.xml</loc><lastmod>2025-02-01</lastmod></sitemap>"
        b"</sitemapindex>"
    )
    assert parse_sitemap(body) == ("sitemapindex", [Entry("https://s.example/s1.xml", "2025-02-01")])


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>Not found</body></html>",
        b"\x1f\x8bnot gzip",
        b"\x00\x01\x02",
        b"<urlset><url><loc>https://s.example/a/</loc></url><url><loc>trunc",
    ],
)
def test_malformed_sitemaps_raise_a_named_error(body):
    with pytest.raises(MalformedDocument):
        parse_sitemap(body)


def test_rss_feed_entries_and_dates():
    body = b"""<rss version="2.0"><channel><title>S</title>
    <item><title>A</title><link>https://s.example/a/?utm_source=rss</link><pubDate>Mon, 19 May 2025 12:30:00 +0100</pubDate></item>
    <item><title>B</title><guid isPermaLink="true">https://s.example/b/</guid></item>
    <item><title>C</title><guid isPermaLink="false">tag:s.example,2025:c</guid></item>
    </channel></rss>"""
    assert parse_feed(body) == [
        Entry("https://s.example/a/?utm_source=rss", "2025-05-19T12:30:00+01:00"),
        Entry("https://s.example/b/", None),
    ]


def test_atom_feed_entries_and_dates():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>S</title>
    <entry><title>A</title><link rel="alternate" href="https://s.example/a/"/><link rel="edit" href="https://s.example/e"/>
      <updated>2025-05-02T00:00:00Z</updated><published>2025-05-01T00:00:00Z</published></entry>
    <entry><title>B</title><link href="https://s.example/b/"/></entry>
    </feed>"""
    assert parse_feed(body) == [
        Entry("https://s.example/a/", "2025-05-02T00:00:00Z"),
        Entry("https://s.example/b/", None),
    ]


def test_a_sitemap_is_not_a_feed():
    with pytest.raises(MalformedDocument):
        parse_feed(URLSET)


# ---------------------------------------------------------------- command-line inputs


def test_sources_file_as_lines_or_toml(tmp_path):
    from crawler.cli.crawl import read_sources

    lines = tmp_path / "sites.txt"
    lines.write_text("# news\nhttps://a.example/\n\n  https://b.example/  \n", "utf-8")
    assert read_sources(str(lines)) == (["https://a.example/", "https://b.example/"], None)
    toml = tmp_path / "sites.toml"
    toml.write_text(
        'urls = ["https://a.example/"]\n[sites."b.example"]\nurl = "https://b.example/"\ndrop = [".promo"]\n', "utf-8"
    )
    assert read_sources(str(toml)) == (["https://a.example/", "https://b.example/"], str(toml))


def test_feed_settings_pick_the_format_from_the_suffix(tmp_path):
    from crawler.cli.crawl import feed_settings

    assert feed_settings("-") == {"stdout:": {"format": "jsonlines", "encoding": "utf-8"}}
    ((path, options),) = feed_settings(str(tmp_path / "o" / "out.json")).items()
    assert path == str(tmp_path / "o" / "out.json") and options["format"] == "json" and options["overwrite"]
    assert (tmp_path / "o").is_dir()


# ---------------------------------------------------------------- a site without a Sitemap line


def test_site_without_sitemap_line_probes_and_survives_a_malformed_sitemap(httpserver, tmp_path):
    """robots.txt names no sitemap: /sitemap.xml is tried (malformed: counted, skipped), the home page's feed
    link is followed, and guessed paths that 404 are not HTTP errors."""
    article = (ROOT / "fixtures" / "pages" / "arc" / "utility-rates-heating-bill.html").read_bytes()
    html = "text/html; charset=utf-8"
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    httpserver.expect_request("/sitemap.xml").respond_with_data("<urlset><url><loc>broken", content_type="text/xml")
    httpserver.expect_request("/feed.rss").respond_with_data(
        '<rss version="2.0"><channel><item><link>/2025/01/02/rates-story/?utm_source=rss</link>'
        "<pubDate>Thu, 02 Jan 2025 10:00:00 +0000</pubDate></item></channel></rss>",
        content_type="application/rss+xml",
    )
    httpserver.expect_request("/").respond_with_data(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.rss"></head>'
        '<body><a href="/tag/rates/">Rates</a> <a href="/private/x/">secret</a></body></html>',
        content_type=html,
    )
    httpserver.expect_request("/tag/rates/").respond_with_data(
        '<html><body><a href="/2025/01/02/rates-story/#top">Rates story</a></body></html>', content_type=html
    )
    httpserver.expect_request("/2025/01/02/rates-story/").respond_with_data(article, content_type=html)
    out = tmp_path / "out.jsonl"
    httpserver.no_handler_status_code = 404
    try:
        result = subprocess.run(
            [
                *CLEANWIRE,
                "crawl",
                httpserver.url_for("/"),
                "-o",
                str(out),
                *LOOPBACK,
                "-s",
                "CLEANWIRE_LINK_DEPTH=1",
            ],  # not the links of the article page itself
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        httpserver.no_handler_status_code = 500
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [urlsplit(r["url"]).path for r in records] == ["/2025/01/02/rates-story/"]
    requested = [request.path for request, _ in httpserver.log]
    assert "/sitemap.xml" in requested and "/private/x/" not in requested
    assert requested.count("/2025/01/02/rates-story/") == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith("  pages fetched") and "malformed 1" in line and "feeds 1" in line for line in lines)
    assert "  HTTP errors             0" in lines
    assert "  robots-forbidden        1" in lines


def test_max_pages_is_a_budget_of_downloads_and_stops_cleanly(tmp_path):
    out = tmp_path / "out.jsonl"
    with FixtureSite() as site:
        result = subprocess.run(
            [*CLEANWIRE, "crawl", site.origin + "/", "-o", str(out), "--max-pages", "15", *LOOPBACK],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        requested = [r for r in site.requests if r[1] != "/.well-known/tdmrep.json"]  # TDMRep's file is no page
        articles = {a["path"] for a in site.manifest["articles"]}
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(requested) == 15  # not one more: requests in flight when the budget ran out were not sent
    assert "crawl closespider_pagecount in" in result.stderr
    paths = [urlsplit(json.loads(line)["url"]).path for line in out.read_text("utf-8").splitlines()]
    assert len(paths) <= 15 and set(paths) <= articles and len(paths) == len(set(paths))


# ---------------------------------------------------------------- sitemap membership found after the link


def test_a_page_a_sitemap_lists_after_a_link_requested_it_keeps_the_listed_signal(tmp_path):
    """/story/ has no article signal but the sitemap's (a one-segment path alone reads as a section front): a link
    requests it first, the slow sitemap lists it while it downloads, and it is still emitted as listed."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    words = " ".join(
        f"The harbour board met on Tuesday to weigh plan number {i} for the ferry pier." for i in range(12)
    )
    story = (
        f"<html><head><title>Ferry pier plans</title></head><body><nav><a href='/'>Home</a></nav><article>"
        f"<h1>Ferry pier plans</h1><p>{words}</p><p>{words}</p></article></body></html>"
    ).encode()
    pages: dict[str, tuple[str, bytes]] = {
        "/robots.txt": ("text/plain", b"User-agent: *\nSitemap: {origin}/sitemap.xml\n"),
        "/": ("text/html", b"<html><body><a href='/story/'>Ferry pier plans</a></body></html>"),
        "/sitemap.xml": (
            "application/xml",
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>{origin}/story/</loc></url></urlset>",
        ),
        "/story/": ("text/html; charset=utf-8", story),
    }
    log: list[tuple[str, str]] = []
    story_asked, sitemap_answered = threading.Event(), threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            kind, body = pages.get(self.path, ("text/plain", b"missing"))
            log.append(("asked", self.path))
            if self.path == "/sitemap.xml":  # slow: answered once the link has requested the story
                story_asked.wait(30)
            elif self.path == "/story/":  # slower: answered a second after the sitemap
                story_asked.set()
                sitemap_answered.wait(30)
                time.sleep(1.0)
            log.append(("answered", self.path))
            if self.path == "/sitemap.xml":
                sitemap_answered.set()
            body = body.replace(b"{origin}", origin.encode())
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out = tmp_path / "out.jsonl"
    try:
        result = subprocess.run(
            [*CLEANWIRE, "crawl", origin + "/", "-o", str(out), *LOOPBACK],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr[-3000:]
    assert log.index(("asked", "/story/")) < log.index(("answered", "/sitemap.xml"))  # the link came first
    assert log.index(("answered", "/sitemap.xml")) < log.index(("answered", "/story/"))
    assert [urlsplit(json.loads(line)["url"]).path for line in out.read_text("utf-8").splitlines()] == ["/story/"]


def test_a_page_requested_from_deep_down_follows_its_links_from_the_least_depth_it_was_found_at():
    from scrapy.utils.test import get_crawler

    from crawler.discovery.pagelinks import PageLinks
    from crawler.spiders.site import SiteSpider

    spider = SiteSpider.from_crawler(get_crawler(SiteSpider, {"CLEANWIRE_LINK_DEPTH": 3}), url="https://s.example/")

    def links(*hrefs: str) -> PageLinks:
        return PageLinks(
            base="https://s.example/x/", hrefs=set(hrefs), feeds=[], og_type=None, ld_types=set(), canonical=None
        )

    [section] = spider.link_requests(links("/section/news/"), depth=2, is_article=True)  # via an article: depth 3
    assert (section.url, section.cb_kwargs["depth"], section.cb_kwargs["key"]) == (
        "https://s.example/section/news/",
        3,
        "https://s.example/section/news/",
    )
    assert list(spider.link_requests(links("/section/news/"), depth=0, is_article=False)) == []  # the home page
    assert spider.requested["https://s.example/section/news/"] == 1  # its links now go two levels further
    assert list(spider.link_requests(links("/section/news/"), depth=2, is_article=False)) == []
    assert spider.requested["https://s.example/section/news/"] == 1


def test_a_crawl_ended_by_closespider_timeout_is_a_finished_run_and_exits_0(tmp_path):
    """CLOSESPIDER_TIMEOUT is a bound the user set, like --max-pages: the run ends "closespider_timeout", the
    records fetched so far are written and the command exits 0 (it exited 1 while the summary read as done)."""
    out = tmp_path / "out.jsonl"
    with FixtureSite() as site:
        result = subprocess.run(
            [
                *CLEANWIRE,
                "crawl",
                site.origin + "/",
                "-o",
                str(out),
                "-s",
                "CLOSESPIDER_TIMEOUT=4",  # at 0.2 s a download, some articles after robots.txt and 4 sitemaps
                "-s",
                "DOWNLOAD_DELAY=0.2",
                "-s",
                "AUTOTHROTTLE_ENABLED=False",
                "-s",
                "CLEANWIRE_WORKERS=1",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=180,
        )
        articles = len(site.manifest["articles"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "crawl closespider_timeout in" in result.stderr
    written = out.read_text("utf-8").splitlines()
    assert 0 < len(written) < articles, result.stderr[-4000:]
    assert f"cleanwire crawl: {len(written)} records written to" in result.stderr
