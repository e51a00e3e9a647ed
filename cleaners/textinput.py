"""Plain-text input: a naive scrape (one line or blank-line paragraph per block) cleaned into an Article."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .article import Article, Block
from .context import Context
from .errors import DecodeError
from .filters import BYLINE, author_rule_for, line_rule_for, phrase_rule_for
from .options import DEFAULT_OPTIONS, MODE_PROMO_SCORE, Options
from .text import INVISIBLE, clean_text, fold, word_count

WRAP_MIN_WIDTH, WRAP_MAX_WIDTH = 40, 100  # hard-wrapped text: every line but the last about this long ...
WRAP_EVENNESS = 0.6  # ... and none shorter than this share of the longest
MIN_HEADLINE_WORDS = 3  # shorter unpunctuated lines are labels, not headlines
MAX_HEADLINE_WORDS = 25  # longer lines are sentences, even without a full stop
MAX_HEADLINE_CHARS = 200
LONG_HEADLINE_WORDS = 11  # section headings are short; other articles' headlines run longer
MAX_NAME_WORDS = 4
MAX_BYLINE_WORDS = 16  # a longer line opening with "By" is a sentence
BYLINE_SPLIT = re.compile(r"\s*(?:[|·•—–,;]|\b(?:and|und|et|y|e|en|og|och|i|a)\b)\s*")
SENTENCE_END = re.compile(r"[.!?…:;。！？»”\"')\]]$")
NAME_WORD = re.compile(r"^(?:[^\W\d_][.]|[^\W\d_]{1,3}\.|[^\W\d_][^\W\d_'’.-]*(?:['’.-][^\W\d_]+)*)$")
ENUMERATION = re.compile(r"^\(?\d+[.)]\s")
DIGIT = re.compile(r"\d")
#: verbs news headlines lean on and section headings rarely carry (lower-case, per language)
HEADLINE_VERBS = re.compile(
    r"\b(says?|said|warns?|claims?|reportedly|urges?|vows?|slams?|denies|confirms?|announces?|reveals?|"
    r"sagt|warnt|fordert|kündigt|dit|affirme|annonce|avertit|afirma|anuncia|advierte|dice|denuncia|"
    r"annuncia|avverte|diz|alerta|zegt|waarschuwt|kondigt|sier|varsler|säger|varnar|mówi|ostrzega|"
    r"říká|varuje|diyor|uyardı|заявил|заявила|предупредил|пообещал)\b",
    re.IGNORECASE,
)
#: short words left lower case inside Title Case headings (articles, prepositions, conjunctions)
MINOR_WORD_CHARS = 3


@dataclass
class Unit:
    """One line or paragraph of the text, with the verdict of the rules."""

    text: str
    type: str = "paragraph"  # paragraph | heading
    kind: str | None = None  # set when removed
    rule: str | None = None

    @property
    def removed(self) -> bool:
        return self.kind is not None


def decode_text(data: bytes, source: str = "<input>") -> str:
    """UTF-8 (with or without BOM) text of a file; binary data or an HTML document raises DecodeError."""
    from .decode import BINARY_MAGIC

    for magic, what in BINARY_MAGIC:
        if data.startswith(magic):
            raise DecodeError(f"binary file (looks like {what}), not text", source)
    if b"\0" in data[:4096]:
        raise DecodeError("binary data, not text", source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not UTF-8 text (byte {exc.start})", source) from exc
    if HTML_START.match(text[:4096]):
        raise DecodeError("an HTML document, not plain text (use --input-format html)", source)
    return text


#: the start of an HTML document (markup where a plain-text scrape would have its title line)
HTML_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE | re.DOTALL
)


def split_units(text: str) -> list[str]:
    """Lines of the text grouped into blocks: hard-wrapped lines joined, other lines kept apart."""
    units: list[str] = []
    for para in re.split(r"\n\s*\n", INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))):
        lines = [x for x in (clean_text(x) for x in para.split("\n")) if x]
        wrapped = _hard_wrapped(lines)
        current = ""
        for line in lines:
            if current and (wrapped or _continues(current, line)):
                current += " " + line
            else:
                if current:
                    units.append(current)
                current = line
        if current:
            units.append(current)
    return units


def _hard_wrapped(lines: list[str]) -> bool:
    """Lines of one paragraph cut at a fixed width (every line but the last of about the same length)."""
    if len(lines) < 2:
        return False
    widths = [len(x) for x in lines[:-1]]
    return WRAP_MIN_WIDTH <= max(widths) <= WRAP_MAX_WIDTH and min(widths) >= WRAP_EVENNESS * max(widths)


def _continues(previous: str, line: str) -> bool:
    """A line that carries on the previous one's sentence (no sentence end before it, lower-case start)."""
    return not SENTENCE_END.search(previous) and line[:1].islower()


def case_style(text: str) -> str | None:
    """'title' (most words capitalised), 'sentence', or None for uncased scripts and one-word lines."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text)[1:] if len(w) > MINOR_WORD_CHARS]
    cased = [w for w in words if w[0].isupper() or w[0].islower()]
    if len(cased) < 2:
        return None
    upper = sum(1 for w in cased if w[0].isupper())
    return "title" if upper / len(cased) >= 0.75 else "sentence"


def is_name_line(text: str) -> bool:
    """A short line made of capitalised name words: 'Ruta R Deshpande', 'Lucía Romero'."""
    words = text.split()
    if not 2 <= len(words) <= MAX_NAME_WORDS or SENTENCE_END.search(text.rstrip(".")) or len(text) > 60:
        return False
    return all(NAME_WORD.match(w) and w[0].isupper() for w in words)


def find_authors(units: list[str]) -> list[str]:
    """Names of the author box or byline: a name line repeated, next to an author-box phrase or a bio, or 'By Name'."""
    found: list[str] = []
    for i, text in enumerate(units):
        names = byline_names(text)
        if names:
            found.extend(names)
            continue
        if not is_name_line(text) or phrase_rule_for(text) is not None:
            continue
        near = units[max(i - 2, 0) : i] + units[i + 1 : i + 3]
        if text in near or any(_author_phrase(x) for x in near) or _opens_bio(units[i + 1 : i + 3], text):
            found.append(text)
    return list(dict.fromkeys(found))


def byline_names(text: str) -> list[str]:
    """The names of a byline line: 'By Jane Doe and John Roe | 3 March 2025' -> both names."""
    rest = BYLINE.sub("", text)
    if rest == text or word_count(text) > MAX_BYLINE_WORDS:
        return []
    return [part for part in BYLINE_SPLIT.split(rest) if is_name_line(part)]


def _author_phrase(text: str) -> bool:
    rule = phrase_rule_for(text)
    return rule is not None and rule.kind == "author_box"


def _opens_bio(following: list[str], name: str) -> bool:
    probe = Context(DEFAULT_OPTIONS, author_names=(name,))
    return any((author_rule_for(x, probe) or "").startswith("author_box:bio") for x in following)


def headline_shaped(text: str) -> bool:
    """One unpunctuated line of headline length: a section heading or another article's headline."""
    n = word_count(text)
    return (
        MIN_HEADLINE_WORDS <= n <= MAX_HEADLINE_WORDS
        and len(text) <= MAX_HEADLINE_CHARS
        and not SENTENCE_END.search(text)
        and not ENUMERATION.match(text)
    )


def promo_score(text: str, title_style: str | None) -> int:
    """How much a headline-shaped line looks like another article's headline rather than a section heading."""
    score = 0
    style = case_style(text)
    if style and title_style:
        score += 1 if style == title_style else -1
    if word_count(text) >= LONG_HEADLINE_WORDS:
        score += 1
    if DIGIT.search(text):
        score += 1
    if HEADLINE_VERBS.search(text):
        score += 1
    return score


def _classify(units: list[Unit], ctx: Context, title: str | None, known: frozenset[str]) -> None:
    title_style = case_style(title) if title else None
    for unit in units:
        verdict = _verdict(unit, ctx, title_style, known)
        if verdict is None:
            continue
        kind, rule = verdict
        if not ctx.enabled(rule, kind):
            continue
        unit.kind, unit.rule = kind, rule
        if rule.startswith("author_box:bio"):
            ctx.bio_parts.append(unit.text)


def _verdict(unit: Unit, ctx: Context, title_style: str | None, known: frozenset[str]) -> tuple[str, str] | None:
    if fold(unit.text) in known:
        return "promo", "promo:known-title"
    verdict = line_rule_for(unit.text, ctx, frozenset())
    if verdict is not None:
        return verdict
    if byline_names(unit.text):
        return "metadata", "metadata:byline"
    if headline_shaped(unit.text):
        if promo_score(unit.text, title_style) >= MODE_PROMO_SCORE[ctx.options.mode]:
            return "promo", "promo:headline-line"
        unit.type = "heading"
    return None


def _orphan_headings(units: list[Unit], ctx: Context) -> None:
    """A heading with no kept paragraph before the next heading (or the end) was a widget title."""
    for i, unit in enumerate(units):
        if unit.removed or unit.type != "heading":
            continue
        section = []
        for nxt in units[i + 1 :]:
            if nxt.type == "heading" and not nxt.removed:
                break
            section.append(nxt)
        if all(x.removed for x in section) and ctx.enabled("widget:orphan-heading", "widget"):
            unit.kind, unit.rule = "widget", "widget:orphan-heading"


def analyse(
    text: str, url: str | None = None, options: Options = DEFAULT_OPTIONS, titles: tuple[str, ...] | list[str] = ()
) -> tuple[str | None, list[Unit], Context]:
    """The title, every unit with its verdict (in text order), and the context holding authors and bio."""
    lines = split_units(text)
    units = [Unit(x) for x in lines[1:]]
    ctx = Context(options, url=url, author_names=tuple(find_authors(lines[1:])))
    known = frozenset(fold(t) for t in (*titles, *options.known_titles) if t.strip())
    title = lines[0] if lines else None
    _classify(units, ctx, title, known)
    _orphan_headings(units, ctx)
    for unit in units:
        if unit.removed and unit.kind and unit.rule:
            ctx.record(unit.kind, unit.rule, unit.text)
    return title, units, ctx


def extract_text(
    text: str, url: str | None = None, options: Options = DEFAULT_OPTIONS, titles: tuple[str, ...] | list[str] = ()
) -> Article | None:
    """Clean a plain-text page: first line the title, boilerplate lines removed; None when no body is left."""
    title, units, ctx = analyse(text, url, options, titles)
    blocks = [Block(u.type, u.text, level=2 if u.type == "heading" else None) for u in units if not u.removed]
    if not any(b.type == "paragraph" for b in blocks):
        return None
    return Article(
        url=url,
        blocks=blocks,
        title=title,
        authors=list(ctx.author_names),
        author_bio=" ".join(dict.fromkeys(ctx.bio_parts)) or None,
        removed=ctx.removed,
        fetched_at=options.fetched_at,
        chunk_tokens=options.chunk_tokens,
        record_markdown=options.record_markdown,
    )
