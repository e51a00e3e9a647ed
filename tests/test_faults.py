"""Faults during a crawl: an extraction worker killed, the output disk full, the state database locked or corrupt."""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT
from crawler.pipelines import KILL_WORKER_MARK, KILL_WORKER_ON
from crawler.state import StateStore
from crawler.testsite import FixtureSite

TEMPLATE = "{out}/{{site}}/{{run_started:%Y%m%d-%H%M%S}}.jsonl"
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CLEANWIRE_SUMMARY": False, "LOG_LEVEL": "INFO",
        "CLEANWIRE_TEMPLATE_HOLD_SECONDS": 1, "CONCURRENT_REQUESTS_PER_DOMAIN": 16}
VICTIM = "/2025/01/08/tram-extension-consultation-opens/"      # the article whose worker is killed


def crawl(site: FixtureSite, tmp_path: Path, *args: str, env: dict | None = None, **settings) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "crawler", "crawl", site.url("/"), *args]
    for name, value in {**FAST, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def stats(stderr: str) -> dict[str, int]:
    dump = stderr.split("Dumping Scrapy stats:", 1)[-1]
    return {k: int(v) for k, v in re.findall(r"'([^']+)': (\d+),?\n", dump)}


def paths(lines: list[str]) -> list[str]:
    return sorted(urlsplit(json.loads(line)["url"]).path for line in lines)


# ------------------------------------------------------------ kill -9 of an extraction worker

def test_a_worker_killed_mid_page_is_replaced_and_every_article_emitted_once(tmp_path):
    out, mark = tmp_path / "out.jsonl", tmp_path / "killed"
    with FixtureSite() as site:
        result = crawl(site, tmp_path, "-o", str(out), "--workers", "2",
                       env={KILL_WORKER_ON: VICTIM, KILL_WORKER_MARK: str(mark)})
        expected = sorted(a["path"] for a in site.manifest["articles"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert mark.exists()                                     # the hook did kill a worker
    assert paths(out.read_text("utf-8").splitlines()) == expected      # the victim too, each exactly once
    found = stats(result.stderr)
    assert found["cleanwire/extract/pool_restarts"] == 1
    assert 1 <= found["cleanwire/extract/retries"] <= 4      # the victim and the pages in flight beside it
    assert "cleanwire/errors/worker_died" not in found and "cleanwire/errors/bad_input" not in found


def test_a_page_that_kills_its_worker_every_time_is_dropped_alone(tmp_path):
    out = tmp_path / "out.jsonl"
    with FixtureSite() as site:
        result = crawl(site, tmp_path, "-o", str(out), "--workers", "2", env={KILL_WORKER_ON: VICTIM})
        expected = sorted(a["path"] for a in site.manifest["articles"] if a["path"] != VICTIM)
    assert result.returncode == 0, result.stderr[-3000:]
    assert paths(out.read_text("utf-8").splitlines()) == expected      # its neighbours in the pool are not lost
    found = stats(result.stderr)
    assert found["cleanwire/errors/worker_died"] == 1
    assert found["cleanwire/extract/pool_restarts"] == 1
    assert re.search(rf"Dropped: {re.escape(site.url(VICTIM))}: extraction worker died on this page", result.stderr)
