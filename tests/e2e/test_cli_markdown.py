"""`cleanwire extract --format markdown|chunks`, `--chunks N` and `-s CLEANWIRE_RECORD_MARKDOWN=True`."""

from __future__ import annotations

import json
import subprocess

import yaml

from cleaners import Options, extract
from cleaners.markdown import to_markdown

from conftest import CLEANWIRE, PAGES, ROOT

PAGE = PAGES / "structure-en" / "harbour-record-year.html"
URL = "https://www.baysidecourier.example/business/harbour-traffic-record"


def run(*args):
    return subprocess.run(
        [*CLEANWIRE, "extract", str(PAGE), "--url", URL, *args], capture_output=True, cwd=ROOT, timeout=120
    )


def test_markdown_is_the_document_of_the_record():
    out = run("--format", "markdown")
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert text == to_markdown(extract(PAGE.read_bytes(), url=URL).to_dict())
    head, body = text.split("\n---\n", 1)
    meta = yaml.safe_load(head.removeprefix("---\n"))
    assert meta == {
        "title": "Harbour traffic hits a record as new terminal nears",
        "authors": ["Nadia Okafor"],
        "date_published": "2025-04-02T08:15:00+01:00",
        "date_modified": None,
        "url": URL,
        "language": "en",
        "tags": [],
    }
    assert body.startswith("\n# Harbour traffic hits a record as new terminal nears\n\n")
    assert "| Year | Ship calls | Cargo (tonnes) |\n| --- | --- | --- |\n" in body
    assert "[YouTube video](https://www.youtube.com/watch?v=Hx7pQe2vLmA)" in body
    assert "> — Maria Costa, harbour master" in body


def test_record_carries_markdown_and_chunks_from_one_pass():
    out = run("-s", "CLEANWIRE_RECORD_MARKDOWN=True", "--chunks", "60")
    assert out.returncode == 0, out.stderr
    [record] = [json.loads(line) for line in out.stdout.decode().splitlines()]
    expected = extract(PAGE.read_bytes(), url=URL, options=Options(chunk_tokens=60, record_markdown=True)).to_dict()
    assert record["markdown"] == expected["markdown"]
    assert record["chunks"] == expected["chunks"]
    assert "\n\n".join(c["text"] for c in record["chunks"]) == record["text"]  # no block is cut at 60 tokens here


def test_chunks_format_is_one_chunk_a_line():
    out = run("--format", "chunks", "--chunks", "40")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    record = extract(PAGE.read_bytes(), url=URL, options=Options(chunk_tokens=40)).to_dict()
    assert [r["chunk"] for r in rows] == list(range(len(record["chunks"])))
    assert {r["url"] for r in rows} == {URL} and {r["content_hash"] for r in rows} == {record["content_hash"]}
    assert [{k: v for k, v in r.items() if k not in ("url", "content_hash", "chunk")} for r in rows] == record["chunks"]
    section = [r for r in rows if r["heading_path"] == ["What the new terminal changes"]]
    assert section[0]["text"].startswith("What the new terminal changes\n\nThe deep-water terminal will let")


def test_chunks_format_needs_a_chunk_size(tmp_path):
    target = tmp_path / "out.jsonl"
    out = run("--format", "chunks", "-o", str(target))
    assert out.returncode == 2
    assert out.stderr.decode() == (
        "cleanwire extract: --format chunks needs --chunks N (or -s CLEANWIRE_CHUNK_TOKENS=N)\n"
    )
    assert not target.exists()


def test_crawl_writes_markdown_and_chunks(tmp_path):
    from crawler.demo.server import FixtureSite

    loopback = [
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "CLEANWIRE_WORKERS=1",
        "--max-pages",
        "25",  # robots.txt, TDMRep, the home page, sitemaps and feeds come first: 12 left one article when loaded
    ]
    markdown, chunks = tmp_path / "out.md", tmp_path / "chunks.jsonl"
    with FixtureSite() as site:
        for args in (["-o", str(markdown)], ["-o", str(chunks), "--format", "chunks", "--chunks", "50"]):
            done = subprocess.run(
                [*CLEANWIRE, "crawl", site.origin + "/", *args, *loopback],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr[-2000:]
    documents = markdown.read_text("utf-8").split("\n---\ntitle: ")
    assert markdown.read_text("utf-8").startswith("---\ntitle: ") and len(documents) >= 2
    for n, document in enumerate(documents):
        head = ("" if n else "---\n") + ("title: " if n else "") + document.split("\n---\n", 1)[0]
        meta = yaml.safe_load(head.removeprefix("---\n"))
        assert meta["url"].startswith(site.origin) and meta["title"]
    rows = [json.loads(line) for line in chunks.read_text("utf-8").splitlines()]
    assert rows and all(r["url"].startswith(site.origin) and r["content_hash"].startswith("sha256:") for r in rows)
    numbers: dict[str, list[int]] = {}
    for row in rows:
        numbers.setdefault(row["url"], []).append(row["chunk"])
    assert all(found == list(range(len(found))) for found in numbers.values())  # each record's chunks, in order
