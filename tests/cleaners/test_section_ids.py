"""An id that is the slug of its section's heading anchors the section: it never names the element's kind."""

from __future__ import annotations

from cleaners.context import Context
from cleaners.options import Options
from cleaners.parse import parse
from cleaners.prune import prune, scan_page

INTRO = (
    "Once you have mastered mutable history in a single repository, you can move up to the next level: "
    "shared mutable history, where changesets travel between repositories before they are published."
)
SHARING = (
    "The simplest scenario is a single developer working across two computers, who wants to test code on "
    "a remote machine before it is final, without publishing half-working changesets to everyone."
)
RELATED = "Ten tricks for faster builds that every developer should know about before the next release cycle."


MORE = [
    f"Step {n}: clone the public repository, amend the draft changeset and push it to the test repository, "
    f"then pull it back and check that the obsolescence markers arrived with it as expected."
    for n in range(1, 5)
]


def _page(section_id: str, heading: str, backref: bool = False) -> str:
    link = f'<a class="toc-backref" href="#id5">{heading}</a>' if backref else heading
    intro = "\n".join(f"<p>{p}</p>" for p in [INTRO, *MORE])
    return f"""<html><head><title>Evolve guide</title></head>
<body>
<div class="document">
<h1>Evolve guide</h1>
{intro}
<div class="section" id="{section_id}">
<h2>{link}</h2>
<p>{SHARING}</p>
<p>{SHARING.replace("simplest", "commonest")}</p>
</div>
</div>
</body>
</html>"""


def _pruned(page: str) -> tuple[str, list[tuple[str, str]]]:
    """The page's text after the prune step, and the (rule, text) of what it removed."""
    tree = parse(page, "<test>")
    ctx = Context(Options(), url="https://docs.example.org/evolve/sharing.html")
    prune(tree, ctx, scan_page(tree, "balanced"))
    return " ".join(tree.find("body").text_content().split()), [(r.rule, r.text) for r in ctx.removed]


def test_a_section_whose_id_slugs_its_heading_is_kept():
    # "sharing" is a social:share token and "toc" a widget token: neither names these elements
    text, removed = _pruned(_page("sharing-with-a-single-developer", "Sharing with a single developer", backref=True))
    assert removed == []
    assert "Sharing with a single developer " + SHARING in text


def test_a_widget_whose_id_slugs_its_boilerplate_title_still_goes():
    text, removed = _pruned(
        _page("more-stories-from-the-world", "More stories from the world").replace(SHARING, RELATED)
    )
    assert RELATED not in text
    assert removed[0] == ("widget:en:title", "More stories from the world")
    assert {rule for rule, _ in removed} == {"widget:en:title", "promo:related"}


def test_the_tex_source_of_a_formula_is_no_text():
    from cleaners.prune import strip_code

    tree = parse(
        '<html><body><p>If <math><semantics><mi>A</mi><annotation encoding="application/x-tex">'
        "{\\displaystyle A}</annotation></semantics></math> is Hermitian, its eigenvalues are real.</p>"
        "</body></html>",
        "<test>",
    )
    strip_code(tree)
    assert tree.find("body").text_content() == "If A is Hermitian, its eigenvalues are real."
