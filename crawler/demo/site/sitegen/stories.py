"""Article pages of the two story shapes beyond one page of text: a live blog, and an article split over pages."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from .articles import ArticleView, render_article
from .common import ORIGIN, esc, inline

BODY_END = '\n</div>\n<footer class="entry-footer">'   # where the WordPress-like template's body closes
OTHER_SITE = "https://www.kelmouth-gazette.example"   # a trap: another site's URL of the same shape


def _render_with(view: ArticleView, blocks, insert: str) -> str:
    html = render_article(replace(view, article=replace(view.article, blocks=tuple(blocks))))
    if view.article.template != "wp" or BODY_END not in html:
        raise ValueError(f"{view.article.path}: live blogs and paged articles use the wp template")
    return html.replace(BODY_END, "\n" + insert + BODY_END, 1)


def _block_html(block) -> str:
    if block.kind == "h2":
        return f"<h2>{inline(block.text)}</h2>"
    if block.kind == "quote":
        return f"<blockquote><p>{inline(block.text)}</p></blockquote>"
    if block.kind == "ul":
        return "<ul>" + "".join(f"<li>{inline(i)}</li>" for i in block.text) + "</ul>"
    return f"<p>{inline(block.text)}</p>"


def render_liveblog(view: ArticleView) -> str:
    """A WordPress live blog: the lead as the post body, then the entries newest first, a promo between two."""
    entries = view.article.entries()
    parts = []
    for n, (time, headline, blocks) in enumerate(entries):
        number = len(entries) - n
        shown = datetime.fromisoformat(time).strftime("%H:%M")
        parts.append(f'<div class="liveblog-entry" id="update-{number}"><div class="liveblog-meta">'
                     f'<time datetime="{time}">{shown}</time></div><h2 class="liveblog-headline">{esc(headline)}</h2>'
                     f'<div class="liveblog-body">{"".join(_block_html(b) for b in blocks)}</div>'
                     f'<div class="liveblog-share"><a href="#update-{number}">Link to this update</a></div></div>')
        if n == 1:
            parts.append(f'<div class="wp-block-group inline-related"><a href="{view.readmore.path}"><h3>'
                         f'{esc(view.readmore.title)}</h3><p>{esc(view.readmore.description)}</p></a></div>')
    return _render_with(view, view.article.lead(), '<div class="liveblog-entries">\n' + "\n".join(parts) + "\n</div>")


def page_path(path: str, number: int) -> str:
    return path if number == 1 else f"{path}{number}/"


def render_page(view: ArticleView, number: int) -> str:
    """Page `number` of an article split over pages: its blocks, numbered page links, rel=prev/next."""
    a = view.article
    pages = a.pages()
    links = [f"<span>{k}</span>" if k == number else f'<a class="post-page-numbers" href="{page_path(a.path, k)}">{k}</a>'
             for k in range(1, len(pages) + 1)]
    if number < len(pages):
        links.append(f'<a class="next" href="{page_path(a.path, number + 1)}">Next page</a>')
    if number == 1:
        links.append(f'<a class="external" href="{OTHER_SITE}{page_path(a.path, 2)}">The Gazette\'s guide, page 2</a>')
    nav = f'<nav class="page-links">Page {number} of {len(pages)}: {" ".join(links)}</nav>'
    html = _render_with(view, pages[number - 1], nav)
    head = ""
    if number > 1:
        head += f'\n<link rel="prev" href="{ORIGIN}{page_path(a.path, number - 1)}">'
        here = ORIGIN + page_path(a.path, number)
        html = html.replace(f'<link rel="canonical" href="{view.url}">', f'<link rel="canonical" href="{here}">', 1)
        html = html.replace(f'<meta property="og:url" content="{view.url}">', f'<meta property="og:url" content="{here}">', 1)
    if number < len(pages):
        head += f'\n<link rel="next" href="{ORIGIN}{page_path(a.path, number + 1)}">'
    return html.replace("\n</head>", head + "\n</head>", 1)
