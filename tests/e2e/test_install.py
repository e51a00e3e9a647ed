"""A plain (non-editable) `pip install` of a built wheel, run from outside the checkout: demo, extract, crawl, schema.

The wheel is built offline (--no-build-isolation --no-index) from a copy of the package sources; the fresh venv
finds the dependencies through a .pth line naming this venv's site-packages, and cleanwire itself only in its own
site-packages (asserted), so the fixture site of `cleanwire demo` must come from the installed package data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from cleaners.schema import article_schema
from crawler.demo.server import FixtureSite

from conftest import PAGES, ROOT

SOURCES = ("pyproject.toml", "README.md", "cleaners", "crawler")


def run(command: list, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(bin directory of a fresh venv with cleanwire installed from a wheel, a working directory outside the checkout)."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(
            ROOT / name,
            src / name,
            **({"ignore": shutil.ignore_patterns("__pycache__")} if (ROOT / name).is_dir() else {}),
        )
    built = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            tmp / "dist",
            src,
        ],
        cwd=tmp,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp / "dist").glob("cleanwire-*.whl")
    venv = tmp / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(
        run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # a path line: no .pth runs
    done = run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel], cwd=tmp
    )
    assert done.returncode == 0, done.stderr[-3000:]
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    where = run(
        [python, "-c", "import cleaners, crawler; print(crawler.__file__); print(cleaners.__file__)"], cwd=elsewhere
    )
    assert where.returncode == 0, where.stderr
    assert all(Path(line).is_relative_to(site) for line in where.stdout.split()), where.stdout  # not the checkout
    return venv / "bin", elsewhere


def test_schema_from_the_installed_package(installed):
    bin_dir, cwd = installed
    result = run([bin_dir / "cleanwire", "schema"], cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(json.dumps(article_schema()))


def test_extract_from_the_installed_package(installed):
    bin_dir, cwd = installed
    page = PAGES / "arc" / "utility-rates-heating-bill.html"
    shutil.copy(page, cwd / "page.html")
    result = run([bin_dir / "cleanwire", "extract", "page.html"], cwd=cwd)
    assert result.returncode == 0, result.stderr
    here = run([sys.executable, "-m", "crawler", "extract", str(page)], cwd=ROOT)
    assert json.loads(result.stdout)["text"] == json.loads(here.stdout)["text"]


def test_demo_serves_the_fixture_site_from_package_data(installed):
    bin_dir, cwd = installed
    result = run([bin_dir / "cleanwire", "demo", "-o", "demo.jsonl", "-s", "CLEANWIRE_WORKERS=1"], cwd=cwd)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    records = [json.loads(line) for line in (cwd / "demo.jsonl").read_text("utf-8").splitlines()]
    with FixtureSite() as site:
        articles = len(site.manifest["articles"])
    assert len(records) == articles


def test_crawl_from_the_installed_package(installed):
    bin_dir, cwd = installed
    with FixtureSite() as site:
        result = run(
            [
                bin_dir / "cleanwire",
                "crawl",
                site.origin + "/",
                "-o",
                "crawl.jsonl",
                "--workers",
                "1",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=False",
            ],
            cwd=cwd,
        )
        expected = sorted(site.url(a["path"]) for a in site.manifest["articles"])
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in (cwd / "crawl.jsonl").read_text("utf-8").splitlines()]
    assert sorted(r["url"] for r in records) == expected
