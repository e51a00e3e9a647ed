"""URL normalisation for crawling: tracking parameters, fragments, default ports, index pages, same-site checks."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url as courlan_normalize
from courlan.clean import scrub_url
from w3lib.url import canonicalize_url

#: path endings that name a directory's default document: `/a/index.html` is `/a/`
INDEX_PAGES = re.compile(r"/(?:index|default)\.(?:html?|php|aspx?|jsp)$", re.IGNORECASE)

#: second-level labels under which registrable names sit one label deeper (example.co.uk)
SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "nic"})

SCHEMES = ("http", "https")


class BadURL(ValueError):
    """A link that cannot be crawled (wrong scheme, no host, unparsable)."""


def normalize_url(url: str, base: str | None = None) -> str:
    """The one spelling of a URL used for dedup: trackers, fragment, default port and index page dropped.

    Raises BadURL for links that are not http(s) pages.
    """
    url = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise BadURL(f"not an http(s) URL: {url[:200]!r}")
    try:
        cleaned = courlan_normalize(scrub_url(url))  # lower-case host, default port, tracking params
    except (ValueError, AttributeError) as exc:
        raise BadURL(f"unparsable URL {url[:200]!r}: {exc}") from exc
    cleaned = canonicalize_url(cleaned, keep_fragments=False)  # query order and percent-encoding
    parts = urlsplit(cleaned)
    path = INDEX_PAGES.sub("/", parts.path) or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def try_normalize(url: str | None, base: str | None = None) -> str | None:
    """normalize_url, or None for a link that is not a crawlable URL."""
    if not url:
        return None
    try:
        return normalize_url(url, base)
    except BadURL:
        return None


@lru_cache(maxsize=4096)  # asked for every link of every page: a crawl sees few hosts
def registered_domain(host: str) -> str:
    """The registrable part of a host name: news.example.co.uk -> example.co.uk; IPs stay as they are."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def site_key(url: str, same_domain: bool = True) -> str:
    """What two URLs must share to be the same site: the registered domain, or the exact host."""
    host = urlsplit(url).hostname or ""
    return registered_domain(host) if same_domain else host.lower()


def is_same_site(url: str, keys: set[str] | frozenset[str], same_domain: bool = True) -> bool:
    return site_key(url, same_domain) in keys


def site_of(url: str | None) -> str:
    """The site a URL is counted under (state, reports): its host[:port], lower-case; "" for none."""
    return urlsplit(url or "").netloc.lower()


def site_root(url: str) -> str:
    """scheme://host[:port]/ of a URL."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
