"""Score extraction against labelled pages (the DESIGN.md metric), beside plain trafilatura."""
from __future__ import annotations

import gzip
import json
import re
import statistics
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
TOKEN = re.compile(r"\w+")
SHINGLE = 4


@dataclass
class Scores:
    precision: float
    recall: float


def shingles(text: str) -> Counter:
    """Multiset of 4-token shingles of `text`, invisible characters dropped."""
    tokens = TOKEN.findall(INVISIBLE.sub("", text or ""))
    if not tokens:
        return Counter()
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def body_scores(truth: str, extracted: str) -> Scores:
    """Per-page precision and recall: tp, fp, fn over shingles, normalised to sum to one."""
    t, e = shingles(truth), shingles(extracted)
    tp = sum((t & e).values())
    fp = sum(e.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return Scores(1.0, 1.0)
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
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


def truth_body(row: dict) -> str:
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


def iter_pages(root: Path) -> Iterator[tuple[dict, bytes]]:
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
    return Output(article.text, article.title, credits, article.date_published)


def run_trafilatura(html: bytes, url: str) -> Output:
    from trafilatura import bare_extraction

    doc = bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return Output()
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Output(doc.text or "", doc.title, authors, doc.date)


SYSTEMS: dict[str, Callable[[bytes, str], Output]] = {"cleanwire": run_cleanwire, "trafilatura": run_trafilatura}


def score_page(row: dict, system: str, html: bytes) -> PageResult:
    start = time.perf_counter()
    try:
        out = SYSTEMS[system](html, row.get("url") or "")
    except Exception as exc:  # noqa: BLE001 - a crash is a figure of the benchmark
        out = Output(error=f"{type(exc).__name__}: {exc}")
    ms = (time.perf_counter() - start) * 1000
    scores = body_scores(truth_body(row), out.text)
    return PageResult(
        id=row["id"], system=system, precision=scores.precision, recall=scores.recall,
        title_ok=(fold_title(row["title"]) == fold_title(out.title)) if row.get("title") else None,
        author_f1=author_f1(row["authors"], out.authors) if row.get("authors") else None,
        date_ok=same_day(row["date_published"], out.date) if row.get("date_published") else None,
        ms=ms, error=out.error,
    )


def summarise(results: list[PageResult]) -> dict:
    def mean(values):
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else float("nan")

    p = mean(r.precision for r in results)
    r_ = mean(r.recall for r in results)
    return {
        "pages": len(results),
        "precision": p, "recall": r_, "f1": f1(p, r_),
        "title": mean(None if r.title_ok is None else float(r.title_ok) for r in results),
        "authors": mean(r.author_f1 for r in results),
        "date": mean(None if r.date_ok is None else float(r.date_ok) for r in results),
        "median_ms": statistics.median(r.ms for r in results) if results else float("nan"),
        "crashes": sum(1 for r in results if r.error),
    }


def bench(root: Path, systems: tuple[str, ...] = ("cleanwire", "trafilatura"), limit: int | None = None,
          progress: Callable[[int], None] | None = None) -> dict[str, list[PageResult]]:
    """Run each system on every page of a truth directory (interleaved, same process)."""
    results: dict[str, list[PageResult]] = {s: [] for s in systems}
    for n, (row, html) in enumerate(iter_pages(root), 1):
        if limit and n > limit:
            break
        for system in systems:
            results[system].append(score_page(row, system, html))
        if progress:
            progress(n)
    return results


def format_table(summaries: dict[str, dict]) -> str:
    head = f"{'system':<12} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'title':>6} {'author':>6} {'date':>6} {'ms/page':>8} {'crashes':>7}"
    lines = [head, "-" * len(head)]
    for name, s in summaries.items():
        lines.append(
            f"{name:<12} {s['pages']:>5} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} "
            f"{s['title']:>6.3f} {s['authors']:>6.3f} {s['date']:>6.3f} {s['median_ms']:>8.1f} {s['crashes']:>7}"
        )
    return "\n".join(lines)
