"""The Article record: structured body blocks, metadata, removals and hashes."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

SCHEMA_VERSION = "1.1"
EXTRACTOR_VERSION = "cleanwire-0.1.0"
WORDS_PER_MINUTE = 230  # a common adult silent-reading speed, for reading_time_minutes
WORD = re.compile(r"\w+")


#: keys a block of each type always carries (null when the page gives no value), besides type and text
BLOCK_KEYS = {
    "heading": ("level",),
    "list": ("items",),
    "table": ("rows", "header"),
    "figure": ("src", "caption", "credit", "alt"),
    "embed": ("provider", "url"),
}
#: keys a block of each type carries only when set
OPTIONAL_KEYS = {"quote": ("attribution",), "table": ("caption",)}


@dataclass
class Block:
    """One body block: heading, paragraph, list, quote, table, code, figure or embed.

    `text` is what the block adds to the article's text: a table's caption and rows (cells joined by
    " | ", one line per row, a spanned cell once), nothing ("") for a figure or an embed (their caption,
    credit and URL stay out of the text, in the block).
    """

    type: str
    text: str
    level: int | None = None  # heading level 1-6
    items: list[str] | None = None  # list items
    rows: list[list[str]] | None = None  # table cells, row by row, a spanned cell repeated in every column it spans
    header: bool | None = None  # table: the first row is a header row
    src: str | None = None  # figure: image URL
    caption: str | None = None  # figure: caption without the credit; table: its <caption>
    credit: str | None = None  # figure: photographer / agency credit
    alt: str | None = None  # figure: the image's alt text
    provider: str | None = None  # embed: youtube, vimeo, twitter, instagram, tiktok, facebook, spotify,
    # apple_podcasts, soundcloud, or iframe for another embedded page
    url: str | None = None  # embed: URL of the embedded post, video or page
    attribution: str | None = None  # quote: who is quoted (the quote's <cite>, <footer> or figure caption)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "text": self.text}
        for key in BLOCK_KEYS.get(self.type, ()):
            out[key] = getattr(self, key)
        for key in OPTIONAL_KEYS.get(self.type, ()):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.type == "list" and out["items"] is None:
            out["items"] = [self.text] if self.text else []
        return out


@dataclass
class Removal:
    """One block or element the cleaner took out, and why."""

    kind: str
    rule: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "rule": self.rule, "text": self.text}  # asdict(), without its deep copy


@dataclass
class Media:
    """An image of the article with its caption and credit (kept out of the text)."""

    url: str | None
    caption: str | None = None
    credit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "caption": self.caption, "credit": self.credit}  # asdict(), without its deep copy


@dataclass
class Entry:
    """One live-blog update: its time, headline, body blocks and permalink (`new` is set by incremental crawls)."""

    time: str | None
    headline: str | None
    blocks: list[Block]
    url: str | None = None
    new: bool | None = None  # True: not in the previous revision of the record (see crawler state)
    level: int = field(default=2, repr=False)  # the headline's heading level in the body (not in the record)

    @property
    def text(self) -> str:
        return blocks_text(self.blocks)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "time": self.time,
            "headline": self.headline,
            "text": self.text,
            "blocks": [b.to_dict() for b in self.blocks],
            "url": self.url,
        }
        if self.new is not None:
            out["new"] = self.new
        return out


def normalise_for_hash(text: str) -> str:
    """Text folded for hashing: NFKC, lower case, words only."""
    return " ".join(WORD.findall(unicodedata.normalize("NFKC", text).lower()))


def content_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest()


def blocks_text(blocks: list[Block]) -> str:
    return "\n\n".join(b.text for b in blocks if b.text)


@dataclass
class Article:
    """The clean record of one article page; `to_dict()` is the JSON record of DESIGN.md."""

    url: str | None
    blocks: list[Block]
    title: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    publisher: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    author_bio: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    section: str | None = None
    image: str | None = None
    media: list[Media] = field(default_factory=list)
    is_accessible_for_free: bool | None = None
    access: str = "ok"  # cleaners.access state; evidence in provenance["access"]
    truncated: bool = False  # a paywalled or sign-in teaser cut short
    tdm_reserved: bool | None = None  # TDMRep; source and policy in provenance["tdm_reserved"]
    removed: list[Removal] = field(default_factory=list)
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    fetched_at: str | None = None
    revision: int | None = None
    previous_hash: str | None = None
    duplicate_of: str | None = None
    entries: list[Entry] = field(default_factory=list)  # live-blog updates in page order (empty: not a live blog)
    pages: list[str] = field(default_factory=list)  # URLs a multi-page article was merged from (empty: one page)
    chunk_tokens: int = 0  # to_dict() adds `chunks` of about this many tokens (0: none)
    record_markdown: bool = False  # to_dict() adds `markdown`

    @property
    def text(self) -> str:
        return blocks_text(self.blocks)

    @property
    def markdown(self) -> str:
        """The record as a Markdown document (YAML front matter, title, body from the blocks)."""
        from .markdown import to_markdown

        return to_markdown(self._record())

    @property
    def domain(self) -> str | None:
        url = self.url or self.canonical_url
        return (urlsplit(url).hostname or None) if url else None

    @property
    def word_count(self) -> int:
        return len(WORD.findall(self.text))

    @property
    def reading_time_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_PER_MINUTE)) if self.word_count else 0

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record, with `chunks` and `markdown` when the options asked for them."""
        record = self._record()
        if self.chunk_tokens:
            from .chunks import chunk_blocks

            record["chunks"] = chunk_blocks(record["blocks"], self.chunk_tokens)
        if self.record_markdown:
            from .markdown import to_markdown

            record["markdown"] = to_markdown(record)
        return record

    def _record(self) -> dict[str, Any]:
        text = self.text  # joined once: word count, reading time and hash read it too
        words = len(WORD.findall(text))
        return {
            "schema_version": SCHEMA_VERSION,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "domain": self.domain,
            "site_name": self.site_name,
            "publisher": self.publisher,
            "title": self.title,
            "description": self.description,
            "authors": list(self.authors),
            "organizations": list(self.organizations),
            "author_bio": self.author_bio,
            "date_published": self.date_published,
            "date_modified": self.date_modified,
            "language": self.language,
            "tags": list(self.tags),
            "section": self.section,
            "image": self.image,
            "media": [m.to_dict() for m in self.media],
            "is_accessible_for_free": self.is_accessible_for_free,
            "access": self.access,
            "truncated": self.truncated,
            "tdm_reserved": self.tdm_reserved,
            "blocks": [b.to_dict() for b in self.blocks],
            "text": text,
            "word_count": words,
            "reading_time_minutes": max(1, round(words / WORDS_PER_MINUTE)) if words else 0,
            "removed": [r.to_dict() for r in self.removed],
            "provenance": self.provenance,
            "content_hash": content_hash(text),
            "revision": self.revision,
            "previous_hash": self.previous_hash,
            "duplicate_of": self.duplicate_of,
            "fetched_at": self.fetched_at,
            "extractor_version": EXTRACTOR_VERSION,
            **({"entries": [e.to_dict() for e in self.entries]} if self.entries else {}),
            **({"pages": list(self.pages)} if self.pages else {}),
        }
