"""Each command-line option is declared once (crawler/cli/args.py) unless it means something else per command."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from crawler.cli.main import build_parser

CLI = Path(__file__).resolve().parents[2] / "crawler" / "cli"

#: options declared by several commands on purpose: what each means differs
DIFFERENT_PER_COMMAND = {
    "-o": "crawl: a feed file or '-'; extract: stdout by default; demo: out/demo.jsonl",
    "--output": "as -o",
    "--format": "crawl writes Scrapy feeds, extract also text; different choices",
    "--warc": "crawl: archive responses to PATH; extract: the inputs are WARC files",
    "--state": "crawl: the state to use (and create); runs: the state to read",
    "--full": "crawl: ignore the state for discovery; explain: whole block texts",
    "--json": "bench: a file to write; explain, report, runs: print JSON instead of a table",
    "--html": "explain: a report beside the table; report: the report",
    "--limit": "bench: pages per directory; runs: newest runs",
}


def declarations() -> dict[str, list[str]]:
    """Option string -> the crawler/cli modules whose own add_argument calls declare it."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument":
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and str(arg.value).startswith("-"):
                        found[arg.value].append(path.name)
    return found


def test_no_option_is_declared_twice():
    twice = {name: files for name, files in declarations().items() if len(files) > 1}
    assert "--chunks" in declarations() and declarations()["--chunks"] == ["args.py"]
    assert sorted(set(twice) - set(DIFFERENT_PER_COMMAND)) == []


@pytest.mark.parametrize("command", ["extract", "crawl"])
def test_shared_record_options_parse_alike(command):
    args = build_parser().parse_args([command, "https://s.example/", "--chunks", "300", "--respect-tdm", "-s", "A=1"])
    assert (args.chunks, args.respect_tdm, args.settings) == (300, True, [("A", "1")])


@pytest.mark.parametrize("command", ["extract", "explain"])
def test_shared_page_options_parse_alike(command):
    argv = [command, "-", "--url", "https://s.example/a/", "--input-format", "text", "--titles", "t.txt"]
    args = build_parser().parse_args([*argv, "--ignore-robots"])
    assert (args.url, args.input_format, args.titles, args.ignore_robots) == (
        "https://s.example/a/",
        "text",
        "t.txt",
        True,
    )


def test_shared_help_is_the_same_text():
    sub = build_parser()._subparsers._group_actions[0].choices  # the sub-command parsers
    helps = {name: {a.dest: a.help for a in sub[name]._actions} for name in ("extract", "crawl")}
    assert helps["extract"]["respect_tdm"] == helps["crawl"]["respect_tdm"]
    assert helps["extract"]["chunks"] == helps["crawl"]["chunks"]
