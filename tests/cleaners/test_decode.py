"""Decoding bytes to text and refusing what is not HTML."""

from __future__ import annotations

import codecs
import gzip

import pytest

from cleaners.decode import decode, detect_encoding
from cleaners.errors import NotHTMLError
from cleaners.parse import parse

PAGE = "<html><head><title>Zürich</title></head><body><p>Grüße aus Zürich – «ça va»</p></body></html>"


def test_utf8_without_declaration():
    assert decode(PAGE.encode("utf-8")) == PAGE


def test_http_charset_wins_over_meta():
    html = PAGE.replace("<head>", '<head><meta charset="utf-8">').encode("cp1252", "replace")
    assert "Grüße" in decode(html, http_charset="windows-1252")


def test_meta_charset_used_without_http_header():
    html = PAGE.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    assert "Grüße" in decode(html.encode("latin-1", "replace"))


def test_latin1_label_means_windows_1252():
    assert detect_encoding(b"x", http_charset="ISO-8859-1") == "cp1252"


@pytest.mark.parametrize("codec,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_utf16_with_bom(codec, bom):
    assert decode(bom + PAGE.encode(codec)) == PAGE


def test_utf16_without_bom():
    assert decode(PAGE.encode("utf-16-le")) == PAGE


def test_nul_bytes_and_bom_dropped():
    assert decode(codecs.BOM_UTF8 + b"<p>a\x00b</p>") == "<p>ab</p>"


def test_unknown_bytes_detected():
    text = (
        "<html><body><p>В понедельник в Москве прошло заседание городской думы, на котором депутаты "
        "обсудили бюджет на следующий год. Мэр заявил, что расходы на транспорт и школы вырастут, "
        "а жители смогут высказать своё мнение на публичных слушаниях в конце месяца.</p></body></html>"
    )
    assert "В понедельник в Москве" in decode(text.encode("cp1251"))


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty document"),
        (b"   \n", "empty document"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
        (gzip.compress(b"<html></html>", mtime=0), "gzip"),
        (bytes(range(256)) * 20, "binary"),
    ],
)
def test_not_html_is_refused_with_reason(data, reason):
    with pytest.raises(NotHTMLError) as err:
        decode(data, source="page.html")
    assert reason in str(err.value)
    assert "page.html" in str(err.value)


def test_plain_text_is_not_html():
    with pytest.raises(NotHTMLError, match="no HTML markup"):
        parse("just some words, no markup at all", "notes.txt")


def test_xml_declaration_and_surrogates_parse():
    tree = parse('<?xml version="1.0" encoding="utf-8"?><html><body><p>a\ud800b</p></body></html>')
    assert tree.findtext(".//p") == "ab"
