"""Crawl output as Markdown documents or chunk lines (feed exporters), and the settings that ask for them."""

from __future__ import annotations

import io
import json

from scrapy.utils.test import get_crawler

from cleaners import Options, extract
from cleaners.markdown import to_markdown
from crawler.cli.crawl import feed_settings
from crawler.extraction.extractor import options_from_settings
from crawler.output.markdown import ChunksItemExporter, MarkdownItemExporter

from conftest import PAGES

PAGES_USED = [
    PAGES / "structure-en" / "harbour-record-year.html",
    PAGES / "structure-fr" / "festival-jazz-marciac.html",
]


def _records(**options) -> list[dict]:
    return [
        extract(p.read_bytes(), url=f"https://news.example/{p.stem}", options=Options(**options)).to_dict()
        for p in PAGES_USED
    ]


def _export(cls, records) -> str:
    buffer = io.BytesIO()
    exporter = cls.from_crawler(get_crawler(settings_dict={}), buffer)
    exporter.start_exporting()
    for record in records:
        exporter.export_item(record)
    exporter.finish_exporting()
    return buffer.getvalue().decode("utf-8")


def test_markdown_feed_is_the_documents_one_after_another():
    records = _records()
    assert _export(MarkdownItemExporter, records) == to_markdown(records[0]) + "\n" + to_markdown(records[1])


def test_markdown_feed_uses_the_records_markdown():
    records = _records(record_markdown=True)
    records[0]["markdown"] = '---\ntitle: "given"\n---\n'
    assert _export(MarkdownItemExporter, records[:1]) == '---\ntitle: "given"\n---\n'


def test_chunks_feed_is_one_chunk_a_line():
    records = _records(chunk_tokens=50)
    rows = [json.loads(line) for line in _export(ChunksItemExporter, records).splitlines()]
    assert len(rows) == sum(len(r["chunks"]) for r in records)
    assert [r["url"] for r in rows[:1]] == [records[0]["url"]]
    assert rows[-1]["content_hash"] == records[1]["content_hash"]
    assert rows[-1]["text"] == records[1]["chunks"][-1]["text"]


def test_feed_formats():
    assert feed_settings("-", "markdown") == {"stdout:": {"format": "markdown", "encoding": "utf-8"}}
    assert feed_settings("-") == {"stdout:": {"format": "jsonlines", "encoding": "utf-8"}}
    [(_, feed)] = feed_settings("/tmp/cleanwire-test-out.md").items()
    assert feed["format"] == "markdown"
    [(_, feed)] = feed_settings("/tmp/cleanwire-test-out.jsonl", "chunks").items()
    assert feed["format"] == "chunks"


def test_options_from_settings():
    crawler = get_crawler(settings_dict={"CLEANWIRE_CHUNK_TOKENS": "120", "CLEANWIRE_RECORD_MARKDOWN": "True"})
    options = options_from_settings(crawler.settings)
    assert (options.chunk_tokens, options.record_markdown) == (120, True)
    default = options_from_settings(get_crawler(settings_dict={}).settings)
    assert (default.chunk_tokens, default.record_markdown) == (0, False)
