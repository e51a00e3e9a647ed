"""Loopback HTTP server for the fixture news site (crawler/demo/site, package data): crawl tests, `cleanwire demo` and benchmarks.

Standard library only (no Scrapy), so tests and benchmarks can run it in-process or as
`python -m crawler.demo.server [--port P] [--extra N]`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import logging
import socket
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path, PurePosixPath
from types import ModuleType
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

DEFAULT_ROOT = Path(str(resources.files("crawler.demo") / "site"))  # shipped as package data (pyproject.toml)
PLACEHOLDER = b"{{ORIGIN}}"
SUBSTITUTED = frozenset({".html", ".xml", ".txt", ".rss", ".atom"})  # text files that may carry {{ORIGIN}}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/x-gzip",  # raw gzip bytes, never Content-Encoding: a sitemap.xml.gz as servers send it
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
INDEX_FILES = ("index.html", "index.xml")
CACHE_SIZE = 1024  # rendered responses kept per server (pages are a few kB)
IDLE_TIMEOUT = 30  # seconds a keep-alive connection may stay idle


@dataclass(frozen=True)
class Resource:
    """One servable response body with its validators."""

    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


def _content_type(file: str, body: bytes) -> str:
    suffix = PurePosixPath(file).suffix
    if suffix == ".xml":  # feeds are .xml files too: tell them by their root element
        head = body[:300]
        if b"<rss" in head:
            return CONTENT_TYPES[".rss"]
        if b"<feed" in head:
            return CONTENT_TYPES[".atom"]
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def _substitute(file: str, body: bytes, origin: bytes) -> bytes:
    suffix = PurePosixPath(file).suffix
    if suffix in SUBSTITUTED:
        return body.replace(PLACEHOLDER, origin)
    if suffix == ".gz":
        return gzip.compress(gzip.decompress(body).replace(PLACEHOLDER, origin), compresslevel=9, mtime=0)
    return body


def load_generator(root: Path) -> ModuleType:
    """Import site/sitegen (package data, not an importable package) from `root`."""
    name = f"_fixture_sitegen_{hashlib.sha1(str(root).encode()).hexdigest()[:8]}"
    if name in sys.modules:
        return sys.modules[name]
    package = root / "sitegen"
    spec = importlib.util.spec_from_file_location(
        name, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"no site generator at {package}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class FixtureSite:
    """The Harbour Courier served on 127.0.0.1 from site/www, with the manifest as its truth.

    Static files are served as committed. With `extra_articles=N`, or after `add_articles(n)` or
    `update_article(path)`, pages are rendered on the fly by site/sitegen instead (same templates,
    deterministic text).
    """

    def __init__(
        self,
        root: str | Path = DEFAULT_ROOT,
        host: str = "127.0.0.1",
        port: int = 0,
        extra_articles: int = 0,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.root = Path(root).resolve()
        self.docroot = self.root / "www"
        self.manifest: dict = json.loads((self.root / "manifest.json").read_text("utf-8"))
        self.host = host
        self.port = port
        self.extra_articles = extra_articles
        self.cache_size = cache_size  # rendered responses kept (a benchmark keeps them all: see prerender)
        self.origin = ""
        self.requests: list[tuple[str, str, int]] = []  # (method, path with query, status), append-only
        self._lock = threading.Lock()
        self._added = 0
        self._updates: dict[str, int] = {}
        self._generated_site = None  # a sitegen.Site once extra or added articles exist
        self._generation = 0
        self._cache: OrderedDict[tuple[int, str], Resource | None] = OrderedDict()
        self._redirects: dict[str, str] = self.manifest["redirects"]
        self._flaky: frozenset[str] = frozenset(self.manifest["flaky"])
        self._flaky_armed: set[str] = set(self._flaky)
        self._lastmod = {f: datetime.fromisoformat(t) for f, t in self.manifest["files"].items()}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> FixtureSite:
        if self._server is not None:
            return self
        if self.extra_articles:
            self._regenerate()
        server = _Server((self.host, self.port), _Handler)
        server.site = self
        self._server = server
        self.port = server.server_address[1]
        self.origin = f"http://{self.host}:{self.port}"
        with self._lock:
            self._cache.clear()  # bodies carry the origin
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fixture-site-{self.port}", daemon=True
        )
        self._thread.start()
        logger.debug("fixture site serving %s at %s", self.docroot, self.origin)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> FixtureSite:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------ controls for tests

    def url(self, path: str) -> str:
        return self.origin + path

    def reset_flaky(self) -> None:
        """Re-arm the pages that answer 503 once."""
        with self._lock:
            self._flaky_armed = set(self._flaky)

    def add_articles(self, n: int) -> list[str]:
        """Publish n new articles (home page, news section, feeds, news sitemap); return their paths."""
        with self._lock:
            self._added += n
        site = self._regenerate()
        return [a.path for a in site.added[-n:]] if n else []

    def update_article(self, path: str) -> None:
        """Revise an article: a dated note is appended and dateModified moves on (sitemaps, feeds, headers)."""
        if path not in self.article_paths() and path not in {a["path"] for a in self.manifest["private_articles"]}:
            raise KeyError(f"no article at {path}")
        with self._lock:
            self._updates[path] = self._updates.get(path, 0) + 1
        self._regenerate()

    def article_paths(self) -> list[str]:
        """Every public article path served now: the manifest's, added ones and generated ones."""
        paths = [a["path"] for a in self.manifest["articles"]]
        site = self._generated_site
        if site is not None:
            paths += [a.path for a in (*site.added, *site.generated)]
        return paths

    def requested_paths(self) -> list[str]:
        """Paths (without query) requested so far, in order."""
        with self._lock:
            return [urlsplit(target).path for _, target, _ in self.requests]

    def _regenerate(self):
        generator = load_generator(self.root)
        with self._lock:
            added, updates = self._added, dict(self._updates)
        site = generator.Site(extra=self.extra_articles, added=added, updates=updates)
        with self._lock:
            self._generated_site = site
            self._generation += 1
            self._cache.clear()
        return site

    # ------------------------------------------------------------ request handling

    def handle(self, method: str, target: str, headers) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: (status, headers, body). `headers` is a mapping with .get()."""
        parts = urlsplit(target)
        path, query = unquote(parts.path) or "/", parts.query
        if path in self._redirects:
            return self._redirect(self._redirects[path])
        if method == "GET" and path in self._flaky:
            with self._lock:
                armed = path in self._flaky_armed
                self._flaky_armed.discard(path)
            if armed:
                body = b"<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>\n"
                return 503, {"Content-Type": CONTENT_TYPES[".html"], "Retry-After": "0"}, body
        resource = self.resource(path)
        if resource is None:
            if not path.endswith("/") and self.resource(path + "/") is not None:
                return self._redirect(path + "/" + (f"?{query}" if query else ""))
            missing = self.resource("/404.html")
            return 404, {"Content-Type": CONTENT_TYPES[".html"]}, missing.body if missing else b"Not Found\n"
        validators = {
            "ETag": resource.etag,
            "Last-Modified": format_datetime(resource.last_modified, usegmt=True),
            "Cache-Control": "no-cache",
        }
        if _not_modified(headers, resource):
            return 304, validators, b""
        return 200, {"Content-Type": resource.content_type, **validators}, resource.body

    def _redirect(self, location: str) -> tuple[int, dict[str, str], bytes]:
        body = f'<!DOCTYPE html><html><body><a href="{location}">Moved Permanently</a></body></html>\n'
        return 301, {"Location": self.origin + location, "Content-Type": CONTENT_TYPES[".html"]}, body.encode()

    def resource(self, path: str) -> Resource | None:
        """The response body for a URL path (placeholders substituted), or None when there is none."""
        key = (self._generation, path)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        found = self._load(path)
        resource = None
        if found is not None:
            file, body, lastmod = found
            body = _substitute(file, body, self.origin.encode())
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            resource = Resource(body, _content_type(file, body), etag, lastmod.astimezone(UTC))
        with self._lock:
            self._cache[key] = resource
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return resource

    def _load(self, path: str) -> tuple[str, bytes, datetime] | None:
        site = self._generated_site
        if site is not None:
            page = site.render(path) or (site.render(path[:-10]) if path.endswith("/index.html") else None)
            if page is not None:
                return page.file, page.body, page.lastmod
        return self._load_file(path)

    def _load_file(self, path: str) -> tuple[str, bytes, datetime] | None:
        relative = path.lstrip("/")
        if ".." in PurePosixPath(relative).parts or "\\" in relative:
            return None
        candidates = [relative + name for name in INDEX_FILES] if path.endswith("/") else [relative]
        for name in candidates:
            file = self.docroot / name
            if file.is_file():
                lastmod = self._lastmod.get(name, datetime(2024, 11, 1, tzinfo=UTC))
                return name, file.read_bytes(), lastmod
        return None

    def log_request(self, method: str, target: str, status: int) -> None:
        with self._lock:
            self.requests.append((method, target, status))


def _not_modified(headers, resource: Resource) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins over If-Modified-Since."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or resource.etag in tags
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return resource.last_modified.replace(microsecond=0) <= since
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # crawlers open many connections at once
    site: FixtureSite

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request, client_address) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Unblock handler threads waiting on idle keep-alive connections."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HarbourCourier/1.0"
    timeout = IDLE_TIMEOUT
    server: _Server

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        site = self.server.site
        try:
            status, headers, body = site.handle(self.command, self.path, self.headers)
        except Exception:
            logger.exception("fixture site failed on %s", self.path)
            status, headers, body = 500, {"Content-Type": CONTENT_TYPES[".txt"]}, b"Internal Server Error\n"
        site.log_request(self.command, self.path, status)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # format: the base class's name
        logger.debug("%s %s", self.address_string(), format % args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.demo.server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--extra", type=int, default=0, metavar="N", help="also serve N generated articles")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="fixture site directory")
    args = parser.parse_args(argv)
    site = FixtureSite(args.root, host=args.host, port=args.port, extra_articles=args.extra).start()
    print(site.origin, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
