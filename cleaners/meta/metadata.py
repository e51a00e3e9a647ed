"""Metadata step: title, authors, dates, site, tags and language from JSON-LD, meta tags, microdata and the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml.html import HtmlElement

from ..language import normalise_tag, resolve_language
from ..text import clean_text, fold
from .byline import html_authors, jsonld_authors, meta_authors, microdata_authors, rel_authors
from .dateline import visible_date
from .dates import as_datetime, not_after, parse_date, url_date
from .rules import META_AUTHOR, META_MODIFIED, META_PUBLISHED
from .sources import ITEMPROP, JsonLd, meta_first, meta_named, microdata, node_types, read_jsonld, read_meta
from .titles import abbreviates, choose_title, is_site, key, short_keys, site_keys, unescape

MAX_TAGS = 30
CONTENT_TIERS = {"free": True, "locked": False, "metered": False}  # article:content_tier values
EMPTY: tuple[Any, ...] = (None, "", [])
STRUCTURED = ("jsonld", "opengraph", "meta", "microdata")  # date sources written for machines
MAX_DATELINE_DAYS = 1  # a printed date this close to the structured one is the same moment in another zone


@dataclass
class Metadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    date_published: str | None = None
    date_modified: str | None = None
    site_name: str | None = None
    publisher: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    language: str | None = None
    declared_language: tuple[str, str, Any] | None = None  # (tag, source, raw) before the text check
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    page_type: str | None = None
    is_accessible_for_free: bool | None = None
    article_body: str | None = None  # JSON-LD articleBody, raw
    live_updates: list[dict[str, Any]] | None = None  # a LiveBlogPosting's liveBlogUpdate nodes (None: not declared)
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)

    def set(self, name: str, value: Any, source: str, raw: Any = None) -> bool:
        if value in EMPTY or getattr(self, name) not in EMPTY:
            return False
        setattr(self, name, value)
        self.provenance[name] = {"source": source, "raw": raw if raw is not None else value}
        return True


@dataclass
class Page:
    """The raw sources of one page, read once."""

    tree: HtmlElement
    url: str | None
    ld: JsonLd
    meta: dict[str, list[str]]
    _itemprops: list[HtmlElement] | None = field(default=None, repr=False)

    def m(self, *names: str) -> tuple[str, str] | None:
        return meta_first(self.meta, names)

    def microdata(self, prop: str) -> list[HtmlElement]:
        """The page's elements with itemprop `prop` (the elements with an itemprop listed once per page)."""
        if self._itemprops is None:
            self._itemprops = ITEMPROP(self.tree)
        return microdata(self.tree, prop, self._itemprops)


def extract_metadata(tree: HtmlElement, url: str | None, fetched_at: str | None = None) -> Metadata:
    """Metadata of the page, each value with the source it came from in `provenance`."""
    page = Page(tree, url, read_jsonld(tree), read_meta(tree))
    out = Metadata()
    _site(page, out)
    host = urlsplit(url).hostname if url else None
    keys = site_keys([n for n in (out.site_name, out.publisher) if n], host)
    _describe(page, out)
    _title(page, out, keys)
    _authors(page, out, keys, short_keys([n for n in (out.site_name, out.publisher) if n], host))
    _dates(page, out, fetched_at)
    _language(page, out)
    node = page.ld.article or {}
    out.page_type = next(iter(node_types(node)), None) or page.ld.page_type() or _value(page.m("og:type"))
    if isinstance(node.get("articleBody"), str):
        out.article_body = fold(node["articleBody"])
    live = page.ld.first("LiveBlogPosting")
    if live is not None:
        raw = live.get("liveBlogUpdate")
        updates: list[Any] = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
        out.live_updates = [u for u in map(page.ld.resolve, updates) if isinstance(u, dict)]
    return out


def _value(found: tuple[str, str] | None) -> str | None:
    return found[1] if found else None


def _ld_name(value: Any) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and clean_text(item["name"]):
            return unescape(item["name"])
        if isinstance(item, str) and clean_text(item) and "://" not in item:
            return unescape(item)
    return None


def _site(page: Page, out: Metadata) -> None:
    ld = page.ld
    website = ld.first("WebSite")
    out.set("site_name", unescape(_value(page.m("og:site_name"))), "opengraph")
    out.set("site_name", _ld_name(website.get("name")) if website else None, "jsonld")
    out.set("site_name", unescape(_value(page.m("application-name", "apple-mobile-web-app-title"))), "meta")
    publisher = ld.resolve((ld.article or {}).get("publisher"))
    out.set("publisher", _ld_name(ld.resolve(publisher) if isinstance(publisher, dict) else publisher), "jsonld")
    org = ld.first("NewsMediaOrganization", "Organization")
    out.set("publisher", _ld_name(org.get("name")) if org else None, "jsonld")
    out.set("publisher", unescape(_value(page.m("publisher", "dc.publisher", "dcterms.publisher"))), "meta")


def _describe(page: Page, out: Metadata) -> None:
    node, base = page.ld.article or {}, page.url
    out.set("description", unescape(_value(page.m("og:description"))), "opengraph")
    out.set("description", unescape(_value(page.m("description"))), "meta")
    if isinstance(node.get("description"), str):
        out.set("description", unescape(node["description"]), "jsonld")
    out.set("canonical_url", _canonical(page), "html", _raw_canonical(page))
    out.set(
        "image",
        absolute(_value(page.m("og:image", "og:image:url", "og:image:secure_url")), base),
        "opengraph",
        _value(page.m("og:image", "og:image:url", "og:image:secure_url")),
    )
    out.set("image", absolute(_ld_image(node.get("image")), base), "jsonld", _ld_image(node.get("image")))
    out.set("image", absolute(_value(page.m("twitter:image", "twitter:image:src")), base), "meta")
    out.set("section", unescape(_value(page.m("article:section"))), "opengraph")
    section = node.get("articleSection")
    out.set(
        "section",
        unescape(
            section[0] if isinstance(section, list) and section else section if isinstance(section, str) else None
        ),
        "jsonld",
        section,
    )
    _tags(page, out, node)
    _access(page, out, node)


def accessible_for_free(tree: HtmlElement) -> tuple[bool, str, Any] | None:
    """The page's isAccessibleForFree as (value, source, raw), for a page the metadata step did not read."""
    page = Page(tree, None, read_jsonld(tree), read_meta(tree))
    out = Metadata()
    _access(page, out, page.ld.article or {})
    if out.is_accessible_for_free is None:
        return None
    found = out.provenance["is_accessible_for_free"]
    return out.is_accessible_for_free, found["source"], found["raw"]


def _access(page: Page, out: Metadata, node: dict[str, Any]) -> None:
    """isAccessibleForFree of the article, else of a paywalled part (hasPart), else article:content_tier."""
    parts = node.get("hasPart")
    parts = [p for p in (parts if isinstance(parts, list) else [parts]) if isinstance(p, dict)]
    for free in [node.get("isAccessibleForFree")] + [p.get("isAccessibleForFree") for p in parts]:
        if isinstance(free, bool) or str(free).lower() in ("true", "false"):
            out.set("is_accessible_for_free", str(free).lower() == "true", "jsonld", free)
            return
    tier = _value(page.m("article:content_tier"))
    if tier and tier.lower() in CONTENT_TIERS:
        out.set("is_accessible_for_free", CONTENT_TIERS[tier.lower()], "opengraph", tier)


def _tags(page: Page, out: Metadata, node: dict[str, Any]) -> None:
    if page.meta.get("article:tag"):
        out.set("tags", _split_tags(page.meta["article:tag"]), "opengraph", page.meta["article:tag"])
    keywords = node.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    if isinstance(keywords, list):
        out.set("tags", _split_tags([k for k in keywords if isinstance(k, str)]), "jsonld", node.get("keywords"))
    found = page.m("news_keywords", "keywords")
    if found:
        out.set("tags", _split_tags(found[1].split(",")), "meta", found[1])


def _split_tags(values: list[str]) -> list[str]:
    tags = [unescape(v).strip(" #") for v in values]
    return list(dict.fromkeys(t for t in tags if t and len(t) <= 80))[:MAX_TAGS]


def _ld_image(value: Any) -> str | None:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            found = item.get("url") or item.get("contentUrl")
            if isinstance(found, str) and found.strip():
                return found.strip()
    return None


def _raw_canonical(page: Page) -> str | None:
    link = page.tree.find(".//link[@rel='canonical']")
    href = (link.get("href") or "").strip() if link is not None else ""
    if href:
        return str(href)
    return _value(page.m("og:url"))


def _canonical(page: Page) -> str | None:
    return normalise_url(absolute(_raw_canonical(page), page.url))


def absolute(href: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL for `href` against the page URL, or None."""
    if not href:
        return None
    href = href.strip()
    target = urljoin(base, href) if base else href
    return target if urlsplit(target).scheme in ("http", "https") else None


def normalise_url(url: str | None) -> str | None:
    """Lower-case scheme and host, no default port, no fragment, "/" for an empty path."""
    if not url:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if parts.port in (None, default) else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _title(page: Page, out: Metadata, keys: set[str]) -> None:
    node = page.ld.article or {}
    candidates = []
    for origin, source, found in (
        ("headline", "jsonld", node.get("headline")),
        ("headline", "meta", meta_named(page.tree, "headline")),
        ("og:title", "opengraph", _value(page.m("og:title"))),
        ("twitter:title", "meta", _value(page.m("twitter:title"))),
    ):
        if isinstance(found, str):
            candidates.append((origin, source, found))
    if not candidates:
        candidates += [("headline", "microdata", el.text_content()) for el in page.microdata("headline")[:1]]
    h1s = [clean_text(h.text_content()) for h in page.tree.iter("h1")][:5]
    candidates += [("h1", "html", h) for h in h1s if h]
    title = page.tree.find(".//title")
    if title is not None:
        candidates.append(("title", "html", title.text_content()))
    section = {key(out.section)} if out.section else set()
    chosen = choose_title(candidates, keys, section | {"news", "nachrichten"})
    if chosen:
        out.set("title", chosen[0], chosen[1], clean_text(chosen[2]))


def _authors(page: Page, out: Metadata, keys: set[str], short: set[str]) -> None:
    """Authors from JSON-LD, microdata, meta tags, then the visible byline. A structured source that names only
    the site itself (its name, its publisher's, its domain's, or a short form: "DW" for "Deutsche Welle")
    does not end the search: a person the visible byline names wins. The site's name is then not kept in
    `organizations` (which credits agencies, as for "By Jane Doe, Site Name"): the record names the site in
    site_name/publisher, and provenance keeps the structured value as `replaced`."""

    def site(name: str) -> bool:
        return is_site(name, keys) or abbreviates(name, short)

    found, raw = jsonld_authors(page.ld, keys)
    source = "jsonld"
    replaced: dict[str, Any] | None = None
    readers: tuple[tuple[Callable[[], tuple[Any, Any]], str], ...] = (
        (lambda: microdata_authors(page.tree, keys, page.microdata("author")), "microdata"),
        (lambda: meta_authors(page.meta, META_AUTHOR, keys), "meta"),
        (lambda: html_authors(page.tree, keys), "html"),
    )
    for reader, name in readers:
        if any(not site(n) for n in found.persons + found.orgs):
            break  # the page names its authors (an agency byline is an answer too)
        more, more_raw = reader()
        people = [p for p in more.persons if not site(p)]
        if people:
            if found.persons or found.orgs:
                replaced = {"source": source, "raw": raw, "reason": "site_name"}
            orgs = found.orgs + [p for p in found.persons if p not in people]
            more.persons = people
            found, raw, source = more, more_raw, name
            found.orgs = list(dict.fromkeys(found.orgs + orgs))
        elif not (found.persons or found.orgs) and (more.persons or more.orgs):
            found, raw, source = more, more_raw, name
    if source == "jsonld" and found.persons:
        visible, visible_raw = rel_authors(page.tree, keys)
        folded = {p.casefold() for p in visible.persons}
        if len(visible.persons) > len(found.persons) and all(p.casefold() in folded for p in found.persons):
            found, raw, source = visible, visible_raw, "html"
    found.without_site(keys)
    found.orgs = [o for o in found.orgs if not (replaced and site(o))]
    out.set("authors", found.persons, source, raw)
    out.set("organizations", found.orgs, source, raw)
    if replaced and found.persons:
        out.provenance["authors"]["replaced"] = replaced


def _date_candidates(page: Page, published: bool) -> Iterator[tuple[str, object]]:
    """(source, raw) date strings in priority order, read lazily: the first good one ends the search."""
    node = page.ld.article or {}
    ld_key = "datePublished" if published else "dateModified"
    yield "jsonld", node.get(ld_key)
    for name in META_PUBLISHED if published else META_MODIFIED:
        for value in page.meta.get(name, [])[:1]:
            yield ("opengraph" if name.startswith(("article:", "og:")) else "meta"), value
    for el in page.microdata(ld_key)[:2]:
        yield "microdata", el.get("datetime") or el.get("content") or el.text_content()
    for other in page.ld.nodes:
        if other is not node:
            yield "jsonld", other.get(ld_key)


def _first_date(candidates: Iterator[tuple[str, object]], fetched_at: str | None) -> tuple[str, str, object] | None:
    for source, raw in candidates:
        value = parse_date(raw) if raw else None
        if value and not_after(value, fetched_at):
            return value, source, raw
    return None


def _dates(page: Page, out: Metadata, fetched_at: str | None) -> None:
    published = _first_date(_date_candidates(page, True), fetched_at)
    if published is None:
        published = _htmldate(page, fetched_at)
    if published is None:
        found = url_date(page.url)
        if found and not_after(found[0], fetched_at):
            published = (found[0], "url", found[1])
    replaced: dict[str, Any] | None = None
    if published and published[1] in STRUCTURED:
        published, replaced = _check_dateline(page, out, published, fetched_at)
    if published:
        out.set("date_published", *published)
        if replaced:
            out.provenance["date_published"]["replaced"] = replaced
    modified = _first_date(_date_candidates(page, False), fetched_at)
    if modified and (not published or _not_before(modified[0], published[0])):
        out.set("date_modified", *modified)


def _check_dateline(
    page: Page, out: Metadata, published: tuple[str, str, object], fetched_at: str | None
) -> tuple[tuple[str, str, object], dict[str, Any] | None]:
    """The structured publication date checked against the one printed beside the headline. They agree when
    they are at most MAX_DATELINE_DAYS calendar days apart (one moment written in two time zones); the
    structured value, which carries the time and offset, is kept. When they disagree the printed date wins:
    it is what the reader is shown as the publication date, while a structured date that far off is most
    often the time of an update, a re-publication or a template's date; the structured value is kept in
    provenance as `replaced`."""
    dateline = visible_date(page.tree, fetched_at, out.title)
    if dateline is None:
        return published, None
    try:
        apart = abs((as_datetime(published[0]).date() - as_datetime(dateline[0]).date()).days)
    except ValueError:
        return published, None
    if apart <= MAX_DATELINE_DAYS:
        return published, None
    return (dateline[0], "html", dateline[1]), {"source": published[1], "raw": published[2], "reason": "dateline"}


def _not_before(later: str, earlier: str) -> bool:
    try:
        return as_datetime(later) >= as_datetime(earlier) or later[:10] == earlier[:10]
    except ValueError:
        return True


def _htmldate(page: Page, fetched_at: str | None) -> tuple[str, str, str | None] | None:
    """htmldate's search of the page's markup and text (not its URL): only when no tag gave the date."""
    from htmldate import find_date  # imported on first need: it loads dateparser's locale data

    try:
        found = find_date(
            page.tree, original_date=True, extensive_search=False, max_date=fetched_at[:10] if fetched_at else None
        )
    except (ValueError, TypeError):
        return None
    value = parse_date(found) if found else None
    return (value, "html", found) if value and not_after(value, fetched_at) else None


def _language(page: Page, out: Metadata) -> None:
    node = page.ld.article or {}
    for source, raw in (
        ("html", page.tree.get("lang") or page.tree.get("xml:lang")),
        ("meta", _value(page.m("content-language", "language", "dc.language"))),
        ("opengraph", _value(page.m("og:locale"))),
        ("jsonld", node.get("inLanguage") if isinstance(node.get("inLanguage"), str) else None),
    ):
        tag = normalise_tag(raw)
        if tag:
            out.declared_language = (tag, source, raw)
            out.set("language", tag, source, raw)
            return


def apply_language(meta: Metadata, text: str, detect: bool = True) -> None:
    """Check the declared language against the body text; the text wins, both stay in provenance."""
    value, provenance = resolve_language(meta.declared_language, text, detect)
    meta.language = value
    if provenance:
        meta.provenance["language"] = provenance
    else:
        meta.provenance.pop("language", None)
