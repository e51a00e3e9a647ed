"""Sitemaps and feeds: the URLs they list, with their dates; broken or hostile XML is refused as MalformedDocument."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from lxml import etree

SITEMAP_ROOTS = ("urlset", "sitemapindex")
FEED_ROOTS = ("rss", "feed", "RDF")
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # sitemaps are at most 50 MB uncompressed (sitemaps.org)


class MalformedDocument(ValueError):
    """A sitemap or feed that is not parsable XML of the expected kind."""


@dataclass(frozen=True)
class Entry:
    """One URL listed by a sitemap or feed, with its date when given."""

    url: str
    lastmod: str | None = None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xml_root(body: bytes):
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedDocument(f"not XML: {exc}") from exc
    if root is None:
        raise MalformedDocument("not XML")
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    if errors:  # truncated or broken: what lxml recovers from it cannot be trusted
        raise MalformedDocument(f"XML error at line {errors[0].line}: {errors[0].message}")
    return root


def gunzip_if_needed(body: bytes) -> bytes:
    """Sitemaps served as raw .gz bytes (not Content-Encoding) are decompressed here, size-capped."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_SITEMAP_BYTES)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise MalformedDocument(f"bad gzip: {exc}") from exc
    return data


def parse_sitemap(body: bytes) -> tuple[str, list[Entry]]:
    """('urlset' | 'sitemapindex', entries) of a sitemap; news and image sitemaps give their dates too."""
    root = _xml_root(gunzip_if_needed(body))
    kind = _local(root.tag)
    if kind not in SITEMAP_ROOTS:
        raise MalformedDocument(f"root element <{kind}> is not a sitemap")
    entries = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        fields = {_local(el.tag): (el.text or "").strip() for el in node}  # loc, lastmod
        nested = {_local(el.tag): (el.text or "").strip() for el in node.iter() if el.getparent() is not node}
        if fields.get("loc"):
            lastmod = fields.get("lastmod") or nested.get("publication_date") or None  # news sitemaps
            entries.append(Entry(fields["loc"], lastmod))
    return kind, entries


def parse_feed(body: bytes) -> list[Entry]:
    """Entries of an RSS 1/2 or Atom feed: link and published/updated date."""
    root = _xml_root(body)
    kind = _local(root.tag)
    if kind not in FEED_ROOTS:
        raise MalformedDocument(f"root element <{kind}> is not a feed")
    entries = []
    for node in root.iter():
        name = _local(node.tag)
        if name == "item":
            entries.extend(_rss_entry(node))
        elif name == "entry":
            entries.extend(_atom_entry(node))
    return entries


def _rss_entry(node) -> list[Entry]:
    fields = {_local(el.tag): el for el in node}
    link = fields.get("link")
    url = (link.text or "").strip() if link is not None else ""
    guid = fields.get("guid")
    if not url and guid is not None and guid.get("isPermaLink", "true") != "false":
        url = (guid.text or "").strip()
    date = None
    for name in ("pubDate", "date", "published", "updated"):
        if name in fields and fields[name].text:
            date = _iso_date(fields[name].text.strip())
            break
    return [Entry(url, date)] if url else []


def _atom_entry(node) -> list[Entry]:
    url, date = "", None
    for el in node:
        name = _local(el.tag)
        if name == "link" and el.get("rel", "alternate") == "alternate" and not url:
            url = (el.get("href") or "").strip()
        elif name in ("published", "updated") and el.text and date is None:
            date = el.text.strip()
    return [Entry(url, date)] if url else []


def _iso_date(text: str) -> str:
    """RFC 822 feed dates become ISO 8601; anything else is kept as given."""
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return text
