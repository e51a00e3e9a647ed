"""Tree step: teaser cards (a link to another article wrapping a headline or a summary paragraph) dropped."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from .body import same_site
from .context import Context
from .prune import record_chunks, remove_keeping_tail
from .text import clean_text, element_chunks

RULE = "promo:link-card"
# a link holding a paragraph or a heading: article text is never inside a link, a teaser card is
CARD_LINKS = etree.XPath("//body//a[@href][.//p or .//h1 or .//h2 or .//h3 or .//h4 or .//h5 or .//h6]")
CARD_BLOCKS = etree.XPath(".//p|.//h1|.//h2|.//h3|.//h4|.//h5|.//h6")
MAX_CARD_CHARS = 1500  # a longer "card" is a link the page forgot to close, swallowing the body
MAX_CARD_BLOCKS = 6  # ... as is one holding more paragraphs and headings than this


def _is_other_article(href: str, ctx: Context) -> bool:
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")) or not ctx.url:
        return False
    target = urljoin(ctx.url, href)
    path = urlsplit(target).path.rstrip("/")
    if not path:
        return False  # the home page: a logo or site-name heading, not a teaser
    return same_site(target, ctx.url) and path != urlsplit(ctx.url).path.rstrip("/")  # this page, whatever its query


def drop_link_cards(tree: HtmlElement, ctx: Context) -> None:
    """Remove links to another page of the site that wrap a headline or paragraph (teaser cards), recorded as promos."""
    if not ctx.enabled(RULE, "promo"):
        return
    for a in CARD_LINKS(tree):
        if a.getparent() is None or not _is_other_article(a.get("href") or "", ctx):
            continue
        if len(CARD_BLOCKS(a)) > MAX_CARD_BLOCKS or len(clean_text(a.text_content())) > MAX_CARD_CHARS:
            continue
        if any(k is a or any(p is a for p in k.iterancestors()) for k in ctx.kept):
            continue  # a site override keeps it (or something inside it)
        record_chunks(element_chunks(a), "promo", RULE, ctx)
        remove_keeping_tail(a)
