"""Shared test fixtures: paths, the record schema validator, devdata location."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
PAGES = FIXTURES / "pages"
CLEANWIRE = [sys.executable, "-m", "crawler"]


def devdata_dir() -> Path | None:
    path = Path(os.environ.get("CLEANWIRE_DEVDATA") or ROOT.parent / "shared" / "devdata")
    return path if (path / "truth.jsonl").is_file() else None


@pytest.fixture
def validate():
    from cleaners.schema import validate as _validate

    return _validate


@pytest.fixture
def devdata() -> Path:
    path = devdata_dir()
    if path is None:
        pytest.skip("devdata not found at ../shared/devdata or $CLEANWIRE_DEVDATA")
    return path
