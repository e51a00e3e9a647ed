"""The crawl's article decision on whole pages: og:type website and a JSON-LD WebPage never veto a listed article."""

from __future__ import annotations

import pytest

from cleaners import clean
from cleaners.options import Options
from crawler.discovery.classify import ARTICLE, UNKNOWN
from crawler.extraction.tasks import analyse_page

from conftest import PAGES

OPTIONS = Options(fetched_at="2025-06-01T12:00:00+00:00")
DECISION = PAGES / "decision"

# slug -> (url, og:type, JSON-LD types, title, date); each page is short (under 4 x min_text_chars), typed
# website or WebPage, and has a dated or numeric article URL
CASES = {
    "en-webpage-website": (
        "https://www.bayobserver.example/2025/05/14/night-ferry-returns/",
        "website",
        {"webpage"},
        "Night ferry to the islands returns for the summer",
        "2025-05-14T08:00:00+01:00",
    ),
    "pt-og-website": (
        "https://www.folhadoplanalto.example/cidade/2025/04/22/bibliotecas-sabado/",
        "website",
        set(),
        "Prefeitura amplia horário das bibliotecas de bairro",
        "2025-04-22T09:30:00-03:00",
    ),
    "de-jsonld-webpage": (
        "https://www.stadtanzeiger.example/lokales/gaspreis-sinkt-juli-123456.html",
        None,
        {"webpage", "breadcrumblist"},
        "Stadtwerke senken den Gaspreis zum Juli",
        "2025-05-28T11:00:00+02:00",
    ),
}


def _analyse(slug: str, listed: bool):
    url = CASES[slug][0]
    return analyse_page((DECISION / f"{slug}.html").read_bytes(), url, OPTIONS, None, {}, None, "utf-8", listed)


@pytest.mark.parametrize("slug", sorted(CASES))
def test_a_listed_article_shaped_page_is_emitted_whatever_its_page_type(slug):
    _, og_type, types, title, date = CASES[slug]
    found, verdict, extracted = _analyse(slug, listed=True)
    assert (found.og_type, found.ld_types) == (og_type, types)
    assert (verdict.kind, verdict.reason) == (ARTICLE, "listed")
    status, record = extracted
    assert status == "article"
    assert (record["title"], record["date_published"]) == (title, date)


@pytest.mark.parametrize(
    "slug, page_type",
    [("en-webpage-website", "WebPage"), ("pt-og-website", "website"), ("de-jsonld-webpage", "WebPage")],
)
def test_unlisted_the_page_type_still_raises_the_cleaners_doubt(slug, page_type):
    """Not listed, the same page gets no verdict from the crawl (its type weighs against the URL, no veto);
    the cleaner judges it, and its page-type doubt about a short page stands."""
    _, verdict, extracted = _analyse(slug, listed=False)
    assert (verdict.kind, verdict.reason) == (UNKNOWN, "weak_signals")
    assert extracted == ("not_article", f"page type {page_type!r} with little text")


def test_the_cleaner_yields_its_page_type_doubt_to_the_crawls_verdict():
    url = CASES["en-webpage-website"][0]
    body = (DECISION / "en-webpage-website.html").read_bytes()
    assert clean(body, url, OPTIONS).not_article_reason == "page type 'WebPage' with little text"
    article = clean(body, url, OPTIONS.with_(article_signal="listed")).article
    assert article is not None and article.authors == ["Priya Raman"]
    assert article.text.startswith("The night ferry to the outer islands will run again")
    assert article.text.endswith("could not find enough crew before June.")
