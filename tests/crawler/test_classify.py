"""The article/non-article decision from URL shape and page signals (crawler/discovery/classify.py)."""

from __future__ import annotations

import json

import pytest

from crawler.discovery.classify import (
    ARTICLE,
    LISTING,
    SCORE_RULES,
    UNKNOWN,
    Verdict,
    decide,
    is_asset,
    ld_types,
    signals,
    url_rule,
    url_shape,
)

SITE = "https://news.example.com"


@pytest.mark.parametrize(
    "path, rule",
    [
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
    ],
)
def test_non_article_url_rules(path, rule):
    assert url_rule(SITE + path) == rule
    assert decide(SITE + path, og_type="article", types={"newsarticle"}).kind == LISTING


@pytest.mark.parametrize(
    "path, shape",
    [
        ("/2025/05/15/old-cannery-fire-investigation/", "date"),
        ("/de/2025/03/18/werft-auftrag-windpark/", "date"),
        ("/2025-05-15-harbour-news/", "date"),
        ("/news/world-europe-68123456", "id"),
        ("/story/123456.html", "id"),
        ("/news/council-approves-new-budget/", "slug"),
        ("/world/", None),
        ("/about-us/", None),
    ],
)
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


@pytest.mark.parametrize(
    "path, asset",
    [
        ("/media/a.svg", True),
        ("/static/site.css", True),
        ("/report.pdf", True),
        ("/feed.xml", True),
        ("/2025/01/02/story/", False),
        ("/story.html", False),
    ],
)
def test_assets(path, asset):
    assert is_asset(SITE + path) is asset


# ---------------------------------------------------------------- the article score (issue 13, failure class 5)

DATED = SITE + "/2025/05/20/pilot-boat-named-after-lifeboat-cox/"


@pytest.mark.parametrize(
    "og_type, types, listed, kind, reason",
    [
        # listed + dated URL: an article whatever og:type and a JSON-LD WebPage say
        ("website", {"webpage"}, True, ARTICLE, "listed"),
        ("website", set(), True, ARTICLE, "listed"),
        (None, {"webpage", "breadcrumblist"}, True, ARTICLE, "listed"),
        # neither vetoes alone: unlisted, against the dated URL, each leaves the page to the cleaner (emitted when
        # its body is long enough), never a listing
        ("website", set(), False, UNKNOWN, "weak_signals"),
        (None, {"webpage"}, False, UNKNOWN, "weak_signals"),
        ("website", {"webpage"}, False, UNKNOWN, "weak_signals"),
        # an article node outweighs og:type website
        ("website", {"webpage", "newsarticle"}, False, ARTICLE, "jsonld_type"),
        # a listing type is stronger than the dated URL; listed, the page goes to the cleaner
        (None, {"collectionpage"}, False, LISTING, "jsonld_listing"),
        (None, {"collectionpage"}, True, UNKNOWN, "weak_signals"),
    ],
)
def test_og_website_and_webpage_lower_the_score_but_never_veto_alone(og_type, types, listed, kind, reason):
    verdict = decide(DATED, og_type=og_type, types=types, listed=listed)
    assert (verdict.kind, verdict.reason) == (kind, reason)


def test_the_verdict_names_its_rule_score_and_signals():
    verdict = decide(DATED, og_type="website", types={"webpage"}, listed=True)
    assert verdict == Verdict(ARTICLE, "listed", 2, ("listed", "url_date", "og_website", "jsonld_webpage"))
    assert signals(SITE + "/world/", og_type="website") == ("og_website", "section")


def test_without_an_article_signal_og_website_still_makes_a_listing():
    verdict = decide(SITE + "/story?id=7", og_type="website")
    assert (verdict.kind, verdict.reason, verdict.score) == (LISTING, "og_website", -1)


def test_a_url_rule_decides_alone_whatever_the_score():
    verdict = decide(SITE + "/tag/harbour/", og_type="article", types={"newsarticle"}, listed=True)
    assert (verdict.kind, verdict.reason, verdict.rules) == (LISTING, "tag", ())


def test_every_score_rule_has_a_unique_id_and_a_weight():
    ids = [rule for rule, _ in SCORE_RULES]
    assert len(ids) == len(set(ids))
    assert all(isinstance(w, int) and w != 0 for _, w in SCORE_RULES)


# each score rule alone: (page signals) -> the one rule it fires; the verdict's score is that rule's weight
PLAIN = SITE + "/story?id=7"  # no URL shape, no URL rule, not section-like
EACH_RULE = {
    "jsonld_type": dict(url=PLAIN, types={"blogposting"}),
    "og_type": dict(url=PLAIN, og_type="article"),
    "listed": dict(url=PLAIN, listed=True),
    "url_date": dict(url=SITE + "/2025/05/20/pilot-boat/"),
    "url_id": dict(url=SITE + "/news/world-68123456"),
    "url_slug": dict(url=SITE + "/news/council-approves-new-budget/"),
    "jsonld_listing": dict(url=PLAIN, types={"itemlist"}),
    "og_not_article": dict(url=PLAIN, og_type="profile"),
    "og_website": dict(url=PLAIN, og_type="website"),
    "jsonld_webpage": dict(url=PLAIN, types={"webpage"}),
    "section": dict(url=SITE + "/world/"),
}


@pytest.mark.parametrize("rule", [rule for rule, _ in SCORE_RULES])
def test_each_score_rule_fires_alone_with_its_weight(rule):
    case = dict(EACH_RULE[rule])
    url = case.pop("url")
    assert signals(url, **case) == (rule,)
    verdict = decide(url, **case)
    weight = dict(SCORE_RULES)[rule]
    assert verdict.score == weight and verdict.rules == (rule,)
    expected = ARTICLE if weight >= 2 else LISTING if weight <= -1 else UNKNOWN
    assert (verdict.kind, verdict.reason) == (expected, rule)
