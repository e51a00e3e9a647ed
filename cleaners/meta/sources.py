"""Raw metadata sources of a page: JSON-LD nodes (with @id references resolved), meta tags, microdata."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from ..text import clean_text

ARTICLE_TYPES = re.compile(r"(article|posting|report|blog)$", re.IGNORECASE)  # not "NewsMediaOrganization"
PAGE_TYPES = re.compile(r"page$", re.IGNORECASE)  # WebPage, CollectionPage ...
MAX_JSONLD_CHARS = 2_000_000  # larger scripts are data dumps, not page metadata
MAX_NODES = 300  # JSON-LD nodes read per page
TEXT_TAGS = ("p", "span", "div", "time", "address", "small", "li", "strong", "b", "em")  # near_headline
MAX_DEPTH = 6  # nesting followed inside one JSON-LD node (mainEntity, isPartOf ...)


@dataclass
class JsonLd:
    """The page's JSON-LD: every node, an @id index, and the article node when there is one."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    article: dict[str, Any] | None = None

    def resolve(self, value: Any) -> Any:
        """A node for an {"@id": ...} reference, the value itself otherwise."""
        if isinstance(value, dict) and "@id" in value and isinstance(value["@id"], str):
            target = self.by_id.get(value["@id"])
            if target is not None and target is not value:
                return {**target, **{k: v for k, v in value.items() if k != "@id"}}
        return value

    def page_type(self) -> str | None:
        """The type of the page node (CollectionPage, AboutPage ...) when there is no article node."""
        return next((t for n in self.nodes for t in node_types(n) if PAGE_TYPES.search(t)), None)

    def first(self, *types: str) -> dict[str, Any] | None:
        wanted = {t.lower() for t in types}
        return next((n for n in self.nodes if wanted & {t.lower() for t in node_types(n)}), None)


def node_types(node: dict[str, Any]) -> list[str]:
    t = node.get("@type", [])
    return [x for x in (t if isinstance(t, list) else [t]) if isinstance(x, str)]


def _walk(data: Any, nodes: list[dict[str, Any]], depth: int = 0) -> None:
    if len(nodes) >= MAX_NODES or depth > MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            _walk(item, nodes, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data or "@graph" in data:
            nodes.append(data)
        for key, value in data.items():
            if key not in ("@context",) and isinstance(value, (dict, list)):
                _walk(value, nodes, depth + 1)


def read_jsonld(tree: HtmlElement) -> JsonLd:
    ld = JsonLd()
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        if not raw or len(raw) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        _walk(data, ld.nodes)
    for node in ld.nodes:
        if isinstance(node.get("@id"), str) and len(node) > 1:
            ld.by_id.setdefault(node["@id"], node)
    articles = [n for n in ld.nodes if any(ARTICLE_TYPES.search(t) for t in node_types(n))]
    ld.article = next((n for n in articles if n.get("headline")), articles[0] if articles else None)
    return ld


def read_meta(tree: HtmlElement) -> dict[str, list[str]]:
    """Every <meta> content by lower-cased property/name/itemprop, in page order."""
    out: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if not content or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                out.setdefault(key.strip().lower(), []).append(clean_text(content))
    return out


def meta_first(meta: dict[str, list[str]], names: tuple[str, ...]) -> tuple[str, str] | None:
    """(name, value) of the first of `names` the page has."""
    for name in names:
        if meta.get(name):
            return name, meta[name][0]
    return None


def meta_named(tree: HtmlElement, name: str) -> str | None:
    """The content of the page's `<meta name="...">` (not an itemprop, which may belong to any nested item)."""
    for el in tree.iter("meta"):
        if (el.get("name") or "").strip().lower() == name and (el.get("content") or "").strip():
            return clean_text(el.get("content"))
    return None


ITEMPROP = etree.XPath(".//*[@itemprop]")  # (a plain attribute test: libxml2's contains() over every element is slow)


def microdata(tree: HtmlElement, prop: str, marked: list[HtmlElement] | None = None) -> list[HtmlElement]:
    """Elements with itemprop `prop` (outside <meta>, which read_meta covers); `marked`: ITEMPROP(tree), when the
    caller listed them already (one pass over the page for every property it reads)."""
    found = ITEMPROP(tree) if marked is None else marked
    return [el for el in found if el.tag != "meta" and prop in el.get("itemprop").split()]


def near_headline(tree: HtmlElement, limit: int, headline: str | None = None) -> Iterator[HtmlElement]:
    """Elements after the headline's <h1> in page order (inside them too), then after its wrapper, at most
    `limit`: where a byline or dateline sits. The <h1> is the first one, or with `headline` the first whose text
    is the headline (a logo in an <h1> is not, nor is the date strip beside it)."""
    if headline is None:
        h1 = next(tree.iter("h1"), None)
    else:
        wanted = _letters(headline)
        h1 = next((h for h in tree.iter("h1") if wanted and _letters(h.text_content()) == wanted), None)
    if h1 is None:
        return
    seen = 0
    starts = [h1]
    parent = h1.getparent()
    if parent is not None and parent.tag not in ("body", "article", "main"):
        starts.append(parent)
    for start in starts:
        for sibling in start.itersiblings():
            for el in sibling.iter(*TEXT_TAGS):
                yield el
                seen += 1
                if seen >= limit:
                    return


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())
