"""Recovery step: put back body paragraphs, section headings and the standfirst the extractor lost."""

from __future__ import annotations

import json
import re
from typing import Any

import lxml.html
from lxml.html import HtmlElement

from .article import Block
from .body import Candidate, extract_body, to_candidates
from .context import Context
from .filters import line_rule_for
from .language import CLOSE, MIN_CONFIDENCE, identify
from .options import Options
from .rules.elements import CAPTION_COMPOUNDS, CREDIT_COMPOUNDS
from .text import clean_text, fold, word_chars, word_count

RECOVER_TAGS = ("h2", "h3", "h4", "h5", "h6")
MATCHED_TYPES = ("paragraph", "heading", "quote", "list")
MAX_HEADING_WORDS = 20  # a longer "heading" is a teaser, not a section title
MAX_LINK_SHARE = 0.3  # a heading with more linked text than this is a teaser headline
STANDFIRST_MIN_WORDS = 8  # a shorter description is a label, not a standfirst
STANDFIRST_PROBE = 30  # characters compared before an element's whole text is
STANDFIRST_TAIL = 1.5  # the element may add this share to the description (a trailing link or sentence)
STANDFIRST_SHARE = 0.7  # ... or show at least this share of it (the description adds a credit)
MAX_STANDFIRST_PARTS = 4  # a description split over this many paragraphs at most
MAX_WRAPPER_DEPTH = 4  # wrappers around a heading looked through
SCANNED_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "li"})
MIN_LOST_PARAGRAPH_WORDS = 12  # a shorter lost paragraph may be a label or a teaser line
MIN_LIST_ITEM_WORDS = 8  # a lost list's items average this many words: sentences, not a menu
MIN_CONTAINER_PARAGRAPHS = 2  # a container holding this many kept paragraphs is the article's body
MAX_LOST_LINK_SHARE = 0.4  # a lost paragraph with more linked text is a promo (body ones link a few words)
SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
JSON_STRING = re.compile(r'"((?:[^"\\]|\\.){400,})"', re.DOTALL)  # a long JSON string literal
ESCAPED_P = re.compile(r"(\\u003c|<)p[ >\\]", re.IGNORECASE)  # a <p> tag, raw or JSON-escaped
MIN_SCRIPT_PARAGRAPHS = 3  # a script string holding this many <p> tags is an article body the page renders client-side
EMBED_WORDS = ("twitter", "tweet", "instagram", "tiktok", "facebook", "embed", "bluesky", "threads", "mastodon")
CLASS_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")  # "article__lead", "articleLead", "LEAD-text"
# class words of a standfirst element ("article-lead", "typo-intro", "e-standfirst", "article__abstract")
LEAD_WORDS = frozenset(
    {
        "lead",
        "intro",
        "standfirst",
        "abstract",
        "excerpt",
        "subhead",
        "subheadline",
        "subtitle",
        "dek",
        "deck",
        "summary",
        "epigraph",
        "sapo",
        "chapo",
        "chapeau",
        "entradilla",
        "sumario",
        "bajada",
        "catenaccio",
        "sommario",
        "ingress",
        "ingresso",
        "vorspann",
        "lede",
    }
)
NOT_LEAD_WORDS = frozenset(
    {"image", "img", "media", "photo", "video", "figure", "caption", "gallery", "teaser", "list"}
)
LEAD_MIN_WORDS = 8
LEAD_MAX_WORDS = 120
LINEAGE_DEPTH = 3  # ancestors compared to tie a look-alike container to the body's
RECOVERY_MAX_SHARE = 1.5  # recovery adds at most this share of the kept body's characters (unless articleBody has it)
OPENING_PROBE = 60  # word characters compared to tell that an element opens with a kept block
KEPT_PROBE = 80  # a lost paragraph whose opening this long is kept is already there


def _linked_chars(el: HtmlElement) -> int:
    return sum(len(clean_text(a.text_content())) for a in el.iter("a"))


def _as_heading(el: HtmlElement, text: str) -> Block | None:
    if word_count(text) > MAX_HEADING_WORDS or _linked_chars(el) > MAX_LINK_SHARE * len(text):
        return None
    return Block("heading", text, level=int(el.tag[1]))


def _wrapper(el: HtmlElement, text: str) -> HtmlElement:
    """The outermost ancestor holding nothing but the heading (`<div><h2>..</h2></div>`)."""
    wrapper = el
    for _ in range(MAX_WRAPPER_DEPTH):
        parent = wrapper.getparent()
        if parent is None or clean_text(parent.text_content()) != text:
            break
        wrapper = parent
    return wrapper


def _opens(el: HtmlElement, text: str, kept_el: HtmlElement) -> bool:
    """Whether the heading (or its wrapper) is directly followed by the element holding the next kept block."""
    following = _wrapper(el, text).getnext()
    return following is not None and (following is kept_el or any(a is following for a in kept_el.iterancestors()))


def _inside_kept(text: str, kept: list[str]) -> bool:
    return any(text in k for k in kept)


def recover_lost(
    texts: list[tuple[HtmlElement, str]], cands: list[Candidate], ctx: Context, anchors: frozenset[str]
) -> None:
    """Insert lost headings that are siblings of kept blocks, lie between them and open a kept block.

    `texts` is `audit.text_elements(tree)`: block elements with their folded text.
    """
    kept = {fold(c.text): i for i, c in enumerate(cands) if c.block.type in MATCHED_TYPES}
    if len(kept) < 2:
        return
    kept_texts = list(kept)
    seen = [(el, kept.get(folded), folded) for el, folded in texts if el.tag in SCANNED_TAGS]
    matched = [k for k, (_, idx, _) in enumerate(seen) if idx is not None]
    if len(matched) < 2:
        return
    inserts: list[tuple[int, Candidate]] = []
    last_idx = None
    openings = {word_chars(fold(c.text))[:OPENING_PROBE]: i for i, c in enumerate(cands) if c.block.type == "paragraph"}
    for k in range(matched[0], matched[-1]):
        el, idx, folded = seen[k]
        if idx is not None:
            last_idx = idx if last_idx is None else max(last_idx, idx)  # a repeated label matches an earlier block
            continue
        if el.tag not in RECOVER_TAGS or last_idx is None:
            continue
        text = clean_text(el.text_content())
        if seen[k + 1][1] is not None:
            if not _opens(el, text, seen[k + 1][0]):
                continue  # the next element is not a kept block: a widget title, not a section heading
            at = last_idx
        else:
            following = _wrapper(el, text).getnext()  # a kept block the page marks up as a <div>, not a <p>
            opening = (
                None if following is None else openings.get(word_chars(fold(following.text_content()))[:OPENING_PROBE])
            )
            if opening is None or opening <= last_idx:
                continue
            at = opening - 1
        if _inside_kept(folded, kept_texts) or line_rule_for(text, ctx, anchors) is not None:
            continue
        block = _as_heading(el, text)
        if block is not None:
            inserts.append((at, Candidate(block, css="recovered")))
    for idx, cand in reversed(inserts):
        cands.insert(idx + 1, cand)


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _parts_showing(el: HtmlElement, text: str, wanted: str) -> list[str]:
    """`text` (an element's, a prefix of `wanted`) and the siblings after it that go on spelling `wanted`."""
    parts, covered, target = [text], _squeeze(fold(text)), _squeeze(wanted)
    sibling = el.getnext()
    while sibling is not None and len(parts) < MAX_STANDFIRST_PARTS and len(covered) < len(target):
        more = clean_text(sibling.text_content()) if isinstance(sibling.tag, str) else ""
        if more:
            if not target.startswith(covered + _squeeze(fold(more))):
                break
            parts.append(more)
            covered += _squeeze(fold(more))
        sibling = sibling.getnext()
    return parts if len(covered) >= STANDFIRST_SHARE * len(target) else []


def _showing(elements: list[HtmlElement], wanted: str) -> list[str]:
    """The texts of the page elements that show `wanted` (folded): one element, or one and its siblings.

    An element may add a short tail to the description (a trailing link), or show most of it when
    the description adds a credit or runs on; a description split over paragraphs is found in
    consecutive siblings.
    """
    head = wanted[:STANDFIRST_PROBE]
    for el in elements:
        own = el.text.lstrip() if el.text else None  # markup often indents the text on its own line
        if own and len(own) >= STANDFIRST_PROBE and fold(own[: STANDFIRST_PROBE * 2]).startswith(head):
            text = clean_text(el.text_content())
            folded = fold(text)
            if folded == wanted or (folded.startswith(wanted) and len(folded) <= len(wanted) * STANDFIRST_TAIL):
                return [text]
            if wanted.startswith(folded) or _squeeze(wanted).startswith(_squeeze(folded)):
                parts = _parts_showing(el, text, wanted)
                if parts:
                    return parts
    return []


def recover_standfirst(
    elements: list[HtmlElement], cands: list[Candidate], ctx: Context, anchors: frozenset[str] = frozenset()
) -> None:
    """Put the standfirst first when the extractor missed it.

    The standfirst is the page's description shown as text or, failing that, the element between
    the <h1> and the body whose class names it a lead ("article-lead", "intro", "standfirst", ...).
    """
    kept = [c for c in cands if not c.removed]
    if not kept:
        return
    desc = ctx.description
    texts: list[str] = []
    if desc and word_count(desc) >= STANDFIRST_MIN_WORDS:
        probe = word_chars(desc)[:KEPT_PROBE]  # a heading may repeat the description's first words
        if not any(probe in word_chars(fold(c.text)) for c in kept):  # else it is a body sentence
            texts = _showing(elements, desc)
    if not texts:
        lead = _lead_element(elements, kept[0].text)
        if (
            lead is not None
            and word_chars(fold(lead))[:KEPT_PROBE] not in "\n".join(word_chars(fold(c.text)) for c in cands)
            and line_rule_for(lead, ctx, anchors) is None
        ):
            texts = [lead]
    first = next(i for i, c in enumerate(cands) if not c.removed)
    for text in reversed(texts):
        cands.insert(first, Candidate(Block("paragraph", text), css="standfirst", protected=True))


def _is_lead(el: HtmlElement) -> bool:
    words = {w.lower() for w in CLASS_WORDS.findall(el.get("class") or "")}
    return bool(words & LEAD_WORDS) and not words & NOT_LEAD_WORDS


def _lead_element(elements: list[HtmlElement], first_kept: str) -> str | None:
    """The text of the first lead-classed element after the <h1> and before the first kept block."""
    wanted = word_chars(fold(first_kept))[:KEPT_PROBE]
    seen_h1 = False
    for el in elements:
        tag = el.tag
        if tag == "h1":
            seen_h1 = True
        elif tag == "p" and seen_h1 and word_chars(fold(el.text_content()))[:KEPT_PROBE] == wanted:
            return None  # the body starts: no lead above it
        elif seen_h1 and isinstance(tag, str) and el.get("class") and _is_lead(el):
            if el.find(".//img") is not None or el.find(".//figure") is not None:
                continue
            text = clean_text(el.text_content())
            if LEAD_MIN_WORDS <= word_count(text) <= LEAD_MAX_WORDS and _linked_chars(el) <= MAX_LINK_SHARE * len(text):
                return text
    return None


def _signature(el: HtmlElement | None) -> tuple[str, str] | None:
    """A container's tag and first class token: a body split in several containers repeats it."""
    if el is None:
        return None
    css = (el.get("class") or "").split()
    return (el.tag, css[0]) if css else None


def _article_of(el: HtmlElement) -> HtmlElement | None:
    """The nearest <article> holding the element (None outside any)."""
    return next(el.iterancestors("article"), None)


def _body_containers(
    seen: list[tuple[HtmlElement, int | None, str]], cands: list[Candidate]
) -> tuple[set[Any], set[Any]]:
    """Parents holding at least MIN_CONTAINER_PARAGRAPHS kept paragraphs, and their signatures."""
    counts: dict[HtmlElement, int] = {}
    for el, idx, _ in seen:
        if idx is not None and el.tag == "p" and cands[idx].block.type == "paragraph":
            parent = el.getparent()
            if parent is not None:
                counts[parent] = counts.get(parent, 0) + 1
    parents = {parent for parent, n in counts.items() if n >= MIN_CONTAINER_PARAGRAPHS}
    return parents, {sig for sig in map(_signature, parents) if sig is not None}


def _is_pull_quote(el: HtmlElement | None) -> bool:
    """A <blockquote> of the article's own text (a quote it highlights), not an embedded post."""
    if el is None or el.tag != "blockquote":
        return False
    css = ((el.get("class") or "") + " " + (el.get("data-type") or "")).lower()
    return not any(word in css for word in EMBED_WORDS)


def _is_caption(el: HtmlElement) -> bool:
    """A caption or credit: named so by its class or id, or inside a figure."""
    for node in (el, el.getparent()):
        if node is None:
            continue
        attrs = ((node.get("class") or "") + " " + (node.get("id") or "")).lower().replace("-", "").replace("_", "")
        if any(word in attrs for word in CAPTION_COMPOUNDS + CREDIT_COMPOUNDS):
            return True
    return next(el.iterancestors("figure", "figcaption"), None) is not None


def _between_kept(seen: list[tuple[HtmlElement, int | None, str]], k: int, recovered: set[int]) -> bool:
    """Whether the block element before seen[k] is kept (or was just put back) and the one after it is kept."""
    before = k > 0 and (seen[k - 1][1] is not None or k - 1 in recovered)
    return before and k + 1 < len(seen) and seen[k + 1][1] is not None


def _lost_list(
    lst: HtmlElement | None,
    containers: set[HtmlElement],
    done: set[HtmlElement],
    squeezed: str,
    ctx: Context,
    anchors: frozenset[str],
) -> Block | None:
    """A list of the body container the extractor dropped ("Das Wichtigste in Kürze": key points), as a block.

    Its items are sentences (MIN_LIST_ITEM_WORDS words on average), barely linked, none of them boilerplate.
    """
    if lst is None or lst in done or lst.tag not in ("ul", "ol"):
        return None
    if not any(a in containers for a, _ in zip(lst.iterancestors(), range(MAX_WRAPPER_DEPTH))):
        return None
    done.add(lst)
    items = [clean_text(li.text_content()) for li in lst if li.tag == "li"]
    items = [i for i in items if i]
    if len(items) < 2 or sum(map(word_count, items)) < MIN_LIST_ITEM_WORDS * len(items):
        return None
    text = "\n".join(items)
    if _linked_chars(lst) > MAX_LOST_LINK_SHARE * len(text) or word_chars(fold(items[0]))[:KEPT_PROBE] in squeezed:
        return None
    if any(line_rule_for(i, ctx, anchors) is not None for i in items):
        return None
    return Block("list", text, items=items)


def recover_paragraphs(
    texts: list[tuple[HtmlElement, str]], cands: list[Candidate], ctx: Context, anchors: frozenset[str]
) -> None:
    """Put back paragraphs the extractor dropped from the containers that hold the kept body paragraphs.

    A lost paragraph is a `p` child of a body container (one holding at least two kept paragraphs),
    or of a container with the same tag and first class token inside the same <article> (bodies
    split around ads, paywall or layout breaks), or any `p` sitting between two kept blocks; it comes
    after the first kept block and before any
    later <h1> (another article), has at least MIN_LOST_PARAGRAPH_WORDS words, is barely linked, and
    is not boilerplate by any phrase, author or promo rule. A paragraph of a pull quote (a <blockquote>
    that is not an embedded post) between kept blocks comes back as a quote, and a list of sentences
    of a body container as a list.
    """
    kept = {fold(c.text): i for i, c in enumerate(cands) if c.block.type in MATCHED_TYPES}
    if len(kept) < 2:
        return
    squeezed = "\n".join(word_chars(fold(c.text)) for c in cands)  # <br> joins lines without a space; quotes vary
    seen = [(el, kept.get(folded), folded) for el, folded in texts if el.tag in SCANNED_TAGS or el.tag == "h1"]
    containers, signatures = _body_containers(seen, cands)  # may be none: pull quotes are still looked for
    articles = {_article_of(c) for c in containers}
    inserts: list[tuple[int, Candidate]] = []
    last_idx = None
    last_kept = max((k for k, (_, idx, _) in enumerate(seen) if idx is not None), default=-1)
    recovered: set[int] = set()
    done: set[HtmlElement] = set()  # lists already looked at
    for k, (el, idx, folded) in enumerate(seen):
        if idx is not None:
            last_idx = idx if last_idx is None else max(last_idx, idx)  # a repeated label matches an earlier block
            continue
        if el.tag == "h1" and last_idx is not None:
            break  # the title of another article the page goes on with
        if last_idx is not None and el.tag == "li":
            block = _lost_list(el.getparent(), containers, done, squeezed, ctx, anchors)
            if block is not None:
                inserts.append((last_idx, Candidate(block, css="recovered")))
            continue
        if last_idx is None or el.tag != "p":
            continue
        parent = el.getparent()
        quote = _is_pull_quote(parent) and k < last_kept
        if (
            not quote
            and parent not in containers
            and (
                _signature(parent) not in signatures
                or _article_of(parent) not in articles
                or not _same_lineage(parent, containers)
            )
            and not _between_kept(seen, k, recovered)
        ):
            continue
        text = clean_text(el.text_content())
        if word_count(text) < MIN_LOST_PARAGRAPH_WORDS or _linked_chars(el) > MAX_LOST_LINK_SHARE * len(text):
            continue
        if not quote and _is_caption(el):
            continue
        if word_chars(folded)[:KEPT_PROBE] in squeezed or line_rule_for(text, ctx, anchors) is not None:
            continue
        block = Block("quote", text) if quote else Block("paragraph", text)
        inserts.append((last_idx, Candidate(block, css="recovered")))
        recovered.add(k)
    for idx, cand in reversed(_bounded(inserts, cands, ctx)):
        cands.insert(idx + 1, cand)


def _lineage(el: HtmlElement) -> tuple[tuple[str, str], ...]:
    """Tag and first class token of an element and of its LINEAGE_DEPTH nearest ancestors."""
    out = []
    for node in (el, *el.iterancestors()):
        css = (node.get("class") or "").split()
        out.append((node.tag, css[0] if css else ""))
        if len(out) > LINEAGE_DEPTH:
            break
    return tuple(out)


def _same_lineage(parent: HtmlElement, containers: set[HtmlElement]) -> bool:
    """A container of the body's signature is tied to the body when it is a sibling of a body container
    (a body split around an ad or a paywall break), inside one, or in the same place of a repeated layout
    (the same chain of ancestors: a body cut into grid chunks), not a look-alike in another part of the page."""
    up = parent.getparent()
    lineage = _lineage(parent)
    return any(
        c.getparent() is up or any(a is c for a in parent.iterancestors()) or _lineage(c) == lineage for c in containers
    )


def _other_language(text: str, lang: str | None) -> bool:
    """The text is confidently in another language than the body's (`lang`, None when unknown)."""
    found = identify(text) if lang else None
    if found is None or found[1] < MIN_CONFIDENCE:
        return False
    return found[0] != lang and not any(found[0] in group and lang in group for group in CLOSE)


def _bounded(inserts: list[tuple[int, Candidate]], cands: list[Candidate], ctx: Context) -> list[tuple[int, Candidate]]:
    """The recovered blocks that stay: in the article's language, and, in page order, within
    RECOVERY_MAX_SHARE of the kept body's characters, unless the JSON-LD articleBody holds the text."""
    if not inserts:
        return inserts
    body = "\n".join(c.text for c in cands if not c.removed)
    found = identify(body)
    lang = found[0] if found and found[1] >= MIN_CONFIDENCE else None
    budget = RECOVERY_MAX_SHARE * len(body)
    out = []
    for idx, cand in inserts:
        if ctx.article_body and fold(cand.text) in ctx.article_body:
            out.append((idx, cand))
            continue
        if _other_language(cand.text, lang) or len(cand.text) > budget:
            continue
        budget -= len(cand.text)
        out.append((idx, cand))
    return out


def _html_strings(code: str, depth: int = 0) -> list[str]:
    """JSON string literals of `code` holding at least MIN_SCRIPT_PARAGRAPHS <p> tags, decoded.

    A literal whose value is itself JSON (Next.js streams JSON inside JavaScript strings) is
    searched once more.
    """
    out = []
    for literal in JSON_STRING.finditer(code):
        raw = literal.group(1)
        if len(ESCAPED_P.findall(raw)) < MIN_SCRIPT_PARAGRAPHS:
            continue
        try:
            value = json.loads(f'"{raw}"')
        except ValueError:
            continue
        if value.count("<p") >= MIN_SCRIPT_PARAGRAPHS:
            out.append(value)
        elif depth == 0:
            out.extend(_html_strings(value, 1))
    return out


def _script_html(doc: str) -> str | None:
    """The longest HTML string with at least MIN_SCRIPT_PARAGRAPHS paragraphs held in the page's scripts."""
    found = [
        html
        for script in SCRIPT.finditer(doc)
        if ESCAPED_P.search(script.group(1))
        for html in _html_strings(script.group(1))
    ]
    return max(found, key=len, default=None)


def script_body(doc: str, url: str | None, options: Options) -> list[Candidate]:
    """Blocks of an article body the page only holds in a script (rendered client-side), or none.

    Called when the page's markup gave no body: the longest JSON string of HTML with paragraphs
    (Next.js, Nuxt and React Query state such as `"contentHtml": "<p>..."`) is extracted as the body.
    """
    html = _script_html(doc)
    if html is None:
        return []
    tree = lxml.html.document_fromstring(f"<html><body><article>{html}</article></body></html>")
    body = extract_body(tree, url, options)
    return to_candidates(body, url) if body is not None else []
