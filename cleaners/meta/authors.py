"""Bylines to person names and organisations: prefixes, joins, roles, agencies, dates and e-mails removed."""

from __future__ import annotations

import re
import unicodedata

from .rules import (
    AGENCIES,
    BYLINE_PREFIX,
    BYLINE_PREFIX_LOWER,
    CREDIT,
    JOINERS,
    MAX_AUTHORS,
    MAX_NAME_WORDS,
    NOT_A_NAME,
    ORG_WORDS,
    PARENTHESES,
    PREFIX_WORDS,
    ROLE_WORDS,
    WITH_PREFIX,
)
from .titles import is_site, unescape

EDGE = re.compile(r"^[\s\W_]+|[\s\W_]+$")
WORD = re.compile(r"[\w.'’-]+")
LAST_FIRST = re.compile(r"^([^\W\d][\w'’-]*(?: [^\W\d][\w'’-]*)?), ([^\W\d][\w.'’ -]*)$")


class Byline:
    """Person names and organisations of one page, in byline order, without duplicates."""

    def __init__(self) -> None:
        self.persons: list[str] = []
        self.orgs: list[str] = []

    @classmethod
    def of_orgs(cls, orgs: list[str]) -> Byline:
        out = cls()
        _extend(out.orgs, orgs)
        return out

    def without_site(self, site: set[str]) -> Byline:
        """The site itself dropped from the organisations when people are named."""
        if self.persons:
            self.orgs = [o for o in self.orgs if not is_site(o, site)]
        return self

    def add(self, other: Byline) -> None:
        _extend(self.persons, other.persons)
        _extend(self.orgs, other.orgs)


def _extend(target: list[str], names: list[str]) -> None:
    seen = {n.casefold() for n in target}
    for name in names:
        if name.casefold() not in seen and len(target) < MAX_AUTHORS:
            target.append(name)
            seen.add(name.casefold())


def _strip_prefix(text: str) -> str:
    for _ in range(3):
        new = BYLINE_PREFIX_LOWER.sub("", BYLINE_PREFIX.sub("", text))
        if new == text:
            break
        text = new
    return text


def _strip_roles(part: str) -> str:
    """Role words at either end: "Autor Monika Bolliger" -> "Monika Bolliger", "Jane Doe Reporter" -> "Jane Doe"."""
    words = part.split()
    while words and EDGE.sub("", words[0]).casefold() in ROLE_WORDS:
        words = words[1:]
    while words and EDGE.sub("", words[-1]).casefold() in ROLE_WORDS:
        words = words[:-1]
    return " ".join(words)


def is_org(part: str, site: set[str]) -> bool:
    words = [w.casefold() for w in re.findall(r"\w+", part)]
    if not words:
        return False
    return (
        words[0] in AGENCIES
        or words[-1] in AGENCIES
        or any(w in ORG_WORDS for w in words)
        or is_site(part, site)
        or (part.isupper() and len(words) == 1 and len(part) <= 5)
    )


def is_role(part: str) -> bool:
    """ "Staff Writer", "Chefredakteur", "Nachrichten": role and generic words only, no name or agency."""
    words = [EDGE.sub("", w).casefold() for w in part.split()]
    return (
        bool(words) and not any(w in AGENCIES for w in words) and all(w in ROLE_WORDS or w in ORG_WORDS for w in words)
    )


def _classify(part: str, site: set[str], out: Byline) -> None:
    part = EDGE.sub("", WITH_PREFIX.sub("", _strip_prefix(part.strip())))
    if not part or "@" in part or "://" in part:
        return
    if is_role(part):
        return
    if is_site(part, site) or (not NOT_A_NAME.search(part) and is_org(part, site)):
        _extend(out.orgs, [part])
        return
    part = _strip_roles(part)
    words = part.split()
    if not words or len(words) > MAX_NAME_WORDS or not any(c.isalpha() for c in part) or NOT_A_NAME.search(part):
        return
    if part.casefold() in PREFIX_WORDS or (len(words) == 1 and _cased(part)):
        return  # "Von" alone; one cased word is a place or a handle
    if _cased(part) and not any(w[0].isupper() for w in words):
        return  # a cased script, yet no capital: not a name
    _extend(out.persons, [part])


def _cased(text: str) -> bool:
    return any(c.isupper() or c.islower() for c in text)


def parse_byline(raw: str, site: set[str]) -> Byline:
    """One byline string ("By Jane Doe and John Roe, Reuters") to persons and organisations."""
    out = Byline()
    text = unicodedata.normalize("NFC", unescape(raw))
    if CREDIT.match(text):
        return out  # a picture credit, not a byline
    text = PARENTHESES.sub("", _strip_prefix(text))
    for part in JOINERS.split(text):
        _classify(part, site, out)
    return out


def parse_names(values: list[str], site: set[str], last_first: bool = False) -> Byline:
    """One byline per value (meta tags, links); "Last, First" turned round where the source uses that order."""
    out = Byline()
    for value in values:
        value = unescape(value)
        m = LAST_FIRST.match(value)
        if m and last_first and not JOINERS.search(m.group(2)):
            value = f"{m.group(2)} {m.group(1)}"
        out.add(parse_byline(value, site))
    return out
