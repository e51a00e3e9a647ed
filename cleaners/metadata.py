"""Metadata step: title, authors, dates, site and language from JSON-LD, meta tags and trafilatura."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata as trafilatura_metadata

from .text import clean_text, fold


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
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    page_type: str | None = None
    is_accessible_for_free: bool | None = None
    article_body: str | None = None          # JSON-LD articleBody, raw
    provenance: dict[str, dict] = field(default_factory=dict)

    def set(self, name: str, value, source: str, raw=None) -> None:
        if value in (None, "", []) or getattr(self, name) not in (None, "", []):
            return
        setattr(self, name, value)
        self.provenance[name] = {"source": source, "raw": raw if raw is not None else value}


ARTICLE_TYPES = re.compile(r"(article|posting|report|blog|news)", re.IGNORECASE)


def _jsonld_nodes(tree: HtmlElement) -> list[dict]:
    nodes: list[dict] = []
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        if not raw or len(raw) > 2_000_000:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(nodes) < 200:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                nodes.append(item)
    return nodes


def _types(node: dict) -> list[str]:
    t = node.get("@type", [])
    return [x for x in (t if isinstance(t, list) else [t]) if isinstance(x, str)]


def _names(value) -> list[str]:
    out = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str) and clean_text(item):
            out.append(clean_text(item))
    return out


def _meta(tree: HtmlElement, *names: str) -> str | None:
    for name in names:
        for el in tree.iterfind(f".//meta[@property='{name}']"):
            if el.get("content"):
                return clean_text(el.get("content"))
        for el in tree.iterfind(f".//meta[@name='{name}']"):
            if el.get("content"):
                return clean_text(el.get("content"))
    return None


def extract_metadata(tree: HtmlElement, url: str | None) -> Metadata:
    """Metadata of the page, each value with the source it came from in `provenance`."""
    meta = Metadata()
    for node in _jsonld_nodes(tree):
        types = _types(node)
        if not any(ARTICLE_TYPES.search(t) for t in types):
            continue
        meta.page_type = meta.page_type or types[0]
        if isinstance(node.get("headline"), str):
            meta.set("title", clean_text(node["headline"]), "jsonld")
        meta.set("authors", _names(node.get("author")), "jsonld", node.get("author"))
        for key, name in (("datePublished", "date_published"), ("dateModified", "date_modified")):
            if isinstance(node.get(key), str):
                meta.set(name, node[key].strip(), "jsonld")
        if isinstance(node.get("articleBody"), str) and meta.article_body is None:
            meta.article_body = node["articleBody"]
        free = node.get("isAccessibleForFree")
        if isinstance(free, bool) or free in ("True", "False", "true", "false"):
            meta.set("is_accessible_for_free", str(free).lower() == "true", "jsonld", free)
        publisher = _names(node.get("publisher"))
        if publisher:
            meta.set("publisher", publisher[0], "jsonld")
    meta.set("title", _meta(tree, "og:title"), "opengraph")
    meta.set("site_name", _meta(tree, "og:site_name"), "opengraph")
    meta.set("description", _meta(tree, "og:description", "description"), "opengraph")
    meta.set("date_published", _meta(tree, "article:published_time"), "opengraph")
    meta.set("date_modified", _meta(tree, "article:modified_time"), "opengraph")
    meta.set("image", _meta(tree, "og:image"), "opengraph")
    meta.set("section", _meta(tree, "article:section"), "opengraph")
    og_type = _meta(tree, "og:type")
    meta.page_type = meta.page_type or og_type
    canonical = tree.find(".//link[@rel='canonical']")
    if canonical is not None and canonical.get("href"):
        meta.set("canonical_url", canonical.get("href").strip(), "html")
    lang = tree.get("lang") or tree.get("xml:lang")
    if lang:
        meta.set("language", lang.strip(), "html")
    doc = trafilatura_metadata(tree, url)
    if doc is not None:
        meta.set("title", doc.title, "trafilatura")
        if doc.author:
            meta.set("authors", [clean_text(a) for a in doc.author.split(";") if clean_text(a)], "trafilatura", doc.author)
        meta.set("date_published", doc.date, "trafilatura")
        meta.set("site_name", doc.sitename, "trafilatura")
        meta.set("description", doc.description, "trafilatura")
        meta.set("tags", list(doc.tags or []), "trafilatura")
        meta.set("image", doc.image, "trafilatura")
    if meta.article_body:
        meta.article_body = fold(meta.article_body)
    return meta
