"""Safety: only http(s), no unnamed private targets (after DNS and redirects), XML without entities, contained output."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.discovery.listings import MalformedDocument, parse_feed, parse_sitemap
from crawler.fetching.safety import RefusedRequest, SafetyMiddleware, is_guarded
from crawler.incremental.journal import output_path

from conftest import CLEANWIRE, ROOT

FAKE_DNS = {
    "metadata.test": ["169.254.169.254"],
    "intranet.test": ["10.0.0.1"],
    "v6meta.test": ["fd00:ec2::254"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "zero.test": ["0.0.0.0"],
    "mixed.test": ["93.184.216.34", "192.168.1.10"],
    "public.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
}
LOOPBACK = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CLEANWIRE_WORKERS=1",
    "-s",
    "LOG_LEVEL=INFO",
    "-s",
    "DOWNLOAD_TIMEOUT=5",
    "-s",
    "RETRY_ENABLED=False",
]


def fake_resolver(calls: list[str]):
    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in FAKE_DNS:
            raise OSError(f"unknown host {host}")
        return FAKE_DNS[host]

    return resolve


def middleware(named: list[str], deny_private: bool = False, calls: list[str] | None = None) -> SafetyMiddleware:
    crawler = get_crawler(Spider, {"CLEANWIRE_DENY_PRIVATE": deny_private})
    guard = SafetyMiddleware.from_crawler(crawler)
    guard.resolver = fake_resolver(calls if calls is not None else [])
    guard.named = frozenset(named)
    return guard


def check(guard: SafetyMiddleware, url: str) -> str | None:
    """None when the request may go, else the refusal message."""
    try:
        asyncio.run(guard.process_request(Request(url)))
    except RefusedRequest as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(
    "url,reason",
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a private or internal address"),
        ("http://10.0.0.1/admin", "10.0.0.1 is a private or internal address"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a private or internal address"),
        ("http://127.0.0.2:8080/", "127.0.0.2 is a private or internal address"),
        ("http://metadata.test/", "metadata.test is a private or internal address (169.254.169.254;"),
        ("http://intranet.test/", "intranet.test is a private or internal address (10.0.0.1;"),
        ("http://v6meta.test/", "(fd00:ec2::254;"),
        ("http://mapped.test/", "(::ffff:127.0.0.1;"),
        ("http://zero.test/", "(0.0.0.0;"),
        ("https://mixed.test/", "(192.168.1.10;"),
        ("file:///etc/passwd", "the file scheme is not fetched"),
        ("ftp://127.0.0.1/x", "the ftp scheme is not fetched"),
        ("data:text/html,<p>x</p>", "the data scheme is not fetched"),
    ],
)
@pytest.mark.e2e
def test_unnamed_private_targets_and_other_schemes_are_refused(url, reason):
    guard = middleware(["127.0.0.1"])
    message = check(guard, url)
    assert message is not None and reason in message
    kind = "scheme" if "scheme" in reason else "private"
    assert guard.stats.get_value(f"cleanwire/refused/{kind}") == 1


@pytest.mark.e2e
def test_named_and_public_hosts_pass_and_dns_is_cached():
    calls: list[str] = []
    guard = middleware(["127.0.0.1", "intranet.test"], calls=calls)
    for url in ("http://127.0.0.1:8000/", "http://intranet.test/a", "https://public.test/x", "https://public.test/y"):
        assert check(guard, url) is None
    assert calls == ["public.test"]  # named hosts need no lookup; the second public.test is cached
    assert guard.stats.get_value("cleanwire/refused/private") is None


@pytest.mark.e2e
def test_unresolvable_host_is_left_to_the_downloader():
    assert check(middleware([]), "http://nxdomain.test/") is None


@pytest.mark.e2e
def test_deny_private_refuses_named_private_sites():
    guard = middleware(["127.0.0.1", "intranet.test"], deny_private=True)
    assert "named, but private targets are denied" in check(guard, "http://127.0.0.1:8000/")
    assert "(10.0.0.1; named, but private targets are denied)" in check(guard, "http://intranet.test/")
    assert check(guard, "https://public.test/") is None
    assert guard.stats.get_value("cleanwire/refused/private") == 2


@pytest.mark.parametrize(
    "location,scheme", [(b"file:///etc/passwd", "file"), (b"ftp://127.0.0.1/x", "ftp"), (b"data:text/html,hi", "data")]
)
@pytest.mark.e2e
def test_redirect_to_another_scheme_is_refused(location, scheme):
    guard = middleware(["127.0.0.1"])
    request = Request("http://127.0.0.1:8000/go")
    with pytest.raises(RefusedRequest, match=f"redirect to a {scheme}: URL"):
        guard.process_response(request, Response(request.url, status=302, headers={"Location": location}))
    assert guard.stats.get_value("cleanwire/refused/scheme") == 1
    ok = Response(request.url, status=302, headers={"Location": b"/elsewhere"})
    assert guard.process_response(request, ok) is ok


def test_named_hosts_come_from_the_spider():
    from crawler.spiders.site import SiteSpider

    crawler = get_crawler(SiteSpider, {})
    crawler.spider = SiteSpider.from_crawler(crawler, urls=["http://127.0.0.1:9/", "https://News.Example/"])
    assert SafetyMiddleware.from_crawler(crawler).named_hosts() == {"127.0.0.1", "news.example"}


def test_is_guarded():
    assert [
        is_guarded(a) for a in ("8.8.8.8", "127.0.0.1", "::1", "100.100.100.200", "fe80::1%eth0", "172.16.0.1")
    ] == [False, True, True, True, True, True]


# ------------------------------------------------------------ loopback crawls


class Server:
    """A threaded loopback HTTP server answering from a route table; it records every request path."""

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], bytes]], host: str = "127.0.0.1") -> None:
        self.routes = routes
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                status, headers, body = owner.routes.get(self.path, (404, {}, b"not found"))
                body = body.replace(b"{ORIGIN}", owner.origin.encode())
                self.send_response(status)
                for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                    self.send_header(name, value.replace("{ORIGIN}", owner.origin))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.origin = f"http://{host}:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


ARTICLE = (
    "<html><head><title>Harbour ferry</title></head><body><article><h1>Harbour ferry</h1>"
    + "".join(
        f"<p>Point {i}: the harbour ferry council met on Tuesday and agreed the new timetable for the "
        f"winter, with {i + 2} extra crossings on weekdays.</p>"
        for i in range(8)
    )
    + "</article></body></html>"
).encode()


def run_crawl(
    origin: str, out: Path, *extra: str, proxy: Server | None = None
) -> tuple[subprocess.CompletedProcess, dict]:
    """`cleanwire crawl` in a subprocess; any request the guard lets through to a non-loopback host goes to
    the trap proxy (http_proxy), so no packet ever leaves the machine."""
    env = dict(os.environ)
    if proxy is not None:
        env.update(http_proxy=proxy.origin, https_proxy=proxy.origin, no_proxy="127.0.0.1")
    proc = subprocess.run(
        [*CLEANWIRE, "crawl", origin + "/", "-o", str(out), *LOOPBACK, *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=90,
        env=env,
    )
    stats = {k: int(v) for k, v in re.findall(r"'(cleanwire/refused/\w+)': (\d+)", proc.stderr)}
    return proc, stats


@pytest.mark.e2e
def test_crawl_refuses_private_sitemaps_and_redirects_without_sending_a_packet(tmp_path):
    trap_routes = {"/secret": (200, {}, b"secret"), "/redirected": (200, {}, ARTICLE)}
    with Server(trap_routes, host="127.0.0.2") as other, Server({}) as proxy:
        robots = (
            f"User-agent: *\nSitemap: http://169.254.169.254/latest/meta-data/sitemap.xml\n"
            f"Sitemap: http://10.0.0.1/sitemap.xml\nSitemap: {other.origin}/secret\n"
            "Sitemap: {ORIGIN}/sitemap.xml\n"
        ).encode()
        sitemap = (
            b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + b"".join(
                b"<url><loc>{ORIGIN}%s</loc></url>" % p
                for p in (
                    b"/news/2025/01/02/passwd-story",
                    b"/news/2025/01/02/ftp-story",
                    b"/news/2025/01/02/private-story",
                    b"/news/2025/01/02/ferry-story",
                )
            )
            + b"</urlset>"
        )
        home = (
            b'<html><body><a href="http://169.254.169.254/latest/meta-data/">meta</a>'
            b'<a href="http://10.0.0.1/admin">admin</a><a href="/news/2025/01/02/ferry-story">ferry</a></body></html>'
        )
        routes = {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, robots),
            "/sitemap.xml": (200, {"Content-Type": "application/xml"}, sitemap),
            "/": (200, {}, home),
            "/news/2025/01/02/passwd-story": (302, {"Location": "file:///etc/passwd"}, b""),
            "/news/2025/01/02/ftp-story": (301, {"Location": "ftp://127.0.0.1/pub/x"}, b""),
            "/news/2025/01/02/private-story": (302, {"Location": other.origin + "/redirected"}, b""),
            "/news/2025/01/02/ferry-story": (200, {}, ARTICLE),
        }
        with Server(routes) as site:
            started = time.perf_counter()
            proc, stats = run_crawl(site.origin, tmp_path / "out.jsonl", proxy=proxy)
            elapsed = time.perf_counter() - started
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert other.requests == [] and proxy.requests == []
    assert stats == {"cleanwire/refused/private": 4, "cleanwire/refused/scheme": 2}, proc.stderr[-3000:]
    records = (tmp_path / "out.jsonl").read_text("utf-8").splitlines()
    assert len(records) == 1 and '"title": "Harbour ferry"' in records[0]
    assert elapsed < 90


@pytest.mark.e2e
def test_deny_private_refuses_a_named_loopback_site(tmp_path):
    with Server({"/": (200, {}, ARTICLE), "/robots.txt": (200, {}, b"")}) as site:
        proc, stats = run_crawl(site.origin, tmp_path / "out.jsonl", "--deny-private")
        assert site.requests == []
    assert proc.returncode == 1, proc.stderr[-3000:]  # nothing answered: the run failed, and says why
    assert proc.stderr.splitlines()[-1] == (
        f"cleanwire crawl: no site answered: --deny-private refused every request "
        f"({site.origin}/: private, loopback or link-local address)"
    )
    assert set(stats) == {"cleanwire/refused/private"} and stats["cleanwire/refused/private"] >= 2
    assert (
        f"refused {site.origin}/: 127.0.0.1 is a private or internal address (127.0.0.1; named, but private "
        "targets are denied)" in proc.stderr
    )
    assert f"refused {site.origin}/robots.txt: " in proc.stderr
    assert (tmp_path / "out.jsonl").read_text("utf-8") == ""


# ------------------------------------------------------------ XML: no entities, no network


def xxe_sitemap(origin: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY local SYSTEM "file:///etc/passwd">'
        f'<!ENTITY remote SYSTEM "{origin}/xxe"><!ENTITY % dtd SYSTEM "{origin}/evil.dtd"> %dtd;]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://a.example/x&local;</loc></url><url><loc>https://a.example/y&remote;</loc></url>"
        "</urlset>"
    ).encode()


def test_xxe_reads_no_file_and_makes_no_request():
    with Server({"/xxe": (200, {}, b"FETCHED"), "/evil.dtd": (200, {}, b'<!ENTITY local "FETCHED">')}) as server:
        try:
            _kind, entries = parse_sitemap(xxe_sitemap(server.origin))
        except MalformedDocument:
            entries = []
        assert server.requests == []
    assert not [e for e in entries if "root:" in e.url or "FETCHED" in e.url]


def test_billion_laughs_is_not_expanded():
    lol = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{lol}]><rss><channel><item><link>https://a.example/&lol9;</link>'
        "</item></channel></rss>"
    ).encode()
    started = time.perf_counter()
    try:
        entries = parse_feed(bomb)
    except MalformedDocument:
        entries = []
    assert time.perf_counter() - started < 5
    assert all(len(e.url) < 200 for e in entries)


@pytest.mark.e2e
def test_crawl_of_an_xxe_sitemap_sends_no_entity_request(tmp_path):
    routes = {
        "/robots.txt": (200, {}, b"Sitemap: {ORIGIN}/sitemap.xml\n"),
        "/": (200, {}, b"<html><body>home</body></html>"),
    }
    with Server(routes) as site:
        site.routes["/sitemap.xml"] = (200, {"Content-Type": "application/xml"}, xxe_sitemap(site.origin))
        proc, _ = run_crawl(site.origin, tmp_path / "out.jsonl")
        requested = list(site.requests)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "/sitemap.xml" in requested and "/xxe" not in requested and "/evil.dtd" not in requested


# ------------------------------------------------------------ output names


@pytest.mark.parametrize(
    "site,expected",
    [
        ("../../etc", "_.._etc"),
        ("..", "_"),
        ("/etc/passwd", "_etc_passwd"),
        ("a/../../b", "a_.._.._b"),
        ("news.example", "news.example"),
    ],
)
def test_output_names_stay_in_the_output_directory(tmp_path, site, expected):
    template = str(tmp_path / "out" / "{site}" / "{run_started:%Y%m%d}.jsonl")
    path = output_path(template, site, datetime(2026, 1, 2, tzinfo=UTC))
    assert path == tmp_path / "out" / expected / "20260102.jsonl"
    assert path.resolve().is_relative_to((tmp_path / "out").resolve())


# ------------------------------------------------------------ resolver: the address actually connected to


def resolver_for(named_urls: list[str], deny_private: bool = False):
    from twisted.internet import reactor

    from crawler.fetching.safety import GuardedResolver
    from crawler.spiders.site import SiteSpider

    crawler = get_crawler(SiteSpider, {"CLEANWIRE_DENY_PRIVATE": deny_private})
    crawler.spider = SiteSpider.from_crawler(crawler, urls=named_urls)
    return GuardedResolver.from_crawler(crawler, reactor)


@pytest.mark.e2e
def test_resolver_refuses_unnamed_private_answers():
    from twisted.internet.error import DNSLookupError

    resolver = resolver_for(["http://news.example/"])
    assert resolver.check("93.184.216.34", "cdn.example") == "93.184.216.34"
    assert resolver.check("10.0.0.5", "news.example") == "10.0.0.5"  # named: a site on an intranet
    with pytest.raises(DNSLookupError, match=r"rebind\.example resolved to 169\.254\.169\.254, a private or internal"):
        resolver.check("169.254.169.254", "rebind.example")
    assert resolver.crawler.stats.get_value("cleanwire/refused/private_dns") == 1
    with pytest.raises(DNSLookupError):
        resolver_for(["http://news.example/"], deny_private=True).check("10.0.0.5", "news.example")


@pytest.mark.e2e
def test_crawl_never_connects_to_an_unnamed_name_resolving_to_loopback(tmp_path):
    """The middleware is switched off here: the resolver alone must stop `localhost` (an unnamed loopback name)."""
    with Server({"/secret": (200, {}, ARTICLE)}) as trap:
        port = trap.origin.rsplit(":", 1)[1]
        routes = {
            "/robots.txt": (
                200,
                {"Content-Type": "text/plain"},
                f"User-agent: *\nSitemap: http://localhost:{port}/secret\n".encode(),
            ),
            "/": (200, {}, b"<html><body>home</body></html>"),
        }
        with Server(routes) as site:
            proc, stats = run_crawl(
                site.origin,
                tmp_path / "out.jsonl",
                "-s",
                'DOWNLOADER_MIDDLEWARES={"crawler.fetching.safety.SafetyMiddleware": null}',
                "-s",
                "TWISTED_DNS_RESOLVER=crawler.fetching.safety.GuardedResolver",
            )  # as in settings.py
        assert trap.requests == []
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "refused localhost: resolved to 127.0.0.1, a private or internal address" in proc.stderr
    assert stats == {"cleanwire/refused/private_dns": 2}  # its robots.txt and the sitemap


@pytest.mark.e2e
def test_safety_off_switches_both_guards_off():
    from twisted.internet import reactor

    from crawler.fetching.safety import GuardedResolver

    crawler = get_crawler(Spider, {"CLEANWIRE_SAFETY": False})
    assert GuardedResolver.from_crawler(crawler, reactor).check("169.254.169.254", "metadata.test") == "169.254.169.254"
    with pytest.raises(NotConfigured):
        SafetyMiddleware.from_crawler(crawler)
