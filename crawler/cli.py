"""The `cleanwire` command line: one sub-command per module in crawler/commands."""
from __future__ import annotations

import argparse
import importlib
import sys

from cleaners.errors import CleanwireError
from crawler.output import OutputError

#: sub-command name -> module in crawler.commands (each has `add_arguments(parser)` and `run(args)`)
COMMANDS = {
    "extract": "extract",
    "bench": "bench",
    "schema": "schema",
    "demo": "demo",
    "crawl": "crawl",
    "explain": "explain",
    "runs": "runs",
    "status": "status",
    "report": "report",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cleanwire", description="Crawl news sites and extract clean article records.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"crawler.commands.{module_name}")
        doc = (module.__doc__ or "").strip().splitlines()[0]
        command = sub.add_parser(name, help=doc, description=doc)
        module.add_arguments(command)
        command.set_defaults(module=module)
    return parser


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.module.run(args) or 0)
    except OutputError as exc:          # the output path cannot be written: one line naming it and the OS reason
        print(f"cleanwire {args.command}: {exc}", file=sys.stderr)
        return 1
    except CleanwireError as exc:
        print(f"cleanwire {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"cleanwire {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
