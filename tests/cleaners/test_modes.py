"""Modes and --keep/--drop: what precision, balanced and recall change, on the API and the CLI."""

from __future__ import annotations

import json
import subprocess

import pytest

from cleaners import Options, extract
from cleaners.options import MODE_KEEPS

from conftest import CLEANWIRE, PAGES, ROOT

URL = "https://news.example.org/2025/03/harbour-plan/"
SEED = PAGES / "neutral" / "taiwan-envoy-israel.html"
SEED_URL = "https://deftechtimes.com/taiwan-envoy-israel-missile-defence/"
PARAGRAPHS = [
    "The council approved a new ferry timetable on Tuesday evening after a debate that lasted almost four hours, "
    "with two members abstaining because the harbour office had not yet published its passenger figures.",
    "Repairs to the northern quay will begin in April. Engineers found that storms last winter had loosened several "
    "granite blocks, and the contractor expects the work to close the fish market's loading bay for six weeks.",
    "Fishing permits for small boats will cost slightly more next year, a change the local cooperative accepted in "
    "exchange for a promise that the slipway near the lighthouse is dredged before the autumn herring run.",
    "A tourist tax of two euros per night is planned from June; hotel owners argued it would drive visitors to the "
    "campsites across the bay, which are outside the municipality and would not collect it.",
    "Night buses between the station and the old town return in May, after drivers and the transport company "
    "settled a long dispute over overtime pay that had suspended the service since the pandemic.",
]


def _page(body: str, jsonld_body: str | None = None) -> str:
    ld = ""
    if jsonld_body is not None:
        ld = (
            '<script type="application/ld+json">'
            + json.dumps({"@type": "NewsArticle", "headline": "Harbour plan", "articleBody": jsonld_body})
            + "</script>"
        )
    return (
        f"<html><head><title>Harbour plan</title>{ld}</head><body><article><h1>Harbour plan</h1>"
        f"{body}</article></body></html>"
    )


def _texts(article) -> list[str]:
    return [b.text for b in article.blocks]


def test_precision_drops_blocks_absent_from_a_partial_articlebody():
    paragraphs = PARAGRAPHS
    html = _page("".join(f"<p>{p}</p>" for p in paragraphs), " ".join(paragraphs[:3]))
    balanced = extract(html, URL)
    precision = extract(html, URL, Options(mode="precision"))
    assert _texts(balanced) == paragraphs
    assert _texts(precision) == paragraphs[:3]
    assert [(r.kind, r.rule, r.text) for r in precision.removed if r.kind == "other"] == [
        ("other", "other:absent-from-jsonld-body", p) for p in paragraphs[3:]
    ]


def test_recall_ignores_articlebody_absence_that_balanced_acts_on():
    paragraphs = PARAGRAPHS
    html = _page("".join(f"<p>{p}</p>" for p in paragraphs), " ".join(paragraphs[:4]) + " " + paragraphs[4][:60])
    assert _texts(extract(html, URL)) == paragraphs[:4]
    assert _texts(extract(html, URL, Options(mode="recall"))) == ["Harbour plan", *paragraphs]


def _metadata_page() -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3])
    return _page(
        "<p>Updated: 12 March 2025, 10:30</p>"
        + paragraphs
        + '<figure><img src="/img/quay.jpg"><figcaption>The quay at dawn. Photo: Ana Lind</figcaption></figure>'
    )


def test_recall_keeps_metadata_lines_unless_dropped():
    html = _metadata_page()
    balanced = extract(html, URL)
    assert {r.kind for r in balanced.removed} >= {"metadata", "caption"}
    assert "Updated: 12 March 2025, 10:30" not in balanced.text
    recall = extract(html, URL, Options(mode="recall"))
    assert [(r.kind, r.text) for r in recall.removed] == [
        ("caption", "The quay at dawn."),
        ("caption", "Photo: Ana Lind"),
    ]
    assert _texts(recall)[:2] == ["Harbour plan", "Updated: 12 March 2025, 10:30"]  # the title repeat is metadata too
    dropped = extract(html, URL, Options(mode="recall", drop_kinds=frozenset({"metadata"})))
    assert "Updated: 12 March 2025, 10:30" not in dropped.text
    assert ("metadata", "Updated: 12 March 2025, 10:30") in {(r.kind, r.text) for r in dropped.removed}


def test_removes_resolves_drop_then_keep_then_mode():
    assert MODE_KEEPS["recall"] == frozenset({"metadata"})
    assert Options().removes("metadata") and not Options(mode="recall").removes("metadata")
    assert not Options(keep_kinds=frozenset({"promo"})).removes("promo")
    assert Options(mode="recall", drop_kinds=frozenset({"metadata"})).removes("metadata")
    with pytest.raises(ValueError, match="unknown boilerplate kind"):
        Options(keep_kinds=frozenset({"promos"}))


def _cli(*args):
    return subprocess.run(
        [*CLEANWIRE, "extract", str(SEED), "--url", SEED_URL, *args], capture_output=True, cwd=ROOT, timeout=120
    )


@pytest.mark.e2e
def test_cli_keep_promo_and_drop():
    kept = json.loads(_cli("--keep", "promo").stdout)
    assert "TSMC reportedly asked to buy 49% of Intel to secure U.S. tariff cuts for Taiwan" in kept["text"]
    assert not [r for r in kept["removed"] if r["kind"] == "promo"]
    default = json.loads(_cli().stdout)
    assert "TSMC reportedly" not in default["text"]
    out = _cli("--mode", "recall", "--keep", "author_box", "--drop", "author_box")
    record = json.loads(out.stdout)
    assert "More from Author" not in record["text"]
    assert _cli("--mode", "fast").returncode == 2


@pytest.mark.e2e
def test_known_titles_mark_unlinked_headlines_as_promos(tmp_path):
    headline = "Ferry operator orders two electric boats for the northern route"
    html = _page("".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3]) + f"<p>{headline}</p><p>{PARAGRAPHS[3]}</p>")
    assert headline in extract(html, URL).text
    article = extract(html, URL, Options(known_titles=(headline,)))
    assert ("promo", "promo:linked-headline", headline) in [(r.kind, r.rule, r.text) for r in article.removed]
    assert _texts(article) == PARAGRAPHS[:4]
    page, titles = tmp_path / "p.html", tmp_path / "titles.txt"
    page.write_text(html, "utf-8")
    titles.write_text(headline + "\n", "utf-8")
    out = subprocess.run(
        [*CLEANWIRE, "extract", str(page), "--url", URL, "--titles", str(titles), "--format", "text"],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert headline not in out.stdout.decode()
