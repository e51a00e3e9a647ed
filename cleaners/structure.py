"""Structure step: figures, data tables, embeds and quote attributions found in the page's tree, put back at their
place in the kept body.

trafilatura keeps text: it drops figures (the media step takes them out of the tree with their captions),
iframes and embedded posts, and flattens tables. Before any element is removed, `scan_structure` notes,
in page order, these items and the text elements (paragraphs, headings, items, quotes) around them.
After the filters, `place_structure` puts each item still in the tree (or, for a figure, whose place is
still in the tree) after the kept block that precedes it on the page, when it lies inside the kept
body: between two kept blocks, or right next to the first or last one, inside the article region.
Figures and embeds add no text; a data table the extractor dropped adds its cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml.html import HtmlElement

from .article import Block
from .audit import article_region
from .body import Candidate
from .context import Context
from .figures import MAX_FIGURE_TEXT, image_url, is_attached, is_link_card, split_credit
from .text import clean_text, fold, text_of, word_chars, word_count

TEXT_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt"})
KEY_CHARS = 60  # word characters of a text compared to find its element on the page
KEY_SCAN_CHARS = 4 * KEY_CHARS  # characters of a long text read for its key (more only when they hold too few)
TABLE_KEY_CHARS = 160  # word characters of a table's text that find the extractor's table for it
ITEM_TAGS = frozenset({"figure", "table", "iframe", "blockquote", "div"})  # the tags `_item` looks at
HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6")
MAX_HEADING_WORDS = 20  # a longer "heading" is a teaser, not a section title (as recover.MAX_HEADING_WORDS)
OUTSIDE_MAIN = "other:outside-main-content"  # the audit's record of text the extractor left out (no rule)
MIN_TABLE_LETTERS = 12  # a block with fewer word characters is not told to be a table's cells
ORDER_STEP = 1e-6  # keeps items between the same two text elements in page order
MAX_SPAN = 50  # a colspan or rowspan larger than this is a markup error: counted as 1
MAX_CELL_CHARS = 400  # a cell holding more text than this is a page column, not a datum
MAX_TABLE_COLUMNS = 40
#: elements that make a table cell a layout column when it holds one
LAYOUT_CONTENT = (
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "blockquote",
    "figure",
    "form",
    "iframe",
    "article",
    "section",
    "nav",
    "aside",
    "header",
    "footer",
    "video",
)
PROSE_CELL_CHARS = 150  # a cell with several paragraphs and this much text is a column of prose
#: embed providers by host (a suffix of the URL's host), checked in order
PROVIDERS = (
    ("youtube.com", "youtube"),
    ("youtu.be", "youtube"),
    ("youtube-nocookie.com", "youtube"),
    ("vimeo.com", "vimeo"),
    ("twitter.com", "twitter"),
    ("x.com", "twitter"),
    ("instagram.com", "instagram"),
    ("tiktok.com", "tiktok"),
    ("facebook.com", "facebook"),
    ("fb.com", "facebook"),
    ("spotify.com", "spotify"),
    ("podcasts.apple.com", "apple_podcasts"),
    ("soundcloud.com", "soundcloud"),
)
#: class words of a <blockquote> or <div> an embed script turns into a post, with the attribute holding its URL
EMBED_CLASSES = (
    ("twitter-tweet", None),
    ("twitter-video", None),
    ("instagram-media", "data-instgrm-permalink"),
    ("tiktok-embed", "cite"),
    ("fb-post", "data-href"),
    ("fb-video", "data-href"),
)
#: iframes that are not content: ads, trackers, consent and comment widgets
NOT_EMBED_HOSTS = (
    "doubleclick.net",
    "googlesyndication.com",
    "googletagmanager.com",
    "google-analytics.com",
    "amazon-adsystem.com",
    "adnxs.com",
    "taboola.com",
    "outbrain.com",
    "disqus.com",
    "recaptcha",
)
TINY = ("0", "1", "0px", "1px")  # width/height of a tracking iframe


@dataclass
class Item:
    """A figure, data table or embed of the page, with its place among the page's text elements."""

    el: HtmlElement
    holder: HtmlElement  # the element whose presence after pruning says the item is still on the page
    block: Block
    prev_text: int  # position of the text element before it (-1: none)
    next_text: int  # position of the text element after it (a large number: none)
    key: str = ""  # tables: the word characters of the table's text, to find it among the blocks
    order: float = 0.0  # its place among the text elements' positions (between prev_text and next_text)
    placed: bool = False  # the block is in the body already (a rebuilt table, an embed in place of its text)
    absorbs: frozenset[str] = frozenset()  # embedded posts: keys of their own texts (a kept block of them is the embed)


@dataclass
class PageStructure:
    """What `scan_structure` found: the items, and where each text of the page first occurs."""

    items: list[Item] = field(default_factory=list)
    positions: dict[str, tuple[int, HtmlElement]] = field(default_factory=dict)
    layout_tables: list[HtmlElement] = field(default_factory=list)
    attributions: dict[str, str] = field(default_factory=dict)  # quote key -> who is quoted
    text_at: list[HtmlElement] = field(default_factory=list)  # the text element at each position


def text_key(text: str) -> str:
    """The key a text is found by: its first KEY_CHARS word characters, case-folded."""
    folded = fold(text)
    head = word_chars(folded[:KEY_SCAN_CHARS])  # the word characters of a prefix are a prefix of the text's
    if len(head) >= KEY_CHARS or len(folded) <= KEY_SCAN_CHARS:
        return head[:KEY_CHARS]
    return word_chars(folded)[:KEY_CHARS]


def scan_structure(elements: list[HtmlElement], ctx: Context) -> PageStructure:
    """Items and text positions of the page's body elements (`scan_page(...).elements`, in page order)."""
    found = PageStructure()
    inside: set[HtmlElement] = set()  # descendants of an item: not looked at again
    pos = 0
    pending: list[Item] = []  # items waiting for the next text element
    for el in elements:
        if el in inside:
            continue
        tag = el.tag
        item = _item(el, ctx, found) if tag in ITEM_TAGS else None
        if item is not None:
            item.prev_text = pos - 1
            item.order = pos - 0.5 + len(found.items) * ORDER_STEP
            pending.append(item)
            found.items.append(item)
            inside.update(el.iterdescendants())
            continue
        if tag in TEXT_TAGS:
            key = text_key(text_of(el))
            if key:
                found.positions.setdefault(key, (pos, el))
                found.text_at.append(el)
                if tag == "blockquote":
                    attribution = _attribution(el)
                    if attribution:
                        found.attributions.setdefault(key, attribution)
                for waiting in pending:
                    waiting.next_text = pos
                pending.clear()
                pos += 1
    return found


def _item(el: HtmlElement, ctx: Context, found: PageStructure) -> Item | None:
    tag = el.tag
    if tag == "figure":
        return _figure_item(el, ctx, found)
    if tag == "table":
        return _table_item(el, el, found)
    if tag == "iframe":
        block = _iframe_block(el, ctx.url)
        return _new(el, block) if block else None
    if tag in ("blockquote", "div"):
        block = _post_block(el, ctx.url)
        return _post_item(el, block) if block else None
    return None


def _post_item(el: HtmlElement, block: Block, holder: HtmlElement | None = None) -> Item:
    item = _new(el, block, holder)
    texts = [el, *(d for d in el.iterdescendants() if d.tag in TEXT_TAGS)]
    item.absorbs = frozenset(k for k in (text_key(t.text_content()) for t in texts) if k)
    return item


def _new(el: HtmlElement, block: Block, holder: HtmlElement | None = None) -> Item:
    return Item(el, holder if holder is not None else el, block, -1, 1 << 30)


def _figure_item(figure: HtmlElement, ctx: Context, found: PageStructure) -> Item | None:
    """A figure as an image, an embed or a table item (the media step takes figures out of the tree: the figure's
    parent then says whether its place survived pruning)."""
    holder = figure.getparent()
    if holder is None:
        return None
    for inner in figure.iter("iframe", "blockquote", "div"):
        if inner.tag == "iframe":
            block = _iframe_block(inner, ctx.url)
            if block is not None:
                return _new(figure, block, holder)
        else:
            block = _post_block(inner, ctx.url)
            if block is not None:
                return _post_item(figure, block, holder)
    table = next(figure.iter("table"), None)
    if table is not None:
        return _table_item(table, figure, found)
    src = image_url(figure)
    text = clean_text(figure.text_content())
    if src is None or len(text) > MAX_FIGURE_TEXT or (text and is_link_card(figure, text, ctx)):
        return None
    caption, credit = split_credit(figure)
    img = next(figure.iter("img"), None)
    alt = clean_text(img.get("alt")) if img is not None else ""
    src = urljoin(ctx.url, src) if ctx.url else src
    return _new(figure, Block("figure", "", src=src, caption=caption, credit=credit, alt=alt or None), holder)


def _provider(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for suffix, name in PROVIDERS:
        if host == suffix or host.endswith("." + suffix):
            return name
    return "iframe"


def _page_url(url: str, provider: str) -> str:
    """The address of the embedded video, post or episode itself, where the player URL names it."""
    parts = urlsplit(url)
    path, query = parts.path, parse_qs(parts.query)
    if provider == "youtube" and path.startswith("/embed/") and len(path) > 7:
        return f"https://www.youtube.com/watch?v={path[7:].split('/')[0]}"
    if provider == "vimeo" and parts.hostname == "player.vimeo.com" and path.startswith("/video/"):
        return f"https://vimeo.com/{path[7:].split('/')[0]}"
    target = query.get("url") or query.get("href")
    if provider in ("soundcloud", "facebook") and target:
        return target[0]
    if provider == "spotify" and path.startswith("/embed/"):
        return f"https://open.spotify.com/{path[7:]}"
    if provider == "apple_podcasts" and parts.hostname == "embed.podcasts.apple.com":
        return url.replace("embed.podcasts.apple.com", "podcasts.apple.com", 1)
    if provider == "instagram" and path.rstrip("/").endswith("/embed"):
        return f"https://www.instagram.com{path.rstrip('/')[:-6]}/"
    return url


def _iframe_block(el: HtmlElement, base: str | None) -> Block | None:
    """An embed block for an iframe of content (a player, a post, a chart), not an ad or a tracker."""
    raw = (el.get("src") or el.get("data-src") or el.get("data-lazy-src") or "").strip()
    if not raw or raw.startswith(("about:", "javascript:", "data:")):
        return None
    if el.get("width") in TINY or el.get("height") in TINY or el.get("aria-hidden") == "true":
        return None
    url = urljoin(base, raw) if base else raw
    if not url.startswith(("http://", "https://", "//")):
        return None
    if url.startswith("//"):
        url = "https:" + url
    host = (urlsplit(url).hostname or "").lower()
    if any(bad in host or bad in url for bad in NOT_EMBED_HOSTS):
        return None
    provider = _provider(url)
    return Block("embed", "", provider=provider, url=_page_url(url, provider))


def _post_block(el: HtmlElement, base: str | None) -> Block | None:
    """An embed block for a post an embed script renders from a <blockquote> or <div> (X, Instagram, TikTok, ...)."""
    cls = el.get("class")
    if not cls or "-" not in cls:  # every EMBED_CLASSES name holds a '-' (and lower() makes none)
        return None
    words = cls.lower().split()
    for name, attr in EMBED_CLASSES:
        if name in words:
            url = el.get(attr) if attr else None
            if not url:  # the post's own link: the last one to the provider's site (the date of an X post)
                links = [a.get("href") for a in el.iter("a") if a.get("href")]
                wanted = name.split("-")[0]
                url = next(
                    (
                        h
                        for h in reversed(links)
                        if _provider(urljoin(base or "", h)) in (wanted, "twitter")
                        and ("/status/" in h or wanted != "twitter")
                    ),
                    None,
                )
            if not url:
                return None
            url = urljoin(base, url) if base else url
            return Block("embed", "", provider=_provider(url), url=url)
    return None


def _layout(table: HtmlElement, rows: list[list[HtmlElement]]) -> bool:
    """Whether a table lays out the page instead of holding data: its cells hold the page's blocks (nested tables,
    headings, lists, columns of prose), or it is one row, one column or marked presentational."""
    if (table.get("role") or "").lower() in ("presentation", "none") or len(rows) < 2 or max(map(len, rows)) < 2:
        return True
    for row in rows:
        for cell in row:
            if next(cell.iter(*LAYOUT_CONTENT), None) is not None:
                return True
            text = cell.text_content()
            if len(text) > MAX_CELL_CHARS and len(clean_text(text)) > MAX_CELL_CHARS:
                return True
            if len(text) > PROSE_CELL_CHARS and sum(1 for p in cell.iter("p") if clean_text(p.text_content())) > 1:
                return True
    return False


def _own_rows(table: HtmlElement) -> list[HtmlElement]:
    """The table's <tr>, in thead/tbody/tfoot order as written, without those of nested tables."""
    out = []
    for child in table:
        if child.tag == "tr":
            out.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            out.extend(tr for tr in child if tr.tag == "tr")
    return out


def _span(cell: HtmlElement, name: str) -> int:
    try:
        value = int((cell.get(name) or "1").strip())
    except ValueError:
        return 1
    return value if 1 <= value <= MAX_SPAN else 1


def _cell_text(cell: HtmlElement) -> str:
    return clean_text(" ".join(cell.itertext()))


def table_grid(rows: list[list[HtmlElement]]) -> list[list[str]]:
    """The cells' texts on a grid: a cell spanning columns or rows repeated in each, rows padded to one width."""
    grid: list[list[str | None]] = []
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        col = 0
        for cell in row:
            while col < len(grid[r]) and grid[r][col] is not None:
                col += 1
            text = _cell_text(cell)
            for dr in range(_span(cell, "rowspan") if len(rows) > 1 else 1):
                if r + dr >= len(rows):
                    break
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                for dc in range(_span(cell, "colspan")):
                    if col + dc >= MAX_TABLE_COLUMNS:
                        break
                    while len(target) <= col + dc:
                        target.append(None)
                    target[col + dc] = text
            col += 1
            while col < len(grid[r]) and grid[r][col] is not None:
                col += 1
    width = max((len(r) for r in grid), default=0)
    return [[c or "" for c in r] + [""] * (width - len(r)) for r in grid]


def table_block(table: HtmlElement) -> Block | None:
    """A data table as a block (None for a layout table or one without text)."""
    rows = [[c for c in tr if c.tag in ("td", "th")] for tr in _own_rows(table)]
    rows = [r for r in rows if r]
    if not rows or _layout(table, rows):
        return None
    grid = table_grid(rows)
    keep = [i for i, r in enumerate(grid) if any(r)]
    if not keep:
        return None
    first = rows[0]
    header = keep[0] == 0 and (all(c.tag == "th" for c in first) or first[0].getparent().getparent().tag == "thead")
    lines = [" | ".join(t for t in map(_cell_text, rows[i]) if t) for i in keep]
    caption_el = next((c for c in table if c.tag == "caption"), None)
    caption = clean_text(caption_el.text_content()) if caption_el is not None else ""
    text = "\n".join([caption, *lines] if caption else lines)
    return Block("table", text, rows=[grid[i] for i in keep], header=header, caption=caption or None)


def _table_item(table: HtmlElement, el: HtmlElement, found: PageStructure) -> Item | None:
    """A data table as an item; a layout table is remembered (the extractor's table block of it becomes paragraphs)."""
    block = table_block(table)
    if block is None:
        rows = [r for r in ([c for c in tr if c.tag in ("td", "th")] for tr in _own_rows(table)) if r]
        if rows and _layout(table, rows) and el is table:
            found.layout_tables.append(table)
        return None
    holder = el.getparent() if el is not table else table
    if holder is None:
        return None
    item = _new(el, block, holder)
    item.key = word_chars(fold(block.text))[:TABLE_KEY_CHARS]
    return item


def _candidate_key(cand: Candidate) -> str:
    block = cand.block
    first = block.items[0] if block.type == "list" and block.items else block.text.split("\n")[0]
    return text_key(first)


def place_structure(
    found: PageStructure, tree: HtmlElement, texts: list[tuple[HtmlElement, str]], cands: list[Candidate], ctx: Context
) -> None:
    """Rebuild the extractor's tables from the page, and insert figures, embeds and dropped data tables in the body.

    `texts` is `audit.text_elements(tree)`; `cands` the candidates after filtering (removed ones stay in the
    list, flagged).
    """
    _rebuild_tables(found, cands)
    _embed_posts(found, cands, ctx)
    kept = [(i, c) for i, c in enumerate(cands) if not c.removed]
    placed = {id(item.block): item.order for item in found.items if item.placed}
    places: list[tuple[float, int]] = []
    for i, cand in kept:
        if id(cand.block) in placed:
            places.append((placed[id(cand.block)], i))
            continue
        key = _candidate_key(cand)
        hit = found.positions.get(key)
        if hit is not None:
            places.append((hit[0], i))
        if cand.block.type == "quote" and key in found.attributions and found.attributions[key] != cand.text:
            cand.block.attribution = found.attributions[key]
    if not places or not found.items:
        return
    kept_positions = {p for p, _ in places}
    first, last = min(kept_positions), max(kept_positions)
    region = article_region(texts, cands)
    tables = {word_chars(fold(c.text))[:TABLE_KEY_CHARS] for _, c in kept if c.block.type == "table"}
    squeezed = "\n".join(word_chars(fold(c.text)) for _, c in kept)
    inserts: list[tuple[int, Candidate]] = []
    for item in found.items:
        if item.placed or not _on_page(item, tree, region):
            continue
        inside = first <= item.prev_text and item.next_text <= last
        at_edge = item.next_text == first or item.prev_text == last
        if not (inside or at_edge):
            continue
        if item.block.type == "table" and (item.key in tables or item.key[:KEY_CHARS] in squeezed):
            continue  # kept already (by the extractor, or as paragraphs)
        after = max((i for p, i in places if p < item.order), default=None)
        before = min((i for p, i in places if p > item.order), default=None)
        if after is not None:
            index = after + 1
        elif before is not None:
            index = before
        else:
            continue
        inserts.append((index, Candidate(item.block, css="structure", protected=True)))
    for _, (index, cand) in sorted(enumerate(inserts), key=lambda x: (x[1][0], x[0]), reverse=True):
        cands.insert(index, cand)  # from the end; items at one place keep their page order
    _table_headings(found, tree, cands, ctx, kept_positions, first)


def _table_headings(
    found: PageStructure,
    tree: HtmlElement,
    cands: list[Candidate],
    ctx: Context,
    kept_positions: set[float],
    first: float,
) -> None:
    """The section heading right above a table of the body, when the extractor lost it (recovery puts back only
    headings followed by text): a short h2-h6 after the first kept block that no boilerplate rule removed."""
    tables = {id(item.block): item for item in found.items if item.block.type == "table"}
    for n in range(len(cands) - 1, -1, -1):
        item = tables.get(id(cands[n].block))
        if item is None or cands[n].removed or item.prev_text <= first or item.prev_text in kept_positions:
            continue
        el = found.text_at[item.prev_text]
        if el.tag not in HEADING_TAGS or not is_attached(el, tree):
            continue
        text = clean_text(el.text_content())
        if not text or word_count(text) > MAX_HEADING_WORDS or (n and cands[n - 1].text == text):
            continue
        removal = next((r for r in ctx.removed if r.text == text), None)
        if removal is not None and removal.rule != OUTSIDE_MAIN:
            continue  # a rule took it out (a widget title, a promo headline)
        if removal is not None:
            ctx.removed.remove(removal)
        cands.insert(n, Candidate(Block("heading", text, level=int(el.tag[1])), css="structure"))


def _embed_posts(found: PageStructure, cands: list[Candidate], ctx: Context) -> None:
    """A kept block that is the text of an embedded post (a tweet, "View this post on Instagram") becomes the embed;
    more blocks of the same post are removed (kind social, recorded)."""
    posts = [item for item in found.items if item.absorbs]
    if not posts or not ctx.enabled("social:embedded-post", "social"):
        return
    for cand in cands:
        if cand.removed or cand.block.type not in ("quote", "paragraph", "list"):
            continue
        key = _candidate_key(cand)
        item = next((i for i in posts if key in i.absorbs), None)
        if item is None:
            continue
        ctx.record("social", "social:embedded-post", cand.text)
        if item.placed:
            cand.removed = True
        else:
            item.placed = True
            cand.block = item.block


def _on_page(item: Item, tree: HtmlElement, region: HtmlElement | None) -> bool:
    """Whether the item survived pruning (its holder is still in the tree) inside the article region."""
    if not is_attached(item.holder, tree):
        return False
    return region is None or item.holder is region or any(a is region for a in item.holder.iterancestors())


def _rebuild_tables(found: PageStructure, cands: list[Candidate]) -> None:
    """Tables the extractor kept, rebuilt from the page (real cells, spans expanded, header row); a quote or
    paragraph that is a data table's cells run together (a table inside a <blockquote>) becomes the table; the
    table block of a layout table becomes the paragraphs of its cells.

    Layout tables are left to the extractor: turned into <div>s before extraction, their columns read better,
    but the extractor then keeps and drops different text (devdata-readability: lwn-1, tumblr, wikipedia-2 lost
    body text), so only the block kind changes here, not the text."""
    items = [item for item in found.items if item.block.type == "table"]
    if not items and not found.layout_tables:
        return
    for n in range(len(cands) - 1, -1, -1):
        cand = cands[n]
        if cand.block.type not in ("table", "quote", "paragraph") or (cand.block.type != "table" and not items):
            continue
        letters = word_chars(fold(cand.text))
        key = letters[:TABLE_KEY_CHARS]
        if cand.block.type != "table":
            item = next((i for i in items if not i.placed and _sameword_chars(letters, i.block.text)), None)
        else:
            item = next((i for i in items if not i.placed and i.key == key), None)
        if item is not None:
            cand.block = item.block
            item.placed = True
            continue
        probe = key[:KEY_CHARS]
        if cand.block.type == "table" and any(probe in word_chars(fold(t.text_content())) for t in found.layout_tables):
            cells = [cell for row in cand.block.rows or [] for cell in row if cell]
            cands[n : n + 1] = [
                Candidate(Block("paragraph", cell), cand.links, 0, cand.css, cand.removed, cand.protected)
                for cell in cells
            ] or [cand]


def _sameword_chars(letters: str, text: str) -> bool:
    """Whether a block's word characters are those of a table's text (the cells run together)."""
    return len(letters) >= MIN_TABLE_LETTERS and letters == word_chars(fold(text))


def _attribution(quote: HtmlElement) -> str | None:
    """Who a <blockquote> quotes: its <cite> or <footer>, or the caption of the figure holding it.

    Read before pruning: trafilatura drops footers from the tree it is given.
    """
    source = next(quote.iter("footer", "cite"), None)
    if source is None:
        figure = quote.getparent()
        if figure is not None and figure.tag == "figure":
            source = next(figure.iter("figcaption"), None)
    if source is None:
        return None
    return clean_text(source.text_content()).lstrip("—–-― ").strip() or None
