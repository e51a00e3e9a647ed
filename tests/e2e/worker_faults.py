"""Test double for CLEANWIRE_EXTRACT_HOOK: an extraction worker SIGKILLs itself on a chosen page (test_faults.py)."""

from __future__ import annotations

import os
import signal

KILL_ON = "CLEANWIRE_TEST_KILL_WORKER_ON"  # a URL substring: the worker handed that page kills itself
KILL_MARK = "CLEANWIRE_TEST_KILL_WORKER_MARK"  # optional file: only the worker that creates it does (once a crawl)
HOOK = "worker_faults.kill_on_victim"  # the setting's value (this directory on PYTHONPATH)


def kill_on_victim(url: str) -> None:
    needle = os.environ.get(KILL_ON)
    if not needle or needle not in url:
        return
    mark = os.environ.get(KILL_MARK)
    if mark:
        try:
            os.close(os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return  # killed once already
    os.kill(os.getpid(), signal.SIGKILL)
