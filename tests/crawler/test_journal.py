"""Crash-safe output: SIGKILL a writer at several points, rerun, and check exactly-once over the union of files."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from cleaners.template import block_hash
from crawler.incremental.journal import (
    JournaledWriter,
    JournalError,
    append_offset,
    output_path,
    reconcile,
    sanitise_site,
    summary_path,
)
from crawler.incremental.state import RunLock, StateStore

from conftest import ROOT

N = 40
TEMPLATE = "{out}/{{site}}/{{run_started:%Y%m%d-%H%M%S}}.jsonl"
PLAIN = "{out}/all.jsonl"  # one plain file every run appends to

# A run of the incremental loop the crawl uses: lock, reconcile, should_fetch, record_fetch, decide, write.
# Hooks slow the two dangerous moments so the test can kill inside them: writing a batch (the bytes go out
# 200 at a time; "partial" follows the first 200, a torn line) and the gap between fsync and the state
# commit. Markers on stdout say where the child is.
CHILD = r"""
import json, sys, time
from datetime import datetime, timezone
import crawler.incremental.journal as journal
from crawler.incremental.pipeline import block_hash
from crawler.incremental.state import RunLock, StateStore

state_path, template, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def say(*words):
    print(*words, flush=True)

real_write, real_commit = journal._write_all, StateStore.record_emitted
def slow_write(fd, data):
    for start in range(0, len(data), 200):
        real_write(fd, data[start:start + 200])
        if start == 0:
            say("partial")
        time.sleep(0.002)
def slow_commit(self, *args):
    say("committing")
    time.sleep(0.05)
    real_commit(self, *args)
    say("committed")
journal._write_all, StateStore.record_emitted = slow_write, slow_commit

lock = RunLock(state_path).acquire()
state = StateStore(state_path)
say("repairs", json.dumps(journal.reconcile(state)))
run_id = state.start_run(["news.example"], template)
path = journal.output_path(template, "news.example", datetime.now(timezone.utc), run_id)
writer = journal.JournaledWriter(state, run_id, path, batch_size=4, append=not journal.is_template(template))
say("ready")
for i in range(n):
    url = f"https://news.example/story/{i}"
    if not state.should_fetch(url):
        continue
    state.record_fetch(url, 200, f'"etag-{i}"', None)
    digest = f"sha256:{i:064x}"
    decision = writer.decide(url, digest)
    if decision.emit:
        writer.write({"url": url, "content_hash": digest, "revision": decision.revision,
                      "previous_hash": decision.previous_hash, "text": f"story {i} " * 60})
    time.sleep(0.005)
writer.close()
state.finish_run(run_id, "finished", {"emitted": writer.records})
lock.release()
say("done", writer.records)
"""


def start_child(state_path: Path, template: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(state_path), template, str(N)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_until(child: subprocess.Popen, marker: str, count: int) -> list[str]:
    """Read the child's markers until `marker` has appeared `count` times, then SIGKILL it."""
    seen, lines = 0, []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        assert line, f"child ended before {marker} x{count}: {lines} {child.stderr.read()}"
        lines.append(line.strip())
        seen += line.strip() == marker
        if seen == count:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(5)
    assert child.returncode == -signal.SIGKILL
    return lines


def output_lines(out: Path) -> list[tuple[Path, int, bytes]]:
    """Every line of every output file under `out` (or of the file `out`): (file, byte offset, raw bytes)."""
    lines = []
    for path in [out] if out.is_file() else sorted(out.rglob("*.jsonl")):
        offset = 0
        for raw in path.read_bytes().splitlines(keepends=True):
            lines.append((path, offset, raw))
            offset += len(raw)
    return lines


@pytest.mark.e2e
@pytest.mark.parametrize("output", [TEMPLATE, PLAIN], ids=["template", "plain"])
def test_sigkill_at_several_points_then_rerun_gives_every_record_exactly_once(tmp_path, output):
    state_path, out = tmp_path / "state.db", tmp_path / "out"
    template = output.format(out=out)
    torn_seen = 0
    # early (before any batch), mid-write (a torn line on disk), between fsync and commit, after commits
    for marker, count in (("ready", 1), ("partial", 2), ("committing", 1), ("committed", 3), ("partial", 1)):
        run_until(start_child(state_path, template), marker, count)
        torn_seen += any(not raw.endswith(b"\n") for _, _, raw in output_lines(out))
    finish = start_child(state_path, template)
    _stdout, stderr = finish.communicate(timeout=20)
    assert finish.returncode == 0, stderr
    assert torn_seen >= 1  # a kill did land inside a write

    lines = output_lines(out)
    records = [json.loads(raw) for _, _, raw in lines]  # no torn line: every line parses
    assert all(raw.endswith(b"\n") for _, _, raw in lines)
    if output == PLAIN:  # every run appended to the one file
        assert {path for path, _, _ in lines} == {out / "all.jsonl"}
    urls = sorted(record["url"] for record in records)
    assert urls == sorted(f"https://news.example/story/{i}" for i in range(N))  # exactly once over the union
    assert {record["revision"] for record in records} == {1}

    with StateStore(state_path) as state:
        emitted = {(Path(row["path"]), row["offset"]): row for row in state.emitted()}
        assert len(emitted) == len(lines) == N
        for path, offset, raw in lines:  # the state points at exactly these lines
            row = emitted[(path, offset)]
            assert row["length"] == len(raw) and row["content_hash"] == json.loads(raw)["content_hash"]
        runs = state.runs()
        assert [run["status"] for run in runs] == ["finished"] + ["killed"] * 5
        assert sum(run["counts"]["trimmed_bytes"] for run in runs[1:]) > 0
        assert sum(run["counts"].get("emitted", 0) for run in runs) == N
        assert all(
            state.known(url).content_hash == record["content_hash"] for url, record in ((r["url"], r) for r in records)
        )
        assert state.pending() == []


@pytest.mark.e2e
@pytest.mark.parametrize("output", [TEMPLATE, PLAIN], ids=["template", "plain"])
def test_a_rerun_after_a_complete_run_emits_nothing(tmp_path, output):
    state_path, out = tmp_path / "state.db", tmp_path / "out"
    template = output.format(out=out)
    for _ in range(2):
        child = start_child(state_path, template)
        stdout, stderr = child.communicate(timeout=20)
        assert child.returncode == 0, stderr
    assert stdout.splitlines()[-1] == "done 0"
    assert len(output_lines(out)) == N


def test_changed_content_is_written_again_as_the_next_revision(tmp_path):
    path = tmp_path / "out" / "a.jsonl"
    with RunLock(tmp_path / "s.db"), StateStore(tmp_path / "s.db") as state:
        run_id = state.start_run(["a.example"], str(path))
        writer = JournaledWriter(state, run_id, path, batch_size=10)
        for digest in ("sha256:1", "sha256:1", "sha256:2"):
            decision = writer.decide("https://a.example/x", digest)
            if decision.emit:
                writer.write(
                    {
                        "url": "https://a.example/x",
                        "content_hash": digest,
                        "revision": decision.revision,
                        "previous_hash": decision.previous_hash,
                    }
                )
        writer.close()
        assert list(state.decide_emit("https://a.example/x", "sha256:2")) == [False, 2, None]
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r["revision"], r["previous_hash"]) for r in records] == [(1, None), (2, "sha256:1")]


def test_a_failed_commit_leaves_nothing_of_its_batch_in_the_file(tmp_path):
    path = tmp_path / "a.jsonl"
    with RunLock(tmp_path / "s.db"), StateStore(tmp_path / "s.db") as state:
        run_id = state.start_run(["a.example"], str(path))
        writer = JournaledWriter(state, run_id, path, batch_size=1)
        writer.write({"url": "https://a.example/1", "content_hash": "sha256:1", "revision": 1})
        size = path.stat().st_size
        state.db.execute("DROP TABLE emitted")  # the next commit fails
        with pytest.raises(Exception):  # noqa: B017  (whatever the store raises: the line must not stay)
            writer.write({"url": "https://a.example/2", "content_hash": "sha256:2", "revision": 1})
        assert path.stat().st_size == size


def write_run(state_path: Path, path: Path, numbers: range, *, finish: bool = True) -> int:
    """One run appending records `numbers` to the plain file `path`; without `finish` it stays 'running' (killed)."""
    with RunLock(state_path), StateStore(state_path) as state:
        reconcile(state)
        run_id = state.start_run(["a.example"], str(path))
        writer = JournaledWriter(state, run_id, path, batch_size=2, append=True)
        for n in numbers:
            writer.write({"url": f"https://a.example/{n}", "content_hash": f"sha256:{n}", "revision": 1})
        writer.close()
        if finish:
            state.finish_run(run_id, "finished", {"emitted": writer.records})
        return writer.start


def urls(path: Path) -> list[str]:
    return [json.loads(line)["url"] for line in path.read_text().splitlines()]


def test_runs_append_to_one_plain_file_from_its_committed_length(tmp_path):
    state_path, path = tmp_path / "s.db", tmp_path / "out.jsonl"
    assert write_run(state_path, path, range(3)) == 0
    size = path.stat().st_size
    assert write_run(state_path, path, range(3, 5)) == size
    assert urls(path) == [f"https://a.example/{n}" for n in range(5)]
    with StateStore(state_path) as state:
        rows = state.emitted()
        assert [(row["run_id"], row["url"][-1], Path(row["path"])) for row in rows] == [
            (1, "0", path),
            (1, "1", path),
            (1, "2", path),
            (2, "3", path),
            (2, "4", path),
        ]
        raw = path.read_bytes()
        assert all(json.loads(raw[r["offset"] : r["offset"] + r["length"]])["url"] == r["url"] for r in rows)
        assert state.committed_length(str(path)) == len(raw)


def test_a_torn_last_line_of_a_killed_run_is_trimmed_and_the_next_run_appends_after_the_committed_lines(tmp_path):
    state_path, path = tmp_path / "s.db", tmp_path / "out.jsonl"
    write_run(state_path, path, range(2))
    write_run(state_path, path, range(2, 4), finish=False)  # killed after its batch committed
    committed = path.read_bytes()
    tail = b'{"url": "https://a.example/4", "content_hash": "sha256:4", "revision": 1}\n{"url": "https://a.ex'
    with open(path, "ab") as fh:  # its next batch: a whole line written, not committed, then a kill mid-line
        fh.write(tail)
    write_run(state_path, path, range(4, 6))
    assert path.read_bytes().startswith(committed)
    assert urls(path) == [f"https://a.example/{n}" for n in range(6)]  # every line whole, each record once
    with StateStore(state_path) as state:
        runs = {run["id"]: run for run in state.runs()}
        assert [runs[n]["status"] for n in (1, 2, 3)] == ["finished", "killed", "finished"]
        assert runs[2]["counts"]["trimmed_bytes"] == len(tail)
        assert state.committed_length(str(path)) == path.stat().st_size


def test_a_run_killed_before_its_first_batch_trims_a_plain_file_to_where_it_started(tmp_path):
    state_path, path = tmp_path / "s.db", tmp_path / "out.jsonl"
    write_run(state_path, path, range(2))
    size = path.stat().st_size
    with RunLock(state_path), StateStore(state_path) as state:  # a run that opened the file, then died
        run_id = state.start_run(["a.example"], str(path))
        writer = JournaledWriter(state, run_id, path, append=True)
        os.close(writer._fd)  # the kill: the kernel closes its descriptor and drops its flock
    with open(path, "ab") as fh:
        fh.write(b'{"url": "https://a.example/2", "con')
    write_run(state_path, path, range(2, 3))
    assert urls(path) == [f"https://a.example/{n}" for n in range(3)]
    assert path.read_bytes()[size:].startswith(b'{"url": "https://a.example/2", "content_hash"')


def test_a_plain_file_moved_aside_between_runs_starts_afresh(tmp_path):
    state_path, path = tmp_path / "s.db", tmp_path / "out.jsonl"
    write_run(state_path, path, range(2))
    path.rename(tmp_path / "consumed.jsonl")
    assert write_run(state_path, path, range(2, 3)) == 0
    assert urls(path) == ["https://a.example/2"]
    with StateStore(state_path) as state:  # the old offsets now point into another file: not read as the record
        assert state.last_record("https://a.example/0") is None
        assert state.last_record("https://a.example/2")["url"] == "https://a.example/2"


def test_a_plain_file_another_process_is_writing_is_refused(tmp_path):
    import fcntl

    state_path, path = tmp_path / "s.db", tmp_path / "out.jsonl"
    write_run(state_path, path, range(1))
    before = path.read_bytes()
    fd = os.open(path, os.O_RDONLY)  # the flock a writer of another state (or a --redis worker) holds
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with StateStore(state_path) as state, pytest.raises(JournalError) as refused:
            append_offset(state, path)
        assert str(refused.value) == f"{path}: another process is writing this output: give each state its own -o"
        with pytest.raises(JournalError, match="another process is writing this output"):
            write_run(state_path, path, range(1, 2))
    finally:
        os.close(fd)
    assert path.read_bytes() == before
    write_run(state_path, path, range(1, 2))
    assert urls(path) == ["https://a.example/0", "https://a.example/1"]


def test_a_plain_file_the_state_did_not_write_or_that_changed_is_refused(tmp_path):
    state_path, path = tmp_path / "s.db", tmp_path / "out.jsonl"
    path.write_text('{"url": "https://a.example/x"}\n')
    with StateStore(state_path) as state, pytest.raises(JournalError) as foreign:
        append_offset(state, path)
    assert str(foreign.value) == (
        f"{path}: output file holds 31 bytes that no run of this state wrote (an incremental crawl appends only to "
        "a file its state wrote: move it aside or give -o another file)"
    )
    with pytest.raises(JournalError, match="no run of this state wrote"):
        write_run(state_path, path, range(1))
    assert path.read_text() == '{"url": "https://a.example/x"}\n'  # untouched
    path.unlink()
    write_run(state_path, path, range(1))
    size = path.stat().st_size
    with open(path, "ab") as fh:
        fh.write(b'{"url": "https://a.example/y"}\n')  # appended by something else after the run
    with StateStore(state_path) as state, pytest.raises(JournalError) as changed:
        append_offset(state, path)
    assert str(changed.value) == (
        f"{path}: output file holds {size + 31} bytes, but this state committed {size} to it (it was changed by "
        "something else: move it aside or give -o another file)"
    )
    with StateStore(state_path) as state, pytest.raises(JournalError, match="not a regular file"):
        append_offset(state, tmp_path)


@pytest.mark.parametrize("output", ["-", "out.json", "out.parquet", "out.md", "out.txt"])
def test_a_state_crawl_refuses_a_plain_output_that_is_not_jsonl_naming_it_and_the_reason(tmp_path, capsys, output):
    from crawler.cli.main import main

    shown = "-" if output == "-" else str(tmp_path / output)
    assert main(["crawl", "http://127.0.0.1:9/", "--state", str(tmp_path / "s.db"), "-o", shown]) == 2
    assert capsys.readouterr().err == (
        f"cleanwire crawl: {shown}: an incremental crawl appends JSON lines to a file it can trim after a killed run "
        "(not stdout, JSON, Parquet or Markdown): give -o a .jsonl or .ndjson file, or a per-run template such as "
        "'out/{site}/{run_started:%Y%m%d-%H%M%S}.jsonl'\n"
    )
    assert sorted(tmp_path.iterdir()) == []  # no state, no output


def test_a_state_crawl_refuses_a_format_other_than_jsonl(tmp_path, capsys):
    from crawler.cli.main import main

    args = ["crawl", "http://127.0.0.1:9/", "--state", str(tmp_path / "s.db"), "-o", str(tmp_path / "out.jsonl")]
    assert main([*args, "--format", "markdown"]) == 2
    assert capsys.readouterr().err == (
        "cleanwire crawl: --format markdown: an incremental crawl writes JSONL records, not markdown\n"
    )
    assert sorted(tmp_path.iterdir()) == []


def test_reconcile_refuses_without_the_run_lock(tmp_path):
    with StateStore(tmp_path / "s.db") as state, pytest.raises(JournalError, match="run lock"):
        reconcile(state)


def test_site_names_cannot_escape_the_output_directory(tmp_path):
    started = datetime(2026, 11, 25, 14, 30, 5)
    template = str(tmp_path / "out" / "{site}" / "{run_started:%Y%m%d-%H%M%S}.jsonl")
    assert sanitise_site("../../etc") == "_.._etc"
    assert sanitise_site("..") == "_"
    assert sanitise_site("127.0.0.1:8080") == "127.0.0.1_8080"
    path = output_path(template, "../../etc", started)
    assert path == tmp_path / "out" / "_.._etc" / "20261125-143005.jsonl"
    with pytest.raises(JournalError, match="outside"):
        output_path(str(tmp_path / "out" / "x" / "..{site}" / ".." / ".." / "f.jsonl"), "a", started)


def test_output_paths_never_reuse_an_existing_file(tmp_path):
    started = datetime(2026, 11, 25, 14, 30, 5)
    template = str(tmp_path / "{site}" / "{run_started:%Y%m%d-%H%M%S}.jsonl")
    first = output_path(template, "a.example", started)
    first.parent.mkdir()
    first.write_text("")
    second = output_path(template, "a.example", started)
    assert second.name == "20261125-143005-1.jsonl"
    assert summary_path(second).name == "20261125-143005-1.summary.json"
    os.remove(first)


def pipeline_for(tmp_path, **settings):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.incremental.pipeline import StatePipeline

    crawler = get_crawler(
        Spider,
        {
            "CLEANWIRE_STATE": str(tmp_path / "state.db"),
            "CLEANWIRE_JOURNAL_BATCH": 2,
            "CLEANWIRE_OUTPUT_TEMPLATE": str(tmp_path / "out" / "{site}" / "{run_id}.jsonl"),
            "CLEANWIRE_TEMPLATE_HOLD": 0,
            "CLEANWIRE_TEMPLATE_MIN_ARTICLES": 10,  # counted only
            **settings,
        },
    )
    crawler.spider = Spider("site", start_urls=["https://news.example/"])
    return StatePipeline.from_crawler(crawler)


def article(n: int, text: str) -> dict:
    return {
        "url": f"https://news.example/{n}",
        "content_hash": f"sha256:{text}",
        "revision": None,
        "previous_hash": None,
        "blocks": [{"type": "paragraph", "text": text}, {"type": "paragraph", "text": "Follow us"}],
    }


def crawl_with(pipeline, items: list[dict], reason: str = "finished") -> list[dict]:
    from scrapy.exceptions import DropItem

    pipeline.open_spider()
    kept = []
    for item in items:
        try:
            kept.append(asyncio.run(pipeline.process_item(item)))
        except DropItem:
            pass
    pipeline.close_spider()
    pipeline.stats.set_value("downloader/response_count", len(items))  # a run that reached its site
    pipeline.spider_closed(pipeline.crawler.spider, reason)
    return kept


@pytest.mark.e2e
def test_state_pipeline_emits_new_and_changed_articles_once_per_revision(tmp_path):
    first = crawl_with(pipeline_for(tmp_path), [article(1, "one"), article(2, "two"), article(3, "three")])
    assert [(r["url"][-1], r["revision"]) for r in first] == [("1", 1), ("2", 1), ("3", 1)]
    second = pipeline_for(tmp_path)
    kept = crawl_with(second, [article(1, "one"), article(2, "two, edited"), article(4, "four")], reason="shutdown")
    assert [(r["url"][-1], r["revision"], r["previous_hash"]) for r in kept] == [("2", 2, "sha256:two"), ("4", 1, None)]
    lines = [
        json.loads(line)
        for path in sorted((tmp_path / "out" / "news.example").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    assert [(r["url"][-1], r["revision"]) for r in lines] == [("1", 1), ("2", 1), ("3", 1), ("2", 2), ("4", 1)]
    summary = json.loads((tmp_path / "out" / "news.example" / "2.summary.json").read_text())
    assert (summary["status"], summary["exit_status"], summary["sites"]) == ("interrupted", 130, ["news.example"])
    assert {k: summary["counts"][k] for k in ("emitted", "new", "revised", "unchanged")} == {
        "emitted": 2,
        "new": 1,
        "revised": 1,
        "unchanged": 1,
    }
    assert summary["outputs"] == [{"path": str(tmp_path / "out" / "news.example" / "2.jsonl"), "records": 2}]
    with StateStore(tmp_path / "state.db") as state:
        assert [(r["id"], r["status"], r["counts"]["emitted"]) for r in state.runs()] == [
            (2, "interrupted", 2),
            (1, "finished", 3),
        ]
        assert state.template_samples("news.example") == [(block_hash("Follow us"), 4, "Follow us")]
        assert state.lock_holder() is None
    crawl_with(pipeline_for(tmp_path), [article(1, "one")])  # nothing new: a summary, no empty file
    assert not (tmp_path / "out" / "news.example" / "3.jsonl").exists()
    summary = json.loads((tmp_path / "out" / "news.example" / "3.summary.json").read_text())
    assert (summary["status"], summary["counts"]["emitted"], summary["counts"]["unchanged"]) == ("finished", 0, 1)


@pytest.mark.e2e
def test_state_pipeline_appends_every_site_of_every_run_to_one_plain_file(tmp_path):
    from scrapy import Spider

    out = tmp_path / "out.jsonl"

    def two_sites():
        pipeline = pipeline_for(tmp_path, CLEANWIRE_OUTPUT_TEMPLATE=str(out))
        pipeline.crawler.spider = Spider("site", start_urls=["https://news.example/", "https://blog.example/"])
        return pipeline

    def lines() -> list[tuple[str, int]]:
        return [(r["url"], r["revision"]) for r in map(json.loads, out.read_text().splitlines())]

    def summary() -> dict:
        return json.loads((tmp_path / "out.summary.json").read_text())

    blog = {**article(9, "nine"), "url": "https://blog.example/9"}
    crawl_with(two_sites(), [article(1, "one"), blog, article(2, "two")])
    size = out.stat().st_size
    assert lines() == [("https://news.example/1", 1), ("https://blog.example/9", 1), ("https://news.example/2", 1)]
    assert summary()["outputs"] == [{"path": str(out), "records": 3, "start": 0, "end": size}]
    assert summary()["sites"] == ["blog.example", "news.example"]

    kept = crawl_with(two_sites(), [article(1, "one"), article(2, "two, edited"), blog, article(3, "three")])
    assert [(r["url"], r["revision"]) for r in kept] == [("https://news.example/2", 2), ("https://news.example/3", 1)]
    assert lines()[3:] == [("https://news.example/2", 2), ("https://news.example/3", 1)]  # appended, only the new
    end = out.stat().st_size
    assert summary()["outputs"] == [{"path": str(out), "records": 2, "start": size, "end": end}]

    crawl_with(two_sites(), [article(3, "three")])  # nothing new: the file stays, the summary says so
    assert out.stat().st_size == end
    assert (summary()["run_id"], summary()["outputs"]) == (
        3,
        [{"path": str(out), "records": 0, "start": end, "end": end}],
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "out.summary.json", "state.db", "state.db.lock"]
    with StateStore(tmp_path / "state.db") as state:
        assert [(o["run_id"], o["records"], o["committed"]) for o in state.outputs()] == [(1, 3, size), (2, 2, end)]


@pytest.mark.e2e
def test_a_run_stopped_by_a_failed_batch_counts_only_the_committed_records(tmp_path, monkeypatch):
    import errno

    import crawler.incremental.journal as journal

    crawl_with(pipeline_for(tmp_path), [article(1, "one")])
    writes = []

    def write_all(fd, data):  # the second batch of the run meets a full disk
        writes.append(len(data))
        if len(writes) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        os.write(fd, data)

    monkeypatch.setattr(journal, "_write_all", write_all)
    second = pipeline_for(tmp_path)
    second.crawler.engine = type("Engine", (), {"close_spider": lambda self, spider, reason: None})()
    kept = crawl_with(
        second,
        [article(1, "one, edited"), article(2, "two"), article(3, "three"), article(4, "four"), article(5, "five")],
        reason="output_failed",
    )
    assert [r["url"][-1] for r in kept] == ["1", "2", "3"]  # 3 went out to the pipeline, its batch failed
    lines = (tmp_path / "out" / "news.example" / "2.jsonl").read_text().splitlines()
    assert [json.loads(line)["url"][-1] for line in lines] == ["1", "2"]
    summary = json.loads((tmp_path / "out" / "news.example" / "2.summary.json").read_text())
    counts = {k: summary["counts"][k] for k in ("emitted", "new", "revised")}
    assert (summary["status"], counts) == ("failed", {"emitted": 2, "new": 1, "revised": 1})
    assert summary["outputs"] == [{"path": str(tmp_path / "out" / "news.example" / "2.jsonl"), "records": 2}]
    assert second.stats.get_value("cleanwire/state/emitted") == 2
    with StateStore(tmp_path / "state.db") as state:
        assert {k: state.runs()[0]["counts"][k] for k in counts} == counts
        assert len([row for row in state.emitted() if row["run_id"] == 2]) == 2


@pytest.mark.e2e
def test_state_pipeline_is_off_without_a_template(tmp_path):
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        pipeline_for(tmp_path, CLEANWIRE_OUTPUT_TEMPLATE="")


@pytest.mark.e2e
def test_a_second_pipeline_on_the_same_state_is_refused(tmp_path):
    from crawler.incremental.state import RunLockedError

    first = pipeline_for(tmp_path)
    first.open_spider()
    with pytest.raises(RunLockedError, match=f"PID {os.getpid()}"):
        pipeline_for(tmp_path).open_spider()
    first.close_spider()
    first.spider_closed(first.crawler.spider, "finished")


def start_crawl(site_url: str, tmp_path: Path, *flags: str) -> subprocess.Popen:
    """`cleanwire crawl --state ... -o TEMPLATE` of the fixture site, in its own process group (workers included)."""
    settings = {
        "CLEANWIRE_JOURNAL_BATCH": 4,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CLEANWIRE_SUMMARY": False,
    }
    command = [
        sys.executable,
        "-m",
        "crawler",
        "crawl",
        site_url,
        "--workers",
        "1",
        *flags,
        "--state",
        str(tmp_path / "state.db"),
        "-o",
        TEMPLATE.format(out=tmp_path / "out"),
    ]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    with open(tmp_path / "crawl.log", "ab") as log:
        return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)


def crawl_log(tmp_path: Path) -> str:
    return (tmp_path / "crawl.log").read_text("utf-8", "replace")[-3000:]


def kill_crawl_after(child: subprocess.Popen, out: Path, lines: int) -> None:
    """SIGKILL the crawl and its worker processes once the output files hold `lines` more lines."""
    target, deadline = len(output_lines(out)) + lines, time.monotonic() + 60
    while len(output_lines(out)) < target and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert child.poll() is None, f"the crawl ended before {lines} lines"
    os.killpg(child.pid, signal.SIGKILL)
    child.wait(5)


@pytest.mark.e2e
def test_a_crawl_killed_twice_then_rerun_emits_every_article_once_and_later_only_what_is_new(tmp_path):
    from crawler.demo.server import FixtureSite

    out = tmp_path / "out"
    with FixtureSite() as site:
        articles = {site.url(path) for path in site.article_paths()}
        for lines in (1, 20):  # early, then mid-run
            kill_crawl_after(start_crawl(site.url("/"), tmp_path), out, lines)
        final = start_crawl(site.url("/"), tmp_path)
        assert final.wait(60) == 0, crawl_log(tmp_path)
        records = [json.loads(raw) for _, _, raw in output_lines(out)]
        emitted = sorted(record["url"] for record in records)
        assert len(emitted) == len(set(emitted))  # exactly once over the union of the files
        assert set(emitted) <= articles and len(emitted) >= 40
        added = {site.url(path) for path in site.add_articles(10)}
        revised = sorted(articles & set(emitted))[0]
        site.update_article(revised.removeprefix(site.origin))
        again = start_crawl(site.url("/"), tmp_path)
        assert again.wait(60) == 0, crawl_log(tmp_path)
    records = [json.loads(raw) for _, _, raw in output_lines(out)]
    later = records[len(emitted) :]
    assert sorted((r["url"], r["revision"]) for r in later) == sorted([(u, 1) for u in added] + [(revised, 2)])
    with StateStore(tmp_path / "state.db") as state:
        assert [run["status"] for run in state.runs()] == ["finished", "finished", "killed", "killed"]
        assert len(state.emitted()) == len(records)
