"""Rejects: the status and reason of fetched pages that were not emitted, and the JSONL writer."""

from __future__ import annotations

import json

import pytest

from crawler.reporting.rejects import Reject, RejectsWriter, reject_for

from conftest import PAGES

URL = "https://news.example/a/"
ARTICLE_WORDS = " ".join(["word"] * 500)


def page(body: str, head: str = "<title>A page</title>") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def status_reason(*args, **kwargs) -> tuple[str, str]:
    reject = reject_for(URL, *args, **kwargs)
    return reject.status, reject.reason


@pytest.mark.parametrize(
    "http_status, body, expected",
    [
        (403, page("<h1>Forbidden</h1>"), ("blocked", "HTTP 403 Forbidden")),
        (429, b"slow down", ("blocked", "HTTP 429 Too Many Requests")),
        (
            503,
            page("<div id='cf-wrapper'>Checking your browser</div>", "<title>Just a moment...</title>"),
            ("blocked", "bot_challenge (bot_challenge:cloudflare:title: 'Just a moment...') (HTTP 503)"),
        ),
        (
            200,
            page("<p>Sorry, you have been blocked</p>", "<title>Attention Required! | Cloudflare</title>"),
            ("blocked", "bot_challenge (bot_challenge:cloudflare:title: 'Attention Required! | Cloudflare')"),
        ),
        (
            200,
            page("<form><div class='g-recaptcha' data-sitekey='x'></div></form><p>Please complete the check</p>"),
            ("blocked", "bot_challenge (bot_challenge:generic:captcha: 'g-recaptcha')"),
        ),
        (404, page("<h1>Not found</h1>"), ("http_error", "HTTP 404")),
        (500, b"", ("http_error", "HTTP 500")),
    ],
)
def test_blocked_and_http_errors(http_status, body, expected):
    assert status_reason(http_status, body) == expected


def test_challenge_header_on_an_empty_body():
    reject = reject_for(URL, 403, b"", headers={"cf-mitigated": "challenge"})
    assert (reject.status, reject.access, reject.access_rule) == (
        "blocked",
        "bot_challenge",
        "bot_challenge:cloudflare:header",
    )


@pytest.mark.parametrize("http_status", [404, 410])
def test_a_not_found_page_is_not_read_for_an_access_state(http_status):
    """The site's own "not found" page holds a captcha and consent words here; it is still an HTTP error."""
    body = page(
        "<h1>Not found</h1><form><div class='g-recaptcha' data-sitekey='x'></div></form>"
        "<p>Please complete the check. We use cookies: accept all cookies to continue.</p>"
    )
    reject = reject_for(URL, http_status, body)
    assert (reject.status, reject.reason, reject.access, reject.access_rule) == (
        "http_error",
        f"HTTP {http_status}",
        None,
        None,
    )
    assert reject_for(URL, 403, body).status == "blocked"  # the same body answered 403 is read


def test_access_counter_counts_challenges_and_skips_not_found_pages():
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from crawler.reporting.rejects import ACCESS_META, AccessCounter

    crawler = get_crawler()
    counter = AccessCounter(crawler.stats)
    challenge = page("<div id='cf-wrapper'>Checking your browser</div>", "<title>Just a moment...</title>")
    requests = {}
    for status in (503, 404, 410, 200):
        url = f"https://news.example/{status}/"
        requests[status] = request = Request(url)
        counter.response_received(HtmlResponse(url, status=status, body=challenge, request=request), request)
    assert crawler.stats.get_stats() == {"cleanwire/access/bot_challenge": 1}
    assert requests[503].meta[ACCESS_META].rule == "bot_challenge:cloudflare:title"
    assert [ACCESS_META in requests[s].meta for s in (404, 410, 200)] == [False, False, False]


def test_captcha_in_a_long_page_is_not_a_challenge():
    body = page(f"<article><p>{ARTICLE_WORDS}</p></article><div class='g-recaptcha'></div>")
    assert status_reason(200, body, reason="not an article") == ("not_article", "not an article")


def test_the_cleaners_verdict_is_used_when_given():
    evidence = {
        "state": "consent_wall",
        "rule": "consent_wall:markup:consent_form",
        "matched": "consent.yahoo.com",
        "reason": "consent_wall (...)",
    }
    reject = reject_for(URL, 200, page("<p>anything</p>"), access=evidence)
    assert (reject.status, reject.reason, reject.access, reject.access_rule) == (
        "consent",
        "consent_wall (consent_wall:markup:consent_form: 'consent.yahoo.com')",
        "consent_wall",
        "consent_wall:markup:consent_form",
    )


def test_paywall_from_jsonld():
    ld = '{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","isAccessibleForFree":"False"}]}'
    body = page(f"<p>{ARTICLE_WORDS}</p>", f'<script type="application/ld+json">{ld}</script>')
    assert status_reason(200, body) == ("paywalled", "paywall (paywall:jsonld:not_free: 'False')")


def test_paywall_marker_beside_truncated_body():
    teaser = "<p>The council voted on Tuesday to close the harbour bridge for repairs.</p>"
    assert status_reason(200, page(teaser + "<div class='article-paywall'><a>Subscribe</a></div>")) == (
        "paywalled",
        "paywall (paywall:element:marker: 'article-paywall')",
    )
    assert status_reason(200, page(teaser + "<p>Subscribe to continue reading.</p>")) == (
        "paywalled",
        "paywall (paywall:en:prompt: 'Subscribe to continue reading')",
    )
    long_body = page(f"<p>{ARTICLE_WORDS}</p><div class='paywall'></div>")
    assert reject_for(URL, 200, long_body).status == "not_article"


def test_application_shell_needs_js():
    shell = page(
        '<div id="root"></div><script src="/static/js/main.3f2a.js"></script>',
        "<title>News</title><script>window.__STATE__ = {}</script>",
    )
    assert status_reason(200, shell) == ("needs_js", "js_shell (js_shell:mount:app_root: '<div id=\"root\">')")
    nuxt = page('<div id="__nuxt"><p>Loading…</p></div><script src="/_nuxt/app.js"></script>')
    assert status_reason(200, nuxt) == ("needs_js", "js_shell (js_shell:mount:app_root: '<div id=\"__nuxt\">')")


def test_fetch_failures():
    assert status_reason(error="forbidden by robots.txt") == ("robots", "forbidden by robots.txt")
    too_large = "Cancelling download of https://news.example/a/: expected response size (30000000) larger than download max size (20971520)."
    assert status_reason(error=too_large) == ("too_large", too_large)
    assert status_reason(200, b"x" * 2000, max_bytes=1000) == (
        "too_large",
        "body of 2000 bytes above the limit of 1000",
    )
    assert status_reason(error="timed out") == ("http_error", "timed out")


def test_listing_page_is_not_article():
    listing = page("<ul>" + "".join(f"<li><a href='/a{i}'>Story number {i}</a></li>" for i in range(20)) + "</ul>")
    assert status_reason(200, listing) == ("not_article", "no main content")
    assert reject_for(URL, 200, listing).access == "ok"


def test_real_article_fixture_is_not_misread():
    body = (PAGES / "neutral" / "taiwan-envoy-israel.html").read_bytes()
    assert reject_for(URL, 200, body, reason="below the word minimum").status == "not_article"


def test_writer_appends_one_flushed_line_per_page(tmp_path):
    path = tmp_path / "out" / "rejects.jsonl"
    writer = RejectsWriter(path)
    writer.write(reject_for(URL, 404, b"", fetched_at="2026-01-02T03:04:05+00:00"))
    assert json.loads(path.read_text("utf-8")) == {  # visible before close: flushed per line
        "url": URL,
        "status": "http_error",
        "reason": "HTTP 404",
        "http_status": 404,
        "fetched_at": "2026-01-02T03:04:05+00:00",
        "access": None,  # a 404 is not read for an access state
        "access_rule": None,
    }
    writer.close()
    with RejectsWriter(path) as again:
        again.write(Reject("https://news.example/b/", "robots", "forbidden by robots.txt"))
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["status"] == "robots"


def test_recorder_needs_setting():
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from crawler.reporting.rejects import RejectsRecorder

    with pytest.raises(NotConfigured):
        RejectsRecorder.from_crawler(get_crawler(settings_dict={}))


@pytest.fixture
def site(httpserver):
    article = (PAGES / "neutral" / "taiwan-envoy-israel.html").read_bytes()
    listing = (
        "<html><body><ul>"
        + "".join(f"<li><a href='/a{i}'>Story {i}</a></li>" for i in range(20))
        + "</ul></body></html>"
    ).encode()
    teaser = page(
        "<h1>Bridge closes</h1><p>The council voted on Tuesday to close the harbour bridge.</p>"
        "<div class='paywall-prompt'>Subscribe to continue reading</div>"
    )
    shell = page('<div id="root"></div><script src="/main.js"></script>')
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    for path, body, status in (
        ("/article/", article, 200),
        ("/listing/", listing, 200),
        ("/teaser/", teaser, 200),
        ("/shell/", shell, 200),
        ("/forbidden/", page("<h1>Forbidden</h1>"), 403),
        ("/gone/", page("<h1>Not found</h1>"), 404),
    ):
        httpserver.expect_request(path).respond_with_data(body, status=status, content_type="text/html")
    return httpserver


@pytest.mark.e2e
def test_crawl_writes_one_reject_per_page_not_emitted(site, tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    paths = ["/article/", "/listing/", "/teaser/", "/shell/", "/forbidden/", "/gone/"]
    rejects, out = tmp_path / "rejects.jsonl", tmp_path / "out.jsonl"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "urls",
            "-a",
            "urls=" + ",".join(site.url_for(p) for p in paths),
            "-O",
            str(out),
            "-s",
            f"CLEANWIRE_REJECTS={rejects}",
            "-s",
            'EXTENSIONS={"crawler.reporting.rejects.RejectsRecorder": 600}',
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    assert [json.loads(line)["url"] for line in out.read_text("utf-8").splitlines()] == [site.url_for("/article/")]
    got = {
        json.loads(line)["url"].removeprefix(site.url_for("/").rstrip("/")): json.loads(line)
        for line in rejects.read_text("utf-8").splitlines()
    }
    assert {url: (r["status"], r["http_status"]) for url, r in got.items()} == {
        "/listing/": ("not_article", 200),
        "/teaser/": ("paywalled", 200),
        "/shell/": ("needs_js", 200),
        "/forbidden/": ("blocked", 403),
        "/gone/": ("http_error", 404),
    }
    assert got["/listing/"]["reason"].startswith("not an article")  # the pipeline's own words
    assert got["/teaser/"]["reason"] == "paywall (paywall:element:marker: 'paywall-prompt')"
    assert all(r["fetched_at"] for r in got.values())
    assert {url: r["access"] for url, r in got.items()} == {
        "/listing/": "ok",
        "/teaser/": "paywall",
        "/shell/": "js_shell",
        "/forbidden/": "ok",
        "/gone/": None,  # a 404's body is not read for an access state (NOT_FOUND_STATUSES)
    }
    assert got["/shell/"]["access_rule"] == "js_shell:mount:app_root"
