"""The `cleanwire` command line: one sub-command per module of crawler/cli (COMMANDS names them)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from cleaners.errors import CleanwireError
from crawler.output.files import OutputError

#: sub-command name -> module in crawler.cli (each has `add_arguments(parser)` and `run(args)`)
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
    parser = argparse.ArgumentParser(
        prog="cleanwire", description="Crawl news sites and extract clean article records."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"crawler.cli.{module_name}")
        doc = (module.__doc__ or "").strip().splitlines()[0]
        command = sub.add_parser(name, help=doc, description=doc)
        module.add_arguments(command)
        command.set_defaults(module=module)
    return parser


def parse_setting(text: str) -> tuple[str, str]:
    """NAME=VALUE of `-s`; a value that cannot be the number or boolean the setting holds is refused here (one usage
    line) rather than as a traceback once Scrapy reads it."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    default = setting_default(name)
    if isinstance(default, bool):
        if not value.strip().lstrip("-").isdigit() and value not in ("True", "true", "False", "false"):  # getbool
            raise argparse.ArgumentTypeError(f"{name} is true or false, got {value!r}")
    elif isinstance(default, (int, float)):
        try:
            float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} is a number, got {value!r}") from None
    return name, value


def setting_default(name: str):
    """The value of setting `name` in cleanwire's settings module, else Scrapy's defaults, else None."""
    from scrapy.settings import default_settings

    from crawler import settings as project

    return getattr(project, name, getattr(default_settings, name, None))


#: Scrapy loggers whose ERROR lines (with tracebacks) repeat a failure the command itself reports in one line
NOISY_LOGGERS = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")


def quiet_scrapy() -> None:
    """Silence the retry and robots.txt middlewares: their failures reach the user as the command's own one-liner
    (extract) or in the summary's counts (crawl)."""
    import logging

    for name in NOISY_LOGGERS:  # a filter: Scrapy's logging dictConfig resets the levels of scrapy.* loggers
        logger = logging.getLogger(name)
        if _only_critical not in logger.filters:
            logger.addFilter(_only_critical)


def _only_critical(record) -> bool:
    return record.levelno >= 50


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.module.run(args) or 0)
    except OutputError as exc:  # the output path cannot be written: one line naming it and the OS reason
        print(f"cleanwire {args.command}: {exc}", file=sys.stderr)
        if exc.source == "<stdout>":  # what is left in stdout's buffer would fail again at exit, with a traceback
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except CleanwireError as exc:
        print(f"cleanwire {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"cleanwire {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
