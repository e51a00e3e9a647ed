"""WARC: the WarcWriter middleware archives responses; `extract --warc` re-cleans archived HTML in parallel."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys

import brotli
import pytest
from backports import zstd
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaners import Options, extract
from crawler.extraction.fromwarc import Tally, decode_content, reextract, warc_date_to_iso
from crawler.output.warc import WarcWriter, rotated_name

from conftest import CLEANWIRE, PAGES, ROOT

FIXTURES = [
    PAGES / "neutral" / "taiwan-envoy-israel.html",
    PAGES / "drupal-de" / "rheinbruecke-sanierung.html",
    PAGES / "wordpress-generatepress" / "harbour-ferry-contract.html",
    PAGES / "ghost-it" / "garda-tassa-soggiorno.html",
]
DATE = "2026-03-04T05:06:07.123456Z"
#: Content-Encoding of the archived fixture pages, in turn (Scrapy asks for all four)
ENCODINGS = [(None, bytes), ("gzip", gzip.compress), ("br", brotli.compress), ("zstd", zstd.compress)]


def run(*args, input=None):
    return subprocess.run([*CLEANWIRE, "extract", *args], capture_output=True, cwd=ROOT, input=input, timeout=180)


def response_record(writer, url, body, status="200 OK", content_type="text/html; charset=utf-8", extra=()):
    headers = StatusAndHeaders(
        status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra], protocol="HTTP/1.1"
    )
    return writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": DATE},
    )


def write_common_crawl_style(path):
    """Fixture pages (one gzip-encoded), a PDF, a 404 and a request record, as a crawler archives them."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for i, page in enumerate(FIXTURES):
            url = f"https://news.example/{page.stem}/"
            body = page.read_bytes()
            coding, encode = ENCODINGS[i % len(ENCODINGS)]
            record = response_record(writer, url, encode(body), extra=[("Content-Encoding", coding)] if coding else [])
            request = writer.create_warc_record(
                url,
                "request",
                http_headers=StatusAndHeaders(
                    f"GET /{page.stem}/", [("Host", "news.example")], protocol="HTTP/1.1", is_http_request=True
                ),
            )
            writer.write_request_response_pair(request, record)
            if i == 1:
                writer.write_record(
                    response_record(
                        writer,
                        "https://news.example/report.pdf",
                        b"%PDF-1.7\n" + b"0" * 500,
                        content_type="application/pdf",
                    )
                )
                writer.write_record(
                    response_record(
                        writer, "https://news.example/gone/", FIXTURES[0].read_bytes(), status="404 Not Found"
                    )
                )


def expected_records() -> list[dict]:
    options = Options().with_(fetched_at=warc_date_to_iso(DATE))
    return [extract(p.read_bytes(), url=f"https://news.example/{p.stem}/", options=options).to_dict() for p in FIXTURES]


def test_decode_content():
    html = FIXTURES[0].read_bytes()
    assert decode_content(gzip.compress(brotli.compress(html)), "br, gzip", 10**7) == html
    assert decode_content(zstd.compress(html), "zstd", 100) == html[:100]
    with pytest.raises(ValueError, match="unsupported content encoding 'compress'"):
        decode_content(html, "compress", 10**7)


def test_warc_date_is_fetched_at():
    assert warc_date_to_iso(DATE) == "2026-03-04T05:06:07+00:00"
    assert warc_date_to_iso("2026-03-04T05:06:07Z") == "2026-03-04T05:06:07+00:00"


@pytest.mark.e2e
def test_extract_warc_emits_exactly_the_html_articles(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    write_common_crawl_style(warc)
    out_file = tmp_path / "out.jsonl"
    out = run("--warc", str(warc), "-o", str(out_file), "-j", "2")
    assert out.returncode == 0, out.stderr.decode()
    got = [json.loads(line) for line in out_file.read_text("utf-8").splitlines()]
    assert got == expected_records()
    assert out.stderr.decode().strip().splitlines()[-1] == (
        "cleanwire extract: 4 articles from 6 responses (skipped: 1 HTTP 404, 1 not HTML)"
    )


def test_parallel_and_single_process_agree(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    write_common_crawl_style(warc)
    tallies = [Tally(), Tally()]
    single = list(reextract([str(warc)], Options(), processes=1, tally=tallies[0]))
    parallel = list(reextract([str(warc)] * 3, Options(), processes=2, tally=tallies[1]))
    assert parallel == single * 3
    assert (tallies[1].articles, tallies[1].responses) == (12, 18)


def test_parallel_reextraction_of_a_cut_warc_keeps_the_records_before_the_cut(tmp_path):
    warc, cut = tmp_path / "crawl.warc.gz", tmp_path / "cut.warc.gz"
    write_common_crawl_style(warc)
    cut.write_bytes(warc.read_bytes()[:20000])
    tally = Tally()
    parallel = list(reextract([str(cut)], Options(), processes=2, tally=tally))
    assert parallel == expected_records()[:2]
    assert tally.file_errors == [
        f"{cut}: truncated after 7 complete WARC records (the responses before the cut are kept)"
    ]
    assert tally.summary() == "2 articles from 4 responses (skipped: 1 HTTP 404, 1 not HTML)"


WORKER_PROBE = """
from cleaners import Options
from cleaners.language import _identifier
from crawler.extraction.fromwarc import _pool

def loaded():
    return _identifier.cache_info().currsize


assert loaded() == 0        # this process has not loaded the language model yet
with _pool(2, Options()) as pool:
    print(sorted(pool.submit(loaded).result() for _ in range(4)))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the warmed pool is forked on Linux only")
@pytest.mark.e2e
def test_workers_start_with_the_language_model_loaded():
    out = subprocess.run([sys.executable, "-c", WORKER_PROBE], capture_output=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout.decode().strip() == "[1, 1, 1, 1]"


def test_a_dead_worker_ends_the_run_with_a_file_error_and_keeps_the_records_before(tmp_path, monkeypatch):
    import crawler.extraction.fromwarc as warcextract

    warc = tmp_path / "crawl.warc.gz"
    write_common_crawl_style(warc)
    clean_task = warcextract.clean_task

    def dies_on_the_third_page(task, options=None):  # the forked workers inherit the patched module
        if task.url.endswith(f"/{FIXTURES[2].stem}/"):
            os.kill(os.getpid(), signal.SIGKILL)
        return clean_task(task, options)

    monkeypatch.setattr(warcextract, "CHUNK", 2)
    monkeypatch.setattr(warcextract, "clean_task", dies_on_the_third_page)
    tally = Tally()
    got = list(reextract([str(warc)] * 2, Options(), processes=2, tally=tally))
    assert got == expected_records()[: len(got)]
    assert tally.file_errors == [
        f"an extraction worker process died; the {len(got)} articles before are kept, "
        "the rest of the archive was not read"
    ]
    assert tally.skipped["not extracted (a worker died)"] > 0


@pytest.mark.e2e
def test_unreadable_warc_is_reported(tmp_path):
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"this is not a WARC file at all\n" * 10)
    out = run("--warc", str(bad), str(tmp_path / "missing.warc.gz"))
    err = out.stderr.decode()
    assert out.returncode == 1
    assert f"{bad}: not a readable WARC file" in err
    assert f"{tmp_path / 'missing.warc.gz'}: no such file" in err
    assert out.stdout == b""


def test_middleware_not_configured_without_setting():
    with pytest.raises(NotConfigured):
        WarcWriter.from_crawler(get_crawler(settings_dict={}))


@pytest.mark.e2e
def test_rotation_by_size(tmp_path):
    crawler = get_crawler(settings_dict={"CLEANWIRE_WARC": str(tmp_path / "a.warc.gz"), "CLEANWIRE_WARC_MAX_BYTES": 1})
    middleware = WarcWriter.from_crawler(crawler)
    body = FIXTURES[0].read_bytes()
    for i in range(3):
        request = Request(f"https://news.example/{i}/")
        response = HtmlResponse(url=request.url, body=body, headers={"Content-Type": "text/html"}, request=request)
        assert middleware.process_response(request, response) is response
    middleware.close()
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["a-00000.warc.gz", "a-00001.warc.gz", "a-00002.warc.gz"]
    with (tmp_path / "a-00001.warc.gz").open("rb") as fh:
        kinds = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.protocol)
            for r in ArchiveIterator(fh)
        ]
    assert kinds == [
        ("warcinfo", None, "WARC/1.1"),
        ("response", "https://news.example/1/", "WARC/1.1"),
        ("request", "https://news.example/1/", "WARC/1.1"),
        ("metadata", "https://news.example/1/", "WARC/1.1"),
    ]
    assert rotated_name(tmp_path / "x.warc", 3).name == "x-00003.warc"


@pytest.fixture
def site(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    for (coding, encode), name, page in zip(ENCODINGS, ("plain", "gzip", "br", "zstd"), FIXTURES):
        httpserver.expect_request(f"/{name}/").respond_with_data(
            encode(page.read_bytes()),
            content_type="text/html; charset=utf-8",
            headers={"Content-Encoding": coding} if coding else {},
        )
    return httpserver


@pytest.mark.e2e
def test_middleware_archive_reextracts_to_the_same_records(site, tmp_path):
    urls = [site.url_for(f"/{name}/") for name in ("plain", "gzip", "br", "zstd")]
    warc = tmp_path / "fetch.warc.gz"
    fetched = run(*urls, "-s", f"CLEANWIRE_WARC={warc}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")
    assert fetched.returncode == 0, fetched.stderr.decode()
    archived = tmp_path / "fetch-00000.warc.gz"
    with archived.open("rb") as fh:
        records, codings = [], {}
        for r in ArchiveIterator(fh):
            records.append((r.rec_type, r.rec_headers.get_header("WARC-Target-URI")))
            if r.rec_type == "response":
                codings[records[-1][1]] = r.http_headers.get_header("Content-Encoding")
    assert [codings[url] for url in urls] == [None, "gzip", "br", "zstd"]  # archived as downloaded
    assert records[0][0] == "warcinfo"
    assert [t for t, _ in records[1:]] == ["response", "request", "metadata"] * 6
    assert {u for _, u in records[1:]} == {site.url_for("/robots.txt"), site.url_for("/.well-known/tdmrep.json"), *urls}
    again = run("--warc", str(archived))
    assert again.returncode == 0, again.stderr.decode()
    first = {r["url"]: r for r in map(json.loads, fetched.stdout.decode().splitlines())}
    second = {r["url"]: r for r in map(json.loads, again.stdout.decode().splitlines())}
    assert sorted(first) == sorted(second) == sorted(urls)
    for url in urls:
        assert second[url]["text"] == first[url]["text"]
        assert {k: v for k, v in second[url].items() if k != "fetched_at"} == {
            k: v for k, v in first[url].items() if k != "fetched_at"
        }


@pytest.mark.e2e
def test_extract_warc_streams_to_parquet(tmp_path):
    import pyarrow.parquet as pq

    from cleaners.schema.arrow import row_to_record

    warc = tmp_path / "crawl.warc.gz"
    write_common_crawl_style(warc)
    out = run("--warc", str(warc), "-o", str(tmp_path / "out.parquet"), "-j", "1")
    assert out.returncode == 0, out.stderr.decode()
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [row_to_record(row) for row in rows] == expected_records()
