"""The run lock: a second run on the same state is refused by name; a SIGKILLed holder's lock is taken over."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from crawler.incremental.state import RunLock, RunLockedError, StateStore

from conftest import ROOT

HOLDER = r"""
import sys, time
from crawler.incremental.state import RunLock
lock = RunLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(30)
"""


@pytest.fixture
def holder(tmp_path):
    """A child process holding the run lock of tmp_path/state.db."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "state.db")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "held", child.stderr.read()
    yield child
    if child.poll() is None:
        child.kill()
    child.wait(5)


@pytest.mark.e2e
def test_a_second_run_is_refused_with_the_holders_pid_and_start_time(tmp_path, holder):
    with StateStore(tmp_path / "state.db") as state:
        started = state.lock_holder()["started"]
    with pytest.raises(RunLockedError) as error:
        RunLock(tmp_path / "state.db").acquire()
    message = str(error.value)
    assert f"PID {holder.pid}" in message and f"started {started}" in message
    assert message.startswith(str(tmp_path / "state.db"))
    with pytest.raises(RunLockedError, match=f"PID {holder.pid}"):
        RunLock(tmp_path / "state.db").assert_free()  # the check a crawl makes before starting


@pytest.mark.e2e
def test_assert_free_takes_nothing(tmp_path, holder):
    holder.send_signal(signal.SIGKILL)
    holder.wait(5)
    RunLock(tmp_path / "state.db").assert_free()
    RunLock(tmp_path / "nothing-yet.db").assert_free()
    assert not (tmp_path / "nothing-yet.db.lock").exists()
    with StateStore(tmp_path / "state.db") as state:
        assert state.lock_holder()["pid"] == holder.pid  # the stale row is left for the next run


@pytest.mark.e2e
def test_the_lock_of_a_sigkilled_holder_is_taken_over(tmp_path, holder):
    holder.send_signal(signal.SIGKILL)
    holder.wait(5)
    with StateStore(tmp_path / "state.db") as state:
        assert state.lock_holder()["pid"] == holder.pid  # the row outlives the killed holder
    with RunLock(tmp_path / "state.db") as lock:
        assert (lock.stale["pid"], lock.stale["alive"]) == (holder.pid, False)
        with StateStore(tmp_path / "state.db") as state:
            assert state.lock_holder()["pid"] != holder.pid
    with StateStore(tmp_path / "state.db") as state:
        assert state.lock_holder() is None  # released cleanly: no row left


def test_one_process_cannot_take_its_own_lock_twice_and_can_after_release(tmp_path):
    first = RunLock(tmp_path / "state.db").acquire()
    with pytest.raises(RunLockedError, match="PID"):
        RunLock(tmp_path / "state.db").acquire()
    first.release()
    with RunLock(tmp_path / "state.db") as again:
        assert again.stale is None
