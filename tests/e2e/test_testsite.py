"""The fixture news site and its loopback server (crawler.demo.server): what crawl tests rely on."""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from lxml import etree, html

from crawler.demo.server import DEFAULT_ROOT, FixtureSite

from conftest import ROOT

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(site: FixtureSite, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(site.url(path), headers={k.replace("_", "-"): v for k, v in headers.items()})
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def site():
    with FixtureSite() as running:
        yield running


def test_robots_disallows_private_and_names_the_sitemap_on_this_origin(site):
    status, headers, body = fetch(site, "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    lines = body.decode().splitlines()
    assert "Disallow: /private/" in lines
    assert f"Sitemap: {site.origin}/sitemap_index.xml" in lines


def test_sitemap_index_children_parse_and_the_gzip_child_decompresses(site):
    index = etree.fromstring(fetch(site, "/sitemap_index.xml")[2])
    children = index.xpath("//sm:sitemap/sm:loc/text()", namespaces=SITEMAP_NS)
    assert {c.removeprefix(site.origin) for c in children} == {
        "/sitemap-news.xml",
        "/sitemap-articles.xml.gz",
        "/sitemap-pages.xml",
    }
    urls = []
    for child in children:
        status, headers, body = fetch(site, child.removeprefix(site.origin))
        assert status == 200
        if child.endswith(".gz"):
            assert headers["Content-Type"] == "application/x-gzip" and "Content-Encoding" not in headers
            body = gzip.decompress(body)
        urls += etree.fromstring(body).xpath("//sm:url/sm:loc/text()", namespaces=SITEMAP_NS)
    assert all(u.startswith(site.origin + "/") for u in urls)
    articles = {a["path"] for a in site.manifest["articles"]}
    assert articles <= {u.removeprefix(site.origin) for u in urls}


def test_feeds_are_advertised_and_typed(site):
    home = html.fromstring(fetch(site, "/")[2])
    assert home.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href') == ["/feed/"]
    assert fetch(site, "/feed/")[1]["Content-Type"].startswith("application/rss+xml")
    assert fetch(site, "/atom.xml")[1]["Content-Type"].startswith("application/atom+xml")


def test_old_url_redirects_permanently_to_the_article(site):
    status, headers, _ = fetch(site, "/old/ferry-strike.html")
    assert status == 301
    assert headers["Location"] == site.url(site.manifest["redirects"]["/old/ferry-strike.html"])


def test_flaky_page_answers_503_once_then_200(site):
    path = site.manifest["flaky"][0]
    site.reset_flaky()
    status, headers, _ = fetch(site, path)
    assert status == 503 and headers["Retry-After"] == "0"
    assert fetch(site, path)[0] == 200
    site.reset_flaky()
    assert fetch(site, path)[0] == 503


def test_missing_page_is_404_and_logged(site):
    path = site.manifest["not_found"][0]
    assert fetch(site, path)[0] == 404
    assert ("GET", path, 404) in site.requests


def test_conditional_requests_get_304(site):
    path = site.manifest["articles"][0]["path"]
    _, headers, _ = fetch(site, path)
    assert fetch(site, path, If_None_Match=headers["ETag"])[0] == 304
    assert fetch(site, path, If_Modified_Since=headers["Last-Modified"])[0] == 304
    assert fetch(site, path, If_None_Match='"stale"')[0] == 200


def test_every_manifest_article_is_served_as_an_article(site):
    articles = site.manifest["articles"]
    assert len(articles) >= 40
    assert {a["template"] for a in articles} == {"wp", "arc", "drupal", "neutral"}
    assert {a["lang"] for a in articles} == {"en", "de", "fr", "es"}
    website_typed = set(site.manifest["website_typed_articles"])  # og:type website, JSON-LD WebPage: issue 13
    assert len(website_typed) == 1
    site.reset_flaky()
    fetch(site, site.manifest["flaky"][0])  # use up the 503
    for article in articles:
        status, headers, body = fetch(site, article["path"])
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8", article["path"]
        page = html.fromstring(body)
        og_type = "website" if article["path"] in website_typed else "article"
        assert page.xpath('//meta[@property="og:type"]/@content') == [og_type], article["path"]
        assert page.xpath('//link[@rel="canonical"]/@href') == [site.url(article["path"])]


def test_non_article_pages_are_not_marked_as_articles(site):
    for path in site.manifest["non_articles"]:
        status, _, body = fetch(site, path)
        assert status == 200, path
        assert html.fromstring(body).xpath('//meta[@property="og:type"]/@content') != ["article"], path


def test_private_article_is_linked_from_a_section_but_not_in_sitemaps(site):
    private = site.manifest["private_articles"][0]["path"]
    linked = [p for p in site.manifest["non_articles"] if private.encode() in fetch(site, p)[2]]
    assert linked and all(p.startswith("/section/") for p in linked)
    assert private.encode() not in gzip.decompress(fetch(site, "/sitemap-articles.xml.gz")[2])


def test_added_articles_appear_in_home_feeds_and_news_sitemap():
    with FixtureSite() as site:
        new = site.add_articles(2)
        assert len(new) == 2 and all(fetch(site, p)[0] == 200 for p in new)
        for listing in ("/", "/section/news/", "/feed/", "/atom.xml", "/sitemap-news.xml"):
            body = fetch(site, listing)[2].decode()
            assert all(p in body for p in new), listing


def test_extra_articles_are_listed_in_an_archive_section_and_sitemap():
    with FixtureSite(extra_articles=120) as site:
        generated = site.article_paths()[-120:]
        assert all(p.startswith("/gen/") for p in generated)
        assert "/sitemap-archive-1.xml" in fetch(site, "/sitemap_index.xml")[2].decode()
        assert fetch(site, "/sitemap-archive-1.xml")[2].count(b"<url>") == 120
        assert fetch(site, "/section/archive/page/3/")[0] == 200
        assert fetch(site, generated[-1])[0] == 200


def test_server_stops_and_closes_its_port():
    site = FixtureSite().start()
    port = site.port
    assert fetch(site, "/")[0] == 200
    site.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_committed_site_matches_its_generator():
    out = subprocess.run(
        [sys.executable, str(DEFAULT_ROOT / "build.py"), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stdout


def test_updated_article_changes_its_validators_and_sitemap_lastmod():
    with FixtureSite() as site:
        path = "/2025/03/14/harbour-ferry-strike-ends/"
        _, before, _ = fetch(site, path)
        site.update_article(path)
        status, after, body = fetch(site, path, If_None_Match=before["ETag"])
        assert status == 200 and after["ETag"] != before["ETag"] and b"revision 2" in body
        assert fetch(site, path, If_Modified_Since=before["Last-Modified"])[0] == 200
        assert b"2025-03-15T11:05:00+00:00" in gzip.decompress(fetch(site, "/sitemap-articles.xml.gz")[2])
