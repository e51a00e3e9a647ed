"""The sources file (TOML) of a scheduled crawl: sites, their start URLs, bounds, politeness and cleaner overrides."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from cleaners.errors import InputError

Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class SiteSource:
    """One [sites."name"] table: where to start and how to treat the site."""

    name: str
    urls: tuple[str, ...]
    allow: tuple[str, ...] = ()  # allowed path prefixes (empty: the whole site)
    max_pages: int | None = None  # page requests to the site per run
    download_delay: float | None = None  # seconds between requests to the site
    concurrency: int | None = None  # requests in flight to the site
    template_keep: tuple[str, ...] = ()  # block openings never removed as site template
    render: bool = False  # pages rendered in headless Chromium (--render auto or always)

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((urlsplit(u).hostname or "").lower() for u in self.urls))


@dataclass(frozen=True)
class Sources:
    """Everything a sources file says: the state path and output template when given, and the sites."""

    urls: list[str]
    sites: tuple[SiteSource, ...] = ()
    state: str | None = None
    output: str | None = None
    has_overrides: bool = False

    def settings(self) -> dict:
        """Settings for the crawl: per-site bounds (crawler.spiders.site), download slots, template keep."""
        extra: dict = {}
        allow = {h: list(s.allow) for s in self.sites if s.allow for h in s.hosts}
        budget = {h: s.max_pages for s in self.sites if s.max_pages for h in s.hosts}
        keep = {h: list(s.template_keep) for s in self.sites if s.template_keep for h in s.hosts}
        render = [h for s in self.sites if s.render for h in s.hosts]
        slots = {h: _slot(s) for s in self.sites if s.download_delay is not None or s.concurrency for h in s.hosts}
        for name, value in (
            ("CLEANWIRE_SITE_ALLOW", allow),
            ("CLEANWIRE_SITE_MAX_PAGES", budget),
            ("CLEANWIRE_TEMPLATE_KEEP", keep),
            ("DOWNLOAD_SLOTS", slots),
            ("CLEANWIRE_RENDER_SITES", render),
        ):
            if value:
                extra[name] = value
        return extra


def _slot(site: SiteSource) -> dict:
    slot = {}
    if site.download_delay is not None:
        slot["delay"] = site.download_delay
    if site.concurrency:
        slot["concurrency"] = site.concurrency
    return slot


def _strings(table: dict, key: str, where: str, source: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where} {key} must be a list of strings", source)
    return tuple(value)


def _number(table: dict, key: str, where: str, source: str, kind: type[Number]) -> Number | None:
    value = table.get(key)
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value < 0
        or (kind is int and value != int(value))
    ):
        raise InputError(f"{where} {key} must be a non-negative {kind.__name__}", source)
    return kind(value)


def parse_site(name: str, table: dict, source: str) -> SiteSource | None:
    where = f"[sites.{name!r}]"
    urls = _strings(table, "url", where, source) + _strings(table, "start_urls", where, source)
    if not urls:
        return None  # a table with cleaner overrides only
    allow = tuple(p if p.startswith("/") else "/" + p for p in _strings(table, "allow", where, source))
    return SiteSource(
        name,
        urls,
        allow,
        _number(table, "max_pages", where, source, int),
        _number(table, "download_delay", where, source, float),
        _number(table, "concurrency", where, source, int),
        _strings(table, "template_keep", where, source),
        _flag(table, "render", where, source),
    )


def _flag(table: dict, key: str, where: str, source: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise InputError(f"{where} {key} must be true or false", source)
    return value


def read_toml_sources(path: str) -> Sources:
    """urls = [...], state = "...", output = "...", and [sites."name"] tables (url/start_urls, allow, max_pages,
    download_delay, concurrency, template_keep, render, plus the cleaner's drop/keep selectors)."""
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise InputError(exc.strerror or "cannot read", path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", path) from exc
    tables = data.get("sites", {})
    if not isinstance(tables, dict):
        raise InputError("[sites] must be a table of site names", path)
    sites = tuple(s for name, t in tables.items() if isinstance(t, dict) and (s := parse_site(name, t, path)))
    urls = [u for u in data.get("urls", []) if isinstance(u, str)]
    urls += [s["url"] for s in data.get("sources", []) if isinstance(s, dict) and isinstance(s.get("url"), str)]
    urls += [u for site in sites for u in site.urls]
    state, output = data.get("state"), data.get("output")
    if (state is not None and not isinstance(state, str)) or (output is not None and not isinstance(output, str)):
        raise InputError("state and output must be strings", path)
    base = Path(path).resolve().parent
    state = str(base / Path(state).expanduser()) if state else None  # both relative to the sources file
    output = str(base / output) if output else None
    return Sources(list(dict.fromkeys(urls)), sites, state, output, bool(tables))
