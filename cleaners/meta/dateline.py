"""The dateline: a publication date printed next to the headline, read to check the structured date against."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from ..text import clean_text
from .dates import not_after, parse_date
from .sources import near_headline

HEADLINE_WINDOW = 8  # elements after the <h1> (and its wrapper) looked at for a dateline
MAX_DATELINE_CHARS = 80  # a longer text is a paragraph that mentions a date, not a dateline
# class/id fragments of elements that hold the publication date
DATE_CLASS = re.compile(r"date|time|publish|posted|datum|fecha|data|dateline", re.IGNORECASE)
# a date the page labels as an update, not the publication
UPDATED = re.compile(
    r"updat|modif|aktualisiert|geändert|mis à jour|mise à jour|actualiz|aggiorn|bijgewerkt|"
    r"oppdatert|uppdaterad|opdateret|zaktualizowano|обновлено",
    re.IGNORECASE,
)
# labels before the date: "Published", "Veröffentlicht am", "Publié le", "Publicado el", "Posted on"
LABEL = re.compile(
    r"^(?:published|posted|veröffentlicht|publié|publicado|pubblicato|gepubliceerd|publisert|"
    r"publicerad|opublikowano|date|datum|fecha|data)(?:\s+(?:on|am|le|el|il|op|den|the))?\s*:?\s*",
    re.IGNORECASE,
)
DOTTED = re.compile(
    r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:,?\s+(?:um\s+)?(\d{1,2})[:.](\d{2})(?:\s*uhr)?)?$", re.IGNORECASE
)


def _value(el: HtmlElement) -> tuple[str, str] | None:
    """(ISO date, raw) of one element that is a dateline, or None."""
    inner = next((t for t in el.iter("time") if t.get("datetime")), None)
    if inner is not None:
        raw = (inner.get("datetime") or "").strip()
        found = parse_date(raw)
        return (found, raw) if found else None
    text = clean_text(el.text_content())
    if not text or len(text) > MAX_DATELINE_CHARS:
        return None
    raw = LABEL.sub("", text)
    value = parse_date(raw)
    if value is None and (m := DOTTED.match(raw)):
        d, mo, y, h, mi = m.groups()
        value = parse_date(f"{y}-{int(mo):02d}-{int(d):02d}" + (f"T{int(h):02d}:{mi}" if h else ""))
    return (value, text) if value else None


def visible_date(tree: HtmlElement, fetched_at: str | None, headline: str | None) -> tuple[str, str] | None:
    """(ISO date, raw) of the publication date printed beside the headline (the <h1> whose text is `headline`):
    a <time> element or an element classed as a date, not labelled as an update, not after the fetch."""
    if not headline:
        return None
    for el in near_headline(tree, HEADLINE_WINDOW, headline):
        labelled = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("itemprop"))))
        if el.tag != "time" and not DATE_CLASS.search(labelled):
            continue
        context = labelled + " " + clean_text(el.text_content())[:MAX_DATELINE_CHARS]
        parent = el.getparent()
        if parent is not None and el.tag == "time":
            context += " " + clean_text(parent.text_content())[:MAX_DATELINE_CHARS]
        if UPDATED.search(context):
            continue
        found = _value(el)
        if found and not_after(found[0], fetched_at):
            return found
    return None
