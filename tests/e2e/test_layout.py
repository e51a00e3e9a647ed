"""The package layout contracts: cleaners never imports Scrapy; the schema ships."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_cleaners_does_not_import_scrapy():
    code = (
        "import sys, cleaners, cleaners.bench, cleaners.extract; from cleaners import extract; "
        "extract('<html><body><p>' + 'word ' * 80 + '</p></body></html>'); "
        "print(sorted(m for m in sys.modules if m == 'scrapy' or m.startswith(('scrapy.', 'twisted'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_no_scrapy_import_statement_in_cleaners():
    for path in (ROOT / "cleaners").rglob("*.py"):
        text = path.read_text("utf-8")
        assert "import scrapy" not in text and "from scrapy" not in text, path


def test_schema_is_draft_2020_12_and_covers_the_record():
    from cleaners import extract
    from cleaners.schema import article_schema

    schema = article_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    record = extract(
        "<html><body><article><p>" + "Some words of a story. " * 30 + "</p></article></body></html>"
    ).to_dict()
    # the fields a record carries only when they apply: Markdown and chunks on request, live-blog entries, merged pages
    optional = {"markdown", "chunks", "entries", "pages"}
    assert set(record) == set(schema["properties"]) - optional
    assert optional <= set(schema["properties"]) and not optional & set(schema["required"])


def test_cleanwire_schema_command_prints_it():
    out = subprocess.run(
        [sys.executable, "-m", "crawler", "schema"], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(out.stdout)["title"] == "cleanwire article record"
