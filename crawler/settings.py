"""Scrapy and cleanwire settings for every crawl; override any with `-s NAME=VALUE`."""

from __future__ import annotations

import copy
import typing

if typing.TYPE_CHECKING:  # (an upper-case import would become a setting)
    from scrapy.settings import BaseSettings

BOT_NAME = "cleanwire"  # Scrapy's project name
SPIDER_MODULES = ["crawler.spiders"]  # where `scrapy crawl` finds spiders
NEWSPIDER_MODULE = "crawler.spiders"  # where `scrapy genspider` writes

CLEANWIRE_CONTACT_URL = "https://github.com/cleanwire/cleanwire"  # who to contact about the crawler
USER_AGENT = f"cleanwire/0.1 (+{CLEANWIRE_CONTACT_URL})"  # identifying User-Agent
ROBOTSTXT_OBEY = True  # robots.txt is obeyed (Protego parser)
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"  # the robots.txt parser

CONCURRENT_REQUESTS = 16  # requests in flight over all sites
CONCURRENT_REQUESTS_PER_DOMAIN = 4  # requests in flight per site
DOWNLOAD_DELAY = 0.25  # seconds between requests to one site (Crawl-delay overrides)
DOWNLOAD_DELAY_JITTER = 0.5  # 0.5x-1.5x jitter on the delay
AUTOTHROTTLE_ENABLED = True  # adapt the delay to the site's latency
AUTOTHROTTLE_START_DELAY = 0.5  # initial AutoThrottle delay, seconds
AUTOTHROTTLE_MAX_DELAY = 30.0  # longest AutoThrottle delay, seconds
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0  # requests AutoThrottle aims to have in flight per site

DOWNLOAD_TIMEOUT = 30  # seconds before a request is given up
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # largest response body, bytes (after decompression)
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024  # log a warning above this size
RETRY_ENABLED = True  # retry transient failures
RETRY_TIMES = 2  # retries per request
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]  # statuses worth retrying (404/410 are not)
REDIRECT_MAX_TIMES = 10  # longest redirect chain
DEPTH_LIMIT = 100  # longest chain of requests from a start URL: bounds pagination/calendar traps
HTTPERROR_ALLOWED_CODES: list[int] = []  # non-2xx statuses passed to callbacks
COOKIES_ENABLED = False  # articles do not need sessions
TELNETCONSOLE_ENABLED = False  # no telnet console
STATS_CLASS = "crawler.reporting.collector.CrawlStats"  # Scrapy's MemoryStatsCollector, without its per-lookup shim
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"  # Scrapy's current fingerprinter
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # asyncio reactor
TWISTED_DNS_RESOLVER = (
    "crawler.fetching.safety.GuardedResolver"  # Scrapy's caching resolver, refusing unnamed private addresses
)
FEED_EXPORT_ENCODING = "utf-8"  # JSON output keeps non-ASCII text as is
FEED_EXPORTERS = {  # `-o FILE` of `cleanwire crawl` and of `scrapy crawl site`
    "jsonlines": "crawler.output.feeds.FlushingJsonLinesExporter",  # each record flushed as it comes
    "json": "crawler.output.feeds.FlushingJsonExporter",  # a JSON array, flushed after every record
    "parquet": "crawler.output.parquet.ParquetItemExporter",  # pyarrow, row groups
    "markdown": "crawler.output.markdown.MarkdownItemExporter",  # `-o out.md`: front matter and body per record
    "chunks": "crawler.output.markdown.ChunksItemExporter",  # `--format chunks`: one chunk per JSONL line
}
LOG_LEVEL = "INFO"  # Scrapy's log level

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,  # replaced by the fixed one below
    "crawler.fetching.safety.SafetyMiddleware": 50,  # only http(s); no private/metadata targets the user did not name
    "crawler.fetching.middlewares.RobotsTxtMiddleware": 100,  # robots.txt, safe for concurrent requests
    "crawler.fetching.tdmrep.TdmRepMiddleware": 110,  # each site's /.well-known/tdmrep.json, once: the rule for each page
    "crawler.fetching.middlewares.MaxPages": 120,  # --max-pages N: at most N downloads, then the crawl closes
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,  # replaced by the one below
    "crawler.fetching.middlewares.MetaRefresh": 580,  # meta refresh redirects, without decoding pages that have none
    "crawler.output.warc.WarcWriter": 950,  # archives every response as downloaded when CLEANWIRE_WARC is set
    "crawler.distributed.acks.RedisAcks": 960,  # --redis: a failed download's queue entry is done
}

SPIDER_MIDDLEWARES = {
    "crawler.distributed.acks.RedisAcks": 10,  # --redis: a handled response's queue entry is done
}

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 300,  # Page -> article record (cleaners.extract, in worker processes)
    "crawler.pipelines.SincePipeline": 350,  # drop articles published before CLEANWIRE_SINCE
    "crawler.pipelines.DedupPipeline": 400,  # one record per canonical URL and per content hash
    "crawler.dedup.neardup.NearDupPipeline": 450,  # duplicate_of on near-duplicate texts, when CLEANWIRE_NEARDUP is set
    "crawler.distributed.exactlyonce.EmitOnce": 480,  # --redis: each record emitted by one worker only
    "crawler.incremental.pipeline.StatePipeline": 500,  # with CLEANWIRE_STATE + OUTPUT_TEMPLATE: journaled, incremental output
}

EXTENSIONS = {
    "crawler.fetching.politeness.CrawlDelay": 500,  # robots.txt Crawl-delay raises the per-site delay
    "crawler.fetching.politeness.Backoff": 505,  # 429/5xx double the per-site delay until successes bring it back
    "crawler.reporting.progress.CrawlProgress": 510,  # live progress line on a terminal, summary at the end
    "crawler.reporting.report.RunReport": 530,  # per-site counts, removals, rejects, slowest pages for `cleanwire report`
    "crawler.reporting.rejects.AccessCounter": 515,  # access state of non-2xx pages (challenges), counted for the summary
    "crawler.reporting.rejects.RejectsRecorder": 520,  # one line per fetched page not emitted, when CLEANWIRE_REJECTS is set
}

# cleanwire's own settings
CLEANWIRE_MODE = "balanced"  # cleaner mode: precision | balanced | recall
CLEANWIRE_KEEP_KINDS: list[str] = []  # boilerplate kinds left in the text
CLEANWIRE_DROP_KINDS: list[str] = []  # boilerplate kinds always removed
CLEANWIRE_OVERRIDES = ""  # TOML file of per-site drop/keep selectors
CLEANWIRE_CHUNK_TOKENS = 0  # records carry `chunks` of about this many tokens (`--chunks N`; 0 = off)
CLEANWIRE_RECORD_MARKDOWN = False  # records carry `markdown` (YAML front matter and the body from the blocks)
CLEANWIRE_SAFETY = True  # refuse non-http(s) URLs and unnamed private targets (crawler/fetching/safety.py)
CLEANWIRE_DENY_PRIVATE = False  # refuse private/loopback targets even when named (URLs taken from others)
CLEANWIRE_RUN_REPORT = ""  # write the run's report data (for `cleanwire report`) to this JSON file ("" = off)

# datasets: Parquet, WARC archive, near-duplicates (crawler/output/parquet.py, warc.py, neardup.py)
CLEANWIRE_PARQUET_ROW_GROUP_ITEMS = 500  # records buffered per Parquet row group (bounds memory)
CLEANWIRE_PARQUET_COMPRESSION = "zstd"  # Parquet column compression
CLEANWIRE_WARC = ""  # archive every response to this WARC path ("" = off)
CLEANWIRE_WARC_MAX_BYTES = 1024**3  # start a new WARC file (name-00001.warc.gz, ...) above this size
CLEANWIRE_NEARDUP = ""  # SQLite file of the near-duplicate index ("" = off)
CLEANWIRE_NEARDUP_THRESHOLD = 0.9  # estimated Jaccard of word 5-shingles that makes a near-duplicate
CLEANWIRE_DROP_NEAR_DUPLICATES = False  # drop near-duplicates instead of setting duplicate_of
CLEANWIRE_REJECTS = ""  # JSONL of fetched pages not emitted, with status and reason ("" = off)
CLEANWIRE_TDMREP = True  # read each site's /.well-known/tdmrep.json (TDMRep; crawler/fetching/tdmrep.py)
CLEANWIRE_RESPECT_TDM = False  # --respect-tdm: drop records whose text and data mining rights are reserved

# distributed crawl on Redis (crawler/distributed/scheduler.py; `cleanwire crawl --redis URL` sets the scheduler)
CLEANWIRE_REDIS = ""  # redis://HOST:PORT/DB shared by the workers ("" = off)
CLEANWIRE_REDIS_KEY = "cleanwire:%(spider)s"  # prefix of the crawl's Redis keys (one crawl per prefix)
CLEANWIRE_REDIS_WORKER = ""  # this worker's name ("" = host:pid)
CLEANWIRE_REDIS_HEARTBEAT = 5.0  # seconds between heartbeats; a worker silent for three is dead
CLEANWIRE_REDIS_OUTPUT = ""  # this worker's JSONL file, journaled through Redis (set by `crawl --redis -o`)
CLEANWIRE_REDIS_HOOK = None  # tests only: "module.Class", built with the settings, called as hook(point, records) at "after_claim" and "after_write"

# site crawling (crawler/spiders/site.py, crawler/pipelines.py, crawler/extraction/, crawler/reporting/progress.py)
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 2_000_000  # response bytes waiting for callbacks/pipelines before downloads pause
# article candidates give way to other requests while the extraction workers are backlogged
SCHEDULER_PRIORITY_QUEUE = "crawler.extraction.queue.ExtractionAwarePriorityQueue"
CONCURRENT_ITEMS = 4  # spider outputs processed at once per response (Scrapy starts one task per slot)
CLEANWIRE_WORKERS = 0  # extraction worker processes (0 = one per core)
CLEANWIRE_MAX_IN_FLIGHT = 0  # pages being extracted at once (0 = twice the workers)
CLEANWIRE_WORKER_NICE = 5  # niceness added to the extraction workers: the crawler's event loop is served first
CLEANWIRE_EXTRACT_HOOK = None  # tests only: "module.function" called with the URL in the worker before each page
CLEANWIRE_GC_THRESHOLD = [20000, 50, 100]  # the crawler process's gc thresholds ([] = Python's): ~0.5 ms/page less
CLEANWIRE_MIN_WORDS_UNSURE = 150  # words a page without any article signal needs to be emitted
CLEANWIRE_MAX_ARTICLE_PAGES = 20  # pages fetched and merged for one multi-page article (1 = no continuation)
CLEANWIRE_LINK_DEPTH = 3  # link hops followed from a start page (pagination adds none)
CLEANWIRE_SAME_DOMAIN = True  # follow links across the registered domain (False: same host only)
CLEANWIRE_SITEMAP_PATHS = [
    "/sitemap.xml",
    "/sitemap_index.xml",
    "/sitemap-index.xml",
    "/news-sitemap.xml",
]  # tried when robots.txt names no sitemap
CLEANWIRE_FEED_PATHS = [
    "/feed/",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
]  # tried when the home page links no feed
CLEANWIRE_SINCE = ""  # ISO date: skip sitemap/feed entries and articles older than this
CLEANWIRE_STATE = ""  # incremental crawl state (crawler/incremental/state.py); with OUTPUT_TEMPLATE ("" = off)
CLEANWIRE_OUTPUT_TEMPLATE = (
    ""  # journaled output: out/{site}/{run_started:%Y%m%d-%H%M%S}.jsonl per run, or one out.jsonl every run appends to
)
CLEANWIRE_JOURNAL_BATCH = 16  # records per fsync + state commit of the journaled output
CLEANWIRE_RECHECK_DAYS = 0.0  # fetch an emitted article again after this many days (0 = only when lastmod moves)
CLEANWIRE_FULL = False  # ignore the state for discovery (fetch everything); output still de-duplicated
CLEANWIRE_TEMPLATE = True  # remove blocks a site repeats on many articles (kind template; needs the state)
CLEANWIRE_TEMPLATE_MIN_ARTICLES = 3  # articles of a site a block must appear on to count as template
CLEANWIRE_TEMPLATE_HOLD = 10  # records of a site held back while its template is learned (bounded buffer)
CLEANWIRE_TEMPLATE_HOLD_SECONDS = 5.0  # longest wait of a held record (small sites go on with what is known)
CLEANWIRE_TEMPLATE_KEEP: dict[str, list[str]] = {}  # site -> block openings never removed as template
CLEANWIRE_SITE_ALLOW: dict[str, list[str]] = {}  # host -> allowed path prefixes (sources file `allow`)
CLEANWIRE_SITE_MAX_PAGES: dict[str, int] = {}  # host -> page requests per run (sources file `max_pages`)
CLEANWIRE_OBEY_CRAWL_DELAY = True  # robots.txt Crawl-delay raises DOWNLOAD_DELAY for that site
CLEANWIRE_MAX_CRAWL_DELAY = 30.0  # longest Crawl-delay honoured, seconds
CLEANWIRE_BACKOFF = True  # back off from a site that answers 429 or 5xx
CLEANWIRE_BACKOFF_START = 1.0  # first backoff delay, seconds (Retry-After may ask for more)
CLEANWIRE_BACKOFF_MAX = 60.0  # longest backoff delay, seconds
CLEANWIRE_PROGRESS = True  # live progress line on stderr when it is a terminal
CLEANWIRE_PROGRESS_INTERVAL = 0.5  # seconds between progress line updates
CLEANWIRE_SUMMARY = True  # print the crawl summary on stderr at the end

# rendering pages that need JavaScript (crawler/fetching/render.py; headless Chromium through scrapy-playwright)
CLEANWIRE_RENDER = "auto"  # never | auto (js_shell pages and render sites) | always (every page)
CLEANWIRE_RENDER_SITES: list[str] = []  # hosts whose pages are always rendered (sources file `render = true`)
CLEANWIRE_RENDER_MAX_PAGES = 500  # pages rendered per run at most (0 = no limit)
CLEANWIRE_RENDER_MAX_PAGES_PER_SITE = 100  # pages rendered per host per run at most (0 = no limit)
CLEANWIRE_RENDER_CONCURRENCY = 2  # pages rendering at once
CLEANWIRE_RENDER_TIMEOUT = 20.0  # seconds for a rendered page to load
CLEANWIRE_RENDER_WAIT = 5.0  # seconds to wait after load for scripts to write the article
CLEANWIRE_RENDER_UNAVAILABLE = ""  # set by the crawl itself: why pages cannot be rendered here ("" = they can)
CLEANWIRE_RENDER_CONTEXT_PAGES = 20  # pages per browser context before a fresh one (memory stays flat)
CLEANWIRE_RENDER_BLOCK = ["image", "font", "media"]  # resource types aborted while rendering
CLEANWIRE_CHROMIUM = ""  # Chromium executable ("" = chromium on PATH, Debian's package)
CLEANWIRE_CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]  # launch flags (without the background-networking ones connections fail here)


def with_defaults(settings: BaseSettings) -> BaseSettings:
    """`settings` with this module's CLEANWIRE_* values underneath the names it lacks, at the lowest priority.

    Every component reads its CLEANWIRE_* settings through this, so the defaults are written here only, and a
    crawler built without the project settings (scrapy's get_crawler() in tests, another Scrapy project using a
    cleanwire component) gets them too. Settings that already hold every name are returned as they are."""
    missing = {
        name: value for name, value in globals().items() if name.startswith("CLEANWIRE_") and name not in settings
    }
    if not missing:
        return settings
    merged = settings.copy()
    merged.frozen = False  # a copy of the crawl's frozen settings, for this component
    merged.setdict(copy.deepcopy(missing), priority="default")
    merged.freeze()
    return merged
