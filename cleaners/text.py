"""Small text helpers shared by the cleaning steps."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
SPACES = re.compile(r"\s+")
INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE_CHARS))
WORDS = re.compile(r"\w+")
SKIP_TAGS = frozenset({"script", "style", "template", "svg", "noscript"})
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
        "button",
        "label",
    }
)


def clean_text(text: str | None) -> str:
    """Drop invisible characters and collapse whitespace (the page's Unicode form is kept)."""
    if not text:
        return ""
    if text.isascii() or not _has_invisible(text):
        return " ".join(text.split())
    return " ".join(text.translate(DROP_INVISIBLE).split())


def _has_invisible(text: str) -> bool:
    """Whether the text holds an invisible character (looked for one by one: faster than translating)."""
    return any(map(text.__contains__, INVISIBLE_CHARS))


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Text for phrase matching: cleaned, NFC-normalised and case-folded."""
    text = clean_text(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.casefold()


@lru_cache(maxsize=65536)
def join_url(base: str, href: str) -> str:
    """urljoin(base, href), cached: the steps resolve the same links of a page several times."""
    return urljoin(base, href)


@lru_cache(maxsize=65536)
def url_host(url: str) -> str:
    """The URL's host name without a leading 'www.' ('' when none), cached."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def strip_edges(text: str) -> str:
    """Remove decorative punctuation around a label ("- Advertisement -" -> "Advertisement")."""
    start, end = 0, len(text)  # strips ^[\W_]+ and [\W_]+$ without a regex: [\W_] is what isalnum() is not
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def word_count(text: str) -> int:
    return len(WORDS.findall(text))


@lru_cache(maxsize=8192)
def word_chars(text: str) -> str:
    """Only the word characters of a text: texts compared whatever their spacing, punctuation and quote marks."""
    return "".join(WORDS.findall(text))


def text_of(el: HtmlElement) -> str:
    """el.text_content(), read directly for an element without children (its text: no XPath call, most links and
    many paragraphs are such leaves)."""
    if len(el):
        text: str = el.text_content()
        return text
    return el.text or ""


def element_chunks(element: HtmlElement) -> list[str]:
    """The element's text split at block-level boundaries, each chunk cleaned, empties dropped."""
    parts: list[str] = []
    _collect_text(element, parts)
    text = "".join(parts)
    if not text.isascii() and _has_invisible(text):
        text = text.translate(DROP_INVISIBLE)
    return [c for c in (" ".join(x.split()) for x in text.split("\n") if x and not x.isspace()) if c]


def _collect_text(el: HtmlElement, parts: list[str], root: bool = True) -> None:
    """Append the text of `el` (and its tail, unless it is the root) to `parts`, "\n" around blocks.

    Comments and processing instructions are skipped with their tails; SKIP_TAGS keep only their tails.
    """
    tag = el.tag
    if not isinstance(tag, str):
        return
    if tag not in SKIP_TAGS:
        block = tag in BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            _collect_text(child, parts, False)
        if block:
            parts.append("\n")
    if not root and el.tail:
        parts.append(el.tail)
