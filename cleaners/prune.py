"""Element step: take boilerplate elements out of the parsed tree by rule, before extraction."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from .article import Media
from .context import MAX_CHUNKS_PER_ELEMENT, Context
from .figures import (
    MAX_FIGURE_TEXT,
    PART_SPLIT,
    has_class,
    image_url,
    is_attached,
    is_link_card,
    split_credit,
)
from .filters import text_rule_for
from .rules.elements import (
    CAPTION_COMPOUNDS,
    ELEMENT_RULES,
    NEVER_PRUNED_TAGS,
    ElementRule,
)
from .text import clean_text, element_chunks, fold, text_of

#: class words that describe a state of the element, not what it is ("comments-enabled", "has-sidebar")
STATE_WORD = re.compile(
    r"^(has|is|no|with)[-_]|[-_](enabled|disabled|open|closed|active|inactive|allowed|count|counter|visible|hidden"
    r"|backref)$"
)  # "toc-backref": a heading's link back to the contents, not the contents
SLUG_LETTERS = re.compile(r"[^a-z0-9]+")
MIN_SLUG_LETTERS = 12  # a shorter id may be a component name ("share-box") that a heading happens to start with
MIN_SLUG_WORDS = 4  # ... as may one of fewer words ("related-articles" under "Related articles")
SLUG_PARTS = re.compile(r"[-_]+")
COMPOUND_HEAD = 3  # letters of a compound checked before the full compound regex runs
STRUCTURAL_TAGS = frozenset(t for r in ELEMENT_RULES for t in r.tags)
MAIN_SHARE = 0.35  # an element holding this share of the page's paragraph text is the article
MAIN_MIN_CHARS = 400  # ... when that is at least this many characters
CODE_TAGS = ("script", "style", "template", "svg", "annotation")  # never text of the article (svg: icons, many
# elements; annotation: MathML's TeX source of a formula, "{\\displaystyle ...}", never shown)
PHRASE_CHUNK_CHARS = 120  # longer chunks of a removed element are not checked against phrase rules
#: a cheap superset of the class/id strings that may hold a caption compound (checked by has_class)
CAPTION_HINT = re.compile(r"aption|APTION|egende|EGENDE|nterschrift|NTERSCHRIFT|mage")


@lru_cache(maxsize=4)
def _attr_matchers(
    mode: str,
) -> tuple[tuple[ElementRule, ...], dict[str, int], dict[str, tuple[tuple[str, int], ...]], tuple[int, ...]]:
    """For one mode: its rules, token -> first rule index, compounds by their first letters, and those lengths.

    The compounds are keyed by their first COMPOUND_HEAD letters (shorter ones by themselves),
    each list in rule order, so a class-name part is looked up instead of tried against them all.
    """
    rules = tuple(r for r in ELEMENT_RULES if mode in r.modes)
    tokens: dict[str, int] = {}
    by_head: dict[str, list[tuple[str, int]]] = {}
    for i, rule in enumerate(rules):
        for token in rule.tokens:
            tokens.setdefault(token, i)
        for compound in rule.compounds:
            by_head.setdefault(compound[:COMPOUND_HEAD], []).append((compound, i))
    lengths = tuple(sorted({len(head) for head in by_head}))
    return rules, tokens, {head: tuple(found) for head, found in by_head.items()}, lengths


@lru_cache(maxsize=1)
def _compound_heads() -> frozenset[str]:
    """First letters of every compound: a class-name part must start so for a compound to start there."""
    return frozenset(c[:COMPOUND_HEAD] for r in ELEMENT_RULES for c in r.compounds)


#: the separators of PART_SPLIT other than '-' and '_' (which split a word into tokens)
OTHER_SEPARATORS = re.compile(r"[:.\[\]/]")


@lru_cache(maxsize=65536)
def _word_rule_index(word: str, mode: str) -> int:
    """Index (in the mode's rules) of the first rule one class/id word matches; len(rules) for none.

    Tokens match whole '-'/'_' separated pieces; a compound must start where a part of the
    word starts ("authorbox" in `tdb-author-box` and `authorBox`, not in `coauthorbox`).
    """
    rules, by_token, by_head, head_lengths = _attr_matchers(mode)
    lowered = word.lower()
    if STATE_WORD.search(lowered):
        return len(rules)
    heads = _compound_heads()
    best = len(rules)
    if lowered == word and OTHER_SEPARATORS.search(word) is None:
        # no capital (so no camelCase boundary) and no other separator: the parts are the tokens
        parts = word.replace("_", "-").split("-") if "-" in word or "_" in word else [word]
        headed = False
        for part in parts:
            index = by_token.get(part)
            if index is not None and index < best:
                best = index
            if not headed and part[:COMPOUND_HEAD] in heads:
                headed = True
        if not headed:
            return best
        parts = [p for p in parts if p]
    else:
        # tokens are the pieces between '-' and '_' (a word holds no whitespace)
        for token in lowered.replace("_", "-").split("-"):
            index = by_token.get(token)
            if index is not None and index < best:
                best = index
        parts = [p for p in PART_SPLIT.split(word) if p]
        if not any(p[:COMPOUND_HEAD].lower() in heads for p in parts):
            return best
        parts = [p.lower() for p in parts]
    for n in range(len(parts)):
        suffix = "".join(parts[n:])
        for length in head_lengths:
            for compound, index in by_head.get(suffix[:length], ()):
                if index >= best:
                    break
                if suffix.startswith(compound):
                    best = index
                    break
    return best


def remove_keeping_tail(el: HtmlElement) -> None:
    """Drop an element but keep its tail text in the tree."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _paragraph_map(root: HtmlElement) -> dict[HtmlElement, int]:
    """Characters of <p> text inside each element, computed once per page."""
    chars: dict[HtmlElement, int] = {}
    for p in root.iter("p"):
        n = len(text_of(p))
        chars[p] = chars.get(p, 0) + n
        for a in p.iterancestors():
            chars[a] = chars.get(a, 0) + n
    return chars


def _forget(el: HtmlElement, chars: dict[HtmlElement, int]) -> None:
    """Take a removed element's paragraph text out of its ancestors' counts."""
    n = chars.get(el, 0)
    if n:
        for a in el.iterancestors():
            chars[a] = chars.get(a, 0) - n


def _protected(el: HtmlElement, page_chars: int, ctx: Context, inner: int) -> bool:
    """An element that holds the article (or text of its JSON-LD articleBody) is never pruned."""
    if inner >= MAIN_MIN_CHARS and inner >= MAIN_SHARE * page_chars:
        return True
    if ctx.article_body:
        text = fold(el.text_content())
        if len(text) >= 80 and text in ctx.article_body:
            return True
    return False


@dataclass
class PageScan:
    """One pass over the page body: elements an element rule matches, and possible caption elements."""

    ruled: list[tuple[HtmlElement, ElementRule]] = field(default_factory=list)
    hinted: list[HtmlElement] = field(default_factory=list)
    elements: list[HtmlElement] = field(default_factory=list)  # every body element, as parsed


def scan_page(tree: HtmlElement, mode: str) -> PageScan:
    """Classify every body element once, in document order, for the media and prune steps."""
    body = tree.find("body")
    root = body if body is not None else tree
    scan = PageScan()
    scan.elements = list(root.iter(etree.Element))  # elements only (no comments), listed in C
    for el in scan.elements:
        cls, ident, role = el.get("class"), el.get("id"), el.get("role")
        if not (cls or ident or role or el.tag in STRUCTURAL_TAGS):
            continue
        hinted, rule = _classify(el.tag, role, cls, ident, mode)
        if rule is not None and ident and _names_its_heading(el, ident):
            rule = _classify(el.tag, role, cls, None, mode)[1]  # the id is the section's anchor, not its kind
        if hinted:
            scan.hinted.append(el)
        if rule is not None:
            scan.ruled.append((el, rule))
    return scan


def _names_its_heading(el: HtmlElement, ident: str) -> bool:
    """An id that is the slug of the element's first heading ("sharing-with-a-single-developer" on the
    section under "Sharing with a single developer"): it anchors a section, it does not say what the element is."""
    wanted = SLUG_LETTERS.sub("", ident.lower()).rstrip("0123456789")
    if len(wanted) < MIN_SLUG_LETTERS or len(SLUG_PARTS.split(ident)) < MIN_SLUG_WORDS:
        return False
    heading = next(el.iter("h1", "h2", "h3", "h4", "h5", "h6"), None)
    if heading is None:
        return False
    text = heading.text_content()
    letters = SLUG_LETTERS.sub("", text.lower())
    if not letters or not letters.startswith(wanted):  # the slug may be cut short, never longer
        return False
    return text_rule_for(text) is None  # "You may also like" on id="you-may-also-like" is a widget all the same


@lru_cache(maxsize=16384)
def _classify(
    tag: str, role: str | None, cls: str | None, ident: str | None, mode: str
) -> tuple[bool, ElementRule | None]:
    """(may be a caption, element rule) of one tag+attributes combination (pages repeat them).

    The rule is the first whose tag or ARIA role matches, else the first a class/id word matches
    (words are looked up one by one, cached: sites repeat them across elements and pages).
    """
    hinted = bool(cls or ident) and CAPTION_HINT.search((cls or "") + (ident or "")) is not None
    if tag in NEVER_PRUNED_TAGS:
        return hinted, None
    if tag in STRUCTURAL_TAGS or role:
        role = (role or "").lower()
        for rule in ELEMENT_RULES:
            if mode in rule.modes and (tag in rule.tags or (role and role in rule.roles)):
                return hinted, rule
    rules = _attr_matchers(mode)[0]
    best = len(rules)
    for attr in (cls, ident):
        if attr:
            for word in attr.split():
                best = min(best, _word_rule_index(word, mode))
    return hinted, (rules[best] if best < len(rules) else None)


def collect_media(tree: HtmlElement, ctx: Context, scan: PageScan | None = None) -> None:
    """Move figures (image, caption, credit) out of the tree into ctx.media, recording captions."""
    for figure in list(tree.iter("figure")):
        if not is_attached(figure, tree):
            continue
        url = image_url(figure)
        text = clean_text(figure.text_content())
        if text and is_link_card(figure, text, ctx):
            if ctx.enabled("promo:link-card", "promo"):
                record_chunks(element_chunks(figure), "promo", "promo:link-card", ctx)
                remove_keeping_tail(figure)
            continue
        if len(text) > MAX_FIGURE_TEXT or (url is None and text):
            continue  # an embed or a quote the article shows, not an image
        caption, credit = split_credit(figure)
        ctx.media.append(Media(url, caption, credit))
        if ctx.enabled("caption:figure", "caption"):
            ctx.record("caption", "caption:figure", [t for t in (caption, credit) if t])
            remove_keeping_tail(figure)
    skipped = NEVER_PRUNED_TAGS - {"p"}
    scan = scan_page(tree, ctx.options.mode) if scan is None else scan
    for el in [e for e in scan.hinted if has_class(e, CAPTION_COMPOUNDS)]:
        if el.tag in skipped or not is_attached(el, tree):
            continue
        if len(clean_text(el.text_content())) <= MAX_FIGURE_TEXT:
            caption, credit = split_credit(el) if el.tag != "p" else (clean_text(el.text_content()), None)
            if not (caption or credit) or not ctx.enabled("caption:element", "caption"):
                continue
            ctx.media.append(Media(image_url(el), caption, credit))
            ctx.record("caption", "caption:element", [t for t in (caption, credit) if t])
            remove_keeping_tail(el)


def prune(tree: HtmlElement, ctx: Context, scan: PageScan | None = None) -> None:
    """Remove elements matched by the element rules, recording each removed text chunk.

    `scan` is `scan_page(tree, mode)` taken before an earlier step removed some elements.
    """
    body = tree.find("body")
    root = body if body is not None else tree
    mode = ctx.options.mode
    chars = _paragraph_map(root)
    page_chars = chars.get(root, 0)
    scan = scan_page(tree, mode) if scan is None else scan
    candidates = [(el, rule) for el, rule in scan.ruled if is_attached(el, root)]
    removed: list[tuple[int, list[str], ElementRule, bool]] = []
    for n in range(len(candidates) - 1, -1, -1):  # innermost first: a nested box keeps its own kind
        el, rule = candidates[n]
        if not ctx.enabled(rule.id, rule.kind) or el.getparent() is None:
            continue  # (innermost first: no ancestor of `el` has been removed yet)
        if _protected(el, page_chars, ctx, chars.get(el, 0)) or _touches_kept(el, ctx.kept):
            continue
        menu = el.tag == "nav" or (el.get("role") or "").lower() == "navigation"
        removed.append((n, element_chunks(el), rule, not menu))
        _forget(el, chars)
        remove_keeping_tail(el)
    for _, chunks, rule, refine in sorted(removed, key=lambda x: x[0]):  # recorded in page order
        if rule.kind == "author_box":
            ctx.bio_parts.extend(c for c in chunks if _is_bio(c, ctx))
        record_chunks(chunks, rule.kind, rule.id, ctx, refine)


def record_chunks(chunks: list[str], kind: str, rule_id: str, ctx: Context, refine: bool = True) -> None:
    """Record an element's chunks under its rule, or under a phrase rule naming a chunk more precisely.

    `refine=False` (menus) skips the phrase rules: menu items are recorded under the element's rule.
    """
    for chunk in chunks[:MAX_CHUNKS_PER_ELEMENT]:
        verdict = text_rule_for(chunk, searching=False) if refine and len(chunk) <= PHRASE_CHUNK_CHARS else None
        ctx.record(*(verdict or (kind, rule_id)), chunk)


def _touches_kept(el: HtmlElement, kept: list[HtmlElement]) -> bool:
    """Whether the element is, holds, or sits inside an element a site override keeps."""
    if not kept:
        return False
    lineage = {id(el), *(id(a) for a in el.iterancestors())}
    return any(id(k) in lineage or any(d is k for d in el.iterdescendants()) for k in kept)


def _is_bio(chunk: str, ctx: Context) -> bool:
    """A sentence-like chunk of an author box (not the name, not a 'More from' title)."""
    return len(chunk.split()) >= 8 and chunk.strip() not in ctx.author_names


def strip_code(tree: HtmlElement) -> None:
    """Drop scripts, styles, templates, svg and the head's contents (read already by the metadata step).

    Every later step walks or copies the tree: what no step reads goes first.
    """
    etree.strip_elements(tree, *CODE_TAGS, with_tail=False)
    head = tree.find("head")
    if head is not None:
        head.clear()


def apply_site_overrides(tree: HtmlElement, ctx: Context) -> None:
    """Drop the elements a per-site override names; remember the ones it keeps in ctx.kept."""
    override = ctx.options.overrides_for(ctx.host)
    if override is None:
        return
    from lxml.cssselect import CSSSelector

    for n, selector in enumerate(override.drop, 1):
        rule = f"site:{override.domain}:{n}"
        for el in CSSSelector(selector)(tree):
            if is_attached(el, tree):
                ctx.record("site", rule, element_chunks(el))
                remove_keeping_tail(el)
    for selector in override.keep:
        for el in CSSSelector(selector)(tree):
            ctx.kept.append(el)
            _unmark(el)


#: tags the extractor drops on sight: a kept element with one of them becomes a div
EXTRACTOR_DROPPED_TAGS = frozenset({"aside", "nav", "footer", "header", "form", "dialog"})


def _unmark(el: HtmlElement) -> None:
    """Strip what the extractor judges boilerplate by (class, id, role, tag) from a kept element's subtree."""
    for node in el.iter():
        if isinstance(node.tag, str):
            for attr in ("class", "id", "role"):
                node.attrib.pop(attr, None)
            if node.tag in EXTRACTOR_DROPPED_TAGS:
                node.tag = "div"
