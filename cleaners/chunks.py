"""The body cut into heading-bounded chunks of about N tokens that cover the record's text exactly once.

A chunk never crosses a heading (a heading opens a new chunk, and always shares it with what
follows it: the chunk may then pass N by the heading's tokens); inside a section whole blocks
are packed while they fit, a block larger than N on its own is cut at line breaks and sentence
ends, and a sentence larger than N at spaces (only then is a sentence cut). The chunks' texts
joined with the whitespace that separated them in `text` ("\\n\\n" between blocks, the space or
line break inside a block) give `text` back exactly; nothing is stripped or added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

BLOCK_SEPARATOR = "\n\n"  # between blocks in the record's text (article.blocks_text)
#: an approximate token: a CJK or kana/hangul character, a piece of a word up to 6 characters, or a punctuation mark
TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]{1,6}|[^\w\s]"
)
#: where a block may be cut, best first: its line breaks (list items, table rows, <br>), then sentence ends
LINE_BREAK = re.compile(r"\n+")
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*( +)|(?<=[。！？])[」』）]*( *)")
SPACE = re.compile(r" +")


def count_tokens(text: str) -> int:
    """An approximate token count (about what a subword tokenizer gives for news text)."""
    return len(TOKEN.findall(text))


@dataclass
class Piece:
    """A run of one block's text, with the whitespace that separates it from the piece before."""

    text: str
    block: int
    separator: str
    tokens: int


def _cut(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """(separator before, part) pairs of `text` cut at the whitespace `pattern` matches; "" before the first."""
    parts, start, sep = [], 0, ""
    for match in pattern.finditer(text):
        group = next((g for g in range(1, (pattern.groups or 0) + 1) if match.group(g) is not None), 0)
        cut_at, resume = match.span(group)
        if cut_at <= start or resume >= len(text):
            continue
        parts.append((sep, text[start:cut_at]))
        sep, start = text[cut_at:resume], resume
    parts.append((sep, text[start:]))
    return parts


def _split(text: str, limit: int, patterns: tuple[re.Pattern[str], ...]) -> list[tuple[str, str]]:
    """`text` as (separator, part) pairs, cut with the first pattern, parts still over `limit` with the next."""
    if count_tokens(text) <= limit or not patterns:
        return [("", text)]
    out: list[tuple[str, str]] = []
    for sep, part in _cut(text, patterns[0]):
        sub = _split(part, limit, patterns[1:])
        out.append((sep, sub[0][1]))
        out.extend(sub[1:])
    return out


def _pieces(blocks: list[dict[str, Any]], limit: int) -> list[Piece | int]:
    """The text blocks as pieces in order, an int (the block's index) where a heading opens a section."""
    out: list[Piece | int] = []
    first = True
    for index, block in enumerate(blocks):
        text = block.get("text") or ""
        if not text:
            continue
        if block.get("type") == "heading":
            out.append(index)
        for n, (sep, part) in enumerate(_split(text, limit, (LINE_BREAK, SENTENCE_END, SPACE))):
            separator = sep if n else ("" if first else BLOCK_SEPARATOR)
            out.append(Piece(part, index, separator, count_tokens(part)))
        first = False
    return out


def chunk_blocks(blocks: list[dict[str, Any]], max_tokens: int) -> list[dict[str, Any]]:
    """Chunks of a record's blocks (`blocks[]` entries): `{heading_path, text, blocks: [first, last], tokens}`."""
    if max_tokens < 1:
        raise ValueError(f"chunk size must be 1 token or more, not {max_tokens}")
    chunks: list[dict[str, Any]] = []
    path: list[tuple[int, str]] = []
    current: list[Piece] = []
    tokens = 0

    def heading_only(pieces: list[Piece]) -> bool:
        return all(blocks[p.block].get("type") == "heading" for p in pieces)

    def close() -> None:
        if current:
            text = current[0].text + "".join(p.separator + p.text for p in current[1:])
            chunks.append(
                {
                    "heading_path": [t for _, t in path],
                    "text": text,
                    "blocks": [current[0].block, current[-1].block],
                    "tokens": count_tokens(text),
                }
            )
        current.clear()

    for piece in _pieces(blocks, max_tokens):
        if isinstance(piece, int):
            close()
            tokens = 0
            level = blocks[piece].get("level") or 2
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, " ".join(blocks[piece]["text"].split())))
            continue
        if current and tokens + piece.tokens > max_tokens and not heading_only(current):
            close()
            tokens = 0
        current.append(piece)
        tokens += piece.tokens
    close()
    return chunks


def chunk_jsonl_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per chunk of a record (for `--format chunks`): the chunk with the record's url and content_hash."""
    return [
        {"url": record.get("url"), "content_hash": record.get("content_hash"), "chunk": n, **chunk}
        for n, chunk in enumerate(record.get("chunks") or [])
    ]
