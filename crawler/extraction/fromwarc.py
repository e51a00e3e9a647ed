"""Re-extract archived HTML responses from WARC files, streaming, on all cores (`cleanwire extract --warc`)."""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import itertools
import json
import multiprocessing
import os
import sys
import time
import zlib
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cleaners import CleanwireError, Options
from cleaners.multipage import Assembly, PageLinks, wants_pages

MAX_BODY_BYTES = 20 * 1024 * 1024  # archived bodies above this are skipped as too large (DOWNLOAD_MAXSIZE)
CHUNK = 8  # responses handed to a worker at once (one task of the pool)
IN_FLIGHT_PER_WORKER = 4  # batches read ahead per worker: bounds memory while workers are busy
PROGRESS_EVERY = 0.5  # seconds between progress lines on a terminal


@dataclass(frozen=True)
class Task:
    """One archived HTML response, as the cleaner needs it."""

    url: str
    fetched_at: str | None
    body: bytes
    http_charset: str | None
    headers: tuple[tuple[str, str], ...] = ()  # the archived HTTP response headers (access and TDM evidence)


@dataclass
class Tally:
    """What was read and what came of it, per reason."""

    responses: int = 0
    articles: int = 0
    skipped: Counter = field(default_factory=Counter)
    file_errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
        return f"{self.articles} articles from {self.responses} responses" + (f" (skipped: {parts})" if parts else "")


def warc_date_to_iso(value: str | None) -> str | None:
    """WARC-Date (2026-11-25T14:32:30.123456Z) as the records' fetched_at (2026-11-25T14:32:30+00:00)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            return value.strip("\"' ") or None
    return None


def _skip_reason(record) -> str | None:
    """Why an archived record is not an HTML page to clean, or None when it is."""
    if record.http_headers is None:
        return "no HTTP headers"
    status = record.http_headers.get_statuscode()
    if status != "200":
        return f"HTTP {status}"
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    if content_type and "html" not in content_type:
        return "not HTML"
    return None


def _read_body(record) -> tuple[bytes, str | None]:
    """The payload with transfer and content encodings undone, or why it cannot be used."""
    raw = _dechunked(record).read(MAX_BODY_BYTES + 1)
    try:
        body = decode_content(raw, record.http_headers.get_header("Content-Encoding") or "", MAX_BODY_BYTES + 1)
    except (zlib.error, ValueError, EOFError, ImportError) as exc:
        return b"", f"undecodable body ({exc})"
    return body, "too large" if len(body) > MAX_BODY_BYTES else None


def _dechunked(record):
    from warcio.bufferedreaders import ChunkedDataReader

    chunked = (record.http_headers.get_header("Transfer-Encoding") or "").strip().lower() == "chunked"
    return ChunkedDataReader(record.raw_stream) if chunked else record.raw_stream


def decode_content(data: bytes, encodings: str, limit: int) -> bytes:
    """Undo Content-Encoding (gzip, deflate, br, zstd; last applied first), keeping at most `limit` bytes.

    Done here rather than by warcio, which knows no zstd and whose brotli reader fails on brotli 1.2.
    """
    for coding in reversed([c.strip().lower() for c in encodings.split(",") if c.strip()]):
        if coding in ("identity", "none"):
            continue
        if coding not in DECODERS:
            raise ValueError(f"unsupported content encoding {coding!r}")
        data = DECODERS[coding](data, limit)
    return data


def _inflate(data: bytes, limit: int) -> bytes:
    try:
        return zlib.decompressobj(wbits=47).decompress(data, limit)  # gzip or zlib header
    except zlib.error:
        return zlib.decompressobj(wbits=-15).decompress(data, limit)  # raw deflate (some servers)


def _unbrotli(data: bytes, limit: int) -> bytes:
    import brotli  # a Scrapy dependency

    decompressor, out = brotli.Decompressor(), bytearray()
    try:
        out += decompressor.process(data, output_buffer_limit=limit)
        while not decompressor.is_finished() and len(out) < limit:
            chunk = decompressor.process(b"", output_buffer_limit=limit - len(out))
            if not chunk:
                break
            out += chunk
    except brotli.error as exc:
        raise ValueError(f"bad brotli data: {exc}") from exc
    return bytes(out[:limit])


def _unzstd(data: bytes, limit: int) -> bytes:
    if sys.version_info >= (3, 14):
        from compression import zstd
    else:
        from backports import zstd  # a Scrapy dependency

    try:
        return zstd.ZstdFile(io.BytesIO(data)).read(limit)
    except zstd.ZstdError as exc:
        raise ValueError(f"bad zstd data: {exc}") from exc


DECODERS = {"gzip": _inflate, "x-gzip": _inflate, "deflate": _inflate, "br": _unbrotli, "zstd": _unzstd}


def iter_tasks(paths: list[str], tally: Tally) -> Iterator[Task]:
    """Stream the HTML 200 responses of the WARC files, counting everything else in `tally`.

    A file that ends inside a record (a copy cut short, a crawl killed mid-write) is a file error "truncated after N
    records": the responses before the cut are kept.
    """
    from warcio.exceptions import ArchiveLoadFailed

    for path in paths:
        number = complete = 0
        try:
            with contextlib.nullcontext(sys.stdin.buffer) if path == "-" else open(path, "rb") as fh:
                records = _checked_iterator()(fh)
                for number, record in enumerate(records, 1):
                    if number == 1 and record.format != "warc":
                        raise ArchiveLoadFailed("the file does not start with a WARC record; ARC is not supported")
                    response = record.rec_type == "response"
                    task, reason = _task(record) if response else (None, None)
                    if records.cut_short(record):
                        raise EOFError  # counted nowhere: the record is incomplete
                    complete = number
                    tally.responses += response
                    if reason:
                        tally.skipped[reason] += 1
                    if task is not None:
                        yield task
                if records.cut_short(None):
                    raise EOFError
        except FileNotFoundError:
            tally.file_errors.append(f"{path}: no such file")
        except IsADirectoryError:
            tally.file_errors.append(f"{path}: is a directory")
        except (EOFError, AttributeError, zlib.error) as exc:  # warcio fails on a header cut in half
            if number == 0 and not isinstance(exc, EOFError):
                tally.file_errors.append(f"{path}: not a readable WARC file ({_describe(exc)})")
            else:
                tally.file_errors.append(
                    f"{path}: truncated after {complete} complete WARC records (the responses before the cut are kept)"
                )
        except (ArchiveLoadFailed, OSError, ValueError) as exc:
            where = f" after {complete} complete WARC records (the responses before are kept)" if complete else ""
            tally.file_errors.append(f"{path}: not a readable WARC file{where} ({_describe(exc)})")


def _task(record) -> tuple[Task | None, str | None]:
    """(the response as a Task, None), or (None, why it is not an HTML page to clean)."""
    reason = _skip_reason(record)
    if reason is None:
        body, reason = _read_body(record)
    if reason:
        return None, reason
    content_type = record.http_headers.get_header("Content-Type") or ""
    return Task(
        record.rec_headers.get_header("WARC-Target-URI"),
        warc_date_to_iso(record.rec_headers.get_header("WARC-Date")),
        body,
        _charset(content_type),
        tuple(record.http_headers.headers),
    ), None


def _describe(exc: BaseException, limit: int = 120) -> str:
    """An exception message fit for one line: binary bytes escaped, at most `limit` characters."""
    text = str(exc) or type(exc).__name__
    if not text.isprintable():
        text = ascii(text)[1:-1]
    return text if len(text) <= limit else text[: limit - 1] + "…"


@functools.cache
def _checked_iterator():
    from warcio.archiveiterator import ArchiveIterator

    class CheckedIterator(ArchiveIterator):
        """warcio's reader, which notices when the file ends inside a record (warcio stops there silently)."""

        ended_inside = False

        def close(self) -> None:
            reader = self.reader
            if reader is not None and not self.ended_inside:
                member = reader.decompressor  # the last gzip member: complete only if its end was read
                self.ended_inside = bool(self.next_line) or (member is not None and not member.eof)
            super().close()

        def cut_short(self, record) -> bool:
            """True when `record` (once read to its end) lacked bytes, or (None) the file ended inside a record."""
            if record is None:
                return self.ended_inside
            self.read_to_end(record)
            return getattr(record.raw_stream, "limit", 0) > 0

    return CheckedIterator


_OPTIONS: Options | None = None


def _init_worker(options: Options) -> None:
    global _OPTIONS
    _OPTIONS = options


def clean_task(task: Task, options: Options | None = None) -> tuple[str, dict | None, str | None, PageLinks]:
    """(url, record or None, reason it is not an article, the page's links to the rest of its article)."""
    from cleaners import clean

    options = options or _OPTIONS or Options()
    try:
        result = clean(
            task.body,
            url=task.url,
            options=options.with_(fetched_at=task.fetched_at),
            http_charset=task.http_charset,
            headers=task.headers,
        )
    except CleanwireError as exc:
        return task.url, None, exc.reason, PageLinks()
    if result.article is None:  # a wall is counted by its access state (bot_challenge, consent_wall, ...)
        reason = result.access.state if result.access.state != "ok" else "not an article"
        return task.url, None, reason, result.page_links
    return task.url, result.article.to_dict(), None, result.page_links


def clean_batch(tasks: list[Task]) -> list[tuple[str, dict | None, str | None, PageLinks]]:
    """A worker's unit of work: CHUNK responses, so the per-task cost of the pool is paid once per batch."""
    return [clean_task(task) for task in tasks]


def _batched(tasks: Iterator[Task], size: int) -> Iterator[list[Task]]:
    while batch := list(itertools.islice(tasks, size)):
        yield batch


def reextract(
    paths: list[str], options: Options, processes: int | None = None, tally: Tally | None = None, max_pages: int = 1
) -> Iterator[dict]:
    """Yield the record of every archived article, in archive order; workers run in parallel.

    At most IN_FLIGHT_PER_WORKER batches per worker are read ahead (bounded memory). A worker that dies (killed
    for memory, a crash in a C library) ends the run with a file error in `tally`; the records before are kept.
    """
    from concurrent.futures.process import BrokenProcessPool

    tally = tally if tally is not None else Tally()
    processes = processes or os.cpu_count() or 1
    tasks = iter_tasks(paths, tally)
    held = HeldPages(max_pages, options.chunk_tokens)  # max_pages > 1: multi-page articles merged from the archive
    if processes == 1:
        yield from _keep((clean_task(task, options) for task in tasks), tally, held)
        yield from held.merged(tally)
        return
    pool = _pool(processes, options)
    window: deque[tuple[Future, int]] = deque()  # (future, batch size), in archive order
    try:
        for batch in _batched(tasks, CHUNK):
            window.append((pool.submit(clean_batch, batch), len(batch)))
            if len(window) >= processes * IN_FLIGHT_PER_WORKER:
                yield from _keep(window[0][0].result(), tally, held)
                window.popleft()
        while window:
            yield from _keep(window[0][0].result(), tally, held)
            window.popleft()
        yield from held.merged(tally)
    except BrokenProcessPool:
        tally.skipped["not extracted (a worker died)"] += sum(size for _future, size in window)
        tally.file_errors.append(
            f"an extraction worker process died; the {tally.articles} articles before are kept, "
            "the rest of the archive was not read"
        )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pool(processes: int, options: Options) -> ProcessPoolExecutor:
    """Worker processes that start with the cleaner loaded: forked after this process cleaned one page.

    Each worker would otherwise load the language model (LZMA) and build the cleaner's lazy tables itself, ~0.3 s
    of CPU per worker (about 10% of re-extracting 500 fixture pages on 2 cores). gc.freeze() keeps the workers'
    garbage collector off the inherited objects, so their memory pages stay shared (copy-on-write) instead of being
    copied as the collector touches them. Off Linux (fork is unsafe on macOS, absent on Windows) the forkserver or
    spawn context of the crawl's worker pool is used, which preloads the same warm-up (crawler.extraction.pool).
    A ProcessPoolExecutor rather than multiprocessing.Pool: when a worker dies, Pool silently replaces it and
    waits forever for the task it held; the executor fails every pending task (BrokenProcessPool).
    """
    if not sys.platform.startswith("linux"):
        from crawler.extraction.pool import _context

        return ProcessPoolExecutor(processes, mp_context=_context(), initializer=_init_worker, initargs=(options,))
    import crawler.extraction.warmup  # noqa: F401 - importing it cleans one page here, once per process

    pool = ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker, initargs=(options,)
    )
    gc.freeze()
    try:
        pool.submit(int).result()  # with fork, the executor starts all its workers at the first task
    finally:
        gc.unfreeze()
    return pool


class HeldPages:
    """Multi-page articles in an archive: first pages wait for the end, continuation pages are merged into them."""

    def __init__(self, max_pages: int, chunk_tokens: int = 0) -> None:
        self.max_pages, self.chunk_tokens = max_pages, chunk_tokens
        self.first: list[tuple[str, dict, PageLinks]] = []
        self.continuations: dict[str, tuple[dict, PageLinks]] = {}

    def hold(self, url: str, record: dict, links: PageLinks) -> bool:
        """Keep the record back when it belongs to a multi-page article (it is merged at the end)."""
        if links.first:
            self.continuations[url.split("#")[0]] = (record, links)
            return True
        if wants_pages(links, self.max_pages):
            self.first.append((url, record, links))
            return True
        return False

    def merged(self, tally: Tally) -> Iterator[dict]:
        """Each held article with the continuation pages the archive holds; continuation pages go no further."""
        for url, record, links in self.first:
            assembly = Assembly(url, record, links, self.max_pages, self.chunk_tokens)
            while (target := assembly.next_url()) is not None:
                found = self.continuations.get(target)
                assembly.add(target, *(found or (None, PageLinks(), "not in the archive")))
            tally.articles += 1
            yield assembly.result()
        if self.continuations:
            tally.skipped["continuation page (merged into its article)"] += len(self.continuations)


def _keep(results, tally: Tally, held: HeldPages) -> Iterator[dict]:
    for url, record, reason, links in results:
        if record is None:
            tally.skipped[reason] += 1
        elif not held.hold(url, record, links):
            tally.articles += 1
            yield record


class Progress:
    """A one-line progress report on stderr, only when stderr is a terminal."""

    def __init__(self, tally: Tally, stream=None) -> None:
        self.tally = tally
        self.stream = stream or sys.stderr
        self.active = self.stream.isatty()
        self.start = self.last = time.monotonic()

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.active or (not force and now - self.last < PROGRESS_EVERY):
            return
        self.last = now
        rate = self.tally.responses / max(now - self.start, 1e-9)
        self.stream.write(
            f"\rwarc: {self.tally.responses} responses, {self.tally.articles} articles, {rate:.0f} responses/s "
        )
        self.stream.flush()

    def end(self) -> None:
        if self.active:
            self.tick(force=True)
            self.stream.write("\n")


def _ticking(records: Iterator[dict], progress: Progress) -> Iterator[dict]:
    try:
        for record in records:
            yield record
            progress.tick()
    finally:
        progress.end()


def _write_jsonl(records: Iterator[dict], out: str | None) -> None:
    """JSON lines to stdout as they come, or to a temp file renamed into place at the end (crawler.output.files)."""
    from crawler.output.files import atomic_file, write_stdout

    if not out or out == "-":
        for record in records:
            write_stdout(json.dumps(record, ensure_ascii=False) + "\n")
        return
    with atomic_file(out) as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def _nothing_read(records: Iterator[dict], tally: Tally, files: int) -> Iterator[dict] | None:
    """None when not one WARC file could be read (every one failed before a response); else the same records.

    Looks at the first record before the output is opened, so a failed run leaves an existing output untouched.
    """
    first = next(records, None)
    if first is None:
        return None if tally.responses == 0 and len(tally.file_errors) >= files else iter(())
    return itertools.chain([first], records)


def run_warc(args, options: Options) -> int:
    """`cleanwire extract --warc FILE...`: JSONL and Parquet stream; json, text and markdown are written at the end.

    When no file could be read at all, an existing output file is left as it was.
    """
    from crawler.output.files import emit, format_for, write_parquet

    fmt = format_for(args.output, args.format)
    tally = Tally()
    from crawler.fetching.fetch import project_settings

    max_pages = project_settings(dict(getattr(args, "settings", None) or {})).getint("CLEANWIRE_MAX_ARTICLE_PAGES")
    ticking = _ticking(
        reextract(list(args.inputs), options, getattr(args, "jobs", None), tally, max_pages), Progress(tally)
    )
    records = _nothing_read(ticking, tally, len(args.inputs))
    unchanged = records is None and bool(args.output and args.output != "-")
    if not unchanged:
        records = records if records is not None else iter(())
        if fmt == "jsonl":
            _write_jsonl(records, args.output)
        elif fmt == "parquet":
            write_parquet(records, args.output)
        else:
            emit(list(records), fmt, args.output)
    for line in tally.file_errors:
        print(f"cleanwire extract: {line}", file=sys.stderr)
    if unchanged:
        print(f"cleanwire extract: no WARC file could be read; {args.output} left unchanged", file=sys.stderr)
    else:
        print(f"cleanwire extract: {tally.summary()}", file=sys.stderr)
    return 1 if tally.file_errors else 0
