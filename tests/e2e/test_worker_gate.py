"""What reaches the extraction workers in a crawl: HTML pages answered 200, never error pages, redirects or non-HTML."""

from __future__ import annotations

import json
import re
import subprocess
from urllib.parse import urlsplit

from conftest import CLEANWIRE, PAGES, ROOT

HTML = "text/html; charset=utf-8"
FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CLEANWIRE_PROGRESS=False",
    "-s",
    "LOG_LEVEL=INFO",
    "-s",
    "RETRY_TIMES=1",
]


def stats(stderr: str) -> dict[str, int]:
    dump = stderr.split("Dumping Scrapy stats:", 1)[-1]
    return {k: int(v) for k, v in re.findall(r"'([^']+)': (\d+),?\n", dump)}


def test_only_html_pages_answered_200_reach_the_workers(httpserver, tmp_path):
    """Error pages (404, 410, 500, a 302 without Location) and non-HTML responses (text/plain, JSON, an image) carry
    an article's HTML as their body here: had any reached a worker, it would have been extracted and emitted."""
    article = (PAGES / "arc" / "utility-rates-heating-bill.html").read_bytes()
    other = (PAGES / "custom-en" / "libraries-opinion.html").read_bytes()
    links = [
        "/2025/01/02/rates-story/",
        "/2025/01/03/moved-story/",
        "/notes/plain-text-note",
        "/api/latest-items",
        "/photo/harbour-view",
        "/2025/01/04/deleted-story/",
        "/2025/01/05/broken-story/",
        "/2025/01/06/gone-story/",
        "/2025/01/07/looping-story/",
    ]
    home = "<html><body>" + "".join(f'<a href="{link}">{link}</a> ' for link in links) + "</body></html>"
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\n", content_type="text/plain")
    httpserver.expect_request("/").respond_with_data(home, content_type=HTML)
    httpserver.expect_request("/2025/01/02/rates-story/").respond_with_data(article, content_type=HTML)
    httpserver.expect_request("/2025/01/03/moved-story/").respond_with_data(
        article, status=301, headers={"Location": httpserver.url_for("/2025/01/03/libraries-story/")}, content_type=HTML
    )
    httpserver.expect_request("/2025/01/03/libraries-story/").respond_with_data(other, content_type=HTML)
    httpserver.expect_request("/notes/plain-text-note").respond_with_data(article, content_type="text/plain")
    httpserver.expect_request("/api/latest-items").respond_with_data(
        json.dumps({"html": article.decode("utf-8")}), content_type="application/json"
    )
    httpserver.expect_request("/photo/harbour-view").respond_with_data(
        b"\x89PNG\r\n\x1a\n" + article, content_type="image/png"
    )
    httpserver.expect_request("/2025/01/04/deleted-story/").respond_with_data(article, status=404, content_type=HTML)
    httpserver.expect_request("/2025/01/05/broken-story/").respond_with_data(article, status=500, content_type=HTML)
    httpserver.expect_request("/2025/01/06/gone-story/").respond_with_data(article, status=410, content_type=HTML)
    httpserver.expect_request("/2025/01/07/looping-story/").respond_with_data(article, status=302, content_type=HTML)
    httpserver.no_handler_status_code = 404
    out = tmp_path / "out.jsonl"
    try:
        result = subprocess.run(
            [*CLEANWIRE, "crawl", httpserver.url_for("/"), "-o", str(out), *FAST, "-s", "CLEANWIRE_LINK_DEPTH=1"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    finally:
        httpserver.no_handler_status_code = 500
    assert result.returncode == 0, result.stderr[-3000:]
    requested = {request.path for request, _ in httpserver.log}
    assert requested >= {*links, "/2025/01/03/libraries-story/"}  # every link was fetched
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert sorted(urlsplit(r["url"]).path for r in records) == [
        "/2025/01/02/rates-story/",
        "/2025/01/03/libraries-story/",
    ]
    counted = stats(result.stderr)
    assert counted["cleanwire/extract/pages"] == 3  # the home page and the two articles, nothing else
    assert counted["cleanwire/skipped/not_html"] == 3  # text/plain, JSON, PNG
