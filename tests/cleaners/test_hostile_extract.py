"""Hostile inputs for cleaners.extract and `cleanwire extract`: outcome, wall time and peak memory of each."""

from __future__ import annotations

import codecs
import gzip
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import CleanwireError, extract
from cleaners.errors import NotHTMLError, TooLargeError

ROOT = Path(__file__).resolve().parents[2]
URL = "https://example.com/news/ferry-timetable/"
TITLE = "Ferry timetable agreed"
PARAS = [
    f"Paragraph {i}: the harbour ferry council met on Tuesday and agreed the new timetable for the "
    f"winter season, Zürich says."
    for i in range(6)
]
TEXT = "\n\n".join(PARAS)
CASE_TIMEOUT = 60  # seconds: a generous bound, never a timing assertion
MAX_RSS_MB = 1500  # generous bound on a child's peak memory


def page(head: str = "", body_attr: str = "", paras: list[str] = PARAS) -> str:
    """The reference article, with extra markup in <head>."""
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        f"<html><head><title>{TITLE}</title>{head}</head><body{body_attr}><article><h1>{TITLE}</h1>"
        f"{body}</article></body></html>"
    )


def jsonld(payload: str) -> str:
    return page(f'<script type="application/ld+json">{payload}</script>')


def big_html() -> bytes:
    filler = "<p>filler words for a very long page that nobody should ever have to clean.</p>\n" * 700_000
    return page().replace("</article>", "</article>" + filler).encode()


CHARSET_PAGE = page('<meta charset="shift_jis">')

# name -> (input generator, expected outcome: an error class name, "None" or "Article")
CASES = {
    "empty body": (lambda: b"", "NotHTMLError"),
    "PNG as HTML": (lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(4096), "NotHTMLError"),
    "PDF as HTML": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + os.urandom(4096), "NotHTMLError"),
    "gzip as HTML": (lambda: gzip.compress(page().encode()), "NotHTMLError"),
    "50 MB of HTML": (big_html, "TooLargeError"),
    "nesting 100,000 deep": (
        lambda: ("<html><body>" + "<div>" * 100_000 + "<p>x</p>" + "</div>" * 100_000 + "</body></html>").encode(),
        "TooLargeError",
    ),
    "nesting 250 deep": (
        lambda: (
            page()
            .replace("<article>", "<div>" * 250 + "<article>")
            .replace("</article>", "</article>" + "</div>" * 250)
            .encode()
        ),
        "Article",
    ),
    "1,000,000 siblings": (
        lambda: page().replace("</article>", "<span>w</span>" * 1_000_000 + "</article>").encode(),
        "TooLargeError",
    ),
    "99,900 siblings": (
        lambda: page().replace("</article>", "<span>w</span>" * 99_900 + "</article>").encode(),
        "Article",
    ),
    "15 MB paragraph": (
        lambda: page().replace("</article>", "<p>" + "word " * 3_000_000 + "</p></article>").encode(),
        "TooLargeError",
    ),
    "only scripts": (
        lambda: (
            "<html><head><script>var a = 1;</script></head><body>"
            + "<script>document.write('x');</script>" * 2000
            + "</body></html>"
        ).encode(),
        "None",
    ),
    "NUL bytes": (lambda: page().encode().replace(b"harbour", b"har\x00bour"), "Article"),
    "invalid UTF-8": (lambda: page().encode().replace(b"Paragraph 3", b"Paragraph \xff\xfe3"), "Article"),
    "charset declared wrong": (lambda: CHARSET_PAGE.encode(), "Article"),
    "UTF-16 with BOM": (lambda: codecs.BOM_UTF16_LE + page().encode("utf-16-le"), "Article"),
    "UTF-16 without BOM": (lambda: page().encode("utf-16-be"), "Article"),
    "lone surrogate entities": (
        lambda: page().replace("Paragraph 2:", "Paragraph 2:&#xD800;&#xDFFF;&#0;").encode(),
        "Article",
    ),
    "JSON-LD truncated": (lambda: jsonld('{"@type": "NewsArticle", "headline": "Fer').encode(), "Article"),
    "JSON-LD 10 MB blob": (
        lambda: jsonld(
            json.dumps({"@type": "NewsArticle", "headline": TITLE, "articleBody": "word " * 2_000_000})
        ).encode(),
        "Article",
    ),
    "JSON-LD nested 100,000 deep": (lambda: jsonld("[" * 100_000 + "]" * 100_000).encode(), "Article"),
    "JSON-LD objects 50,000 deep": (lambda: jsonld('{"a":' * 50_000 + "1" + "}" * 50_000).encode(), "Article"),
}
HTTP_CHARSET = {"charset declared wrong": "iso-8859-1"}  # HTTP says Latin-1, <meta> Shift_JIS, the bytes are UTF-8


def run_case(name: str) -> dict:
    """Clean one case in this process: outcome, error message, the text, seconds spent in extract."""
    make, _ = CASES[name]
    data = make()
    start = time.perf_counter()
    try:
        article = extract(data, url=URL, http_charset=HTTP_CHARSET.get(name))
    except CleanwireError as exc:
        return {
            "outcome": type(exc).__name__,
            "error": str(exc),
            "seconds": time.perf_counter() - start,
            "bytes": len(data),
        }
    seconds = time.perf_counter() - start
    record = json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8") if article else b""
    return {
        "outcome": "Article" if article else "None",
        "seconds": seconds,
        "bytes": len(data),
        "text": article.text if article else None,
        "title": article.title if article else None,
        "record_bytes": len(record),
    }


def measure(names: list[str]) -> dict[str, dict]:
    """Each case in a forked child: its result plus the child's peak RSS (wait4), in MB."""
    extract(page(), url=URL)  # load lazy models once: children measure the case only
    results = {}
    for name in names:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: one case, then exit without cleanup
            os.close(read)
            resource.setrlimit(resource.RLIMIT_CPU, (CASE_TIMEOUT, CASE_TIMEOUT + 5))
            with os.fdopen(write, "w") as out:
                out.write(json.dumps(run_case(name)))
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            payload = pipe.read()
        _, status, usage = os.wait4(pid, 0)
        result = json.loads(payload) if payload else {"outcome": f"crashed (status {status})"}
        result["max_rss_mb"] = usage.ru_maxrss // 1024
        results[name] = result
    return results


@pytest.fixture(scope="module")
def measured() -> dict[str, dict]:
    """All cases measured in one fresh interpreter (so RSS figures are not the test runner's)."""
    proc = subprocess.run(
        [sys.executable, __file__, *CASES], capture_output=True, text=True, timeout=CASE_TIMEOUT * 4, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.e2e
def test_outcome_and_bounds(measured, name):
    result = measured[name]
    assert result["outcome"] == CASES[name][1], result
    assert result["seconds"] < CASE_TIMEOUT
    assert result["max_rss_mb"] < MAX_RSS_MB
    if result["outcome"].endswith("Error"):
        assert result["error"].startswith(URL + ": ")


@pytest.mark.e2e
def test_error_reasons(measured):
    assert measured["empty body"]["error"].endswith("empty document")
    assert measured["PNG as HTML"]["error"].endswith("not HTML: the bytes are a PNG image")
    assert measured["PDF as HTML"]["error"].endswith("not HTML: the bytes are a PDF document")
    assert measured["gzip as HTML"]["error"].endswith("not HTML: the bytes are gzip-compressed data")
    assert "document too large: 56,000,882 bytes, the limit is 20,971,520" in measured["50 MB of HTML"]["error"]
    assert measured["nesting 100,000 deep"]["error"].endswith("HTML nested deeper than 255 levels")
    assert measured["1,000,000 siblings"]["error"].endswith("HTML has more than 100,000 elements")
    assert measured["15 MB paragraph"]["error"].endswith(
        "HTML over a parser limit (Resource limit exceeded: Buffer size limit exceeded, try XML_PARSE_HUGE)"
    )


@pytest.mark.parametrize(
    "name",
    [
        "nesting 250 deep",
        "NUL bytes",
        "charset declared wrong",
        "UTF-16 with BOM",
        "UTF-16 without BOM",
        "JSON-LD truncated",
        "JSON-LD 10 MB blob",
        "JSON-LD nested 100,000 deep",
        "JSON-LD objects 50,000 deep",
    ],
)
@pytest.mark.e2e
def test_article_text_survives(measured, name):
    assert measured[name]["text"] == TEXT
    assert measured[name]["title"] == TITLE


@pytest.mark.e2e
def test_broken_utf8_is_read_as_utf8(measured):
    assert measured["invalid UTF-8"]["text"] == TEXT.replace("Paragraph 3", "Paragraph \ufffd\ufffd3")


@pytest.mark.e2e
def test_lone_surrogates_dropped(measured):
    assert measured["lone surrogate entities"]["text"] == TEXT.replace("Paragraph 2:", "Paragraph 2:\ufffd\ufffd\ufffd")


def test_str_input_over_limit_is_refused():
    with pytest.raises(TooLargeError, match="document too large: 20,971,521 characters"):
        extract("<p>" + "x" * (20 * 1024 * 1024 - 2), url=URL)


def test_utf8_wins_over_wrong_http_and_meta_charset():
    html = page('<meta charset="windows-1251">').encode("utf-8")
    assert extract(html, url=URL, http_charset="gb2312").text == TEXT


def test_declared_charset_the_bytes_fit_wins_over_a_wrong_header():
    paras = [p.replace("Zürich", "Москва") for p in PARAS]
    html = page('<meta charset="windows-1251">', paras=paras).encode("cp1251")
    assert extract(html, url=URL, http_charset="utf-8").text == "\n\n".join(paras)


@pytest.mark.e2e
def test_cli_reports_each_bad_input_and_goes_on(tmp_path):
    files = {
        "empty.html": b"",
        "image.html": CASES["PNG as HTML"][0](),
        "deep.html": CASES["nesting 100,000 deep"][0](),
        "good.html": page().encode(),
        "utf16.html": CASES["UTF-16 without BOM"][0](),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "extract", *sorted(files), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=CASE_TIMEOUT,
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    errors = sorted(line for line in proc.stderr.splitlines() if line.startswith("cleanwire extract: "))
    assert errors == [
        "cleanwire extract: deep.html: HTML nested deeper than 255 levels",
        "cleanwire extract: empty.html: empty document",
        "cleanwire extract: image.html: not HTML: the bytes are a PNG image",
    ]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["text"] for r in records] == [TEXT, TEXT]


FIXTURE_PAGES = sorted((ROOT / "fixtures" / "pages").glob("*/*.html"))
SNIPPETS = (
    b"<div>",
    b"</p>",
    b"<!--",
    b"<script>",
    b"</html>",
    b"&#xD800;",
    b"\x00",
    b"\xff\xfe",
    b"<![CDATA[",
    b'<meta charset="utf-16">',
    b"<table><tr><td>",
    b"<?xml version='1.0'?>",
    b"]]>",
    b"<svg><math>",
)
mutation = st.one_of(
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(SNIPPETS) | st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 5000)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 2000)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(0)),
)


def mutate(data: bytes, steps: list[tuple]) -> bytes:
    """Apply byte-level mutations at relative positions."""
    for op, where, arg in steps:
        at = int(where * len(data))
        if op == "insert":
            data = data[:at] + arg + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + arg :]
        elif op == "flip" and at < len(data):
            data = data[:at] + bytes([arg]) + data[at + 1 :]
        elif op == "repeat":
            data = data[:at] + data[at : at + arg] * 3 + data[at:]
        elif op == "truncate":
            data = data[:at]
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(0, len(FIXTURE_PAGES) - 1),
    steps=st.lists(mutation, min_size=1, max_size=6),
    charset=st.sampled_from([None, "utf-8", "iso-8859-1", "shift_jis", "utf-16", "bogus"]),
)
def test_mutated_fixture_pages_raise_only_named_errors(index, steps, charset):
    data = mutate(FIXTURE_PAGES[index].read_bytes(), steps)
    try:
        article = extract(data, url=URL, http_charset=charset)
    except CleanwireError as exc:
        assert str(exc).startswith(URL + ": ")
        return
    if article is not None:
        json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")  # no lone surrogates in the record


def test_not_html_error_is_a_cleanwire_error():
    assert issubclass(NotHTMLError, CleanwireError) and issubclass(TooLargeError, CleanwireError)


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1:] or list(CASES))))
