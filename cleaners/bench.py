"""Score extraction against labelled pages (the DESIGN.md metric), beside plain trafilatura."""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
TOKEN = re.compile(r"\w+")
SHINGLE = 4


@dataclass
class Scores:
    precision: float
    recall: float


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Multiset of 4-token shingles of `text`, invisible characters dropped."""
    tokens = TOKEN.findall(INVISIBLE.sub("", text or ""))
    if not tokens:
        return Counter()
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def body_scores(truth: str, extracted: str) -> Scores:
    """Per-page precision and recall: tp, fp, fn over shingles, normalised to sum to one."""
    t, e = shingles(truth), shingles(extracted)
    tp = sum((t & e).values())
    fp = sum(e.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return Scores(1.0, 1.0)
    tp_share, fp_share, fn_share = tp / total, fp / total, fn / total
    precision = tp_share / (tp_share + fp_share) if tp_share + fp_share else 0.0
    recall = tp_share / (tp_share + fn_share) if tp_share + fn_share else 0.0
    return Scores(precision, recall)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def fold_title(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def norm_name(name: str) -> str:
    name = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(TOKEN.findall(name))


def author_f1(truth: list[str], got: list[str]) -> float:
    t = {norm_name(n) for n in truth if norm_name(n)}
    g = {norm_name(n) for n in got if norm_name(n)}
    if not t and not g:
        return 1.0
    if not t or not g:
        return 0.0
    tp = len(t & g)
    return f1(tp / len(g), tp / len(t))


def same_day(truth: str | None, got: str | None) -> bool:
    return bool(truth and got and truth[:10] == got[:10])


def truth_body(row: dict[str, Any]) -> str:
    parts = list(row.get("summary") or [])
    for section in row.get("sections") or []:
        parts.extend(section.get("headline") or [])
        parts.extend(section.get("paragraphs") or [])
    return "\n\n".join(parts)


@dataclass
class Output:
    text: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    error: str | None = None
    body_source: str | None = None  # cleanwire's provenance.body source (cleanwire or trafilatura_fallback)
    body_checked: bool = False  # the guard ran trafilatura a second time (provenance.body raw "checked ...")


@dataclass
class PageResult:
    id: str
    system: str
    precision: float
    recall: float
    title_ok: bool | None
    author_f1: float | None
    date_ok: bool | None
    ms: float
    error: str | None = None
    body_source: str | None = None
    body_checked: bool = False
    text: str = field(default="", repr=False)  # the extracted body, for --worst (left out of --json)

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "text"}


def iter_pages(root: Path) -> Iterator[tuple[dict[str, Any], bytes]]:
    truth = root / "truth.jsonl"
    for line in truth.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            yield row, gzip.decompress((root / "pages" / f"{row['id']}.html.gz").read_bytes())


def run_cleanwire(html: bytes, url: str) -> Output:
    from . import extract

    article = extract(html, url=url)
    if article is None:
        return Output()
    # the truth's "authors" are byline credits (people and agencies such as dpa); cleanwire keeps the
    # people in `authors` and the agencies in `organizations`, so both are compared
    credits = list(dict.fromkeys(article.authors + article.organizations))
    body = article.provenance.get("body") or {}
    return Output(
        article.text,
        article.title,
        credits,
        article.date_published,
        body_source=body.get("source"),
        body_checked=body.get("source") == "trafilatura_fallback" or str(body.get("raw")).startswith("checked"),
    )


def run_trafilatura(html: bytes, url: str) -> Output:
    from trafilatura import bare_extraction

    doc = bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return Output()
    assert not isinstance(doc, dict)  # a dict only with as_dict=True
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Output(doc.text or "", doc.title, authors, doc.date)


SYSTEMS: dict[str, Callable[[bytes, str], Output]] = {"cleanwire": run_cleanwire, "trafilatura": run_trafilatura}
WRECKED_BELOW = 0.5  # a page is wrecked when cleanwire's F1 is under this ...
WRECKED_REFERENCE = 0.8  # ... while trafilatura's is at least this
COVERED_SHARE = 0.5  # a line is found in a text when this share of its shingles is
EXCERPT_CHARS = 90  # --worst shows this much of each line kept or lost
EXCERPT_LINES = 2  # ... and this many lines of each


def score_page(
    row: dict[str, Any], system: str, html: bytes, runners: dict[str, Callable[[bytes, str], Output]] = SYSTEMS
) -> PageResult:
    start = time.perf_counter()
    try:
        out = runners[system](html, row.get("url") or "")
    except Exception as exc:  # a crash is a figure of the benchmark
        out = Output(error=f"{type(exc).__name__}: {exc}")
    ms = (time.perf_counter() - start) * 1000
    scores = body_scores(truth_body(row), out.text)
    return PageResult(
        id=row["id"],
        system=system,
        precision=scores.precision,
        recall=scores.recall,
        title_ok=(fold_title(row["title"]) == fold_title(out.title)) if row.get("title") else None,
        author_f1=author_f1(row["authors"], out.authors) if row.get("authors") else None,
        date_ok=same_day(row["date_published"], out.date) if row.get("date_published") else None,
        ms=ms,
        error=out.error,
        body_source=out.body_source,
        body_checked=out.body_checked,
        text=out.text,
    )


def summarise(results: list[PageResult]) -> dict[str, Any]:
    def mean(values: Iterable[float | None]) -> float:
        present = [v for v in values if v is not None]
        return sum(present) / len(present) if present else float("nan")

    p = mean(r.precision for r in results)
    r_ = mean(r.recall for r in results)
    return {
        "pages": len(results),
        "precision": p,
        "recall": r_,
        "f1": f1(p, r_),
        "title": mean(None if r.title_ok is None else float(r.title_ok) for r in results),
        "authors": mean(r.author_f1 for r in results),
        "date": mean(None if r.date_ok is None else float(r.date_ok) for r in results),
        "median_ms": statistics.median(r.ms for r in results) if results else float("nan"),
        "crashes": sum(1 for r in results if r.error),
        "fallbacks": sum(1 for r in results if r.body_source == "trafilatura_fallback"),
        "checked": sum(1 for r in results if r.body_checked),
    }


@dataclass
class CorpusRun:
    """One corpus scored: per-system page results and the truth body of each page."""

    name: str
    results: dict[str, list[PageResult]]
    truths: dict[str, str]

    def summaries(self) -> dict[str, dict[str, Any]]:
        out = {name: summarise(rows) for name, rows in self.results.items()}
        if "cleanwire" in out and "trafilatura" in out:
            out["cleanwire"]["wrecked"] = len(wrecked(self.results["cleanwire"], self.results["trafilatura"]))
        return out


def bench(
    root: Path,
    systems: tuple[str, ...] = ("cleanwire", "trafilatura"),
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    runners: dict[str, Callable[[bytes, str], Output]] = SYSTEMS,
) -> CorpusRun:
    """Run each system on every page of a truth directory (interleaved, same process).

    `runners` maps a system name to its extraction (html, url) -> Output (SYSTEMS: cleanwire and trafilatura).
    """
    results: dict[str, list[PageResult]] = {s: [] for s in systems}
    truths: dict[str, str] = {}
    for n, (row, html) in enumerate(iter_pages(root), 1):
        if limit and n > limit:
            break
        truths[row["id"]] = truth_body(row)
        for system in systems:
            results[system].append(score_page(row, system, html, runners))
        if progress:
            progress(n)
    return CorpusRun(root.name or str(root), results, truths)


def wrecked(ours: list[PageResult], reference: list[PageResult]) -> list[str]:
    """Ids of the pages where cleanwire's F1 is under WRECKED_BELOW while trafilatura's is WRECKED_REFERENCE or more."""
    ref = {r.id: r for r in reference}
    return [r.id for r in ours if r.id in ref and r.f1 < WRECKED_BELOW and ref[r.id].f1 >= WRECKED_REFERENCE]


@dataclass
class Loss:
    """A page where cleanwire scores below trafilatura: both F1s, and the lines it lost and added."""

    corpus: str
    id: str
    f1: float
    reference_f1: float
    chars: int
    reference_chars: int
    body_source: str | None
    lost: list[str]  # truth lines trafilatura has and cleanwire does not
    extra: list[str]  # cleanwire lines that are not in the truth


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _covered(line: str, grams: Counter[tuple[str, ...]]) -> bool:
    own = shingles(line)
    total = sum(own.values())
    return total > 0 and sum((own & grams).values()) >= COVERED_SHARE * total


def worst(run: CorpusRun, n: int) -> list[Loss]:
    """The n pages with the largest F1 loss of cleanwire against trafilatura (pages with a loss only)."""
    ref = {r.id: r for r in run.results.get("trafilatura", [])}
    pairs = [(r, ref[r.id]) for r in run.results.get("cleanwire", []) if r.id in ref and ref[r.id].f1 > r.f1]
    pairs.sort(key=lambda pair: (pair[0].f1 - pair[1].f1, pair[0].id))
    out = []
    for ours, theirs in pairs[:n]:
        truth = run.truths.get(ours.id, "")
        got, their_grams, truth_grams = shingles(ours.text), shingles(theirs.text), shingles(truth)
        lost = [line for line in _lines(truth) if _covered(line, their_grams) and not _covered(line, got)]
        extra = [line for line in _lines(ours.text) if not _covered(line, truth_grams)]
        out.append(
            Loss(run.name, ours.id, ours.f1, theirs.f1, len(ours.text), len(theirs.text), ours.body_source, lost, extra)
        )
    return out


def _excerpt(lines: list[str]) -> str:
    shown = [line if len(line) <= EXCERPT_CHARS else line[: EXCERPT_CHARS - 1] + "…" for line in lines[:EXCERPT_LINES]]
    more = f" (+{len(lines) - EXCERPT_LINES} more)" if len(lines) > EXCERPT_LINES else ""
    return " | ".join(shown) + more


def format_worst(losses: list[Loss]) -> str:
    """One entry per page: F1 beside trafilatura's, characters kept, then what was lost and what was added."""
    out = []
    for loss in losses:
        source = f", {loss.body_source}" if loss.body_source else ""
        out.append(
            f"{loss.corpus}/{loss.id}  F1 {loss.f1:.3f} vs trafilatura {loss.reference_f1:.3f}  "
            f"({loss.chars} vs {loss.reference_chars} chars{source})"
        )
        lost_chars, extra_chars = sum(map(len, loss.lost)), sum(map(len, loss.extra))
        if loss.lost:
            out.append(f"  lost  {len(loss.lost)} lines, {lost_chars} chars: {_excerpt(loss.lost)}")
        if loss.extra:
            out.append(f"  extra {len(loss.extra)} lines, {extra_chars} chars: {_excerpt(loss.extra)}")
    return "\n".join(out)


def _figure(value: object, spec: str, width: int) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return f"{'-':>{width}}"
    return f"{value:>{width}{spec}}"


def _guard_figure(summary: dict[str, Any]) -> str:
    return f"{summary['fallbacks']}/{summary['checked']}"


def format_table(runs: list[CorpusRun]) -> str:
    """One row per corpus and system; `wrecked` and `guard` are cleanwire's (see `wrecked`; guard: pages whose
    body is trafilatura's / pages the guard ran trafilatura a second time on)."""
    width = max([len("corpus")] + [len(run.name) for run in runs])
    head = (
        f"{'corpus':<{width}} {'system':<12} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'title':>6} {'author':>6} "
        f"{'date':>6} {'ms/page':>8} {'wrecked':>7} {'guard':>7} {'crashes':>7}"
    )
    lines = [head, "-" * len(head)]
    for run in runs:
        for name, s in run.summaries().items():
            mine = name == "cleanwire"
            lines.append(
                f"{run.name:<{width}} {name:<12} {s['pages']:>5} {_figure(s['precision'], '.3f', 6)} "
                f"{_figure(s['recall'], '.3f', 6)} {_figure(s['f1'], '.3f', 6)} {_figure(s['title'], '.3f', 6)} "
                f"{_figure(s['authors'], '.3f', 6)} {_figure(s['date'], '.3f', 6)} {_figure(s['median_ms'], '.1f', 8)} "
                f"{_figure(s.get('wrecked'), 'd', 7)} {_guard_figure(s) if mine else '-':>7} {s['crashes']:>7}"
            )
    return "\n".join(lines)
