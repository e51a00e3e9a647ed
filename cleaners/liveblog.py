"""Live blogs: timestamped entries read from JSON-LD LiveBlogPosting or from repeated markup, made the record's body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from .article import Block, Entry, Removal
from .context import Context
from .filters import text_rule_for
from .meta.dates import parse_date
from .meta.titles import unescape
from .text import clean_text, fold

MIN_MARKUP_ENTRIES = 3  # repeated timestamped blocks needed when the page does not declare a live blog
MIN_DECLARED_ENTRIES = 2  # ... and when its JSON-LD says LiveBlogPosting
MIN_ENTRY_CHARS = 40  # an entry has at least this much text outside links (else a teaser or a link list)
ENTRY_SHARE = 0.66  # at least this share of the repeated blocks must look like entries
MAX_LINK_SHARE = 0.5  # entries with more of their text in links are teasers
MIN_MARKUP_TEXT = 400  # undeclared entries hold at least this many characters together
MAX_ENTRY_DEPTH = 8  # ancestors of a <time> tried as the entry container
PHRASE_LINE_CHARS = 120  # entry lines up to this long are checked against the boilerplate phrase rules
SHINGLE = 3  # words per shingle when a block is compared with the entries
MOSTLY_INSIDE = 0.6  # a block with this share of its shingles in the entries is one of them
OUTSIDE_RULE = "other:liveblog-outside-entries"  # a block between or after the entries, in none of them
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BLOCK_TAGS = {
    "p": "paragraph",
    "ul": "list",
    "ol": "list",
    "blockquote": "quote",
    "pre": "code",
    **{h: "heading" for h in HEADINGS},
}
SKIPPED = frozenset(
    {
        "figure",
        "figcaption",
        "button",
        "nav",
        "aside",
        "form",
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
    }
)
NOT_ENTRIES = frozenset({"nav", "aside", "footer"})  # entries never sit in these
NOT_ENTRY_TOKENS = re.compile(
    r"comment|reply|replies|related|sidebar|teaser|promo|recommend|most-?read|trending", re.IGNORECASE
)  # ... nor in containers named like this
WORD = re.compile(r"\w+")


@dataclass
class LiveBlog:
    """The entries of a live blog page, and the markup elements they were read from (none for JSON-LD only)."""

    entries: list[Entry]
    elements: list[HtmlElement] = field(default_factory=list)
    source: str = "markup"  # markup | jsonld | markup+jsonld


def words(text: str) -> str:
    """Text as its folded words, for matching blocks against entries whatever their spacing."""
    return " ".join(WORD.findall(fold(text)))


# ------------------------------------------------------------------ JSON-LD


def _jsonld_entry(update: dict[str, Any], url: str | None) -> Entry | None:
    body = update.get("articleBody") or update.get("text") or update.get("description")
    body = body if isinstance(body, str) else ""
    paragraphs = [unescape(line) for line in body.split("\n")]
    blocks = [Block("paragraph", p) for p in paragraphs if p]
    headline = update.get("headline") or update.get("name")
    headline = unescape(headline) if isinstance(headline, str) else None
    if not blocks and not headline:
        return None
    link = update.get("url")
    link = urljoin(url, link) if isinstance(link, str) and url else (link if isinstance(link, str) else None)
    raw_time = update.get("datePublished") or update.get("dateCreated") or update.get("dateModified")
    time = parse_date(raw_time) or (raw_time if isinstance(raw_time, str) else None)
    return Entry(time=time, headline=headline or None, blocks=blocks, url=link)


# ------------------------------------------------------------------ markup


def _tokens(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _signature(el: HtmlElement) -> tuple[str, str]:
    cls = (el.get("class") or "").split()
    return el.tag, cls[0] if cls else ""


def _excluded(el: HtmlElement) -> bool:
    """The element sits in navigation, an aside, a footer or a comments/related/promo container."""
    return any(node.tag in NOT_ENTRIES or NOT_ENTRY_TOKENS.search(_tokens(node)) for node in (el, *el.iterancestors()))


def _groups(tree: HtmlElement) -> dict[tuple[HtmlElement, tuple[str, str]], list[HtmlElement]]:
    """Sibling elements of the same tag and first class, each holding a <time>, keyed by (parent, signature)."""
    groups: dict[tuple[HtmlElement, tuple[str, str]], list[HtmlElement]] = {}
    for time in tree.iter("time"):
        node, seen = time, 0
        while seen < MAX_ENTRY_DEPTH:
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            members = groups.setdefault((parent, _signature(node)), [])
            if not members or members[-1] is not node:
                members.append(node)
            node, seen = parent, seen + 1
    return groups


def _link_chars(el: HtmlElement) -> int:
    return sum(len(clean_text(a.text_content())) for a in el.iter("a"))


def _is_teaser_headline(head: HtmlElement | None, page: str | None) -> bool:
    """A headline that links to another page: a teaser card of a listing, not an entry."""
    if head is None:
        return False
    links = [a for a in (*head.iterancestors("a"), *head.iter("a")) if a.get("href")]
    for a in links:
        target = urljoin(page or "", a.get("href").strip())
        if not target.startswith("#") and urlsplit(target).path.rstrip("/") != urlsplit(page or "").path.rstrip("/"):
            return True
    return False


def _headline(el: HtmlElement) -> HtmlElement | None:
    return next((h for h in el.iter(*HEADINGS) if clean_text(h.text_content())), None)


def _looks_like_entry(el: HtmlElement, page: str | None) -> bool:
    text = clean_text(el.text_content())
    linked = _link_chars(el)
    if len(text) - linked < MIN_ENTRY_CHARS or linked > MAX_LINK_SHARE * max(len(text), 1):
        return False
    return not _is_teaser_headline(_headline(el), page)


def find_entry_elements(tree: HtmlElement, url: str | None, declared: bool) -> list[HtmlElement]:
    """The page's live-blog entry elements in page order, or [] when it has no run of timestamped entries."""
    body = tree.find("body")
    root = body if body is not None else tree
    need = MIN_DECLARED_ENTRIES if declared else MIN_MARKUP_ENTRIES
    best: list[HtmlElement] = []
    for members in _groups(root).values():
        if len(members) < need or len(members) <= len(best):
            continue
        if _excluded(members[0]):
            continue
        good = [m for m in members if _looks_like_entry(m, url)]
        if len(good) < need or len(good) < ENTRY_SHARE * len(members):
            continue
        if not declared and sum(len(clean_text(m.text_content())) for m in good) < MIN_MARKUP_TEXT:
            continue
        best = members
    return best


def _time_of(el: HtmlElement) -> str | None:
    time = next(el.iter("time"), None)
    if time is None:
        return None
    for attr in ("datetime", "data-time", "data-datetime", "title"):
        raw = (time.get(attr) or "").strip()
        if raw and parse_date(raw):
            return parse_date(raw)
    shown = clean_text(time.text_content())
    return parse_date(shown) or shown or None


def _permalink(el: HtmlElement, url: str | None) -> str | None:
    ident = el.get("id")
    if not ident:
        ident = next(
            (
                a.get("href").strip()[1:]
                for a in el.iter("a")
                if (a.get("href") or "").strip().startswith("#") and len(a.get("href").strip()) > 1
            ),
            None,
        )
    if not ident:
        return None
    return f"{url.split('#')[0]}#{ident}" if url else f"#{ident}"


def _skipped(node: HtmlElement, root: HtmlElement) -> bool:
    for a in (node, *node.iterancestors()):
        if a is root:
            return False
        if a.tag in SKIPPED or a.tag == "time":
            return True
    return False


def _element_blocks(el: HtmlElement, head: HtmlElement | None) -> list[Block]:
    """The entry's body blocks (paragraphs, lists, quotes, subheadings, code) in order, its headline excluded."""
    blocks: list[Block] = []
    taken: list[HtmlElement] = []
    for node in el.iter(*BLOCK_TAGS):
        if node is head or _skipped(node, el) or any(t in taken for t in node.iterancestors()):
            continue
        kind = BLOCK_TAGS[node.tag]
        taken.append(node)
        if kind == "list":
            items = [clean_text(li.text_content()) for li in node.iter("li")]
            items = [i for i in items if i]
            if items:
                blocks.append(Block("list", "\n".join(items), items=items))
            continue
        text = clean_text(node.text_content())
        if text:
            blocks.append(Block(kind, text, level=int(node.tag[1]) if kind == "heading" else None))
    if not blocks:  # text straight in divs: every line that is not the headline or the time
        skip = {clean_text(head.text_content())} if head is not None else set()
        skip |= {clean_text(t.text_content()) for t in el.iter("time")}
        lines = [line for line in (clean_text(x) for x in el.itertext()) if line and line not in skip]
        if lines:
            blocks.append(Block("paragraph", " ".join(lines)))
    return blocks


def markup_entry(el: HtmlElement, url: str | None) -> Entry:
    head = _headline(el)
    return Entry(
        time=_time_of(el),
        headline=clean_text(head.text_content()) if head is not None else None,
        blocks=_element_blocks(el, head),
        url=_permalink(el, url),
        level=int(head.tag[1]) if head is not None else 2,
    )


# ------------------------------------------------------------------ both


def _match(entry: Entry, updates: list[Entry]) -> Entry | None:
    """The JSON-LD update describing the same entry: same headline, same permalink, or the same opening words."""
    key, start = words(entry.headline or ""), words(entry.text)[:60]
    for update in updates:
        if key and words(update.headline or "") == key:
            return update
        if entry.url and update.url and entry.url == update.url:
            return update
        if start and words(update.text).startswith(start):
            return update
    return None


def _enrich(entries: list[Entry], updates: list[Entry]) -> None:
    """The JSON-LD's time (it carries the offset) and permalink for entries read from the markup."""
    for entry in entries:
        update = _match(entry, updates)
        if update is not None:
            entry.time = update.time or entry.time
            entry.url = update.url or entry.url
            entry.headline = entry.headline or update.headline


def find_live_blog(tree: HtmlElement, url: str | None, updates: list[dict[str, Any]] | None) -> LiveBlog | None:
    """The page's live blog, from its markup (enriched by JSON-LD when declared) or its JSON-LD alone.

    Call on the parsed tree before any step removes elements: entries are read as the page shows them.
    """
    declared = updates is not None
    from_ld = [e for e in (_jsonld_entry(u, url) for u in updates or ()) if e is not None]
    elements = find_entry_elements(tree, url, declared)
    if elements:
        entries = [markup_entry(el, url) for el in elements]
        _enrich(entries, from_ld)
        return LiveBlog(entries, elements, "markup+jsonld" if from_ld else "markup")
    if len(from_ld) >= MIN_DECLARED_ENTRIES:
        return LiveBlog(from_ld, [], "jsonld")
    return None


def drop_entry_lines(live: LiveBlog, ctx: Context) -> None:
    """Ad labels and other boilerplate lines inside entries go by the phrase rules, recorded; entries themselves stay."""
    for entry in live.entries:
        kept = []
        for block in entry.blocks:
            verdict = text_rule_for(block.text) if len(block.text) <= PHRASE_LINE_CHARS else None
            if verdict and ctx.enabled(verdict[1], verdict[0]):
                if Removal(verdict[0], verdict[1], block.text) not in ctx.removed:  # the block filters may have said so
                    ctx.record(verdict[0], verdict[1], block.text)
            else:
                kept.append(block)
        entry.blocks = kept


def compose_body(blocks: list[Block], live: LiveBlog, ctx: Context) -> list[Block]:
    """The record's blocks for a live blog: what comes before the first entry (the lead), then every entry.

    Blocks of the cleaned body that are inside an entry are replaced by the entries as read; a block
    after the first entry that is in none of them (a promo between entries, a closing widget) is
    recorded as removed. Removals of text that is inside an entry are withdrawn: entries are never
    removed as promos or teasers.
    """
    inside = " \n ".join(words(t) for e in live.entries for t in (e.headline or "", *(b.text for b in e.blocks)))
    shingles = _shingles(inside)
    lead: list[Block] = []
    started = False
    for block in blocks:
        key = words(block.text)
        if key and (key in inside or _mostly_in(key, shingles)):
            started = True
        elif not started:
            lead.append(block)
        elif ctx.enabled(OUTSIDE_RULE, "other"):
            ctx.record("other", OUTSIDE_RULE, block.text)
        else:
            lead.append(block)
    ctx.removed[:] = [r for r in ctx.removed if r.rule == OUTSIDE_RULE or not _restored(r, inside)]
    body = list(lead)
    for entry in live.entries:
        if entry.headline:
            body.append(Block("heading", entry.headline, level=entry.level))
        body.extend(entry.blocks)
    return body


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = text.split()
    return {tuple(tokens[i : i + SHINGLE]) for i in range(max(len(tokens) - SHINGLE + 1, 1))}


def _mostly_in(key: str, shingles: set[tuple[str, ...]]) -> bool:
    """A block whose words are mostly an entry's, cut or joined differently by the extractor (a time line glued on)."""
    own = _shingles(key)
    return len(key.split()) >= SHINGLE * 2 and len(own & shingles) >= MOSTLY_INSIDE * len(own)


def _restored(removal: Removal, inside: str) -> bool:
    key = words(removal.text.rstrip("…"))
    return bool(key) and key in inside


def entry_key(entry: dict[str, Any]) -> str:
    """What identifies an entry across revisions of a live blog: its permalink, else its time and headline, else its text."""
    if entry.get("url"):
        return f"url:{entry['url']}"
    if entry.get("time") or entry.get("headline"):
        return f"at:{entry.get('time')}|{words(entry.get('headline') or '')}"
    return f"text:{words(entry.get('text') or '')}"


def mark_new_entries(record: dict[str, Any], previous: dict[str, Any] | None) -> int:
    """Set `new` on every entry of a revised live-blog record: true when the previous revision did not have it.

    `previous` is the record of the previous revision (None when it cannot be read: entries stay unmarked).
    Returns how many entries are new.
    """
    entries = record.get("entries") or []
    if previous is None or not entries:
        return 0
    before = {entry_key(e) for e in previous.get("entries") or ()}
    for entry in entries:
        entry["new"] = entry_key(entry) not in before
    return sum(1 for e in entries if e["new"])
