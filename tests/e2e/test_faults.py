"""Faults during a crawl: an extraction worker killed, the output disk full, the state database locked or corrupt."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from worker_faults import HOOK, KILL_MARK, KILL_ON

from crawler.demo.server import FixtureSite
from crawler.incremental.state import StateStore

from conftest import ROOT

TEMPLATE = "{out}/{{site}}/{{run_started:%Y%m%d-%H%M%S}}.jsonl"
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CLEANWIRE_SUMMARY": False,
    "LOG_LEVEL": "INFO",
    "CLEANWIRE_TEMPLATE_HOLD_SECONDS": 1,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}
VICTIM = "/2025/01/08/tram-extension-consultation-opens/"  # the article whose worker is killed


def crawl(
    site: FixtureSite, tmp_path: Path, *args: str, env: dict | None = None, **settings
) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "crawler", "crawl", site.url("/"), *args]
    for name, value in {**FAST, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


def stats(stderr: str) -> dict[str, int]:
    dump = stderr.split("Dumping Scrapy stats:", 1)[-1]
    return {k: int(v) for k, v in re.findall(r"'([^']+)': (\d+),?\n", dump)}


def paths(lines: list[str]) -> list[str]:
    return sorted(urlsplit(json.loads(line)["url"]).path for line in lines)


# ------------------------------------------------------------ kill -9 of an extraction worker


def victim_env(mark: Path | None = None) -> dict[str, str]:
    """The environment of a crawl whose extraction worker SIGKILLs itself on VICTIM (tests/e2e/worker_faults.py,
    plugged in with CLEANWIRE_EXTRACT_HOOK); with `mark`, only once."""
    path = os.pathsep.join(p for p in (str(Path(__file__).parent), os.environ.get("PYTHONPATH")) if p)
    return {"PYTHONPATH": path, KILL_ON: VICTIM, **({KILL_MARK: str(mark)} if mark else {})}


def test_a_worker_killed_mid_page_is_replaced_and_every_article_emitted_once(tmp_path):
    out, mark = tmp_path / "out.jsonl", tmp_path / "killed"
    with FixtureSite() as site:
        result = crawl(
            site, tmp_path, "-o", str(out), "--workers", "2", env=victim_env(mark), CLEANWIRE_EXTRACT_HOOK=HOOK
        )
        expected = sorted(a["path"] for a in site.manifest["articles"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert mark.exists()  # the hook did kill a worker
    assert paths(out.read_text("utf-8").splitlines()) == expected  # the victim too, each exactly once
    found = stats(result.stderr)
    assert found["cleanwire/extract/pool_restarts"] == 1
    assert 1 <= found["cleanwire/extract/retries"] <= 4  # the victim and the pages in flight beside it
    assert "cleanwire/errors/worker_died" not in found and "cleanwire/errors/bad_input" not in found


def test_a_page_that_kills_its_worker_every_time_is_dropped_alone(tmp_path):
    out = tmp_path / "out.jsonl"
    with FixtureSite() as site:
        result = crawl(site, tmp_path, "-o", str(out), "--workers", "2", env=victim_env(), CLEANWIRE_EXTRACT_HOOK=HOOK)
        expected = sorted(a["path"] for a in site.manifest["articles"] if a["path"] != VICTIM)
    assert result.returncode == 0, result.stderr[-3000:]
    assert paths(out.read_text("utf-8").splitlines()) == expected  # its neighbours in the pool are not lost
    found = stats(result.stderr)
    assert found["cleanwire/errors/worker_died"] == 1
    assert found["cleanwire/extract/pool_restarts"] == 1
    assert re.search(rf"Dropped: {re.escape(site.url(VICTIM))}: extraction worker died on this page", result.stderr)


# ------------------------------------------------------------ disk full mid-run


@contextmanager
def tmpfs(path: Path, size: str):
    """A small tmpfs at `path` (needs root and mount(8)); unmounted on exit."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs to fill: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def state_crawl(site: FixtureSite, tmp_path: Path) -> subprocess.CompletedProcess:
    return crawl(
        site,
        tmp_path,
        "--workers",
        "1",
        "--state",
        str(tmp_path / "state.db"),
        "-o",
        TEMPLATE.format(out=tmp_path / "out"),
        CLEANWIRE_JOURNAL_BATCH=4,
    )


def output_lines(out: Path) -> list[tuple[str, int, bytes]]:
    lines = []
    for path in sorted(out.rglob("*.jsonl")):
        offset = 0
        for raw in path.read_bytes().splitlines(keepends=True):
            lines.append((str(path), offset, raw))
            offset += len(raw)
    return lines


def assert_state_matches(state_path: Path, lines: list[tuple[str, int, bytes]]) -> None:
    """Every output line parses and the state's emitted rows point at exactly those lines."""
    with StateStore(state_path) as state:
        rows = {(row["path"], row["offset"]): row for row in state.emitted()}
    assert len(rows) == len(lines)
    for path, offset, raw in lines:
        assert raw.endswith(b"\n")
        row = rows[(path, offset)]
        assert row["length"] == len(raw) and row["content_hash"] == json.loads(raw)["content_hash"]


def test_disk_full_mid_run_stops_the_run_and_the_next_run_completes_it(tmp_path):
    out = tmp_path / "out"
    with FixtureSite() as site, tmpfs(out, "96k"):
        full = state_crawl(site, tmp_path)
        first = output_lines(out)
        assert_state_matches(tmp_path / "state.db", first)  # what the failed run left agrees with the state
        summaries = [json.loads(p.read_text("utf-8")) for p in out.rglob("*.summary.json")]
        with StateStore(tmp_path / "state.db") as state:
            failed = state.runs()[0]["counts"]
            committed = (len(state.emitted()), sum(row["revision"] == 1 for row in state.emitted()))
        subprocess.run(["mount", "-o", "remount,size=8m", str(out)], check=True)
        again = state_crawl(site, tmp_path)
        lines = output_lines(out)
        expected = sorted(a["path"] for a in site.manifest["articles"])
    assert full.returncode == 1, full.stderr[-3000:]
    last = full.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"cleanwire crawl: output not written to {re.escape(str(out))}/127\.0\.0\.1_\d+/[\d-]+\.jsonl: "
        r"No space left on device \(the next run writes what is missing\)",
        last,
    ), last
    assert "Traceback" not in full.stderr
    assert 0 < len(first) < len(lines) and "'finish_reason': 'output_failed'" in full.stderr  # stopped mid-run
    # the run counts what its committed batches wrote, not the records of the batch the full disk trimmed
    assert (failed["emitted"], failed["new"], failed["revised"]) == (len(first), len(first), 0) == (*committed, 0)
    assert stats(full.stderr).get("cleanwire/state/emitted") == len(first)
    assert all(s["counts"]["emitted"] == len(first) for s in summaries)  # if the full disk took a summary at all
    assert again.returncode == 0, again.stderr[-3000:]
    assert paths([raw.decode() for _, _, raw in lines]) == expected  # every article exactly once, over both runs
    assert_state_matches(tmp_path / "state.db", lines)
    with StateStore(tmp_path / "state.db") as state:
        assert [run["status"] for run in state.runs()] == ["finished", "failed"]  # newest first


# ------------------------------------------------------------ state database locked or corrupt


def test_a_corrupt_state_is_one_line_and_nothing_is_fetched_or_replaced(tmp_path):
    state = tmp_path / "state.db"
    garbage = bytes(range(256)) * 64
    state.write_bytes(garbage)
    with FixtureSite() as site:
        result = state_crawl(site, tmp_path)
        requested = list(site.requests)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"cleanwire crawl: {state}: not a usable cleanwire state database "
        "(file is not a database); move it aside to start afresh"
    )
    assert requested == [] and state.read_bytes() == garbage and not (tmp_path / "out").exists()


def test_a_locked_state_is_one_line_and_never_a_fresh_start(tmp_path):
    state = tmp_path / "state.db"
    with FixtureSite() as site:
        first = state_crawl(site, tmp_path)
        assert first.returncode == 0, first.stderr[-3000:]
        emitted = output_lines(tmp_path / "out")
        before = len(site.requests)
        holder = sqlite3.connect(state, isolation_level=None)  # another process in a write transaction
        holder.execute("BEGIN IMMEDIATE")
        try:
            locked = state_crawl(site, tmp_path)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        requested = len(site.requests) - before
        again = state_crawl(site, tmp_path)
    assert locked.returncode == 2
    assert (
        locked.stderr.strip() == f"cleanwire crawl: {state}: database is locked by another process (database is locked)"
    )
    assert requested == 0
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(emitted) == len(site.manifest["articles"]) and output_lines(tmp_path / "out") == emitted  # once each
    with StateStore(state) as store:
        assert [run["status"] for run in store.runs()] == ["finished", "finished"]
