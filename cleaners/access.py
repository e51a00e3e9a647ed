"""Access state of a fetched page (ok, paywall, consent_wall, bot_challenge, login_wall, js_shell), with evidence.

One entry point for every path: `access_state(page, status, headers, url=..., text=...)` takes an HTML tree or
the HTML itself, the HTTP status and headers, and (when extraction ran) the extracted body text. The cleaner
calls the two halves around its own steps: `scan_access` on the parsed tree before pruning changes it, and
`decide` once the body is known. Rules are data (`cleaners.rules.access`); the state names the rule that
decided it and what it matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from lxml import etree
from lxml.html import HtmlElement, tostring

from .rules.access import (
    ACCESS_RULES,
    BLOCKING_STATES,
    CONTENT_TIER_RULE,
    JSONLD_RULE,
    PAYWALL_MAX_WORDS,
    REMOVED_PROMPT_RULE,
    TEXT_GUARD_WORDS,
    WEAK_BODY_WORDS,
    AccessRule,
)

HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})  # text a reader never sees
NOSCRIPT_TEXT = etree.XPath("//noscript//text()")
CLASSES_AND_IDS = etree.XPath("//body//@class | //body//@id")
APP_SCRIPTS = etree.XPath("count(//script[@src or normalize-space(.)])")
WORDS_READ = max(r.max_words or 0 for r in ACCESS_RULES)  # visible words beyond which no page rule applies
MAX_EVIDENCE = 120  # characters of the matched text kept as evidence
MARKUP_CHARS = 300_000  # markup rules read the page's source up to here (challenge pages are far smaller)
UPPER, LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"  # for XPath 1.0's translate()
CHARS_PER_WORD = 5  # letters of an average word, to count words of text written without spaces
#: where a rule looks -> the provenance `source` of its evidence
SOURCES = {
    "title": "html",
    "markup": "html",
    "element": "html",
    "mount": "html",
    "noscript": "html",
    "text": "text",
    "url": "url",
}


#: HTTP response headers as a mapping or as pairs; names in any case, values str or bytes (or lists of them)
Headers = Mapping[Any, Any] | Iterable[tuple[Any, Any]] | None
#: isAccessibleForFree as (value, provenance source, raw value)
Free = tuple[bool, str, Any]


@dataclass(frozen=True)
class Access:
    """A page's access state and the evidence for it; `truncated` marks an emitted teaser cut short."""

    state: str = "ok"
    rule: str | None = None
    matched: str | None = None
    source: str | None = None  # provenance source: header, html, text, url, jsonld, opengraph
    truncated: bool = False

    @property
    def blocks_emission(self) -> bool:
        """A challenge, consent dialog or script shell is never emitted as an article."""
        return self.state in BLOCKING_STATES

    def evidence(self) -> dict[str, Any] | None:
        """`provenance.access`: {source, raw, rule}, or None for an ok page."""
        if self.rule is None:
            return None
        return {"source": self.source, "raw": self.matched, "rule": self.rule}

    def describe(self) -> str:
        """One line for a reject or an error: `bot_challenge (bot_challenge:cloudflare:title: 'Just a moment...')`."""
        if self.rule is None:
            return self.state
        return f"{self.state} ({self.rule}: {self.matched!r})"


OK = Access()


@dataclass
class Hit:
    rule: AccessRule
    matched: str


@dataclass
class AccessScan:
    """What the page itself shows, read before the cleaner prunes the tree: rule hits, visible words."""

    words: int
    hits: list[Hit] = field(default_factory=list)
    weak: list[Hit] = field(default_factory=list)  # text rules with fewer phrases than they need (min_matches)
    free: Free | None = None  # the metadata's isAccessibleForFree


def words(text: str) -> int:
    """Words of a text, language-neutral: whitespace-separated words, or one per five letters when that is
    more (Chinese, Japanese and Thai write no spaces between words)."""
    parts = text.split()
    return max(len(parts), sum(map(len, parts)) // CHARS_PER_WORD)


def _visible_text(tree: HtmlElement | None, limit: int) -> tuple[str, int]:
    """The text a reader sees in <body> (scripts, styles, templates left out) and its words, read up to a
    little past `limit` words: rules only ask whether a page has more words than that, and articles have many more."""
    if tree is None:
        return "", 0
    body = tree.find("body")
    if body is None:
        return "", 0
    parts, count = [], 0
    for el in body.iter():
        for text in ((el.text if isinstance(el.tag, str) and el.tag not in HIDDEN else None), el.tail):
            if text and not text.isspace():
                parts.append(text)
                count += words(text)
        if count > limit:
            break
    return " ".join(" ".join(parts).split()), count


class _View:
    """The parts of a page the rules look at, each computed once and only when a rule needs it."""

    def __init__(
        self, tree: HtmlElement | None, source: str | None, headers: Mapping[str, str], url: str | None
    ) -> None:
        self.tree = tree
        self._source = source
        self.headers = headers
        self.url = url or ""
        visible, self.words = _visible_text(tree, WORDS_READ)
        self._raw: dict[str, str] = {"text": visible}
        self._cache: dict[str, str] = {"text": visible.lower()}

    def text(self, where: str) -> str:
        """The lower-cased text a rule looks at."""
        if where not in self._cache:
            self._raw[where] = self._read(where)
            self._cache[where] = self._raw[where].lower()
        return self._cache[where]

    def original(self, where: str, start: int, end: int) -> str:
        """What a match in the lower-cased text spans in the text as written (when lower-casing kept its length)."""
        raw, lowered = self._raw[where], self._cache[where]
        return raw[start:end] if len(raw) == len(lowered) else lowered[start:end]

    def _read(self, where: str) -> str:
        if where.startswith("header:"):
            return self.headers.get(where[7:], "")
        if where == "url":
            return self.url
        if self.tree is None:
            return ""
        if where == "title":
            title = self.tree.find(".//title")
            return " ".join((title.text_content() if title is not None else "").split())
        if where == "element":
            return "\n".join(" ".join(v.split()) for v in CLASSES_AND_IDS(self.tree))
        if where == "noscript":
            return " ".join(" ".join(NOSCRIPT_TEXT(self.tree)).split())
        if where == "markup":
            if self._source is None:
                self._source = tostring(self.tree, encoding="unicode")
            return self._source[:MARKUP_CHARS]
        raise ValueError(f"access rules: unknown place {where!r}")

    def element(self, needles: tuple[str, ...], dominant: bool = False) -> str | None:
        """The first class or id attribute (lower-cased) holding one of the needles; with `dominant`, only
        of an element that holds at least half of the page's visible words (a wall, not a banner on a page)."""
        attributes = self.text("element")
        for needle in needles:
            at = attributes.find(needle)
            if at < 0:
                continue
            if dominant and not self._dominant(needle):
                continue
            start = attributes.rfind("\n", 0, at) + 1
            end = attributes.find("\n", at)
            return attributes[start : end if end >= 0 else None].strip()[:MAX_EVIDENCE]
        return None

    def _dominant(self, needle: str) -> bool:
        if self.tree is None:
            return False
        test = (
            f"contains(translate(@class, '{UPPER}', '{LOWER}'), '{needle}') or "
            f"contains(translate(@id, '{UPPER}', '{LOWER}'), '{needle}')"
        )
        for el in self.tree.xpath(f"//body//*[{test}]"):
            if 2 * words(" ".join(el.text_content().split())) >= self.words:
                return True
        return False

    def mount(self, ids: tuple[str, ...]) -> str | None:
        if self.tree is None or not APP_SCRIPTS(self.tree):
            return None  # a mount point is only a shell when scripts are there to fill it
        test = " or ".join(f"@id='{i}'" for i in ids)
        for el in self.tree.xpath(f"//body//*[{test}]"):
            return f'<{el.tag} id="{el.get("id")}">'
        return None


def _match(rule: AccessRule, view: _View) -> str | None:
    if rule.where == "element":
        return view.element(rule.needles, rule.dominant)
    if rule.where == "mount":
        return view.mount(rule.needles)
    if rule.needles:
        text = view.text(rule.where)
        return next((needle for needle in rule.needles if needle in text), None)
    text = view.text(rule.where)
    found = rule.regex.search(text)
    if found is None:
        return None
    return view.original(rule.where, *found.span())[:MAX_EVIDENCE]


def _phrases(rule: AccessRule, view: _View) -> int:
    """Distinct phrases of a text rule on the page."""
    return len({m.group(0) for m in rule.regex.finditer(view.text(rule.where))})


def header_dict(headers: Headers) -> dict[str, str]:
    """Headers as {lower-case name: value}, from a mapping or pairs of str or bytes (Scrapy's lists of values)."""
    items = headers.items() if isinstance(headers, Mapping) else (headers or ())
    out: dict[str, str] = {}
    for name, value in items:
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if isinstance(value, (list, tuple)):
            value = b", ".join(value) if value and isinstance(value[0], bytes) else ", ".join(value)
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        out[name.lower()] = str(value)
    return out


def scan_access(
    tree: HtmlElement | None,
    source: str | None = None,
    *,
    headers: Headers = None,
    url: str | None = None,
    free: Free | Literal["unread"] | None = "unread",
) -> AccessScan:
    """Every access rule that matches the page (in decision order), before anything is removed from the tree.

    `source` is the decoded HTML (else the tree is serialised when a markup rule needs it); `free` the
    metadata's isAccessibleForFree with its source (or None) when the caller has read it already.
    """
    view = _View(tree, source, header_dict(headers), url)
    scan = AccessScan(view.words, free=_free(tree) if free == "unread" else free)
    for rule in ACCESS_RULES:
        if rule.max_words is not None and view.words > rule.max_words:
            continue
        matched = _match(rule, view)
        if not matched:
            continue
        if rule.min_matches > 1 and _phrases(rule, view) < rule.min_matches:
            scan.weak.append(Hit(rule, matched))
        else:
            scan.hits.append(Hit(rule, matched))
    return scan


def _free(tree: HtmlElement | None) -> Free | None:
    if tree is None:
        return None
    from .meta.metadata import accessible_for_free

    return accessible_for_free(tree)


def decide(scan: AccessScan, body_text: str | None = None, removed: Iterable[str] = ()) -> Access:
    """The page's state from its scan and, when extraction ran, the body it gave and the texts it removed.

    An extracted body of TEXT_GUARD_WORDS words or more that holds none of a state's words overrules that
    state's rules (a short article beside a cookie banner is an article), except firm ones (headers, a named
    vendor's challenge markup).
    """
    body_words = words(body_text) if body_text is not None else None
    for hit in scan.hits:
        state = hit.rule.state
        if state == "paywall":
            continue
        if (
            body_text is not None
            and body_words is not None
            and body_words >= TEXT_GUARD_WORDS
            and not hit.rule.firm
            and not _speaks_of(state, body_text)
        ):
            if state == "login_wall" and hit.rule.where == "text" and body_words <= PAYWALL_MAX_WORDS:
                return _access(hit, truncated=True)  # a sign-in prompt under a teaser: emitted, cut short
            continue
        return _access(hit, truncated=state == "login_wall")
    if body_text is not None and body_words is not None and body_words <= WEAK_BODY_WORDS:
        for hit in scan.weak:  # one consent phrase on the page, and the short body extracted is that text
            if _speaks_of(hit.rule.state, body_text):
                return _access(hit)
    return _paywall(scan, body_words, removed)


def _speaks_of(state: str, text: str) -> bool:
    """Whether an extracted body is itself the words of this state (the consent dialog extracted as text)."""
    folded = " ".join(text.split()).lower()
    return any(r.state == state and r.where == "text" and r.regex.search(folded) for r in ACCESS_RULES)


def _paywall(scan: AccessScan, body_words: int | None, removed: Iterable[str]) -> Access:
    short = body_words is None or body_words <= PAYWALL_MAX_WORDS
    marker = next((h for h in scan.hits if h.rule.state == "paywall"), None)
    if marker is not None and short:
        return _access(marker, truncated=True)
    prompt = _removed_prompt(removed) if body_words is not None and short else None
    if scan.free is not None and scan.free[0] is False:
        _, source, raw = scan.free
        rule = JSONLD_RULE if source == "jsonld" else CONTENT_TIER_RULE
        return Access("paywall", rule, str(raw)[:MAX_EVIDENCE], source, truncated=short or prompt is not None)
    if prompt is not None:
        return Access("paywall", REMOVED_PROMPT_RULE, prompt, "text", truncated=True)
    return OK


def _removed_prompt(removed: Iterable[str]) -> str | None:
    """A subscribe prompt among the texts the cleaner removed from the body."""
    rules = [r for r in ACCESS_RULES if r.state == "paywall" and r.where == "text"]
    for text in removed:
        spaced = " ".join(text.split())
        folded = spaced.lower()
        for rule in rules:
            found = rule.regex.search(folded)
            if found:
                return (spaced if len(spaced) == len(folded) else folded)[found.start() : found.end()][:MAX_EVIDENCE]
    return None


def _access(hit: Hit, truncated: bool = False) -> Access:
    where = hit.rule.where
    source = "header" if where.startswith("header:") else SOURCES[where]
    return Access(hit.rule.state, hit.rule.id, hit.matched, source, truncated)


def access_state(
    page: HtmlElement | bytes | str | None,
    status: int | None = None,
    headers: Headers = None,
    *,
    url: str | None = None,
    text: str | None = None,
    removed: Iterable[str] = (),
) -> Access:
    """The access state of one fetched page, whatever its HTTP status.

    `page` is a parsed tree or the HTML (bytes or str; undecodable or empty input leaves the headers and URL
    to decide); `text` the body the cleaner extracted, when it ran; `removed` the texts it removed.
    `status` is accepted for the callers' sake: challenge pages are recognised by what they hold, since
    vendors answer 200, 202, 403, 429 and 503 alike.
    """
    del status  # evidence comes from markup, scripts and headers, never from the status alone
    source = None
    tree = page if isinstance(page, HtmlElement) else None
    if isinstance(page, (bytes, str)) and page.strip():
        source, tree = _parse(page, url)
    return decide(scan_access(tree, source, headers=headers, url=url), text, removed)


def _parse(page: bytes | str, url: str | None) -> tuple[str | None, HtmlElement | None]:
    from .decode import decode
    from .errors import CleanwireError
    from .parse import parse

    try:
        doc = decode(page, None, url or "<page>")
        return doc, parse(doc, url or "<page>")
    except CleanwireError:
        return None, None
