"""An HTML report of a run: per-site counts, boilerplate removed, rejects, slowest pages, articles per day."""

from __future__ import annotations

import json
import sys

from cleaners.errors import InputError
from crawler.output.files import check_output, write_atomic


def add_arguments(parser) -> None:
    parser.add_argument(
        "summary",
        metavar="RUN_SUMMARY",
        help="a run summary JSON (state pipeline or -s CLEANWIRE_RUN_REPORT=FILE), or an output JSONL",
    )
    parser.add_argument("--html", metavar="FILE", help="write a standalone HTML report here")
    parser.add_argument("--json", action="store_true", help="print the report data as JSON")


def run(args) -> int:
    from crawler.reporting.report import load, render_html, render_text

    check_output(args.html)  # an unwritable --html: one line, before the summary is read
    try:
        summary = load(args.summary)
    except OSError as exc:
        raise InputError(exc.strerror or "cannot read", args.summary) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"not a run summary ({exc})", args.summary) from exc
    if args.json:
        sys.stdout.write(json.dumps(summary["report"], ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(render_text(summary))
    if args.html:
        write_atomic(args.html, render_html(summary))
        print(f"cleanwire report: wrote {args.html}", file=sys.stderr)
    return 0
