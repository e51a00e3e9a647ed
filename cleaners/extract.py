"""The cleaner: decode, parse once, read metadata, prune, extract, filter, build the Article."""

from __future__ import annotations

from lxml.html import HtmlElement

from .access import OK, Access, Free, Headers, decide, scan_access
from .article import Article, Block, blocks_text
from .audit import audit_dropped, text_elements
from .body import Candidate, extract_body, same_site, to_candidates
from .cards import drop_link_cards
from .context import Context
from .decode import decode
from .filters import filter_blocks
from .guard import Verdict, guard, prose_chars
from .liveblog import LiveBlog, compose_body, drop_entry_lines, find_live_blog
from .meta.metadata import Metadata, apply_language, extract_metadata
from .multipage import PageLinks, page_links
from .options import DEFAULT_OPTIONS, Options
from .parse import parse
from .prune import apply_site_overrides, collect_media, prune, scan_page, strip_code
from .recover import recover_lost, recover_paragraphs, recover_standfirst, script_body
from .structure import place_structure, scan_structure
from .tdm import NOT_DECLARED, Tdm, combine, from_headers, from_meta
from .text import clean_text, fold, join_url, text_of, url_host, word_count

MIN_ANCHOR_WORDS = 4  # shorter link texts are menu items, not headlines of other articles
NOT_ARTICLE_TYPES = ("website", "profile", "collectionpage", "webpage", "searchresultspage", "aboutpage", "contactpage")
GUARDED_REASONS = ("no main content found", "too little text")  # not-an-article reasons the guard checks
LISTING_TYPES = ("collectionpage", "searchresultspage", "aboutpage", "contactpage", "profilepage")  # never an article


def extract(
    html: bytes | str,
    url: str | None = None,
    options: Options = DEFAULT_OPTIONS,
    *,
    http_charset: str | None = None,
    headers: Headers = None,
    tdm: Tdm | None = None,
) -> Article | None:
    """Clean one page: an Article, or None when the page holds no article (or a bot challenge, consent
    dialog or script shell instead of one: see `clean(...).access`).

    `headers` are the HTTP response headers (access and TDM evidence); `tdm` what the site's tdmrep.json
    says of this page, when the caller read it. Raises the `cleaners.errors` exceptions for input that is
    not an HTML document.
    """
    result = clean(html, url, options, http_charset=http_charset, headers=headers, tdm=tdm, links=False)
    return result.article


class Result:
    """An extraction with its working state, for `explain`: kept and removed candidates in order."""

    def __init__(
        self,
        article: Article | None,
        candidates: list[Candidate],
        ctx: Context,
        meta: Metadata,
        reason: str | None,
        pages: PageLinks | None = None,
        access: Access = OK,
        tdm: Tdm = NOT_DECLARED,
    ) -> None:
        self.article = article
        self.page_links = pages or PageLinks()  # the rest of a multi-page article (crawler and extract fetch it)
        self.candidates = candidates
        self.ctx = ctx
        self.meta = meta
        self.not_article_reason = reason
        self.access = access  # the page's access state, also when no article was emitted
        self.tdm = tdm  # the TDM reservation found (header, meta, tdmrep.json)


def clean(
    html: bytes | str,
    url: str | None = None,
    options: Options = DEFAULT_OPTIONS,
    *,
    http_charset: str | None = None,
    headers: Headers = None,
    tdm: Tdm | None = None,
    parsed: tuple[str, HtmlElement] | None = None,
    links: bool = True,
) -> Result:
    """`parsed`: (text, tree) of parse_document(html, url, http_charset) when the caller read the tree first (a crawl
    worker reads the page's links from it); the tree is pruned in place. `links=False` leaves `page_links` empty
    (the rest of a multi-page article is not looked for: `extract` returns the article alone)."""
    doc, tree = parsed if parsed is not None else parse_document(html, url, http_charset)
    meta = extract_metadata(tree, url, options.fetched_at)
    access_scan = scan_access(tree, doc, headers=headers, url=url, free=_free(meta))
    reservation = combine(from_headers(headers), from_meta(tree), tdm)
    ctx = Context(
        options,
        url=url,
        author_names=tuple(meta.authors),
        article_body=meta.article_body,
        description=fold(meta.description or "") or None,
    )
    anchors = _anchor_texts(tree, url) | frozenset(fold(t) for t in options.known_titles)
    pages = page_links(tree, url) if links else PageLinks()
    prose = prose_chars(tree)
    live = find_live_blog(tree, url, meta.live_updates)
    if live is not None:
        ctx.kept.extend(live.elements)  # entries are never pruned as promos or teaser cards
    strip_code(tree)
    apply_site_overrides(tree, ctx)
    scan = scan_page(tree, options.mode)
    structure = scan_structure(scan.elements, ctx)
    collect_media(tree, ctx, scan)
    prune(tree, ctx, scan)
    drop_link_cards(tree, ctx)
    body = extract_body(tree, url, options, len(ctx.article_body or ""))
    candidates = to_candidates(body, url) if body is not None else []
    if not candidates:
        candidates = script_body(doc, url, options)
    texts = text_elements(tree)
    if options.mode != "precision":
        recover_paragraphs(texts, candidates, ctx, anchors)
        recover_lost(texts, candidates, ctx, anchors)
    filter_blocks(candidates, ctx, meta.title, anchors)
    if options.mode != "precision":
        recover_standfirst(scan.elements, candidates, ctx)
    audit_dropped(texts, candidates, ctx, anchors)
    place_structure(structure, tree, texts, candidates, ctx)
    blocks = [c.block for c in candidates if not c.removed]
    reason = _not_article_reason(blocks, meta, options)
    verdict = Verdict("cleanwire", reason or "ok")
    if options.guard and live is None and (reason is None or reason.startswith(GUARDED_REASONS)):
        verdict, fallback = guard(doc, url, candidates, ctx, options, prose, meta.title)
        if fallback is not None:
            candidates = fallback
            blocks = [c.block for c in candidates if not c.removed]
    meta.provenance["body"] = verdict.provenance()
    if live is not None:
        drop_entry_lines(live, ctx)
        blocks = compose_body(blocks, live, ctx)
    access = decide(access_scan, blocks_text(blocks), [r.text for r in ctx.removed])
    reason = _not_article_reason(blocks, meta, options)
    if access.blocks_emission or (reason and access.state != "ok"):
        reason = access.describe()  # why there is no article: the wall, not the short text it left
    article = None if reason else _build(blocks, meta, ctx, options, live, access, reservation)
    return Result(article, candidates, ctx, meta, reason, pages, access, reservation)


def _free(meta: Metadata) -> Free | None:
    """The metadata's isAccessibleForFree with its provenance, for the access rules."""
    if meta.is_accessible_for_free is None:
        return None
    found = meta.provenance["is_accessible_for_free"]
    return meta.is_accessible_for_free, found["source"], found["raw"]


def parse_document(
    html: bytes | str, url: str | None = None, http_charset: str | None = None
) -> tuple[str, HtmlElement]:
    """The page decoded and parsed as clean() does it: (text, tree); the cleaners.errors exceptions as clean()."""
    source = url or "<input>"
    doc = decode(html, http_charset, source)
    return doc, parse(doc, source)


def _anchor_texts(tree: HtmlElement, url: str | None) -> frozenset[str]:
    """Link texts of the page that point to other pages of the same site (headlines of promos)."""
    if not url:
        return frozenset()
    here = url.split("#")[0].rstrip("/")
    host = url_host(url)
    out = set()
    for a in tree.iter("a"):
        href = a.get("href")
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if host and href.startswith("http") and host not in href:
            continue  # another site: checked before the (costlier) link text
        raw = text_of(a)
        if len(raw.split()) < MIN_ANCHOR_WORDS:
            continue
        target = join_url(url, href)
        if target.split("#")[0].rstrip("/") == here or not same_site(target, url):
            continue
        text = clean_text(raw)
        if word_count(text) >= MIN_ANCHOR_WORDS:
            out.add(fold(text))
    return frozenset(out)


def _not_article_reason(blocks: list[Block], meta: Metadata, options: Options) -> str | None:
    text_chars = sum(len(b.text) for b in blocks if b.type != "heading")
    if not blocks:
        return "no main content found"
    if text_chars < options.min_text_chars:
        return f"too little text ({text_chars} characters)"
    page_type = (meta.page_type or "").lower()
    if page_type in LISTING_TYPES:
        return f"listing page ({meta.page_type})"
    if page_type in NOT_ARTICLE_TYPES and text_chars < 4 * options.min_text_chars and not options.article_signal:
        return f"page type {meta.page_type!r} with little text"  # a doubt the crawl's article verdict outweighs
    return None


def _build(
    blocks: list[Block],
    meta: Metadata,
    ctx: Context,
    options: Options,
    live: LiveBlog | None,
    access: Access,
    reservation: Tdm,
) -> Article:
    bio = " ".join(dict.fromkeys(ctx.bio_parts)) or None
    apply_language(meta, blocks_text(blocks), options.detect_language)
    if access.state == "paywall" and access.source is not None:
        meta.set(
            "is_accessible_for_free", False, access.source, access.matched
        )  # a paywall the metadata did not declare
    provenance = dict(meta.provenance)
    for name, evidence in (("access", access.evidence()), ("tdm_reserved", reservation.evidence())):
        if evidence is not None:
            provenance[name] = evidence
    return Article(
        url=ctx.url,
        blocks=blocks,
        title=meta.title,
        canonical_url=meta.canonical_url,
        site_name=meta.site_name,
        publisher=meta.publisher,
        description=meta.description,
        authors=meta.authors,
        organizations=meta.organizations,
        author_bio=bio,
        date_published=meta.date_published,
        date_modified=meta.date_modified,
        language=meta.language,
        tags=meta.tags,
        section=meta.section,
        image=meta.image,
        media=ctx.media,
        is_accessible_for_free=meta.is_accessible_for_free,
        access=access.state,
        truncated=access.truncated,
        tdm_reserved=reservation.reserved,
        removed=ctx.removed,
        provenance=provenance,
        fetched_at=options.fetched_at,
        entries=live.entries if live is not None else [],
        chunk_tokens=options.chunk_tokens,
        record_markdown=options.record_markdown,
    )
