"""Block step: rules over the extracted blocks (phrases, bare links, author lines, JSON-LD body)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .body import Candidate, same_site
from .context import Context
from .rules.phrases import (
    A11Y_NOTE_RULE,
    A11Y_NOTES,
    DATE_LINE_COUNTS,
    DATE_LINE_LABELS,
    DATE_LINE_MONTHS,
    DATE_LINE_WEEKDAYS,
    DATE_LINE_ZONES,
    PHRASE_RULES,
    PRIVACY_CHARS,
    PhraseRule,
)
from .text import fold, strip_edges, word_count

WORD_RE = re.compile(r"\w+")
#: the standard library's regex parser (re._parser): it gives the bounds of the length of a pattern's matches
_REGEX_PARSER: Any = importlib.import_module("re._parser")
SHINGLE = 3  # words per shingle when comparing a block with JSON-LD articleBody
JSONLD_MIN_OVERLAP = 0.5  # a block with less of its shingles in articleBody is absent from it
TITLE_WORD_SHARE = 0.5  # a heading above the body holding this share of the title's words repeats it
LEAD_PARAGRAPH_WORDS = 15  # a paragraph this long means the body has started
UNPROTECTED_LINE_CHARS = 200  # a phrase rule overrides articleBody protection on lines up to this long
MAX_KICKER_CHARS = 80  # a heading may prefix the title with a kicker ("Ukraine-Krieg: <title>") this long
MIN_LEAD_WORDS = 8  # a block above the articleBody text this long is a standfirst, not a promo
MIN_STANDFIRST_CHARS = 60  # a shorter description is a label, not the article's standfirst
LABELLED_LINK_DENSITY = 0.5  # a paragraph this much linked, with only a short label besides, is a promo
MAX_LINK_LABEL_CHARS = 40  # ... when the unlinked label is at most this long
LINK_LABEL = re.compile(r"^[^|:»›>]{1,40}\s*[|:»›>]")  # "LABEL | ", "Label: " before the link
MARKUP_TEXT = re.compile(
    r"</?(iframe|script|div|span|img|embed|object|figure|noscript|style|video|source|svg)\b[^<>]{0,2000}>",
    re.IGNORECASE,
)
MARKUP_RULE = "other:markup-text"
A11Y_NOTE = re.compile(r"\s?(?:" + "|".join(A11Y_NOTES) + r")", re.IGNORECASE)
A11Y_ANCHORS = (
    "new",
    "neue",
    "nouvel",
    "nueva",
    "nuova",
    "nova",
    "nieuw",
    "nowym",
    "nytt",
    "nyt",
)  # one is in every note
MAX_TEASER_WORDS = 40  # a teaser's summary under a promo headline is at most this long
MIN_DOUBLED_CHARS = 15  # a headline printed twice is at least this long
DATED_ITEM = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{2,4}\s*\S")
MIN_PROMO_WORDS = 3  # a bare link shorter than this is a UI link, not a headline
MAX_BIO_WORDS = 150  # a longer paragraph is not an author bio
BIO_VERBS = (
    r"is (a|an|the)|was (a|an|the)|has (been|worked|written|reported)|writes|covers|reports|joined|"
    r"ist|war|schreibt|arbeitet|berichtet|est (un|une|le|la)|écrit|a rejoint|es (un|una|el|la)|escribe|"
    r"è (un|una|il|la)|scrive|é (um|uma|o|a)|escreve|is (een|de)|schrijft|er (en|ei)|är (en|ett)|"
    r"jest|pisze|je|píše|bir|является|пишет|є|is|was|er|är|era|é|è|es|est|var|on|ona"
)
BIO_START = re.compile(
    r"^((\.\.\.|…) ?(is|ist|est|es|è|é|er|är|jest) |is (a|an) |ist (ein|eine) |est (un|une) |es (un|una) )",
    re.IGNORECASE,
)
BIO_AFTER_NAME = re.compile(rf"^\s*(?:{BIO_VERBS})\b", re.IGNORECASE)
MAX_DATE_LINE = 160  # a longer line is a sentence, not a timestamp
DATE_TOKEN = re.compile(r"^\d+(st|nd|rd|th|er|h\d*|e|º|ª)?$")
DATELINE_PLACE = re.compile(r"^[^\W\d][\w .'’/]{1,40}?(\s*,|\s+[-–—|])\s+")
NUMERIC_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}[:h]\d{2}")
DOTTED_TIME = re.compile(r"\b\d{1,2}\.\d{2}\b")  # "15.59": a time only beside a label ("Uppdaterad 15.59")
DATE_WORDS = DATE_LINE_LABELS | DATE_LINE_MONTHS | DATE_LINE_WEEKDAYS | DATE_LINE_ZONES | DATE_LINE_COUNTS
RELATIVE_TIME = re.compile(
    r"^(?:(?:updated|published|aktualisiert|veröffentlicht) )?(?:"
    r"(?:\d+|an?|one) (?:sec(?:ond)?|min(?:ute)?|hour|hr|day|week|month|year)s? ago|just now|"
    r"vor (?:\d+|einer?|wenigen) (?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?|jahr(?:en)?)|"
    r"il y a (?:\d+|une?) (?:secondes?|minutes?|heures?|jours?|semaines?|mois|ans?)|"
    r"hace (?:\d+|una?) (?:segundos?|minutos?|horas?|días?|semanas?|mes(?:es)?|años?)|"
    r"(?:\d+|un[ao]?) (?:second[io]|minut[io]|or[ae]|giorn[io]|settiman[ae]|mes[ei]|ann[io]) fa|"
    r"há (?:\d+|uma?) (?:segundos?|minutos?|horas?|dias?|semanas?|mes(?:es)?|anos?)|"
    r"(?:\d+|een) (?:seconden?|minuten?|uur|dagen?|weken?|maanden?|jaar) geleden|"
    r"(?:for )?\d+ (?:sekunder|minutter|timer|dager|dage|uker|uger|timmar|minuter|dagar|veckor) sid[ae]n|"
    r"\d+ (?:sekund[ya]?|minut[ya]?|godzin[ya]?|dni|dzień|tygodni[e]?) temu|"
    r"\d+ (?:saniye|dakika|saat|gün|hafta|ay|yıl) önce|"
    r"\d+ (?:секунд[уы]?|минут[уы]?|час(?:а|ов)?|дн(?:я|ей)|день|недел[юиь]|месяц(?:а|ев)?) назад"
    r")$"
)
BYLINE = re.compile(r"^(by|von|par|por|di|door|av|af|przez|od|автор:?)\s+", re.IGNORECASE)
MAX_TITLED_PROMO_CHARS = 200  # "Read more" on one line and a headline this long on the next is a promo
TRUNCATED = re.compile(r"\w(\.\.\.|…)$")  # a teaser's summary cut off mid-sentence ("... Donalda Tr...")
MAX_TRUNCATED_TEASER_CHARS = 400  # a longer paragraph ending in "..." is body text trailing off, not a teaser
ARTICLE_LIST_DENSITY = 0.6  # a list whose every item links to another article, at least this much linked
MAX_CRUMB_WORDS = 3  # breadcrumb items before the last are this short
MIN_CRUMBS = 3  # a breadcrumb trail has at least this many items
MIN_MENU_LINES = 8  # this many short lines opening a paragraph are a menu the extractor ran into
MAX_MENU_LINE_WORDS = 3  # ... each of at most this many words (or the page's title)
END_OF_ARTICLE = re.compile(
    r"^(end of (the )?(article|story)|ende des artikels|fin de l'article|fin del artículo|fine dell'articolo|"
    r"fim do artigo|einde (van het )?artikel|koniec artykułu|artikkelen slutter|slut på artikeln)\.?$"
)
MAX_TAG_WORDS = 2  # a tag or category name closing the body is this short
MIN_TAGS = 3  # ... and a strip of them has at least this many
MIN_REPEAT_LETTERS = 40  # a shorter quote may repeat a phrase of the body by chance
REPEAT_PROBE_SHARE = 0.6  # the opening share of a quote looked for in the body (an attribution may follow)
MENU_SEPARATOR = re.compile(r"\s+[|•·]\s+|\s*\|\s*")  # "News | Politics", "Home • Sport"
MIN_MENU_ITEMS = 4  # a line of this many short items between separators is a menu
MAX_MENU_ITEM_WORDS = 4  # ... each of at most this many words
MENU_LINE_RULE = "widget:menu-line"
JUNK_LINE_WORDS = 3  # a line of a body this short (not a sentence) counts as a menu item for the guard
JUNK_LINE_CHARS = 40  # ... and this many characters (a line of Japanese or Chinese has few "words")
SENTENCE_ENDS = (".", "!", "?", ":", "”", '"', "。", "！", "？", "」")
JUNK_KINDS = ("consent", "widget", "ad_marker")  # phrase kinds whose lines count as junk for the guard
PROMO_HEADLINE_RULES = ("promo:linked-headline", "promo:bare-link", "promo:labelled-link")


@lru_cache(maxsize=64)
def _name_patterns(names: tuple[str, ...]) -> list[re.Pattern[str]]:
    """Patterns for a paragraph opening with an author's name ("Ruta Deshpande" for "Ruta R Deshpande")."""
    pats = []
    for name in names:
        parts = name.split()
        if not parts:
            continue
        first, last = re.escape(parts[0]), re.escape(parts[-1])
        pats.append(re.compile(rf"^{first}(\s+\S+)*?\s+{last}\b" if len(parts) > 1 else rf"^{first}\b", re.IGNORECASE))
    return pats


@dataclass(frozen=True)
class PhraseAlt:
    """One top-level alternative of a search rule, with a string every text it matches holds."""

    rule: int  # index of its rule in the group
    pattern: str
    literal: str | None  # None: none known (the alternative is always tried)


@dataclass(frozen=True)
class PhraseGroup:
    """Rules sharing a match type and length bound, compiled into one alternation (first group wins)."""

    rules: tuple[PhraseRule, ...]
    match: str
    max_chars: int
    regex: re.Pattern[str]
    anchors: tuple[str, ...] | None = None  # a search group can only match text holding one of these
    shortest: int = 0  # bounds of the length of a match (for a full match: of the text)
    longest: int = 1 << 62
    alts: tuple[PhraseAlt, ...] = ()  # a search group's alternatives, in rule order
    _reduced: dict[tuple[int, ...], re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)

    def fits(self, text: str) -> bool:
        """Whether a match is possible at all: the text is as long as a match must be, and holds an anchor."""
        n = len(text)
        if n < self.shortest:
            return False
        if self.match == "full" and n > self.longest + text.endswith("\n"):  # `$` matches before a final "\n"
            return False
        return self.anchors is None or any(map(text.__contains__, self.anchors))

    def search_regex(self, text: str) -> re.Pattern[str] | None:
        """The group's regex over only the alternatives whose required literal `text` holds (None: no such one).

        The others match nowhere in the text: without them the leftmost match, and the first rule that
        matches there, are those of the whole group.
        """
        wanted = tuple(i for i, alt in enumerate(self.alts) if alt.literal is None or alt.literal in text)
        if not wanted:
            return None
        regex = self._reduced.get(wanted)
        if regex is None:
            regex = self._reduced[wanted] = _group_regex(self.match, [self.alts[i] for i in wanted])
        return regex


def _group_regex(match: str, alts: list[PhraseAlt]) -> re.Pattern[str]:
    """One regex for the alternatives (in rule order), each rule a named group r<index> for `lastgroup`."""
    rules: dict[int, list[str]] = {}
    for alt in alts:
        rules.setdefault(alt.rule, []).append(alt.pattern)
    body = "|".join(f"(?P<r{i}>(?:{'|'.join(patterns)}))" for i, patterns in rules.items())
    return re.compile(_anchored(match, body))


def _anchored(match: str, body: str) -> str:
    """The alternation as its match type reads the text: all of it (full), its start (prefix), anywhere (search)."""
    return {"full": rf"^(?:{body})$", "prefix": rf"^(?:{body})"}.get(match, body)


def _top_level(pattern: str) -> list[str]:
    """The alternatives of a regular expression, split at '|' outside groups and classes."""
    out: list[str] = []
    cur: list[str] = []
    depth, i = 0, 0
    while i < len(pattern):
        c = pattern[i]
        step = 2 if c == "\\" else (pattern.index("]", i + 1) + 1 - i if c == "[" else 1)
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(pattern[i : i + step])
        i += step
    out.append("".join(cur))
    return out


def _skip_group(alt: str, i: int) -> int:
    depth = 0
    while i < len(alt):
        c = alt[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = alt.index("]", i + 1) + 1
            continue
        depth += (c == "(") - (c == ")")
        i += 1
        if depth == 0:
            return i
    return i


def required_literal(alt: str) -> str | None:
    """The longest literal every match of `alt` must contain (outside groups, not made optional), if any."""
    runs, cur, i = [], "", 0
    while i < len(alt):
        c, nxt = alt[i], alt[i + 1 : i + 2]
        if c.isalpha() or c in " '’,:-":
            if nxt and nxt in "?*{":
                runs.append(cur)
                cur, i = "", i + 2
            else:
                cur, i = cur + c, i + 1
            continue
        runs.append(cur)
        cur = ""
        if c == "\\":
            i += 2
        elif c == "[":
            i = alt.index("]", i + 1) + 1
        elif c == "(":
            i = _skip_group(alt, i)
        else:
            i += 1
    runs.append(cur)
    best = max((r.strip() for r in runs), key=len)
    return best if len(best) >= (3 if best.isascii() else 2) else None


def _anchors(rules: list[PhraseRule]) -> tuple[str, ...] | None:
    found = [required_literal(alt) for r in rules for alt in _top_level(r.pattern[3:-1])]
    literals = [a for a in found if a is not None]
    if len(literals) < len(found):
        return None
    unique = sorted(set(literals), key=len)
    return tuple(a for n, a in enumerate(unique) if not any(b in a for b in unique[:n]))


@lru_cache(maxsize=1)
def _compiled() -> tuple[PhraseGroup, ...]:
    groups: list[list[PhraseRule]] = []
    for rule in PHRASE_RULES:
        last = groups[-1][0] if groups else None
        if last is not None and (last.kind, last.match, last.max_chars) == (rule.kind, rule.match, rule.max_chars):
            groups[-1].append(rule)
        else:
            groups.append([rule])
    out = []
    for rules in groups:
        body = "|".join(f"(?P<r{i}>{r.pattern})" for i, r in enumerate(rules))
        head = rules[0]
        anchors = _anchors(rules) if head.match == "search" else None
        shortest, longest = _REGEX_PARSER.parse(body).getwidth()
        out.append(
            PhraseGroup(
                tuple(rules),
                head.match,
                head.max_chars,
                re.compile(_anchored(head.match, body)),  # over folded text
                anchors,
                shortest,
                longest,
                tuple(_alternatives(rules)) if head.match == "search" else (),
            )
        )
    return tuple(out)


def _alternatives(rules: list[PhraseRule]) -> Iterator[PhraseAlt]:
    """The top-level alternatives of each rule's pattern, with their required literal."""
    for i, rule in enumerate(rules):
        whole = rule.pattern.startswith("(?:") and rule.pattern.endswith(")") and len(_top_level(rule.pattern)) == 1
        for alt in _top_level(rule.pattern[3:-1]) if whole else [rule.pattern]:
            yield PhraseAlt(i, alt, required_literal(alt))


@lru_cache(maxsize=1)
def _any_anchor() -> re.Pattern[str]:
    """Finds any anchor of any search group in one pass (most texts hold none: their search groups are skipped)."""
    return re.compile(_trie_pattern({a for group in _compiled() for a in group.anchors or ()}))


def _trie_pattern(words: set[str]) -> str:
    """A regex matching any of the words, as a trie (alternatives share their prefixes: one branch per letter)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def branch(node: dict[str, Any]) -> str:
        if "" in node:
            return ""  # a word ends here: a longer one adds nothing to finding one
        alts = [re.escape(char) + branch(child) for char, child in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return branch(trie) if words else "(?!)"


@lru_cache(maxsize=8192)
def phrase_rule_for(text: str, searching: bool = True) -> PhraseRule | None:
    """The first phrase rule that matches a block's text; `searching=False` skips the (slow) search rules."""
    folded = fold(text)
    if not folded:
        return None
    bare = strip_edges(folded)
    anchored: bool | None = None  # whether the text holds an anchor of any search group (read once, when needed)
    for group in _compiled():
        if len(folded) > group.max_chars or (not searching and group.match == "search"):
            continue
        text_ = bare if group.match == "full" else folded
        if group.anchors is not None:
            if anchored is None:
                anchored = _any_anchor().search(folded) is not None
            if not anchored:
                continue
        if not group.fits(text_):
            continue
        regex = group.search_regex(text_) if group.match == "search" else group.regex
        match = regex.search(text_) if regex is not None else None
        if match is not None and match.lastgroup is not None:
            return group.rules[int(match.lastgroup[1:])]
    return None


def _is_date_words(text: str) -> bool:
    words = WORD_RE.findall(text)
    numbers = sum(1 for w in words if DATE_TOKEN.match(w))
    months = sum(1 for w in words if w in DATE_LINE_MONTHS)
    labelled = any(w in DATE_LINE_LABELS for w in words)
    if numbers + months < 2 or numbers == 0:
        return False
    if not (months or NUMERIC_DATE.search(text) or (labelled and DOTTED_TIME.search(text))):
        return False
    return all(DATE_TOKEN.match(w) or w in DATE_WORDS for w in words)


@lru_cache(maxsize=8192)
def date_line_rule(text: str) -> str | None:
    """'metadata:date-line' for a line made only of dates, times and their labels (with a dateline place),
    or a relative time ("5 hours ago", "vor 3 Stunden")."""
    folded = fold(text)
    if not folded or len(folded) > MAX_DATE_LINE:
        return None
    if RELATIVE_TIME.match(strip_edges(folded)):
        return "metadata:date-line"
    if not any(map(str.isdigit, folded)):
        return None
    if _is_date_words(folded):
        return "metadata:date-line"
    place = DATELINE_PLACE.match(folded)
    if place and _is_date_words(folded[place.end() :]):
        return "metadata:date-line"
    return None


def is_menu_line(text: str) -> bool:
    """A line of short items between separators ("News | Corrections | Politics | COVID-19 Updates")."""
    if ("|" not in text and "•" not in text and "·" not in text) or "\n" in text:
        return False
    items = [i.strip() for i in MENU_SEPARATOR.split(text.strip(" |•·")) if i.strip()]
    return len(items) >= MIN_MENU_ITEMS and all(  # words, not the cells of a table row of figures
        i[0].isalpha() and word_count(i) <= MAX_MENU_ITEM_WORDS and not i.endswith((".", "!", "?", ",", ";"))
        for i in items
    )


def text_rule_for(text: str, searching: bool = True) -> tuple[str, str] | None:
    """(kind, rule id) of a boilerplate line recognised by its words alone."""
    rule = phrase_rule_for(text, searching)
    if rule is not None:
        return rule.kind, rule.id
    date_rule = date_line_rule(text)
    if date_rule:
        return "metadata", date_rule
    return ("widget", MENU_LINE_RULE) if is_menu_line(text) else None


def junk_line(line: str) -> bool:
    """A line that is no body text: a menu item or short link label (a few words, no sentence end), a menu
    line, or a consent, privacy, navigation or ad line (for the guard's share of junk in a body)."""
    if len(line) > JUNK_LINE_CHARS:  # too long for a menu item: only whether it holds a word at all is read
        if WORD_RE.search(line) is None:
            return False
    else:
        words = word_count(line)
        if words == 0:
            return False
        if words <= JUNK_LINE_WORDS and not line.rstrip().endswith(SENTENCE_ENDS):
            return True
    verdict = text_rule_for(line)
    return verdict is not None and (verdict[0] in JUNK_KINDS or verdict[1] == MENU_LINE_RULE)


def _remove(cand: Candidate, kind: str, rule: str, ctx: Context) -> bool:
    if cand.protected or cand.removed or not ctx.enabled(rule, kind):
        return False
    cand.removed = True
    ctx.record(kind, rule, cand.text)
    return True


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(max(len(words) - SHINGLE + 1, 1))}


def _is_standfirst(text: str, ctx: Context) -> bool:
    """The block repeats the page's description (the standfirst that articleBody often leaves out)."""
    desc = ctx.description
    if not desc or len(desc) < MIN_STANDFIRST_CHARS:
        return False
    folded = fold(text)
    return desc in folded or (len(folded) >= MIN_STANDFIRST_CHARS and folded in desc)


def _protect_by_article_body(cands: list[Candidate], ctx: Context) -> None:
    for cand in cands:
        if word_count(cand.text) < 6:
            continue
        if (ctx.article_body and fold(cand.text) in ctx.article_body) or _is_standfirst(cand.text, ctx):
            cand.protected = True


def author_rule_for(text: str, ctx: Context) -> str | None:
    """'author_box:name-line', 'author_box:bio' or 'author_box:bio-sentence' when the text is one."""
    folded = strip_edges(fold(text))
    names = {fold(n) for n in ctx.author_names}
    if names and (folded in names or BYLINE.sub("", folded) in names):
        return "author_box:name-line"
    if word_count(text) > MAX_BIO_WORDS:
        return None
    for pattern in _name_patterns(ctx.author_names):
        match = pattern.match(text)
        if match and BIO_AFTER_NAME.match(text[match.end() :]):
            return "author_box:bio"
    if BIO_START.match(text):
        return "author_box:bio-sentence"
    return None


def _is_byline_date(text: str, ctx: Context) -> bool:
    """'<author name><date line>' ("Fatma Çetin20 Nisan 2026•Güncelleme: 20 Nisan 2026")."""
    folded = fold(text)
    for name in ctx.author_names:
        name = fold(name)
        if name and folded.startswith(name) and date_line_rule(folded[len(name) :].lstrip(" ,|•·-–—")):
            return True
    return False


def _author_lines(cands: list[Candidate], ctx: Context) -> None:
    for cand in cands:
        if cand.removed or cand.protected or cand.block.type not in ("paragraph", "heading"):
            continue
        rule = author_rule_for(cand.text, ctx)
        if rule is None and _is_byline_date(cand.text, ctx):
            _remove(cand, "metadata", "metadata:byline-date", ctx)
            continue
        if rule is None or (rule != "author_box:name-line" and cand.block.type != "paragraph"):
            continue
        if _remove(cand, "author_box", rule, ctx) and rule != "author_box:name-line":
            ctx.bio_parts.append(cand.text)


def line_rule_for(text: str, ctx: Context, anchors: frozenset[str]) -> tuple[str, str] | None:
    """(kind, rule) for a line of text judged on its words alone, or None when it looks like body."""
    verdict = text_rule_for(text)
    if verdict is not None:
        return verdict
    author = author_rule_for(text, ctx)
    if author is not None:
        return "author_box", author
    if fold(text) in anchors:
        return "promo", "promo:linked-headline"
    return None


def _phrases(cands: list[Candidate], ctx: Context) -> None:
    """Phrase rules; a short line they name goes even when articleBody holds it (publishers paste prompts there)."""
    for cand in cands:
        if cand.removed or (cand.protected and len(cand.text) > UNPROTECTED_LINE_CHARS):
            continue
        verdict = text_rule_for(cand.text)
        if verdict is not None:
            cand.protected = False
            _remove(cand, verdict[0], verdict[1], ctx)


def _is_other_page(href: str, ctx: Context) -> bool:
    if not same_site(href, ctx.url):
        return False
    return href.split("#")[0].rstrip("/") != (ctx.url or "").split("#")[0].rstrip("/")


def _is_labelled_link(cand: Candidate, ctx: Context) -> bool:
    """A short label and one link to another page of the site ("MORE NEWS HERE | <headline>")."""
    unlinked = len(cand.text) - cand.link_chars
    return (
        LABELLED_LINK_DENSITY <= cand.link_density < 0.8
        and unlinked <= MAX_LINK_LABEL_CHARS
        and LINK_LABEL.match(cand.text) is not None
        and word_count(cand.text) >= MIN_PROMO_WORDS
        and any(_is_other_page(h, ctx) for h in cand.links)
    )


def _is_doubled(text: str) -> bool:
    """A teaser card's headline printed twice ("<headline> <headline>": one copy per layout)."""
    half, rest = divmod(len(text) - 1, 2)
    return not rest and half >= MIN_DOUBLED_CHARS and text[:half] == text[half + 1 :]


def _is_dated_list(cand: Candidate) -> bool:
    """A list of headlines each opening with its date ("19.03.2024Fahndung nach ...")."""
    items = cand.block.items or []
    dated = sum(1 for item in items if DATED_ITEM.match(item))
    return len(items) >= 2 and dated >= max(2, len(items) - 1)


def _is_article_list(cand: Candidate, ctx: Context) -> bool:
    """A list each item of which holds a link to another page of the site (headlines with a kicker)."""
    items = cand.block.items or []
    others = [h for h in cand.links if _is_other_page(h, ctx)]
    return len(items) >= 2 and len(others) >= len(items) and cand.link_density >= ARTICLE_LIST_DENSITY


def _link_blocks(cands: list[Candidate], ctx: Context, anchors: frozenset[str]) -> None:
    """Blocks that are one link to another page of the site (bare promos, link lists, headlines)."""
    for cand in cands:
        if cand.removed or cand.protected:
            continue
        if cand.block.type == "heading" and _is_doubled(cand.text):
            _remove(cand, "promo", "promo:doubled-headline", ctx)
            continue
        if cand.block.type == "list" and _is_dated_list(cand):
            _remove(cand, "promo", "promo:dated-list", ctx)
            continue
        folded = fold(cand.text)
        if folded in anchors and cand.block.type in ("paragraph", "heading"):
            _remove(cand, "promo", "promo:linked-headline", ctx)
            continue
        if not cand.links:
            continue
        if cand.block.type == "paragraph" and _is_labelled_link(cand, ctx):
            _remove(cand, "promo", "promo:labelled-link", ctx)
            continue
        if cand.block.type == "list" and _is_article_list(cand, ctx):
            _remove(cand, "promo", "promo:link-list", ctx)
            continue
        if cand.link_density < 0.8:
            continue
        if cand.block.type == "paragraph" and word_count(cand.text) >= MIN_PROMO_WORDS:
            if any(_is_other_page(h, ctx) for h in cand.links):
                _remove(cand, "promo", "promo:bare-link", ctx)
        elif cand.block.type == "list" and len(cand.links) >= 2:
            _remove(cand, "promo", "promo:link-list", ctx)


def _teaser_summaries(cands: list[Candidate], ctx: Context) -> None:
    """A short paragraph between two promo headlines (or after the last one) is that teaser's summary."""
    promo_rules = ("promo:linked-headline", "promo:doubled-headline")
    removed_by = {id(r_cand): rule for r_cand, rule in _removal_rules(cands, ctx)}
    for i in range(len(cands) - 1):
        head, body = cands[i], cands[i + 1]
        if removed_by.get(id(head)) not in promo_rules or head.block.type != "heading":
            continue
        if body.removed or body.block.type != "paragraph" or word_count(body.text) > MAX_TEASER_WORDS:
            continue
        after = cands[i + 2] if i + 2 < len(cands) else None
        if after is None or removed_by.get(id(after)) in promo_rules:
            _remove(body, "promo", "promo:teaser-summary", ctx)


def _is_headline_line(line: str) -> bool:
    """A line shaped like a headline: short, a few words, not ending like a sentence or a lead-in."""
    return (
        len(line) <= MAX_TITLED_PROMO_CHARS
        and word_count(line) >= MIN_PROMO_WORDS
        and not line.rstrip().endswith((".", ":", ";", ","))
    )


def _line_rules(cands: list[Candidate], ctx: Context) -> None:
    """Phrase rules on each line of a paragraph the extractor merged from several page lines.

    A line a rule names is cut ("Anzeige" between two paragraphs), and a promo-box title line with
    the headline line after it ("Read more" / "<headline>").
    """
    for cand in cands:
        if cand.removed or cand.block.type != "paragraph" or "\n" not in cand.text:
            continue
        lines = cand.text.split("\n")
        keep = [True] * len(lines)
        for n, line in enumerate(lines):
            if len(line) > UNPROTECTED_LINE_CHARS or not keep[n]:
                continue
            verdict = text_rule_for(line)
            if verdict is None or not ctx.enabled(verdict[1], verdict[0]):
                continue
            keep[n] = False
            ctx.record(verdict[0], verdict[1], line)
            rule = phrase_rule_for(line, searching=False)
            nxt = n + 1
            if (
                rule is not None
                and rule.kind == "promo"
                and rule.match == "full"
                and nxt < len(lines)
                and _is_headline_line(lines[nxt])
                and ctx.enabled("promo:titled-headline", "promo")
            ):
                keep[nxt] = False
                ctx.record("promo", "promo:titled-headline", lines[nxt])
        if all(keep):
            continue
        cand.block.text = "\n".join(line for line, k in zip(lines, keep) if k)
        if not cand.block.text:
            cand.removed = True


def _titled_promos(cands: list[Candidate], ctx: Context) -> None:
    """A promo-box title on the first line and a headline on the second ("Read more\n<headline>")."""
    for cand in cands:
        if cand.removed or cand.protected or cand.block.type != "paragraph" or "\n" not in cand.text:
            continue
        first, rest = cand.text.split("\n", 1)
        if "\n" in rest or len(rest) > MAX_TITLED_PROMO_CHARS or word_count(rest) < MIN_PROMO_WORDS:
            continue
        rule = phrase_rule_for(first, searching=False)
        if rule is not None and rule.kind == "promo" and rule.match == "full":
            _remove(cand, "promo", "promo:titled-headline", ctx)


def _truncated_teasers(cands: list[Candidate], ctx: Context) -> None:
    """A paragraph cut off with an ellipsis right after a promo headline is that teaser's summary."""
    removed_by = {id(r_cand): rule for r_cand, rule in _removal_rules(cands, ctx)}
    for head, body in zip(cands, cands[1:]):
        if removed_by.get(id(head)) not in PROMO_HEADLINE_RULES or body.removed or body.block.type != "paragraph":
            continue
        if len(body.text) <= MAX_TRUNCATED_TEASER_CHARS and TRUNCATED.search(body.text):
            _remove(body, "promo", "promo:teaser-summary", ctx)


def _title_words(title: str | None) -> set[str]:
    return set(WORD_RE.findall(fold(title))) if title else set()


def _is_breadcrumb(cand: Candidate, title_words: set[str]) -> bool:
    """Short section names, then the article's title or a link ("News > World > <title>")."""
    items = cand.block.items or []
    if len(items) < MIN_CRUMBS or any(word_count(i) > MAX_CRUMB_WORDS for i in items[:-1]):
        return False
    last = set(WORD_RE.findall(fold(items[-1])))
    names_title = bool(title_words) and len(last & title_words) >= TITLE_WORD_SHARE * len(title_words)
    return names_title or cand.link_density >= LABELLED_LINK_DENSITY


def _is_metadata_list(cand: Candidate) -> bool:
    """A list at least half of whose items are date, reading-time or byline lines."""
    items = cand.block.items or []
    meta = sum(
        1
        for i in items
        if (text_rule_for(i, searching=False) or ("",))[0] == "metadata" or BYLINE.match(i.replace(":", " ", 1))
    )
    return len(items) >= 2 and 2 * meta >= len(items)


def _top_lists(cands: list[Candidate], ctx: Context, title: str | None) -> None:
    """Lists above the body: breadcrumbs and date/byline strips."""
    title_words = _title_words(title)
    for cand in cands:
        if cand.block.type == "paragraph" and not cand.removed and word_count(cand.text) >= LEAD_PARAGRAPH_WORDS:
            return  # the body has started
        if cand.removed or cand.protected or cand.block.type != "list":
            continue
        if _is_breadcrumb(cand, title_words):
            _remove(cand, "widget", "widget:breadcrumb", ctx)
        elif _is_metadata_list(cand):
            _remove(cand, "metadata", "metadata:list", ctx)


def _menu_lines(cands: list[Candidate], ctx: Context, title: str | None) -> None:
    """Cut a run of menu lines (section names, editions, and the page's title) opening a paragraph, and an
    end-of-article marker line with all that follows it (the page's footer run into the same block)."""
    folded_title = fold(title) if title else None
    rule = "widget:menu-lines"
    if not ctx.enabled(rule, "widget"):
        return
    for cand in cands:
        if cand.removed or cand.protected or cand.block.type != "paragraph" or "\n" not in cand.text:
            continue
        lines = cand.text.split("\n")
        end = next((n for n, line in enumerate(lines) if n and END_OF_ARTICLE.match(fold(line))), len(lines))
        if end < len(lines):
            ctx.record("widget", rule, "\n".join(lines[end:]))  # the page's end marker and what follows it
            lines = lines[:end]
        run, titled = 0, False
        while run < len(lines) and (word_count(lines[run]) <= MAX_MENU_LINE_WORDS or fold(lines[run]) == folded_title):
            titled = titled or fold(lines[run]) == folded_title
            run += 1
        if run >= MIN_MENU_LINES and titled:  # the page's title among them: a menu and breadcrumb, not a list
            ctx.record("widget", rule, "\n".join(lines[:run]))
            lines = lines[run:]
        elif end == len(cand.text.split("\n")):
            continue
        cand.block.text = "\n".join(lines)
        if not cand.block.text:
            cand.removed = True


def _letters(text: str) -> str:
    """The word characters of a text, folded: blocks compared whatever their spacing and quote marks."""
    return "".join(WORD_RE.findall(fold(text)))


def _repeated_quotes(cands: list[Candidate], ctx: Context) -> None:
    """A quote block repeating text of a kept paragraph is a pull quote: the paragraph holds it already."""
    quotes = [c for c in cands if not c.removed and c.block.type == "quote"]
    if not quotes:
        return
    body = "\n".join(_letters(c.text) for c in cands if not c.removed and c.block.type == "paragraph")
    for cand in quotes:
        letters = _letters(cand.text)
        probe = letters[: max(MIN_REPEAT_LETTERS, int(len(letters) * REPEAT_PROBE_SHARE))]
        if len(letters) >= MIN_REPEAT_LETTERS and probe in body:
            _remove(cand, "other", "other:pull-quote", ctx)


def _trailing_tags(cands: list[Candidate], ctx: Context) -> None:
    """A run of one- and two-word paragraphs closing the body is a tag or category strip."""
    run = []
    for cand in reversed(cands):
        if cand.removed:
            continue
        if cand.block.type != "paragraph" or word_count(cand.text) > MAX_TAG_WORDS or cand.text.rstrip()[-1:] in ".!?:":
            break
        run.append(cand)
    if len(run) >= MIN_TAGS:
        for cand in reversed(run):
            _remove(cand, "metadata", "metadata:tag-strip", ctx)


def _removal_rules(cands: list[Candidate], ctx: Context) -> list[tuple[Candidate, str]]:
    """(candidate, rule) of removed candidates, matched to ctx.removed by text in order."""
    rules_by_text: dict[str, list[str]] = {}
    for removal in ctx.removed:
        rules_by_text.setdefault(removal.text, []).append(removal.rule)
    return [(c, rules_by_text[c.text][-1]) for c in cands if c.removed and c.text in rules_by_text]


def _title_repeat(cands: list[Candidate], ctx: Context, title: str | None) -> None:
    """Headings above the body that repeat the title (with a kicker, or reworded for the page), and
    headings further down that are the title itself (a teaser of this very page)."""
    if not title:
        return
    folded_title = fold(title)
    for cand in cands[3:]:
        if cand.block.type == "heading" and not cand.removed and fold(cand.text) == folded_title:
            cand.protected = False
            _remove(cand, "metadata", "metadata:title-repeat", ctx)
    title_words = set(WORD_RE.findall(folded_title))
    for cand in cands[:3]:
        if cand.block.type == "paragraph" and word_count(cand.text) >= LEAD_PARAGRAPH_WORDS:
            return  # the body has started
        text = fold(cand.text)
        if cand.removed or cand.block.type != "heading":
            continue
        shared = len(title_words & set(WORD_RE.findall(text))) / max(len(title_words), 1)
        if (
            text == folded_title
            or (text.endswith(folded_title) and len(text) <= len(folded_title) + MAX_KICKER_CHARS)
            or (shared >= TITLE_WORD_SHARE and len(text) <= 2 * len(folded_title) + MAX_KICKER_CHARS)
        ):
            cand.protected = False
            _remove(cand, "metadata", "metadata:title-repeat", ctx)


def _article_body_absent(cands: list[Candidate], ctx: Context) -> None:
    """When JSON-LD articleBody holds nearly all the kept text, blocks absent from it go."""
    if not ctx.article_body or ctx.options.jsonld_coverage is None:
        return
    body_shingles = _shingles(ctx.article_body.split())
    kept = [c for c in cands if not c.removed and c.block.type not in ("heading", "table")]
    total = sum(len(c.text) for c in kept) or 1
    overlaps = {}
    for cand in kept:
        words = fold(cand.text).split()
        if not words:
            continue
        sh = _shingles(words)
        overlaps[id(cand)] = len(sh & body_shingles) / len(sh)
    covered = sum(len(c.text) for c in kept if overlaps.get(id(c), 0) >= JSONLD_MIN_OVERLAP)
    if covered / total < ctx.options.jsonld_coverage:  # per mode: Options.jsonld_coverage
        return
    first = next((n for n, c in enumerate(kept) if overlaps.get(id(c), 0) >= JSONLD_MIN_OVERLAP), 0)
    for n, cand in enumerate(kept):
        if overlaps.get(id(cand), 1) >= JSONLD_MIN_OVERLAP or word_count(cand.text) < 3:
            continue
        if n < first and word_count(cand.text) >= MIN_LEAD_WORDS and cand.link_density < 0.5:
            continue  # the standfirst or summary above the body, which articleBody often leaves out
        _remove(cand, "other", "other:absent-from-jsonld-body", ctx)


def _orphan_headings(cands: list[Candidate], ctx: Context) -> None:
    """A heading whose section lost every block (or has none) was a widget title."""
    for i, cand in enumerate(cands):
        if cand.removed or cand.protected or cand.block.type != "heading":
            continue
        level = cand.block.level or 2
        section = []
        for nxt in cands[i + 1 :]:
            if nxt.block.type == "heading" and not nxt.removed and (nxt.block.level or 2) <= level:
                break
            section.append(nxt)
        if all(c.removed for c in section):
            _remove(cand, "widget", "widget:orphan-heading", ctx)


def _strip_markup(cands: list[Candidate], ctx: Context) -> None:
    """Cut HTML code a page shows as text ("<iframe title=... src=...></iframe>") out of paragraphs."""
    for cand in cands:
        if (
            "<" not in cand.text
            or cand.block.type not in ("paragraph", "quote")
            or not ctx.enabled(MARKUP_RULE, "other")
        ):
            continue
        fragments = [m.group(0) for m in MARKUP_TEXT.finditer(cand.text)]
        if not fragments:
            continue
        cand.block.text = "\n".join(
            x for x in (" ".join(line.split()) for line in MARKUP_TEXT.sub(" ", cand.text).split("\n")) if x
        )
        ctx.record("other", MARKUP_RULE, fragments)
        if not cand.block.text:
            cand.removed = True


def _strip_a11y_notes(cands: list[Candidate], ctx: Context) -> None:
    """Cut the screen-reader notes links append ("(opens in a new window)") out of a block's text."""
    if not ctx.enabled(A11Y_NOTE_RULE, "widget"):
        return
    for cand in cands:
        lowered = cand.text.lower()
        if not any(map(lowered.__contains__, A11Y_ANCHORS)):
            continue
        notes = [m.group(0).strip() for m in A11Y_NOTE.finditer(cand.text)]
        if not notes:
            continue
        cand.block.text = A11Y_NOTE.sub("", cand.text).strip()
        if cand.block.items:
            cand.block.items = [A11Y_NOTE.sub("", i).strip() for i in cand.block.items]
        ctx.record("widget", A11Y_NOTE_RULE, notes[0] if len(set(notes)) == 1 else notes)
        if not cand.block.text:
            cand.removed = True


def filter_blocks(cands: list[Candidate], ctx: Context, title: str | None, anchors: frozenset[str]) -> None:
    """Mark boilerplate candidates removed, in rule order; records every removal in ctx."""
    _strip_markup(cands, ctx)
    _strip_a11y_notes(cands, ctx)
    _menu_lines(cands, ctx, title)
    _protect_by_article_body(cands, ctx)
    _title_repeat(cands, ctx, title)
    _phrases(cands, ctx)
    _titled_promos(cands, ctx)
    _line_rules(cands, ctx)
    _top_lists(cands, ctx, title)
    _author_lines(cands, ctx)
    _link_blocks(cands, ctx, anchors)
    _teaser_summaries(cands, ctx)
    _truncated_teasers(cands, ctx)
    _article_body_absent(cands, ctx)
    _repeated_quotes(cands, ctx)
    _trailing_tags(cands, ctx)
    _orphan_headings(cands, ctx)


def safe_rule_for(text: str) -> tuple[str, str] | None:
    """(kind, rule) of a line only a rule that cannot take body text names: a whole-line or opening phrase,
    a date line, a menu line, or a consent or privacy notice (for the guard's fallback body)."""
    verdict = text_rule_for(text, searching=False)
    if verdict is not None:
        return verdict
    rule = phrase_rule_for(text)
    return (rule.kind, rule.id) if rule is not None and rule.kind == "consent" else None


def filter_fallback(cands: list[Candidate], ctx: Context, title: str | None) -> None:
    """The filters that cannot remove body text, for a body taken from plain trafilatura: markup and
    screen-reader notes cut out of blocks, and blocks or lines that are the title or are named whole by a
    safe rule (`safe_rule_for`)."""
    _strip_markup(cands, ctx)
    _strip_a11y_notes(cands, ctx)
    folded_title = fold(title) if title else None

    def safe_rule(text: str) -> tuple[str, str] | None:
        if folded_title and fold(text) == folded_title:
            return "metadata", "metadata:title-repeat"
        return safe_rule_for(text)

    for cand in cands:
        if cand.removed:
            continue
        verdict = safe_rule(cand.text) if len(cand.text) <= PRIVACY_CHARS else None
        if verdict is not None:
            _remove(cand, verdict[0], verdict[1], ctx)
            continue
        if cand.block.type != "paragraph" or "\n" not in cand.text:
            continue
        lines, kept = cand.text.split("\n"), []
        for line in lines:
            verdict = safe_rule(line) if len(line) <= UNPROTECTED_LINE_CHARS else None
            if verdict is not None and ctx.enabled(verdict[1], verdict[0]):
                ctx.record(verdict[0], verdict[1], line)
            else:
                kept.append(line)
        if len(kept) < len(lines):
            cand.block.text = "\n".join(kept)
            cand.removed = not kept
