"""Site template removal: blocks a site repeats on many of its articles come out of a record as kind `template`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from .article import WORD, WORDS_PER_MINUTE, content_hash, normalise_for_hash
from .text import fold

MAX_TEMPLATE_WORDS = 120  # longer blocks are never template (a repeated long block is body text syndicated)


def block_hash(text: str) -> str:
    """The key a text block is counted under for site template learning (shared with the crawl state)."""
    return hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest()[:32]


def record_block_hashes(record: dict[str, Any]) -> dict[str, str]:
    """hash -> text of a record's blocks short enough to be template, for counting in the state."""
    return {
        block_hash(b["text"]): b["text"]
        for b in record.get("blocks") or ()
        if b.get("text") and len(WORD.findall(b["text"])) <= MAX_TEMPLATE_WORDS
    }


def is_kept(text: str, keep: Iterable[str]) -> bool:
    """A per-site `keep` phrase at the start of a block protects it (a recurring column's standard intro)."""
    folded = fold(text)
    return any(folded.startswith(fold(phrase)) for phrase in keep if phrase.strip())


def remove_template(
    record: dict[str, Any], template: frozenset[str] | set[str], site: str, keep: Iterable[str] = ()
) -> int:
    """Take the site's template blocks out of a record dict in place (text, counts, hash follow); how many went."""
    keep = tuple(keep)
    kept, removed = [], []
    for block in record.get("blocks") or ():
        text = block.get("text") or ""
        if text and block_hash(text) in template and not is_kept(text, keep):
            removed.append({"kind": "template", "rule": f"template:{site}", "text": text})
        else:
            kept.append(block)
    if not removed or not kept:
        return 0  # nothing to do, or the whole body repeats: leave the record as the cleaner made it
    gone = {r["text"] for r in removed}
    for entry in record.get("entries") or ():  # a live blog's entries hold the same blocks: they go there too
        blocks = [b for b in entry.get("blocks") or () if b.get("text") not in gone]
        if len(blocks) != len(entry.get("blocks") or ()):
            entry.update(blocks=blocks, text="\n\n".join(b["text"] for b in blocks if b.get("text")))
    text = "\n\n".join(b["text"] for b in kept if b.get("text"))
    words = len(WORD.findall(text))
    record.update(
        blocks=kept,
        text=text,
        word_count=words,
        content_hash=content_hash(text),
        reading_time_minutes=max(1, round(words / WORDS_PER_MINUTE)) if words else 0,
        removed=list(record.get("removed") or ()) + removed,
    )
    return len(removed)
