"""cleanwire's cleaner: HTML in, one clean Article out. A library; it never imports Scrapy."""

from __future__ import annotations

from .article import Article, Block, Media, Removal
from .errors import CleanwireError, DecodeError, InputError, NotHTMLError, ParseError
from .extract import clean, extract
from .options import Options

__all__ = [
    "Article",
    "Block",
    "CleanwireError",
    "DecodeError",
    "InputError",
    "Media",
    "NotHTMLError",
    "Options",
    "ParseError",
    "Removal",
    "clean",
    "extract",
]
__version__ = "0.1.0"
