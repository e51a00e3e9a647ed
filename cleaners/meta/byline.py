"""Author candidates from the page itself: JSON-LD authors, microdata, meta tags and the visible byline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from ..text import clean_text
from .authors import Byline, parse_byline, parse_names
from .rules import BYLINE_PREFIX
from .sources import JsonLd, microdata, near_headline, node_types

RAW_KEYS = ("@type", "@id", "name", "givenName", "familyName")  # what provenance keeps of a JSON-LD author
LAST_FIRST_META = ("dc.creator", "dcterms.creator", "citation_author")
MAX_BYLINE_CHARS = 160  # a longer element is an author box or a teaser, not a byline
MAX_BYLINE_LINKS = 8
CLUSTER_LEVELS = 4  # author links within this many levels of the first one belong to one byline
#: an element inside one of these tags, or inside an element whose class holds one of these words, is not the byline
OUTSIDE_TAGS = frozenset({"aside", "footer", "nav"})
OUTSIDE_CLASS_WORDS = ("comment", "related", "teaser")
#: ... nor is one in (or itself) an element whose class, without '-', '_' and spaces, holds one of these
BOX_WORDS = ("authorbox", "authorbio", "aboutauthor", "authorinfo", "morefrom")
AUTHOR_PATHS = (
    "/author/",
    "/authors/",
    "/autor/",
    "/autoren/",
    "/auteur/",
    "/auteurs/",
    "/autore/",
    "/autori/",
    "/journalist/",
)  # an <a> whose href holds one of these links to an author page
BYLINE_CLASS_WORDS = ("byline", "Byline", "author", "Author", "autor")  # in the class (or "byline" in the id)
REL_AUTHOR = etree.XPath(".//*[@rel='author']")  # (plain attribute tests: what libxml2's XPath does fast)
CLASSED = etree.XPath(".//*[@class or @id]")


def _boxed(el: HtmlElement) -> bool:
    cls = el.get("class")
    if not cls:
        return False
    squeezed = cls.replace("-", "").replace("_", "").replace(" ", "")
    return any(word in squeezed for word in BOX_WORDS)


def outside(el: HtmlElement) -> bool:
    """Not in an aside, footer, nav, comment, related or teaser element, and neither in nor itself an author box.

    Element by element in Python: as one XPath predicate over the page's elements it cost libxml2 milliseconds.
    """
    if _boxed(el):
        return False
    for ancestor in el.iterancestors():
        if ancestor.tag in OUTSIDE_TAGS or _boxed(ancestor):
            return False
        cls = ancestor.get("class")
        if cls and any(word in cls for word in OUTSIDE_CLASS_WORDS):
            return False
    return True


def rel_author_links(tree: HtmlElement) -> list[HtmlElement]:
    """Elements with rel="author" outside asides, footers, navigation, comments, teasers and author boxes."""
    return [el for el in REL_AUTHOR(tree) if outside(el)]


def author_page_links(tree: HtmlElement) -> list[HtmlElement]:
    """Links to an author page ("/author/", "/autoren/" ...) outside asides, footers, teasers, author boxes ..."""
    out = []
    for a in tree.iterdescendants("a"):
        href = a.get("href")
        if href and any(path in href for path in AUTHOR_PATHS) and outside(a):
            out.append(a)
    return out


def byline_elements(tree: HtmlElement) -> Iterator[HtmlElement]:
    """Elements classed byline or author (or with "byline" in the id), outside asides, teasers, author boxes ..."""
    for el in CLASSED(tree):
        cls = el.get("class")
        named = cls is not None and any(word in cls for word in BYLINE_CLASS_WORDS)
        if (named or "byline" in (el.get("id") or "")) and outside(el):
            yield el


# class fragments of elements that hold more than a byline (author boxes, avatars, bios)
HEADLINE_WINDOW = 6  # text elements after the <h1> looked at for a prefixed byline line
NOT_BYLINE = (
    "box",
    "bio",
    "about",
    "avatar",
    "image",
    "img",
    "photo",
    "description",
    "desc",
    "profile",
    "card",
    "more",
    "follow",
    "social",
    "share",
    "widget",
    "comment",
)


def jsonld_authors(ld: JsonLd, site: set[str]) -> tuple[Byline, object]:
    out = Byline()
    node = ld.article or {}
    raw = node.get("author") or node.get("creator")
    values = raw if isinstance(raw, list) else [raw]
    compact = []
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            item = ld.resolve(item)
            _jsonld_author(item, site, out)
            compact.append({k: v for k, v in item.items() if k in RAW_KEYS} if isinstance(item, dict) else item)
    return out, compact[0] if len(compact) == 1 and not isinstance(raw, list) else compact


def _jsonld_author(item: Any, site: set[str], out: Byline) -> None:
    if isinstance(item, str):
        out.add(parse_byline(item, site))
        return
    if not isinstance(item, dict):
        return
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        given, family = item.get("givenName"), item.get("familyName")
        name = " ".join(x for x in (given, family) if isinstance(x, str)) or None
    if not name:
        return
    if "Person" in node_types(item):
        out.add(parse_byline(name, site))
    elif node_types(item):  # Organization, NewsMediaOrganization ...
        out.add(Byline.of_orgs([clean_text(name)]))
    else:
        out.add(parse_byline(name, site))


def cluster(elements: list[HtmlElement]) -> list[HtmlElement]:
    """The first element and those near it (one byline), not the bylines of teasers further down."""
    if not elements:
        return []
    anchor = elements[0]
    for _ in range(CLUSTER_LEVELS):
        parent = anchor.getparent()
        if parent is None or parent.tag in ("body", "main", "article"):
            break
        anchor = parent
    inside = set(anchor.iter())
    return [el for el in elements if el in inside][:MAX_BYLINE_LINKS]


def microdata_authors(
    tree: HtmlElement, site: set[str], authors: list[HtmlElement] | None = None
) -> tuple[Byline, list[str]]:
    """Names of the first cluster of itemprop=author elements (`authors`: microdata(tree, "author"), when read)."""
    names = []
    for el in cluster(microdata(tree, "author") if authors is None else authors):
        inner = microdata(el, "name")
        text = clean_text((inner[0] if inner else el).text_content()) or clean_text(el.get("content"))
        if text and len(text) <= MAX_BYLINE_CHARS:
            names.append(text)
    return parse_names(names, site), names


def meta_authors(meta: dict[str, list[str]], names: tuple[str, ...], site: set[str]) -> tuple[Byline, list[str]]:
    orgs, raw = Byline(), []
    for name in names:
        values = meta.get(name)
        if values:
            found = parse_names(values, site, last_first=name in LAST_FIRST_META)
            if found.persons:
                return found, values
            orgs.add(found)
            raw += values if found.orgs else []
    return orgs, list(dict.fromkeys(raw))


def rel_authors(
    tree: HtmlElement, site: set[str], find: Callable[[HtmlElement], list[HtmlElement]] = rel_author_links
) -> tuple[Byline, list[str]]:
    """Names of the first cluster of rel=author links (or of other links `find` lists)."""
    texts = [clean_text(el.text_content()) for el in cluster(find(tree))]
    texts = [t for t in texts if t and len(t) <= MAX_BYLINE_CHARS]
    return parse_names(texts, site), texts


def html_authors(tree: HtmlElement, site: set[str]) -> tuple[Byline, list[str]]:
    """The visible byline: rel=author links, links to author pages, then elements classed byline/author."""
    found, texts = rel_authors(tree, site)
    if found.persons:
        return found, texts
    for el in byline_elements(tree):
        cls = (el.get("class") or "").lower()
        if any(word in cls for word in NOT_BYLINE):
            continue
        text = clean_text(el.text_content())
        if not text or len(text) > MAX_BYLINE_CHARS:
            continue
        links = [clean_text(a.text_content()) for a in el.iter("a")][:MAX_BYLINE_LINKS]
        found = parse_names(links, site)
        if found.persons:
            return found, links
        found = parse_byline(text, site)
        if found.persons:
            return found, [text]
    found, texts = rel_authors(tree, site, author_page_links)
    if found.persons or found.orgs:
        return found, texts
    return headline_byline(tree, site)


def headline_byline(tree: HtmlElement, site: set[str]) -> tuple[Byline, list[str]]:
    """A short line just below the headline that starts with a byline word ("By Jane Doe", "Von Anna Krüger",
    "Texte : Jean Dupont"), in no element that names itself a byline."""
    for el in near_headline(tree, HEADLINE_WINDOW):
        text = clean_text(el.text_content())
        if text and len(text) <= MAX_BYLINE_CHARS and BYLINE_PREFIX.match(text):
            found = parse_byline(text, site)
            if found.persons:
                return found, [text]
    return Byline(), []
