"""What an extraction worker runs on a page: its record (extract_record), its record with the links to the rest of a
multi-page article (extract_with_links) or, for the site spider, links, article verdict and record at once
(analyse_page); each Task also says what its result is when the worker could not run it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cleaners import CleanwireError, Options, clean
from cleaners.access import Access
from cleaners.extract import parse_document
from cleaners.multipage import PageLinks as ArticleLinks
from cleaners.tdm import Tdm
from crawler.discovery.classify import ARTICLE, Verdict, decide
from crawler.discovery.pagelinks import PageLinks, read_page, read_tree
from crawler.items import Record

Extracted = tuple[
    str, Any
]  # ('article', record) | ('not_article', reason) | ('access', evidence) | ('bad_input', reason)


def extract_record(
    body: bytes,
    url: str,
    options: Options,
    http_charset: str | None,
    headers: dict[str, str],
    tdm: Tdm | None,
    parsed=None,
) -> Extracted:
    """Runs in a worker process: ('article', record) | ('not_article', reason) | ('access', access evidence)
    for a page that is a wall instead of an article (cleaners.access) | ('bad_input', reason).
    `parsed`: the page already decoded and parsed (cleaners.parse_document), as analyse_page has it."""
    try:
        result = clean(body, url, options, http_charset=http_charset, headers=headers, tdm=tdm, parsed=parsed)
    except CleanwireError as exc:
        return "bad_input", exc.reason
    return result_status(result)


def result_status(result) -> Extracted:
    """A cleaner Result as the workers hand it back: ('article', record) | ('access', evidence) | ('not_article', reason)."""
    if result.article is None:
        if result.access.state != "ok":
            return "access", access_evidence(result.access)
        return "not_article", result.not_article_reason or "not an article"
    return "article", Record(result.article.to_dict())


def access_evidence(access: Access) -> dict:
    """What a page's access verdict tells the crawler process: state, rule, what matched, the reason line."""
    return {"state": access.state, "rule": access.rule, "matched": access.matched, "reason": access.describe()}


def extract_with_links(
    body: bytes,
    url: str,
    options: Options,
    http_charset: str | None,
    headers: dict[str, str] | None = None,
    tdm: Any = None,
    parsed: Any = None,
) -> tuple[str, Any, ArticleLinks]:
    """In an extraction worker: extract_record's result, plus the page's links to the rest of its article (next
    page, one-page version, or the earlier page a continuation page links back to).
    `parsed`: the page already decoded and parsed (cleaners.parse_document), as analyse_page has it."""
    try:
        result = clean(body, url, options, http_charset=http_charset, headers=headers, tdm=tdm, parsed=parsed)
    except CleanwireError as exc:
        return "bad_input", exc.reason, ArticleLinks()
    return (*result_status(result), result.page_links)


def analyse_page(
    body: bytes, url: str, options, http_charset: str | None, headers: dict[str, str], tdm, encoding: str, listed: bool
) -> tuple[PageLinks | None, Verdict | None, tuple[str, object] | None]:
    """Runs in an extraction worker: the page's links and signals, its article verdict and, when the verdict
    lets it be emitted, its extraction (extract_with_links). The crawler process then only
    builds Requests: parsing every page for its links there made it the bottleneck of the crawl.
    The page is parsed once, as the cleaner parses it: links are read from the tree before the cleaner prunes it
    (a second parse for the links was ~6% of a worker's time)."""
    try:
        parsed = parse_document(body, url, http_charset)
    except CleanwireError as exc:  # not HTML to the cleaner: links as Scrapy's parser sees them, as before
        found = read_page(body, encoding, url)
        verdict = decide(url, found.og_type, found.ld_types, listed)
        return found, verdict, ("bad_input", exc.reason) if verdict.emit else None
    found = read_tree(parsed[1], url)
    verdict = decide(url, found.og_type, found.ld_types, listed)
    if not verdict.emit:
        return found, verdict, None
    if verdict.kind == ARTICLE:  # the cleaner's page-type doubt yields to the crawl's article verdict
        options = options.with_(article_signal=verdict.reason)
    status, payload, found.article_pages = extract_with_links(body, url, options, http_charset, headers, tdm, parsed)
    return found, verdict, (status, payload)


def _record_failed(reason: str, *args) -> Extracted:
    return "bad_input", reason


def _with_links_failed(reason: str, *args) -> tuple[str, str, ArticleLinks]:
    return "bad_input", reason, ArticleLinks()


def _analysis_failed(reason: str, *args) -> tuple[None, None, Extracted]:
    """No links or verdict (the crawler process reads them itself), and the page's failure as its extraction."""
    return None, None, ("bad_input", reason)


def _extracted_record(result: Any) -> Record | None:
    """The record in an extract_record or extract_with_links result: ('article', record, ...)."""
    return result[1] if result[0] == "article" else None


def _analysed_record(result: Any) -> Record | None:
    """The record in an analyse_page result: (links, verdict, ('article', record) | other | None)."""
    extracted = result[2]
    return extracted[1] if extracted is not None and extracted[0] == "article" else None


@dataclass(frozen=True)
class Task:
    """A function run in an extraction worker, `failed(reason, *args)`: its result, in the same shape, when the
    worker died on the page twice or the function raised, and `record(result)`: the article Record in a result,
    or None."""

    run: Callable
    failed: Callable
    record: Callable[[Any], Record | None] = _extracted_record


#: args of each: body, url, options, http_charset, headers, tdm, then ANALYSE's encoding and listed
EXTRACT = Task(extract_record, _record_failed)
EXTRACT_WITH_LINKS = Task(extract_with_links, _with_links_failed)
ANALYSE = Task(analyse_page, _analysis_failed, _analysed_record)


def run_task(task: Task, hook: Callable[[str], None] | None, sign: bool, *args) -> Any:
    """What a worker runs for a page: `hook(url)` first when given (CLEANWIRE_EXTRACT_HOOK: the plug-in point tests
    inject worker faults with), then the task; with `sign`, the article record gets its near-duplicate signature."""
    if hook is not None:
        hook(args[1])
    result = task.run(*args)
    if sign:
        record = task.record(result)
        if record is not None:
            from crawler.dedup.neardup import signature

            found = signature(record.get("text") or "")
            record.signature = b"" if found is None else found.tobytes()  # b"": a text without words
    return result
