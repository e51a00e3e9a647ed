"""Explain a cleaning: every block in page order, kept or removed, with its kind and rule; text and HTML reports."""

from __future__ import annotations

import html as htmllib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .article import Article, Block, Removal
from .context import MAX_REMOVAL_CHARS
from .decode import decode
from .extract import Result, clean
from .options import DEFAULT_OPTIONS, KINDS, Options
from .parse import parse
from .text import element_chunks, fold

TEXT_WIDTH = 110  # characters of a block shown per line in the text report
RULE_WIDTH = 34
#: background colour of each removed kind in the HTML report (legend and struck-through blocks)
KIND_COLOURS = {
    "author_box": "#fde2b8",
    "promo": "#ffc9c9",
    "ad_marker": "#f5b3e6",
    "newsletter": "#d0bfff",
    "consent": "#c5d8ff",
    "caption": "#b9ecf7",
    "comments": "#c3f0c8",
    "legal": "#e9ecb0",
    "metadata": "#dee2e6",
    "widget": "#ffd8a8",
    "social": "#a5d8ff",
    "template": "#e599f7",
    "site": "#ffa8a8",
    "other": "#ced4da",
}


@dataclass
class Entry:
    """One block of the page: kept (a body block) or removed (with the kind and rule that took it)."""

    text: str
    kept: bool
    type: str  # heading, paragraph, list, quote, table, code; "element" for pruned elements
    kind: str | None = None
    rule: str | None = None
    level: int | None = None
    position: float = 0.0  # offset of the text in the page, for ordering
    label: str = ""  # what a block without text shows (a figure's image, an embed's URL)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": "kept" if self.kept else "removed",
            "type": self.type,
            "kind": self.kind,
            "rule": self.rule,
            "text": self.text,
        }


@dataclass
class Explanation:
    """Every entry of one page in page order, with the article (None when the page is not an article)."""

    entries: list[Entry]
    article: Article | None
    title: str | None = None
    url: str | None = None
    not_article_reason: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    removed: list[Removal] = field(default_factory=list)  # every removal recorded, as in removed[]

    @property
    def removed_counts(self) -> Counter[str]:
        return Counter(e.kind or "other" for e in self.entries if not e.kept)


class PageText:
    """The page's text chunks in document order, for locating a block's or removal's text."""

    def __init__(self, chunks: list[str]) -> None:
        self.lines = "\n" + "\n".join(fold(c) for c in chunks) + "\n"
        self.flat = self.lines.replace("\n", " ")  # same offsets, chunk boundaries as spaces
        self.claimed: set[int] = set()

    def locate(self, text: str, start: int = 0) -> int | None:
        """Offset of the first unclaimed occurrence at or after start (whole chunk preferred), claimed."""
        needle = fold(text).removesuffix("…").strip()
        if not needle:
            return None
        for haystack, probe, shift in ((self.lines, f"\n{needle}\n", 1), (self.flat, needle, 0)):
            found = self._find(haystack, probe, start)
            if found is not None:
                self.claimed.add(found + shift)
                return found + shift
        return None

    def _find(self, haystack: str, probe: str, begin: int) -> int | None:
        at = haystack.find(probe, begin)
        while at != -1:
            if at + (1 if probe.startswith("\n") else 0) not in self.claimed:
                return at
            at = haystack.find(probe, at + 1)
        return None


def explain(
    html: bytes | str, url: str | None = None, options: Options = DEFAULT_OPTIONS, *, http_charset: str | None = None
) -> Explanation:
    """Clean a page and list every block in page order; raises the `cleaners.errors` exceptions as extract does."""
    result = clean(html, url, options, http_charset=http_charset)
    tree = parse(decode(html, http_charset, url or "<input>"), url or "<input>")
    body = tree.find("body")
    page = PageText(element_chunks(body if body is not None else tree))
    entries = _ordered(result, page)
    meta = result.meta
    return Explanation(
        entries, result.article, meta.title, url, result.not_article_reason, _meta_summary(result), result.ctx.removed
    )


def _label(block: Block) -> str:
    """What a block without text (a figure, an embed) shows in the report."""
    if block.type == "figure":
        return " ".join(filter(None, [f"[image {block.src}]", block.caption, block.credit]))
    if block.type == "embed":
        return f"[{block.provider} {block.url}]"
    return ""


def _ordered(result: Result, page: PageText) -> list[Entry]:
    """Candidates and removals merged in page order (removals matched to the candidates they removed)."""
    unmatched = list(result.ctx.removed)
    entries: list[Entry] = []
    cursor = 0.0
    for cand in result.candidates:
        entry = Entry(cand.text, not cand.removed, cand.block.type, level=cand.block.level, label=_label(cand.block))
        if cand.removed:
            removal = _take(unmatched, cand.text)
            entry.kind, entry.rule = (removal.kind, removal.rule) if removal else ("other", "unknown")
        found = page.locate(cand.text, int(cursor)) if cand.text else None
        entry.position = cursor = float(found) if found is not None else cursor + 0.001  # extractor order kept
        entries.append(entry)
    last = 0.0
    for removal in unmatched:
        found = page.locate(removal.text)
        last = float(found) if found is not None else last + 0.001
        entries.append(Entry(removal.text, False, "element", removal.kind, removal.rule, position=last))
    return sorted(entries, key=lambda e: e.position)


def _take(removals: list[Removal], text: str) -> Removal | None:
    cut = text if len(text) <= MAX_REMOVAL_CHARS else text[: MAX_REMOVAL_CHARS - 1] + "…"
    for i, removal in enumerate(removals):
        if removal.text == cut:
            return removals.pop(i)
    return None


def _meta_summary(result: Result) -> dict[str, Any]:
    meta, article = result.meta, result.article
    return {
        "url": result.ctx.url,
        "title": meta.title,
        "authors": ", ".join(meta.authors) or None,
        "date_published": meta.date_published,
        "language": meta.language,
        "site_name": meta.site_name,
        "description": meta.description,
        "author_bio": article.author_bio if article else None,
        "word_count": article.word_count if article else None,
        "body": _body_source(meta.provenance.get("body")),
    }


def _body_source(body: dict[str, Any] | None) -> str | None:
    """The guard's verdict (provenance.body) when it looked twice: "trafilatura_fallback (reason)"."""
    if not body or body.get("raw") in (None, "ok"):
        return None
    return f"{body['source']} ({body['raw']})"


def explain_text(
    text: str, url: str | None = None, options: Options = DEFAULT_OPTIONS, titles: tuple[str, ...] | list[str] = ()
) -> Explanation:
    """The same listing for plain-text input (cleaners.textinput)."""
    from .textinput import analyse, extract_text

    title, units, ctx = analyse(text, url, options, titles)
    entries = [
        Entry(u.text, not u.removed, u.type, u.kind, u.rule, level=2 if u.type == "heading" else None) for u in units
    ]
    article = extract_text(text, url, options, titles)
    meta = {
        "url": url,
        "title": title,
        "authors": ", ".join(ctx.author_names) or None,
        "author_bio": article.author_bio if article else None,
        "word_count": article.word_count if article else None,
    }
    return Explanation(entries, article, title, url, None if article else "no body text left", meta, ctx.removed)


def render_text(expl: Explanation, full: bool = False) -> str:
    """One line per block: number, KEEP/DROP, block type or kind, rule id, text."""
    lines = [f"title: {expl.title or '-'}"]
    if expl.meta.get("authors"):
        lines.append(f"authors: {expl.meta['authors']}")
    if expl.not_article_reason:
        lines.append(f"not an article: {expl.not_article_reason}")
    if expl.meta.get("body"):
        lines.append(f"body: {expl.meta['body']}")
    for n, entry in enumerate(expl.entries, 1):
        label = entry.type if entry.kept else entry.kind
        text = (entry.text or entry.label).replace("\n", " / ")
        if not full and len(text) > TEXT_WIDTH:
            text = text[: TEXT_WIDTH - 1] + "…"
        lines.append(f"{n:>4} {'KEEP' if entry.kept else 'DROP'} {label:<11} {(entry.rule or ''):<{RULE_WIDTH}} {text}")
    lines.append(summary(expl))
    return "\n".join(lines) + "\n"


def summary(expl: Explanation) -> str:
    kept = sum(1 for e in expl.entries if e.kept)
    counts = expl.removed_counts
    kinds = ", ".join(f"{k} {counts[k]}" for k in KINDS if counts[k])
    return f"kept {kept} blocks; removed {sum(counts.values())}" + (f": {kinds}" if kinds else "")


CSS = """
body{font:16px/1.5 Georgia,serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#212529}
h1{font-size:1.6rem;line-height:1.25}table.meta{border-collapse:collapse;font:13px/1.4 sans-serif;margin:1rem 0}
table.meta th{text-align:left;padding:2px 10px 2px 0;color:#495057;vertical-align:top}
.legend{font:13px/1.6 sans-serif;margin:1rem 0 2rem}.legend span{display:inline-block;padding:0 8px;margin:2px;border-radius:3px}
.removed{margin:.4rem 0;padding:2px 6px;border-radius:3px;font-size:.9rem}
.removed del{color:#495057}.tag{font:11px sans-serif;color:#343a40;margin-left:8px;white-space:nowrap}
.note{font:13px sans-serif;color:#c92a2a}
"""


def render_html(expl: Explanation) -> str:
    """A standalone HTML page: inline CSS only, no scripts, no external resources."""
    esc = htmllib.escape
    kind_css = "".join(f".k-{k}{{background:{c}}}" for k, c in KIND_COLOURS.items())
    parts = [
        "<!doctype html>",
        f'<html lang="{esc(expl.meta.get("language") or "en")}"><head><meta charset="utf-8">',
        f"<title>cleanwire explain: {esc(expl.title or 'untitled')}</title>",
        f"<style>{CSS}{kind_css}</style></head><body>",
        f"<h1>{esc(expl.title or 'untitled')}</h1>",
        _meta_table(expl),
        _legend(expl),
    ]
    if expl.not_article_reason:
        parts.append(f'<p class="note">not an article: {esc(expl.not_article_reason)}</p>')
    parts.append("<main>")
    parts.extend(_entry_html(e) for e in expl.entries)
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _meta_table(expl: Explanation) -> str:
    rows = "".join(
        f"<tr><th>{htmllib.escape(k)}</th><td>{htmllib.escape(str(v))}</td></tr>"
        for k, v in expl.meta.items()
        if v not in (None, "")
    )
    return f'<table class="meta">{rows}</table>'


def _legend(expl: Explanation) -> str:
    counts = expl.removed_counts
    kept = sum(1 for e in expl.entries if e.kept)
    items = "".join(f'<span class="k-{k}">{k} {counts[k]}</span>' for k in KINDS if counts[k])
    return f'<div class="legend"><strong>kept {kept}</strong> · removed {sum(counts.values())}: {items}</div>'


def _entry_html(entry: Entry) -> str:
    esc = htmllib.escape
    if not entry.kept:
        kind = entry.kind if entry.kind in KIND_COLOURS else "other"
        return (
            f'<div class="removed k-{kind}"><del>{esc(entry.text)}</del>'
            f'<span class="tag">{esc(entry.kind or "")} · {esc(entry.rule or "")}</span></div>'
        )
    if entry.type == "heading":
        level = min(max(entry.level or 2, 2), 6)
        return f"<h{level}>{esc(entry.text)}</h{level}>"
    if entry.type == "list":
        return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in entry.text.split("\n")) + "</ul>"
    if entry.type == "quote":
        return f"<blockquote>{esc(entry.text)}</blockquote>"
    if entry.type in ("code", "table"):
        return f"<pre>{esc(entry.text)}</pre>"
    if entry.type in ("figure", "embed"):
        return f'<p class="structure">{esc(entry.label)}</p>'
    return f"<p>{esc(entry.text)}</p>"
