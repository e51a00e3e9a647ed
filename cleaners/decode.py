"""Bytes to text: HTTP charset, BOM, <meta> charset, then detection; refuses non-HTML input."""

from __future__ import annotations

import codecs
import re

from .errors import DecodeError, NotHTMLError, TooLargeError

# Leading bytes of formats that are regularly served as text/html by mistake.
BINARY_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"RIFF", "a RIFF (WebP/WAV) file"),
    (b"\x00\x00\x01\x00", "an icon file"),
    (b"7z\xbc\xaf", "a 7z archive"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ", "xz-compressed data"),
    (b"wOF", "a web font"),
)
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.IGNORECASE)
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
SNIFF_BYTES = 4096  # how much of the head we look at for <meta charset> and binary sniffing
MAX_CONTROL_SHARE = 0.10  # above this share of control bytes in the head, the input is binary
SNIFF_UTF8_BYTES = 1_000_000  # how much of an undeclared, not quite valid UTF-8 document is scored as UTF-8
MIN_UTF8_CHARS = 3  # valid multi-byte characters needed to call broken UTF-8 UTF-8
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # larger documents are refused (DOWNLOAD_MAXSIZE; real pages stay under 3 MB)


def _codec(name: str | None) -> str | None:
    """The Python codec for a declared charset, or None when the name is unknown."""
    if not name:
        return None
    name = name.strip().strip("'\"").lower()
    if name in ("x-user-defined", "unicode", "utf-7", "utf7"):  # WHATWG: never UTF-7
        return None
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # WHATWG: a page labelled latin-1/ascii is decoded as windows-1252
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def _utf16_without_bom(head: bytes) -> str | None:
    """Guess UTF-16 without a BOM from NUL bytes in alternate positions."""
    sample = head[:512]
    if len(sample) < 8:
        return None
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def sniff_binary(data: bytes, source: str | None = None) -> None:
    """Raise NotHTMLError when the bytes are evidently not a text document."""
    if not data or data.isspace():  # (not data.strip(), without copying the page)
        raise NotHTMLError("empty document", source)
    head = data[:SNIFF_BYTES]
    for magic, what in BINARY_MAGIC:
        if head.startswith(magic):
            raise NotHTMLError(f"not HTML: the bytes are {what}", source)
    if any(head.startswith(bom) for bom, _ in BOMS) or _utf16_without_bom(head):
        return
    controls = len(CONTROL_BYTES.findall(head))
    if controls / len(head) > MAX_CONTROL_SHARE:
        raise NotHTMLError("not HTML: binary content", source)


def _utf8_text(data: bytes) -> str | None:
    """The bytes decoded as UTF-8, or None when they are not valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decodes(data: bytes, codec: str) -> bool:
    """True when `data` decodes without error in `codec`."""
    try:
        data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few broken sequences: valid multi-byte characters outnumber the broken ones 2 to 1."""
    text = data[:SNIFF_UTF8_BYTES].decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid = sum(1 for ch in text if ch > "\x7f") - broken
    return valid >= MIN_UTF8_CHARS and valid >= 2 * broken


def _declared(data: bytes, http_charset: str | None) -> list[str]:
    """The codecs the HTTP header and the <meta> tag declare, in that order, known names only."""
    match = META_CHARSET.search(data[:SNIFF_BYTES])
    meta = match.group(1).decode("ascii", "ignore") if match else None
    return [c for c in dict.fromkeys((_codec(http_charset), _codec(meta))) if c]


def detect_encoding(data: bytes, http_charset: str | None = None) -> str:
    """The codec to decode `data` with: BOM, then what the bytes prove, then HTTP header, <meta>, detection.

    Bytes win over declarations: non-ASCII bytes that are valid UTF-8 are UTF-8 whatever the header or
    <meta> say (pages re-encoded that kept an old label); UTF-16 without a BOM is recognised by its NULs;
    a declared charset the bytes do not decode in yields to the next declaration that fits.
    """
    return _detect(data, http_charset)[0]


def _detect(data: bytes, http_charset: str | None) -> tuple[str, str | None]:
    """detect_encoding, with the text when proving UTF-8 decoded the whole input (not decoded twice)."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return name, None
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16, None
    declared = [c for c in _declared(data, http_charset) if not c.startswith(("utf-16", "utf-32"))]
    if not declared or not data.isascii():
        text = _utf8_text(data)
        if text is not None:
            return "utf-8", text
    for codec in declared:
        if _decodes(data, codec):
            return codec, None
    if declared:
        return declared[0], None
    if _mostly_utf8(data):
        return "utf-8", None
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return (best.encoding if best else "cp1252"), None


def check_size(size: int, source: str | None, unit: str = "bytes") -> None:
    """Raise TooLargeError for a document over MAX_DOCUMENT_BYTES."""
    if size > MAX_DOCUMENT_BYTES:
        raise TooLargeError(f"document too large: {size:,} {unit}, the limit is {MAX_DOCUMENT_BYTES:,}", source)


def decode(data: bytes | str, http_charset: str | None = None, source: str | None = None) -> str:
    """Decode a document to text, with NUL bytes and a leading BOM removed."""
    if isinstance(data, str):
        check_size(len(data), source, "characters")
        if not data or data.isspace():
            raise NotHTMLError("empty document", source)
        return data.replace("\x00", "").lstrip("\ufeff")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"html must be bytes or str, not {type(data).__name__}")
    data = bytes(data)
    check_size(len(data), source)
    sniff_binary(data, source)
    encoding, text = _detect(data, http_charset)
    if text is None:
        for bom, name in BOMS:
            if name == encoding and data.startswith(bom):
                data = data[len(bom) :]
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError as exc:  # pragma: no cover - _codec filters unknown names
            raise DecodeError(f"unknown encoding {encoding}", source) from exc
    text = text.replace("\x00", "")
    if not text or text.isspace():
        raise NotHTMLError("empty document", source)
    return text
