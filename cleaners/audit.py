"""Audit step: name what the extractor dropped inside the article region, so removed[] is complete."""

from __future__ import annotations

from lxml.html import HtmlElement

from .body import Candidate
from .context import Context
from .filters import line_rule_for
from .text import clean_text, element_chunks, fold, text_of

MATCH_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote")
MIN_FREE_CHUNK = 60  # a shorter chunk found inside a kept block may still be a separate line
MAX_MATCHES = 400  # kept blocks located when finding the article region
MAX_ELEMENTS = 5000  # block elements examined per page


def text_elements(tree: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """Block elements (paragraphs, headings, items, quotes) with their folded text, in page order."""
    out = []
    for n, el in enumerate(tree.iter(*MATCH_TAGS)):
        if n >= MAX_ELEMENTS:
            break
        folded = fold(text_of(el))
        if folded:
            out.append((el, folded))
    return out


def article_region(texts: list[tuple[HtmlElement, str]], cands: list[Candidate]) -> HtmlElement | None:
    """The lowest element holding every block the extractor kept (by exact text match)."""
    kept = {fold(c.text) for c in cands if c.block.type in ("paragraph", "heading") and len(c.text) > 20}
    if not kept:
        return None
    chains: list[list[HtmlElement]] = []
    for el, folded in texts:
        if len(chains) >= MAX_MATCHES:
            break
        if folded in kept:
            chains.append(list(reversed([el, *el.iterancestors()])))
    if not chains:
        return None
    region = None
    for level in zip(*chains):
        if all(x is level[0] for x in level):
            region = level[0]
        else:
            break
    return region


def audit_dropped(
    texts: list[tuple[HtmlElement, str]], cands: list[Candidate], ctx: Context, anchors: frozenset[str]
) -> None:
    """Record chunks of the article region the extractor left out, with the rule that explains them.

    `texts` is `text_elements(tree)` of the pruned tree.
    """
    region = article_region(texts, cands)
    if region is None:
        return
    blocks = {fold(c.text) for c in cands}
    extracted = "\n".join(blocks)
    for chunk in element_chunks(region):
        folded = fold(chunk)
        if not folded or folded in blocks:
            continue
        inside = folded in extracted  # part of a longer kept block
        if inside and len(folded) >= MIN_FREE_CHUNK:
            continue
        verdict = line_rule_for(chunk, ctx, anchors)
        if verdict is None and inside:
            continue
        kind, rule = verdict if verdict else ("other", "other:outside-main-content")
        if not ctx.options.removes(kind):
            continue
        if rule.startswith("author_box:bio"):
            ctx.bio_parts.append(clean_text(chunk))
        ctx.record(kind, rule, chunk)
