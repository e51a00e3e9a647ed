"""Writing records: JSONL/JSON/text/markdown to stdout or atomically to a file."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

FORMATS = ("jsonl", "json", "text", "markdown", "parquet")
SUFFIX_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".txt": "text", ".md": "markdown",
                  ".parquet": "parquet"}


def format_for(path: str | None, requested: str | None) -> str:
    if requested:
        return requested
    if path and path != "-":
        return SUFFIX_FORMATS.get(Path(path).suffix.lower(), "jsonl")
    return "jsonl"


def render(records: list[dict], fmt: str) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    key = "text" if fmt == "text" else "markdown"
    return "\n\n".join(_titled(r, key) for r in records) + ("\n" if records else "")


def _titled(record: dict, key: str) -> str:
    body = record.get(key) or record.get("text") or ""
    title = record.get("title")
    if key == "markdown" and title:
        return f"# {title}\n\n{body}"
    return f"{title}\n\n{body}" if title else body


@contextmanager
def atomic_file(path: str | Path, mode: str = "w"):
    """Open a temp file beside `path`; on success fsync and rename it into place, else remove it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: str) -> None:
    """Write the whole file or nothing: a temp file in the same directory, fsync, rename."""
    with atomic_file(path) as fh:
        fh.write(data)


def emit(records: list[dict], fmt: str, out: str | None) -> None:
    if fmt == "parquet":
        from crawler.exporters import write_parquet

        write_parquet(records, out)
        return
    data = render(records, fmt)
    if out and out != "-":
        write_atomic(out, data)
    else:
        sys.stdout.write(data)
        sys.stdout.flush()
