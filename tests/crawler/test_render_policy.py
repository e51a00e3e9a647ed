"""--render settings: when the browser's download handler is installed, and the render budgets."""

from __future__ import annotations

import pytest
from scrapy import Request

from crawler.fetching.fetch import project_settings
from crawler.fetching.render import HANDLER, RENDER_META, RenderError, RenderPolicy, configure


class FakeStats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, n: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + n


class FakeCrawler:
    def __init__(self, settings) -> None:
        self.settings = settings
        self.stats = FakeStats()


def test_never_leaves_scrapys_download_handlers_alone():
    settings = project_settings({"CLEANWIRE_RENDER": "never"})
    before = settings.getdict("DOWNLOAD_HANDLERS")
    assert configure(settings) == "never"
    assert settings.getdict("DOWNLOAD_HANDLERS") == before


def test_auto_without_chromium_works_as_never_and_keeps_the_reason():
    settings = project_settings({"CLEANWIRE_RENDER": "auto", "CLEANWIRE_CHROMIUM": "/nonexistent/chromium"})
    assert configure(settings) == "never"
    assert HANDLER not in settings.getdict("DOWNLOAD_HANDLERS").values()
    assert (
        settings.get("CLEANWIRE_RENDER_UNAVAILABLE")
        == "Chromium not found (/nonexistent/chromium; apt-get install chromium)"
    )


def test_always_without_chromium_is_an_error_naming_the_flag():
    settings = project_settings({"CLEANWIRE_RENDER": "always", "CLEANWIRE_CHROMIUM": "/nonexistent/chromium"})
    with pytest.raises(RenderError) as caught:
        configure(settings)
    assert str(caught.value) == "--render always: Chromium not found (/nonexistent/chromium; apt-get install chromium)"


def test_an_unknown_mode_is_refused():
    with pytest.raises(RenderError, match="--render: must be one of never, auto, always, got 'sometimes'"):
        configure(project_settings({"CLEANWIRE_RENDER": "sometimes"}))


def test_auto_with_a_browser_installs_the_handler_for_http_and_https(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    settings = project_settings({"CLEANWIRE_RENDER": "auto", "CLEANWIRE_CHROMIUM": str(fake)})
    assert configure(settings) == "auto"
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert (handlers["http"], handlers["https"]) == (HANDLER, HANDLER)


def policy(**settings) -> RenderPolicy:
    values = {"CLEANWIRE_RENDER": "auto", **settings}
    crawled = project_settings({k: str(v) if not isinstance(v, (list, dict)) else v for k, v in values.items()})
    crawled.set("DOWNLOAD_HANDLERS", {"http": HANDLER, "https": HANDLER})
    return RenderPolicy.from_crawler(FakeCrawler(crawled))


def test_budgets_per_run_and_per_site_are_counted():
    render = policy(CLEANWIRE_RENDER_MAX_PAGES=3, CLEANWIRE_RENDER_MAX_PAGES_PER_SITE=2)
    asked = [
        "https://a.example/1",
        "https://a.example/2",
        "https://a.example/3",
        "https://b.example/1",
        "https://b.example/2",
    ]
    assert [render.take(url) for url in asked] == [True, True, False, True, False]
    assert render.crawler.stats.values == {
        "cleanwire/render/requested": 3,
        "cleanwire/render/over_site_budget": 1,
        "cleanwire/render/over_budget": 1,
    }


def test_a_render_request_drops_conditional_headers_and_the_plain_fetchs_meta():
    render = policy()
    plain = Request(
        "https://a.example/x",
        headers={"If-None-Match": '"abc"', "Accept": "text/html"},
        meta={"download_slot": "a.example", "redirect_urls": ["https://a.example/y"], "keep": 1},
    )
    again = render.request(plain)
    assert again.meta["playwright"] is True and again.meta[RENDER_META] is True and again.dont_filter
    assert again.meta["keep"] == 1
    assert "download_slot" not in again.meta and "redirect_urls" not in again.meta
    assert b"If-None-Match" not in again.headers and again.headers[b"Accept"] == b"text/html"


def test_render_sites_and_always_render_up_front():
    sites = policy(CLEANWIRE_RENDER_SITES=["app.example"])
    assert sites.upfront("https://app.example/a") and not sites.upfront("https://other.example/a")
    assert policy(CLEANWIRE_RENDER="always").upfront("https://other.example/a")
    assert not policy(CLEANWIRE_RENDER="never", CLEANWIRE_RENDER_SITES=["app.example"]).upfront("https://app.example/a")


def test_contexts_are_replaced_every_n_pages_and_closed_once_idle():
    import asyncio

    from crawler.fetching.render import Renderer

    settings = project_settings({"CLEANWIRE_RENDER_CONTEXT_PAGES": "3"})
    renderer = Renderer(FakeCrawler(settings))
    closed: list[str] = []

    async def close_context(name: str) -> None:
        closed.append(name)

    renderer.close_context = close_context

    async def pages() -> list[str]:
        names = []
        for n in range(7):
            name = renderer.context_for_page()
            names.append(name)
            if n == 2:
                renderer.in_flight[name] += 1  # still rendering when its context is retired: not closed now
            await asyncio.sleep(0)
        return names

    names = asyncio.run(pages())
    assert names == ["cleanwire-render-0"] * 3 + ["cleanwire-render-1"] * 3 + ["cleanwire-render-2"]
    assert closed == ["cleanwire-render-1"]  # render-0 waits for its last page (render() closes it then)
    assert renderer.stats.values == {"cleanwire/render/contexts_recycled": 2}


def test_sources_file_render_flag(tmp_path):
    from cleaners.errors import InputError
    from crawler.discovery.sources import read_toml_sources

    good = tmp_path / "sites.toml"
    good.write_text(
        '[sites."app"]\nurl = "https://app.example/"\nrender = true\n\n'
        '[sites."plain"]\nurl = "https://plain.example/"\n'
    )
    assert read_toml_sources(str(good)).settings() == {"CLEANWIRE_RENDER_SITES": ["app.example"]}
    bad = tmp_path / "bad.toml"
    bad.write_text('[sites."app"]\nurl = "https://app.example/"\nrender = "yes"\n')
    with pytest.raises(InputError, match=r"\[sites.'app'\] render must be true or false"):
        read_toml_sources(str(bad))
