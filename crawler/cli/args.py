"""Command-line options shared by several sub-commands, declared once, and the argparse types they use."""

from __future__ import annotations

import argparse

from cleaners.options import KINDS, MODES

RESPECT_TDM_HELP = (
    "leave out pages whose text and data mining rights are reserved (TDMRep: tdm-reservation header, "
    "<meta name=tdm-reservation>, the site's /.well-known/tdmrep.json)"
)


def _whole_number(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {least} or more, got {value}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer of 1 or more."""
    return _whole_number(text, 1)


def count(text: str) -> int:
    """argparse type: an integer of 0 or more."""
    return _whole_number(text, 0)


def setting(text: str) -> tuple[str, str]:
    """argparse type of `-s`: a checked (NAME, VALUE) pair (crawler.cli.main.parse_setting)."""
    from crawler.cli.main import parse_setting

    return parse_setting(text)


def add_settings_argument(parser) -> None:
    """`-s NAME=VALUE` (repeatable) into args.settings: extract, explain, crawl and demo."""
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        type=setting,
        help="override a Scrapy or cleanwire setting (repeatable)",
    )


def add_common_arguments(parser) -> None:
    """Cleaner and Scrapy options shared by extract, explain and crawl."""
    parser.add_argument("--mode", choices=MODES, default=None, help="cleaning mode (default: balanced)")
    parser.add_argument(
        "--keep",
        action="append",
        choices=KINDS,
        default=[],
        metavar="KIND",
        help="leave this boilerplate kind in the text (repeatable)",
    )
    parser.add_argument(
        "--drop",
        action="append",
        choices=KINDS,
        default=[],
        metavar="KIND",
        help="always remove this boilerplate kind (repeatable)",
    )
    parser.add_argument("--overrides", metavar="TOML", help='per-site selectors: [sites."example.com"] drop/keep')
    parser.add_argument(
        "--render",
        choices=("never", "auto", "always"),
        default=None,
        help="fetch pages built by scripts again in headless Chromium: never, auto (default: pages "
        "found to be js_shell, and sources-file sites with render = true) or always",
    )
    add_settings_argument(parser)


def add_record_arguments(parser) -> None:
    """What goes into the records, shared by extract and crawl: --chunks N and --respect-tdm."""
    parser.add_argument(
        "--chunks",
        type=positive_int,
        metavar="N",
        help="records carry chunks of about N tokens, cut at headings, then paragraphs, then sentences",
    )
    parser.add_argument("--respect-tdm", action="store_true", help=RESPECT_TDM_HELP)


def add_page_arguments(parser, *, url_help: str, input_format_help: str) -> None:
    """How single pages are read, shared by extract and explain: --url, --input-format, --titles, --ignore-robots."""
    parser.add_argument("--url", help=url_help)
    parser.add_argument("--input-format", choices=("html", "text"), default="html", help=input_format_help)
    parser.add_argument("--titles", metavar="FILE", help="known headlines of the site, one per line (promo signal)")
    parser.add_argument("--ignore-robots", action="store_true", help="fetch URLs even where robots.txt forbids")
