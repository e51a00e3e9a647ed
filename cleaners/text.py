"""Small text helpers shared by the cleaning steps."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
SPACES = re.compile(r"\s+")
DROP_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
WORDS = re.compile(r"\w+")
SKIP_TAGS = frozenset({"script", "style", "template", "svg", "noscript"})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "pre", "section", "table", "td", "th", "tr", "ul", "button", "label",
})


def clean_text(text: str | None) -> str:
    """Drop invisible characters and collapse whitespace (the page's Unicode form is kept)."""
    if not text:
        return ""
    if text.isascii():
        return " ".join(text.split())
    return " ".join(text.translate(DROP_INVISIBLE).split())


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Text for phrase matching: cleaned, NFC-normalised and case-folded."""
    text = clean_text(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.casefold()


def strip_edges(text: str) -> str:
    """Remove decorative punctuation around a label ("- Advertisement -" -> "Advertisement")."""
    return EDGE_PUNCT.sub("", text)


def word_count(text: str) -> int:
    return len(WORDS.findall(text))


def element_chunks(element: HtmlElement) -> list[str]:
    """The element's text split at block-level boundaries, each chunk cleaned, empties dropped."""
    parts: list[str] = []
    skip_depth = 0
    for event, el in etree.iterwalk(element, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        skipped = tag in SKIP_TAGS
        if event == "start":
            if skipped:
                skip_depth += 1
            if skip_depth:
                continue
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if skipped:
                skip_depth -= 1
            if skip_depth:
                continue
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if el.tail and el is not element:
                parts.append(el.tail)
    return [c for c in (clean_text(x) for x in "".join(parts).split("\n") if x and not x.isspace()) if c]
