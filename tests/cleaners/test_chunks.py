"""Chunks: heading-bounded, cut at blocks, then lines and sentences, covering the record's text exactly once."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import Options, extract
from cleaners.article import Block, blocks_text
from cleaners.chunks import chunk_blocks, chunk_jsonl_rows, count_tokens


def rebuild(text: str, chunks: list[dict]) -> str:
    """`text` rebuilt from the chunks: each chunk's text where the previous left off, after whitespace only."""
    out, pos = [], 0
    for chunk in chunks:
        start = text.index(chunk["text"], pos)
        gap = text[pos:start]
        assert gap.strip() == "" and (pos == 0) == (start == 0), (gap, chunk)
        out.append(gap + chunk["text"])
        pos = start + len(chunk["text"])
    assert pos == len(text)
    return "".join(out)


def blocks(*specs) -> list[dict]:
    return [Block(t, x, level=2 if t == "heading" else None).to_dict() for t, x in specs]


def test_headings_open_chunks_and_give_the_path():
    b = blocks(
        ("paragraph", "Intro one. Intro two."),
        ("heading", "Costs"),
        ("paragraph", "Costs rose."),
        ("heading", "Outlook"),
        ("paragraph", "Calm ahead."),
    )
    b[3]["level"] = 3
    chunks = chunk_blocks(b, 100)
    assert [(c["heading_path"], c["text"], c["blocks"]) for c in chunks] == [
        ([], "Intro one. Intro two.", [0, 0]),
        (["Costs"], "Costs\n\nCosts rose.", [1, 2]),
        (["Costs", "Outlook"], "Outlook\n\nCalm ahead.", [3, 4]),
    ]
    assert [c["tokens"] for c in chunks] == [count_tokens(c["text"]) for c in chunks]


def test_a_heading_shares_its_chunk_with_what_follows():
    b = blocks(("heading", "A long enough heading"), ("paragraph", "one two three four five six seven eight nine."))
    chunks = chunk_blocks(b, 8)
    assert chunks[0]["text"].startswith("A long enough heading\n\none")
    assert all(c["heading_path"] == ["A long enough heading"] for c in chunks)


def test_whole_paragraphs_packed_then_sentences_then_words():
    para = "First sentence here. Second sentence here! Third one?"
    b = blocks(("paragraph", para), ("paragraph", "Short."), ("paragraph", "x " * 30 + "end"))
    chunks = chunk_blocks(b, 8)
    texts = [c["text"] for c in chunks]
    # tokens: "First sentence here." 5, "Second sentence here!" 5, "Third one?" 3, "Short." 2, "x" 1
    # a sentence longer than the chunk (31 tokens) is cut at spaces, its pieces packed like any others
    assert texts == [
        "First sentence here.",
        "Second sentence here! Third one?",
        "Short.\n\nx x x x x x",
        "x x x x x x x x",
        "x x x x x x x x",
        "x x x x x x x x",
        "end",
    ]
    assert all(c["tokens"] <= 8 for c in chunks)
    assert [c["blocks"] for c in chunks[:4]] == [[0, 0], [0, 0], [1, 2], [2, 2]]
    assert rebuild(blocks_text([Block(x["type"], x["text"]) for x in b]), chunks)


def test_cjk_sentences():
    b = blocks(("paragraph", "日本酒の輸出が増えた。" * 6))
    chunks = chunk_blocks(b, 25)
    assert all(c["text"].endswith("。") for c in chunks)
    assert "".join(c["text"] for c in chunks) == b[0]["text"]


def test_bad_size():
    with pytest.raises(ValueError, match="1 token or more"):
        chunk_blocks([], 0)


WORDS = st.text(alphabet=st.sampled_from("abcdefghij日本.!? \n。"), min_size=1, max_size=80)
BLOCK = st.tuples(st.sampled_from(["paragraph", "heading", "list", "figure", "code"]), WORDS)


@settings(max_examples=150, deadline=None)
@given(st.lists(BLOCK, max_size=12), st.integers(min_value=1, max_value=40))
def test_chunks_cover_the_text_exactly_once(specs, size):
    made = []
    for kind, raw in specs:
        text = "" if kind == "figure" else "\n".join(" ".join(line.split()) for line in raw.split("\n") if line.strip())
        made.append(Block(kind, text, level=2 if kind == "heading" else None))
    records = [b.to_dict() for b in made]
    text = blocks_text(made)
    chunks = chunk_blocks(records, size)
    assert rebuild(text, chunks) == text
    assert chunk_blocks(records, size) == chunks  # deterministic
    for c in chunks:
        first, last = c["blocks"]
        assert 0 <= first <= last < len(records)
        assert c["text"] and c["text"] == c["text"].strip()
    starts = [c["blocks"][0] for c in chunks]
    assert starts == sorted(starts)


def test_article_record_and_rows():
    html = (
        "<html lang='en'><head><title>Harbour</title></head><body><article><h1>Harbour</h1>"
        + "".join(
            f"<h2>Part {n}</h2><p>Paragraph {n} tells how traffic through the harbour grew again this "
            f"year. Ferries carried more people than ever before.</p>"
            for n in range(3)
        )
        + "</article></body></html>"
    )
    article = extract(html, url="https://courier.example/a", options=Options(chunk_tokens=30))
    record = article.to_dict()
    assert [c["heading_path"] for c in record["chunks"]] == [["Part 0"], ["Part 1"], ["Part 2"]]
    assert rebuild(record["text"], record["chunks"]) == record["text"]
    rows = chunk_jsonl_rows(record)
    assert [r["chunk"] for r in rows] == [0, 1, 2]
    assert {r["url"] for r in rows} == {"https://courier.example/a"}
    assert {r["content_hash"] for r in rows} == {record["content_hash"]}
    assert "chunks" not in extract(html, url="https://courier.example/a").to_dict()


def test_plain_text_input_gets_chunks_and_markdown():
    from cleaners.textinput import extract_text

    from conftest import FIXTURES

    text = (FIXTURES / "text" / "movilidad-sevilla.txt").read_text("utf-8")
    record = extract_text(text, options=Options(chunk_tokens=40, record_markdown=True)).to_dict()
    assert rebuild(record["text"], record["chunks"]) == record["text"]
    assert record["markdown"].startswith("---\ntitle: ")
