"""Text to one lxml tree: the only parse of a page."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from .errors import NotHTMLError, ParseError, TooLargeError

XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# surrogates and other code points XML/lxml refuse
INVALID_XML_CHARS = re.compile("[\ud800-\udfff\ufffe\uffff\x01-\x08\x0b\x0c\x0e-\x1f]")
#: the code points of INVALID_XML_CHARS but the surrogates, looked for one by one (much faster than the regex)
INVALID_SINGLE_CHARS = tuple("\ufffe\uffff" + "".join(map(chr, [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])))
MARKUP = re.compile(r"<\s*(html|head|body|p|div|article|meta|title|span|a|h[1-6]|br|section|main|table|ul)\b", re.I)

MAX_ELEMENTS = 100_000  # more elements are refused: real pages hold under 5,000; cleaning costs ~60 ms per 1,000
COUNT_ELEMENTS = etree.XPath("count(//*)")  # compiled once (tree.xpath(...) compiles it per call)
MAX_DEPTH = 255  # libxml2 stops parsing deeper than this without huge_tree (kept off: bounded memory)


def _html_class_lookup() -> etree.ElementNamespaceClassLookup:
    """lxml.html's element classes (HtmlElement, FormElement, ...) chosen in C by tag name.

    lxml.html's own lookup is a Python method called for every element proxy the cleaner and
    trafilatura create (thousands per page); this one gives the same classes without the call.
    """
    lookup = etree.ElementNamespaceClassLookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    classes = lookup.get_namespace(None)
    for tag, cls in lxml.html.HtmlElementClassLookup._default_element_classes.items():
        classes[tag] = cls
    return lookup


HTML_PARSER = etree.HTMLParser(
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
    default_doctype=False,
    no_network=True,
    huge_tree=False,
    encoding="utf-8",  # fed UTF-8 bytes: faster than a str, same tree
)
HTML_PARSER.set_element_class_lookup(_html_class_lookup())


def parse(text: str, source: str | None = None) -> lxml.html.HtmlElement:
    """Parse HTML text into a tree rooted at <html>; NotHTMLError when nothing like HTML is there."""
    text = XML_DECLARATION.sub("", text, count=1)
    data = _xml_bytes(text)
    if data is None:
        text = INVALID_XML_CHARS.sub("", text)
        data = text.encode("utf-8")
    if not MARKUP.search(text, 0, 200_000):  # (the first 200,000 characters, without slicing a copy)
        raise NotHTMLError("not HTML: no HTML markup found", source)
    try:
        tree = lxml.html.document_fromstring(data, parser=HTML_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"HTML could not be parsed ({exc})", source) from exc
    _check_limits(HTML_PARSER.error_log, source)
    if tree is None or len(tree) == 0:
        raise ParseError("HTML could not be parsed (empty tree)", source)
    _check_elements(tree, source)
    return tree


def _xml_bytes(text: str) -> bytes | None:
    """The text in UTF-8, or None when it holds characters XML refuses (INVALID_XML_CHARS).

    Checks what the regex would find without running it over the whole page: a surrogate
    fails the encoding, the other characters are looked for one by one.
    """
    if any(char in text for char in INVALID_SINGLE_CHARS):
        return None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _check_limits(log: etree._ListErrorLog, source: str | None) -> None:
    """Raise TooLargeError when libxml2 stopped at one of its limits (the rest of the page is lost)."""
    for entry in log:
        if entry.type_name != "ERR_RESOURCE_LIMIT":
            continue
        if "depth" in entry.message.lower():
            raise TooLargeError(f"HTML nested deeper than {MAX_DEPTH} levels", source)
        raise TooLargeError(f"HTML over a parser limit ({entry.message.strip()})", source)


def _check_elements(tree: lxml.html.HtmlElement, source: str | None) -> None:
    """Raise TooLargeError for a tree of more than MAX_ELEMENTS elements."""
    if COUNT_ELEMENTS(tree) > MAX_ELEMENTS:  # counted in C: ~3x faster than iterating in Python
        raise TooLargeError(f"HTML has more than {MAX_ELEMENTS:,} elements", source)
