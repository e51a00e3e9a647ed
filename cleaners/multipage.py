"""Multi-page articles: find the continuation (or all-on-one-page) link, tell a continuation page, merge the pages' records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml.html import HtmlElement

from .article import WORD, WORDS_PER_MINUTE, content_hash
from .body import same_site
from .rules.pagination import MAX_PAGE_NUMBER, ONE_PAGE_QUERY, ONE_PAGE_TEXT, PAGE_PARAMS, PAGE_PATH
from .text import fold, join_url

DIGIT = re.compile(r"\d")
ONE_PAGE_HINT = re.compile(
    r"pag|pág|seite|seitig|stron|sida"
)  # words every ONE_PAGE_TEXTS wording contains (cheap pre-check)


@dataclass(frozen=True)
class PageLinks:
    """Where the rest of a multi-page article is: the next page, the whole article on one page, the first page."""

    next: str | None = None  # the page after this one (?page=n+1, /n+1/, /page/n+1/, rel=next)
    one_page: str | None = None  # "view as one page"
    first: str | None = None  # on page 2 or later that links back to an earlier page: the earliest linked

    def __bool__(self) -> bool:
        return bool(self.next or self.one_page or self.first)


def _no_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def page_of(url: str) -> tuple[str, int]:
    """(the URL without its page number, the page number: 1 when it has none)."""
    parts = urlsplit(_no_fragment(url))
    path, query, number = parts.path, parse_qsl(parts.query, keep_blank_values=True), 1
    for key, value in query:
        if key.lower() in PAGE_PARAMS and value.isdigit() and 0 < int(value) <= MAX_PAGE_NUMBER:
            query, number = [(k, v) for k, v in query if (k, v) != (key, value)], int(value)
            break
    else:
        match = PAGE_PATH.search(path)
        if match and 0 < int(match["n"]) <= MAX_PAGE_NUMBER and match.start() > 0 and not _dated(path, match):
            path, number = path[: match.start()], int(match["n"])
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, urlencode(query), "")), number


def _dated(path: str, match: re.Match[str]) -> bool:
    """A bare number after another number (/2025/03/14/) is a date part, not a page."""
    if match.group(0).strip("/") != match["n"]:
        return False  # /page/2/: named
    before = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
    return before.isdigit()


def _base_key(url: str) -> str:
    base, _ = page_of(url)
    return base.rstrip("/").removeprefix("https:").removeprefix("http:").replace("//www.", "//")


def _hrefs(tree: HtmlElement, url: str) -> list[tuple[str, HtmlElement]]:
    """Absolute targets of the rel=next/prev <link>s and of the <a>s that may number a page or offer one page.

    Most links of a page are neither: an <a> is kept when its href names this article's path (its last
    segment, or a bare ?query) with a number or a query in it, or when its text has a "one page" word.
    """
    slug = urlsplit(page_of(url)[0]).path.rstrip("/").rsplit("/", 1)[-1]
    out = []
    for el in tree.iter("a", "link"):
        href = (el.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if el.tag == "link":
            rel = (el.get("rel") or "").lower()
            if "next" not in rel and "prev" not in rel:
                continue  # a stylesheet, an icon, a feed
        else:
            numbered = (not slug or slug in href or href.startswith("?")) and (
                "=" in href or DIGIT.search(href) is not None
            )
            if (
                not numbered
                and not ONE_PAGE_HINT.search((el.text or "").lower())
                and not (len(el) and ONE_PAGE_HINT.search(el.text_content()[:200].lower()))
            ):
                continue  # no page number of this article, no "one page" wording: not a page link (most links)
        out.append((join_url(url, href), el))
    return out


def _is_one_page(target: str, el: HtmlElement, url: str) -> bool:
    """A link offering the whole article: its text says so, or it is this page's path asking ?page=all."""
    if el.tag != "a":
        return False
    if ONE_PAGE_TEXT.search(fold(el.text_content())):
        return True
    parts = urlsplit(target)
    return parts.path.rstrip("/") == urlsplit(url).path.rstrip("/") and bool(ONE_PAGE_QUERY.search(parts.query))


def page_links(tree: HtmlElement, url: str | None) -> PageLinks:
    """The page's links to the rest of its article, read from the tree before anything is pruned.

    A next page is a link (an <a> in the page or a rel=next <link>) to the same site whose URL is this
    page's with the page number one higher; another article's or another site's "page 2" is not. A
    one-page link is one whose text offers the article on one page ("view as one page", "auf einer
    Seite lesen") or whose query asks for it (?page=all), on the same site.
    """
    if not url:
        return PageLinks()
    _, here = page_of(url)
    key = _base_key(url)
    nxt = one = None
    earlier: list[tuple[int, str]] = []
    for target, el in _hrefs(tree, url):
        rel = (el.get("rel") or "").lower().split()
        if el.tag == "link" and "next" not in rel and "prev" not in rel:
            continue
        if not same_site(target, url) or _no_fragment(target) == _no_fragment(url):
            continue
        if one is None and _is_one_page(target, el, url):
            one = _no_fragment(target)
            continue
        if _base_key(target) != key:
            continue
        _, number = page_of(target)
        if number == here + 1 and nxt is None:
            nxt = _no_fragment(target)
        elif number < here:
            earlier.append((number, _no_fragment(target)))
    first = min(earlier)[1] if earlier else None
    return PageLinks(nxt, one, first)


def is_later_page(url: str, first: str) -> bool:
    """Whether `url` numbers a later page (2, 3 ...) of the article at `first` (same path but for the number)."""
    return _base_key(url) == _base_key(first) and page_of(url)[1] > page_of(first)[1]


def wants_pages(links: PageLinks, max_pages: int) -> bool:
    """Whether a page is the first of an article with more pages to fetch (at most `max_pages` in all)."""
    return max_pages > 1 and bool(links.next or links.one_page) and not links.first


def same_article(first: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether a fetched continuation page continues the first page's article: same canonical URL or same headline."""
    canon_a, canon_b = first.get("canonical_url"), other.get("canonical_url")
    if canon_a and canon_b and (canon_a == canon_b or _base_key(canon_a) == _base_key(canon_b)):
        return True
    title_a, title_b = fold(first.get("title") or ""), fold(other.get("title") or "")
    return bool(title_a) and title_a == title_b


def merge_records(records: list[dict[str, Any]], urls: list[str], chunk_tokens: int = 0) -> dict[str, Any]:
    """One record of an article read from several pages: the first page's metadata, every page's body in order.

    A block the later pages repeat from an earlier one (the standfirst or a page header printed on every
    page) is kept once. `pages` lists the URLs in reading order; text, counts and hash are recomputed, and
    `markdown` and `chunks` (of `chunk_tokens`) when the first page's record has them.
    """
    merged = dict(records[0])
    seen: set[tuple[str, str]] = set()
    blocks: list[dict[str, Any]] = []
    for record in records:
        for block in record.get("blocks", []):
            key = (block.get("type", ""), fold(block.get("text", "")))
            if key in seen:
                continue
            seen.add(key)
            blocks.append(block)
    merged["blocks"] = blocks
    merged["text"] = "\n\n".join(b["text"] for b in blocks if b.get("text"))
    merged["removed"] = [r for record in records for r in record.get("removed", [])]
    merged["media"] = _unique([m for record in records for m in record.get("media", [])], "url")
    entries = _unique([e for record in records for e in record.get("entries", [])], "url", "headline", "text")
    if entries:
        merged["entries"] = entries
    words = len(WORD.findall(merged["text"]))
    merged["word_count"] = words
    merged["reading_time_minutes"] = max(1, round(words / WORDS_PER_MINUTE)) if words else 0
    merged["content_hash"] = content_hash(merged["text"])
    merged["pages"] = list(dict.fromkeys(urls))
    if chunk_tokens:
        from .chunks import chunk_blocks

        merged["chunks"] = chunk_blocks(blocks, chunk_tokens)
    else:
        merged.pop("chunks", None)  # the first page's chunks would cover that page only
    if "markdown" in merged:
        from .markdown import to_markdown

        merged["markdown"] = to_markdown(merged)
    return merged


def _unique(items: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    seen, out = set(), []
    for item in items:
        key = tuple(item.get(k) for k in keys)
        if key in seen and any(key):
            continue
        seen.add(key)
        out.append(item)
    return out


class Assembly:
    """The pages of one article being fetched: which URL to fetch next, and the merged record at the end.

    Fetching is the caller's (a Scrapy callback chain, a test's dict): `next_url()` names the page to fetch,
    `add(url, record, links)` gives back its extraction (record None when it failed or is no article).
    A one-page version is tried first; then each page's next link, at most `max_pages` pages in all, never
    a URL twice, never another site, and only pages that continue the same article (`same_article`).
    """

    def __init__(
        self, url: str, record: dict[str, Any], links: PageLinks, max_pages: int, chunk_tokens: int = 0
    ) -> None:
        self.url, self.max_pages, self.chunk_tokens = url, max_pages, chunk_tokens
        self.records, self.urls = [record], [url]
        self.seen = {_no_fragment(url)}
        self.one_page: dict[str, Any] | None = None
        self.pending = links.one_page if links.one_page and max_pages > 1 else None
        self.trying_one_page = self.pending is not None
        self.next_link = links.next
        if self.pending is None:
            self._advance()
        self.rejected: list[tuple[str, str]] = []  # (url, why) of pages fetched and not merged

    def _advance(self) -> None:
        target = self.next_link
        self.next_link = None
        if (
            target
            and _no_fragment(target) not in self.seen
            and len(self.urls) < self.max_pages
            and same_site(target, self.url)
        ):
            self.pending = target
        else:
            self.pending = None

    def next_url(self) -> str | None:
        return self.pending

    def add(self, url: str, record: dict[str, Any] | None, links: PageLinks, reason: str = "not an article") -> None:
        """The fetched `next_url()` page's record (None: failed or not an article, with `reason`)."""
        self.seen.add(_no_fragment(url))
        if record is None or not same_article(self.records[0], record):
            self.rejected.append((url, reason if record is None else "another article"))
            if self.trying_one_page:
                self.trying_one_page = False
                self._advance()  # back to the page-by-page links of the first page
            else:
                self.pending = None
            return
        if self.trying_one_page:
            self.trying_one_page = False
            if len(record.get("text", "")) > len(self.records[0].get("text", "")):
                self.one_page, self.pending = record, None
                self.urls.append(url)
                return
            self.rejected.append((url, "no longer than the first page"))
            self._advance()
            return
        self.records.append(record)
        self.urls.append(url)
        self.next_link = links.next
        self._advance()

    def result(self) -> dict[str, Any]:
        """The article's record: the first page's when nothing was added, else the merged one with `pages`."""
        if self.one_page is not None:
            merged = dict(
                self.one_page,
                url=self.records[0].get("url"),
                canonical_url=self.records[0].get("canonical_url") or self.one_page.get("canonical_url"),
            )
            merged["pages"] = list(self.urls)
            return merged
        if len(self.records) == 1:
            return self.records[0]
        return merge_records(self.records, self.urls, self.chunk_tokens)
