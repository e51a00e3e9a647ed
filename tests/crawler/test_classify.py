"""The article/non-article decision from URL shape and page signals (crawler/discovery/classify.py)."""
from __future__ import annotations

import json

import pytest

from crawler.discovery.classify import ARTICLE, LISTING, UNKNOWN, decide, is_asset, ld_types, url_rule, url_shape

SITE = "https://news.example.com"


@pytest.mark.parametrize("path, rule", [
    ("/tag/harbour/", "tag"),
    ("/tags/", "tag"),
    ("/topics/climate/", "tag"),
    ("/author/maeve-lindqvist/", "author"),
    ("/autor/jonas-weber/", "author"),
    ("/category/business/", "category"),
    ("/section/news/page/2/", "category"),
    ("/about/", "about"),
    ("/about-us", "about"),
    ("/impressum/", "about"),
    ("/contact/", "contact"),
    ("/kontakt", "contact"),
    ("/search/", "search"),
    ("/?s=ferry", "search"),
    ("/news/page/3/", "pagination"),
    ("/world/?page=2", "pagination"),
    ("/2025/05/", "date_archive"),
    ("/", "home"),
    ("/privacy-policy/", "legal"),
])
def test_non_article_url_rules(path, rule):
    assert url_rule(SITE + path) == rule
    assert decide(SITE + path, og_type="article", types={"newsarticle"}) .kind == LISTING


@pytest.mark.parametrize("path, shape", [
    ("/2025/05/15/old-cannery-fire-investigation/", "date"),
    ("/de/2025/03/18/werft-auftrag-windpark/", "date"),
    ("/2025-05-15-harbour-news/", "date"),
    ("/news/world-europe-68123456", "id"),
    ("/story/123456.html", "id"),
    ("/news/council-approves-new-budget/", "slug"),
    ("/world/", None),
    ("/about-us/", None),
])
def test_article_url_shapes(path, shape):
    assert url_shape(SITE + path) == shape


def test_a_date_path_keeps_an_article_under_a_people_segment():
    url = SITE + "/people/2025/05/02/rower-wins-again/"
    assert url_rule(url) is None
    assert decide(url).kind == ARTICLE


def test_wordpress_post_id_query_is_not_pagination():
    assert url_rule(SITE + "/?p=123") is None


def test_signals_decide_in_order():
    plain = SITE + "/world/"
    assert decide(plain) == decide(plain, og_type=None)
    assert decide(plain).kind == LISTING and decide(plain).reason == "section"
    assert decide(plain, types={"NewsArticle"}).reason == "jsonld_type"
    assert decide(plain, og_type="article").reason == "og_type"
    assert decide(plain, og_type="website").kind == LISTING
    assert decide(SITE + "/story?id=7").kind == UNKNOWN
    assert decide(SITE + "/story?id=7", listed=True).reason == "listed"
    assert decide(SITE + "/story?id=7", types={"collectionpage"}).kind == LISTING
    assert decide(SITE + "/a-b-c-d/").reason == "url_slug"


def test_only_listings_are_not_emitted():
    assert decide(SITE + "/tag/x/").emit is False
    assert decide(SITE + "/story?id=7").emit is True
    assert decide(SITE + "/2025/01/02/x/").emit is True


def test_ld_types_reads_graphs_lists_and_skips_bad_json():
    scripts = [
        json.dumps({"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, {"@type": ["NewsArticle"]}]}),
        json.dumps([{"@type": "BreadcrumbList"}]),
        "{not json",
    ]
    assert ld_types(scripts) == {"webpage", "newsarticle", "breadcrumblist"}


@pytest.mark.parametrize("path, asset", [
    ("/media/a.svg", True), ("/static/site.css", True), ("/report.pdf", True), ("/feed.xml", True),
    ("/2025/01/02/story/", False), ("/story.html", False),
])
def test_assets(path, asset):
    assert is_asset(SITE + path) is asset
