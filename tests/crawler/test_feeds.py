"""Feed exporters are registered in crawler/settings.py (so `scrapy crawl site -o` gets them too); output/ has no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from crawler.output.feeds import FlushingJsonExporter, FlushingJsonLinesExporter
from crawler.output.parquet import ParquetItemExporter

from conftest import ROOT


def test_the_project_settings_name_the_flushing_json_exporters_and_parquet():
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")  # what scrapy.cfg gives `scrapy crawl site`
    exporters = settings.getwithbase("FEED_EXPORTERS")
    assert load_object(exporters["jsonlines"]) is FlushingJsonLinesExporter
    assert load_object(exporters["json"]) is FlushingJsonExporter
    assert load_object(exporters["parquet"]) is ParquetItemExporter


def imported(module: Path) -> set[str]:
    """Every module `module` imports, at any depth of its code (lazy imports included)."""
    names = set()
    for node in ast.walk(ast.parse(module.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_scrapy_exporters_do_not_import_the_offline_writers():
    """files.py writes Parquet through the exporter; the exporters never import files.py back (was a cycle)."""
    output = ROOT / "crawler" / "output"
    assert "crawler.output.parquet" in imported(output / "files.py")
    for exporter in ("parquet.py", "feeds.py"):
        assert "crawler.output.files" not in imported(output / exporter)
