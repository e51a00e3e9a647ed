"""Bare text after a heading (prose not wrapped in <p>) is kept as paragraphs of the body; a stray word is not."""

from __future__ import annotations

from cleaners import extract

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Building the toolchain from source | Field Notes</title></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
<div class="post-body entry-content">
<h1>Building the toolchain from source</h1>
<p>The toolchain builds on any recent Linux system with a C compiler, make and about two gigabytes of free disk space for the intermediate files.</p>
<p>Start by cloning the repository and running the configure script, which checks for the libraries the build needs and writes a makefile for your system.</p>
<h2>It does not build on my machine!</h2>
Open an issue on the tracker with the full output of the configure script and the name of your distribution, and we will look at it within a week.<br/>
<br/>
<h2>Does it run on Windows?</h2>
Not yet. The build scripts assume a POSIX shell, and porting them is the next item on the list once the code generator is finished this spring.<br/>
<br/>
<p>Back in March we moved the build to the new compiler, and nothing broke for the users who tried it.</p>
Harbour view.
<p>Thanks to everyone who tested the early snapshots and sent in reports about the parts of the manual that were unclear.</p>
</div>
<footer>Copyright 2026 Field Notes</footer>
</body></html>"""


def test_text_after_headings_is_kept_in_order():
    article = extract(PAGE.encode(), url="https://fieldnotes.example/2026/03/toolchain")
    assert article is not None
    assert [(b.type, b.text) for b in article.blocks] == [
        (
            "paragraph",
            "The toolchain builds on any recent Linux system with a C compiler, make and about two "
            "gigabytes of free disk space for the intermediate files.",
        ),
        (
            "paragraph",
            "Start by cloning the repository and running the configure script, which checks for the "
            "libraries the build needs and writes a makefile for your system.",
        ),
        ("heading", "It does not build on my machine!"),
        (
            "paragraph",
            "Open an issue on the tracker with the full output of the configure script and the name of "
            "your distribution, and we will look at it within a week.",
        ),
        ("heading", "Does it run on Windows?"),
        (
            "paragraph",
            "Not yet. The build scripts assume a POSIX shell, and porting them is the next item on the "
            "list once the code generator is finished this spring.",
        ),
        (
            "paragraph",
            "Back in March we moved the build to the new compiler, and nothing broke for the users who tried it.",
        ),
        (
            "paragraph",
            "Thanks to everyone who tested the early snapshots and sent in reports about the parts of "
            "the manual that were unclear.",
        ),
    ]
    assert not any("Open an issue" in r.text or "Not yet." in r.text for r in article.removed)
