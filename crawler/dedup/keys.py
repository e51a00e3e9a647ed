"""A record's identity: the URLs it is known by and its content hash (DedupPipeline in a run, EmitOnce across workers)."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.discovery.normalize import try_normalize


def identity_urls(item: dict) -> set[str]:
    """The record's URL and canonical URL, normalised; a canonical pointing at the home page is ignored (a site
    misconfiguration, not a duplicate)."""
    canonical = try_normalize(item.get("canonical_url"))
    if canonical and urlsplit(canonical).path == "/":
        canonical = None
    return {u for u in (try_normalize(item.get("url")), canonical) if u}


def record_keys(item: dict) -> list[str]:
    """Every key the record claims: url:<each identity URL> (sorted), then hash:<content hash>."""
    return sorted(f"url:{u}" for u in identity_urls(item)) + [f"hash:{item['content_hash']}"]
