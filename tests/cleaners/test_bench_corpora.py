"""`cleanwire bench` over constructed mini-corpora: one row per corpus and system, wrecked pages, --worst."""

from __future__ import annotations

import argparse
import gzip
import json

import pytest

from cleaners.bench import Output, bench, format_table, format_worst, worst
from crawler.cli import bench as bench_command

# truth bodies of the mini-corpus (one line each is one paragraph)
TRUTH = {
    "a": "the harbour council voted on monday to close the old ferry pier for repairs\n"
    "repairs will take six weeks and cost nine hundred thousand euros",
    "b": "a storm knocked out power to four villages on the north coast overnight",
    "c": "the library opens a new reading room for children in the spring term",
}
# what each fake system extracts
OURS = {
    "a": "the harbour council voted on monday to close the old ferry pier for repairs\n"
    "Skip to content\nNews | Politics | Sport | Weather",  # lost line 2, added menu lines
    "b": "Accept all cookies to continue reading this site",  # wrecked
    "c": "the library opens a new reading room for children in the spring term",  # perfect
}
THEIRS = {
    "a": TRUTH["a"],
    "b": TRUTH["b"],
    "c": "the library opens a new reading room for children in the spring term today",
}


def _corpus(root, ids):
    (root / "pages").mkdir(parents=True)
    rows = []
    for i in ids:
        rows.append(
            {
                "id": i,
                "url": f"https://example.org/{i}",
                "title": None,
                "authors": None,
                "date_published": None,
                "summary": [],
                "sections": [{"headline": [], "paragraphs": TRUTH[i].split("\n")}],
            }
        )
        (root / "pages" / f"{i}.html.gz").write_bytes(gzip.compress(f"<html><body>{i}</body></html>".encode()))
    (root / "truth.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return root


def _runner(texts):
    return lambda html, url: Output(texts[url.rsplit("/", 1)[1]])


RUNNERS = {"cleanwire": _runner(OURS), "trafilatura": _runner(THEIRS)}


def test_wrecked_and_figures(tmp_path):
    run = bench(_corpus(tmp_path / "news", ["a", "b", "c"]), runners=RUNNERS)
    s = run.summaries()
    ours = {r.id: r for r in run.results["cleanwire"]}
    assert ours["b"].precision == 0.0 and ours["b"].recall == 0.0
    assert ours["c"].precision == 1.0 and ours["c"].recall == 1.0
    assert s["cleanwire"]["wrecked"] == 1  # page b only: 0.0 against trafilatura's 1.0
    assert "wrecked" not in s["trafilatura"]
    assert s["cleanwire"]["pages"] == 3 and s["trafilatura"]["pages"] == 3
    assert s["trafilatura"]["f1"] > s["cleanwire"]["f1"]


def test_exact_page_scores(tmp_path):
    run = bench(_corpus(tmp_path / "news", ["a"]), runners=RUNNERS)
    ours = run.results["cleanwire"][0]
    # truth: 14 + 11 = 25 tokens, 22 shingles; ours: 14 + 3 + 4 = 21 tokens, 18 shingles, of which the 11
    # of the first line are shared with the truth: tp 11, fp 7, fn 11
    assert ours.precision == pytest.approx(11 / 18)
    assert ours.recall == pytest.approx(11 / 22)


def test_worst_lists_lost_and_added_lines(tmp_path):
    run = bench(_corpus(tmp_path / "news", ["a", "b", "c"]), runners=RUNNERS)
    losses = worst(run, 5)
    assert [loss.id for loss in losses] == ["b", "a"]  # c scores higher than trafilatura: not a loss
    b, a = losses
    assert b.lost == [TRUTH["b"]] and b.extra == [OURS["b"]]
    assert a.lost == ["repairs will take six weeks and cost nine hundred thousand euros"]
    assert a.extra == ["Skip to content", "News | Politics | Sport | Weather"]
    assert worst(run, 1) == losses[:1]
    text = format_worst(losses[:1])
    assert text.splitlines() == [
        "news/b  F1 0.000 vs trafilatura 1.000  (48 vs 71 chars)",
        "  lost  1 lines, 71 chars: a storm knocked out power to four villages on the north coast overnight",
        "  extra 1 lines, 48 chars: Accept all cookies to continue reading this site",
    ]


def test_table_has_a_row_per_corpus_and_system(tmp_path):
    runs = [
        bench(_corpus(tmp_path / "news", ["a", "b"]), runners=RUNNERS),
        bench(_corpus(tmp_path / "docs", ["c"]), runners=RUNNERS),
    ]
    lines = format_table(runs).splitlines()
    assert lines[0].split() == [
        "corpus",
        "system",
        "pages",
        "P",
        "R",
        "F1",
        "title",
        "author",
        "date",
        "ms/page",
        "wrecked",
        "guard",
        "crashes",
    ]
    rows = [line.split() for line in lines[2:]]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("news", "cleanwire", "2"),
        ("news", "trafilatura", "2"),
        ("docs", "cleanwire", "1"),
        ("docs", "trafilatura", "1"),
    ]
    assert [r[10] for r in rows] == ["1", "-", "0", "-"]  # wrecked: cleanwire's only
    assert [r[11] for r in rows] == ["0/0", "-", "0/0", "-"]  # no fallback, no second extraction
    assert rows[2][3:6] == ["1.000", "1.000", "1.000"]
    assert rows[0][6:9] == ["-", "-", "-"]  # no titles, authors, dates in the truth


def test_command_runs_several_corpora(tmp_path, capsys):
    news = _corpus(tmp_path / "news", ["a", "b"])
    docs = _corpus(tmp_path / "docs", ["c"])
    out = tmp_path / "figures.json"
    args = argparse.Namespace(directory=[str(news), str(docs)], json=str(out), limit=None, only=None, worst=3)
    assert bench_command.run(args) == 0
    printed = capsys.readouterr().out
    rows = [line.split()[:3] for line in printed.splitlines()[2:6]]
    assert rows == [
        ["news", "cleanwire", "2"],
        ["news", "trafilatura", "2"],
        ["docs", "cleanwire", "1"],
        ["docs", "trafilatura", "1"],
    ]
    payload = json.loads(out.read_text("utf-8"))
    assert list(payload) == ["news", "docs"]
    assert [p["id"] for p in payload["docs"]["pages"]["cleanwire"]] == ["c"]
    assert "text" not in payload["docs"]["pages"]["cleanwire"][0]


def test_command_refuses_a_directory_without_truth(tmp_path):
    news = _corpus(tmp_path / "news", ["a"])
    args = argparse.Namespace(directory=[str(news), str(tmp_path)], json=None, limit=None, only=None, worst=0)
    from cleaners.errors import InputError

    with pytest.raises(InputError, match=r"no truth\.jsonl"):
        bench_command.run(args)


def test_guard_column_counts_fallbacks_and_second_extractions(tmp_path):
    sources = {"a": ("trafilatura_fallback", True), "b": ("cleanwire", True), "c": ("cleanwire", False)}

    def ours(html, url):
        page = url.rsplit("/", 1)[1]
        source, checked = sources[page]
        return Output(OURS[page], body_source=source, body_checked=checked)

    run = bench(
        _corpus(tmp_path / "news", ["a", "b", "c"]), runners={"cleanwire": ours, "trafilatura": RUNNERS["trafilatura"]}
    )
    s = run.summaries()["cleanwire"]
    assert (s["fallbacks"], s["checked"]) == (1, 2)
    assert format_table([run]).splitlines()[2].split()[11] == "1/2"
    assert (
        format_worst(worst(run, 1)).splitlines()[0]
        == "news/b  F1 0.000 vs trafilatura 1.000  (48 vs 71 chars, cleanwire)"
    )
