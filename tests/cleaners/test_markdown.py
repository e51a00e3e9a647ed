"""Markdown output: YAML front matter quoting, escaping of Markdown-special characters, every block kind."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import extract
from cleaners.markdown import block_markdown, escape, front_matter, to_markdown, yaml_string

RECORD = {
    "title": 'Ports: "record" year # 1',
    "authors": ["Ana Lima", "O'Brien: Sean"],
    "date_published": "2025-03-04T09:30:00+01:00",
    "date_modified": None,
    "url": "https://courier.example/news/harbour?a=1&b=2",
    "language": "en",
    "tags": [],
    "blocks": [
        {"type": "heading", "text": "Why *now*?", "level": 2},
        {"type": "paragraph", "text": "Prices rose 5% [est.] in_total\nsecond line"},
        {"type": "list", "text": "one\n- two", "items": ["one", "- two"]},
        {"type": "quote", "text": "We are proud.", "attribution": "Maria Costa"},
        {"type": "table", "text": "A | B\n1 | x|y", "rows": [["A", "B"], ["1", "x|y"]], "header": True},
        {
            "type": "figure",
            "text": "",
            "src": "https://img.example/a b.jpg",
            "caption": "Cranes at dusk",
            "credit": "Photo: Ana Lima",
            "alt": "Cranes",
        },
        {"type": "embed", "text": "", "provider": "youtube", "url": "https://www.youtube.com/watch?v=abc"},
        {"type": "code", "text": "print(```)"},
    ],
}


def test_front_matter_exact():
    assert front_matter(RECORD) == (
        "---\n"
        'title: "Ports: \\"record\\" year # 1"\n'
        "authors:\n"
        '  - "Ana Lima"\n'
        '  - "O\'Brien: Sean"\n'
        'date_published: "2025-03-04T09:30:00+01:00"\n'
        "date_modified: null\n"
        'url: "https://courier.example/news/harbour?a=1&b=2"\n'
        'language: "en"\n'
        "tags: []\n"
        "---"
    )


@pytest.mark.parametrize(
    "value, quoted",
    [
        ("plain", '"plain"'),
        ('back\\slash "q"', '"back\\\\slash \\"q\\""'),
        ("line\nbreak\ttab", '"line\\nbreak\\ttab"'),
        ("bell\x07 del\x7f nel\x85 ls\u2028 bom\ufeff", '"bell\\u0007 del\\u007f nel\\u0085 ls\\u2028 bom\\ufeff"'),
        ("ünïcödé 日本", '"ünïcödé 日本"'),
        ("- yes: no", '"- yes: no"'),
    ],
)
def test_yaml_string(value, quoted):
    assert yaml_string(value) == quoted


def test_front_matter_parses_back_with_a_yaml_parser():
    import yaml  # the test extras pin PyYAML

    record = dict(RECORD, title="a\x07b\u2028c: d # e", tags=["x", "null", "true", "1.5"])
    head = front_matter(record)
    data = yaml.safe_load(head.strip("-\n"))
    assert data["title"] == record["title"]
    assert data["tags"] == ["x", "null", "true", "1.5"]
    assert data["authors"] == RECORD["authors"]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=40), st.lists(st.text(max_size=10), max_size=3))
def test_any_title_and_authors_parse_back(title, authors):
    import yaml

    data = yaml.safe_load(front_matter(dict(RECORD, title=title, authors=authors)).strip("-\n"))
    assert (data["title"], data["authors"]) == (title, authors)


@pytest.mark.parametrize(
    "text, escaped",
    [
        ("a *b* _c_ `d` [e](f) <g> x|y ~z~", "a \\*b\\* \\_c\\_ \\`d\\` \\[e\\](f) \\<g\\> x\\|y \\~z\\~"),
        ("# not a heading", "\\# not a heading"),
        ("#hashtag stays", "#hashtag stays"),
        ("- not an item", "\\- not an item"),
        ("-5 degrees", "-5 degrees"),
        ("+ plus", "\\+ plus"),
        ("===", "\\==="),
        ("1. not a list", "1\\. not a list"),
        ("8.1 million", "8.1 million"),
        ("AT&amp;T and &#38;", "AT\\&amp;T and \\&#38;"),
        ("R&D", "R&D"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_escape(text, escaped):
    assert escape(text) == escaped


def test_blocks():
    blocks = RECORD["blocks"]
    assert [block_markdown(b) for b in blocks] == [
        "## Why \\*now\\*?",
        "Prices rose 5% \\[est.\\] in\\_total\\\nsecond line",
        "- one\n- \\- two",
        "> We are proud.\n>\n> — Maria Costa",
        "| A | B |\n| --- | --- |\n| 1 | x\\|y |",
        "![Cranes](https://img.example/a%20b.jpg)\\\n*Cranes at dusk* (Photo: Ana Lima)",
        "[YouTube video](https://www.youtube.com/watch?v=abc)",
        "````\nprint(```)\n````",
    ]


def test_table_without_header_gets_an_empty_header_row():
    block = {"type": "table", "text": "a | b\nc", "rows": [["a", "b"], ["c"]], "header": False}
    assert block_markdown(block) == "|  |  |\n| --- | --- |\n| a | b |\n| c |  |"


def test_document():
    doc = to_markdown(RECORD)
    assert doc.startswith("---\ntitle: ")
    assert '\n---\n\n# Ports: "record" year # 1\n\n## Why \\*now\\*?\n\n' in doc
    assert doc.endswith("````\nprint(```)\n````\n")


def test_article_markdown_and_record_field():
    html = (
        "<html lang='en'><head><title>Harbour traffic sets a record</title></head><body><article>"
        "<h1>Harbour traffic sets a record</h1>"
        + "".join(
            f"<p>Paragraph {n} of the article about the harbour says that traffic grew again this year, "
            f"with more ferries and ships than ever.</p>"
            for n in range(4)
        )
        + "</article></body></html>"
    )
    from cleaners import Options

    plain = extract(html, url="https://courier.example/a")
    assert "markdown" not in plain.to_dict()
    article = extract(html, url="https://courier.example/a", options=Options(record_markdown=True))
    record = article.to_dict()
    assert record["markdown"] == article.markdown == to_markdown({k: v for k, v in record.items() if k != "markdown"})
    assert record["markdown"].startswith('---\ntitle: "Harbour traffic sets a record"\n')
    assert "\n\nParagraph 3 of the article" in record["markdown"]
