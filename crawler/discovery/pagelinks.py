"""What the site spider reads from an HTML page: its links, feed links and the signals of the article decision."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector

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


def read_page(body: bytes, encoding: str, url: str) -> PageLinks:
    """Parse once into a tree that is freed on return: a response waiting for extraction keeps only its bytes."""
    sel = Selector(body=body, encoding=encoding, type="html", base_url=url)
    base = sel.xpath(BASE_HREF).get()
    return PageLinks(
        base=urljoin(url, base.strip()) if base else url,
        hrefs={h.strip() for h in sel.xpath(PAGE_LINKS).getall()},
        feeds=[(link.attrib.get("type") or "", link.attrib["href"]) for link in sel.xpath(FEED_LINKS)],
        og_type=sel.xpath(OG_TYPE).get(),
        ld_types=ld_types(sel.xpath(LD_JSON).getall()),
        canonical=sel.xpath(CANONICAL).get(),
    )
