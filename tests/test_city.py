"""The synthetic five-year city (tests/synthetic.py), built and read as the real site is: every
link resolves, every page passes the Nu HTML checker, and each page type of each year, in both
languages, has no axe-core violations and loads cleanly in Chromium (issue #15).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .site_server import LANGUAGES, Watch, html_files, missing_tool
from .test_browser import assert_clean, axe_violations, visit
from .test_html import vnu_errors
from .test_links import crawl_of

pytest_plugins = ["tests.conftest_browser"]


def test_every_link_of_the_city_resolves(city_site: Path):
    crawl = crawl_of(city_site)
    assert crawl.checked > 10_000
    lines = [f"{where}: {url} -> {what}" for where, url, what in crawl.broken]
    assert not lines, f"{len(lines)} broken links:\n" + "\n".join(lines[:50])


def test_every_page_of_the_city_passes_the_nu_html_checker(city_site: Path):
    problem = missing_tool("java", "vnu")
    if problem:
        pytest.fail(problem, pytrace=False)
    files = html_files(city_site)
    assert len(files) > 300
    errors = vnu_errors(files, city_site.resolve())
    assert not errors, "\n".join(errors[:50])


def pages_to_read(site: Path) -> dict[str, str]:
    """One page of each kind the years bring, by name: the URL inside the site, for {lang}."""
    ja = site / "ja"
    projects = sorted(p.parent.name for p in (ja / "projects").glob("*/index.html"))
    longest = max(projects, key=lambda p: (ja / "projects" / p / "index.html").stat().st_size)
    ended = next(
        p for p in projects if "で終了しました" in (ja / "projects" / p / "index.html").read_text()
    )
    policy = sorted((ja / "reports/2019/policies").iterdir())[0].name
    division = sorted((ja / "reports/2021/divisions").iterdir())[0].name
    return {
        "home": "{lang}/",
        "oldest-report": "{lang}/reports/2019/",
        "table-2020": "{lang}/reports/2020/projects/",
        "policy-2019": f"{{lang}}/reports/2019/policies/{policy}/",
        "division-2021": f"{{lang}}/reports/2021/divisions/{division}/",
        "longest-history": f"{{lang}}/projects/{longest}/",
        "ended-project": f"{{lang}}/projects/{ended}/",
    }


@pytest.fixture(scope="module")
def city_pages(city_site: Path) -> dict[str, str]:
    return pages_to_read(city_site)


NAMES = [
    "home",
    "oldest-report",
    "table-2020",
    "policy-2019",
    "division-2021",
    "longest-history",
    "ended-project",
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_city_pages_load_cleanly_with_no_axe_violations(
    page: Page, city_url: str, city_pages: dict[str, str], watch: Watch, name: str, lang: str
):
    visit(page, city_url, city_pages[name].format(lang=lang), until="networkidle")
    expect(page.locator("h1").first).to_be_visible()
    violations = axe_violations(page)
    assert not violations, "\n\n".join(violations)
    assert_clean(watch)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_year_switcher_leads_through_every_report(
    page: Page, city_url: str, watch: Watch, lang: str
):
    """From the home, a reader reaches each older report by its year link, and back."""
    visit(page, city_url, f"{lang}/", until="networkidle")
    switcher = page.get_by_role("navigation", name=switcher_name(lang))
    labels = switcher.get_by_role("link").all_inner_texts()
    assert len(labels) == 4  # the four older reports; the year shown is not a link
    for label in labels:
        visit(page, city_url, f"{lang}/", until="networkidle")
        page.get_by_role("navigation", name=switcher_name(lang)).get_by_role(
            "link", name=label, exact=True
        ).click()
        expect(page.locator("h1")).to_be_visible()
        current = page.get_by_role("navigation", name=switcher_name(lang)).locator("[aria-current]")
        expect(current).to_have_text(label)
        page.wait_for_load_state("networkidle")
    assert_clean(watch)


def switcher_name(lang: str) -> str:
    return "年度" if lang == "ja" else "Fiscal year"
