"""Why a fetched page was not emitted (not_article, paywalled, blocked, consent, login, needs_js, tdm_reserved, ...), with its access state."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cleaners.access import Access, access_state
from crawler.clock import utcnow
from crawler.settings import with_defaults

STATUSES = (
    "not_article",
    "paywalled",
    "blocked",
    "consent",
    "login",
    "needs_js",
    "tdm_reserved",
    "too_large",
    "http_error",
    "robots",
)
BLOCKING_STATUSES = {403: "HTTP 403 Forbidden", 429: "HTTP 429 Too Many Requests"}
#: statuses whose body is never read for an access state: the server says the page does not exist. Challenge,
#: consent and login pages answer 200, 202, 401, 403, 429 or 503, never these; reading the site's "not found"
#: page was most of the crawler's CPU on archives full of dead links (about 5 ms each, 4 of 5 pages fetched).
NOT_FOUND_STATUSES = frozenset({404, 410})
#: a page's access state (cleaners.access) -> the status of its reject
ACCESS_STATUS = {
    "bot_challenge": "blocked",
    "consent_wall": "consent",
    "login_wall": "login",
    "js_shell": "needs_js",
    "paywall": "paywalled",
}

ACCESS_META = "cleanwire_access"  # request.meta: the access verdict of a non-2xx page response (AccessCounter)

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
    access: str | None = None  # the page's access state (cleaners.access), when it was read
    access_rule: str | None = None  # the access rule that decided it (None for ok)

    def to_dict(self) -> dict:
        return asdict(self)


def error_status(error: str) -> tuple[str, str] | None:
    """A fetch failure's status, from the one-line reason the spider recorded."""
    text = error.lower()
    if "robots" in text:
        return "robots", error
    if "max size" in text or "maxsize" in text or "too large" in text:
        return "too_large", error
    return None


def reject_for(
    url: str,
    http_status: int | None = None,
    body: bytes | str | None = None,
    *,
    headers=None,
    error: str | None = None,
    reason: str | None = None,
    fetched_at: str | None = None,
    max_bytes: int | None = None,
    access: Access | dict | None = None,
) -> Reject:
    """The status of a fetched page that was not emitted. `reason` is the pipeline's verdict when it had one,
    `access` the cleaner's access verdict (an Access or extract_record's evidence); without it the page is
    classified here (cleaners.access), whatever its HTTP status but 404 and 410 (NOT_FOUND_STATUSES)."""

    def reject(status: str, why: str, found: Access | None = None) -> Reject:
        return Reject(
            url, status, why, http_status, fetched_at, found.state if found else None, found.rule if found else None
        )

    if error and (failure := error_status(error)):
        return reject(*failure)
    if max_bytes is not None and body is not None and len(body) > max_bytes:
        return reject("too_large", f"body of {len(body)} bytes above the limit of {max_bytes}")
    if isinstance(access, dict):
        access = Access(access["state"], access.get("rule"), access.get("matched"))
    if access is None and body is not None and http_status not in NOT_FOUND_STATUSES:
        access = access_state(body, http_status, headers, url=url)
    if access is not None and access.state != "ok":
        status = f" (HTTP {http_status})" if http_status and http_status != 200 else ""
        return reject(ACCESS_STATUS[access.state], access.describe() + status, access)
    if http_status in BLOCKING_STATUSES:
        return reject("blocked", BLOCKING_STATUSES[http_status], access)
    if http_status is not None and http_status >= 400:
        return reject("http_error", f"HTTP {http_status}", access)
    if error:
        return reject("http_error", error)
    return reject("not_article", reason or "no main content", access)


def is_page_response(response, request) -> bool:
    """A response to a page request: not robots.txt, tdmrep.json or a probed sitemap/feed path."""
    return not (
        request.meta.get("cleanwire_probe")
        or request.meta.get("dont_obey_robotstxt")
        or urlsplit(response.url).path == "/robots.txt"
    )


class AccessCounter:
    """Extension: the access state of every non-2xx page response but 404 and 410 (NOT_FOUND_STATUSES), which
    never reaches extraction (a bot challenge answered 403, 429 or 503), counted in cleanwire/access/<state> beside those of the extracted pages
    (ExtractPipeline), and kept in request.meta for the rejects."""

    def __init__(self, stats) -> None:
        self.stats = stats
        self.counted: set[str] = set()  # URLs counted already (a retried 503 answers several times)

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        counter = cls(crawler.stats)
        crawler.signals.connect(counter.response_received, signal=signals.response_received)
        return counter

    def response_received(self, response, request, spider=None) -> None:
        if 200 <= response.status < 400 or response.status in NOT_FOUND_STATUSES:
            return
        if not is_page_response(response, request):
            return
        access = access_state(response.body, response.status, response.headers, url=response.url)
        request.meta[ACCESS_META] = access
        if response.url not in self.counted:
            self.counted.add(response.url)
            self.stats.inc_value(f"cleanwire/access/{access.state}")


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

        path = with_defaults(crawler.settings).get("CLEANWIRE_REJECTS")
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
        if 200 <= response.status < 400 or not is_page_response(response, request):
            return
        self.writer.write(
            reject_for(
                response.url,
                response.status,
                response.body,
                headers=response.headers,
                fetched_at=utcnow(),
                access=request.meta.get(ACCESS_META),
            )
        )

    def item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        """A Page the pipelines dropped (not an article, bad input); dropped records are not rejects."""
        from crawler.items import Page

        if not isinstance(item, Page):
            return
        reason = str(exception or "").removeprefix(f"{item.url}: ") or None
        if "tdm_reserved" in item.meta:
            self.writer.write(
                Reject(
                    item.url, "tdm_reserved", reason or "TDM rights reserved", item.status, item.fetched_at, "ok", None
                )
            )
            return
        access = item.meta.get("access") or Access()  # the cleaner's verdict; an article it dropped is ok
        self.writer.write(
            reject_for(
                item.url,
                item.status,
                item.body,
                headers=item.headers,
                reason=reason,
                fetched_at=item.fetched_at,
                max_bytes=self.max_bytes,
                access=access,
            )
        )

    def page_skipped(self, response, reason: str) -> None:
        """A page the spider fetched and did not pass on (a listing page, a non-HTML page)."""
        self.writer.write(
            reject_for(
                response.url,
                response.status,
                response.body,
                headers=response.headers,
                reason=reason,
                fetched_at=utcnow(),
                max_bytes=self.max_bytes,
            )
        )

    def record_failure(self, url: str, error: str) -> None:
        """For a spider's errback: a request that got no response (robots.txt, timeout, too large)."""
        self.writer.write(reject_for(url, error=error, fetched_at=utcnow()))

    def close(self, spider=None) -> None:
        self.writer.close()
