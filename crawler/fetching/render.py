"""Rendering pages that need JavaScript in headless Chromium (Debian's package) through scrapy-playwright, bounded."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from cleaners.errors import CleanwireError
from crawler.settings import with_defaults

if TYPE_CHECKING:
    from scrapy import Request

logger = logging.getLogger(__name__)

MODES = ("never", "auto", "always")
RENDER_META = "cleanwire_render"  # request meta: this request goes through the browser
SHELL_META = "cleanwire_js_shell"  # request meta: the js_shell evidence of the plain fetch it repeats
RENDERED_FLAG = "playwright"  # response flag scrapy-playwright sets on a rendered response
HANDLER = "crawler.fetching.render.RenderHandler"
TRANSIENT_META = ("download_", "redirect_", "retry_", "_", "depth")  # meta of the plain fetch not carried over
LOCAL_SCHEMES = ("data", "blob", "about")  # no network: left to the browser
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CONDITIONAL_HEADERS = (b"If-None-Match", b"If-Modified-Since")
CONTEXT_PREFIX = "cleanwire-render-"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
#: JavaScript run after the page's load event: true once the body shows more words than an application shell
ARTICLE_SHOWN = """(words) => {
  const body = document.body;
  if (!body) return false;
  const text = body.innerText || "";
  return text.split(/\\s+/).filter(Boolean).length > words;
}"""
SHELL_WORDS = 40  # visible words of a shell (cleaners' js_shell rule looks at fewer)


class RenderError(CleanwireError):
    """Rendering was asked for and cannot happen (no Chromium, scrapy-playwright missing)."""


class BrowserUnavailable(RuntimeError):
    """Chromium failed to start earlier in the run: the page is not sent to it again."""


_warned = False


def warn_once(message: str) -> None:
    """One warning line on stderr per process (a crawl that meets many shells says it once)."""
    global _warned
    if not _warned:
        _warned = True
        print(f"cleanwire: {message}", file=sys.stderr, flush=True)


def chromium_path(settings) -> str | None:
    """The Chromium executable: CLEANWIRE_CHROMIUM when set, else `chromium` on PATH (Debian's package)."""
    given = with_defaults(settings).get("CLEANWIRE_CHROMIUM")
    if given:
        return shutil.which(given)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable(settings) -> str | None:
    """Why pages cannot be rendered here, or None when they can."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        return "scrapy-playwright is not installed (make install)"
    if chromium_path(settings) is None:
        where = with_defaults(settings).get("CLEANWIRE_CHROMIUM") or "chromium"
        return f"Chromium not found ({where}; apt-get install chromium)"
    return None


def configure(settings) -> str:
    """Install the rendering download handler when pages may be rendered; returns the effective mode.

    `never` (or `auto` without Chromium) leaves Scrapy's own handlers alone: the plain crawl is unchanged.
    `always` without Chromium is a RenderError. `auto` without it says so once, when a page needs it.
    """
    mode = settings.get("CLEANWIRE_RENDER")
    if mode not in MODES:
        raise RenderError(f"must be one of {', '.join(MODES)}, got {mode!r}", "--render")
    if mode == "never":
        return mode
    why = unavailable(settings)
    if why is not None:
        if mode == "always":
            raise RenderError(why, "--render always")
        settings.set("CLEANWIRE_RENDER_UNAVAILABLE", why, priority="cmdline")
        return "never"
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update({"http": HANDLER, "https": HANDLER})
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="cmdline")
    return mode


# ------------------------------------------------------------------ the spiders' side


@dataclass
class RenderPolicy:
    """What the spiders render: a per-crawler view of the settings, with the run and per-site budgets."""

    mode: str = "never"
    active: bool = False  # the rendering handler is installed (Chromium found)
    unavailable: str | None = None  # why not, in `auto` without Chromium
    sites: frozenset[str] = frozenset()  # hosts whose pages are always rendered (sources file render = true)
    max_pages: int = 0  # renders per run (0: no limit)
    max_pages_per_site: int = 0  # renders per host (0: no limit)
    timeout: float = 20.0  # seconds for one page
    wait: float = 5.0  # seconds to wait after load for the article to appear
    crawler: object = None  # its stats count renders (set once the crawl starts)
    used: int = 0
    used_by_site: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def from_crawler(cls, crawler) -> RenderPolicy:
        policy = getattr(crawler, "cleanwire_render_policy", None)
        if policy is None:
            settings = with_defaults(crawler.settings)
            mode = settings.get("CLEANWIRE_RENDER")
            policy = cls(
                mode=mode,
                active=HANDLER in settings.getdict("DOWNLOAD_HANDLERS").values(),
                unavailable=settings.get("CLEANWIRE_RENDER_UNAVAILABLE") or None,
                sites=frozenset(h.lower() for h in settings.getlist("CLEANWIRE_RENDER_SITES")),
                max_pages=settings.getint("CLEANWIRE_RENDER_MAX_PAGES"),
                max_pages_per_site=settings.getint("CLEANWIRE_RENDER_MAX_PAGES_PER_SITE"),
                timeout=settings.getfloat("CLEANWIRE_RENDER_TIMEOUT"),
                wait=settings.getfloat("CLEANWIRE_RENDER_WAIT"),
                crawler=crawler,
            )
            crawler.cleanwire_render_policy = policy
        return policy

    def count(self, key: str) -> None:
        stats = getattr(self.crawler, "stats", None)
        if stats is not None:
            stats.inc_value(f"cleanwire/render/{key}")

    def upfront(self, url: str) -> bool:
        """Render this page request from the start: `always`, or a site listed with render = true."""
        if self.mode == "never":
            return False
        return self.mode == "always" or (urlsplit(url).hostname or "").lower() in self.sites

    def after_shell(self) -> bool:
        """A page found to be a script shell is fetched again through the browser (auto and always)."""
        return self.mode != "never" and self.usable()

    def usable(self) -> bool:
        """The browser handler is installed; else (auto without Chromium) one warning line for the process."""
        if not self.active and self.unavailable:
            warn_once(
                f"--render auto works as --render never: {self.unavailable}; "
                "pages built by scripts are reported as js_shell"
            )
        return self.active

    def take(self, url: str) -> bool:
        """One render of the run's and the site's budget; False (counted) when either is spent."""
        host = (urlsplit(url).hostname or "").lower()
        if self.max_pages and self.used >= self.max_pages:
            self.count("over_budget")
            return False
        if self.max_pages_per_site and self.used_by_site[host] >= self.max_pages_per_site:
            self.count("over_site_budget")
            return False
        self.used += 1
        self.used_by_site[host] += 1
        self.count("requested")
        return True

    def request(self, request, **changes):
        """`request` (a scrapy Request) to be fetched through the browser, or None when the budget is spent."""
        if not self.usable() or not self.take(request.url):
            return None
        kept = {k: v for k, v in request.meta.items() if not k.startswith(TRANSIENT_META)}
        meta = {**kept, **changes.pop("meta", {}), **self.meta()}
        headers = request.headers.copy()
        for name in CONDITIONAL_HEADERS:  # the browser asks for the whole page
            headers.pop(name, None)
        return request.replace(meta=meta, headers=headers, dont_filter=True, **changes)

    def meta(self) -> dict:
        """Request meta for scrapy-playwright: wait for the load event, then for the article text (bounded)."""
        from scrapy_playwright.page import PageMethod

        return {
            "playwright": True,
            RENDER_META: True,
            "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": self.timeout * 1000},
            "playwright_page_methods": [PageMethod(wait_for_article, self.wait)],
            "download_timeout": self.timeout + self.wait + 5,
        }


async def wait_for_article(page, wait: float) -> None:
    """After load: wait up to `wait` seconds for the body to show more than a shell's words; never raises on
    a page whose scripts write nothing (it is then extracted, and reported, as it is)."""
    from playwright.async_api import Error as PlaywrightError

    try:
        await page.wait_for_function(ARTICLE_SHOWN, arg=SHELL_WORDS, timeout=wait * 1000)
    except PlaywrightError:
        return
    # scripts that fill the page in several steps: let the current burst of tasks finish
    await page.wait_for_timeout(50)


def rendered(response) -> bool:
    """True for a response that came through the browser."""
    return bool(response.request is not None and response.request.meta.get(RENDER_META))


def shell_evidence(
    body: bytes, url: str, status: int | None = None, headers=None, reason: str | None = None
) -> str | None:
    """Why the page is a `js_shell` (an application shell whose article scripts build), or None."""
    if reason and reason.startswith("js_shell"):
        return reason
    from cleaners.access import access_state

    access = access_state(body, status, headers, url=url)
    return access.describe() if access.state == "js_shell" else None


# ------------------------------------------------------------------ the download handler


class RenderHandler:
    """DOWNLOAD_HANDLERS entry for http and https while rendering is possible.

    Plain requests go to Scrapy's HTTP/1.1 handler exactly as without it. Requests with `playwright` meta go
    to one Renderer per crawler (shared by the http and https entries), which starts Playwright and Chromium
    only at the first page rendered: a crawl that renders nothing pays nothing.
    """

    lazy = False

    def __init__(self, crawler) -> None:
        from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

        self.plain = HTTP11DownloadHandler(crawler)
        renderer = getattr(crawler, "cleanwire_renderer", None)
        if renderer is None:
            renderer = crawler.cleanwire_renderer = Renderer(crawler)
        self.renderer = renderer
        renderer.users += 1

    @classmethod
    def from_crawler(cls, crawler) -> RenderHandler:
        return cls(crawler)

    async def download_request(self, request):
        if request.meta.get("playwright"):
            return await self.renderer.render(request)
        return await self.plain.download_request(request)

    async def close(self) -> None:
        await self.plain.close()
        self.renderer.users -= 1
        if self.renderer.users == 0:
            await self.renderer.close()


class Renderer:
    """One browser for a crawl: pages rendered one or two at a time, images/fonts/media aborted, subrequests
    held to the request guard, contexts replaced every CLEANWIRE_RENDER_CONTEXT_PAGES pages, sizes bounded."""

    def __init__(self, crawler) -> None:
        settings = with_defaults(crawler.settings)
        self.crawler = crawler
        self.stats = crawler.stats
        self.users = 0
        self.handler = None
        self.start_lock = asyncio.Lock()
        self.slots = asyncio.Semaphore(max(1, settings.getint("CLEANWIRE_RENDER_CONCURRENCY")))
        self.context_pages = max(1, settings.getint("CLEANWIRE_RENDER_CONTEXT_PAGES"))
        self.blocked_types = frozenset(settings.getlist("CLEANWIRE_RENDER_BLOCK"))
        self.max_bytes = settings.getint("DOWNLOAD_MAXSIZE")
        self.generation = 0
        self.pages_in_context = 0
        self.in_flight: dict[str, int] = defaultdict(int)
        self.closing: set[asyncio.Future] = set()  # contexts being closed (a reference keeps the task alive)
        self.page_bytes: dict[object, int] = {}  # playwright Page -> bytes of its responses so far
        self.page_requests: dict[object, Request] = {}  # playwright Page -> the Scrapy request it renders
        self.timeout_ms = settings.getfloat("CLEANWIRE_RENDER_TIMEOUT") * 1000
        self.max_redirects = settings.getint("REDIRECT_MAX_TIMES")
        self.guard = None
        self.broken: str | None = None  # why Chromium cannot be used: later pages fail at once

    def playwright_settings(self):
        """The crawl's settings plus scrapy-playwright's, pointed at Debian's Chromium (never a download)."""
        settings = with_defaults(self.crawler.settings).copy()
        settings.frozen = False  # a copy of the crawl's frozen settings, for the handler alone
        timeout_ms = settings.getfloat("CLEANWIRE_RENDER_TIMEOUT") * 1000
        settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium")
        settings.set(
            "PLAYWRIGHT_LAUNCH_OPTIONS",
            {
                "executable_path": chromium_path(settings),
                "headless": True,
                "args": settings.getlist("CLEANWIRE_CHROMIUM_ARGS"),
                "timeout": timeout_ms,
            },
        )
        settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", max(1, settings.getint("CLEANWIRE_RENDER_CONCURRENCY")))
        settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", timeout_ms)
        settings.set("PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER", True)
        return settings

    async def start(self):
        """scrapy-playwright's handler, created and launched at the first render."""
        async with self.start_lock:
            if self.handler is None:
                from crawler.fetching.safety import SafetyMiddleware

                proxy = _SettingsView(self.crawler, self.playwright_settings())
                handler = _guarded_handler(self)(proxy)
                await handler._launch()  # its engine_started hook has long fired
                settings = with_defaults(self.crawler.settings)
                if settings.getbool("CLEANWIRE_SAFETY"):
                    self.guard = SafetyMiddleware(self.stats, settings.getbool("CLEANWIRE_DENY_PRIVATE"))
                    self.guard.crawler = self.crawler
                self.handler = handler
        return self.handler

    def context_for_page(self) -> str:
        """The context this page opens in: a new one every `context_pages` pages (the old one closes when its
        last page is done), so the browser's memory stays flat over long runs."""
        if self.pages_in_context >= self.context_pages:
            old = f"{CONTEXT_PREFIX}{self.generation}"
            self.generation += 1
            self.pages_in_context = 0
            self.stats.inc_value("cleanwire/render/contexts_recycled")
            if not self.in_flight.get(old):
                task = asyncio.ensure_future(self.close_context(old))
                self.closing.add(task)
                task.add_done_callback(self.closing.discard)
        self.pages_in_context += 1
        return f"{CONTEXT_PREFIX}{self.generation}"

    async def close_context(self, name: str) -> None:
        self.in_flight.pop(name, None)
        wrapper = self.handler.context_wrappers.get(name) if self.handler else None
        if wrapper is not None:
            try:
                await wrapper.context.close()
            except Exception as exc:
                logger.debug("closing render context %s: %s", name, exc)

    async def render(self, request):
        from scrapy.exceptions import IgnoreRequest

        if self.broken:
            raise BrowserUnavailable(self.broken)
        handler = await self.start()
        async with self.slots:
            if self.broken:
                raise BrowserUnavailable(self.broken)
            name = self.context_for_page()
            request.meta["playwright_context"] = name
            request.meta["playwright_context_kwargs"] = {
                "service_workers": "block",  # every subrequest goes through the route guard
                "user_agent": self.crawler.settings.get("USER_AGENT"),
                "java_script_enabled": True,
            }
            request.meta["playwright_page_init_callback"] = self.init_page
            self.in_flight[name] += 1
            try:
                response = await handler.download_request(request)
            except Exception as exc:
                if "BrowserType.launch" in str(exc):  # Chromium does not start: no page tries again
                    first = str(exc).splitlines()[0]
                    self.broken = f"Chromium did not start ({first})"
                    self.stats.inc_value("cleanwire/render/browser_failed")
                    warn_once(f"rendering is off for the rest of the run: {self.broken}")
                raise
            finally:
                self.in_flight[name] -= 1
                current = f"{CONTEXT_PREFIX}{self.generation}"
                if name != current and self.in_flight[name] == 0:
                    await self.close_context(name)
        self.stats.inc_value("cleanwire/render/rendered")
        over = request.meta.pop("cleanwire_render_too_large", None)
        if over or (self.max_bytes and len(response.body) > self.max_bytes):
            size = over or len(response.body)
            self.stats.inc_value("cleanwire/render/too_large")
            raise IgnoreRequest(f"rendered page of {size} bytes above DOWNLOAD_MAXSIZE ({self.max_bytes})")
        return response

    async def init_page(self, page, request) -> None:
        """The page's byte count starts at 0; past DOWNLOAD_MAXSIZE its render request is marked too large."""
        self.page_bytes[page] = 0
        self.page_requests[page] = request

        def forget(*_) -> None:
            self.page_bytes.pop(page, None)
            self.page_requests.pop(page, None)

        page.on("close", forget)

    async def route(self, route, pw_request) -> None:
        """Every request the page makes (in place of scrapy-playwright's route handler)."""
        from playwright.async_api import Error as PlaywrightError

        try:
            await self._route(route, pw_request)
        except PlaywrightError as exc:  # the page closed meanwhile, a connection failed, a timeout
            logger.debug("render subrequest %s: %s", pw_request.url[:200], exc)
            with suppress(PlaywrightError):
                await route.abort()

    async def _route(self, route, pw_request) -> None:
        """Refused (images, fonts, media, other schemes, guarded targets), or fetched here hop by hop, so each
        redirect target passes the guard too (Chromium does not route the requests a redirect leads to), and
        its bytes counted against DOWNLOAD_MAXSIZE, then handed to the page."""
        url = pw_request.url
        scheme = urlsplit(url).scheme.lower()
        if scheme in LOCAL_SCHEMES:
            await route.continue_()
            return
        page = _page_of(pw_request)
        if await self.refused(url, pw_request.resource_type, page):
            await route.abort()
            return
        first = response = await route.fetch(max_redirects=0, timeout=self.timeout_ms)
        hops = 0
        while response.status in REDIRECT_STATUSES and response.headers.get("location"):
            target = urljoin(url, response.headers["location"])
            hops += 1
            if hops > self.max_redirects or await self.refused(target, None, page):
                await route.abort()
                return
            url = target
            response = await route.fetch(
                url=target, max_redirects=0, timeout=self.timeout_ms, headers=_without_credentials(pw_request.headers)
            )
        body = await response.body()
        if self.over_size(page, len(body)):
            await route.abort()
            return
        if first is not response and pw_request.is_navigation_request():
            await route.fulfill(response=first)  # the page follows the checked chain itself: its URL is the last
        else:
            await route.fulfill(response=response, body=body)

    def over_size(self, page, size: int) -> bool:
        """Count a response's bytes for its page; True (and the page marked too large) past DOWNLOAD_MAXSIZE."""
        if not self.max_bytes:
            return False
        total = self.page_bytes.get(page, 0) + size
        if page is not None:
            self.page_bytes[page] = total
        if size <= self.max_bytes and total <= self.max_bytes:
            return False
        self.stats.inc_value("cleanwire/render/blocked/size")
        request = self.page_requests.get(page)
        if request is not None:
            request.meta["cleanwire_render_too_large"] = total
        return True

    async def refused(self, url: str, kind: str | None, page) -> bool:
        """True for a request the page must not make: images, fonts and media (not needed for the text), other
        schemes, targets the request guard refuses (crawler.fetching.safety, as for plain fetches), and anything once
        the page's bytes are spent."""
        from scrapy import Request
        from scrapy.exceptions import IgnoreRequest

        if kind in self.blocked_types:
            self.stats.inc_value(f"cleanwire/render/blocked/{kind}")
            return True
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            self.stats.inc_value("cleanwire/render/blocked/scheme")
            return True
        if page is not None and self.max_bytes and self.page_bytes.get(page, 0) > self.max_bytes:
            self.stats.inc_value("cleanwire/render/blocked/size")
            return True
        if self.guard is not None:
            try:
                await self.guard.process_request(Request(url))
            except IgnoreRequest:
                self.stats.inc_value("cleanwire/render/blocked/private")
                return True
        return False

    async def close(self) -> None:
        if self.handler is not None:
            handler, self.handler = self.handler, None
            await handler.close()


def _guarded_handler(renderer: Renderer):
    """scrapy-playwright's download handler with the renderer's route handler in place of its own."""
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

    class GuardedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
        def _make_request_handler(self, *args, **kwargs):
            return renderer.route

    return GuardedPlaywrightHandler


def _page_of(pw_request):
    """The playwright Page a request belongs to, or None (a worker's request has no frame)."""
    try:
        return pw_request.frame.page
    except Exception:
        return None


def _without_credentials(headers: dict) -> dict:
    """A redirect hop to another URL does not carry the first one's cookies or credentials."""
    return {k: v for k, v in headers.items() if k.lower() not in ("cookie", "authorization", "proxy-authorization")}


class _SettingsView:
    """The crawler as scrapy-playwright's handler sees it: the same crawler, with the browser's settings."""

    def __init__(self, crawler, settings) -> None:
        self._crawler = crawler
        self.settings = settings

    def __getattr__(self, name: str):
        return getattr(self._crawler, name)
