"""Plain-text input: the seed scrape and a Spanish fixture cleaned into records, on the API and the CLI."""

from __future__ import annotations

import json
import subprocess

import pytest

from cleaners.textinput import case_style, extract_text, find_authors, headline_shaped, split_units

from conftest import CLEANWIRE, FIXTURES, ROOT

SEED_TEXT = ROOT.parent / "shared" / "seed" / "deftechtimes-taiwan-israel.txt"
TEXTS = FIXTURES / "text"
HEADINGS = [
    "Francois Wu’s Rare Visit With Sensitive Timing",
    "Defence Systems and Shared Security Concerns With Francois Wu",
    "Growing Exchanges Despite Diplomatic Limits",
]
PROMOS = [
    "Secret Pentagon warning says China could wipe out U.S. jets, ships, and satellites in hours if war erupts over Taiwan",
    "TSMC reportedly asked to buy 49% of Intel to secure U.S. tariff cuts for Taiwan",
    "China warns of New Zealand naval patrol in Taiwan Strait citing regional risks",
]


@pytest.fixture
def seed_text() -> str:
    if not SEED_TEXT.is_file():
        pytest.skip("seed text not found at ../shared/seed")
    return SEED_TEXT.read_text("utf-8")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def test_seed_removes_exactly_the_nine_boilerplate_lines(seed_text, validate):
    article = extract_text(seed_text)
    assert [(r.kind, r.text[:30]) for r in article.removed] == [
        ("author_box", "More from Author"),
        ("author_box", "Ruta R Deshpande"),
        ("author_box", "Ruta R Deshpande"),
        ("author_box", "Ruta Deshpande is a seasoned D"),
        ("promo", PROMOS[0][:30]),
        ("promo", PROMOS[1][:30]),
        ("promo", PROMOS[2][:30]),
        ("ad_marker", "- Advertisement -"),
        ("widget", "Trending on Deftechtimes"),
    ]
    assert [r.text for r in article.removed if r.kind == "promo"] == PROMOS
    validate(article.to_dict())


def test_seed_keeps_every_body_paragraph_and_the_headings(seed_text):
    article = extract_text(seed_text)
    paragraphs = _paragraphs(seed_text)
    assert article.title == paragraphs[0]
    body = [p for p in paragraphs[2:-2] if p not in PROMOS and "\n" not in p]
    assert [b.text for b in article.blocks] == body
    assert len(body) == 17
    assert [b.text for b in article.blocks if b.type == "heading"] == HEADINGS
    assert article.authors == ["Ruta R Deshpande"]
    assert article.author_bio.startswith("Ruta Deshpande is a seasoned Defense Technology Analyst")
    assert article.author_bio.endswith("strategic dialogue forums.")


def test_known_titles_and_keep_promo(seed_text):
    from cleaners import Options

    kept = extract_text(seed_text, options=Options(keep_kinds=frozenset({"promo"})))
    assert [b.text for b in kept.blocks if b.text in PROMOS] == PROMOS
    assert [r.kind for r in kept.removed].count("promo") == 0
    known = extract_text(seed_text, titles=[HEADINGS[2]])
    assert [r.rule for r in known.removed if r.text == HEADINGS[2]] == ["promo:known-title"]


def test_spanish_fixture_matches_its_expectations(validate):
    expect = json.loads((TEXTS / "movilidad-sevilla.expect.json").read_text("utf-8"))
    article = extract_text((TEXTS / "movilidad-sevilla.txt").read_text("utf-8"), url="https://example.es/plan/")
    assert article.title == expect["title"]
    assert article.authors == expect["authors"]
    assert article.author_bio == expect["author_bio"]
    assert [[b.type, b.text] for b in article.blocks] == expect["blocks"]
    assert [[r.kind, r.text] for r in article.removed] == expect["removed"]
    validate(article.to_dict())


def test_signals():
    assert split_units(
        "Title\n\nA long line that was wrapped by the scraper at a fixed width of\ncolumns.\nName One\n"
    ) == ["Title", "A long line that was wrapped by the scraper at a fixed width of columns.", "Name One"]
    headline = "China warns of New Zealand naval patrol in Taiwan Strait citing regional risks"
    assert split_units(f"Title\n{headline}\nThe body starts here.\n") == ["Title", headline, "The body starts here."]
    wrapped = [
        "The harbour office published its plan for the northern quay on",
        "Monday, after two years of surveys and a long public",
        "consultation.",
    ]
    assert split_units("\n".join(wrapped)) == [" ".join(wrapped)]
    assert case_style("Growing Exchanges Despite Diplomatic Limits") == "title"
    assert case_style("China warns of New Zealand naval patrol in Taiwan Strait") == "sentence"
    assert case_style("台湾外交部长访问以色列") is None
    assert headline_shaped("Qué cambia para los vecinos") and not headline_shaped("Una frase completa con punto final.")
    assert find_authors(["By Jane Q. Public", "Body text."]) == ["Jane Q. Public"]
    assert find_authors(["By Jane Doe and John Roe | 3 March 2025"]) == ["Jane Doe", "John Roe"]
    assert find_authors(["Von Anna Berger, 4. Mai 2025"]) == ["Anna Berger"]
    assert find_authors(["By the time the ferry arrived, the quay was empty"]) == []
    assert find_authors(["Jane Public", "Jane Public", "Body text."]) == ["Jane Public"]
    assert find_authors(["Jane Public", "Body text that merely follows a name line."]) == []
    assert find_authors(["More from Author", "Trending Now", "Jane Public", "Jane Public"]) == ["Jane Public"]


def test_byline_line_gives_authors_and_is_removed():
    body = "The harbour office published its plan for the northern quay on Monday after two years of surveys."
    article = extract_text(f"Quay plan published\n\nBy Jane Doe and John Roe\n\n{body}\n")
    assert article.authors == ["Jane Doe", "John Roe"]
    assert [(r.kind, r.rule) for r in article.removed] == [("metadata", "metadata:byline")]
    assert article.text == body
    dated = extract_text(f"Quay plan published\n\nBy Jane Doe | 3 March 2025\n\n{body}\n")
    assert dated.authors == ["Jane Doe"] and dated.text == body
    assert [r.kind for r in dated.removed] == ["metadata"]


def test_empty_text_is_not_an_article():
    assert extract_text("") is None
    assert extract_text("Only a title\n\n- Advertisement -\n") is None


def _cli(*args, input=None):
    return subprocess.run(
        [*CLEANWIRE, "extract", "--input-format", "text", *args],
        capture_output=True,
        cwd=ROOT,
        input=input,
        timeout=120,
    )


@pytest.mark.e2e
def test_cli_file_stdin_and_directory(seed_text, tmp_path):
    out = _cli("-", "--format", "text", input=seed_text.encode())
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert text.startswith(_paragraphs(seed_text)[0] + "\n\n")
    assert all(h in text for h in HEADINGS) and not any(p in text for p in PROMOS)
    out = _cli("-", "--format", "text", "--keep", "promo", input=seed_text.encode())
    assert all(p in out.stdout.decode() for p in PROMOS)
    (tmp_path / "a.txt").write_text(seed_text, "utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\0\1\2binary")
    out = _cli(str(tmp_path), str(TEXTS / "movilidad-sevilla.txt"))
    assert out.returncode == 1
    assert f"{tmp_path / 'bin.txt'}: binary data, not text" in out.stderr.decode()
    records = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [r["authors"] for r in records] == [["Ruta R Deshpande"], ["Lucía Romero"]]


@pytest.mark.e2e
def test_cli_titles_file(seed_text, tmp_path):
    titles = tmp_path / "titles.txt"
    titles.write_text(f"{HEADINGS[2]}\n\nSome other headline of the site\n", "utf-8")
    out = _cli("-", "--titles", str(titles), input=seed_text.encode())
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert {"kind": "promo", "rule": "promo:known-title", "text": HEADINGS[2]} in record["removed"]
    assert HEADINGS[2] not in record["text"]
    out = _cli("-", "--titles", str(tmp_path / "none.txt"), input=seed_text.encode())
    assert out.returncode == 2
    assert out.stderr.decode() == f"cleanwire extract: {tmp_path / 'none.txt'}: no such file\n"
