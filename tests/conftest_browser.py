"""End-to-end fixtures: the real site built once, served under its base path, and one Chromium.

Loaded by the test modules that need them with `pytest_plugins = ["tests.conftest_browser"]`.
Everything is session-scoped but the page and its watcher, so the suite builds once and starts
one browser. A missing browser fails the tests that need it: a skip would hide a missing install.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .site_server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Watch,
    build_site,
    missing_tool,
    serve,
)
from .synthetic import make_city


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content/, built once with `python build.py --out DIR` into a temporary folder."""
    return build_site(tmp_path_factory.mktemp("built") / "site")


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """http://127.0.0.1:{free port}/shisaku-hokoku/: the built site, served until the session ends."""
    yield from serve(built_site)


@pytest.fixture(scope="session")
def real_site(built_site: Path, site_url: str) -> tuple[Path, str]:
    """The real site's folder and its URL, together."""
    return built_site, site_url


@pytest.fixture(scope="session")
def city_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic five-year city (tests/synthetic.py: 80 projects a year under 8 policies,
    FY2019-2023, projects started, ended, merged and renamed), built once."""
    root = tmp_path_factory.mktemp("city")
    content = make_city(root / "content", 80, policies=8)
    return build_site(root / "site", content)


@pytest.fixture(scope="session")
def city_url(city_site: Path) -> Iterator[str]:
    """The five-year city, served like site_url."""
    yield from serve(city_site)


def served_city(
    factory: pytest.TempPathFactory, per_year: int, policies: int, years: int
) -> Iterator[tuple[Path, str]]:
    """A synthetic city (tests/synthetic.py) built into a new folder and served: its site/ and
    URL, until the fixture that uses it ends."""
    root = factory.mktemp("city")
    site = build_site(root / "site", make_city(root / "content", per_year, policies, years))
    for url in serve(site):
        yield site, url


@pytest.fixture(scope="session")
def big_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A big city's one report: 3,000 projects under 30 policies, built once and served."""
    yield from served_city(tmp_path_factory, 3000, policies=30, years=1)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (never Playwright's own download)."""
    problem = missing_tool("chromium")
    if problem:
        pytest.fail(problem, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def watch() -> Watch:
    """What the pages of the test's browser contexts did wrong."""
    return Watch()


@pytest.fixture
def new_context(browser, watch: Watch):
    """Makes watched browser contexts (1280 x 800 unless told otherwise); closes them after."""
    contexts = []

    def make(**options):
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
        watch.attach(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh, watched browser context."""
    return new_context().new_page()
