"""The SQLite state: migrations, emit decisions, conditional validators, template blocks, named errors."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from crawler.incremental.state import (
    MIGRATIONS,
    SCHEMA_VERSION,
    EmittedEntry,
    StateBusyError,
    StateCorruptError,
    StateMigrationError,
    StateStore,
    StateVersionError,
    lastmod_moved,
)

URL = "https://news.example/world/story?b=2&a=1#comments"


@pytest.fixture
def state(tmp_path):
    with StateStore(tmp_path / "state.db") as store:
        yield store


def emit(state: StateStore, url: str, digest: str, revision: int, run_id: int | None = None) -> None:
    run_id = run_id or state.start_run(["news.example"], "out.jsonl")
    state.record_emitted(run_id, "out.jsonl", [EmittedEntry(url, digest, revision, 0, 10)], 10)


def test_a_new_database_is_migrated_to_the_current_version_in_wal_mode(tmp_path):
    with StateStore(tmp_path / "s.db") as state:
        assert state.version == SCHEMA_VERSION == len(MIGRATIONS)
        assert state.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in state.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"urls", "runs", "outputs", "emitted", "template_blocks", "template_pages", "run_lock"} <= tables


def test_migrations_apply_in_order_and_keep_the_data(tmp_path):
    path = tmp_path / "s.db"
    with StateStore(path) as state:
        state.note_seen("https://news.example/a")
    later = MIGRATIONS + (("ALTER TABLE urls ADD COLUMN note TEXT", "UPDATE urls SET note = 'kept'"),)
    with StateStore(path, migrations=later) as state:
        assert state.version == len(MIGRATIONS) + 1
        rows = [tuple(row) for row in state.db.execute("SELECT url, note FROM urls")]
        assert rows == [("https://news.example/a", "kept")]
    with StateStore(path, migrations=later) as state:  # nothing re-applied on the next open
        assert state.db.execute("SELECT count(*) FROM urls").fetchone()[0] == 1


def test_a_failed_migration_leaves_the_previous_version(tmp_path):
    path = tmp_path / "s.db"
    StateStore(path).close()
    broken = MIGRATIONS + (("ALTER TABLE urls ADD COLUMN note TEXT", "ALTER TABLE nowhere ADD COLUMN x"),)
    with pytest.raises(StateMigrationError, match=f"migration to schema version {SCHEMA_VERSION + 1} failed"):
        StateStore(path, migrations=broken)
    with StateStore(path) as state:
        assert state.version == len(MIGRATIONS)
        assert "note" not in {row[1] for row in state.db.execute("PRAGMA table_info(urls)")}


def test_a_database_from_a_newer_cleanwire_is_refused_by_name(tmp_path):
    path = tmp_path / "s.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StateVersionError, match=f"schema version {SCHEMA_VERSION + 1} is newer"):
        StateStore(path)


def test_a_corrupt_file_is_refused_by_name_and_left_alone(tmp_path):
    path = tmp_path / "s.db"
    garbage = b"this is not sqlite at all\n" * 200
    path.write_bytes(garbage)
    with pytest.raises(StateCorruptError, match="not a usable cleanwire state database") as error:
        StateStore(path)
    assert str(path) in str(error.value)
    assert path.read_bytes() == garbage  # never a silent fresh start


def test_a_database_locked_by_another_writer_gives_a_named_error(tmp_path):
    path = tmp_path / "s.db"
    StateStore(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with StateStore(path, timeout=0.1) as state, pytest.raises(StateBusyError, match="locked"):
            state.start_run(["a"], None)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_decide_emit_new_same_changed(state):
    assert list(state.decide_emit(URL, "sha256:aa")) == [True, 1, None]
    emit(state, URL, "sha256:aa", 1)
    assert list(state.decide_emit(URL, "sha256:aa")) == [False, 1, None]
    assert list(state.decide_emit("https://news.example/world/story?a=1&b=2", "sha256:aa")) == [False, 1, None]
    assert list(state.decide_emit(URL, "sha256:bb")) == [True, 2, "sha256:aa"]
    emit(state, URL, "sha256:bb", 2)
    assert list(state.decide_emit(URL, "sha256:bb")) == [False, 2, None]
    known = state.known(URL)
    assert (known.url, known.site, known.content_hash, known.revision) == (
        "https://news.example/world/story?a=1&b=2",
        "news.example",
        "sha256:bb",
        2,
    )


def test_validators_and_lastmod_count_only_once_the_outcome_is_committed(state):
    state.record_fetch(URL, 200, '"v1"', "Tue, 24 Nov 2026 10:00:00 GMT", lastmod="2026-11-24")
    assert state.validators(URL) == (None, None)  # a crash now must not cause a 304 later
    assert state.should_fetch(URL, "2026-11-24") is True
    emit(state, URL, "sha256:aa", 1)
    assert state.validators(URL) == ('"v1"', "Tue, 24 Nov 2026 10:00:00 GMT")
    assert state.should_fetch(URL, "2026-11-24") is False
    assert state.should_fetch(URL, "2026-11-24T00:00:00+00:00") is False
    assert state.should_fetch(URL, "2026-11-25T08:00:00Z") is True  # lastmod moved
    assert state.should_fetch(URL) is False
    state.record_fetch(URL, 200, None, None)  # a refetch without validators
    state.commit_fetch(URL)  # unchanged: nothing to write
    assert state.validators(URL) == (None, None)
    assert state.known(URL).lastmod == "2026-11-24"


def test_recheck_days_refetches_old_articles(state):
    emit(state, URL, "sha256:aa", 1)
    assert state.should_fetch(URL, recheck_days=1) is False
    old = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="seconds")
    state.db.execute("UPDATE urls SET checked = ?", (old,))
    assert state.should_fetch(URL, recheck_days=2) is True
    assert state.should_fetch(URL, recheck_days=4) is False
    assert state.should_fetch("https://news.example/never-seen") is True


def test_pending_lists_urls_seen_but_never_settled(state):
    state.note_seen("https://news.example/a")
    state.note_seen("https://news.example/b")
    state.note_seen("https://other.example/c")
    state.record_fetch("https://news.example/b", 200)
    assert state.pending("news.example") == ["https://news.example/a", "https://news.example/b"]
    state.commit_fetch("https://news.example/b")
    assert state.pending() == ["https://news.example/a", "https://other.example/c"]


def test_lastmod_moved_compares_dates_not_strings():
    assert lastmod_moved(None, "2026-01-01") is True
    assert lastmod_moved("2026-01-02", None) is False
    assert lastmod_moved("2026-01-02T00:00:00Z", "2026-01-02") is False
    assert lastmod_moved("2026-01-02T10:00:00+02:00", "2026-01-02T09:00:00+01:00") is False
    assert lastmod_moved("2026-01-02", "2026-01-01") is False
    assert lastmod_moved("yesterday", "today") is True


@pytest.mark.e2e
def test_template_blocks_count_distinct_articles(state):
    for n in range(3):
        state.observe_blocks(
            "news.example",
            f"https://news.example/{n}",
            {"promo": "Subscribe to our newsletter", f"body{n}": f"Body {n}"},
        )
    state.observe_blocks("news.example", "https://news.example/0", ["promo", "footer"])  # same article: not again
    state.observe_blocks("news.example", "https://news.example/3", ["footer"])
    state.observe_blocks("other.example", "https://other.example/1", ["promo"])
    assert state.template_blocks("news.example") == {"promo"}
    assert state.template_blocks("news.example", min_articles=1) == {"promo", "body0", "body1", "body2", "footer"}
    assert state.template_blocks("other.example") == set()
    assert state.template_samples("news.example") == [("promo", 3, "Subscribe to our newsletter")]


def test_runs_record_start_finish_and_counts(state):
    first = state.start_run(["b.example", "a.example", "a.example"], "out/{site}.jsonl", pid=4242)
    state.finish_run(first, "finished", {"emitted": 3, "errors": 1})
    second = state.start_run(["a.example"], None)
    assert [run["id"] for run in state.unfinished_runs()] == [second]
    run = state.run(first)
    assert (run["sites"], run["status"], run["counts"], run["pid"]) == (
        ["a.example", "b.example"],
        "finished",
        {"emitted": 3, "errors": 1},
        4242,
    )
    assert run["ended"] >= run["started"]
    assert [r["id"] for r in state.runs()] == [second, first]


def test_runs_and_status_commands_show_runs_totals_and_the_lock(tmp_path, capsys):
    from crawler.cli.main import main
    from crawler.incremental.state import RunLock

    path = tmp_path / "state.db"
    with RunLock(path), StateStore(path) as state:
        first = state.start_run(["news.example"], "out.jsonl")
        emit(state, "https://news.example/a", "sha256:aa", 1, first)
        emit(state, "https://news.example/b", "sha256:bb", 2, first)
        state.note_seen("https://news.example/c")
        state.finish_run(first, "finished", {"emitted": 2, "new": 1, "revised": 1, "errors": 3})
        state.start_run(["news.example"], "out.jsonl")
        assert main(["runs", "--state", str(path)]) == 0
        table = capsys.readouterr().out.splitlines()
        assert table[1].split()[:2] == ["2", "running"]
        assert main(["status", "--state", str(path), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
    assert table[2].split()[:2] == ["1", "finished"]
    assert table[2].split()[4:9] == ["2", "1", "1", "0", "3"]
    assert [(s["site"], s["urls"], s["articles"], s["revised"], s["pending"]) for s in report["sites"]] == [
        ("news.example", 3, 2, 1, 1)
    ]
    last = report["last_run"]
    assert (last["id"], last["status"], report["lock"]["pid"]) == (2, "running", os.getpid())
    assert main(["runs", "--state", str(path)]) == 0  # the lock is gone, the run never finished
    assert capsys.readouterr().out.splitlines()[1].split()[:2] == ["2", "killed?"]


def test_runs_on_a_missing_state_fails_with_a_message(tmp_path, capsys):
    from crawler.cli.main import main

    assert main(["runs", "--state", str(tmp_path / "none.db")]) == 2
    message = f"cleanwire runs: {tmp_path / 'none.db'}: no state database here (give --state PATH)\n"
    assert capsys.readouterr().err == message
    assert not (tmp_path / "none.db").exists()


def test_an_article_whose_source_text_is_unchanged_is_not_emitted_again_after_template_learning(state):
    run_id = state.start_run(["news.example"], None)
    state.record_emitted(
        run_id, "out.jsonl", [EmittedEntry(URL, "sha256:with-promo", 1, 0, 10, "sha256:with-promo")], 10
    )
    assert list(state.decide_emit(URL, "sha256:promo-removed", "sha256:with-promo")) == [False, 1, None]
    assert list(state.decide_emit(URL, "sha256:promo-removed", "sha256:edited")) == [True, 2, "sha256:with-promo"]
    assert state.known(URL).source_hash == "sha256:with-promo"


def test_a_version_1_database_migrates_to_the_source_hash_column(tmp_path):
    from crawler.incremental.state import state_key

    path = tmp_path / "old.db"
    with StateStore(path, migrations=MIGRATIONS[:1]) as old:
        run_id = old.start_run(["news.example"], None)
        old.db.execute(
            "INSERT INTO urls (url, site, first_seen, last_seen, content_hash, revision) "
            "VALUES (?, 'news.example', 'x', 'x', 'sha256:aa', 1)",
            (state_key(URL),),
        )
    with StateStore(path) as state:
        assert (state.version, state.known(URL).content_hash, state.known(URL).source_hash) == (2, "sha256:aa", None)
        assert list(state.decide_emit(URL, "sha256:aa")) == [False, 1, None]
        assert state.run(run_id)["status"] == "running"


def test_a_url_robots_refused_is_not_pending_and_asked_again_after_the_recheck_period(state):
    from crawler.incremental.state import REFUSED_RECHECK_DAYS

    state.note_seen(URL, "news.example")
    assert state.pending() == [state.known(URL).url]
    state.note_refused(URL)
    assert state.pending() == []
    assert not state.should_fetch(URL) and not state.should_fetch(URL, recheck_days=30)
    assert state.should_fetch(URL, recheck_days=0)
    [site] = state.site_totals()
    assert (site["pending"], site["refused"], site["articles"]) == (0, 1, 0)
    old = (datetime.now(UTC) - timedelta(days=REFUSED_RECHECK_DAYS + 1)).isoformat(timespec="seconds")
    state.db.execute("UPDATE urls SET checked = ?", (old,))
    state.db.commit()
    assert state.should_fetch(URL)


def test_a_killed_run_counts_its_committed_records_as_new_or_revised(tmp_path):
    from crawler.incremental.journal import reconcile
    from crawler.incremental.state import RunLock

    path = tmp_path / "state.db"
    with RunLock(path), StateStore(path) as state:
        emit(state, "https://news.example/old", "sha256:a", 1, run_id=state.start_run(["news.example"], "o.jsonl"))
        state.finish_run(1, "finished", {"emitted": 1, "new": 1})
        out = tmp_path / "out.jsonl"
        out.write_bytes(b"x" * 20)
        killed = state.start_run(["news.example"], str(out))
        state.record_emitted(
            killed,
            str(out),
            [
                EmittedEntry("https://news.example/new", "sha256:b", 1, 0, 10),
                EmittedEntry("https://news.example/old", "sha256:c", 2, 10, 10),
            ],
            20,
        )
        reconcile(state)
        counts = state.run(killed)["counts"]
    assert (counts["emitted"], counts["new"], counts["revised"]) == (2, 1, 1)


HOLDER = (
    "import sys, time\nfrom crawler.incremental.state import RunLock\nRunLock(sys.argv[1]).acquire()\n"
    "print('held', flush=True)\ntime.sleep(60)\n"
)


@pytest.mark.e2e
def test_taking_over_a_dead_runs_lock_is_said_on_stderr(tmp_path):
    import signal
    import subprocess

    from conftest import CLEANWIRE, ROOT

    path = tmp_path / "state.db"
    holder = subprocess.Popen([*CLEANWIRE[:1], "-c", HOLDER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    with StateStore(path) as state:
        started = state.lock_holder()["started"]
    out = subprocess.run(
        [
            *CLEANWIRE,
            "crawl",
            "http://127.0.0.1:1/",
            "--state",
            str(path),
            "-o",
            str(tmp_path / "{site}" / "{run_id}.jsonl"),
            "-s",
            "RETRY_TIMES=0",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert (
        f"cleanwire: state {path}: took over the run lock of PID {holder.pid} (started {started}), which is gone"
        in out.stderr.splitlines()
    )
    assert out.returncode == 1 and "no site answered" in out.stderr.splitlines()[-1]
