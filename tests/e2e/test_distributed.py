"""Two `cleanwire crawl --redis` workers share the fixture site; one is killed mid-way; every article comes out once."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
from redis_faults import HOOK

from crawler.demo.server import FixtureSite

from conftest import CLEANWIRE, ROOT, free_port

WIRE, COPY = "/2025/04/02/wire-story-port-tariffs/", "/2025/04/03/port-tariffs-wire-copy/"  # near-duplicates
WORKER = [
    "-s",
    "DOWNLOAD_DELAY=0.05",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS=4",
    "-s",
    "CLEANWIRE_WORKERS=1",
    "-s",
    "CLEANWIRE_REDIS_HEARTBEAT=1",
    "-s",
    "LOG_LEVEL=WARNING",
]


@pytest.fixture
def fault_hooks(monkeypatch):
    """Workers started now find tests/e2e/redis_faults.py (CLEANWIRE_REDIS_HOOK's test double)."""
    here = os.path.dirname(os.path.abspath(__file__))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p))


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()] if path.exists() else []


def wait_for_records(path, count: int, timeout: float = 60) -> int:
    """Wait until the file holds `count` complete lines (a line being written is not counted); how many it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = path.read_bytes().count(b"\n") if path.exists() else 0
        if found >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached {count} records")


def start_workers(site, redis_url, tmp_path, extra=((), ())) -> tuple[list, list, list]:
    """Two workers (w0, w1) on the fixture site, each in its own process group; w1 starts once w0 has written a
    record (so w0 has work when it is killed). (processes, outputs, logs)"""
    outs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    logs = [(tmp_path / f"w{i}.log").open("w") for i in range(2)]
    workers = []
    for i, (out, log, more) in enumerate(zip(outs, logs, extra)):
        if i:
            wait_for_records(outs[0], 1)
        workers.append(
            subprocess.Popen(
                [
                    *CLEANWIRE,
                    "crawl",
                    site.origin + "/",
                    "--redis",
                    redis_url,
                    "-o",
                    str(out),
                    "-s",
                    f"CLEANWIRE_REDIS_WORKER=w{i}",
                    *WORKER,
                    *more,
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        )
    return workers, outs, logs


def finish(workers, logs, timeout: float = 180) -> None:
    try:
        for worker in workers:
            worker.wait(timeout=timeout)
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        for log in logs:
            log.close()


def paths_of(*outputs) -> Counter:
    return Counter(urlsplit(r["url"]).path for out in outputs for r in records(out))


def assert_exactly_once(paths: Counter, expected: list[str]) -> None:
    assert [p for p, n in paths.items() if n > 1] == []
    assert sorted(paths) == expected  # nothing lost with the killed worker


def assert_taken_back(tmp_path, redis_url) -> None:
    import redis

    stderr = (tmp_path / "w1.log").read_text("utf-8")
    requeued = re.search(r"worker w0 stopped: (\d+) unfinished requests queued again", stderr)
    assert requeued and int(requeued.group(1)) >= 1, stderr[-3000:]  # the killed worker's work was taken back
    assert redis.Redis.from_url(redis_url).keys("cleanwire:*") == []  # the finished crawl cleared its keys


def test_two_workers_one_killed_emit_every_article_once(redis_url, tmp_path):
    with FixtureSite() as site:
        workers, outs, logs = start_workers(site, redis_url, tmp_path)
        try:
            killed_at = wait_for_records(outs[0], 5)
            os.killpg(workers[0].pid, signal.SIGKILL)  # the worker and its extraction processes
        finally:
            finish(workers, logs)
        expected = sorted(a["path"] for a in site.manifest["articles"])
    assert workers[1].returncode == 0, (tmp_path / "w1.log").read_text("utf-8")[-3000:]
    assert_exactly_once(paths_of(*outs), expected)
    assert len(records(outs[0])) >= killed_at - 1  # a line written but not committed at the kill is trimmed
    assert_taken_back(tmp_path, redis_url)
    # one near-duplicate index for both workers (in Redis): whichever of the pair came second points at the other
    marked = {
        urlsplit(r["url"]).path: r["duplicate_of"] for r in records(outs[0]) + records(outs[1]) if r["duplicate_of"]
    }
    assert marked in ({COPY: site.origin + WIRE}, {WIRE: site.origin + COPY})


@pytest.mark.parametrize("point", ["after_write", "after_claim"])
def test_a_worker_killed_between_write_and_commit_emits_nothing_twice(redis_url, tmp_path, point, fault_hooks):
    """w0 SIGKILLs itself on its 3rd record: after the line is written and fsynced but before the script that
    commits it (the line must be trimmed), or after the claim and before the write (the claim must be released)."""
    with FixtureSite() as site:
        workers, outs, logs = start_workers(
            site,
            redis_url,
            tmp_path,
            [["-s", f"CLEANWIRE_REDIS_HOOK={HOOK}", "-s", f"CLEANWIRE_TEST_REDIS_KILL_AT={point}:3"], []],
        )
        try:
            workers[0].wait(timeout=180)
            at_kill = records(outs[0])
        finally:
            finish(workers, logs)
        expected = sorted(a["path"] for a in site.manifest["articles"])
    assert workers[0].returncode == -signal.SIGKILL
    assert workers[1].returncode == 0, (tmp_path / "w1.log").read_text("utf-8")[-3000:]
    assert len(at_kill) == (3 if point == "after_write" else 2)  # the kill came inside the window
    assert records(outs[0]) == at_kill[:2]  # the uncommitted 3rd line is gone, the committed two stay
    assert_exactly_once(paths_of(*outs), expected)
    if point == "after_write":
        assert "uncommitted bytes trimmed from its output" in (tmp_path / "w1.log").read_text("utf-8")
    assert_taken_back(tmp_path, redis_url)


def test_a_restarted_worker_trims_its_own_output_and_goes_on(redis_url, tmp_path, fault_hooks):
    """One worker killed inside the window; started again with the same output while the crawl is unfinished, it
    trims its uncommitted line, keeps its committed records and finishes the crawl: every article once."""
    out, log = tmp_path / "a.jsonl", (tmp_path / "w0.log").open("w")
    command = ["crawl", "--redis", redis_url, "-o", str(out), *WORKER]
    with FixtureSite() as site:
        first = subprocess.run(
            [
                *CLEANWIRE,
                *command[:1],
                site.origin + "/",
                *command[1:],
                "-s",
                f"CLEANWIRE_REDIS_HOOK={HOOK}",
                "-s",
                "CLEANWIRE_TEST_REDIS_KILL_AT=after_write:3",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
            timeout=180,
        )
        at_kill = records(out)
        second = subprocess.run(
            [*CLEANWIRE, *command[:1], site.origin + "/", *command[1:]],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
            timeout=180,
        )
        expected = sorted(a["path"] for a in site.manifest["articles"])
    log.close()
    stderr = (tmp_path / "w0.log").read_text("utf-8")
    assert first.returncode == -signal.SIGKILL and second.returncode == 0, stderr[-3000:]
    assert len(at_kill) == 3
    assert records(out)[:2] == at_kill[:2]
    # trimmed by whichever comes first: the restarted worker opening its output, or its requeue of the killed
    # worker (found dead by its expired heartbeat) cutting that worker's output back to its committed size
    assert "uncommitted bytes of a killed worker trimmed" in stderr or re.search(
        r"worker \S+ stopped: \d+ uncommitted bytes trimmed from its output " + re.escape(str(out)), stderr
    ), stderr[-3000:]
    assert_exactly_once(paths_of(out), expected)


def test_a_worker_stopping_early_gives_its_requests_back(redis_url, tmp_path):
    """w0 stops cleanly after 20 responses; both drop near-duplicates, found across workers through Redis."""
    near = ["--drop-near-duplicates"]
    with FixtureSite() as site:
        workers, outs, logs = start_workers(site, redis_url, tmp_path, [["--max-pages", "20", *near], near])
        finish(workers, logs)
        expected = sorted(a["path"] for a in site.manifest["articles"])
    logged = (tmp_path / "w0.log").read_text() + (tmp_path / "w1.log").read_text()
    assert [w.returncode for w in workers] == [0, 0], logged
    paths = paths_of(*outs)
    kept = [p for p in (WIRE, COPY) if p in paths]
    assert len(kept) == 1  # the other of the pair was dropped, by whichever worker had it
    assert_exactly_once(paths, sorted(set(expected) - ({WIRE, COPY} - set(kept))))
    assert 0 < len(records(outs[0])) < len(expected)


def test_redis_settings_move_queue_and_dupefilter(redis_url):
    from crawler.distributed.scheduler import redis_settings

    got = redis_settings(redis_url)
    assert got["SCHEDULER"] == "crawler.distributed.scheduler.ReliableScheduler"
    assert got["SCHEDULER_QUEUE_CLASS"] == "crawler.distributed.scheduler.ReliableQueue"
    assert got["REDIS_URL"] == got["CLEANWIRE_REDIS"] == redis_url
    assert got["SCHEDULER_PERSIST"] is True


def test_unreachable_redis_is_one_line_error():
    url = f"redis://127.0.0.1:{free_port()}/0"
    result = subprocess.run(
        [*CLEANWIRE, "crawl", "http://127.0.0.1:9/", "--redis", url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("cleanwire crawl: redis://127.0.0.1:") and "cannot reach Redis" in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "output",
    [
        [],
        ["-o", "out.parquet"],
        ["-o", "out.json"],
        ["-o", "o/{site}/{run_started:%Y%m%d}.jsonl", "--state", "s.db"],
        ["-o", "out/{site}/{run_started:%Y%m%d}.jsonl"],
    ],
)
def test_redis_needs_a_jsonl_file_per_worker(redis_url, tmp_path, output):
    """Only a JSONL file can be trimmed back to what a killed worker committed: anything else is one-line error."""
    result = subprocess.run(
        [*CLEANWIRE, "crawl", "http://127.0.0.1:9/", "--redis", redis_url, *output],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("cleanwire crawl: ") and "-o FILE.jsonl" in result.stderr
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # refused before any file was written


def test_an_output_shorter_than_its_committed_size_is_one_line_and_no_traceback(redis_url, tmp_path):
    """Found while the crawl is built, not as the spider opens (then Scrapy also printed a CoreStats traceback)."""
    import redis

    from crawler.distributed.keys import output_id

    out = tmp_path / "a.jsonl"
    out.write_text('{"url": "https://news.example/a/"}\n', "utf-8")
    redis.Redis.from_url(redis_url).hset("cleanwire:site:committed", output_id(out), 1000)
    result = subprocess.run(
        [*CLEANWIRE, "crawl", "http://127.0.0.1:9/", "--redis", redis_url, "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (
        2,
        f"cleanwire crawl: {out}: the file has 35 bytes, fewer than the 1000 committed to this crawl\n",
    )
    assert out.read_text("utf-8") == '{"url": "https://news.example/a/"}\n'  # left as it was


def journal(redis_url, path, worker: str):
    """A worker's claim script and journaled output, without a crawl."""
    import redis
    from scrapy.settings import Settings

    from crawler.distributed.keys import Keys
    from crawler.distributed.output import WorkerOutput
    from crawler.distributed.scripts import CLAIM

    keys = Keys(Settings({"CLEANWIRE_REDIS_WORKER": worker}), "site")
    server = redis.Redis.from_url(redis_url)
    return server, keys, server.register_script(CLAIM), WorkerOutput(server, keys, path)


def test_commit_is_refused_once_the_worker_was_declared_dead(redis_url, tmp_path):
    """A worker that missed its heartbeats is requeued by another while it is still writing: its claims are
    released and its session ended, so its commit fails, the uncommitted line is cut and nothing more is claimed."""
    from scrapy.settings import Settings

    from crawler.distributed.keys import TOKEN, Keys
    from crawler.distributed.scheduler import requeue

    out = tmp_path / "a.jsonl"
    server, keys, claim, output = journal(redis_url, out, "w0")
    assert output.committed == 0
    assert claim(keys=[keys.emitted, keys.claims(), keys.session()], args=[TOKEN, "url:a", "hash:1"]) == 1
    assert output.write({"url": "a"}, ["url:a", "hash:1"]) == 1
    assert claim(keys=[keys.emitted, keys.claims(), keys.session()], args=[TOKEN, "url:b", "hash:2"]) == 1
    line = output.encode({"url": "b"})
    os.pwrite(output.fd, line, output.committed)  # w0 wrote its second record, then stalled
    assert out.read_bytes().count(b"\n") == 2
    w1 = Keys(Settings({"CLEANWIRE_REDIS_WORKER": "w1"}), "site")
    requeue(server, w1, "w0")  # w1 takes w0's work back: w0 holds the file's flock, so no trim
    assert out.read_bytes().count(b"\n") == 2 and not server.sismember(keys.emitted, "url:b")
    assert output.write({"url": "b"}, ["url:b", "hash:2"]) == -1  # the commit after the stall is refused
    assert records(out) == [{"url": "a"}]  # and its line is cut
    assert claim(keys=[keys.emitted, keys.claims(), keys.session()], args=[TOKEN, "url:c", "hash:3"]) == -1
    assert int(server.hget(keys.committed, output.id)) == out.stat().st_size
    output.close()


def test_a_dead_workers_file_is_trimmed_here_only_when_nobody_writes_it(redis_url, tmp_path):
    from crawler.distributed.keys import TOKEN, output_id
    from crawler.distributed.scheduler import trim_dead_output

    out = tmp_path / "a.jsonl"
    server, keys, claim, output = journal(redis_url, out, "w0")
    assert claim(keys=[keys.emitted, keys.claims(), keys.session()], args=[TOKEN, "url:a", "hash:1"]) == 1
    assert output.write({"url": "a"}, ["url:a", "hash:1"]) == 1
    committed = out.stat().st_size
    with out.open("ab") as fh:
        fh.write(b'{"url": "uncommitted"}\n')
    assert trim_dead_output(server, keys, "w0", output.id, committed) == 0  # w0's flock: still written
    output.close()  # w0 is gone
    assert trim_dead_output(server, keys, "w0", output.id, committed) == len(b'{"url": "uncommitted"}\n')
    assert records(out) == [{"url": "a"}]
    elsewhere = "another-host:" + str(out)
    assert trim_dead_output(server, keys, "w0", elsewhere, 0) == 0 and records(out) == [{"url": "a"}]
    assert output_id(out).endswith(":" + str(out))
    again = journal(redis_url, out, "w0")[3]  # the same output in the same crawl: goes on after it
    assert again.committed == committed
    again.close()


def test_a_commit_with_an_unknown_outcome_leaves_the_file_to_redis(redis_url, tmp_path):
    """Redis fails during the commit script (it may or may not have run): the worker writes nothing more and
    leaves its file alone; whoever takes its work back cuts the file to the size Redis holds."""
    import redis
    from scrapy.settings import Settings

    from crawler.distributed.keys import TOKEN, Keys
    from crawler.distributed.scheduler import requeue

    out = tmp_path / "a.jsonl"
    server, keys, claim, output = journal(redis_url, out, "w0")
    assert claim(keys=[keys.emitted, keys.claims(), keys.session()], args=[TOKEN, "url:a", "hash:1"]) == 1
    commit = output._commit

    def lost_reply(**kwargs):
        commit(**kwargs)  # the script ran, its reply never came
        raise redis.ConnectionError("reply lost")

    output._commit = lost_reply
    with pytest.raises(redis.ConnectionError):
        output.write({"url": "a"}, ["url:a", "hash:1"])
    assert output.broken and records(out) == [{"url": "a"}]
    assert output.write({"url": "b"}, ["url:b", "hash:2"]) == -2 and records(out) == [{"url": "a"}]
    output.close()
    requeue(server, Keys(Settings({"CLEANWIRE_REDIS_WORKER": "w1"}), "site"), "w0")
    assert records(out) == [{"url": "a"}]  # committed in Redis: kept
    assert server.sismember(keys.emitted, "url:a") and not server.exists(keys.claims())


def test_two_workers_cannot_share_one_output(redis_url, tmp_path):
    out = tmp_path / "a.jsonl"
    _server, _keys, _claim, output = journal(redis_url, out, "w0")
    result = subprocess.run(
        [*CLEANWIRE, "crawl", "http://127.0.0.1:9/", "--redis", redis_url, "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    output.close()
    assert result.returncode == 2 and result.stderr == (
        f"cleanwire crawl: {out}: another process is writing this output: give each worker its own -o\n"
    )
