"""Per-site cleaner overrides from TOML: [sites."example.com"] drop = [...], keep = [...]."""

from __future__ import annotations

import tomllib
from pathlib import Path

from cleaners.errors import InputError
from cleaners.options import SiteOverride


def parse_overrides(data: dict, source: str = "<overrides>") -> tuple[SiteOverride, ...]:
    sites = data.get("sites", {})
    if not isinstance(sites, dict):
        raise InputError("[sites] must be a table of site names", source)
    out = []
    for domain, table in sites.items():
        if not isinstance(table, dict):
            raise InputError(f"[sites.{domain!r}] must be a table", source)
        drop, keep = table.get("drop", []), table.get("keep", [])
        if not (isinstance(drop, list) and isinstance(keep, list) and all(isinstance(s, str) for s in [*drop, *keep])):
            raise InputError(f"[sites.{domain!r}] drop/keep must be lists of CSS selectors", source)
        _check_selectors([*drop, *keep], domain, source)
        out.append(SiteOverride(domain.lower(), tuple(drop), tuple(keep)))
    return tuple(out)


def _check_selectors(selectors: list[str], domain: str, source: str) -> None:
    from cssselect import SelectorError
    from lxml.cssselect import CSSSelector

    for selector in selectors:
        try:
            CSSSelector(selector)
        except SelectorError as exc:
            raise InputError(f"[sites.{domain!r}] invalid CSS selector {selector!r} ({exc})", source) from exc


def load_overrides(path: str | Path | None) -> tuple[SiteOverride, ...]:
    if not path:
        return ()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise InputError("no such file", str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", str(path)) from exc
    return parse_overrides(data, str(path))
