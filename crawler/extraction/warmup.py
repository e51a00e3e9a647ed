"""Imported once by the extraction workers' forkserver (see crawler.extraction.pool.WorkerPool): a small page is cleaned
there, so the language model (LZMA-compressed, ~0.5 s to load) and the cleaner's lazily built tables are loaded
once, and every worker forked from the server starts with them instead of loading its own copy."""

from __future__ import annotations

import logging

WARMUP_URL = "https://warmup.invalid/2025/01/02/harbour-ferry-pier-plans/"
_PARAGRAPH = (
    "The harbour board met on Tuesday evening to weigh three plans for the old ferry pier, which has been "
    "closed to the public since the winter storms damaged its timber deck and railings. "
)
WARMUP_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Ferry pier plans | Courier</title>"
    "<meta property='og:type' content='article'></head><body><nav><a href='/'>Home</a></nav><article>"
    "<h1>Board weighs three plans for the old ferry pier</h1><p class='byline'>By A. Writer</p>"
    + "".join(f"<p>{_PARAGRAPH * 2}Plan {n} was discussed at length.</p>" for n in range(6))
    + "</article><footer><p>© Courier</p></footer></body></html>"
).encode()


def warm_up() -> None:
    try:
        from cleaners import clean

        clean(WARMUP_PAGE, WARMUP_URL)
        _load_justext_stoplists()
    except Exception:  # a warm-up that fails only leaves the work to each worker
        logging.getLogger(__name__).debug("extraction warm-up failed", exc_info=True)


def _load_justext_stoplists() -> None:
    """Trafilatura's justext fallback joins all of justext's stoplists on first use (~0.06 s CPU): the warm-up page
    never needs that fallback, so each worker paid it again. Skipped if trafilatura's internals change."""
    try:
        from trafilatura import external
    except ImportError:
        return
    if getattr(external, "JT_STOPLIST", ()) is None and callable(getattr(external, "jt_stoplist_init", None)):
        external.jt_stoplist_init()


warm_up()
