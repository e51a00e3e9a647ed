"""Why a fetched page was not emitted: not_article, paywalled, blocked, needs_js, too_large, http_error, robots."""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree, html as lxml_html

from crawler.clock import utcnow

STATUSES = ("not_article", "paywalled", "blocked", "needs_js", "too_large", "http_error", "robots")
BLOCKING_STATUSES = {403: "HTTP 403 Forbidden", 429: "HTTP 429 Too Many Requests"}

#: (name, regex on the raw page) that make any page a bot challenge, whatever else it holds
CHALLENGE_STRONG: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Cloudflare 'Just a moment...'", re.compile(r"<title[^>]*>\s*just a moment\.\.\.", re.I)),
    ("Cloudflare 'Attention Required!'", re.compile(r"<title[^>]*>\s*attention required!?", re.I)),
    ("Cloudflare challenge", re.compile(r"/cdn-cgi/challenge-platform/|_cf_chl_opt|cf-browser-verification", re.I)),
    ("Imperva/Incapsula incident", re.compile(r"incapsula incident id|_incapsula_resource", re.I)),
    ("DataDome captcha", re.compile(r"captcha-delivery\.com", re.I)),
    ("PerimeterX captcha", re.compile(r"px-captcha|perimeterx", re.I)),
    ("'Pardon Our Interruption'", re.compile(r"<title[^>]*>\s*pardon our interruption", re.I)),
)
#: (name, regex) that mean a bot challenge only on a page with little text (a comment form may hold a captcha)
CHALLENGE_WEAK: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("captcha", re.compile(r"g-recaptcha|h-captcha|hcaptcha\.com|recaptcha/api|cf-turnstile", re.I)),
    ("'verify you are human'", re.compile(r"verify (?:that )?you are (?:a )?human|are you a robot", re.I)),
)
CHALLENGE_MAX_WORDS = 150       # visible words below which weak challenge markers count

PAYWALL_ELEMENT = re.compile(r"paywall|regwall|subscribers?[-_]only|premium[-_]content|metered[-_]?content|"
                             r"article[-_]locked|content[-_]gate|gated[-_]content|piano[-_]offer", re.I)
PAYWALL_PHRASE = re.compile(r"subscribe (?:now )?to (?:continue|keep) reading|subscribe to read|"
                            r"this (?:article|story|content) is (?:only )?(?:available )?(?:for|to) (?:paying )?subscribers|"
                            r"to continue reading,? (?:please )?(?:subscribe|log in|sign in)|"
                            r"already a subscriber\?.{0,40}(?:log|sign) in", re.I | re.S)
PAYWALL_MAX_WORDS = 400         # a body this short beside a paywall marker is a truncated teaser

SHELL_ROOT_IDS = {"root", "app", "__next", "__nuxt", "___gatsby", "app-root", "svelte", "main-app"}
SHELL_MAX_WORDS = 40            # visible words at most in an application shell
VISIBLE_TEXT = etree.XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript "
                           "or ancestor::template or ancestor::svg)]")
WORD = re.compile(r"\w+")

#: signals a spider sends for the recorder: a fetched page it chose not to pass on (response, reason),
#: and a request that got no response (url, error: robots.txt, size limit, timeout)
page_skipped = object()
fetch_failed = object()


@dataclass(frozen=True)
class Reject:
    """One fetched page that was not emitted, and why."""

    url: str
    status: str
    reason: str
    http_status: int | None = None
    fetched_at: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _tree(body: bytes | str):
    try:
        return lxml_html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None


def visible_words(tree) -> int:
    """Words a reader sees: text in <body> outside scripts, styles and templates."""
    if tree is None:
        return 0
    return sum(len(WORD.findall(text)) for text in VISIBLE_TEXT(tree))


def challenge_reason(raw: str, words: int) -> str | None:
    """The bot-challenge marker found in the page, or None."""
    for name, pattern in CHALLENGE_STRONG:
        if pattern.search(raw):
            return f"bot challenge: {name}"
    if words < CHALLENGE_MAX_WORDS:
        for name, pattern in CHALLENGE_WEAK:
            if pattern.search(raw):
                return f"bot challenge: {name} on a page of {words} words"
    return None


def _jsonld_nodes(tree):
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            yield json.loads(script.text)
        except ValueError:
            continue


def _not_free(node) -> bool:
    if isinstance(node, list):
        return any(_not_free(n) for n in node)
    if not isinstance(node, dict):
        return False
    value = node.get("isAccessibleForFree")
    if value is False or (isinstance(value, str) and value.strip().lower() == "false"):
        return True
    return any(_not_free(v) for v in node.values() if isinstance(v, (dict, list)))


def paywall_reason(tree, words: int) -> str | None:
    """Why the page looks paywalled: JSON-LD isAccessibleForFree false, or a paywall marker by a short body."""
    if tree is None:
        return None
    if any(_not_free(node) for node in _jsonld_nodes(tree)):
        return "JSON-LD isAccessibleForFree: false"
    if words > PAYWALL_MAX_WORDS:
        return None
    for el in tree.iter():
        if isinstance(el.tag, str):
            marker = PAYWALL_ELEMENT.search(f"{el.get('class', '')} {el.get('id', '')}")
            if marker:
                return f"paywall element ({marker.group(0)}) beside a body of {words} words"
    phrase = PAYWALL_PHRASE.search(" ".join(VISIBLE_TEXT(tree)))
    if phrase:
        return f"paywall prompt {phrase.group(0)!r} beside a body of {words} words"
    return None


def shell_reason(tree, words: int) -> str | None:
    """An application shell: a root element for a script to fill, scripts, and almost no text."""
    if tree is None or words > SHELL_MAX_WORDS:
        return None
    scripts = sum(1 for s in tree.iter("script") if s.get("src") or (s.text or "").strip())
    roots = [el for el in tree.iter("div", "main", "app-root") if (el.get("id") or "").lower() in SHELL_ROOT_IDS]
    if scripts and roots:
        return f"application shell: <{roots[0].tag} id={roots[0].get('id')}>, {scripts} scripts, {words} words of text"
    if scripts and words == 0:
        return f"application shell: {scripts} scripts and no text"
    return None


def error_status(error: str) -> tuple[str, str] | None:
    """A fetch failure's status, from the one-line reason the spider recorded."""
    text = error.lower()
    if "robots" in text:
        return "robots", error
    if "max size" in text or "maxsize" in text or "too large" in text:
        return "too_large", error
    return None


def classify(url: str, http_status: int | None = None, body: bytes | str | None = None, *,
             error: str | None = None, reason: str | None = None, fetched_at: str | None = None,
             max_bytes: int | None = None) -> Reject:
    """The status of a fetched page that was not emitted; `reason` is the cleaner's verdict when it had one."""
    def reject(status: str, why: str) -> Reject:
        return Reject(url, status, why, http_status, fetched_at)

    if error and (found := error_status(error)):
        return reject(*found)
    if max_bytes is not None and body is not None and len(body) > max_bytes:
        return reject("too_large", f"body of {len(body)} bytes above the limit of {max_bytes}")
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    tree = _tree(body) if raw.strip() else None
    words = visible_words(tree)
    if http_status in BLOCKING_STATUSES:
        return reject("blocked", BLOCKING_STATUSES[http_status])
    challenge = challenge_reason(raw, words) if raw else None
    if challenge:
        return reject("blocked", challenge + (f" (HTTP {http_status})" if http_status and http_status != 200 else ""))
    if http_status is not None and http_status >= 400:
        return reject("http_error", f"HTTP {http_status}")
    if error:
        return reject("http_error", error)
    for status, check in (("paywalled", paywall_reason), ("needs_js", shell_reason)):
        why = check(tree, words)
        if why:
            return reject(status, why)
    return reject("not_article", reason or f"no main content ({words} words of text)")


class RejectsWriter:
    """Appends one JSON line per rejected page to a file, flushed per line (safe to tail or kill)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = self.path.open("a", encoding="utf-8")
        self.count = 0

    def write(self, reject: Reject) -> None:
        self.file.write(json.dumps(reject.to_dict(), ensure_ascii=False) + "\n")
        self.file.flush()
        self.count += 1

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class RejectsRecorder:
    """Extension (CLEANWIRE_REJECTS = path): writes a reject line for non-2xx responses and dropped Pages."""

    def __init__(self, writer: RejectsWriter, max_bytes: int | None = None) -> None:
        self.writer = writer
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        path = crawler.settings.get("CLEANWIRE_REJECTS")
        if not path:
            raise NotConfigured("CLEANWIRE_REJECTS is not set")
        recorder = cls(RejectsWriter(path), crawler.settings.getint("DOWNLOAD_MAXSIZE") or None)
        crawler.signals.connect(recorder.response_received, signal=signals.response_received)
        crawler.signals.connect(recorder.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(recorder.page_skipped, signal=page_skipped)
        crawler.signals.connect(recorder.record_failure, signal=fetch_failed)
        crawler.signals.connect(recorder.close, signal=signals.spider_closed)
        return recorder

    def response_received(self, response, request, spider=None) -> None:
        """Non-2xx final responses (redirects are followed; robots.txt and probed sitemap/feed paths are not pages)."""
        if 200 <= response.status < 400 or urlsplit(response.url).path == "/robots.txt":
            return
        if request.meta.get("cleanwire_probe"):
            return
        self.writer.write(classify(response.url, response.status, response.body, fetched_at=utcnow()))

    def item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        """A Page the pipelines dropped (not an article, bad input); dropped records are not rejects."""
        from crawler.items import Page

        if not isinstance(item, Page):
            return
        reason = str(exception or "").removeprefix(f"{item.url}: ") or None
        self.writer.write(classify(item.url, item.status, item.body, reason=reason, fetched_at=item.fetched_at,
                                   max_bytes=self.max_bytes))

    def page_skipped(self, response, reason: str) -> None:
        """A page the spider fetched and did not pass on (a listing page, a non-HTML page)."""
        self.writer.write(classify(response.url, response.status, response.body, reason=reason, fetched_at=utcnow(),
                                   max_bytes=self.max_bytes))

    def record_failure(self, url: str, error: str) -> None:
        """For a spider's errback: a request that got no response (robots.txt, timeout, too large)."""
        self.writer.write(classify(url, error=error, fetched_at=utcnow()))

    def close(self, spider=None) -> None:
        self.writer.close()


def paywall_prompt(record: dict) -> str | None:
    """The paywall prompt the cleaner removed from a short record (a truncated teaser), or None."""
    if (record.get("word_count") or 0) > PAYWALL_MAX_WORDS:
        return None
    for removal in record.get("removed") or ():
        found = PAYWALL_PHRASE.search(removal.get("text") or "")
        if found:
            return found.group(0)
    return None


class PaywallFlag:
    """Item pipeline: an emitted record truncated behind a paywall prompt gets is_accessible_for_free false."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def process_item(self, item, spider=None):
        if not isinstance(item, dict) or "content_hash" not in item or item.get("is_accessible_for_free") is not None:
            return item
        prompt = paywall_prompt(item)
        if prompt:
            item["is_accessible_for_free"] = False
            item.setdefault("provenance", {})["is_accessible_for_free"] = {"source": "text", "raw": prompt}
        return item
