"""Per-site overrides from TOML: drop selectors recorded as site:<domain>:<n>, keep selectors protect, clear errors."""

from __future__ import annotations

import subprocess

import pytest

from cleaners import InputError, Options, extract
from crawler.extraction.overrides import load_overrides

from conftest import CLEANWIRE, PAGES, ROOT

BODY = "".join(
    f"<p>{text}</p>"
    for text in (
        "The harbour office published its plan for the northern quay on Monday, after two years of surveys.",
        "Engineers found that winter storms had loosened granite blocks along most of the old sea wall.",
        "The contractor expects the fish market's loading bay to close for six weeks while the wall is rebuilt.",
        "Fishermen asked the council to schedule the closure outside the autumn herring season next year.",
        "The council will vote on the budget in March; the opposition wants an independent cost review first.",
    )
)
PARTNER = "Partner content: book your ferry tickets online today with our partner."
SPONSOR = "Our sponsor keeps this harbour news free to read for everyone in town."
FACTS = "Key facts: the harbour was built in 1887 and rebuilt after the storm of 1953."
NUMBERS = "Key numbers: 40 million euros, 3 ferries, 12 crossings a day in summer."
HTML = (
    f"<html><head><title>Quay plan</title></head><body><article><h1>Quay plan</h1>{BODY}"
    f'<div class="partner-box"><p>{PARTNER}</p></div><p class="sponsor-line">{SPONSOR}</p>'
    f'<div class="related-box"><p>{FACTS}</p></div><aside class="fact-box"><p>{NUMBERS}</p></aside>'
    "</article></body></html>"
)
TOML = """
[sites."example.com"]
drop = [".partner-box", "p.sponsor-line"]
keep = [".related-box", "aside.fact-box"]
"""


@pytest.fixture
def overrides(tmp_path):
    path = tmp_path / "overrides.toml"
    path.write_text(TOML, "utf-8")
    return load_overrides(path)


def _removed(article):
    return [(r.kind, r.rule, r.text) for r in article.removed if r.kind != "metadata"]


def test_without_overrides_rules_remove_the_boxes():
    article = extract(HTML, "https://example.com/quay/")
    assert PARTNER in article.text and SPONSOR in article.text
    assert _removed(article) == [("promo", "promo:related", FACTS), ("widget", "widget:aside", NUMBERS)]


@pytest.mark.parametrize("url", ["https://example.com/quay/", "https://www.example.com/quay/"])
def test_drop_selectors_recorded_by_number_and_keep_protects(overrides, url):
    article = extract(HTML, url, Options(site_overrides=overrides))
    assert _removed(article) == [("site", "site:example.com:1", PARTNER), ("site", "site:example.com:2", SPONSOR)]
    assert [b.text for b in article.blocks][-2:] == [FACTS, NUMBERS]
    assert PARTNER not in article.text and SPONSOR not in article.text


def test_other_sites_are_untouched(overrides):
    article = extract(HTML, "https://example.org/quay/", Options(site_overrides=overrides))
    assert PARTNER in article.text and FACTS not in article.text


@pytest.mark.parametrize(
    "toml, message",
    [
        (
            '[sites."example.com"]\ndrop = ".partner-box"\n',
            "[sites.'example.com'] drop/keep must be lists of CSS selectors",
        ),
        ('[sites."example.com"]\nkeep = ["div >> ]"]\n', "[sites.'example.com'] invalid CSS selector 'div >> ]'"),
        ("sites = 3\n", "[sites] must be a table of site names"),
    ],
)
def test_bad_override_tables_name_the_problem(tmp_path, toml, message):
    path = tmp_path / "o.toml"
    path.write_text(toml, "utf-8")
    with pytest.raises(InputError) as info:
        load_overrides(path)
    assert info.value.source == str(path)
    assert info.value.reason.startswith(message)


@pytest.mark.e2e
def test_invalid_toml_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[sites."example.com"\ndrop = [".x"]\n', "utf-8")
    out = subprocess.run(
        [*CLEANWIRE, "extract", str(PAGES / "neutral" / "taiwan-envoy-israel.html"), "--overrides", str(path)],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 2 and out.stdout == b""
    err = out.stderr.decode()
    assert err.startswith(f"cleanwire extract: {path}: not valid TOML (") and err.count("\n") == 1
