"""`cleanwire crawl` on the fixture site with the dataset features: rejects, WARC, near-duplicates, Parquet."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.demo.server import DEFAULT_ROOT, FixtureSite

from conftest import CLEANWIRE, ROOT

LOOPBACK = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s",
    "CLEANWIRE_WORKERS=2",
]
WIRE, COPY = "/2025/04/02/wire-story-port-tariffs/", "/2025/04/03/port-tariffs-wire-copy/"
#: `cleanwire ARGS...` as `python -m crawler` runs it, then the names in the crawler process's sys.modules to the
#: file in argv[1] (the extraction workers are other processes: forked from a forkserver, never this one)
MODULES_PROBE = """
import json, sys
from crawler.cli.main import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    json.dump(sorted(sys.modules), out)
raise SystemExit(code)
"""


def cleanwire(*args: str, modules: Path | None = None) -> subprocess.CompletedProcess:
    """`cleanwire ARGS`; with `modules`, the crawler process's imported module names are written there."""
    command = [sys.executable, "-c", MODULES_PROBE, str(modules)] if modules else CLEANWIRE
    result = subprocess.run([*command, *args], capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """One crawl with --rejects and --warc (near-duplicates in memory; its modules.json: the crawler process's
    sys.modules at the end), one to Parquet dropping near-duplicates."""
    tmp = tmp_path_factory.mktemp("datasets")
    with FixtureSite() as site:
        cleanwire(
            "crawl",
            site.origin + "/",
            "-o",
            str(tmp / "out.jsonl"),
            "--rejects",
            str(tmp / "rejects.jsonl"),
            "--warc",
            str(tmp / "crawl.warc.gz"),
            *LOOPBACK,
            modules=tmp / "modules.json",
        )
        requests = list(site.requests)  # the first crawl's
        cleanwire("crawl", site.origin + "/", "-o", str(tmp / "out.parquet"), "--drop-near-duplicates", *LOOPBACK)
        yield tmp, site.origin, site.manifest, requests


def by_path(records: list[dict]) -> dict[str, dict]:
    return {urlsplit(r["url"]).path: r for r in records}


def test_wire_copy_is_marked_near_duplicate_of_the_first_seen(crawl):
    tmp, origin, manifest, _ = crawl
    records = by_path(jsonl(tmp / "out.jsonl"))
    assert sorted(records) == sorted(a["path"] for a in manifest["articles"])
    marked = {path: r["duplicate_of"] for path, r in records.items() if r["duplicate_of"]}
    # the pair differs in byline, dateline and one sentence; whichever was emitted second points at the other
    assert marked in ({COPY: origin + WIRE}, {WIRE: origin + COPY})  # pages sharing only boilerplate: no match


def test_the_crawler_process_never_imports_datasketch_or_scipy(crawl):
    """Near-duplicate signatures are numpy only: the crawler signs the merged record of a multi-page article itself
    (its workers signed each page alone) without importing datasketch and, through it, scipy (~40 MB mid-crawl)."""
    tmp, _, manifest, _ = crawl
    modules = set(json.loads((tmp / "modules.json").read_text("utf-8")))
    assert "crawler.dedup.neardup" in modules and "numpy" in modules  # the NearDupPipeline ran in this process
    assert {m.split(".")[0] for m in modules} & {"datasketch", "scipy"} == set()
    merged = [r for r in jsonl(tmp / "out.jsonl") if len(r.get("pages") or []) > 1]
    assert merged and manifest["continuation_pages"]  # multi-page articles went through the pipeline
    assert all("duplicate_of" in r for r in merged)


def test_drop_near_duplicates_to_parquet(crawl):
    import pyarrow.parquet as pq

    tmp, _, _, _ = crawl
    rows = pq.read_table(tmp / "out.parquet").to_pylist()
    paths = sorted(urlsplit(r["url"]).path for r in rows)
    everything = sorted(by_path(jsonl(tmp / "out.jsonl")))
    assert len(paths) == len(everything) - 1 and len([p for p in (WIRE, COPY) if p in paths]) == 1
    assert set(paths) < set(everything) and all(r["duplicate_of"] is None for r in rows)


def test_every_fetched_page_not_emitted_has_a_reject_line(crawl):
    tmp, _, manifest, requests = crawl
    rejects = {urlsplit(r["url"]).path: r for r in jsonl(tmp / "rejects.jsonl")}
    documents = {"/robots.txt", *manifest["sitemaps"].values(), *manifest["feeds"].values()}
    probes = {p for p, status in ((urlsplit(t).path, s) for _, t, s in requests) if status == 404} - set(
        manifest["not_found"]
    )  # guessed sitemap and feed paths the site lacks
    fetched = {urlsplit(t).path: s for _, t, s in requests if s in (200, 404)}
    continuation = set(manifest["continuation_pages"])  # merged into their article's record
    pages = set(fetched) - documents - probes - set(by_path(jsonl(tmp / "out.jsonl"))) - continuation
    expected = {p: "http_error" if fetched[p] == 404 else "not_article" for p in pages}
    expected |= {a["path"]: "robots" for a in manifest["private_articles"]}  # never fetched: robots.txt
    assert {p: r["status"] for p, r in rejects.items() if p not in continuation} == expected
    # a continuation page that link discovery reached as well is rejected as such, never emitted on its own
    assert {r["reason"].split(" of ")[0] for p, r in rejects.items() if p in continuation} <= {
        "skipped: continuation page"
    }
    assert len(expected) > 60 and set(expected) <= set(manifest["non_articles"]) | set(manifest["not_found"]) | {
        a["path"] for a in manifest["private_articles"]
    }
    assert rejects[manifest["not_found"][0]]["reason"] == "HTTP 404"
    assert rejects[manifest["private_articles"][0]["path"]]["reason"] == "Forbidden by robots.txt"
    assert rejects["/about/"]["reason"] == "skipped: about" and rejects["/about/"]["http_status"] == 200


def test_warc_holds_every_response_and_re_extracts_the_same_records(crawl):
    from warcio.archiveiterator import ArchiveIterator

    tmp, _, _, _ = crawl
    warcs = sorted(tmp.glob("crawl-*.warc.gz"))
    assert [w.name for w in warcs] == ["crawl-00000.warc.gz"]
    with warcs[0].open("rb") as fh:
        kinds = [
            (r.rec_type, urlsplit(r.rec_headers.get_header("WARC-Target-URI") or "").path) for r in ArchiveIterator(fh)
        ]
    responses = {path for kind, path in kinds if kind == "response"}
    emitted = by_path(jsonl(tmp / "out.jsonl"))
    rejected = {urlsplit(r["url"]).path for r in jsonl(tmp / "rejects.jsonl") if r["status"] != "robots"}
    assert set(emitted) | rejected <= responses  # every page, archived as fetched
    assert {"/robots.txt", "/sitemap_index.xml"} <= responses
    again = tmp / "again.jsonl"
    cleanwire("extract", "--warc", str(warcs[0]), "-o", str(again))
    reextracted = by_path(jsonl(again))
    assert set(emitted) <= set(reextracted)
    assert all(reextracted[p]["content_hash"] == emitted[p]["content_hash"] for p in emitted)


def test_near_duplicates_across_runs_and_sites_share_the_state_file(tmp_path):
    from scrapy.utils.test import get_crawler

    from crawler.dedup.neardup import NearDupPipeline
    from crawler.incremental.state import StateStore

    page = (DEFAULT_ROOT / "www" / WIRE.strip("/") / "index.html").read_bytes()
    copy = (DEFAULT_ROOT / "www" / COPY.strip("/") / "index.html").read_bytes()
    from cleaners import extract

    first = extract(page, url="https://a.example" + WIRE).to_dict()
    second = extract(copy, url="https://b.example" + COPY).to_dict()
    state = tmp_path / "state.db"
    store = StateStore(state)  # the state store and the index live in one SQLite file
    for record in (first, second):  # two runs (two crawlers), two sites
        crawler = get_crawler(settings_dict={"CLEANWIRE_NEARDUP": str(state)})
        pipeline = NearDupPipeline.from_crawler(crawler)
        out = pipeline.process_item(dict(record))
        pipeline.close_spider()
    store.close()
    assert out["duplicate_of"] == "https://a.example" + WIRE
    tables = {row[0] for row in sqlite3.connect(state).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"neardup_docs", "neardup_bands"} <= tables and len(tables) > 3


def test_paywall_truncated_record_is_not_accessible_for_free():
    from cleaners import extract

    html = (
        b"<html><head><title>Bridge closes</title></head><body><article><h1>Bridge closes</h1>"
        b"<p>The council voted on Tuesday to close the harbour bridge for repairs lasting most of the summer, "
        b"officials said after a long meeting.</p><p>Drivers will be diverted through the old town while the "
        b"work goes on, adding some twenty minutes to journeys at peak times.</p>"
        b"<div class='paywall-prompt'><p>Subscribe to continue reading</p></div></article></body></html>"
    )
    record = extract(html, url="https://news.example/2025/01/01/bridge-closes/").to_dict()
    assert (record["access"], record["truncated"], record["is_accessible_for_free"]) == ("paywall", True, False)
    assert record["provenance"]["is_accessible_for_free"] == {"source": "html", "raw": "paywall-prompt"}
    assert "Subscribe to continue reading" not in record["text"]
    prompt_only = html.replace(b"<div class='paywall-prompt'>", b"<div>")
    record = extract(prompt_only, url="https://news.example/2025/01/01/bridge-closes/").to_dict()
    assert record["provenance"]["is_accessible_for_free"] == {"source": "text", "raw": "Subscribe to continue reading"}
    free = extract(
        (DEFAULT_ROOT / "www" / WIRE.strip("/") / "index.html").read_bytes(), url="https://a.example" + WIRE
    ).to_dict()
    assert (free["access"], free["truncated"], free["is_accessible_for_free"]) == ("ok", False, True)


def test_too_large_and_robots_pages_are_rejects(httpserver, tmp_path):
    text = "".join(
        f"<p>Paragraph {i} of the harbour report says the council met on Tuesday to vote on repairs "
        f"to the north pier, which storms damaged in January, and agreed to pay for them.</p>"
        for i in range(12)
    )
    article = (
        '<html><head><title>Pier repairs approved</title><script type="application/ld+json">'
        '{"@type": "NewsArticle", "headline": "Pier repairs approved"}</script></head><body><article>'
        f"<h1>Pier repairs approved</h1>{text}</article></body></html>"
    ).encode()
    big = b"<html><body><h1>Archive</h1>" + b"<p>filler text above the size limit</p>" * 5000 + b"</body></html>"
    home = b"<html><body><a href='/2025/01/02/pier/'>a</a> <a href='/big/'>b</a> <a href='/private/x/'>c</a></body>"
    httpserver.no_handler_status_code = 404  # sitemap and feed probes
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    for path, body in (("/", home), ("/2025/01/02/pier/", article), ("/big/", big)):
        httpserver.expect_request(path).respond_with_data(body, content_type="text/html")
    rejects, out = tmp_path / "rejects.jsonl", tmp_path / "out.jsonl"
    cleanwire(
        "crawl",
        httpserver.url_for("/"),
        "-o",
        str(out),
        "--rejects",
        str(rejects),
        *LOOPBACK,
        "-s",
        "DOWNLOAD_MAXSIZE=100000",
    )
    assert [urlsplit(r["url"]).path for r in jsonl(out)] == ["/2025/01/02/pier/"]
    got = {urlsplit(r["url"]).path: r for r in jsonl(rejects)}
    assert {p: r["status"] for p, r in got.items()} == {
        "/": "not_article",
        "/big/": "too_large",
        "/private/x/": "robots",
    }
    assert "larger than download max size (100000)" in got["/big/"]["reason"]
