"""Extract clean article records from files, directories, stdin or URLs."""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cleaners import CleanwireError, InputError, Options
from cleaners.tdm import Tdm
from crawler.cli.args import add_common_arguments, add_page_arguments, add_record_arguments, positive_int
from crawler.output.files import FORMATS, check_output, chunks_problem, emit, format_for

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
TEXT_SUFFIXES = (".txt",)
MAX_FILE_BYTES = 100 * 1024 * 1024  # refuse local files larger than this


@dataclass
class Source:
    """One thing to extract: a file, stdin or a URL, with its bytes once read or fetched."""

    name: str  # as the user wrote it (for messages)
    kind: str  # file | stdin | url
    url: str | None = None  # page URL given to the cleaner
    data: bytes | None = None
    http_charset: str | None = None
    error: str | None = None
    fetched_at: str | None = None
    js_shell: str | None = None  # the page is an application shell that was not rendered (its evidence)
    record: dict | None = None  # the merged record of a multi-page article (its pages fetched with it)
    headers: dict[str, str] | None = None  # HTTP response headers of a fetched URL (access, TDMRep)
    tdm: Tdm | None = None  # the site's tdmrep.json rule for a fetched URL


def add_arguments(parser) -> None:
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="HTML file, directory (*.html, *.htm, *.html.gz), '-' for stdin, or http(s) URL",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout (format from suffix)")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="jsonl (default), json, text, markdown (front matter and body), chunks (one chunk a "
        "JSONL line; needs --chunks) or parquet",
    )
    add_record_arguments(parser)
    add_page_arguments(
        parser,
        url_help="the page URL of stdin or a single file input",
        input_format_help="html (default) or text: plain-text scrapes, first line the title (directories: *.txt)",
    )
    parser.add_argument(
        "--warc",
        action="store_true",
        help="the inputs are WARC files ('-': read one from stdin): re-extract their HTML responses",
    )
    parser.add_argument(
        "-j", "--jobs", type=positive_int, metavar="N", help="worker processes for --warc (default: all cores)"
    )
    add_common_arguments(parser)


def options_from_args(args) -> Options:
    from crawler.extraction.overrides import load_overrides
    from crawler.fetching.fetch import project_settings

    settings = project_settings(dict(args.settings))  # -s CLEANWIRE_CHUNK_TOKENS / CLEANWIRE_RECORD_MARKDOWN
    return Options(
        mode=args.mode or "balanced",
        keep_kinds=frozenset(args.keep),
        drop_kinds=frozenset(args.drop),
        site_overrides=load_overrides(args.overrides),
        known_titles=load_titles(getattr(args, "titles", None)),
        chunk_tokens=getattr(args, "chunks", None) or settings.getint("CLEANWIRE_CHUNK_TOKENS"),
        record_markdown=settings.getbool("CLEANWIRE_RECORD_MARKDOWN"),
    )


def load_titles(path: str | None) -> tuple[str, ...]:
    """Headlines from a file, one per line; a missing file is an InputError naming it."""
    if not path:
        return ()
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else f"cannot read titles ({exc})"
        raise InputError(reason, path) from exc
    return tuple(line.strip() for line in lines if line.strip())


def _read_file(path: Path) -> bytes:
    """The file's bytes (gzip undone for *.gz); at most MAX_FILE_BYTES are read, so a device such as /dev/zero or a
    FIFO that never ends is refused as too large instead of filling memory (st_size is 0 for those)."""
    with path.open("rb") as fh:
        data = read_limited(fh)
    if path.name.endswith(".gz"):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                data = read_limited(unzipped, "unzipped file")
        except (OSError, EOFError, zlib.error) as exc:
            if "larger than" in str(exc):
                raise
            raise OSError(f"not valid gzip ({exc})") from exc
    return data


def read_limited(fh, what: str = "file") -> bytes:
    """All of `fh` when it holds at most MAX_FILE_BYTES, else OSError "... larger than 100 MB"."""
    data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OSError(f"{what} larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return data


def url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) URL that can be fetched, or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError as exc:
        return f"malformed URL ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        if not scheme:
            return "not a URL (give http:// or https://)"
        return f"unsupported URL scheme {scheme!r} (only http and https)"
    if not parts.hostname:
        return "malformed URL (no host name)"
    return None


def resolve_sources(inputs: list[str], url: str | None, suffixes: tuple[str, ...] = HTML_SUFFIXES) -> list[Source]:
    """Expand directories, read files and stdin; URLs are fetched later, all at once."""
    sources: list[Source] = []
    for name in inputs:
        try:
            scheme = urlsplit(name).scheme.lower()
        except ValueError:  # 'http://[::1': unbalanced brackets
            scheme = name.partition(":")[0].lower()
        if name == "-":
            try:
                sources.append(Source("<stdin>", "stdin", url=url, data=read_limited(sys.stdin.buffer, "input")))
            except OSError as exc:
                sources.append(Source("<stdin>", "stdin", error=str(exc)))
        elif scheme in ("http", "https"):
            problem = url_problem(name)
            sources.append(Source(name, "url", url=None if problem else name, error=problem))
        elif "://" in name or scheme in ("data", "javascript", "mailto"):
            sources.append(Source(name, "url", error=f"unsupported URL scheme {scheme!r} (only http and https)"))
        else:
            path = Path(name)
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(suffixes))
                if not files:
                    sources.append(Source(name, "file", error=f"directory holds no {'/'.join(suffixes)} files"))
                for file in files:
                    sources.append(_file_source(file, None))
            else:
                sources.append(_file_source(path, url if len(inputs) == 1 else None))
    return sources


def _file_source(path: Path, url: str | None) -> Source:
    try:
        return Source(str(path), "file", url=url, data=_read_file(path))
    except FileNotFoundError:
        return Source(str(path), "file", error="no such file")
    except IsADirectoryError:
        return Source(str(path), "file", error="is a directory")
    except PermissionError:
        return Source(str(path), "file", error="permission denied")
    except OSError as exc:
        return Source(str(path), "file", error=str(exc))


def fetch_sources(sources: list[Source], args, options: Options | None = None) -> None:
    urls = [s.url for s in sources if s.kind == "url" and s.error is None and s.url is not None]
    if not urls:
        return
    from crawler.cli.main import quiet_scrapy
    from crawler.fetching.fetch import fetch_urls, project_settings

    quiet_scrapy()
    extra: dict[str, object] = {"LOG_LEVEL": "ERROR"}
    if args.ignore_robots:
        extra["ROBOTSTXT_OBEY"] = False
    if getattr(args, "render", None):
        extra["CLEANWIRE_RENDER"] = args.render
    pages, failures = fetch_urls(list(dict.fromkeys(urls)), project_settings(dict(args.settings), **extra), options)
    for source in sources:
        if source.kind != "url" or source.error or source.url is None:
            continue
        page = pages.get(source.url)
        if page is None:
            source.error = failures.get(source.url, "not fetched")
            continue
        source.data, source.url, source.http_charset, source.fetched_at = (
            page.body,
            page.url,
            page.http_charset,
            page.fetched_at,
        )
        source.js_shell = page.meta.get("js_shell")
        source.record = page.meta.get("record")  # a multi-page article, merged while fetching
        source.headers, source.tdm = page.headers, page.tdm


def run(args) -> int:
    from cleaners import clean

    check_output(args.output)  # an unwritable -o stops here, before any input is read or fetched
    options = options_from_args(args)
    problem = chunks_problem(format_for(args.output, args.format), options.chunk_tokens)
    if problem:
        print(f"cleanwire extract: {problem}", file=sys.stderr)
        return 2
    if args.warc:
        from crawler.extraction.fromwarc import run_warc

        return run_warc(args, options)
    text_input = args.input_format == "text"
    sources = resolve_sources(args.inputs, args.url, TEXT_SUFFIXES if text_input else HTML_SUFFIXES)
    fetch_sources(sources, args, None if text_input else options)
    unread = all(source.error is not None for source in sources)
    records, failed = [], 0
    for source in sources:
        if source.error is None:
            try:
                if source.record is not None:
                    records.append(source.record)
                    continue
                assert source.data is not None  # a source without an error has been read or fetched
                if text_input:
                    article = _extract_text(source, options.with_(fetched_at=source.fetched_at))
                else:
                    result = clean(
                        source.data,
                        url=source.url,
                        options=options.with_(fetched_at=source.fetched_at),
                        http_charset=source.http_charset,
                        headers=source.headers,
                        tdm=source.tdm,
                    )
                    article = result.article
            except CleanwireError as exc:
                source.error = exc.reason
            else:
                if article is None and source.js_shell:
                    source.error = f"not an article: {source.js_shell}"
                elif article is None:
                    walled = not text_input and result.access.state != "ok"
                    source.error = result.not_article_reason if walled else "not an article (no main content)"
                elif getattr(args, "respect_tdm", False) and article.tdm_reserved:
                    found = article.to_dict()["provenance"]["tdm_reserved"]
                    policy = f", policy {found['policy']}" if found.get("policy") else ""
                    source.error = f"TDM rights reserved ({found['source']}{policy}): left out (--respect-tdm)"
                else:
                    records.append(article.to_dict())
        if source.error:
            failed += 1
            print(f"cleanwire extract: {source.name}: {source.error}", file=sys.stderr)
    if unread and args.output and args.output != "-":
        # not one input could be read or fetched: the output file keeps what it held (a failed run erases nothing)
        print(f"cleanwire extract: no input could be read; {args.output} left unchanged", file=sys.stderr)
        return 1
    emit(records, format_for(args.output, args.format), args.output)
    return 1 if failed else 0


def _extract_text(source: Source, options: Options):
    from cleaners.textinput import decode_text, extract_text

    assert source.data is not None  # a source without an error has been read or fetched
    return extract_text(decode_text(source.data, source.name), url=source.url, options=options)
