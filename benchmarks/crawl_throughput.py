"""Crawl throughput: `cleanwire crawl` beside a plain Scrapy + trafilatura spider and single-process extraction.

Serves the fixture site plus N generated archive articles on 127.0.0.1 (optionally with every article page linking
to pages that do not exist, as real archives do: --dead-links), then runs in interleaved rounds, the order
alternating: `cleanwire crawl` (loopback settings, one extraction worker per core), the peer
(benchmarks/peer_spider.py: plain Scrapy obeying robots.txt, following same-site links, trafilatura.bare_extraction
in its callback) on the same site, and cleaners.extract over a sample of the same article pages in this one process.
Prints per round and as medians: pages/s and articles/s as ratios to the peer and to the single-process rate, CPU
per article of the crawler process, of its extraction workers and of in-process extraction, and the crawler's RSS
at 1,000 and 5,000 pages (first round). The workers' CPU is split by their own account (the crawl summary's
"worker CPU" line: in the pages' tasks, and passing pages and results), beside the same task run in this process
page by page between the single-process extractions (what the crawl's task does beyond extraction: links, article
verdict, record, near-duplicate signature). On a shared machine, CPU per article moves less than the wall-clock rates,
and the ratios of one round (measured minutes apart) less than the rates. Not a test.

The server runs on a thread of this process and shares the cores with the crawl: by default a lean asyncio
server answering from pages rendered before the crawl starts (--server fixture: FixtureSite's own http.server).

    .venv/bin/python benchmarks/crawl_throughput.py [--extra 5000] [--rounds 2] [--dead-links 10] [--sample 300]
    .venv/bin/python benchmarks/crawl_throughput.py --pages ../shared/devdata/pages --copies 6 --no-peer
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.demo.server import FixtureSite  # noqa: E402


class PagesSite:
    """Saved pages (*.html, *.html.gz, e.g. ../shared/devdata/pages) served `copies` times each on 127.0.0.1 under
    /p/N/, listed by /sitemap.xml: real page weights for the throughput ratio. Same interface as FixtureSite."""

    def __init__(self, directory: Path, copies: int) -> None:
        files = sorted(p for p in directory.iterdir() if p.name.endswith((".html", ".html.gz")))
        bodies = [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in files]
        self.bodies = bodies * copies
        self.requests: list[tuple[str, str, int]] = []
        self.origin = ""
        self.server: ThreadingHTTPServer | None = None

    def article_paths(self) -> list[str]:
        return [f"/p/{i}/" for i in range(len(self.bodies))]

    def url(self, path: str) -> str:
        return self.origin + path

    def __enter__(self) -> PagesSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server API
                status, kind, body = site.respond(self.path)
                site.requests.append(("GET", self.path, status))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def respond(self, path: str) -> tuple[int, str, bytes]:
        if path == "/robots.txt":
            return 200, "text/plain", f"User-agent: *\nSitemap: {self.origin}/sitemap.xml\n".encode()
        if path == "/sitemap.xml":
            locs = "".join(f"<url><loc>{self.origin}{p}</loc></url>" for p in self.article_paths())
            return (
                200,
                "application/xml",
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode(),
            )
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "p" and parts[1].isdigit() and int(parts[1]) < len(self.bodies):
            return 200, "text/html", self.bodies[int(parts[1])]
        return 404, "text/plain", b"not found"


class LeanSite:
    """The fixture site (FixtureSite: same pages, same request log) served by a lean asyncio HTTP/1.1 server on
    one thread of this process, every article page rendered before the crawl: the server shares the cores with
    the crawler, and the benchmark measures the crawler, not http.server's per-request parsing or the page
    generator. Keep-alive, Content-Length; conditional GETs, redirects and the 503-once page as FixtureSite."""

    def __init__(self, extra_articles: int) -> None:
        self.site = FixtureSite(extra_articles=extra_articles, cache_size=10**7)
        self.requests = self.site.requests
        self.origin = ""
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None

    def article_paths(self) -> list[str]:
        return self.site.article_paths()

    def url(self, path: str) -> str:
        return self.origin + path

    def __enter__(self) -> LeanSite:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        site = self.site
        site.port = sock.getsockname()[1]
        self.origin = site.origin = f"http://127.0.0.1:{site.port}"
        if site.extra_articles:
            site._regenerate()
        self._articles = set(site.article_paths())
        for path in self._articles:  # rendered now, not while the crawl is measured
            site.resource(path)
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(asyncio.start_server(self._client, sock=sock, backlog=512))
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True, name="lean-site")
        self.thread.start()
        ready.wait()
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line.strip():
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = {}
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = header.decode("latin-1").partition(":")
                    headers[name.strip().title()] = value.strip()
                status, fields, body = self.site.handle(method, target, headers)
                self.site.log_request(method, target, status)
                head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
                head += [f"{k}: {v}" for k, v in fields.items()]
                if status != 304:
                    head.append(f"Content-Length: {len(body)}")
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
                if method != "HEAD" and status != 304:
                    writer.write(body)
                if writer.transport.get_write_buffer_size() > 1 << 16:
                    await writer.drain()
                if headers.get("Connection", "").lower() == "close":
                    break
        except (ConnectionError, ValueError):
            pass
        finally:
            writer.close()


LOOPBACK = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s",
    "CLEANWIRE_PROGRESS=False",
    "-s",
    "LOG_LEVEL=ERROR",
]
#: the crawl summary's line on the workers' CPU (crawler.reporting.progress)
WORKER_CPU_LINE = re.compile(
    r"worker CPU \(s\) +[\d.]+ +(?P<tasks_s>[\d.]+) on (?P<tasks>\d+) pages, (?P<passing_s>[\d.]+) starting and passing"
)
MARKS = (1000, 5000)  # fetched pages at which the crawler's peak RSS is reported


def rss_kb(pid: int) -> int:
    """Resident set size of one process, in kB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class RssSampler(threading.Thread):
    """Polls the crawler's RSS (main process, and with its worker processes) against the server's request count."""

    def __init__(self, pid: int, site: FixtureSite) -> None:
        super().__init__(daemon=True)
        self.pid, self.site = pid, site
        self.offset = len(site.requests)  # requests of earlier crawls of the same site
        self.peak_main = self.peak_all = 0
        self.at: dict[int, tuple[int, int]] = {}
        self.cpu: dict[int, float] = {}  # pid -> last CPU seconds seen (main process and workers)
        self.servers: set[int] = set()  # the crawler's direct children: the forkserver (imports, warm-up), its tracker
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            main = rss_kb(self.pid)
            descendants = _descendants(self.pid)
            self.servers.update(children(self.pid))
            workers = sum(rss_kb(c) for c in descendants)
            for pid in (self.pid, *descendants):
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu_s(pid))
            self.peak_main, self.peak_all = max(self.peak_main, main), max(self.peak_all, main + workers)
            fetched = len(self.site.requests) - self.offset
            for mark in MARKS:
                if fetched <= mark:  # peak so far, until the crawl passes the mark
                    self.at[mark] = (self.peak_main, self.peak_all)
            time.sleep(0.1)


def _descendants(pid: int) -> list[int]:
    out, todo = [], children(pid)
    while todo:
        child = todo.pop()
        out.append(child)
        todo += children(child)
    return out


def crawl_command(site, workers: int, out: Path, extra: list[str]) -> list[str]:
    """`cleanwire crawl` of the site with `workers` extraction workers and the loopback settings."""
    return [
        sys.executable,
        "-m",
        "crawler",
        "crawl",
        site.origin + "/",
        "-o",
        str(out),
        "-s",
        f"CLEANWIRE_WORKERS={workers}",
        *LOOPBACK,
        *extra,
    ]


def crawl(site, workers: int, out: Path, extra: list[str]) -> tuple[float, int, str, RssSampler]:
    command = crawl_command(site, workers, out, extra)
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = RssSampler(process.pid, site)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.monotonic() - started
    sampler.done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"crawl failed ({process.returncode}):\n{stderr[-3000:]}")
    articles = sum(1 for _ in out.open(encoding="utf-8"))
    return elapsed, articles, stderr, sampler


def peer_crawl(site, out: Path, concurrency: int = 16) -> tuple[float, int, float]:
    """The plain Scrapy + trafilatura spider (benchmarks/peer_spider.py) on the same site, with the same requests in
    flight as cleanwire's crawl: (wall seconds, extractions written, CPU seconds of its process)."""
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "peer_spider.py"),
        site.origin + "/",
        str(out),
        str(concurrency),
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    cpu = 0.0
    while process.poll() is None:
        cpu = max(cpu, cpu_s(process.pid))
        time.sleep(0.1)
    _, stderr = process.communicate()
    elapsed = time.monotonic() - started
    if process.returncode:
        raise SystemExit(f"peer crawl failed ({process.returncode}):\n{stderr[-3000:]}")
    return elapsed, sum(1 for _ in out.open(encoding="utf-8")), cpu


def sample_pages(site: FixtureSite, sample: int) -> list[tuple[str, bytes]]:
    paths = site.article_paths()
    step = max(1, len(paths) // sample)
    pages = []
    for path in paths[::step][:sample]:
        with urllib.request.urlopen(site.url(path), timeout=30) as response:
            pages.append((site.url(path), response.read()))
    return pages


def _extract_all(pages: list[tuple[str, bytes]]) -> float:
    from cleaners import extract

    extract(pages[0][1], url=pages[0][0])  # warm-up: lazy imports and models load once
    started = time.monotonic()
    for url, body in pages:
        extract(body, url=url)
    return time.monotonic() - started


def pool_rate(pages: list[tuple[str, bytes]], workers: int) -> float:
    """Control: articles/s of `workers` processes each extracting the whole sample at once, no crawling.
    On a machine shared with other users this shows how much parallel speed-up the machine gives right now."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        walls = list(pool.map(_extract_all, [pages] * workers))
    return workers * len(pages) / max(walls)


def single_process_rate(pages: list[tuple[str, bytes]]) -> tuple[float, float, int, float]:
    """Articles per wall second and per CPU second of cleaners.extract over the sample pages, one process; and the
    CPU ms per page of what a crawl's worker runs on the same page (links, article verdict, extraction, record,
    near-duplicate signature: crawler.extraction.tasks.ANALYSE), timed page by page beside the extractions, so
    that the machine's drift moves both alike."""
    from cleaners import Options, extract
    from crawler.extraction.tasks import ANALYSE, run_task

    options = Options()
    headers = {"Content-Type": "text/html; charset=utf-8"}

    def task(url: str, body: bytes):
        return run_task(ANALYSE, None, True, body, url, options, None, headers, None, "utf-8", True)

    extract(pages[0][1], url=pages[0][0])  # warm-up: lazy imports and models load once
    task(pages[0][0], pages[0][1])
    wall = cpu = task_cpu = 0.0
    for n, (url, body) in enumerate(pages):
        if n % 2:  # the second run on a page finds warmer caches: each goes second on every other page
            clock = time.process_time()
            task(url, body)
            task_cpu += time.process_time() - clock
        started, clock = time.monotonic(), time.process_time()
        extract(body, url=url)
        wall, cpu = wall + time.monotonic() - started, cpu + time.process_time() - clock
        if not n % 2:
            clock = time.process_time()
            task(url, body)
            task_cpu += time.process_time() - clock
    return len(pages) / wall, len(pages) / cpu, len(pages), 1000 * task_cpu / len(pages)


def add_dead_links(site: LeanSite, per_article: int) -> int:
    """The site variant of a real archive: each article page links to `per_article` pages that do not exist
    (answered 404), unique to the page. Rewrites the pre-rendered bodies; returns the dead links added."""
    from dataclasses import replace

    cache = site.site._cache
    added = 0
    for key, resource in list(cache.items()):
        if resource is None or key[1] not in site._articles:
            continue
        slug = key[1].strip("/").replace("/", "-")[-40:]
        links = "".join(
            f'<li><a href="/{2015 + i % 8}/{1 + i % 12:02d}/{slug}-gone-{i}/">Archived: {slug} part {i}</a></li>'
            for i in range(per_article)
        )
        body = resource.body.replace(b"</body>", f'<ul class="archive">{links}</ul></body>'.encode(), 1)
        cache[key] = replace(resource, body=body)
        added += per_article
    return added


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 1)[0]


class Round:
    """One interleaved round's figures."""

    def __init__(self) -> None:
        self.figures: dict[str, float] = {}

    def __setitem__(self, key: str, value: float) -> None:
        self.figures[key] = value

    def __getitem__(self, key: str) -> float:
        return self.figures[key]


def run_cleanwire(site, args, extra: list[str], tmp: Path, rnd: Round, verbose: bool) -> RssSampler:
    before = len(site.requests)
    load = loadavg()
    elapsed, articles, stderr, rss = crawl(site, args.workers, tmp / "out.jsonl", extra)
    fetched = len(site.requests) - before
    if args.pages:  # copies are dropped as duplicates after extraction: count the pages extracted
        articles = sum(1 for _, path, status in site.requests[before:] if path.startswith("/p/") and status == 200)
    if verbose:
        print(stderr.strip())
    main_cpu = rss.cpu.get(rss.pid, 0.0)
    # the forkserver's CPU is the pool's start-up (imports, the warm-up page), once per crawl: apart from the
    # workers', which are the per-article cost compared with in-process extraction (warmed up there too)
    server_cpu = sum(rss.cpu.get(pid, 0.0) for pid in rss.servers)
    worker_cpu = sum(rss.cpu.values()) - main_cpu - server_cpu
    rnd["cw_pages"], rnd["cw_articles"], rnd["cw_elapsed"] = fetched, articles, elapsed
    rnd["cw_pages_s"], rnd["cw_articles_s"] = fetched / elapsed, articles / elapsed
    rnd["cw_crawler_ms"], rnd["cw_workers_ms"] = 1000 * main_cpu / articles, 1000 * worker_cpu / articles
    rnd["cw_crawler_ms_page"] = 1000 * main_cpu / fetched
    rnd["cw_startup_s"] = server_cpu
    split = WORKER_CPU_LINE.search(stderr)  # the workers' own account: in the tasks, and passing pages and results
    if split:
        in_tasks, tasks, passing = float(split["tasks_s"]), int(split["tasks"]), float(split["passing_s"])
        rnd["cw_task_ms"], rnd["cw_passing_ms"] = 1000 * in_tasks / tasks, 1000 * passing / tasks
    print(
        f"  cleanwire crawl: {fetched} pages, {articles} articles in {elapsed:.1f} s: {fetched / elapsed:.1f} pages/s,"
        f" {articles / elapsed:.1f} articles/s; CPU crawler {main_cpu:.1f} s, workers {worker_cpu:.1f} s, "
        f"pool start-up {server_cpu:.1f} s (load {load})",
        flush=True,
    )
    return rss


def run_peer(site, args, tmp: Path, rnd: Round) -> None:
    before = len(site.requests)
    load = loadavg()
    elapsed, extracted, cpu = peer_crawl(site, tmp / "peer.jsonl", args.concurrency)
    fetched = len(site.requests) - before
    rnd["peer_pages"], rnd["peer_extracted"], rnd["peer_elapsed"] = fetched, extracted, elapsed
    rnd["peer_pages_s"], rnd["peer_ms_page"] = fetched / elapsed, 1000 * cpu / fetched
    print(
        f"  peer (Scrapy + bare_extraction): {fetched} pages, {extracted} extractions in {elapsed:.1f} s: "
        f"{fetched / elapsed:.1f} pages/s; CPU {cpu:.1f} s (load {load})",
        flush=True,
    )


def run_single(pages, args, rnd: Round) -> None:
    load = loadavg()
    single, single_cpu, sampled, task_ms = single_process_rate(pages)
    rnd["single_s"], rnd["single_ms"], rnd["task_ms"] = single, 1000 / single_cpu, task_ms
    line = (
        f"  single-process extraction of {sampled} of the same article pages: {single:.1f} articles/s, "
        f"{1000 / single_cpu:.2f} ms CPU each; a worker's task on them in-process {task_ms:.2f} ms"
    )
    if args.control:
        parallel = pool_rate(pages, args.workers)
        rnd["control"] = parallel / single
        line += f"; control ({args.workers} processes, no crawl): {parallel / single:.2f}x"
    print(line + f" (load {load})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=5000, help="generated archive articles (default: 5000)")
    parser.add_argument("--sample", type=int, default=300, help="pages extracted single-process (default: 300)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="extraction workers")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="interleaved rounds of cleanwire crawl, peer crawl and single-process extraction "
        "(default: 2; the order alternates)",
    )
    parser.add_argument(
        "--dead-links",
        type=int,
        default=0,
        metavar="N",
        help="site variant: every article page links to N pages that do not exist (404), as real "
        "archives do (default: 0)",
    )
    parser.add_argument(
        "--no-peer",
        dest="peer",
        action="store_false",
        help="skip the plain Scrapy + trafilatura peer (benchmarks/peer_spider.py)",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="also time N processes extracting the sample with no crawl (the machine's speed-up now)",
    )
    parser.add_argument(
        "--pages",
        type=Path,
        metavar="DIR",
        help="serve these saved pages instead of the fixture site (e.g. ../shared/devdata/pages)",
    )
    parser.add_argument("--copies", type=int, default=6, help="times each --pages page is served (default: 6)")
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the crawl (repeatable), e.g. -s CLEANWIRE_MAX_IN_FLIGHT=8",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        metavar="N",
        help="requests in flight, over all and per site, for both crawls (CONCURRENT_REQUESTS and "
        "CONCURRENT_REQUESTS_PER_DOMAIN; default: 16)",
    )
    parser.add_argument(
        "--server",
        choices=("lean", "fixture"),
        default="lean",
        help="lean: asyncio server, pages rendered before the crawl (default); fixture: FixtureSite's "
        "own threaded http.server rendering on request (what the tests use)",
    )
    args = parser.parse_args()

    if args.pages:
        site, extra = PagesSite(args.pages, args.copies), ["-s", "CLEANWIRE_LINK_DEPTH=0"]
        print(f"cores: {os.cpu_count()}  workers: {args.workers}  pages: {len(site.bodies)} from {args.pages}")
    elif args.server == "lean":
        site, extra = LeanSite(args.extra), []
        print(
            f"cores: {os.cpu_count()}  workers: {args.workers}  generated articles: {args.extra}  "
            f"server: lean asyncio, pages pre-rendered"
        )
    else:
        site, extra = FixtureSite(extra_articles=args.extra), []
        print(
            f"cores: {os.cpu_count()}  workers: {args.workers}  generated articles: {args.extra}  "
            f"server: FixtureSite (http.server, threads, pages rendered on request)"
        )
    if args.dead_links and not isinstance(site, LeanSite):
        raise SystemExit("--dead-links needs the lean server (no --pages, --server lean)")
    flight = [f"CONCURRENT_REQUESTS={args.concurrency}", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}"]
    extra = [*extra, *(arg for setting in [*flight, *args.set] for arg in ("-s", setting))]
    rounds: list[Round] = []
    with site, tempfile.TemporaryDirectory() as tmp:
        if args.dead_links:
            print(
                f"site variant: {add_dead_links(site, args.dead_links)} links to pages that do not exist "
                f"({args.dead_links} per article page)"
            )
        pages = sample_pages(site, args.sample)
        del site.requests[:]
        rss = None
        for n in range(args.rounds):
            rnd = Round()
            rounds.append(rnd)
            print(f"round {n + 1} of {args.rounds}:", flush=True)
            steps = ["cleanwire", "peer", "single"] if n % 2 == 0 else ["peer", "single", "cleanwire"]
            for step in steps:
                reset = getattr(getattr(site, "site", site), "reset_flaky", None)
                if reset is not None:
                    reset()
                if step == "cleanwire":
                    last = run_cleanwire(site, args, extra, Path(tmp), rnd, verbose=n == 0)
                    rss = rss or last
                elif step == "peer" and args.peer:
                    run_peer(site, args, Path(tmp), rnd)
                elif step == "single":
                    run_single(pages, args, rnd)
    print_summary(rounds, args, rss)
    return 0


def _median(values: list[float]) -> float:
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def print_summary(rounds: list[Round], args, rss: RssSampler | None) -> None:
    def fig(key: str) -> list[float]:
        return [r[key] for r in rounds if key in r.figures]

    def show(label: str, values: list[float], fmt: str = "{:.2f}") -> None:
        if values:
            each = ", ".join(fmt.format(v) for v in values)
            print(f"  {label:<58} {fmt.format(_median(values)):>8}   (rounds: {each})")

    print(f"\nsummary over {len(rounds)} round(s), medians (load average now {loadavg()}):")
    show("cleanwire pages/s", fig("cw_pages_s"), "{:.1f}")
    show("cleanwire articles/s", fig("cw_articles_s"), "{:.1f}")
    if args.peer:
        show("peer pages/s (Scrapy + trafilatura.bare_extraction)", fig("peer_pages_s"), "{:.1f}")
        show("ratio: cleanwire pages/s over the peer's", [r["cw_pages_s"] / r["peer_pages_s"] for r in rounds])
    show("single-process extraction articles/s", fig("single_s"), "{:.1f}")
    show("ratio: crawl articles/s over single-process extraction", [r["cw_articles_s"] / r["single_s"] for r in rounds])
    if args.control:
        show("control: N processes extracting, no crawl, over single", fig("control"))
    print("  CPU per article, ms:")
    show("  crawler process", fig("cw_crawler_ms"))
    show("  extraction workers", fig("cw_workers_ms"))
    show("  in-process extraction (single-process baseline)", fig("single_ms"))
    show("  worker overhead beyond in-process extraction", [r["cw_workers_ms"] - r["single_ms"] for r in rounds])
    print("  CPU per page sent to a worker, ms (the workers' own account, and the same task in this process):")
    show("  in the worker, running the page's task", fig("cw_task_ms"))
    show("  in the worker, starting and passing pages and results", fig("cw_passing_ms"))
    show("  the same task in this process, between the extractions", fig("task_ms"))
    show(
        "  of it beyond extraction (links, verdict, record, signature)", [r["task_ms"] - r["single_ms"] for r in rounds]
    )
    show("  (pool start-up, once per crawl, CPU s: not in the figures above)", fig("cw_startup_s"), "{:.1f}")
    show(
        "  crawl total (crawler + workers) over in-process extraction",
        [(r["cw_crawler_ms"] + r["cw_workers_ms"]) / r["single_ms"] for r in rounds],
    )
    show("crawler process CPU per page fetched, ms", fig("cw_crawler_ms_page"))
    if args.peer:
        show("peer process CPU per page fetched, ms", fig("peer_ms_page"))
    if rss is not None:
        for mark in MARKS:
            main_kb, all_kb = rss.at.get(mark, (0, 0))
            print(f"peak RSS by {mark:>5} pages: crawler {main_kb / 1024:.0f} MB, with workers {all_kb / 1024:.0f} MB")
        a, b = rss.at.get(MARKS[0], (0, 0))[0], rss.at.get(MARKS[1], (0, 0))[0]
        if a and b:
            print(f"crawler RSS growth from {MARKS[0]} to {MARKS[1]} pages: {100 * (b - a) / a:+.1f}%")


if __name__ == "__main__":
    raise SystemExit(main())
