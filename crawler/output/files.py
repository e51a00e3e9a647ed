"""Writing records: JSONL/JSON/text/markdown to stdout or atomically to a file."""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from cleaners.errors import CleanwireError

FORMATS = ("jsonl", "json", "text", "markdown", "chunks", "parquet")
SUFFIX_FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".txt": "text",
    ".md": "markdown",
    ".parquet": "parquet",
}


def format_for(path: str | None, requested: str | None) -> str:
    if requested:
        return requested
    if path and path != "-":
        return SUFFIX_FORMATS.get(Path(path).suffix.lower(), "jsonl")
    return "jsonl"


def chunks_problem(fmt: str, chunk_tokens: int) -> str | None:
    """Why a format cannot be written with these options (chunks without a chunk size), or None."""
    if fmt == "chunks" and chunk_tokens < 1:
        return "--format chunks needs --chunks N (or -s CLEANWIRE_CHUNK_TOKENS=N)"
    return None


def render(records: list[dict], fmt: str) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return "\n".join(markdown_document(r) for r in records)
    if fmt == "chunks":
        from cleaners.chunks import chunk_jsonl_rows

        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for r in records for row in chunk_jsonl_rows(r))
    return "\n\n".join(_titled(r) for r in records) + ("\n" if records else "")


def markdown_document(record: dict) -> str:
    """The record's Markdown document: its `markdown` when it carries one, else made from its blocks."""
    from cleaners.markdown import to_markdown

    return record.get("markdown") or to_markdown(record)


def _titled(record: dict) -> str:
    body = record.get("text") or ""
    title = record.get("title")
    return f"{title}\n\n{body}" if title else body


class OutputError(CleanwireError):
    """An output file cannot be written (a directory, a read-only or missing place, a full device)."""


def _reason(exc: OSError) -> str:
    return f"cannot write ({exc.strerror or exc})"


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_target(path: str | Path) -> tuple[Path, bool, int | None]:
    """(the file to write with symlinks resolved, whether to write it in place, its current mode or None).

    In place: an existing target that is not a regular file (character device, FIFO, socket), where a rename would
    replace the device instead of writing to it. A directory is an OutputError.
    """
    try:
        st = os.stat(path)  # through symlinks: /dev/stdout -> /proc/self/fd/1 -> a pipe has no real path
    except FileNotFoundError:
        return Path(os.path.realpath(path)), False, None  # a dangling symlink: its target is created
    except OSError as exc:
        raise OutputError(_reason(exc), str(path)) from exc
    if stat.S_ISDIR(st.st_mode):
        raise OutputError("is a directory", str(path))
    if stat.S_ISREG(st.st_mode):
        return Path(os.path.realpath(path)), False, stat.S_IMODE(st.st_mode)
    return Path(path), True, None


def check_output(path: str | Path | None) -> None:
    """Raise OutputError now, before any work, when `path` cannot be written: a directory, a directory that cannot be
    created, a place where no file can be created. Creates nothing."""
    if not path or str(path) == "-":
        return
    target, in_place, _mode = output_target(path)
    if in_place:
        if not os.access(target, os.W_OK):
            raise OutputError("cannot write (Permission denied)", str(path))
        return
    check_directory(target.parent, str(path))


def check_directory(directory: str | Path, shown: str) -> None:
    """Raise OutputError (naming `shown`) unless a file can be created in `directory` or, when it does not exist
    yet, in its nearest existing ancestor (where the write will make it). Nothing is left behind."""
    directory = Path(os.path.abspath(directory))
    while not directory.exists() and directory.parent != directory:
        directory = directory.parent
    if not directory.is_dir():
        raise OutputError(f"cannot write ({directory} is not a directory)", shown)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".cleanwire-check.", suffix=".part", dir=directory)
    except OSError as exc:
        raise OutputError(_reason(exc), shown) from exc
    os.close(fd)
    os.unlink(tmp)


@contextmanager
def atomic_file(path: str | Path, mode: str = "w"):
    """Open a temp file beside `path`; on success fsync and rename it into place, else remove it.

    A symlink is followed: its target is replaced, the link stays. A target that is not a regular file (a character
    device such as /dev/stdout or /dev/null, a FIFO) is written in place: renaming over it would replace the device.
    The new file gets the mode the old one had, or 0666 less the umask (never mkstemp's 0600).
    OSErrors while writing become OutputError (one line naming the path, exit 1).
    """
    shown = str(path)
    target, in_place, old_mode = output_target(path)
    encoding = None if "b" in mode else "utf-8"
    if in_place:
        try:
            with open(target, mode, encoding=encoding) as fh:
                yield fh
                fh.flush()
        except OSError as exc:
            raise OutputError(_reason(exc), shown) from exc
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise OutputError(_reason(exc), shown) from exc
    try:
        os.chmod(tmp, old_mode if old_mode is not None else 0o666 & ~current_umask())
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(_reason(exc), shown) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: str) -> None:
    """Write the whole file or nothing: a temp file in the same directory, fsync, rename."""
    with atomic_file(path) as fh:
        fh.write(data)


def emit(records: list[dict], fmt: str, out: str | None) -> None:
    if fmt == "parquet":
        write_parquet(records, out)
        return
    data = render(records, fmt)
    if out and out != "-":
        write_atomic(out, data)
    else:
        write_stdout(data)


def write_stdout(data: str) -> None:
    """Write to stdout; a full disk or closed reader is an OutputError naming <stdout>."""
    try:
        sys.stdout.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(_reason(exc), "<stdout>") from exc


def write_parquet(records, out) -> int:
    """Write records (any iterable) to a Parquet file whole or not at all; `out` None or "-" is stdout."""
    if not out or out == "-":
        try:
            return _export_parquet(records, sys.stdout.buffer)
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk under stdout: one line, like the other formats
            raise OutputError(f"cannot write ({exc.strerror or exc})", "<stdout>") from exc
    with atomic_file(out, "wb") as fh:
        return _export_parquet(records, fh)


def _export_parquet(records, fh) -> int:
    """Write every record; on any failure the writer is dropped before the file closes, and the error is raised."""
    from crawler.output.parquet import ParquetItemExporter  # pyarrow: imported only when Parquet is written

    exporter = ParquetItemExporter(fh)
    try:
        exporter.start_exporting()
        count = 0
        for record in records:
            exporter.export_item(record)
            count += 1
        exporter.finish_exporting()
    except BaseException:
        exporter.discard()
        raise
    return count
