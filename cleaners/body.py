"""Extraction step: trafilatura on the pruned tree, its output turned into typed blocks."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml import etree
from lxml.html import HtmlElement

from .article import Block
from .options import Options
from .text import clean_text, join_url, url_host

if TYPE_CHECKING:
    from trafilatura.settings import Extractor

# trafilatura (with numpy, courlan and the language model's module: ~0.4 s) is imported by the functions that run
# it, so `import cleaners` stays cheap for commands and processes that never extract (cleanwire schema, the crawler
# process, whose workers extract)

HEADING_LEVEL_DEFAULT = 2
FALLBACK_MIN_CHARS = 1500  # a fast extraction shorter than this gets trafilatura's fallback extractors
FALLBACK_SHARE = 0.7  # ... as does one holding less than this share of the JSON-LD articleBody
TAIL_MIN_WORDS = 5  # bare text after a body block is a paragraph from this many words ...
TAIL_MIN_CHARS = 40  # ... or characters (scripts written without spaces)

STRING_VALUE = etree.XPath("string()")  # compiled once (an element's .xpath("string()") compiles it per call)


@dataclass
class Candidate:
    """A block on its way through the filters, with the signals the filters read."""

    block: Block
    links: list[str] = field(default_factory=list)  # absolute hrefs inside the block
    link_chars: int = 0  # characters of text inside links
    css: str = ""  # class attribute trafilatura kept
    removed: bool = False
    protected: bool = False

    @property
    def text(self) -> str:
        return self.block.text

    @property
    def link_density(self) -> float:
        return self.link_chars / max(len(self.block.text), 1)


def extract_body(
    tree: HtmlElement, url: str | None, options: Options, expected_chars: int = 0
) -> etree._Element | None:
    """trafilatura's body; rerun with its fallback extractors when the fast pass looks short.

    The fallback (readability, jusText) costs a few milliseconds, so it only runs when the fast
    result holds less than FALLBACK_MIN_CHARS characters or less than FALLBACK_SHARE of the
    JSON-LD articleBody (`expected_chars`).
    """
    body = run_trafilatura(tree, url, options, fast=True)
    chars = len(STRING_VALUE(body)) if body is not None else 0  # its text nodes joined, as "".join(itertext())
    if chars < FALLBACK_MIN_CHARS or chars < FALLBACK_SHARE * expected_chars:
        slow = run_trafilatura(tree, url, options, fast=False)
        if slow is not None and len(STRING_VALUE(slow)) > chars:
            return slow
    return body


def run_trafilatura(tree: HtmlElement, url: str | None, options: Options, fast: bool = True) -> etree._Element | None:
    """The body element trafilatura extracts from the (pruned) tree, or None when it finds none.

    Calls trafilatura's extraction sequence directly: `bare_extraction` would copy the tree we
    already parsed, check it again and serialise its text, none of which the cleaner reads.
    trafilatura gets no URL, so its links keep their hrefs: it would resolve every link of the
    page, `to_candidates` resolves (the same way) only those of the blocks it reads.
    """
    from trafilatura.core import trafilatura_sequence

    extractor = copy(_extractor(options.mode, options.include_tables, fast))
    extractor.source = url
    body, text, _, _ = trafilatura_sequence(tree, extractor, None)
    if len(text) < extractor.min_output_size:
        return None  # what bare_extraction discards as too short
    return body


@lru_cache(maxsize=16)
def _extractor(mode: str, include_tables: bool, fast: bool) -> Extractor:
    """trafilatura's options for one cleaner mode, built once (copied per page to set its URL)."""
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="python",
        fast=fast,
        precision=mode == "precision",
        recall=mode == "recall",
        comments=False,
        formatting=False,
        links=True,
        images=False,
        tables=include_tables,
        dedup=False,
        with_metadata=False,
    )


def _inline_text(el: etree._Element) -> str:
    """Text of an inline container, with <lb/> as a line break."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append("\n")
        else:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _clean_lines(text: str) -> str:
    return "\n".join(line for line in (clean_text(x) for x in text.split("\n")) if line)


def _links(el: etree._Element, base: str | None, site: str | None) -> tuple[list[str], int]:
    """Absolute hrefs of the links in a block, and the characters of their text.

    `site` is `safe_base_url(base)`: an href is resolved against it as trafilatura resolves
    links when given the page URL (see run_trafilatura), then against the page URL.
    """
    from trafilatura.utils import safe_relative_url

    hrefs, chars = [], 0
    for ref in el.iter("ref"):
        target = ref.get("target")
        if target:
            if site:
                target = safe_relative_url(site, target) or target
            hrefs.append(join_url(base, target) if base else target)
        chars += len(clean_text(STRING_VALUE(ref)))
    return hrefs, chars


def to_candidates(body: etree._Element, base: str | None) -> list[Candidate]:
    """One candidate per top-level element of trafilatura's body (from `extract_body` with the same URL)."""
    from trafilatura.utils import safe_base_url

    out: list[Candidate] = []
    site = base and safe_base_url(base)
    for el in body:
        block = _to_block(el)
        if block is not None and block.text:
            links, link_chars = _links(el, base, site)
            out.append(Candidate(block, links, link_chars, el.get("class") or ""))
        tail = _clean_lines(el.tail or "")
        if len(tail.split()) >= TAIL_MIN_WORDS or len(tail) >= TAIL_MIN_CHARS:
            # bare text after a block (a page whose prose follows an <h2> or a <br> rather than sits in
            # a <p>): trafilatura leaves it as the block's tail, it is a paragraph of the body; a word or
            # two there (a dateline, an icon's label) is not
            out.append(Candidate(Block("paragraph", tail)))
    return out


def _to_block(el: etree._Element) -> Block | None:
    tag = el.tag
    if tag == "head":
        rend = el.get("rend") or ""
        level = int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1].isdigit() else HEADING_LEVEL_DEFAULT
        return Block("heading", clean_text(_inline_text(el)), level=level)
    if tag == "list":
        items = [clean_text(_inline_text(item)) for item in el.iter("item")]
        items = [i for i in items if i]
        return Block("list", "\n".join(items), items=items) if items else None
    if tag == "quote":
        return Block("quote", _clean_lines(_inline_text(el)))
    if tag == "table":
        rows: list[list[str]] = []
        header = False
        for row in el.iter("row"):
            cells = [clean_text(_inline_text(c)) for c in row.iter("cell")]
            if any(cells):
                if not rows:
                    header = all(c.get("role") == "head" for c in row.iter("cell"))
                rows.append(cells)
        if not rows:
            return None
        return Block("table", "\n".join(" | ".join(r) for r in rows), rows=rows, header=header)
    if tag == "code":
        return Block("code", (STRING_VALUE(el) or "").strip("\n"))
    if tag == "graphic":
        return None
    return Block("paragraph", _clean_lines(_inline_text(el)))


def same_site(url: str, base: str | None) -> bool:
    if not base:
        return False
    host = url_host(url)
    return bool(host) and host == url_host(base)
