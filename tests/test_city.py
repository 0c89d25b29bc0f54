"""The synthetic five-year city (tests/synthetic.py), built and read as the real site is: every
link resolves, every page passes the Nu HTML checker, and each page type of each year, in both
languages, has no axe-core violations and loads cleanly in Chromium (issue #15).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from shisaku.pages import TABLE_ROWS

from .conftest_browser import served_city
from .site_server import LANGUAGES, Watch, html_files, missing_tool
from .synthetic import hiragana, katakana
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


@pytest.fixture(scope="module")
def paged_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A city with 450 projects a year: each year's table in nine pages; built and served."""
    yield from served_city(tmp_path_factory, 450, policies=8, years=2)


PAGES_OF_450 = ["", *(f"page/{n}" for n in range(2, 450 // TABLE_ROWS + 1))]


def test_a_years_table_is_paged_and_each_page_stays_light(paged_city):
    site, _ = paged_city
    pages = sorted((site / "ja/reports/2023/projects").rglob("index.html"))
    assert len(pages) == len(PAGES_OF_450) == 9
    rows = [p.read_text(encoding="utf-8").count("<tr data-policy=") for p in pages]
    assert rows == [TABLE_ROWS] * 9
    assert all(p.stat().st_size < 150_000 for p in pages)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_filtering_and_sorting_take_in_every_page_of_the_year(
    page: Page, paged_city, watch: Watch, lang: str
):
    site, url = paged_city
    last_page = (site / lang / f"reports/2023/projects/{PAGES_OF_450[-1]}/index.html").read_text(
        "utf-8"
    )
    name = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', last_page)[-1]
    visit(page, url, f"{lang}/reports/2023/projects/", until="networkidle")
    rows = page.locator("#projects-table tbody tr:not([hidden])")
    expect(rows).to_have_count(TABLE_ROWS)
    page.locator("#filter-q").fill(name)
    expect(rows.first).to_contain_text(name)
    expect(page.locator("#projects-pager")).to_be_hidden()
    page.locator("#filter-q").fill("")
    expect(rows).to_have_count(TABLE_ROWS)
    expect(page.locator("#projects-pager")).to_be_visible()
    # the dearest project of the year first, wherever its page
    html = "".join(
        (site / lang / "reports/2023/projects" / p / "index.html").read_text("utf-8")
        for p in PAGES_OF_450
    )
    costs = [int(v) for v in re.findall(r'</th>\s*<td class="num" data-value="(\d+)"', html)]
    assert len(costs) > 400
    cost = page.get_by_role("button", name="事業費" if lang == "ja" else "Cost", exact=True)
    cost.click()
    cost.click()
    expect(rows.first.locator("td").first).to_have_attribute("data-value", str(max(costs)))
    # drawn a few at a time, every row of the year within reach of "more"
    more = page.locator("#projects-more")
    while more.is_visible():
        before = rows.count()
        more.click()
        expect(rows).not_to_have_count(before)
    expect(rows).to_have_count(450)
    shown = [
        int(v)
        for v in rows.locator("td:nth-child(2)").evaluate_all(
            "(cells) => cells.map((c) => c.getAttribute('data-value')).filter((v) => v)"
        )
    ]
    assert shown == sorted(costs, reverse=True)
    assert_clean(watch)


@pytest.mark.parametrize(("lang", "query"), [("ja", "事業"), ("en", "City")])
def test_every_search_result_is_reachable(
    page: Page, city_url: str, watch: Watch, lang: str, query: str
):
    """More results than one list shows: "show more" until the list holds the count said."""
    visit(page, city_url, f"{lang}/search/?q={query}", until="networkidle")
    status = page.locator("#search-status")
    expect(status).to_contain_text(query)
    total = int(re.search(r"([\d,]+)\s*(件|results)", status.inner_text())[1].replace(",", ""))
    assert total > 60
    results = page.locator("#search-results > li")
    expect(results).to_have_count(30)
    more = page.locator("#search-more")
    while more.is_visible():
        before = results.count()
        more.click()
        expect(results).not_to_have_count(before)
        focused = page.evaluate(
            "(n) => document.activeElement.closest('li')"
            " === document.querySelectorAll('#search-results > li')[n]",
            before,
        )
        assert focused, "the focus moves to the first new result"
    expect(results).to_have_count(total)
    urls = page.locator("#search-results > li h2 a").evaluate_all(
        "(links) => links.map((a) => a.href)"
    )
    assert len(set(urls)) == total  # each result once
    assert_clean(watch)


def readings(content: Path) -> dict[str, str]:
    """The readings (name_kana) of the newest year's projects, by id."""
    found = {}
    for file in sorted((content / "2023" / "projects").glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        if "name_kana" in data:
            found[data["id"]] = data["name_kana"]
    return found


@pytest.mark.parametrize("typed", ["hiragana", "katakana"])
def test_typing_a_reading_finds_the_project(
    page: Page, city_site: Path, city_url: str, watch: Watch, typed: str
):
    """A project whose reading is in hiragana and one whose reading is in katakana: typed in
    the header's search box in either script, the reading finds each, whose page shows it
    under the name."""
    kana = readings(city_site.parent / "content")
    stored = [
        next(i for i, k in kana.items() if k == hiragana(k)),
        next(i for i, k in kana.items() if k == katakana(k)),
    ]
    for project_id in stored:
        query = katakana(kana[project_id]) if typed == "katakana" else hiragana(kana[project_id])
        visit(page, city_url, "ja/")
        box = page.get_by_role("search").get_by_role("searchbox", name="サイト内検索")
        box.fill(query)
        box.press("Enter")
        link = page.locator(f'h2 a[href$="ja/projects/{project_id}/"]')
        result = page.locator("#search-results li", has=link)
        expect(result.locator("p mark")).to_have_text([kana[project_id]])  # the reading block
        link.click()
        expect(page.locator("h1 + p.reading")).to_have_text(kana[project_id])
    assert_clean(watch)
