"""`cleanwire crawl SITE --state state.db -o out.jsonl`: every run appends its new records to one plain file, once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_journal import kill_crawl_after

from crawler.demo.server import FixtureSite
from crawler.incremental.state import StateStore

from conftest import ROOT

FAST = {
    "CLEANWIRE_JOURNAL_BATCH": 4,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CLEANWIRE_SUMMARY": False,
    "CLEANWIRE_TEMPLATE_HOLD_SECONDS": 1,
}


def command(site_url: str, tmp_path: Path) -> list[str]:
    args = [sys.executable, "-m", "crawler", "crawl", site_url, "--workers", "1"]
    args += ["--state", str(tmp_path / "state.db"), "-o", str(tmp_path / "out.jsonl")]
    for name, value in FAST.items():
        args += ["-s", f"{name}={value}"]
    return args


def crawl(site_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(command(site_url, tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True) if path.exists() else []


def records(path: Path) -> list[dict]:
    return [json.loads(raw) for raw in lines(path)]  # a torn line would not parse


def assert_state_points_at_the_lines(tmp_path: Path) -> None:
    """The state's emitted rows are exactly the file's lines: offset, length and content hash."""
    out, offset, expected = tmp_path / "out.jsonl", 0, []
    for raw in lines(out):
        expected.append((str(out), offset, len(raw), json.loads(raw)["content_hash"]))
        offset += len(raw)
    with StateStore(tmp_path / "state.db") as state:
        rows = [(r["path"], r["offset"], r["length"], r["content_hash"]) for r in state.emitted()]
        assert rows == expected
        assert state.committed_length(str(out)) == offset


def test_two_runs_append_only_their_new_records_to_one_file(tmp_path):
    out = tmp_path / "out.jsonl"
    with FixtureSite() as site:
        articles = sorted(site.url(path) for path in site.article_paths())
        first = crawl(site.url("/"), tmp_path)
        size = out.stat().st_size
        assert sorted(r["url"] for r in records(out)) == articles  # every article, once
        assert f"cleanwire crawl: {len(articles)} records written to {out}\n" in first.stderr
        added = sorted(site.url(path) for path in site.add_articles(3))
        revised = site.url("/2025/01/08/tram-extension-consultation-opens/")
        site.update_article("/2025/01/08/tram-extension-consultation-opens/")
        second = crawl(site.url("/"), tmp_path)
    assert f"cleanwire crawl: 4 records written to {out}\n" in second.stderr
    later = [(r["url"], r["revision"]) for r in records(out)[len(articles) :]]
    assert sorted(later) == sorted([(url, 1) for url in added] + [(revised, 2)])
    summary = json.loads((tmp_path / "out.summary.json").read_text("utf-8"))
    assert (summary["run_id"], summary["status"]) == (2, "finished")
    assert summary["outputs"] == [{"path": str(out), "records": 4, "start": size, "end": out.stat().st_size}]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".jsonl", ".json")) == [
        "out.jsonl",
        "out.summary.json",
    ]
    assert_state_points_at_the_lines(tmp_path)


def test_a_crawl_killed_mid_write_then_rerun_leaves_every_article_exactly_once_in_the_file(tmp_path):
    out = tmp_path / "out.jsonl"
    with FixtureSite() as site:
        articles = sorted(site.url(path) for path in site.article_paths())
        with open(tmp_path / "crawl.log", "ab") as log:
            for count in (1, 20):  # early, then mid-run: the second run appends after what the first committed
                child = subprocess.Popen(
                    command(site.url("/"), tmp_path),
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    start_new_session=True,
                )
                kill_crawl_after(child, out, count)
        crawl(site.url("/"), tmp_path)
    assert all(raw.endswith(b"\n") for raw in lines(out))  # a torn tail was trimmed
    urls = [r["url"] for r in records(out)]
    assert len(urls) == len(articles) == 51
    assert sorted(urls) == articles  # each article exactly once, none lost
    assert_state_points_at_the_lines(tmp_path)
    with StateStore(tmp_path / "state.db") as state:
        assert [run["status"] for run in state.runs()] == ["finished", "killed", "killed"]


def test_a_file_something_else_wrote_is_refused_before_anything_is_fetched(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"url": "https://elsewhere.example/1"}\n')
    with FixtureSite() as site:
        result = subprocess.run(command(site.url("/"), tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=60)
        requested = list(site.requests)
    assert result.returncode == 2
    assert result.stderr == (
        f"cleanwire crawl: {out}: output file holds 39 bytes that no run of this state wrote (an incremental crawl "
        "appends only to a file its state wrote: move it aside or give -o another file)\n"
    )
    assert requested == []
    assert out.read_text() == '{"url": "https://elsewhere.example/1"}\n'
