"""Items: a fetched Page, as spiders hand it to the pipelines (no parsing in spiders)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cleaners.tdm import Tdm


@dataclass
class Page:
    """One fetched response: what the cleaner needs, and nothing Scrapy-specific."""

    url: str  # final URL after redirects
    request_url: str  # the URL first asked for
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str  # ISO 8601, UTC
    http_charset: str | None = None  # charset parameter of Content-Type
    source: str = "link"  # how it was found: url, sitemap, feed, link
    lastmod: str | None = None  # sitemap / feed date, when known
    tdm: Tdm | None = None  # the site's tdmrep.json rule for this page, when one applies
    meta: dict = field(default_factory=dict)
