"""Crash-safe JSONL output: fsynced batches whose offsets commit to the state; a restart trims the uncommitted tail.

The output is a per-run template (one new file per run and site) or one plain file every run appends to."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import stat
import time
from datetime import datetime
from pathlib import Path

from crawler.incremental.state import EmitDecision, EmittedEntry, StateError, StateStore, state_key
from crawler.settings import CLEANWIRE_JOURNAL_BATCH

logger = logging.getLogger(__name__)

BATCH_SIZE = CLEANWIRE_JOURNAL_BATCH  # records per fsync + state commit (the setting's default)
FLUSH_INTERVAL = 5.0  # seconds a record may wait in the batch before it is written anyway
UNSAFE_SITE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
WRITING_ELSEWHERE = "another process is writing this output: give each state its own -o"


class JournalError(StateError):
    """An output file and the state disagree in a way that cannot be repaired automatically."""


def sanitise_site(site: str) -> str:
    """A site name safe as one path component: no separators, no leading dots ('../../etc' -> '_.._etc')."""
    return UNSAFE_SITE_CHARS.sub("_", site).lstrip(".") or "_"


def is_template(output: str) -> bool:
    """A per-run template (`out/{site}/{run_started:%Y%m%d-%H%M%S}.jsonl`), not one plain file every run appends to."""
    return "{" in output


def output_path(template: str, site: str, run_started: datetime, run_id: int | None = None) -> Path:
    """Fill `out/{site}/{run_started:%Y%m%d-%H%M%S}.jsonl`: never outside the template directory, never a used name.

    A plain file (no placeholder) is that file, made absolute: every run and site appends to it."""
    if not is_template(template):
        return Path(os.path.abspath(template))
    path = Path(template.format(site=sanitise_site(site), run_started=run_started, run_id=run_id))
    base = Path(os.path.dirname(template.split("{", 1)[0]) or ".").resolve()
    if not path.resolve().is_relative_to(base):
        raise JournalError(f"output path {path} falls outside {base}", template)
    candidate, number = path, 0
    while candidate.exists() or summary_path(candidate).exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def append_offset(state: StateStore, path: str | os.PathLike) -> int:
    """Where a run appends to the plain output file `path`: the length this state committed to it, 0 for a missing
    or empty file (a new one, or one moved aside between runs). Call it after reconcile, holding the run lock: the
    file must then be exactly as long as committed; anything else was written by something other than this state."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return 0
    if not stat.S_ISREG(st.st_mode):
        raise JournalError(
            "not a regular file (an incremental crawl appends to a file it can trim after a kill)", str(path)
        )
    _assert_unlocked(path)
    if st.st_size == 0:
        return 0
    committed = state.committed_length(str(path))
    if committed is None:
        raise JournalError(
            f"output file holds {st.st_size} bytes that no run of this state wrote (an incremental crawl appends only "
            "to a file its state wrote: move it aside or give -o another file)",
            str(path),
        )
    if st.st_size != committed:
        raise JournalError(
            f"output file holds {st.st_size} bytes, but this state committed {committed} to it (it was changed by "
            "something else: move it aside or give -o another file)",
            str(path),
        )
    return committed


def _assert_unlocked(path: str | os.PathLike) -> None:
    """Raise JournalError when another process holds the output's flock (a run of another state, a --redis worker)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise JournalError(WRITING_ELSEWHERE, str(path)) from None
    finally:
        os.close(fd)  # drops the probe's lock


def summary_path(output: str | os.PathLike) -> Path:
    """Where a run's summary JSON goes: beside its output file."""
    output = Path(output)
    return output.with_name(f"{output.stem}.summary.json")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class JournaledWriter:
    """Appends JSON lines to one run's output file; each batch is fsynced, then its offsets commit to the state.

    `append`: the file is a plain -o every run appends to; it starts at the length the state committed to it."""

    def __init__(
        self,
        state: StateStore,
        run_id: int,
        path: str | os.PathLike,
        *,
        batch_size: int = BATCH_SIZE,
        flush_interval: float = FLUSH_INTERVAL,
        append: bool = False,
    ) -> None:
        self.state, self.run_id, self.path = state, run_id, Path(path)
        self.batch_size, self.flush_interval = batch_size, flush_interval
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.committed = os.fstat(self._fd).st_size
        try:
            if append:
                self.committed = append_offset(state, self.path)
                try:  # held while the run writes: a run of another state, or a --redis worker, cannot append too
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise JournalError(WRITING_ELSEWHERE, str(self.path)) from None
            elif self.committed and not self._is_ours():
                raise JournalError("output file exists and belongs to no run of this state", str(self.path))
        except JournalError:
            os.close(self._fd)
            raise
        self.start = self.committed  # where this run's records begin in the file
        _fsync_dir(self.path.parent)
        state.register_output(run_id, str(self.path), self.committed)  # a kill before the first batch trims to here
        self.records = self.new = self.revised = 0  # committed by this writer: the run's counts
        self._batch: list[tuple[EmittedEntry, bytes]] = []
        self._pending: dict[str, tuple[str, int, str | None]] = {}
        self._oldest = 0.0

    def _is_ours(self) -> bool:
        return any(row["path"] == str(self.path) for row in self.state.outputs(self.run_id))

    def decide(self, url: str, content_hash: str, source_hash: str | None = None) -> EmitDecision:
        """state.decide_emit, aware of records still waiting in this batch."""
        pending = self._pending.get(state_key(url))
        if pending is None:
            return self.state.decide_emit(url, content_hash, source_hash)
        if pending[0] == content_hash or (source_hash and pending[2] == source_hash):
            return EmitDecision(False, pending[1], None)
        return EmitDecision(True, pending[1] + 1, pending[0])

    def write(self, record: dict, url: str | None = None, source_hash: str | None = None) -> None:
        """Queue one record (it needs content_hash and revision); written and committed with its batch."""
        url = url or record["url"]
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        entry = EmittedEntry(url, record["content_hash"], record.get("revision") or 1, 0, len(line), source_hash)
        if not self._batch:
            self._oldest = time.monotonic()
        self._batch.append((entry, line))
        self._pending[state_key(url)] = (entry.content_hash, entry.revision, source_hash)
        if len(self._batch) >= self.batch_size or time.monotonic() - self._oldest >= self.flush_interval:
            self.flush()

    def flush(self) -> None:
        """Write the batch, fsync, then commit its (url, hash, offset) rows and the new end offset together."""
        if not self._batch:
            return
        entries, offset = [], self.committed
        for entry, line in self._batch:
            entries.append(
                EmittedEntry(entry.url, entry.content_hash, entry.revision, offset, len(line), entry.source_hash)
            )
            offset += len(line)
        assert self._fd is not None  # records are only added before close()
        try:
            _write_all(self._fd, b"".join(line for _, line in self._batch))
            os.fsync(self._fd)
            self.state.record_emitted(self.run_id, str(self.path), entries, offset)
        except BaseException:
            os.ftruncate(self._fd, self.committed)  # nothing of a failed batch stays in the file
            raise
        self.committed, self.records = offset, self.records + len(entries)
        new = sum(entry.revision == 1 for entry in entries)
        self.new, self.revised = self.new + new, self.revised + len(entries) - new
        self._batch.clear()
        self._pending.clear()

    def close(self) -> None:
        if self._fd is None:
            return
        try:
            self.flush()
        finally:
            os.close(self._fd)
            self._fd = None

    @staticmethod
    def reconcile(state: StateStore) -> list[dict]:
        return reconcile(state)


def reconcile(state: StateStore) -> list[dict]:
    """Trim every unfinished run's output files to their last committed byte and mark those runs killed.

    Call it holding the RunLock: an unfinished run is then certainly dead. Returns what was repaired.
    """
    holder = state.lock_holder()
    if not holder or holder["pid"] != os.getpid():
        raise JournalError("reconcile needs the run lock held by this process", state.path)
    repairs = []
    for run in state.unfinished_runs():
        trimmed = sum(_trim(output["path"], output["committed"]) for output in state.outputs(run["id"]))
        records = sum(output["records"] for output in state.outputs(run["id"]))
        counts = {**run["counts"], "emitted": records, **state.emitted_counts(run["id"]), "trimmed_bytes": trimmed}
        state.finish_run(run["id"], "killed", counts)
        logger.warning(
            "run %d (PID %d) was killed; trimmed %d uncommitted bytes of its output", run["id"], run["pid"], trimmed
        )
        repairs.append({"run_id": run["id"], "emitted": records, "trimmed_bytes": trimmed})
    return repairs


def _trim(path: str, committed: int) -> int:
    """Truncate a file to `committed` bytes; return how many bytes went."""
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        if committed:
            raise JournalError(
                f"output file is gone, but the state holds {committed} committed bytes of it", path
            ) from None
        return 0
    if size < committed:
        raise JournalError(f"output file has {size} bytes, fewer than the {committed} committed", path)
    if size > committed:
        with open(path, "r+b") as fh:
            fh.truncate(committed)
            fh.flush()
            os.fsync(fh.fileno())
    return size - committed
