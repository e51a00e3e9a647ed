"""Hostile servers against a crawl: bombs, endless and silent responses, drips, loops, traps, robots and 429 trouble."""

from __future__ import annotations

import gzip
import re
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.discovery.listings import Entry, MalformedDocument, parse_sitemap

from conftest import CLEANWIRE, ROOT

CRAWL_TIMEOUT = 60  # seconds: a generous bound on any crawl here, never a timing assertion
FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CLEANWIRE_WORKERS=1",
    "-s",
    "DOWNLOAD_TIMEOUT=2",
    "-s",
    "RETRY_TIMES=1",
    "-s",
    "LOG_LEVEL=INFO",
    "-s",
    "CLEANWIRE_BACKOFF_START=0.2",
    "-s",
    "CLEANWIRE_BACKOFF_MAX=1",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s",
    "DEPTH_LIMIT=100",
]  # crawler/settings.py's default, given here too while that hunk waits to be committed
MAX_RSS_MB = 2000  # generous bound on a crawl's peak memory
BOMB_BYTES = 200 * 1024 * 1024  # decompressed size of the gzip bomb (DOWNLOAD_MAXSIZE is 20 MB)

Handler = Callable[["RawServer", socket.socket, str], None]


def article(slug: str, links: str = "") -> bytes:
    paras = "".join(
        f"<p>{slug} point {i}: the harbour ferry council met on Tuesday and agreed a new timetable "
        f"with {i + 2} extra weekday crossings from the old pier.</p>"
        for i in range(8)
    )
    return (
        f"<html><head><title>Story {slug}</title></head><body>{links}<article><h1>Story {slug}</h1>{paras}"
        "</article></body></html>"
    ).encode()


def head(status: str, headers: dict[str, str] | None = None, length: int | None = None) -> bytes:
    headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    lines = [f"HTTP/1.1 {status}", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def reply(body: bytes, status: str = "200 OK", headers: dict[str, str] | None = None) -> Handler:
    def handle(server: RawServer, conn: socket.socket, path: str) -> None:
        conn.sendall(head(status, headers, len(body)) + body)

    return handle


class RawServer:
    """A loopback server on raw sockets, one thread per connection, answering by path prefix; counts hits."""

    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = routes
        self.hits: Counter[str] = Counter()
        self.stopping = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.origin = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def __enter__(self) -> RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()

    def serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                data = b""
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                path = data.split(b" ", 2)[1].decode("latin-1")
                self.hits[path] += 1
                handler = max((p for p in self.routes if path.startswith(p)), key=len, default=None)
                (self.routes[handler] if handler else reply(b"not found", "404 Not Found"))(self, conn, path)
            except OSError:
                pass  # the crawler gave up on us: that is the point

    def pause(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; False once it is."""
        return not self.stopping.wait(seconds)


def silent(server: RawServer, conn: socket.socket, path: str) -> None:
    while server.pause(0.5):
        pass


def endless(server: RawServer, conn: socket.socket, path: str) -> None:
    conn.sendall(head("200 OK") + b"<html><body>")
    chunk = b"<p>and on and on and on</p>" * 2000
    while server.pause(0.01):
        conn.sendall(chunk)


def drip(server: RawServer, conn: socket.socket, path: str) -> None:
    for byte in head("200 OK", length=100) + b"x" * 100:
        conn.sendall(bytes([byte]))
        if not server.pause(1.0):
            return


def gzip_bomb() -> Handler:
    body = gzip.compress(b"<p>" + b" " * BOMB_BYTES, compresslevel=1)
    return reply(body, headers={"Content-Encoding": "gzip"})


def redirect(target: Callable[[str], str]) -> Handler:
    def handle(server: RawServer, conn: socket.socket, path: str) -> None:
        conn.sendall(head("302 Found", {"Location": target(path)}, 0))

    return handle


def next_number(path: str) -> str:
    stem, number = path.rstrip("/").rsplit("/", 1)
    return f"{stem}/{int(number) + 1}"


def calendar(server: RawServer, conn: socket.socket, path: str) -> None:
    body = f'<html><body><h1>{path}</h1><a href="{next_number(path)}">next</a></body></html>'.encode()
    conn.sendall(head("200 OK", length=len(body)) + body)


def too_many_requests(retry_after: str) -> Handler:
    def handle(server: RawServer, conn: socket.socket, path: str) -> None:
        body = article(path.rsplit("/", 1)[-1])
        if server.hits[path] == 1:
            conn.sendall(head("429 Too Many Requests", {"Retry-After": retry_after}, 0))
        else:
            conn.sendall(head("200 OK", length=len(body)) + body)

    return handle


XML = {"Content-Type": "application/xml"}
SITEMAP_NS = b'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
SELF_INDEX = (
    b'<?xml version="1.0"?><sitemapindex ' + SITEMAP_NS + b"><sitemap><loc>{ORIGIN}/self.xml</loc></sitemap>"
    b"<sitemap><loc>{ORIGIN}/urls.xml</loc></sitemap></sitemapindex>"
)  # a sitemap index listing itself
URLSET = (
    b'<?xml version="1.0"?><urlset ' + SITEMAP_NS + b"><url><loc>{ORIGIN}/news/2025/01/02/good-3</loc></url></urlset>"
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16
BAD_PAGES = {  # slug -> (body, Content-Type): hostile HTML served at article URLs
    "empty": (b"", "text/html"),
    "png": (PNG, "text/html"),
    "deep": (b"<html><body>" + b"<div>" * 100_000 + b"</div>" * 100_000 + b"</body></html>", "text/html"),
    "siblings": (b"<html><body><article>" + b"<span>w</span>" * 1_000_000 + b"</article></body></html>", "text/html"),
    "utf16": (article("utf16").decode().encode("utf-16-le"), "text/html"),
    "charset": (
        article("charset")
        .replace(b"<head>", b'<head><meta charset="shift_jis">')
        .replace(b"ferry", "f\u00e9rry".encode()),
        "text/html; charset=iso-8859-1",
    ),
}
HOSTILE = ("gzip-bomb", "endless", "silent", "drip", "loop-a", "redir/1", "events/page/1", "calendar/1")


def hostile_site() -> dict[str, Handler]:
    links = "".join(f'<a href="/news/2025/01/02/{p}">{p}</a>' for p in HOSTILE + ("good-1", "good-2", *BAD_PAGES))
    bad = {
        f"/news/2025/01/02/{slug}": reply(body, headers={"Content-Type": kind})
        for slug, (body, kind) in BAD_PAGES.items()
    }
    return {
        "/robots.txt": lambda s, c, p: reply(f"User-agent: *\nAllow: /\nSitemap: {s.origin}/self.xml\n".encode())(
            s, c, p
        ),
        "/self.xml": lambda s, c, p: reply(SELF_INDEX.replace(b"{ORIGIN}", s.origin.encode()), headers=XML)(s, c, p),
        "/urls.xml": lambda s, c, p: reply(URLSET.replace(b"{ORIGIN}", s.origin.encode()), headers=XML)(s, c, p),
        "/": reply(f"<html><body>{links}</body></html>".encode()),
        "/news/2025/01/02/good-": lambda s, c, p: reply(article(p.rsplit("/", 1)[-1]))(s, c, p),
        "/news/2025/01/02/gzip-bomb": gzip_bomb(),
        "/news/2025/01/02/endless": endless,
        "/news/2025/01/02/silent": silent,
        "/news/2025/01/02/drip": drip,
        "/news/2025/01/02/loop-a": redirect(lambda p: "/news/2025/01/02/loop-b"),
        "/news/2025/01/02/loop-b": redirect(lambda p: "/news/2025/01/02/loop-a"),
        "/news/2025/01/02/redir/": redirect(next_number),
        "/news/2025/01/02/events/page/": calendar,
        "/news/2025/01/02/calendar/": calendar,
        **bad,
    }


class Crawl:
    """A finished `cleanwire crawl` subprocess: exit status, seconds, peak RSS, records, Scrapy's final stats."""

    def __init__(self, origin: str, out: Path, *extra: str) -> None:
        started = time.perf_counter()
        with subprocess.Popen(
            [*CLEANWIRE, "crawl", origin + "/", "-o", str(out), *FAST, *extra],
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as proc:
            watcher = threading.Thread(target=self.watch, args=(proc.pid,), daemon=True)
            self.peak_mb = 0
            watcher.start()
            _, self.stderr = proc.communicate(timeout=CRAWL_TIMEOUT)
            self.returncode = proc.returncode
        self.seconds = time.perf_counter() - started
        self.out = out.read_text("utf-8")
        self.titles = sorted(re.findall(r'"title": "([^"]+)"', self.out))
        dump = self.stderr.split("Dumping Scrapy stats:", 1)[-1]
        self.stats = {k: int(v) for k, v in re.findall(r"'([^']+)': (\d+),?\n", dump)}

    def watch(self, pid: int) -> None:
        """Peak RSS of the crawl process (VmHWM: ru_maxrss would include the test runner's, inherited on fork)."""
        status = Path(f"/proc/{pid}/status")
        while True:
            try:
                text = status.read_text()
            except OSError:
                return
            found = re.search(r"VmHWM:\s+(\d+) kB", text)
            if found:
                self.peak_mb = max(self.peak_mb, int(found.group(1)) // 1024)
            time.sleep(0.05)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    with RawServer(hostile_site()) as server:
        crawl = Crawl(server.origin, tmp_path_factory.mktemp("hostile") / "out.jsonl")
        hits = Counter(server.hits)
    return crawl, hits


def test_crawl_of_a_hostile_site_finishes_and_emits_the_good_pages(hostile):
    crawl, _ = hostile
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert crawl.titles == ["Story charset", "Story good-1", "Story good-2", "Story good-3", "Story utf16"]
    assert crawl.seconds < CRAWL_TIMEOUT and 0 < crawl.peak_mb < MAX_RSS_MB


def test_hostile_html_pages_are_dropped_with_their_reason(hostile):
    crawl, _ = hostile
    dropped = sorted(re.findall(r"Dropped: \S+/news/2025/01/02/(\w+): (.*)", crawl.stderr))
    assert [d for d in dropped if d[0] in BAD_PAGES] == [
        ("deep", "HTML nested deeper than 255 levels"),
        ("png", "not HTML: the bytes are a PNG image"),
        ("siblings", "HTML has more than 100,000 elements"),
    ]
    assert crawl.stats["cleanwire/errors/bad_input"] == 3
    assert "f\u00e9rry council" in crawl.out  # UTF-8 bytes won over both declarations


def test_empty_page_is_counted_not_a_spider_error(hostile):
    crawl, hits = hostile
    assert hits["/news/2025/01/02/empty"] == 1
    assert "Spider error processing <GET" not in crawl.stderr
    assert crawl.stats["cleanwire/skipped/empty_document"] == 1


def test_sitemap_index_listing_itself_is_read_once(hostile):
    crawl, hits = hostile
    assert hits["/self.xml"] == 1 and hits["/urls.xml"] == 1
    assert crawl.stats["cleanwire/discovery/sitemaps"] == 2


def test_gzip_bomb_is_cut_at_the_decompressed_size_limit(hostile):
    crawl, hits = hostile
    assert hits["/news/2025/01/02/gzip-bomb"] == 1  # ignored, not retried
    warning = [line for line in crawl.stderr.splitlines() if "gzip-bomb> because its body" in line]
    assert len(warning) == 1 and "exceeded DOWNLOAD_MAXSIZE (20971520 B)" in warning[0]
    assert crawl.stats["cleanwire/skipped/too_large"] == 1  # a size cut, not taken for robots.txt


def test_never_ending_silent_and_dripping_responses_time_out(hostile):
    crawl, hits = hostile
    for path in ("endless", "silent", "drip"):
        assert hits[f"/news/2025/01/02/{path}"] == 2, path  # the first try and one retry
    assert crawl.stats["cleanwire/errors/DownloadTimeoutError"] == 3
    assert re.search(r"other errors +\d+ .*DownloadTimeoutError 3", crawl.stderr)


def test_redirect_loops_stop(hostile):
    crawl, hits = hostile
    assert hits["/news/2025/01/02/loop-a"] == 1 and hits["/news/2025/01/02/loop-b"] == 1
    assert crawl.stats["dupefilter/filtered"] >= 1  # the way back to loop-a
    chain = sorted(int(p.rsplit("/", 1)[1]) for p in hits if "/redir/" in p)
    assert chain == list(range(1, 12))  # the first request and REDIRECT_MAX_TIMES = 10
    assert crawl.stats["downloader/response_status_count/302"] == 13


def test_calendar_traps_are_bounded(hostile):
    crawl, hits = hostile
    days = sorted(p for p in hits if "/calendar/" in p)
    assert days == [f"/news/2025/01/02/calendar/{i}" for i in (1, 2, 3)]  # CLEANWIRE_LINK_DEPTH hops
    pages = [p for p in hits if "/events/page/" in p]
    assert 50 <= len(pages) <= 100  # pagination adds no hop: DEPTH_LIMIT = 100 bounds it
    assert crawl.stats["depth/request_ignored_count"] == 1


def test_sitemap_gzip_bomb_is_cut_and_refused():
    bomb = gzip.compress(
        b"<urlset " + SITEMAP_NS + b"><url><loc>https://a.example/x</loc></url>" + b" " * BOMB_BYTES, compresslevel=1
    )
    with pytest.raises(MalformedDocument, match="XML error"):  # cut at MAX_SITEMAP_BYTES: no closing tag
        parse_sitemap(bomb)


def test_sitemap_with_100000_urls():
    body = (
        b"<urlset "
        + SITEMAP_NS
        + b">"
        + b"".join(
            b"<url><loc>https://a.example/news/%d</loc><lastmod>2025-01-02</lastmod></url>" % i for i in range(100_000)
        )
        + b"</urlset>"
    )
    kind, entries = parse_sitemap(body)
    assert kind == "urlset" and len(entries) == 100_000
    assert entries[-1] == Entry("https://a.example/news/99999", "2025-01-02")


def test_ten_thousand_links_on_one_page(tmp_path):
    links = "".join(f'<a href="/tag/topic-{i}/">topic {i}</a>' for i in range(10_000))
    site = {
        "/robots.txt": reply(b"User-agent: *\nAllow: /\n"),
        "/": reply(f"<html><body>{links}</body></html>".encode()),
        "/tag/": lambda s, c, p: reply(b"<html><body><p>a tag page</p></body></html>")(s, c, p),
    }
    with RawServer(site) as server:
        crawl = Crawl(server.origin, tmp_path / "out.jsonl", "--max-pages", "150")
        tags = [p for p in server.hits if p.startswith("/tag/")]
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert 100 <= len(tags) <= 10_000
    assert crawl.stats["response_received_count"] >= 150


def test_robots_txt_500_and_429_with_retry_after(tmp_path):
    site = {
        "/robots.txt": reply(b"oops", "500 Internal Server Error"),
        "/": reply(
            b'<html><body><a href="/news/2025/01/02/busy">a</a><a href="/news/2025/01/02/later">b</a></body></html>'
        ),
        "/news/2025/01/02/busy": too_many_requests("1"),
        "/news/2025/01/02/later": too_many_requests("86400"),
    }
    with RawServer(site) as server:
        crawl = Crawl(server.origin, tmp_path / "out.jsonl")
        hits = Counter(server.hits)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert crawl.titles == ["Story busy", "Story later"]  # retried after the 429, within CLEANWIRE_BACKOFF_MAX
    assert hits["/news/2025/01/02/busy"] == 2 and hits["/news/2025/01/02/later"] == 2
    assert crawl.stats["downloader/response_status_count/429"] == 2


def test_robots_txt_that_never_answers(tmp_path):
    site = {
        "/robots.txt": silent,
        "/": reply(article("home", '<a href="/news/2025/01/02/one">one</a>')),
        "/news/2025/01/02/one": reply(article("one")),
    }
    with RawServer(site) as server:
        crawl = Crawl(server.origin, tmp_path / "out.jsonl", "-s", "RETRY_TIMES=0")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert "Story one" in crawl.titles
