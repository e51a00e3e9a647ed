"""What the site spider reads from an HTML page: its links, feed links and the signals of the article decision."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from cleaners.multipage import PageLinks as ArticleLinks
from crawler.discovery.classify import ld_types

PAGE_LINKS = "//a[@href]/@href"
FEED_LINKS = "//link[contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')][@type][@href]"
OG_TYPE = "//meta[@property='og:type']/@content"
LD_JSON = "//script[@type='application/ld+json']/text()"
CANONICAL = "//link[@rel='canonical']/@href"
BASE_HREF = "//base/@href"


@dataclass
class PageLinks:
    """What the spider reads from an HTML page: links, feeds and the signals of the article decision."""

    base: str
    hrefs: set[str]
    feeds: list[tuple[str, str]]
    og_type: str | None
    ld_types: set[str]
    canonical: str | None
    article_pages: ArticleLinks = ArticleLinks()  # the rest of a multi-page article (set with the extraction)


def read_page(body: bytes, encoding: str, url: str) -> PageLinks:
    """Parse once into a tree that is freed on return: a response waiting for extraction keeps only its bytes."""
    return read_tree(Selector(body=body, encoding=encoding, type="html", base_url=url).root, url)


def read_tree(root, url: str) -> PageLinks:
    """The links and signals of a parsed page (an lxml tree, before anything prunes it)."""
    base = _first(_BASE_HREF(root))
    return PageLinks(
        base=urljoin(url, base.strip()) if base else url,
        hrefs={h.strip() for h in _PAGE_LINKS(root)},
        feeds=[(link.get("type") or "", link.get("href")) for link in _FEED_LINKS(root)],
        og_type=_first(_OG_TYPE(root)),
        ld_types=ld_types(_LD_JSON(root)),
        canonical=_first(_CANONICAL(root)),
    )


def _first(found: list) -> str | None:
    return found[0] if found else None


# compiled once; plain str results (parsel's default), not lxml's "smart" strings that keep their element alive
_BASE_HREF, _PAGE_LINKS, _FEED_LINKS, _OG_TYPE, _LD_JSON, _CANONICAL = (
    etree.XPath(query, smart_strings=False)
    for query in (BASE_HREF, PAGE_LINKS, FEED_LINKS, OG_TYPE, LD_JSON, CANONICAL)
)
