"""Meta refresh redirects (crawler.fetching.middlewares.MetaRefresh): Scrapy's, skipping pages that cannot have one."""

from __future__ import annotations

import pytest

REFRESH_PAGES = {
    "a refresh": '<html><head><META HTTP-EQUIV="Refresh" content="0; url=/new/"></head><body>Café</body></html>',
    "a refresh, late in the head": "<html><head>"
    + "<meta name='x' content='y'>" * 60
    + '<meta http-equiv="refresh" content="1;URL=\'https://s.example/later/\'"></head></html>',
    "none": "<html><head><title>Café news</title></head><body><p>No redirect here.</p></body></html>",
    "the word only": "<html><head><title>Refreshments</title></head><body>Refresh the page</body></html>",
    "a refresh in noscript": '<html><head><noscript><meta http-equiv="refresh" content="0;url=/js/"></noscript>'
    "</head><body>x</body></html>",
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252"])
@pytest.mark.parametrize("page", sorted(REFRESH_PAGES))
def test_meta_refresh_redirects_as_scrapys_does_and_skips_pages_that_cannot_have_one(page, encoding):
    from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from crawler.fetching.middlewares import MetaRefresh, _cannot_refresh

    crawler = get_crawler()
    request = Request("https://s.example/old/")
    body = REFRESH_PAGES[page].encode(encoding)

    def response() -> HtmlResponse:
        return HtmlResponse(request.url, body=body, headers={"Content-Type": f"text/html; charset={encoding}"})

    ours = MetaRefresh.from_crawler(crawler).process_response(request, response())
    scrapys = MetaRefreshMiddleware.from_crawler(crawler).process_response(request, response())
    assert type(ours) is type(scrapys)
    if isinstance(scrapys, Request):
        assert ours.url == scrapys.url
    expected = {"a refresh": "https://s.example/new/", "a refresh, late in the head": "https://s.example/later/"}
    assert (ours.url if isinstance(ours, Request) else None) == expected.get(page)
    # the shortcut is taken only where Scrapy's scan can find nothing: ASCII-compatible bytes without "refresh"
    assert _cannot_refresh(body) == (page == "none" and encoding != "utf-16")


def test_the_crawl_uses_it_in_place_of_scrapys():
    import crawler.settings as project

    middlewares = project.DOWNLOADER_MIDDLEWARES
    assert middlewares["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert middlewares["crawler.fetching.middlewares.MetaRefresh"] == 580  # Scrapy's place for it
