"""URL normalisation and same-site checks (crawler/discovery/normalize.py)."""

from __future__ import annotations

import pytest

from crawler.discovery.normalize import (
    BadURL,
    is_same_site,
    normalize_url,
    registered_domain,
    site_key,
    site_root,
    try_normalize,
)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://example.com/a/?utm_source=x&utm_medium=email&utm_campaign=y", "https://example.com/a/"),
        ("https://example.com/a/?fbclid=abc&gclid=def", "https://example.com/a/"),
        ("https://example.com/a/#comments", "https://example.com/a/"),
        ("HTTPS://Example.COM:443/a/", "https://example.com/a/"),
        ("http://example.com:80/a/", "http://example.com/a/"),
        ("http://example.com:8080/a/", "http://example.com:8080/a/"),
        ("https://example.com/news/index.html", "https://example.com/news/"),
        ("https://example.com/index.php", "https://example.com/"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/list?b=2&a=1", "https://example.com/list?a=1&b=2"),
        ("https://example.com/story?id=42&utm_source=rss", "https://example.com/story?id=42"),
        ("https://example.com/a//b/", "https://example.com/a/b/"),
    ],
)
def test_normalize_url(url, expected):
    assert normalize_url(url) == expected


def test_two_spellings_of_one_article_are_equal():
    a = normalize_url("http://127.0.0.1:8000/2025/05/15/old-cannery/?utm_source=newsletter&utm_medium=email")
    b = normalize_url("/2025/05/15/old-cannery/index.html#top", base="http://127.0.0.1:8000/section/news/")
    assert a == b == "http://127.0.0.1:8000/2025/05/15/old-cannery/"


def test_relative_links_resolve_against_the_base():
    assert normalize_url("../b/c.html", base="https://example.com/a/x/") == "https://example.com/a/b/c.html"


@pytest.mark.parametrize(
    "url", ["mailto:a@example.com", "javascript:void(0)", "ftp://example.com/x", "https:///nohost"]
)
def test_non_http_links_are_bad(url):
    with pytest.raises(BadURL):
        normalize_url(url)
    assert try_normalize(url) is None


def test_try_normalize_of_nothing():
    assert try_normalize(None) is None
    assert try_normalize("") is None


@pytest.mark.parametrize(
    "host, expected",
    [
        ("news.example.com", "example.com"),
        ("example.com", "example.com"),
        ("www.bbc.co.uk", "bbc.co.uk"),
        ("a.b.example.com.au", "example.com.au"),
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
    ],
)
def test_registered_domain(host, expected):
    assert registered_domain(host) == expected


def test_same_site_by_registered_domain_or_exact_host():
    keys = {site_key("https://www.example.com/")}
    assert is_same_site("https://news.example.com/a/", keys)
    assert not is_same_site("https://example.org/a/", keys)
    strict = {site_key("https://www.example.com/", same_domain=False)}
    assert not is_same_site("https://news.example.com/a/", strict, same_domain=False)
    assert is_same_site("https://www.example.com/b/", strict, same_domain=False)


def test_site_root():
    assert site_root("http://127.0.0.1:8000/a/b?c=1#d") == "http://127.0.0.1:8000/"


def test_a_feed_every_page_links_to_is_requested_once():
    from scrapy.utils.test import get_crawler

    from crawler.spiders.site import SiteSpider

    spider = SiteSpider.from_crawler(get_crawler(SiteSpider), url="https://s.example/")
    feeds = [
        ("application/rss+xml", "/feed/?utm_source=x"),
        ("application/atom+xml", "https://other.example/feed"),
        ("text/html", "/page/"),
    ]
    first = list(spider.feed_requests("https://s.example/a/", feeds, start=False))
    assert [r.url for r in first] == ["https://s.example/feed/"]
    assert list(spider.feed_requests("https://s.example/b/", feeds, start=False)) == []
    assert list(spider.feed_requests("https://s.example/c/", [("application/rss+xml", "../feed/")], start=False)) == []
    assert spider.feed_targets == {
        "https://s.example/feed/?utm_source=x": "https://s.example/feed/",
        "https://other.example/feed": None,
        "https://s.example/feed/": "https://s.example/feed/",
    }
    # a start page whose feed was requested already has a feed: the usual feed paths are not guessed
    assert list(spider.feed_requests("https://s.example/", feeds[:1], start=True)) == []
    guessed = list(spider.feed_requests("https://s.example/", feeds[1:], start=True))  # an off-site feed only
    assert guessed and all(r.meta["cleanwire_probe"] for r in guessed)
