"""Named errors raised by the cleaner; every message names the input and the reason."""

from __future__ import annotations


class CleanwireError(Exception):
    """Base class: anything the cleaner raises on purpose."""

    def __init__(self, reason: str, source: str | None = None) -> None:
        self.reason = reason
        self.source = source
        super().__init__(f"{source}: {reason}" if source else reason)


class NotHTMLError(CleanwireError):
    """The input bytes are not an HTML document (binary, empty, another format)."""


class DecodeError(CleanwireError):
    """The input could not be decoded to text."""


class ParseError(CleanwireError):
    """lxml could not build a tree from the document."""


class InputError(CleanwireError):
    """A command-line input could not be read or fetched (missing file, HTTP error, bad scheme)."""


class TooLargeError(CleanwireError):
    """The document is over a size limit of the cleaner (bytes, elements, nesting depth)."""


class TdmRepError(CleanwireError):
    """A /.well-known/tdmrep.json that cannot be read as TDMRep rules."""
