"""What a process imports before it needs it: the CLI and the crawler process start without trafilatura."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e  # a fresh interpreter per test: this process has imported everything already

HEAVY = ("trafilatura", "scrapy", "twisted", "numpy", "pyarrow", "redis", "playwright")


def imported_after(code: str) -> list[str]:
    """The HEAVY top-level packages a fresh interpreter has imported after running `code`."""
    probe = f"{code}\nimport sys\nprint('\\n' + ' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()[-1].split() if done.stdout.strip() else []


def test_import_cleaners_loads_no_extractor_until_one_is_run():
    assert imported_after("import cleaners") == []
    assert imported_after("from cleaners import Options, CleanwireError, Article") == []


def test_extract_imports_trafilatura_when_it_runs():
    code = (
        "from cleaners import extract\n"
        "page = b'<html><head><title>T</title></head><body><article><h1>Pier plans</h1>'"
        " + b''.join(b'<p>The harbour board met on Tuesday to weigh plan %d for the old ferry pier, closed since the'"
        " b' winter storms damaged its deck. A vote is due next month.</p>' % n for n in range(8))"
        " + b'</article></body></html>'\n"
        "article = extract(page, url='https://example.org/a')\n"
        "assert 'harbour board met' in article.text, article.text"
    )
    assert imported_after(code) == ["numpy", "trafilatura"]


def test_the_cli_parser_and_light_commands_import_no_crawler_or_extractor():
    assert imported_after("from crawler.cli.main import build_parser\nbuild_parser()") == []
    assert imported_after("from crawler.cli.main import main\nmain(['schema'])") == []
