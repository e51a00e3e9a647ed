"""Property: cleaning never raises on random markup built from the fixture pages' blocks (only cleaners.errors)."""

from __future__ import annotations

import json
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from cleaners import CleanwireError, Options, extract
from cleaners.explain import explain
from cleaners.options import KINDS, MODES, SiteOverride
from cleaners.schema import validate
from cleaners.textinput import extract_text, split_units

from conftest import FIXTURES, PAGES

BLOCK_TAGS = ("p", "h1", "h2", "h3", "li", "ul", "ol", "blockquote", "figure", "aside", "table", "div", "section", "a")
MAX_FRAGMENT = 4000  # longer serialised elements are skipped (they hold whole pages)
MAX_POOL = 400
CONTAINERS = ("div", "section", "aside", "article", "main", "p", "span", "figure", "li", "nav", "footer", "header")
CLASS_TOKENS = (
    "related",
    "ad",
    "author-box",
    "caption",
    "comments",
    "entry-content",
    "share",
    "newsletter",
    "td-post-content",
    "sidebar",
    "widget",
    "post",
    "story-body",
    "byline",
    "tags",
    "x_1a2b",
)
ROLES = ("main", "complementary", "navigation", "article", "dialog", "banner")
LETTERS = st.characters(categories=("L", "N", "P", "Zs"))
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@lru_cache(maxsize=1)
def fragment_pool() -> tuple[str, ...]:
    """Serialised block elements of every fixture page, in a stable order."""
    pool: list[str] = []
    for page in sorted(PAGES.glob("*/*.html")):
        tree = lxml_html.fromstring(page.read_bytes())
        for el in tree.iter(*BLOCK_TAGS):
            markup = lxml_html.tostring(el, encoding="unicode", with_tail=False)
            if len(markup) <= MAX_FRAGMENT:
                pool.append(markup)
    step = max(len(pool) // MAX_POOL, 1)
    return tuple(pool[::step])


attributes = st.fixed_dictionaries(
    {},
    optional={
        "class": st.lists(st.sampled_from(CLASS_TOKENS), max_size=3).map(" ".join),
        "id": st.sampled_from(CLASS_TOKENS),
        "role": st.sampled_from(ROLES),
        "hidden": st.just(""),
        "data-x": st.text(max_size=8),
    },
)


@st.composite
def fragment(draw, depth: int = 0) -> str:
    """A pool element, maybe truncated, duplicated, wrapped in a random container, or nesting other fragments."""
    pool = fragment_pool()
    markup = pool[draw(st.integers(0, len(pool) - 1))]
    if draw(st.booleans()) and len(markup) > 2:
        markup = markup[: draw(st.integers(1, len(markup) - 1))]  # truncated: broken markup
    if draw(st.integers(0, 5)) == 0:
        markup *= 2
    if depth < 2 and draw(st.integers(0, 2)) == 0:
        markup += "".join(draw(st.lists(fragment(depth + 1), max_size=3)))
    if draw(st.booleans()):
        tag = draw(st.sampled_from(CONTAINERS))
        attrs = "".join(f' {k}="{v.replace(chr(34), "")}"' for k, v in draw(attributes).items())
        markup = f"<{tag}{attrs}>{markup}</{tag}>"
    return markup


@st.composite
def page(draw) -> str:
    body = "".join(draw(st.lists(fragment(), min_size=0, max_size=12)))
    head = "<title>" + draw(st.sampled_from(["", "A title - Site", "Ünïcode <b>title</b>"])) + "</title>"
    if draw(st.booleans()):
        ld = {
            "@type": draw(st.sampled_from(["NewsArticle", "WebPage", "Person"])),
            "headline": "A title",
            "articleBody": lxml_html.fromstring(f"<div>{body or 'x'}</div>").text_content()[:5000],
        }
        head += (
            '<script type="application/ld+json">' + json.dumps(ld)[: draw(st.sampled_from([40, 100000]))] + "</script>"
        )
    return f"<html><head>{head}</head><body>{body}</body></html>"


options = st.builds(
    Options,
    mode=st.sampled_from(MODES),
    keep_kinds=st.frozensets(st.sampled_from(KINDS), max_size=2),
    drop_kinds=st.frozensets(st.sampled_from(KINDS), max_size=2),
    site_overrides=st.sampled_from([(), (SiteOverride("example.com", drop=(".share", "aside"), keep=(".related",)),)]),
)


@SETTINGS
@given(
    markup=page(),
    url=st.sampled_from([None, "https://example.com/a/", "https://www.example.com/2025/01/x.html"]),
    opts=options,
    as_bytes=st.booleans(),
)
def test_cleaning_never_raises_on_recombined_fixture_markup(markup, url, opts, as_bytes):
    data = markup.encode("utf-8") if as_bytes else markup
    try:
        article = extract(data, url=url, options=opts)
    except CleanwireError:
        return
    if article is not None:
        validate(article.to_dict())
        assert article.text == "\n\n".join(b.text for b in article.blocks if b.text)
    expl = explain(data, url=url, options=opts)
    if article is not None:
        assert [e.text for e in expl.entries if e.kept] == [b.text for b in article.blocks]
    assert len(expl.entries) >= len(expl.removed)


@lru_cache(maxsize=1)
def text_lines() -> tuple[str, ...]:
    lines = []
    for path in sorted((FIXTURES / "text").glob("*.txt")):
        lines += [x for x in path.read_text("utf-8").splitlines() if x.strip()]
    return tuple(lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.sampled_from(text_lines()) | st.text(LETTERS, max_size=40), max_size=30),
    separators=st.lists(st.sampled_from(["\n", "\n\n", "\r\n", " \n\n"]), min_size=1, max_size=3),
    opts=options,
)
def test_text_input_never_raises(lines, separators, opts):
    text = "".join(line + separators[i % len(separators)] for i, line in enumerate(lines))
    article = extract_text(text, options=opts)
    if article is not None:
        assert article.title == split_units(text)[0]
        flat = " ".join(text.split())
        assert all(r.text in flat for r in article.removed)
        validate(article.to_dict())
