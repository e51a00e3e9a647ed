"""The one frozen options object that configures a cleaning run."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

MODES = ("precision", "balanced", "recall")
#: kinds each mode leaves in the text unless `--drop KIND` says otherwise (borderline lines recall keeps)
MODE_KEEPS = {"precision": frozenset(), "balanced": frozenset(), "recall": frozenset({"metadata"})}
#: per mode, the share of the kept text a JSON-LD articleBody must cover before blocks absent from it
#: are removed (None: never remove a block for being absent from articleBody)
MODE_JSONLD_COVERAGE = {"precision": 0.5, "balanced": 0.8, "recall": None}
#: per mode, the score a headline-shaped line of plain-text input needs to count as a promo (textinput)
MODE_PROMO_SCORE = {"precision": 1, "balanced": 2, "recall": 3}

#: every boilerplate kind a rule can remove (also the `removed[].kind` values)
KINDS = (
    "author_box",
    "promo",
    "ad_marker",
    "newsletter",
    "consent",
    "caption",
    "comments",
    "legal",
    "metadata",
    "widget",
    "social",
    "template",
    "site",
    "other",
)


@dataclass(frozen=True)
class SiteOverride:
    """Per-site selectors to drop or keep, from a sources/overrides TOML file."""

    domain: str
    drop: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()


@dataclass(frozen=True)
class Options:
    """How to clean a page. Immutable: derive variants with `options.with_(...)`."""

    mode: str = "balanced"  # precision | balanced | recall
    keep_kinds: frozenset[str] = frozenset()  # boilerplate kinds to leave in the text
    drop_kinds: frozenset[str] = frozenset()  # kinds removed even where the mode would keep them
    disabled_rules: frozenset[str] = frozenset()  # rule ids switched off
    site_overrides: tuple[SiteOverride, ...] = ()
    include_tables: bool = True
    min_text_chars: int = 200  # below this the page is not an article
    detect_language: bool = True
    guard: bool = True  # fall back to plain trafilatura's body where ours looks wrecked
    known_titles: tuple[str, ...] = ()  # headlines of other pages of the site (promo signal)
    fetched_at: str | None = None  # ISO time of the fetch, for provenance and date sanity
    chunk_tokens: int = 0  # records carry `chunks` of about this many tokens (0: no chunks)
    record_markdown: bool = False  # records carry `markdown` (front matter and body)
    article_signal: str | None = None  # the crawl's rule that judged the page an article (listed, url_date
    # ...): a website/WebPage type then raises no doubt on its own

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        unknown = (self.keep_kinds | self.drop_kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown boilerplate kind(s): {', '.join(sorted(unknown))}")
        if self.chunk_tokens < 0:
            raise ValueError(f"chunk_tokens must be 0 (no chunks) or more, not {self.chunk_tokens}")

    def with_(self, **changes: Any) -> Options:
        return replace(self, **changes)

    def removes(self, kind: str) -> bool:
        """Whether blocks of this kind are taken out of the text: --drop, then --keep, then the mode."""
        if kind in self.drop_kinds:
            return True
        return kind not in self.keep_kinds and kind not in MODE_KEEPS[self.mode]

    @property
    def jsonld_coverage(self) -> float | None:
        return MODE_JSONLD_COVERAGE[self.mode]

    def overrides_for(self, domain: str | None) -> SiteOverride | None:
        if not domain:
            return None
        for override in self.site_overrides:
            if domain == override.domain or domain.endswith("." + override.domain):
                return override
        return None


DEFAULT_OPTIONS = Options()
