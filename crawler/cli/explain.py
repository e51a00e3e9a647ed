"""Show every block of a page in order, kept or removed, with the rule that removed it."""

from __future__ import annotations

import sys
from pathlib import Path

from cleaners import CleanwireError
from crawler.cli.args import add_common_arguments, add_page_arguments
from crawler.cli.extract import (
    HTML_SUFFIXES,
    TEXT_SUFFIXES,
    fetch_sources,
    options_from_args,
    resolve_sources,
)
from crawler.output.files import check_output, write_atomic


def add_arguments(parser) -> None:
    parser.add_argument("input", metavar="INPUT", help="HTML file, '-' for stdin, or http(s) URL")
    parser.add_argument("--html", metavar="FILE", help="also write a standalone HTML report here")
    parser.add_argument("--json", action="store_true", help="print the entries as JSON instead of a table")
    parser.add_argument("--full", action="store_true", help="print whole block texts, not the first line")
    add_page_arguments(parser, url_help="the page URL of stdin or a file", input_format_help="html (default) or text")
    add_common_arguments(parser)


def run(args) -> int:
    from cleaners.explain import explain, explain_text, render_html, render_text

    check_output(args.html)  # an unwritable --html stops here, before the page is read or fetched
    options = options_from_args(args)
    text_input = args.input_format == "text"
    if Path(args.input).is_dir():
        print(f"cleanwire explain: {args.input}: is a directory (explain takes one page)", file=sys.stderr)
        return 1
    [source] = resolve_sources([args.input], args.url, TEXT_SUFFIXES if text_input else HTML_SUFFIXES)
    fetch_sources([source], args)
    if source.error is None:
        assert source.data is not None  # a source without an error has been read or fetched
        try:
            if text_input:
                from cleaners.textinput import decode_text

                expl = explain_text(decode_text(source.data, source.name), source.url, options)
            else:
                expl = explain(
                    source.data,
                    source.url,
                    options.with_(fetched_at=source.fetched_at),
                    http_charset=source.http_charset,
                )
        except CleanwireError as exc:
            source.error = exc.reason
    if source.error:
        print(f"cleanwire explain: {source.name}: {source.error}", file=sys.stderr)
        return 1
    if args.json:
        import json

        sys.stdout.write(json.dumps([e.to_dict() for e in expl.entries], ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(render_text(expl, full=args.full))
    if args.html:
        write_atomic(args.html, render_html(expl))
        print(f"cleanwire explain: wrote {args.html}", file=sys.stderr)
    return 0
