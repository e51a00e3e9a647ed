"""Figure and class-name helpers shared by the media and prune steps (prune.py) and the structure step: a figure's
image URL, caption and credit, whether it is a link card, whether an element of the tree is still attached."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin

from lxml.html import HtmlElement

from .body import same_site
from .context import Context
from .rules.elements import CAPTION_COMPOUNDS, CREDIT_COMPOUNDS
from .text import clean_text

PART_SPLIT = re.compile(r"[_\-:.\[\]/]+|(?<=[a-z0-9])(?=[A-Z])")
LINK_CARD_SHARE = 0.8  # a figure whose text is mostly one link is a link card
MAX_FIGURE_TEXT = 400  # a figure with more text than this is content (an embed), not an image
CREDIT_TEXT = re.compile(
    r"(?:^|\s|\()((?:photo|foto|bild|image|picture|credit|crédit|crédito|fotó|zdjęcie|kuva|illustration|grafik)s?\s*:\s*.+"
    r"|(?:fot|phot)\.\s+\S.*"  # abbreviated: "Fot. Tomasz Nowicki" (pl), "Phot. ..." (fr)
    r"|©.+|\(?(?:ap|afp|reuters|getty images|dpa|epa|imago|shutterstock|istock)(?: photo)?(?:/[^)]*)?\)?)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def attr_suffixes(attr: str) -> str:
    """The part-suffixes of a class/id string, each after a NUL, for compound matching (`has_class`).

    A compound must start where a part of a class name starts ("authorbox" in `tdb-author-box`,
    `authorBox`), never inside one ("outstream" is not in `stream-layout-stream`).
    """
    suffixes: list[str] = []
    for word in attr.split():
        parts = [p.lower() for p in PART_SPLIT.split(word) if p]
        suffixes.extend("".join(parts[i:]) for i in range(len(parts)))
    return "\0" + "\0".join(suffixes)


def is_attached(el: HtmlElement, root: HtmlElement) -> bool:
    """Whether the element is still in the tree under `root` (an earlier step may have removed an ancestor)."""
    while el is not None:
        if el is root:
            return True
        el = el.getparent()
    return False


def image_url(figure: HtmlElement) -> str | None:
    """The figure's first image source (lazy-loading attributes too, the first srcset entry), never a data: URL."""
    for img in figure.iter("img", "source"):
        for attr in ("src", "data-src", "data-lazy-src", "data-original", "srcset", "data-srcset"):
            value = (img.get(attr) or "").strip()
            if value and not value.startswith("data:"):
                return value.split(",")[0].split()[0]
    return None


@lru_cache(maxsize=16384)
def _attr_has(attr: str, compounds: tuple[str, ...]) -> bool:
    joined = attr_suffixes(attr)
    return any("\0" + c in joined for c in compounds)


def has_class(el: HtmlElement, compounds: tuple[str, ...]) -> bool:
    """Whether a part of the element's class or id starts one of the compounds ("caption" in `article-caption`)."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return False
    return _attr_has((cls or "") + " " + (ident or ""), compounds)


def split_credit(figure: HtmlElement) -> tuple[str | None, str | None]:
    """(caption, credit) of a figure: credit from a credit element or a trailing credit phrase."""
    credit = None
    for el in figure.iter():
        if isinstance(el.tag, str) and el is not figure and has_class(el, CREDIT_COMPOUNDS):
            credit = clean_text(el.text_content()) or None
            break
    captions = [c for c in figure.iter("figcaption")] or [
        el for el in figure.iter() if isinstance(el.tag, str) and has_class(el, CAPTION_COMPOUNDS)
    ]
    caption = clean_text(" ".join(c.text_content() for c in captions[:1])) or None
    if caption and credit and caption.endswith(credit):
        caption = caption[: -len(credit)].strip() or None
    if caption and not credit:
        match = CREDIT_TEXT.search(caption)
        if match:
            credit = match.group(1).strip(" ()")
            caption = caption[: match.start(1)].strip(" (") or None
    return caption, credit


def is_link_card(el: HtmlElement, text: str, ctx: Context) -> bool:
    """A figure that is one link to another page (a bookmark or teaser card), not an image of the article."""
    for a in el.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        linked = len(clean_text(a.text_content()))
        target = urljoin(ctx.url, href) if ctx.url else href
        if linked >= LINK_CARD_SHARE * len(text) and (same_site(target, ctx.url) or not ctx.url):
            return True
    return False
