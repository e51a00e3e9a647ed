"""Parquet feed exporter: Arrow schema from the JSON Schema, row groups, round trip against JSONL."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scrapy.utils.test import get_crawler

from cleaners import extract
from cleaners.schema.arrow import arrow_schema, row_to_record
from crawler.output.parquet import ParquetAppendError, ParquetItemExporter

from conftest import PAGES, ROOT

FIXTURES = [
    PAGES / "neutral" / "taiwan-envoy-israel.html",
    PAGES / "drupal-de" / "rheinbruecke-sanierung.html",
    PAGES / "wordpress-generatepress" / "harbour-ferry-contract.html",
]


def fixture_records() -> list[dict]:
    return [extract(p.read_bytes(), url=f"https://news.example/{p.stem}/").to_dict() for p in FIXTURES]


def test_arrow_schema_is_nested_not_json_strings():
    schema = arrow_schema()
    assert schema.field("authors").type == pa.list_(pa.string())
    blocks = schema.field("blocks").type
    assert pa.types.is_list(blocks) and pa.types.is_struct(blocks.value_type)
    block = blocks.value_type
    assert [block.field(i).name for i in range(block.num_fields)] == [
        "type",
        "text",
        "level",
        "items",
        "rows",
        "header",
        "src",
        "caption",
        "credit",
        "alt",
        "provider",
        "url",
        "attribution",
    ]
    assert block.field("level").type == pa.int64()
    assert block.field("rows").type == pa.list_(pa.list_(pa.string()))
    assert not block.field("text").nullable and block.field("level").nullable
    provenance = schema.field("provenance").type
    assert pa.types.is_map(provenance) and pa.types.is_struct(provenance.item_type)
    assert provenance.item_type.field("source") == pa.field("source", pa.string(), nullable=False)
    assert provenance.item_type.field("raw") == pa.field("raw", pa.string())  # any JSON value, as JSON text
    assert schema.field("is_accessible_for_free").type == pa.bool_()
    assert not schema.field("text").nullable and schema.field("description").nullable


@pytest.mark.e2e
def test_exporter_writes_row_groups_and_reads_back(tmp_path):
    crawler = get_crawler(settings_dict={"CLEANWIRE_PARQUET_ROW_GROUP_ITEMS": 2})
    records = fixture_records()
    path = tmp_path / "out.parquet"
    with path.open("wb") as fh:
        exporter = ParquetItemExporter.from_crawler(crawler, fh)
        exporter.start_exporting()
        for record in records:
            exporter.export_item(record)
        assert len(exporter.buffer) == 1  # two rows already written as one row group
        exporter.finish_exporting()
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_row_groups == 2
    assert [parquet.metadata.row_group(i).num_rows for i in range(2)] == [2, 1]
    table = parquet.read()
    assert table.schema.equals(arrow_schema(), check_metadata=False)
    back = [row_to_record(row) for row in table.to_pylist()]
    assert back == records
    assert back[0]["provenance"]["authors"]["raw"]["name"] == "Ruta R Deshpande"


def test_fields_to_export_selects_columns():
    crawler = get_crawler(settings_dict={})
    buffer = io.BytesIO()
    exporter = ParquetItemExporter.from_crawler(crawler, buffer, fields_to_export=["url", "title", "authors"])
    exporter.start_exporting()
    exporter.export_item(fixture_records()[0])
    exporter.finish_exporting()
    table = pq.read_table(io.BytesIO(buffer.getvalue()))
    assert table.column_names == ["url", "title", "authors"]
    assert table.to_pylist()[0]["authors"] == ["Ruta R Deshpande"]


def test_appending_to_existing_parquet_is_refused(tmp_path):
    path = tmp_path / "old.parquet"
    path.write_bytes(b"PAR1 something")
    with path.open("ab") as fh:
        exporter = ParquetItemExporter.from_crawler(get_crawler(settings_dict={}), fh)
        with pytest.raises(ParquetAppendError, match=r"use -O|overwrite it with -O"):
            exporter.start_exporting()


@pytest.fixture
def pages_server(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    for path in FIXTURES:
        httpserver.expect_request(f"/{path.stem}/").respond_with_data(
            path.read_bytes(), content_type="text/html; charset=utf-8"
        )
    return httpserver


@pytest.mark.e2e
def test_scrapy_crawl_parquet_matches_jsonl(pages_server, tmp_path):
    urls = [pages_server.url_for(f"/{p.stem}/") for p in FIXTURES]
    parquet_path, jsonl_path = tmp_path / "out.parquet", tmp_path / "out.jsonl"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "urls",
            "-a",
            "urls=" + ",".join(urls),
            "-O",
            str(parquet_path),
            "-O",
            str(jsonl_path),
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr.decode()[-2000:]
    from_jsonl = [json.loads(line) for line in jsonl_path.read_text("utf-8").splitlines()]
    from_parquet = [row_to_record(row) for row in pq.read_table(parquet_path).to_pylist()]
    assert sorted(r["url"] for r in from_jsonl) == sorted(urls)
    assert len(from_parquet) == len(from_jsonl) == 3
    by_url = {r["url"]: r for r in from_jsonl}
    for record in from_parquet:
        expected = by_url[record["url"]]
        assert record.keys() == expected.keys()
        for name in expected:
            assert record[name] == expected[name], name


@pytest.mark.e2e
def test_cleanwire_extract_to_parquet_matches_jsonl(tmp_path):
    from conftest import CLEANWIRE

    files = [str(p) for p in FIXTURES]
    for suffix in ("parquet", "jsonl"):
        out = subprocess.run(
            [*CLEANWIRE, "extract", *files, "-o", str(tmp_path / f"out.{suffix}")],
            cwd=ROOT,
            capture_output=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr.decode()
    from_jsonl = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    table = pq.read_table(tmp_path / "out.parquet")
    assert [row_to_record(row) for row in table.to_pylist()] == from_jsonl
    assert [r["title"] for r in from_jsonl][0].startswith("Hidden diplomacy")
    assert not list(tmp_path.glob(".out.parquet.*"))


# ------------------------------------------------------------ a Parquet write that fails partway


@pytest.mark.e2e
def test_a_crawl_whose_parquet_output_fills_the_disk_is_one_error_line_and_exit_1(tmp_path):
    from test_faults import crawl, tmpfs

    from crawler.demo.server import FixtureSite

    out = tmp_path / "out"
    with FixtureSite() as site, tmpfs(out, "16k"):
        result = crawl(site, tmp_path, "-o", str(out / "feed.parquet"), CLEANWIRE_PARQUET_ROW_GROUP_ITEMS=4)
    assert result.returncode == 1, (result.stderr[:3000], result.stderr[-3000:])
    assert result.stderr.strip().splitlines()[-1] == (
        f"cleanwire crawl: output not written to {out}/feed.parquet: No space left on device"
    )
    assert "'finish_reason': 'output_failed'" in result.stderr  # the crawl stopped at the failure
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert "records written" not in result.stderr


def test_a_feed_whose_last_flush_fails_is_a_run_failure_not_a_traceback_at_store():
    class FullDisk(io.BytesIO):
        name = "/mnt/full/feed.parquet"

        def flush(self):
            raise OSError(28, "No space left on device")

    crawler = get_crawler(settings_dict={})
    exporter = ParquetItemExporter.from_crawler(crawler, FullDisk())
    exporter.start_exporting()
    exporter.export_item(fixture_records()[0])
    exporter.finish_exporting()  # the failed flush is said once and fails the run; nothing raised
    assert crawler.stats.get_value("cleanwire/state/failure") == (
        "output not written to /mnt/full/feed.parquet: No space left on device"
    )
    assert exporter.writer is None and exporter.file.closed


@pytest.mark.e2e
def test_extract_parquet_to_a_full_disk_under_stdout_is_one_line(tmp_path):
    from test_faults import tmpfs

    with tmpfs(tmp_path / "small", "8k") as small, (small / "out.parquet").open("wb") as stdout:
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "extract", *map(str, FIXTURES), "--format", "parquet"],
            cwd=ROOT,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert (result.returncode, result.stderr) == (
        1,
        "cleanwire extract: <stdout>: cannot write (No space left on device)\n",
    )


@pytest.mark.e2e
def test_extract_parquet_to_a_pipe():
    command = [sys.executable, "-m", "crawler", "extract", *map(str, FIXTURES)]
    result = subprocess.run([*command, "--format", "parquet"], cwd=ROOT, capture_output=True, timeout=120)
    jsonl = subprocess.run(command, cwd=ROOT, capture_output=True, check=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    table = pq.read_table(io.BytesIO(result.stdout))  # a pipe cannot tell(): it is not an append
    records = [row_to_record(row) for row in table.to_pylist()]
    assert len(records) == 3 and records == [json.loads(line) for line in jsonl.stdout.splitlines()]


@pytest.mark.parametrize("suffix", ["jsonl", "json"])
@pytest.mark.e2e
def test_a_crawl_whose_json_feed_fills_the_disk_is_one_error_line_and_exit_1(tmp_path, suffix):
    from test_faults import crawl, tmpfs

    from crawler.demo.server import FixtureSite

    out = tmp_path / "out"
    with FixtureSite() as site, tmpfs(out, "48k"):
        result = crawl(site, tmp_path, "-o", str(out / f"feed.{suffix}"), CLEANWIRE_SUMMARY=True)
        written = (out / f"feed.{suffix}").read_bytes()
    assert result.returncode == 1, (result.stderr[:3000], result.stderr[-3000:])
    assert result.stderr.strip().splitlines()[-1] == (
        f"cleanwire crawl: output not written to {out}/feed.{suffix}: No space left on device"
    )
    assert "'finish_reason': 'output_failed'" in result.stderr
    assert "Traceback" not in result.stderr and "records written" not in result.stderr
    [emitted] = re.findall(r"articles emitted +(\d+)", result.stderr)
    if suffix == "jsonl":  # the summary counts the lines that reached the disk, not the 48 extracted
        assert 0 < int(emitted) == written.count(b"\n") < 48


def test_structure_blocks_chunks_and_markdown_round_trip(tmp_path):
    from cleaners import Options
    from cleaners.schema.arrow import record_to_row

    page = PAGES / "structure-en" / "harbour-record-year.html"
    options = Options(chunk_tokens=60, record_markdown=True)
    record = extract(page.read_bytes(), url="https://www.baysidecourier.example/b/", options=options).to_dict()
    kinds = {b["type"] for b in record["blocks"]}
    assert {"figure", "embed", "table", "quote"} <= kinds
    table = pa.Table.from_pylist([record_to_row(record)], schema=arrow_schema())
    pq.write_table(table, tmp_path / "one.parquet")
    back = row_to_record(pq.read_table(tmp_path / "one.parquet").to_pylist()[0])
    assert back == record
    assert [b["alt"] for b in back["blocks"] if b["type"] == "figure"][-1] is None  # a null that is asked for
