"""--render: a client-rendered fixture page (its article built by a script from JSON) in headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from crawler.demo.server import FixtureSite

from conftest import CLEANWIRE, FIXTURES, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; make test and .ci/run do)"
)
SITE = FIXTURES / "jssite"
ARTICLE = "/2025/03/harbour-lights-return/"
DATA = json.loads((SITE / "www" / ARTICLE.strip("/") / "article.json").read_text("utf-8"))
EXPECTED_TEXT = "\n\n".join(DATA["paragraphs"])
LOOPBACK = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CLEANWIRE_WORKERS=1"]
#: subrequests the browser must not make: an image (blocked type) and a script on another loopback name (guard)
NEVER_REQUESTED = {"/static/lamps.svg", "/static/other-host.js"}


@pytest.fixture(scope="module")
def site():
    with FixtureSite(root=SITE) as served:
        yield served


def run(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([*CLEANWIRE, *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout)


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@needs_chromium
def test_crawl_render_auto_extracts_the_article_the_script_builds(site, tmp_path):
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    before = len(site.requests)
    proc = run("crawl", site.origin + "/", "-o", str(out), "--rejects", str(rejects), "--render", "auto", *LOOPBACK)
    assert proc.returncode == 0, proc.stderr
    [record] = records(out)
    assert record["url"] == site.url(ARTICLE)
    assert record["text"] == EXPECTED_TEXT
    assert record["title"] == DATA["headline"]
    assert record["authors"] == [DATA["author"]]
    assert [r["url"] for r in records(rejects)] == [site.url("/")]  # the home page (a listing), nothing else
    paths = [t.split("?")[0] for _, t, _ in site.requests[before:]]
    assert paths.count(ARTICLE) == 2  # the plain fetch found a shell, the browser fetched it again
    assert paths.count(ARTICLE + "article.json") == 1  # the script's own request, through the browser
    assert NEVER_REQUESTED.isdisjoint(paths)
    summary = proc.stderr.splitlines()
    assert f"  rendered           {1:>6}   of 1 asked; subrequests blocked: image 1, private 1" in summary


def test_crawl_render_never_reports_the_shell(site, tmp_path):
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    proc = run("crawl", site.origin + "/", "-o", str(out), "--rejects", str(rejects), "--render", "never", *LOOPBACK)
    assert proc.returncode == 0, proc.stderr
    assert not out.exists() or out.read_text("utf-8") == ""
    shells = [r for r in records(rejects) if r["url"] == site.url(ARTICLE)]
    assert [r["status"] for r in shells] == ["needs_js"]
    assert shells[0]["reason"] == "js_shell (js_shell:mount:app_root: '<div id=\"app\">')"
    assert (shells[0]["access"], shells[0]["access_rule"]) == ("js_shell", "js_shell:mount:app_root")


@needs_chromium
def test_extract_render_auto(site):
    before = len(site.requests)
    proc = run("extract", site.url(ARTICLE), "--render", "auto", "--format", "text")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{DATA['headline']}\n\n{EXPECTED_TEXT}\n"
    paths = [t.split("?")[0] for _, t, _ in site.requests[before:]]
    assert NEVER_REQUESTED.isdisjoint(paths)


def test_extract_without_chromium_degrades_to_never_with_one_warning(site):
    proc = run("extract", site.url(ARTICLE), "--render", "auto", "-s", "CLEANWIRE_CHROMIUM=/nonexistent/chromium")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "cleanwire: --render auto works as --render never: Chromium not found (/nonexistent/chromium; apt-get install "
        "chromium); pages built by scripts are reported as js_shell",
        f"cleanwire extract: {site.url(ARTICLE)}: not an article: js_shell (js_shell:mount:app_root: '<div id=\"app\">')",
    ]


def test_render_always_without_chromium_is_one_error_line(site):
    proc = run("extract", site.url(ARTICLE), "--render", "always", "-s", "CLEANWIRE_CHROMIUM=/nonexistent/chromium")
    assert proc.returncode == 2
    assert (
        proc.stderr == "cleanwire extract: --render always: Chromium not found (/nonexistent/chromium; apt-get "
        "install chromium)\n"
    )


BIG_PAGE = (
    f"<!DOCTYPE html><html><head><title>{DATA['headline']}</title></head><body><article>"
    + "".join(f"<p>{p}</p>" for p in DATA["paragraphs"])
    + "</article><script src='/big.js'></script>"
    "</body></html>"
).encode()
BIG_SCRIPT = b"/*" + b"x" * 300_000 + b"*/"
MAX_SIZE = 200_000


class Handler(BaseHTTPRequestHandler):
    """A page whose script is behind a redirect to another loopback name, and a page redirecting there itself."""

    hosts: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        self.hosts.append(f"{self.headers.get('Host')} {self.path}")
        if self.path in ("/go.js", "/hop/"):
            target = "/static/other-host.js" if self.path == "/go.js" else "/page/"
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{port}{target}")
            self.end_headers()
            return
        if self.path == "/big/":
            body, kind = BIG_PAGE, "text/html; charset=utf-8"
        elif self.path == "/big.js":
            body, kind = BIG_SCRIPT, "text/javascript"
        elif self.path == "/static/other-host.js":
            body, kind = (
                b"document.querySelector('article').insertAdjacentHTML('beforeend', '<p>Injected.</p>');",
                "text/javascript",
            )
        elif self.path == "/page/":
            paragraphs = "".join(f"<p>{p}</p>" for p in DATA["paragraphs"])
            body, kind = (
                (
                    f"<!DOCTYPE html><html lang='en'><head><title>{DATA['headline']}</title></head><body>"
                    f"<article><h1>{DATA['headline']}</h1>{paragraphs}</article>"
                    "<script src='/go.js'></script></body></html>"
                ).encode(),
                "text/html; charset=utf-8",
            )
        else:
            body, kind = b"not here", "text/plain"
            self.send_response(404)
            self.send_header("Content-Type", kind)
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@needs_chromium
def test_render_always_keeps_robots_the_guard_and_size_limits(site):
    """One browser for: robots.txt, a script behind a redirect to another loopback name, a page redirecting
    there itself, and a page whose script takes it past DOWNLOAD_MAXSIZE."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    before = len(site.requests)
    try:
        proc = run(
            "extract",
            site.url(ARTICLE),
            site.url("/private/draft/"),
            origin + "/page/",
            origin + "/hop/",
            origin + "/big/",
            "--render",
            "always",
            "-s",
            f"DOWNLOAD_MAXSIZE={MAX_SIZE}",
        )
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 1
    shell, page = [json.loads(line) for line in proc.stdout.splitlines()]
    assert shell["text"] == EXPECTED_TEXT  # every URL through the browser: the shell's script ran
    assert page["text"] == EXPECTED_TEXT  # the redirected script never ran
    paths = [t.split("?")[0] for _, t, _ in site.requests[before:]]
    assert "/private/draft/" not in paths  # robots.txt decides before the browser is asked
    assert NEVER_REQUESTED.isdisjoint(paths)
    assert proc.stderr.strip().splitlines() == [
        f"cleanwire extract: {site.url('/private/draft/')}: forbidden by robots.txt",
        f"cleanwire extract: {origin}/hop/: rendering failed: Error: Page.goto: net::ERR_FAILED at {origin}/hop/",
        # the page and its script together pass DOWNLOAD_MAXSIZE: the script is aborted, the page given up
        f"cleanwire extract: {origin}/big/: rendered page of {len(BIG_PAGE) + len(BIG_SCRIPT)} bytes above "
        f"DOWNLOAD_MAXSIZE ({MAX_SIZE})",
    ]
    assert not [h for h in Handler.hosts if h.startswith("localhost")]


def test_a_chromium_that_does_not_start_is_tried_once(site):
    shell = "js_shell (js_shell:mount:app_root: '<div id=\"app\">')"
    launch = "BrowserType.launch: Target page, context or browser has been closed"
    first, second = site.url(ARTICLE), site.url(ARTICLE + "?copy=2")
    proc = run("extract", first, second, "-s", "CLEANWIRE_CHROMIUM=/bin/false", "-s", "CLEANWIRE_RENDER_CONCURRENCY=1")
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"cleanwire: rendering is off for the rest of the run: Chromium did not start ({launch})",
        f"cleanwire extract: {first}: {shell}; rendering failed: TargetClosedError: {launch}",
        f"cleanwire extract: {second}: {shell}; rendering failed: BrowserUnavailable: Chromium did not start ({launch})",
    ]
