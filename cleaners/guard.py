"""Do-no-harm guard: trafilatura's own extraction of the page is the floor under cleanwire's body.

Cheap checks first (`suspicion`): an empty or short body, one much shorter than the page's prose or
its JSON-LD articleBody, one made mostly of menu, link or consent lines. Only a suspicious body pays
for a second extraction (plain trafilatura on the unpruned page, `reference_body`); when cleanwire's
body is wrecked beside it (`wreck`), the record takes trafilatura's body instead, cleaned only by the
filters that cannot remove body text (`filters.filter_fallback`). `provenance.body` says which.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from .bench import shingles
from .body import Candidate, run_trafilatura, to_candidates
from .context import Context
from .filters import filter_fallback, junk_line
from .options import Options
from .parse import parse
from .text import text_of

SUSPECT_CHARS = 500  # a kept body shorter than this gets a second opinion (a longer one that lost most
#                               of the page is caught by the prose and articleBody checks)
PROSE_PARAGRAPH_CHARS = 200  # a <p> this long is prose (counted on the page before pruning)
PROSE_SHARE = 0.5  # a body holding less than this share of the page's prose gets a second opinion
JSONLD_SHARE = 0.5  # ... as does one holding less than this share of the JSON-LD articleBody
JUNK_SHARE = 0.4  # a body with this share of its characters in menu, link or consent lines is suspect
JUNK_LINK_DENSITY = 0.5  # a block this much linked counts as link lines
TINY_SHARE = 0.25  # a body with less text outside junk lines than this share of trafilatura's is wrecked
MISSING_SHARE = 0.5  # ... as is one missing this share of trafilatura's text, not explained by rule removals,
FOREIGN_SHARE = 0.5  # ... with this share of its own text outside trafilatura's (another region of the page)
MIN_REFERENCE_CHARS = (
    400  # trafilatura's text outside junk lines must be this long to be an article worth falling back to
)
JUNK_BLOCKS = ("paragraph", "list", "quote")  # block types whose lines may be menus (not headings, tables, code)
UNEXPLAINED_RULES = ("other:outside-main-content",)  # removals that record the extractor's choice, not a rule's


@dataclass
class Verdict:
    """Which body the record keeps, and why (the record's provenance.body)."""

    source: str  # cleanwire | trafilatura_fallback
    reason: str

    def provenance(self) -> dict[str, Any]:
        return {"source": self.source, "raw": self.reason}


def prose_chars(tree: HtmlElement) -> int:
    """Characters of the page's long paragraphs (before pruning): roughly what an article body holds."""
    total = 0
    for p in tree.iter("p"):
        n = len(text_of(p))
        if n >= PROSE_PARAGRAPH_CHARS:
            total += n
    return total


def junk_chars(cands: list[Candidate]) -> int:
    """Characters of a body in menu items, short link lines and consent, privacy or navigation lines."""
    total = 0
    for cand in cands:
        if cand.block.type not in JUNK_BLOCKS:
            continue
        if cand.link_density >= JUNK_LINK_DENSITY:
            total += len(cand.text)
            continue
        total += sum(len(line) for line in cand.text.split("\n") if junk_line(line))
    return total


def suspicion(kept: list[Candidate], prose: int, article_body: str | None) -> str | None:
    """Why the kept body needs a second opinion (cheap checks, no extraction), or None."""
    chars = sum(len(c.text) for c in kept if c.block.type != "heading")
    if not kept:
        return "empty body"
    if chars < SUSPECT_CHARS:
        return f"short body ({chars} chars)"
    if chars < PROSE_SHARE * prose:
        return f"body holds {chars} of the page's {prose} prose chars"
    if article_body and chars < JSONLD_SHARE * len(article_body):
        return f"body holds {chars} of articleBody's {len(article_body)} chars"
    junk = junk_chars(kept)
    if junk >= JUNK_SHARE * chars:
        return f"{round(100 * junk / chars)}% menu, link or consent lines"
    return None


def reference_body(doc: str, url: str | None, options: Options) -> list[Candidate]:
    """trafilatura's own extraction of the page (unpruned, with its fallback extractors), as candidates."""
    tree = parse(doc, url or "<input>")
    body = run_trafilatura(tree, url, options, fast=False)
    return to_candidates(body, url) if body is not None else []


def _explained(removed_texts: list[str]) -> Counter[tuple[str, ...]]:
    grams: Counter[tuple[str, ...]] = Counter()
    for text in removed_texts:
        grams |= shingles(text)
    return grams


def wreck(kept: list[Candidate], reference: list[Candidate], removed_texts: list[str]) -> str | None:
    """Why cleanwire's body is wrecked beside trafilatura's, or None when it holds up.

    Bodies are compared on their text outside junk lines (`junk_chars`). `removed_texts` are the texts
    rules removed: trafilatura text they account for is not missing.
    """
    ref_text = "\n".join(c.text for c in reference)
    ref_body = len(ref_text) - junk_chars(reference)
    if ref_body < MIN_REFERENCE_CHARS:
        return None  # trafilatura finds no article either
    text = "\n".join(c.text for c in kept)
    if not text:
        return f"empty where trafilatura keeps {len(ref_text)} chars"
    junk = junk_chars(kept)
    if len(text) - junk < TINY_SHARE * ref_body:
        share = f" ({round(100 * junk / len(text))}% menu, link or consent lines)" if junk else ""
        return f"{len(text)} chars{share} where trafilatura keeps {len(ref_text)}"
    ref_grams, got = shingles(ref_text), shingles(text)
    missing = ref_grams - got
    unexplained = missing - _explained(removed_texts) if missing else missing
    total, lost = sum(ref_grams.values()), sum(unexplained.values())
    own = sum(got.values())
    foreign = sum((got - ref_grams).values())
    if total and lost >= MISSING_SHARE * total and foreign >= FOREIGN_SHARE * own:
        return (
            f"{round(100 * lost / total)}% of trafilatura's text missing (no rule removed it) "
            f"and {round(100 * foreign / own)}% of the body elsewhere on the page"
        )
    if junk >= JUNK_SHARE * len(text) and junk_chars(reference) < JUNK_SHARE * len(ref_text) / 2:
        return f"{round(100 * junk / len(text))}% menu, link or consent lines"
    return None


def guard(
    doc: str, url: str | None, cands: list[Candidate], ctx: Context, options: Options, prose: int, title: str | None
) -> tuple[Verdict, list[Candidate] | None]:
    """The verdict on cleanwire's body, and trafilatura's (filtered) candidates when the record takes them.

    On a fallback, ctx.removed holds only what the fallback filters removed from trafilatura's body. Both
    bodies are compared as the record would hold them: trafilatura's after the fallback filters.
    """
    kept = [c for c in cands if not c.removed]
    why = suspicion(kept, prose, ctx.article_body)
    if why is None:
        return Verdict("cleanwire", "ok"), None
    reference = reference_body(doc, url, options)
    removed = ctx.removed
    ctx.removed = []
    filter_fallback(reference, ctx, title)  # trafilatura's body as the record would hold it
    fallback_removed, ctx.removed = ctx.removed, removed
    explained = [r.text for r in removed if r.rule not in UNEXPLAINED_RULES]
    wrecked = wreck(kept, [c for c in reference if not c.removed], explained)
    if wrecked is None:
        return Verdict("cleanwire", f"checked ({why}): trafilatura no better"), None
    ctx.removed = fallback_removed
    return Verdict("trafilatura_fallback", wrecked), reference
