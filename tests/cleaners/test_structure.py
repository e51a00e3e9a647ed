"""Structure in blocks: figures, data tables (spans expanded), layout tables, embeds and quote attributions."""

from __future__ import annotations

import json

import lxml.html
import pytest

from cleaners import extract
from cleaners.options import Options

from conftest import PAGES

EN = PAGES / "structure-en" / "harbour-record-year.html"
DE = PAGES / "structure-de" / "stadtwerke-strompreise.html"
FR = PAGES / "structure-fr" / "festival-jazz-marciac.html"


def _record(page, options=None):
    url = json.loads(page.with_suffix(".expect.json").read_text("utf-8"))["url"]
    return extract(page.read_bytes(), url=url, **({"options": options} if options else {})).to_dict()


def _shape(record):
    """Blocks as (type, the keys that tell it apart) in order; paragraphs by their first words."""
    out = []
    for b in record["blocks"]:
        if b["type"] in ("figure", "embed", "table"):
            out.append({k: v for k, v in b.items() if k not in ("text", "rows")})
        else:
            out.append((b["type"], " ".join(b["text"].split()[:3])))
    return out


def test_english_page_blocks_in_page_order():
    record = _record(EN)
    assert _shape(record) == [
        ("paragraph", "Traffic through Bayside"),
        {
            "type": "figure",
            "src": "https://www.baysidecourier.example/media/2025/04/cranes-dusk.jpg",
            "caption": "The container terminal at dusk on Monday.",
            "credit": "Photo: Ana Lima / Bayside Courier",
            "alt": "Cranes over the container terminal at dusk",
        },
        ("paragraph", "The authority counted"),
        {"type": "table", "header": True, "caption": "Ship calls and cargo, 2022 to 2024"},
        ("paragraph", "Harbour master Maria"),
        ("quote", "Every ship that"),
        ("heading", "What the new"),
        ("paragraph", "The deep-water terminal"),
        ("paragraph", "Its two new"),
        ("paragraph", "Local firms have"),
        {"type": "embed", "provider": "youtube", "url": "https://www.youtube.com/watch?v=Hx7pQe2vLmA"},
        ("paragraph", "The authority posted"),
        {"type": "embed", "provider": "twitter", "url": "https://twitter.com/BaysidePort/status/1874512345678901234"},
        {"type": "embed", "provider": "instagram", "url": "https://www.instagram.com/p/C9xYzAbCdEf/"},
        ("paragraph", "Not everyone welcomes"),
        {"type": "embed", "provider": "tiktok", "url": "https://www.tiktok.com/@harbourroad/video/7301234567890123456"},
        {"type": "embed", "provider": "facebook", "url": "https://www.facebook.com/BaysideResidents/posts/981234567"},
        ("paragraph", "The council will"),
        {"type": "embed", "provider": "spotify", "url": "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk"},
        {
            "type": "figure",
            "src": "https://cdn.baysidecourier.example/media/2025/04/petition.jpg",
            "caption": "Residents handing in the petition at the town hall.",
            "credit": "AP",
            "alt": None,
        },
        ("paragraph", "Work on the"),
    ]
    table = next(b for b in record["blocks"] if b["type"] == "table")
    assert table["rows"] == [
        ["Year", "Ship calls", "Cargo (tonnes)"],
        ["2022", "1,050", "7.2 million"],
        ["2023", "1,204", "8.1 million"],
        ["2024 (estimate, first nine months)", "2024 (estimate, first nine months)", "6.4 million"],
    ]
    assert table["text"] == (
        "Ship calls and cargo, 2022 to 2024\nYear | Ship calls | Cargo (tonnes)\n2022 | 1,050 | "
        "7.2 million\n2023 | 1,204 | 8.1 million\n2024 (estimate, first nine months) | 6.4 million"
    )
    quote = next(b for b in record["blocks"] if b["type"] == "quote")
    assert quote["attribution"] == "Maria Costa, harbour master"
    # figures and embeds add nothing to the text; the embedded posts' own words are removed, recorded
    assert "View this post on Instagram" not in record["text"] and "Photo: Ana Lima" not in record["text"]
    assert "\n\n\n" not in record["text"]
    assert [r["text"] for r in record["removed"] if r["rule"] == "social:embedded-post"] == [
        "The last ship of a record year has berthed. Thank you to every crew and every docker.— Bayside Port "
        "Authority (@BaysidePort)December 31, 2024",
        "View this post on Instagram",
        "@harbourroad",
    ]
    # neither the related story's figure nor the ad iframe outside the article
    assert "ferry.jpg" not in json.dumps(record["blocks"]) and "doubleclick" not in json.dumps(record["blocks"])


def test_keeping_social_keeps_the_embedded_posts_text():
    record = _record(EN, Options(keep_kinds=frozenset({"social"})))
    assert "View this post on Instagram" in record["text"]
    assert sum(b["type"] == "embed" for b in record["blocks"]) == 6


def test_german_page_data_table_with_spans_layout_table_is_text():
    record = _record(DE)
    assert _shape(record) == [
        ("paragraph", "Die Stadtwerke senken"),
        {
            "type": "figure",
            "src": "https://bilder.weserkurier-nord.example/2025/05/umspannwerk.jpg",
            "caption": "Das Umspannwerk am Hafen wird bis 2027 erneuert.",
            "credit": "Foto: dpa",
            "alt": "Das Umspannwerk am Hafen",
        },
        ("paragraph", "Grund für die"),
        ("heading", "Die neuen Preise"),  # the extractor drops it: put back above its table
        {"type": "table", "header": True},
        ("paragraph", "Für Gaskunden ändert"),
        {"type": "embed", "provider": "vimeo", "url": "https://vimeo.com/912345678"},
        ("paragraph", "Verbraucherschützer begrüßten den"),
        {
            "type": "embed",
            "provider": "apple_podcasts",
            "url": "https://podcasts.apple.com/de/podcast/weser-wirtschaft/id1598765432?i=1000654321987",
        },
        ("paragraph", "Tipp: Wer seinen"),
        ("paragraph", "Wer wechseln möchte,"),
        {"type": "embed", "provider": "iframe", "url": "https://datawrapper.dwcdn.net/AbC12/3/"},
        ("paragraph", "Die Stadtwerke versorgen"),
    ]
    table = next(b for b in record["blocks"] if b["type"] == "table")
    assert table["rows"] == [
        ["Tarif", "Grundpreis", "Arbeitspreis"],
        ["Grundversorgung", "13,90 €", "34,2 ct"],
        ["Grundversorgung", "ab Juli: 31,8 ct bei gleichem Grundpreis", "ab Juli: 31,8 ct bei gleichem Grundpreis"],
        ["Ökostrom", "12,50 €", "32,9 ct"],
    ]


def test_french_page_single_column_table_is_prose():
    record = _record(FR)
    assert [b["type"] for b in record["blocks"]] == [
        "paragraph",
        "figure",
        "paragraph",
        "paragraph",
        "paragraph",
        "embed",
        "paragraph",
        "embed",
        "paragraph",
    ]
    figure, sound, post = (b for b in record["blocks"] if b["type"] in ("figure", "embed"))
    assert (figure["caption"], figure["credit"]) == ("Le grand chapiteau, samedi soir.", "Crédit : AFP")
    assert (sound["provider"], sound["url"]) == ("soundcloud", "https://api.soundcloud.com/tracks/1876543210")
    assert (post["provider"], post["url"]) == ("twitter", "https://x.com/JazzVillage/status/1955123456789012345")


def _table(markup: str):
    from cleaners.structure import table_block

    return table_block(lxml.html.fragment_fromstring(markup))


@pytest.mark.parametrize(
    "markup",
    [
        "<table><tr><td>only</td></tr><tr><td>one column</td></tr></table>",
        "<table><tr><td>a</td><td>b</td></tr></table>",
        "<table role='presentation'><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
        "<table><tr><td><table><tr><td>x</td></tr></table></td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
        "<table><tr><td><h2>Title</h2></td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
        "<table><tr><td><p>" + "one " * 40 + "</p><p>two</p></td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
        "<table><tr><td>" + "long " * 100 + "</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
    ],
)
def test_layout_tables(markup):
    assert _table(markup) is None


def test_data_table_spans_and_header():
    block = _table(
        "<table><thead><tr><td>Name</td><td colspan='2'>Score</td></tr></thead>"
        "<tr><td rowspan='2'>Ana</td><td>1</td><td>2</td></tr><tr><td>3</td><td colspan='9'>4</td></tr>"
        "<tr><td></td><td></td></tr></table>"
    )
    assert block.header is True
    assert block.rows == [["Name", "Score", "Score"] + [""] * 8, ["Ana", "1", "2"] + [""] * 8, ["Ana", "3"] + ["4"] * 9]
    assert block.text == "Name | Score\nAna | 1 | 2\n3 | 4"


@pytest.mark.parametrize(
    "src, provider, url",
    [
        ("https://www.youtube-nocookie.com/embed/abc?x=1", "youtube", "https://www.youtube.com/watch?v=abc"),
        ("//player.vimeo.com/video/42", "vimeo", "https://vimeo.com/42"),
        (
            "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fp%2F1",
            "facebook",
            "https://www.facebook.com/p/1",
        ),
        ("https://www.instagram.com/p/XYZ/embed/", "instagram", "https://www.instagram.com/p/XYZ/"),
        ("https://www.tiktok.com/embed/v2/7301", "tiktok", "https://www.tiktok.com/embed/v2/7301"),
        ("/widgets/map.html", "iframe", "https://news.example/widgets/map.html"),
    ],
)
def test_iframe_providers(src, provider, url):
    from cleaners.structure import _iframe_block

    block = _iframe_block(lxml.html.fragment_fromstring(f"<iframe src='{src}'></iframe>"), "https://news.example/a")
    assert (block.provider, block.url) == (provider, url)


@pytest.mark.parametrize(
    "markup",
    [
        "<iframe src='https://ads.doubleclick.net/x'></iframe>",
        "<iframe src='https://news.example/pixel' width='1' height='1'></iframe>",
        "<iframe src='about:blank'></iframe>",
        "<iframe></iframe>",
    ],
)
def test_iframes_that_are_not_embeds(markup):
    from cleaners.structure import _iframe_block

    assert _iframe_block(lxml.html.fragment_fromstring(markup), "https://news.example/a") is None


def test_layout_table_block_becomes_paragraphs():
    from cleaners.article import Block
    from cleaners.body import Candidate
    from cleaners.structure import PageStructure, _rebuild_tables

    table = lxml.html.fragment_fromstring("<table><tr><td>Left column text</td><td>Right column text</td></tr></table>")
    found = PageStructure(layout_tables=[table])
    cands = [
        Candidate(
            Block(
                "table",
                "Left column text | Right column text",
                rows=[["Left column text", "Right column text"]],
                header=False,
            )
        )
    ]
    _rebuild_tables(found, cands)
    assert [(c.block.type, c.text) for c in cands] == [
        ("paragraph", "Left column text"),
        ("paragraph", "Right column text"),
    ]


def test_table_inside_a_quote_is_the_table():
    html = (
        "<html><body><article><h1>Release cadence of the two office suites</h1>"
        + "".join(
            f"<p>Paragraph {n} about the release history of the two office suites, which differ a lot in "
            f"how often they ship.</p>"
            for n in range(3)
        )
        + "<blockquote><table><tr><th>Release</th><th>Date</th></tr><tr><td>4.2.3</td><td>April 2014</td></tr>"
        "<tr><td>4.3</td><td>July 2014</td></tr></table></blockquote>"
        "<p>It seems clear that one project has kept a more frenetic release cadence than the other one.</p>"
        "</article></body></html>"
    )
    blocks = extract(html, url="https://lwn.example/a").to_dict()["blocks"]
    table = [b for b in blocks if b["type"] == "table"]
    assert [b["type"] for b in blocks if b["type"] == "quote"] == []
    assert table == [
        {
            "type": "table",
            "text": "Release | Date\n4.2.3 | April 2014\n4.3 | July 2014",
            "rows": [["Release", "Date"], ["4.2.3", "April 2014"], ["4.3", "July 2014"]],
            "header": True,
        }
    ]


@pytest.mark.parametrize(
    "caption, split",
    [
        ("Stopień wodny we Włocławku. Fot. Tomasz Nowicki", ("Stopień wodny we Włocławku.", "Fot. Tomasz Nowicki")),
        ("Le grand chapiteau, samedi soir. Crédit : AFP", ("Le grand chapiteau, samedi soir.", "Crédit : AFP")),
        ("Residents at the town hall. (AP)", ("Residents at the town hall.", "AP")),
        ("The photo of the fot.", ("The photo of the fot.", None)),
    ],
)
def test_figure_caption_and_credit(caption, split):
    html = f"<figure><img src='/a.jpg'><figcaption>{caption}</figcaption></figure>"
    from cleaners.figures import split_credit

    assert split_credit(lxml.html.fragment_fromstring(html)) == split
