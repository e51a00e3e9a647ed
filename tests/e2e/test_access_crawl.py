"""Access states and TDMRep in a crawl of a loopback site: records, --rejects, the summary, --respect-tdm."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import urlsplit

import pytest

from conftest import CLEANWIRE, FIXTURES, ROOT

LOOPBACK = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CLEANWIRE_WORKERS=1"]
POLICY = "https://news.example/tdm-policy.json"


def article(title: str, head: str = "") -> bytes:
    paragraphs = "".join(
        f"<p>{title} paragraph {i}: the council met on Tuesday and agreed to repair the north pier, "
        f"which the January storms damaged, before the summer ferry timetable starts.</p>"
        for i in range(8)
    )
    return (
        f'<!doctype html><html lang="en"><head><title>{title}</title><meta property="og:type" content="article">'
        f'<script type="application/ld+json">{{"@type":"NewsArticle","headline":"{title}",'
        f'"datePublished":"2025-03-12T08:15:00+01:00"}}</script>{head}</head>'
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


PAGES = {
    "/2025/03/12/header-reserved/": (article("Header reserved"), 200, {"tdm-reservation": "1", "tdm-policy": POLICY}),
    "/2025/03/12/meta-reserved/": (article("Meta reserved", '<meta name="tdm-reservation" content="1">'), 200, {}),
    "/premium/2025/03/12/file-reserved/": (article("File reserved"), 200, {}),
    "/2025/03/12/free/": (article("Free to mine"), 200, {}),
    "/2025/03/12/challenge/": (
        (FIXTURES / "access" / "challenge-cloudflare.html").read_bytes(),
        403,
        {"cf-mitigated": "challenge"},
    ),
    "/2025/03/12/consent/": ((FIXTURES / "access" / "consent-wall.html").read_bytes(), 200, {}),
}
TDMREP = json.dumps(
    [{"location": "/", "tdm-reservation": 0}, {"location": "/premium/*", "tdm-reservation": 1, "tdm-policy": POLICY}]
)


@pytest.fixture
def site(httpserver):
    links = "".join(f'<li><a href="{path}">{path}</a></li>' for path in PAGES)
    httpserver.no_handler_status_code = 404  # probed sitemap and feed paths: missing, not server errors
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/.well-known/tdmrep.json").respond_with_data(TDMREP, content_type="application/json")
    httpserver.expect_request("/").respond_with_data(
        f"<html><body><ul>{links}</ul></body></html>", content_type="text/html"
    )
    for path, (body, status, headers) in PAGES.items():
        httpserver.expect_request(path).respond_with_data(
            body, status=status, headers=headers, content_type="text/html"
        )
    return httpserver


def crawl(site, tmp_path, *flags: str):
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    run = subprocess.run(
        [*CLEANWIRE, "crawl", site.url_for("/"), "-o", str(out), "--rejects", str(rejects), *LOOPBACK, *flags],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    records = {urlsplit(r["url"]).path: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    skipped = {urlsplit(r["url"]).path: r for r in map(json.loads, rejects.read_text("utf-8").splitlines())}
    return records, skipped, run.stderr


def test_records_say_tdm_reserved_and_walls_are_rejects(site, tmp_path):
    records, rejects, summary = crawl(site, tmp_path)
    assert {path: r["tdm_reserved"] for path, r in records.items()} == {
        "/2025/03/12/header-reserved/": True,
        "/2025/03/12/meta-reserved/": True,
        "/premium/2025/03/12/file-reserved/": True,
        "/2025/03/12/free/": False,
    }
    assert records["/2025/03/12/header-reserved/"]["provenance"]["tdm_reserved"] == {
        "source": "header",
        "raw": "1",
        "policy": POLICY,
    }
    assert records["/2025/03/12/meta-reserved/"]["provenance"]["tdm_reserved"] == {"source": "meta", "raw": "1"}
    assert records["/premium/2025/03/12/file-reserved/"]["provenance"]["tdm_reserved"] == {
        "source": "tdmrep",
        "raw": "/premium/*",
        "policy": POLICY,
    }
    assert records["/2025/03/12/free/"]["provenance"]["tdm_reserved"] == {"source": "tdmrep", "raw": "/"}
    assert all(r["access"] == "ok" and r["truncated"] is False for r in records.values())
    walls = {
        path: (r["status"], r["access"], r["access_rule"], r["http_status"])
        for path, r in rejects.items()
        if path in PAGES
    }
    assert walls == {
        "/2025/03/12/challenge/": ("blocked", "bot_challenge", "bot_challenge:cloudflare:header", 403),
        "/2025/03/12/consent/": ("consent", "consent_wall", "consent_wall:markup:consent_form", 200),
    }
    line = next(line for line in summary.splitlines() if line.startswith("  access states"))
    counts = dict(part.rsplit(" ", 1) for part in line.split(None, 3)[3].split(", "))
    assert (counts["bot_challenge"], counts["consent_wall"]) == ("1", "1")
    assert int(counts["ok"]) >= 4 and int(line.split()[2]) == sum(map(int, counts.values()))


def test_respect_tdm_keeps_reserved_pages_out(site, tmp_path):
    records, rejects, summary = crawl(site, tmp_path, "--respect-tdm")
    assert list(records) == ["/2025/03/12/free/"]
    reserved = {path: r["reason"] for path, r in rejects.items() if r["status"] == "tdm_reserved"}
    assert reserved == {
        "/2025/03/12/header-reserved/": f"TDM rights reserved (header {POLICY}), --respect-tdm",
        "/2025/03/12/meta-reserved/": "TDM rights reserved (meta), --respect-tdm",
        "/premium/2025/03/12/file-reserved/": f"TDM rights reserved (tdmrep {POLICY}), --respect-tdm",
    }
    skipped = next(line for line in summary.splitlines() if line.startswith("  skipped"))
    assert "tdm_reserved 3" in skipped


def test_extract_names_walls_and_reserved_pages(site):
    urls = [
        site.url_for(path)
        for path in (
            "/2025/03/12/free/",
            "/premium/2025/03/12/file-reserved/",
            "/2025/03/12/challenge/",
            "/2025/03/12/consent/",
        )
    ]
    run = subprocess.run(
        [*CLEANWIRE, "extract", *urls, "--respect-tdm", "--format", "text"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )
    assert run.returncode == 1
    assert run.stdout.startswith("Free to mine\n\nFree to mine paragraph 0:")
    assert run.stderr.splitlines() == [
        f"cleanwire extract: {urls[1]}: TDM rights reserved (tdmrep, policy {POLICY}): left out (--respect-tdm)",
        f"cleanwire extract: {urls[2]}: HTTP 403: bot_challenge (bot_challenge:cloudflare:header: 'challenge')",
        f"cleanwire extract: {urls[3]}: consent_wall (consent_wall:markup:consent_form: 'action=\"https://consent.')",
    ]
