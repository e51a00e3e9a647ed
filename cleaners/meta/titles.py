"""The headline: og:title, JSON-LD headline, <h1>, <title>, with site-name suffixes and prefixes removed by agreement."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Set
from functools import lru_cache

from ..text import clean_text
from .rules import TITLE_SEPARATOR

MIN_KEY_CHARS = 3  # shorter site keys ("de", "tv") match too much
MAX_SITE_WORDS = 6  # a longer segment is part of the headline, not a site name
MIN_ABBREVIATION = 2  # "dw", "bbc": a site's short form of at least this many letters
SKIPPABLE = frozenset(("the", "of", "and", "la", "le", "les", "el", "los", "las", "il", "die", "der", "das", "de"))
MIN_COMMON_WORDS = 3  # a shared headline tail must have at least this many words
META_ORIGINS = ("headline", "og:title", "twitter:title")  # sources written for machines, not the page layout
MAX_SUFFIX_WORDS = 3  # "Headline | Sport": a longer rest is part of a longer headline, not a section
END_SEPARATOR = re.compile(r"(?:\s[|\-–—·•:/»«~]|:|[|ㅣ｜])\s*$")
ELLIPSIS_END = re.compile(r"\s*(?:…|\.\.\.)$")  # "A headline that was cut…", "... cut..."
TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})


def unescape(text: str | None) -> str:
    """Entities left in meta values and JSON-LD strings ("&ouml;", "&#039;") decoded, whitespace cleaned."""
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(html.unescape(text))
    return clean_text(text)


@lru_cache(maxsize=4096)
def key(text: str) -> str:
    """Letters and digits only, lower case, accents dropped: "Börsen-Zeitung" -> "borsenzeitung"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if c.isalnum())


@lru_cache(maxsize=4096)
def _keys(text: str) -> frozenset[str]:
    return frozenset((key(text), key(text.casefold().translate(TRANSLIT))))


def site_keys(names: list[str], host: str | None) -> set[str]:
    """Keys a site-name segment may match: the site's names and the host's main label."""
    out: set[str] = set()
    for name in names:
        out |= _keys(name)
    if host:
        labels = [lab for lab in host.lower().split(".") if lab not in ("www", "m", "amp", "edition")]
        if labels:
            out |= _keys(labels[0] if len(labels) < 3 else labels[-3] if len(labels[-2]) <= 3 else labels[-2])
            out |= _keys(".".join(labels))
    return {k for k in out if len(k) >= MIN_KEY_CHARS}


def short_keys(names: list[str], host: str | None) -> set[str]:
    """Keys a site's name may abbreviate, short ones kept ("dw", "lestimes"): the site's names and host label."""
    out = set()
    for name in names:
        out.add(key(name))
    if host:
        labels = [lab for lab in host.lower().split(".") if lab not in ("www", "m", "amp", "edition")]
        if len(labels) >= 2:
            out.add(key(labels[-3] if len(labels) >= 3 and len(labels[-2]) <= 3 else labels[-2]))
    return {k for k in out if len(k) >= MIN_ABBREVIATION}


def abbreviates(name: str, short: set[str]) -> bool:
    """Whether a name of several words is written short as one of `short`: "Deutsche Welle" as "dw",
    "Lesotho Times" as "lestimes" (each word gives a leading part, in order; "the", "of" may give none)."""
    words = [key(w) for w in name.split() if key(w)]
    if len(words) < 2 or len(words) > MAX_SITE_WORDS:
        return False
    return any(_prefixes(words, k) for k in short)


@lru_cache(maxsize=4096)
def _prefixes_cached(words: tuple[str, ...], target: str) -> bool:
    if not words:
        return not target
    word, rest = words[0], words[1:]
    if word in SKIPPABLE and _prefixes_cached(rest, target):
        return True
    return any(
        target.startswith(word[:n]) and _prefixes_cached(rest, target[n:])
        for n in range(1, min(len(word), len(target)) + 1)
    )


def _prefixes(words: list[str], target: str) -> bool:
    return _prefixes_cached(tuple(words), target)


def is_site(segment: str, keys: set[str]) -> bool:
    """Whether a title segment names the site ("Golem.de", "The Namibian", "Daily Mail Online")."""
    if not segment or len(segment.split()) > MAX_SITE_WORDS:
        return False
    seg = _keys(segment)
    return any(s == k or (len(k) >= 4 and (k in s or (len(s) >= 4 and s in k))) for s in seg for k in keys)


def _split(text: str) -> list[str]:
    """Text cut at separators, separators kept: ["Head", " | ", "Site"]."""
    parts, pos = [], 0
    for m in TITLE_SEPARATOR.finditer(text):
        if m.start() == 0 or m.end() == len(text):
            continue
        parts += [text[pos : m.start()], m.group()]
        pos = m.end()
    return parts + [text[pos:]]


def strip_site(text: str, keys: set[str], extra: Set[str] = frozenset()) -> str:
    """Drop site-name (and section, in `extra`) segments at the end and a site-name segment at the start."""
    parts = _split(text)
    removed = False
    while len(parts) >= 3 and (is_site(parts[-1], keys) or (removed and key(parts[-1]) in extra)):
        parts, removed = parts[:-2], True
    if len(parts) >= 3 and is_site(parts[0], keys) and parts[1].strip() in (":", "|", "-", "–", "—", "·", ""):
        parts = parts[2:]
    return "".join(parts).strip()


def strip_by_agreement(text: str, others: list[str]) -> str:
    """ "Headline | Sport" becomes "Headline" when another source gives exactly "Headline"."""
    for other in sorted(others, key=len, reverse=True):
        if other and other != text and text.startswith(other) and len(other.split()) >= 2:
            rest = text[len(other) :]
            m = TITLE_SEPARATOR.match(rest)
            if m and 0 < len(rest[m.end() :].split()) <= MAX_SUFFIX_WORDS:
                return other
    return text


def strip_kicker(text: str, others: list[str]) -> str:
    """ "Kicker: Headline" becomes "Headline" when another metadata source gives exactly "Headline"."""
    for other in others:
        head = text[: len(text) - len(other)]
        if (
            other
            and other != text
            and text.endswith(other)
            and len(other.split()) >= MIN_COMMON_WORDS
            and END_SEPARATOR.search(head)
            and len(_split(head + "x")) == 3
        ):
            return other
    return text


def common_tail(a: str, b: str) -> str | None:
    """The shared headline when two sources add different kickers: "K1: Head" and "K2 - Head" -> "Head"."""
    pa = _split(a)
    if len(pa) < 3:
        return None
    tail = "".join(pa[2:])
    head = b[: len(b) - len(tail)]
    if (
        b.endswith(tail)
        and head
        and len(tail.split()) >= MIN_COMMON_WORDS
        and END_SEPARATOR.search(head)
        and len(_split(head + "x")) == 3
        and not set(key_words(head)) & set(key_words(pa[0]))
    ):
        return tail
    return None


def key_words(text: str) -> list[str]:
    return [key(w) for w in text.split() if key(w)]


def untruncate(text: str, others: list[str]) -> str:
    """ "Headline that is cut…" becomes the full headline another source gives that starts with the same words."""
    m = ELLIPSIS_END.search(text)
    if not m:
        return text
    stem = text[: m.start()]
    if len(stem.split()) < MIN_COMMON_WORDS:
        return text
    full = [o for o in others if len(o) > len(stem) + 1 and o.startswith(stem) and not ELLIPSIS_END.search(o)]
    return max(full, key=len) if full else text


def choose_title(
    candidates: list[tuple[str, str, str]], keys: set[str], extra: set[str]
) -> tuple[str, str, str] | None:
    """(title, source, raw) from (origin, source, raw) candidates in priority order; origin "h1" for headings."""
    cleaned = [(o, s, r, strip_site(unescape(r), keys, extra)) for o, s, r in candidates]
    cleaned = [c for c in cleaned if c[3] and not _keys(c[3]) & keys]  # "Coast Daily" alone: the logo's <h1>
    if not cleaned:
        return None
    origin, source, raw, title = cleaned[0]
    title = untruncate(title, [c[3] for c in cleaned[1:]])
    title = strip_by_agreement(title, [c[3] for c in cleaned])
    title = strip_kicker(title, [c[3] for c in cleaned[1:] if c[0] in META_ORIGINS])
    texts = [c[3] for c in cleaned]
    same = [t for t in (strip_by_agreement(t, texts) for t in texts) if key(t) == key(title)]
    title = max(same, key=lambda t: (same.count(t), t == title))  # the punctuation most sources use
    h1 = next((c[3] for c in cleaned if c[0] == "h1"), None)
    if h1 and origin != "h1" and title not in h1 and h1 not in title:
        title = common_tail(title, h1) or title
    given = next((c for c in cleaned if c[3] == title), None)  # the source that gives the title as it is
    return (title, given[1], given[2]) if given else (title, source, raw)
