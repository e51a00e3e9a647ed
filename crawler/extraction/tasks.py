"""What an extraction worker runs on a page: the record (extract_record) or, for the site spider, its links, article
verdict and record at once (analyse_page); each Task also says what its result is when the worker could not run it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cleaners import CleanwireError, Options, clean
from crawler.discovery.classify import Verdict, decide
from crawler.discovery.pagelinks import PageLinks, read_page

Extracted = tuple[str, object]      # ('article', record) | ('not_article', reason) | ('bad_input', reason)


def extract_record(body: bytes, url: str, options: Options, http_charset: str | None) -> Extracted:
    """Runs in a worker process: ('article', record) | ('not_article', reason) | ('bad_input', reason)."""
    try:
        result = clean(body, url, options, http_charset=http_charset)
    except CleanwireError as exc:
        return "bad_input", exc.reason
    if result.article is None:
        return "not_article", result.not_article_reason or "not an article"
    return "article", result.article.to_dict()


def analyse_page(body: bytes, url: str, options: Options, http_charset: str | None, encoding: str,
                 listed: bool) -> tuple[PageLinks | None, Verdict | None, Extracted | None]:
    """Runs in an extraction worker: the page's links and signals, its article verdict and, when the verdict
    lets it be emitted, its extraction (extract_record). The crawler process then only builds Requests: parsing
    every page for its links there made it the bottleneck of the crawl."""
    found = read_page(body, encoding, url)
    verdict = decide(url, found.og_type, found.ld_types, listed)
    return found, verdict, extract_record(body, url, options, http_charset) if verdict.emit else None


def _record_failed(reason: str, *args) -> Extracted:
    return "bad_input", reason


def _analysis_failed(reason: str, *args) -> tuple[None, None, Extracted]:
    """No links or verdict (the crawler process reads them itself), and the page's failure as its extraction."""
    return None, None, ("bad_input", reason)


@dataclass(frozen=True)
class Task:
    """A function run in an extraction worker, and `failed(reason, *args)`: its result, in the same shape, when
    the worker died on the page twice or the function raised."""

    run: Callable
    failed: Callable


EXTRACT = Task(extract_record, _record_failed)      # args: body, url, options, http_charset
ANALYSE = Task(analyse_page, _analysis_failed)      # args: body, url, options, http_charset, encoding, listed


def after_hook(hook: Callable[[str], None], fn: Callable, *args):
    """`hook(url)`, then the task: the plug-in point of CLEANWIRE_EXTRACT_HOOK (tests inject worker faults with it)."""
    hook(args[1])
    return fn(*args)
