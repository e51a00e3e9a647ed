"""Text to one lxml tree: the only parse of a page."""
from __future__ import annotations

import re

import lxml.html
from lxml import etree

from .errors import NotHTMLError, ParseError

XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# surrogates and other code points XML/lxml refuse
INVALID_XML_CHARS = re.compile("[\ud800-\udfff\ufffe\uffff\x01-\x08\x0b\x0c\x0e-\x1f]")
MARKUP = re.compile(r"<\s*(html|head|body|p|div|article|meta|title|span|a|h[1-6]|br|section|main|table|ul)\b", re.I)

HTML_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False,
    no_network=True, huge_tree=False,
)


def parse(text: str, source: str | None = None) -> lxml.html.HtmlElement:
    """Parse HTML text into a tree rooted at <html>; NotHTMLError when nothing like HTML is there."""
    text = XML_DECLARATION.sub("", text, count=1)
    text = INVALID_XML_CHARS.sub("", text)
    if not MARKUP.search(text[:200_000]):
        raise NotHTMLError("not HTML: no HTML markup found", source)
    try:
        tree = lxml.html.document_fromstring(text, parser=HTML_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"HTML could not be parsed ({exc})", source) from exc
    if tree is None or len(tree) == 0:
        raise ParseError("HTML could not be parsed (empty tree)", source)
    return tree
