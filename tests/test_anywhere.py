"""The same site/ works wherever it is put (issue #16): at a domain's root, under another path
than site.yaml's base_path, and opened from disk (file://), in Chromium: every page type in
both languages is styled, its links and assets inside the site all resolve, and following a
link opens a page (not a folder listing).
"""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page

from .site_server import LANGUAGES, PAGES, Watch, serve_with
from .test_browser import assert_clean

pytest_plugins = ["tests.conftest_browser"]

# The pages read in each place; search needs a server (it fetches its index), so not from disk.
READ = ["home", "policy", "project", "table", "division", "data", "about"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def served(folder: Path) -> Iterator[str]:
    """A folder served as it is (no knowledge of the site's base path) on a free port."""
    yield from serve_with(partial(QuietHandler, directory=str(folder)), "/")


@pytest.fixture(scope="module", params=["root", "other-path", "file"])
def place(request, built_site: Path, tmp_path_factory) -> Iterator[str]:
    """The built site's address in each place: a server's root, a server's /elsewhere/deep/,
    and file:// (the site's folder URL, ending in /)."""
    if request.param == "file":
        yield built_site.resolve().as_uri() + "/"
        return
    if request.param == "root":
        yield from served(built_site)
        return
    www = tmp_path_factory.mktemp("www")
    (www / "elsewhere").mkdir()
    (www / "elsewhere" / "deep").symlink_to(built_site.resolve(), target_is_directory=True)
    for url in served(www):
        yield url + "elsewhere/deep/"


def page_url(place: str, path: str) -> str:
    """A page's address; from disk, a folder's index.html (as a reader opens it there)."""
    url = urljoin(place, path)
    return url + "index.html" if place.startswith("file:") and url.endswith("/") else url


def internal_links(page: Page, place: str) -> set[str]:
    """Every link and asset of the page that stays inside the site, resolved."""
    found = page.evaluate(
        """() => [...document.querySelectorAll('a[href], link[href], script[src], form[action]')]
            .filter((e) => !(e.rel && /canonical|alternate|license/.test(e.rel)) || e.type)
            .map((e) => e.href || e.src || e.action)"""
    )
    return {urlsplit(url)._replace(fragment="").geturl() for url in found if url.startswith(place)}


def resolves(page: Page, url: str) -> bool:
    if url.startswith("file:"):
        path = Path(urlsplit(url).path)
        return (path / "index.html").is_file() if url.endswith("/") else path.is_file()
    return page.request.get(url).status == 200


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", READ)
def test_every_page_type_is_styled_and_its_links_resolve(
    page: Page, place: str, watch: Watch, name: str, lang: str
):
    url = page_url(place, PAGES[name].format(lang=lang))
    page.goto(url, wait_until="load")
    # the site's stylesheet applies: the header's bar is the brand colour, not the default
    border = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).borderTopColor"
    )
    assert border == "rgb(29, 78, 137)", f"{url}: unstyled ({border})"
    broken = sorted(link for link in internal_links(page, place) if not resolves(page, link))
    assert not broken, f"{url}: {broken}"
    assert_clean(watch)


def test_following_links_opens_pages_not_folders(page: Page, place: str, watch: Watch):
    """From the home, the navigation, a policy and a project each open as a page with its
    heading (from disk too, where a folder's link would show the folder's listing)."""
    page.goto(page_url(place, "ja/"), wait_until="load")
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="事務事業の一覧"
    ).click()
    page.wait_for_load_state("load")
    assert page.locator("h1").first.inner_text().endswith("事務事業の一覧")
    page.get_by_role("link", name="商店街チャレンジ戦略支援事業").first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").first.inner_text().startswith("商店街チャレンジ戦略支援事業")
    assert page.url.startswith(place)
    assert_clean(watch)
