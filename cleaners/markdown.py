"""A record as Markdown: YAML front matter (title, authors, dates, url, language, tags), then the body from its blocks."""

from __future__ import annotations

import json
import re
from typing import Any

#: record fields written to the front matter, in this order
FRONT_MATTER = ("title", "authors", "date_published", "date_modified", "url", "language", "tags")
#: how an embed's link reads, by provider
EMBED_LABELS = {
    "youtube": "YouTube video",
    "vimeo": "Vimeo video",
    "twitter": "Post on X",
    "instagram": "Instagram post",
    "tiktok": "TikTok video",
    "facebook": "Facebook post",
    "spotify": "Spotify",
    "apple_podcasts": "Apple Podcasts",
    "soundcloud": "SoundCloud",
    "iframe": "Embedded content",
}
#: characters that mean something anywhere in a Markdown line (GFM: | tables, ~ strike-through)
INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
ENTITY = re.compile(r"&(?=#?\w+;)")  # "&amp;" would be read as an entity
#: a line opening with these starts a heading, a list item or a setext underline ("- ", "#", "===")
LINE_START = re.compile(r"^([#+=\-])(?=\s|$|[#=\-]*$)")
ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")  # "1. " starts an ordered list
URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\n": "", "\r": ""}
#: characters YAML cannot hold as they are in a double-quoted scalar (besides '"' and '\\'):
#: C0 and C1 controls, DEL, the YAML 1.1 line breaks, the BOM, lone surrogates, U+FFFE/U+FFFF
YAML_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
YAML_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}


def escape(text: str) -> str:
    """Text shown as it is by a Markdown reader: special characters backslash-escaped, line by line."""
    lines = []
    for line in text.split("\n"):
        line = INLINE_SPECIAL.sub(r"\\\1", line)
        line = ENTITY.sub(r"\\&", line)
        line = LINE_START.sub(r"\\\1", line)
        line = ORDERED.sub(r"\1\\\2", line)
        lines.append(line)
    return "\n".join(lines)


def _url(url: str) -> str:
    """A URL usable as a link destination: characters that would end it percent-encoded."""
    return "".join(URL_UNSAFE.get(ch, ch) for ch in url.strip())


def yaml_string(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value`."""
    body = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + YAML_ESCAPE.sub(_yaml_char, body) + '"'


def _yaml_char(match: re.Match[str]) -> str:
    ch = match.group(0)
    return YAML_NAMED.get(ch) or f"\\u{ord(ch):04x}"


def yaml_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return yaml_string(str(value))


def front_matter(record: dict[str, Any]) -> str:
    """The record's metadata as a YAML block between '---' lines."""
    lines = ["---"]
    for key in FRONT_MATTER:
        value = record.get(key)
        if isinstance(value, list):
            lines.append(f"{key}:" + ("" if value else " []"))
            lines.extend(f"  - {yaml_value(v)}" for v in value)
        else:
            lines.append(f"{key}: {yaml_value(value)}")
    lines.append("---")
    return "\n".join(lines)


def block_markdown(block: dict[str, Any]) -> str:
    """One block (a record's `blocks[]` entry) as Markdown; "" for a block with nothing to show."""
    kind = block.get("type")
    text = block.get("text") or ""
    if kind == "heading":
        return "#" * min(max(block.get("level") or 2, 1), 6) + " " + escape(text.replace("\n", " "))
    if kind == "list":
        return "\n".join(f"- {escape(item)}" for item in (block.get("items") or text.split("\n")) if item)
    if kind == "quote":
        lines = [f"> {escape(line)}" for line in text.split("\n") if line]
        if block.get("attribution"):
            lines += [">", f"> — {escape(block['attribution'])}"]
        return "\n".join(lines)
    if kind == "code":
        fence = "`" * max(3, _longest_run(text, "`") + 1)
        return f"{fence}\n{text}\n{fence}"
    if kind == "table":
        return _table(block.get("rows") or [], bool(block.get("header")))
    if kind == "figure":
        return _figure(block)
    if kind == "embed":
        url = block.get("url")
        if not url:
            return ""
        label = EMBED_LABELS.get(block.get("provider") or "", EMBED_LABELS["iframe"])
        return f"[{escape(label)}]({_url(url)})"
    return "\\\n".join(escape(line) for line in text.split("\n"))  # a <br> inside a paragraph: a hard break


def _longest_run(text: str, ch: str) -> int:
    return max((len(m) for m in re.findall(re.escape(ch) + "+", text)), default=0)


def _cell(text: str) -> str:
    return escape(" ".join(text.split()))


def _table(rows: list[list[str]], header: bool) -> str:
    """A GFM table; a table without a header row gets an empty one (GFM needs one)."""
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [list(r) + [""] * (width - len(r)) for r in rows]
    head, body = (rows[0], rows[1:]) if header else ([""] * width, rows)
    return "\n".join([_row(head), "|" + " --- |" * width, *(_row(r) for r in body)])


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _figure(block: dict[str, Any]) -> str:
    """The image, then its caption in italics and its credit on the next line."""
    caption, credit, src = block.get("caption"), block.get("credit"), block.get("src")
    lines = []
    if src:
        alt = block.get("alt") or caption or ""
        lines.append(f"![{escape(' '.join(alt.split()))}]({_url(src)})")
    under = " ".join(
        filter(None, [f"*{escape(caption)}*" if caption else None, f"({escape(credit)})" if credit else None])
    )
    if under:
        lines.append(under)
    return "\\\n".join(lines)


def body_markdown(blocks: list[dict[str, Any]]) -> str:
    """The blocks as Markdown, a blank line between blocks."""
    return "\n\n".join(part for part in map(block_markdown, blocks) if part)


def to_markdown(record: dict[str, Any]) -> str:
    """The whole record as a Markdown document: front matter, the title as a level-1 heading, the body."""
    parts = [front_matter(record)]
    if record.get("title"):
        parts.append("# " + escape(" ".join(record["title"].split())))
    body = body_markdown(record.get("blocks") or [])
    if body:
        parts.append(body)
    return "\n\n".join(parts) + "\n"
