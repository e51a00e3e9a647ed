"""The `site` spider: discover a site's articles through robots.txt, sitemaps, feeds and links; yield Pages."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Sequence
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from cleaners.multipage import PageLinks as ArticleLinks
from cleaners.multipage import is_later_page, wants_pages
from crawler.clock import utcnow
from crawler.discovery.classify import ARTICLE, decide, is_asset, url_rule
from crawler.discovery.listings import Entry, MalformedDocument, parse_feed, parse_sitemap
from crawler.discovery.normalize import is_same_site, normalize_url, site_key, site_of, site_root, try_normalize
from crawler.discovery.pagelinks import PageLinks, read_page
from crawler.extraction.articlepages import ArticlePages
from crawler.extraction.extractor import Extractor
from crawler.extraction.queue import PRIORITY_ARTICLE  # article candidates before listing pages
from crawler.extraction.tasks import ANALYSE, EXTRACT_WITH_LINKS
from crawler.fetching.middlewares import ROBOTS_META, MaxPagesReached
from crawler.fetching.render import SHELL_META, RenderPolicy, rendered, shell_evidence
from crawler.incremental.state import StateStore
from crawler.items import Page
from crawler.reporting.rejects import fetch_failed, page_skipped
from crawler.settings import with_defaults
from crawler.spiders.urls import page_from_response

logger = logging.getLogger(__name__)

XML_TYPES = (b"xml", b"rss", b"atom")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")
PRIORITY_DISCOVERY = 20  # robots, sitemaps and feeds are fetched before pages
SHELL_MAX_LINKS = 10  # links at most on a page that may be an application shell (else not checked)

SKIPPED_HREFS = ("#", "mailto:", "javascript:", "tel:", "data:")


def too_large(failure: Failure) -> bool:
    """A response cut at DOWNLOAD_MAXSIZE: announced (DownloadCancelledError), received or decompressed (IgnoreRequest)."""
    from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
    from twisted.internet.defer import CancelledError

    if failure.check(IgnoreRequest, DownloadCancelledError):  # robots.txt's is "Forbidden by robots.txt"
        return "DOWNLOAD_MAXSIZE" in str(failure.value) or "max size" in str(failure.value)
    return failure.check(CancelledError) is not None  # Scrapy cancels a body read only past DOWNLOAD_MAXSIZE


class SiteSpider(ArticlePages, scrapy.Spider):
    """Crawls one or more sites from their home URLs: robots.txt Sitemap lines, sitemaps, feeds, links."""

    name = "site"
    cleanwire_summary = True  # crawler.reporting.progress.CrawlProgress reports on this spider
    render: RenderPolicy  # set by from_crawler
    sites: frozenset[str]  # site keys of the start URLs, set by from_crawler

    def __init__(self, url: str = "", urls: Sequence[str] | str = (), *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        given = [url] if url else []
        given += urls.split(",") if isinstance(urls, str) else list(urls)
        self.start_urls = [normalize_url(u) for u in given if u.strip()]
        if not self.start_urls:
            raise ValueError("the site spider needs a start URL: -a url=https://site.example/")
        self.link_depth = 3
        self.same_domain = True
        self.since: str | None = None
        self.sitemap_paths: list[str] = []
        self.feed_paths: list[str] = []
        self.targets: dict[str, str | None] = {}  # absolute link -> normalised page of the site, or None
        self.feed_targets: dict[str, str | None] = {}  # absolute feed link -> the site's feed, or None (off-site)
        self.feeds_requested: set[str] = set()  # feeds found on pages and requested
        self.requested: dict[str, int] = {}  # normalised pages already requested -> least link depth found at
        self.state_path: str | None = None  # incremental crawl: the state consulted before fetching
        self.state: StateStore | None = None
        self.recheck_days: float | None = None
        self.full = False
        self.skipped: set[str] = set()  # known articles not fetched again this run
        self.lastmods: dict[str, str] = {}  # sitemap/feed dates of pages requested before their entry
        self.late_listed: set[str] = set()  # pages a sitemap/feed listed after a link had requested them
        self.site_allow: dict[str, tuple[str, ...]] = {}  # host -> allowed path prefixes (sources file)
        self.site_budget: dict[str, int] = {}  # host -> page requests allowed per run (sources file)
        self.site_pages: dict[str, int] = {}  # host -> page requests made
        self.run_started = utcnow()
        self.render = RenderPolicy()  # --render: what goes through the browser (from_crawler sets it)
        self.max_article_pages = 1  # pages fetched for one article (CLEANWIRE_MAX_ARTICLE_PAGES)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = with_defaults(crawler.settings)
        spider.render = RenderPolicy.from_crawler(crawler)
        spider.link_depth = settings.getint("CLEANWIRE_LINK_DEPTH")
        spider.same_domain = settings.getbool("CLEANWIRE_SAME_DOMAIN")
        spider.since = settings.get("CLEANWIRE_SINCE") or None
        spider.sitemap_paths = settings.getlist("CLEANWIRE_SITEMAP_PATHS")
        spider.feed_paths = settings.getlist("CLEANWIRE_FEED_PATHS")
        spider.sites = frozenset(site_key(u, spider.same_domain) for u in spider.start_urls)
        if settings.get("CLEANWIRE_STATE") and settings.get("CLEANWIRE_OUTPUT_TEMPLATE"):
            spider.state_path = settings.get("CLEANWIRE_STATE")  # only with the journaled StatePipeline
        spider.recheck_days = settings.getfloat("CLEANWIRE_RECHECK_DAYS") or None
        spider.full = settings.getbool("CLEANWIRE_FULL")
        spider.max_article_pages = settings.getint("CLEANWIRE_MAX_ARTICLE_PAGES")
        spider.site_allow = {h.lower(): tuple(p) for h, p in settings.getdict("CLEANWIRE_SITE_ALLOW").items()}
        spider.site_budget = {h.lower(): int(n) for h, n in settings.getdict("CLEANWIRE_SITE_MAX_PAGES").items()}
        threshold = [int(n) for n in settings.getlist("CLEANWIRE_GC_THRESHOLD") if str(n).strip()]
        if threshold:  # a crawl allocates a few objects per link: default thresholds collected ~1000 times
            gc.set_threshold(*threshold)
        return spider

    def closed(self, reason: str) -> None:
        if self.state is not None:
            self.state.close()
            self.state = None

    # ------------------------------------------------------------ requests

    async def start(self):
        if self.state_path and self.state is None:
            self.state = StateStore(self.state_path)  # opened once the StatePipeline holds the run lock
        for url in self.start_urls:
            root = site_root(url)
            yield scrapy.Request(
                root + "robots.txt",
                callback=self.parse_robots,
                errback=self.robots_failed,
                priority=PRIORITY_DISCOVERY,
                cb_kwargs={"root": root},
                meta={"cleanwire_probe": True, ROBOTS_META: urlsplit(root).netloc},
            )
            yield self.page_request(url, depth=0, source="start", start=True)
        for url in self.pending_urls():
            yield self.page_request(url, depth=1, source="pending")

    # ------------------------------------------------------------ incremental state

    def pending_urls(self) -> list[str]:
        """Pages an earlier (killed) run discovered but never settled: queued again first."""
        if self.state is None or self.full:
            return []
        found = []
        for site in dict.fromkeys(site_of(u) for u in self.start_urls):
            found += [u for u in self.state.pending(site) if u not in self.requested and self.pending_ok(u)]
        self.count("state/pending_queued", len(found))
        return found

    def pending_ok(self, url: str) -> bool:
        """A pending page of the sites, or a sitemap/feed (parse_page hands XML to their parsers)."""
        try:
            return is_same_site(url, self.sites, self.same_domain)
        except ValueError:
            return False

    def wanted(self, url: str, lastmod: str | None = None) -> bool:
        """False for an article already emitted whose lastmod did not move (and not due for --recheck-days)."""
        if self.site_budget and not self.within_budget(url):
            return False
        if self.state is None or self.full:
            return True
        if lastmod is None and url in self.skipped:
            return False
        known = self.state.known(url)
        if known is None or (known.content_hash is None and known.http_status != 301):
            return True  # never emitted: fetch (conditionally when it was fetched before)
        # an emitted article, or a link that redirected (its target is known by its own URL): as lastmod says
        if self.state.should_fetch(url, lastmod, self.recheck_days):
            return True
        if lastmod and known.lastmod is None:
            self.state.adopt_lastmod(url, lastmod)
        if url not in self.skipped:
            self.skipped.add(url)
            self.count("state/known_skipped")
        return False

    def conditional(self, url: str) -> dict:
        """Request headers and meta for a conditional GET with the committed validators of the URL."""
        if self.state is None or self.full:
            return {}
        etag, last_modified = self.state.validators(url)
        headers = {"If-None-Match": etag} if etag else {}
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return {"headers": headers, "meta": {"handle_httpstatus_list": [304]}} if headers else {}

    def record(self, response: Response, lastmod: str | None = None, commit: bool = False) -> bool:
        """Stage the response's validators in the state (`commit`: and commit them); True when it is a 304 (nothing
        more to do)."""
        if self.state is None:
            return response.status == 304
        headers = response.headers
        etag = (headers.get(b"ETag") or b"").decode("latin-1") or None
        modified = (headers.get(b"Last-Modified") or b"").decode("latin-1") or None
        for url in response.meta.get("redirect_urls") or ():
            self.state.record_fetch(url, 301)
            self.state.commit_fetch(url)
        lastmod = lastmod or self.lastmods.get(response.url)
        self.state.record_fetch(response.url, response.status, etag, modified, lastmod=lastmod)
        if response.status == 304:
            self.count("state/not_modified")
        if commit or response.status == 304:
            self.state.commit_fetch(response.url)
        return response.status == 304

    def commit_fetch(self, url: str) -> None:
        """The state's commit_fetch(url), when the crawl keeps a state."""
        if self.state is not None:
            self.state.commit_fetch(url)

    def noted(self, requests: list[scrapy.Request]) -> list[scrapy.Request]:
        """Record the pages, sitemaps and feeds about to be requested (the durable frontier) before the page
        listing them settles: a kill then a 304 on that page cannot lose them. Guessed paths are not noted."""
        if self.state is not None and requests:
            self.state.note_seen_many(
                (r.url, r.cb_kwargs.get("lastmod")) for r in requests if not r.meta.get("cleanwire_probe")
            )
        return requests

    def page_request(
        self,
        url: str,
        depth: int,
        source: str = "link",
        lastmod: str | None = None,
        listed: bool = False,
        start: bool = False,
    ) -> scrapy.Request:
        likely_article = url_rule(url) is None and source in ("sitemap", "feed")
        self.requested[url] = min(depth, self.requested.get(url, depth))
        host = (urlsplit(url).hostname or "").lower()
        self.site_pages[host] = self.site_pages.get(host, 0) + 1
        conditional = self.conditional(url)
        request = scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.failed,
            priority=PRIORITY_ARTICLE if likely_article else 0,
            headers=conditional.get("headers"),
            meta=conditional.get("meta"),
            cb_kwargs={
                "depth": depth,
                "source": source,
                "lastmod": lastmod,
                "listed": listed,
                "start": start,
                "key": url,
            },
        )
        return (self.render.upfront(url) and self.render.request(request)) or request  # --render always, render sites

    def discovery_request(self, url: str, callback, probe: bool = False, depth: int = 0) -> scrapy.Request:
        conditional = self.conditional(url)
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.failed,
            priority=PRIORITY_DISCOVERY,
            headers=conditional.get("headers"),
            meta={"cleanwire_probe": probe, "dont_retry": probe, **conditional.get("meta", {})},
            cb_kwargs={"depth": depth},
        )

    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"cleanwire/{key}", n)

    def on_site(self, url: str | None) -> str | None:
        """The normalised URL when it is a crawlable page of one of the sites, else None."""
        if not url:
            return None
        if not is_same_site(url, self.sites, self.same_domain):
            return None
        if self.site_allow and not self.allowed_path(url):
            return None
        return None if is_asset(url) else url

    def allowed_path(self, url: str) -> bool:
        """The sources file's `allow` path prefixes of the URL's host (the home page always passes)."""
        parts = urlsplit(url)
        prefixes = self.site_allow.get((parts.hostname or "").lower())
        return not prefixes or parts.path in ("", "/") or parts.path.startswith(prefixes)

    def within_budget(self, url: str) -> bool:
        """False once the URL's host has used its `max_pages` from the sources file (counted as skipped)."""
        host = (urlsplit(url).hostname or "").lower()
        budget = self.site_budget.get(host)
        if budget is None or self.site_pages.get(host, 0) < budget:
            return True
        self.count("skipped/site_max_pages")
        return False

    # ------------------------------------------------------------ robots.txt, sitemaps, feeds

    def parse_robots(self, response: Response, root: str) -> Iterator[scrapy.Request]:
        sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        self.count("discovery/robots_sitemaps", len(sitemaps))
        if sitemaps:
            for url in sitemaps:
                yield self.discovery_request(url, self.parse_sitemap)
        else:
            yield from self.probe_sitemaps(root)

    def robots_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        # Scrapy sets .request on the Failure it hands an errback; twisted's Failure does not declare it
        yield from self.probe_sitemaps(failure.request.cb_kwargs["root"])  # type: ignore[attr-defined]

    def probe_sitemaps(self, root: str) -> Iterator[scrapy.Request]:
        for path in self.sitemap_paths:
            yield self.discovery_request(root + path.lstrip("/"), self.parse_sitemap, probe=True)

    def parse_sitemap(self, response: Response, depth: int = 0) -> Iterator[scrapy.Request]:
        if self.record(response):
            return
        yield from self.noted(list(self.sitemap_requests(response, depth)))
        self.commit_fetch(response.url)

    def sitemap_requests(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        try:
            kind, entries = parse_sitemap(response.body)
        except MalformedDocument as exc:
            self.count("discovery/sitemap_malformed")
            logger.warning("skipping malformed sitemap %s: %s", response.url, exc)
            return
        self.count("discovery/sitemaps")
        if kind == "sitemapindex":
            for entry in entries:
                url = try_normalize(entry.url, response.url)
                if url and depth < 5 and self.recent(entry.lastmod, count=False):
                    yield self.discovery_request(url, self.parse_sitemap, depth=depth + 1)
            return
        self.count("discovery/sitemap_urls", len(entries))
        yield from self.listed_requests(entries, response.url, "sitemap")

    def parse_feed(self, response: Response, depth: int = 0) -> Iterator[scrapy.Request]:
        if self.record(response):
            return
        yield from self.noted(list(self.feed_entry_requests(response)))
        self.commit_fetch(response.url)

    def feed_entry_requests(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            entries = parse_feed(response.body)
        except MalformedDocument as exc:
            self.count("discovery/feed_malformed")
            logger.warning("skipping malformed feed %s: %s", response.url, exc)
            return
        self.count("discovery/feeds")
        self.count("discovery/feed_entries", len(entries))
        yield from self.listed_requests(entries, response.url, "feed")

    def listed_requests(self, entries: list[Entry], base: str, source: str) -> Iterator[scrapy.Request]:
        for entry in entries:
            url = self.on_site(try_normalize(entry.url, base))
            if url is None:
                self.count("discovery/offsite_or_asset")
            elif url in self.requested:
                self.late_listed.add(url)  # the article decision still sees the membership
                self.late_lastmod(url, entry.lastmod)
            elif self.recent(entry.lastmod) and self.wanted(url, entry.lastmod):
                yield self.page_request(url, depth=1, source=source, lastmod=entry.lastmod, listed=True)

    def late_lastmod(self, url: str, lastmod: str | None) -> None:
        """A listed date for a page already requested through a link: stored with its fetch all the same."""
        if lastmod and self.state is not None:
            self.lastmods[url] = lastmod
            self.state.note_lastmod(url, lastmod, self.run_started)

    def recent(self, lastmod: str | None, count: bool = True) -> bool:
        """False for entries dated before --since (counted as skipped)."""
        if not self.since or not lastmod or lastmod[:10] >= self.since[:10]:
            return True
        if count:
            self.count("skipped/older_than_since")
        return False

    # ------------------------------------------------------------ pages

    async def parse_page(
        self,
        response: Response,
        depth: int,
        source: str,
        lastmod: str | None,
        listed: bool,
        start: bool,
        key: str | None = None,
    ):
        content_type = (response.headers.get(b"Content-Type") or b"").lower()
        if response.status == 304:
            self.record(response, lastmod)  # unchanged since the last committed fetch: settled, no more cost
            return
        html = isinstance(response, HtmlResponse) or b"html" in content_type  # text/html, application/xhtml+xml
        if not html and (not isinstance(response, TextResponse) or any(t in content_type for t in XML_TYPES)):
            for out in self.parse_xml_or_skip(response):
                yield out
            return
        if not html:  # text/plain, JSON, CSS...: never sent to an extraction worker
            self.skip_page(response, "not_html", "not HTML")
            return
        if not response.body.strip():
            self.skip_page(response, "empty_document", "empty document")  # parsel refuses an empty body
            return
        request_url = (response.meta.get("redirect_urls") or [response.url])[0]
        page = page_from_response(response, request_url, source)
        listed = listed or self.was_listed(request_url, response.url)
        assert isinstance(response, TextResponse)  # HTML responses are TextResponses (checked above)
        found, verdict, extracted = await self.analyse(response, page, listed)
        again = self.render_again(response, found, extracted)
        if again is not None:
            yield again  # an application shell: fetched again through the browser, parsed from there
            return
        self.record(response, lastmod)
        if (
            extracted is not None
            and extracted[0] == "article"
            and wants_pages(found.article_pages, self.max_article_pages)
        ):
            self.claim_pages(found, response.url, depth)
        if key is not None:  # a link nearer the home page may have reached it since it was requested
            depth = min(depth, self.requested.get(key, depth))
        for request in self.noted(
            list(self.feed_requests(response.url, found.feeds, start))
            + list(self.link_requests(found, depth, verdict.kind == ARTICLE))
        ):
            yield request
        if not verdict.emit:
            self.commit_fetch(response.url)
            self.count(f"skipped/{verdict.reason}")
            self.crawler.signals.send_catch_log(page_skipped, response=response, reason=f"skipped: {verdict.reason}")
            return
        article = extracted[1] if extracted is not None and extracted[0] == "article" else None
        if article is not None and found.article_pages.first:
            for request in self.continuation_page(response, found.article_pages.first, depth):
                yield request
            return
        page.lastmod = lastmod
        page.meta = {
            "verdict": verdict.kind,
            "reason": verdict.reason,
            "canonical": try_normalize(found.canonical, response.url),
        }
        if extracted is not None:
            page.meta["extracted"] = extracted
        if article is not None and wants_pages(found.article_pages, self.max_article_pages):
            extractor = Extractor.running(self.crawler)
            assert extractor is not None  # an article is only ever extracted by the running Extractor
            chunks = extractor.options.chunk_tokens
            for out in self.start_article_pages(page, article, found.article_pages, self.max_article_pages, chunks):
                yield out
            return
        yield page

    def claim_pages(self, found: PageLinks, url: str, depth: int) -> None:
        """The later pages of a multi-page article are fetched with it, never by link discovery (nor twice)."""
        pages = found.article_pages
        for href in (pages.next, pages.one_page, *found.hrefs):
            if href:
                target = self.link_target(urljoin(found.base, href))
                if target and (target in (pages.next, pages.one_page) or is_later_page(target, url)):
                    self.requested[target] = min(depth, self.requested.get(target, depth))

    def continuation_page(self, response: Response, first: str, depth: int) -> Iterator[scrapy.Request]:
        """Page 2 (or later) of an article, reached on its own: never emitted; its first page is fetched instead."""
        self.commit_fetch(response.url)
        self.count("skipped/continuation_page")
        self.crawler.signals.send_catch_log(
            page_skipped, response=response, reason=f"skipped: continuation page of {first}"
        )
        url = self.link_target(first)
        if url is not None and url not in self.requested:
            yield from self.noted([self.page_request(url, depth=depth)])

    async def extract_continuation(self, page: Page) -> tuple[str, object, ArticleLinks]:
        """A continuation page's extraction and links, in the extraction workers."""
        extractor = Extractor.running(self.crawler)
        assert extractor is not None  # continuations follow an article the running Extractor extracted
        return await extractor.extract(page, EXTRACT_WITH_LINKS)

    def article_done(self, page: Page, record: dict) -> Iterator[Page]:
        page.meta["extracted"] = ("article", record)
        yield page

    def render_again(self, response: Response, found: PageLinks, extracted) -> scrapy.Request | None:
        """The browser request for a page found to be a script shell (--render auto), or None. Only pages the
        cleaner found no article in, or with next to no links, are looked at (a listing page is not parsed again)."""
        if rendered(response) or self.render.mode == "never" or (extracted is not None and extracted[0] == "article"):
            return None
        if extracted is None and len(found.hrefs) > SHELL_MAX_LINKS:
            return None
        reason = extracted[1] if extracted is not None and isinstance(extracted[1], str) else None
        if extracted is not None and extracted[0] == "access":
            reason = extracted[1]["reason"]  # the cleaner's access verdict (crawler.pipelines.extract_record)
        shell = shell_evidence(response.body, response.url, response.status, reason=reason)
        if shell is None or not self.render.after_shell():
            return None
        return self.render.request(response.request, meta={SHELL_META: shell})

    def was_listed(self, *urls: str) -> bool:
        """A page requested through a link that a sitemap or feed listed before its response came."""
        if not self.late_listed:
            return False
        found = False
        for url in urls:
            if url in self.late_listed:
                self.late_listed.discard(url)
                found = True
        return found

    async def analyse(self, response: TextResponse, page: Page, listed: bool):
        """(links and signals, verdict, extraction or None): in an extraction worker when the ExtractPipeline
        runs, so this process only builds Requests; here otherwise (and when the worker failed)."""
        extractor = Extractor.running(self.crawler)
        found = verdict = extracted = None
        if extractor is not None:
            found, verdict, extracted = await extractor.extract(page, ANALYSE, response.encoding, listed)
        if found is None:
            found = read_page(response.body, response.encoding, response.url)
            verdict = decide(response.url, found.og_type, found.ld_types, listed)
        return found, verdict, extracted

    def parse_xml_or_skip(self, response: Response) -> Iterator[scrapy.Request]:
        head = response.body[:512]
        if b"<urlset" in head or b"<sitemapindex" in head or head[:2] == b"\x1f\x8b":
            yield from self.parse_sitemap(response)
        elif b"<rss" in head or b"<feed" in head or b"<rdf:RDF" in head:
            yield from self.parse_feed(response)
        else:
            self.skip_page(response, "not_html", "not HTML")

    def skip_page(self, response: Response, key: str, reason: str) -> None:
        """A fetched page that is no article and has no links: settled, counted, reported to the rejects."""
        self.record(response, commit=True)
        self.count(f"skipped/{key}")
        self.crawler.signals.send_catch_log(page_skipped, response=response, reason=f"skipped: {reason}")

    def feed_requests(self, base: str, feeds: list[tuple[str, str]], start: bool) -> Iterator[scrapy.Request]:
        """The site's feeds a page links to, each requested once (pages repeat them: the dupefilter would drop
        the repeats, after normalising them and noting them in the state again)."""
        found = False
        for kind, href in feeds:
            if kind.lower() in FEED_TYPES:
                absolute = urljoin(base, href.strip())
                if absolute not in self.feed_targets:
                    url = try_normalize(absolute)
                    on_site = url is not None and is_same_site(url, self.sites, self.same_domain)
                    self.feed_targets[absolute] = url if on_site else None
                url = self.feed_targets[absolute]
                if url is not None:
                    found = True
                    if url not in self.feeds_requested:
                        self.feeds_requested.add(url)
                        yield self.discovery_request(url, self.parse_feed)
        if start and not found:
            root = site_root(base)
            for path in self.feed_paths:
                yield self.discovery_request(root + path.lstrip("/"), self.parse_feed, probe=True)

    def link_requests(self, found: PageLinks, depth: int, is_article: bool) -> Iterator[scrapy.Request]:
        """Links to follow: any page of the site up to the depth limit; pagination does not add depth."""
        base = found.base
        origin = site_root(base)[:-1]
        for href in found.hrefs:
            if href.startswith(SKIPPED_HREFS):
                continue
            absolute = origin + href if href[:1] == "/" and href[:2] != "//" else urljoin(base, href)
            url = self.link_target(absolute)
            if url is None:
                continue
            known = self.requested.get(url)
            if known is not None and known <= depth:
                continue
            paginated = not is_article and url_rule(url) == "pagination"
            next_depth = depth if paginated else depth + 1
            if known is not None:  # requested from further away: its links may now go one level deeper
                self.requested[url] = min(known, next_depth)
            elif next_depth <= self.link_depth and self.wanted(url):
                yield self.page_request(url, depth=next_depth)

    def link_target(self, absolute: str) -> str | None:
        """The normalised page a link leads to on the site, or None; remembered, as sites repeat their links."""
        if absolute in self.targets:
            return self.targets[absolute]
        try:
            if not is_same_site(absolute, self.sites, self.same_domain) or is_asset(absolute):
                return None  # not remembered: off-site links (share buttons) are often unique per page
        except ValueError:
            return None
        url = self.targets[absolute] = self.on_site(try_normalize(absolute))
        return url

    def failed(self, failure: Failure) -> None:
        """Counts failed requests: HTTP errors by status (probes apart), other download errors by type."""
        from scrapy.exceptions import IgnoreRequest
        from scrapy.spidermiddlewares.httperror import HttpError

        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy for errbacks, not in twisted's stubs
        probe = request.meta.get("cleanwire_probe")
        page = request.callback == self.parse_page  # only pages are reported to the rejects recorder
        if failure.check(HttpError):
            status = failure.value.response.status
            if not probe and status in (404, 410):
                self.record(failure.value.response, commit=True)  # gone: not pending any more
            self.count("discovery/probe_missing" if probe else f"http_errors/{status}")
        elif too_large(failure):  # before IgnoreRequest: a body cut at decompression raises one too
            self.count("skipped/too_large")
            if page:
                error = f"too large: {failure.value or 'body above DOWNLOAD_MAXSIZE'}"
                self.crawler.signals.send_catch_log(fetch_failed, url=request.url, error=error)
        elif failure.check(MaxPagesReached):
            pass  # --max-pages spent: not fetched, not a failure (a state crawl keeps it pending)
        elif failure.check(IgnoreRequest):
            if page:  # robots.txt (Scrapy counts robotstxt/forbidden), safety refusals (counted by the guard)
                self.crawler.signals.send_catch_log(fetch_failed, url=request.url, error=str(failure.value))
        elif not probe:
            self.count(f"errors/{type(failure.value).__name__}")
            logger.info("download failed: %s: %s", request.url, failure.value)
            if page:
                error = str(failure.value).splitlines()[0] if str(failure.value) else type(failure.value).__name__
                if request.meta.get(SHELL_META):  # a shell the browser could not render (Playwright's error)
                    error = f"{request.meta[SHELL_META]}; rendering failed: {error}"
                self.crawler.signals.send_catch_log(fetch_failed, url=request.url, error=error)
