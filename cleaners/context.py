"""The per-page working state passed between cleaning steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .article import Media, Removal
from .options import Options

MAX_REMOVAL_CHARS = 1000  # a removed chunk's text is cut to this length in removed[]
MAX_CHUNKS_PER_ELEMENT = 30  # removed[] records at most this many chunks of one element


@dataclass
class Context:
    """What one page's cleaning has found so far: removals, author bio parts, media."""

    options: Options
    url: str | None = None
    author_names: tuple[str, ...] = ()
    article_body: str | None = None  # folded JSON-LD articleBody, when the page has one
    description: str | None = None  # folded standfirst / og:description
    removed: list[Removal] = field(default_factory=list)
    bio_parts: list[str] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    kept: list[Any] = field(default_factory=list)  # elements a site override protects

    @property
    def host(self) -> str | None:
        return (urlsplit(self.url).hostname or None) if self.url else None

    def enabled(self, rule_id: str, kind: str) -> bool:
        return rule_id not in self.options.disabled_rules and self.options.removes(kind)

    def record(self, kind: str, rule: str, texts: list[str] | str) -> None:
        if isinstance(texts, str):
            texts = [texts]
        for text in texts[:MAX_CHUNKS_PER_ELEMENT]:
            if text:
                if len(text) > MAX_REMOVAL_CHARS:
                    text = text[: MAX_REMOVAL_CHARS - 1] + "…"
                self.removed.append(Removal(kind, rule, text))
