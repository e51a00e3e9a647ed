"""Test double for CLEANWIRE_REDIS_HOOK: a worker SIGKILLs itself inside the commit window (test_distributed.py)."""

from __future__ import annotations

import os
import signal

HOOK = "redis_faults.KillAt"  # the setting's value (this directory on PYTHONPATH)
POINTS = ("after_claim", "after_write")


class KillAt:
    """SIGKILL at the Nth record: `-s CLEANWIRE_TEST_REDIS_KILL_AT=after_claim:N` (claimed, not written) or
    `after_write:N` (written and fsynced, not committed); the worker's extraction processes die with it."""

    def __init__(self, settings) -> None:
        point, _, count = settings.get("CLEANWIRE_TEST_REDIS_KILL_AT", "").partition(":")
        if point not in POINTS:
            raise ValueError(f"CLEANWIRE_TEST_REDIS_KILL_AT must be one of {', '.join(POINTS)} with ':N'")
        self.point, self.count = point, int(count or 1)

    def __call__(self, point: str, records: int) -> None:
        if point == self.point and records == self.count:
            if os.getpgrp() == os.getpid():
                os.killpg(os.getpid(), signal.SIGKILL)
            os.kill(os.getpid(), signal.SIGKILL)
