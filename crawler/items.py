"""Items: a fetched Page, as spiders hand it to the pipelines (no parsing in spiders), and the Record a worker makes of it."""

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


class Record(dict):
    """An article record as an extraction worker hands it back: the record's fields (a dict, exported as is), and
    `signature`, its near-duplicate MinHash signature (crawler.dedup.neardup, uint64 bytes) when the crawl checks
    near-duplicates: computed in the worker beside the extraction, so the crawler process does not shingle and hash
    every text (it was 15% of that process's CPU). b"" for a text without words, None when not computed."""

    __slots__ = ("signature",)

    def __init__(self, fields: dict | None = None, signature: bytes | None = None) -> None:
        super().__init__(fields or {})
        self.signature = signature


#: item types exported as they are, one JSON object, without an exporter's field-by-field copy
PLAIN_RECORDS = (dict, Record)
