"""Settings defaults live in crawler/settings.py only, and components built without the project settings get them."""

from __future__ import annotations

import ast
from pathlib import Path

from scrapy.utils.test import get_crawler

import crawler.settings as project
from crawler.settings import with_defaults

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p for top in ("crawler", "cleaners") for p in (ROOT / top).rglob("*.py") if p != Path(project.__file__)
)
GETTERS = {"get", "getint", "getbool", "getfloat", "getlist", "getdict", "getdictorlist", "getwithbase"}
DEFAULTS = {name for name in vars(project) if name.startswith("CLEANWIRE_")}


def setting_reads(path: Path) -> list[tuple[int, str, bool]]:
    """(line, name, default given) of every `x.get*("CLEANWIRE_...", ...)` call in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GETTERS):
            continue
        if node.args and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith("CLEANWIRE_"):
            has_default = len(node.args) > 1 or any(k.arg == "default" for k in node.keywords)
            found.append((node.lineno, node.args[0].value, has_default))
    return found


def setting_names(path: Path) -> set[str]:
    """Every string constant in a module that is a whole CLEANWIRE_* setting name (reads, and CLI writes)."""
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("CLEANWIRE_")
        and node.value.replace("_", "").isalnum()
        and node.value.isupper()
    }


def test_reads_scan_finds_the_settings_reads():
    reads = [name for path in SOURCES for _, name, _ in setting_reads(path)]
    assert "CLEANWIRE_LINK_DEPTH" in reads and "CLEANWIRE_MAX_CRAWL_DELAY" in reads  # the scan sees the reads


def test_no_default_is_repeated_outside_settings_py():
    repeated = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in SOURCES
        for line, name, has_default in setting_reads(path)
        if has_default
    ]
    assert repeated == []  # read it through crawler.settings.with_defaults(settings) instead


def test_every_setting_name_has_a_default_in_settings_py():
    unknown = sorted(f"{path.relative_to(ROOT)} {name}" for path in SOURCES for name in setting_names(path) - DEFAULTS)
    assert unknown == []


def test_with_defaults_puts_the_project_values_underneath():
    crawler = get_crawler(settings_dict={"CLEANWIRE_LINK_DEPTH": 5})
    settings = with_defaults(crawler.settings)
    assert settings.getint("CLEANWIRE_LINK_DEPTH") == 5  # what the crawl sets wins
    assert settings.getlist("CLEANWIRE_SITEMAP_PATHS") == project.CLEANWIRE_SITEMAP_PATHS
    assert settings.getfloat("CLEANWIRE_MAX_CRAWL_DELAY") == project.CLEANWIRE_MAX_CRAWL_DELAY
    assert settings.getpriority("CLEANWIRE_MODE") == 0  # lowest priority
    assert settings.frozen
    assert "CLEANWIRE_MODE" not in crawler.settings  # the crawl's own settings are left alone


def test_with_defaults_returns_complete_settings_as_they_are():
    from crawler.fetching.fetch import project_settings

    settings = project_settings()
    assert with_defaults(settings) is settings


def test_components_built_without_project_settings_get_the_defaults():
    from crawler.fetching.politeness import Backoff, CrawlDelay
    from crawler.spiders.site import SiteSpider

    spider = SiteSpider.from_crawler(get_crawler(SiteSpider), url="https://s.example/")
    assert (spider.link_depth, spider.same_domain) == (project.CLEANWIRE_LINK_DEPTH, project.CLEANWIRE_SAME_DOMAIN)
    assert spider.sitemap_paths == project.CLEANWIRE_SITEMAP_PATHS
    assert spider.feed_paths == project.CLEANWIRE_FEED_PATHS
    assert spider.max_article_pages == project.CLEANWIRE_MAX_ARTICLE_PAGES
    delay = CrawlDelay.from_crawler(get_crawler(settings_dict={"ROBOTSTXT_OBEY": True}))
    assert delay.max_delay == project.CLEANWIRE_MAX_CRAWL_DELAY
    backoff = Backoff.from_crawler(get_crawler())
    assert (backoff.start, backoff.maximum) == (project.CLEANWIRE_BACKOFF_START, project.CLEANWIRE_BACKOFF_MAX)
