"""A worker's journaled JSONL output: each record appended, fsynced and committed with its claims in one script."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import time
from pathlib import Path

from scrapy.exceptions import DropItem

from crawler.distributed.keys import TOKEN, Keys, output_id
from crawler.distributed.scheduler import RedisOutputError, join
from crawler.distributed.scripts import COMMIT
from crawler.incremental.journal import _fsync_dir
from crawler.items import PLAIN_RECORDS

logger = logging.getLogger(__name__)


class NotWritten(DropItem):
    """A claimed record this worker could not write or commit: its page is not acked, so it is fetched again."""


class WorkerOutput:
    """A worker's JSONL file, journaled through Redis: a record is appended and fsynced, then ONE script makes its
    claims permanent and moves the file's committed size. Bytes past the committed size are not output: a
    worker's restart or a worker requeueing a dead one on the same host trims them."""

    def __init__(self, server, keys: Keys, path: str | os.PathLike) -> None:
        from scrapy.exporters import JsonLinesItemExporter

        self.server, self.keys = server, keys
        self.path = Path(path).resolve()
        self.id = output_id(self.path)
        self.buffer = io.BytesIO()
        self.exporter = JsonLinesItemExporter(self.buffer, encoding="utf-8")  # as FEEDS writes JSON lines
        self._commit = server.register_script(COMMIT)
        self.broken = False  # a commit whose outcome is unknown: write nothing more
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            lock(self.fd, str(self.path))
            self.committed = self._open()
        except BaseException:
            os.close(self.fd)
            raise

    @property
    def fd(self) -> int:
        """The output file's descriptor (open until close())."""
        assert self._fd is not None, f"{self.path}: output already closed"
        return self._fd

    def _open(self) -> int:
        """Join the crawl with this output: a new output starts empty (-o overwrites), a known one is trimmed."""
        committed = join(self.server, self.keys, self.id)
        size = os.fstat(self.fd).st_size
        if committed is None:
            committed = 0
        elif size < committed:
            raise short_output(self.path, size, committed)
        elif size > committed:
            logger.warning("%s: %d uncommitted bytes of a killed worker trimmed", self.path, size - committed)
        else:
            logger.info("%s: going on after the %d bytes committed to this crawl", self.path, committed)
        os.ftruncate(self.fd, committed)
        os.fsync(self.fd)
        _fsync_dir(self.path.parent)  # a new file's name survives a crash too
        return committed

    def encode(self, item) -> bytes:
        if type(item) in PLAIN_RECORDS:  # the exporter's line without its field-by-field copy
            return (self.exporter.encoder.encode(item) + "\n").encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        self.exporter.export_item(item)
        return self.buffer.getvalue()

    def write(self, item, keys: list[str], after_write=None) -> int:
        """Append the record and commit it with its claimed keys: 1 done, -1 session over (line cut), -2 the
        committed size in Redis is not this file's (nothing touched; the worker must stop)."""
        if self.broken:
            return -2
        line = self.encode(item)
        if os.fstat(self.fd).st_size != self.committed:
            os.ftruncate(self.fd, self.committed)
        try:
            view, offset = memoryview(line), self.committed
            while view:
                written = os.pwrite(self.fd, view, offset)
                view, offset = view[written:], offset + written
            os.fsync(self.fd)
        except BaseException:
            os.ftruncate(self.fd, self.committed)  # nothing of a failed write stays in the file
            raise
        if after_write is not None:  # CLEANWIRE_REDIS_HOOK's "after_write" point (tests)
            after_write()
        size = self.committed + len(line)
        try:
            done = int(
                self._commit(
                    keys=[self.keys.claims(), self.keys.session(), self.keys.committed],
                    args=[TOKEN, self.id, self.committed, size, *keys],
                )
            )
        except BaseException:
            self.broken = True  # committed or not, only Redis knows: the file is cut to its size when we stop
            raise
        if done == 1:
            self.committed = size
        elif done == -1:
            os.ftruncate(self.fd, self.committed)  # the session was over before the commit: not output
        else:
            self.broken = True
        return done

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # drops the flock
            self._fd = None


def short_output(path: Path, size: int, committed: int) -> RedisOutputError:
    return RedisOutputError(f"the file has {size} bytes, fewer than the {committed} committed to this crawl", str(path))


def check_committed(server, keys: Keys, path: str | os.PathLike) -> None:
    """Raise now, while Scrapy builds the crawl, if the output is shorter than its committed size in Redis.

    WorkerOutput checks it again when the spider opens, but an error raised there comes after Scrapy began
    opening the spider and before its stats started: Scrapy then also logs a CoreStats traceback."""
    path = Path(path).resolve()
    committed = server.hget(keys.committed, output_id(path))
    size = path.stat().st_size if path.exists() else 0
    if committed is not None and size < int(committed):
        raise short_output(path, size, int(committed))


def lock(fd: int, path: str, attempts: int = 20) -> None:
    """Take the output's flock; held by another live process (after a short wait for a trimming worker): error."""
    for _attempt in range(attempts):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            time.sleep(0.1)
    raise RedisOutputError("another process is writing this output", path)
