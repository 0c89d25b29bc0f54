"""Many years, as readers see them: each project's history on one page, one overview per report,
a year switcher, and pages that do not grow with the number of years (issue #15).

The real report (FY2023) gets a FY2022 report beside it, made from it: the same policies and
projects, each with the FY2022 cost the FY2023 report gives as 前年度 and a FY2021 figure, and
the FY2022 activities marked so that a test can tell the years apart.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from shisaku.cli import main

from .synthetic import make_city

YUKYAKU = "yukyaku-sokushin"  # 誘客促進事業: FY2023 3,896; FY2022 1,232 (its 前年度)


def add_fiscal_year_2022(content: Path) -> None:
    """content/2022/, the FY2023 report moved back a year, its figures agreeing with FY2023's."""
    old = content / "2022"
    shutil.copytree(content / "2023", old)
    report = old / "report.yaml"
    report.write_text(
        "title:\n  ja: 令和５年度施策報告書（令和４年度振り返り）\n"
        "  en: FY2023 Policy Report (Review of FY2022)\n",
        encoding="utf-8",
    )
    for path in sorted((old / "projects").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        last = data["cost"].get(2022)
        data["cost"] = {2022: last, 2021: None if last is None else last + 100}
        data["activities"] = {
            "ja": "令和４年度の取組み：" + data["activities"]["ja"],
            "en": "FY2022 activities: " + data["activities"]["en"],
        }
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from the real content with FY2022 added."""
    root = tmp_path_factory.mktemp("two-years")
    content = Path(shutil.copytree(Path(__file__).parent.parent / "content", root / "content"))
    add_fiscal_year_2022(content)
    site = root / "site"
    assert main(["build", "--quiet", "--content", str(content), "--out", str(site)]) == 0
    return site


def read(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def text_of(html: str) -> str:
    """The page's words as a reader gets them, without charts and markup."""
    main_part = html[html.index("<main") : html.index("</main>")]
    main_part = re.sub(r"<svg.*?</svg>", " ", main_part, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main_part))


def targets(html: str, page_url: str) -> set[str]:
    """Where the page's links lead inside the site, as paths from its root (they are relative)."""
    base = "http://site/"
    found = {urljoin(base + page_url, href) for href in re.findall(r'href="([^"]*)"', html)}
    return {url.removeprefix(base) for url in found if url.startswith(base)}


def history_rows(html: str) -> list[str]:
    """The rows of a project page's history table, as text."""
    table = html[html.index('<table class="history">') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr>")[1:]
    ]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ja", ["令和5年度 3,896 1,232 2,664 316.2", "令和4年度 1,232 1,332 ▲100"]),
        ("en", ["FY2023 3,896 1,232 2,664 316.2", "FY2022 1,232 1,332 −100"]),
    ],
)
def test_a_project_page_shows_both_years_in_one_history_table(two_years, lang, expected):
    html = read(two_years, f"{lang}/projects/{YUKYAKU}")
    rows = history_rows(html)
    assert len(rows) == 2
    assert rows[0].startswith(expected[0])
    assert rows[1].startswith(expected[1])
    assert html.count("<svg") == 1, "one chart over the years, not one per year"
    words = text_of(html)
    assert ("令和４年度の取組み" if lang == "ja" else "FY2022 activities") in words
    # each year links to that year's report
    links = targets(html, f"{lang}/projects/{YUKYAKU}/")
    for year in (2023, 2022):
        assert f"{lang}/reports/{year}/" in links


def test_the_history_chart_has_a_bar_and_value_for_each_year(two_years):
    html = read(two_years, f"en/projects/{YUKYAKU}")
    svg = html[html.index("<svg") : html.index("</svg>")]
    labels = re.findall(r'class="chart-label"[^>]*>([^<]+)<', svg)
    values = re.findall(r'class="chart-value"[^>]*>([^<]+)<', svg)
    # oldest at the top, as a timeline reads; first the FY2022 report's 前年度 figure
    assert labels == ["FY2021", "FY2022", "FY2023"]
    assert values == ["1,332", "1,232", "3,896"]
    widths = [
        float(w) for w in re.findall(r'<rect class="chart-bar-this"[^>]* width="([0-9.]+)"', svg)
    ]
    assert len(widths) == 3 and widths[1] < widths[0] < widths[2]
    assert "<title" in svg and "<desc" in svg


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_report_has_its_overview_and_the_home_is_the_newest(two_years, lang):
    home, newest, older = (
        read(two_years, f"{lang}"),
        read(two_years, f"{lang}/reports/2023"),
        read(two_years, f"{lang}/reports/2022"),
    )
    title_2023 = "令和６年度施策報告書" if lang == "ja" else "FY2024 Policy Report"
    title_2022 = "令和５年度施策報告書" if lang == "ja" else "FY2023 Policy Report"
    assert title_2023 in text_of(home) and title_2023 in text_of(newest)
    assert title_2022 in text_of(older) and title_2023 not in text_of(older)
    # the year switcher on the home reaches the older report, and back
    assert f"{lang}/reports/2022/" in targets(home, f"{lang}/")
    assert f"{lang}/reports/2023/" in targets(older, f"{lang}/reports/2022/")
    assert 'aria-current="true"' in older


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_policy_pages_show_one_year_with_links_to_the_others(two_years, lang):
    newest = read(two_years, f"{lang}/policies/chiiki-keizai")
    dated = read(two_years, f"{lang}/reports/2023/policies/chiiki-keizai")
    older = read(two_years, f"{lang}/reports/2022/policies/chiiki-keizai")
    assert text_of(newest) == text_of(dated)
    assert "令和４年度の取組み" not in older  # activities live on project pages
    older_url = f"{lang}/reports/2022/policies/chiiki-keizai/"
    assert older_url in targets(newest, f"{lang}/policies/chiiki-keizai/")
    assert f"{lang}/reports/2023/policies/chiiki-keizai/" in targets(older, older_url)
    # one year's table: 15 projects, not 30
    rows = re.compile(r'<th scope="row"><a href="[^"]*/projects/[^"]+/">')
    assert len(rows.findall(newest)) == 15
    assert len(rows.findall(older)) == 15


def test_each_years_table_lists_that_years_projects(two_years):
    for year in (2023, 2022):
        html = read(two_years, f"ja/reports/{year}/projects")
        assert html.count(f'data-year="{year}"') == 15
        assert html.count("<tr data-policy=") == 15
    newest = read(two_years, "ja/projects")
    assert newest.count('data-year="2023"') == newest.count("<tr data-policy=") == 15


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A five-year city and the same city's newest year alone, both built."""
    root = tmp_path_factory.mktemp("city")
    content = make_city(root / "content", 60, policies=6)
    one_year = Path(shutil.copytree(content, root / "one-year"))
    for year in (2019, 2020, 2021, 2022):
        shutil.rmtree(one_year / str(year))
    sites = []
    for tree in (content, one_year):
        site = root / f"site-{tree.name}"
        assert main(["build", "--quiet", "--content", str(tree), "--out", str(site)]) == 0
        sites.append(site)
    return sites[0], sites[1]


def test_no_page_grows_with_the_number_of_years(city):
    """Every page a five-year city has in common with its newest year alone, but a project's
    own history, is within a year switcher's links of that one-year page's size."""
    five, one = city
    compared = 0
    for page in sorted(one.rglob("*.html")):
        url = page.relative_to(one)
        if url.parts[1:2] == ("projects",) and len(url.parts) == 4:
            continue  # a project's page holds its history: a row and a paragraph a year
        assert (five / url).stat().st_size <= 1.1 * page.stat().st_size + 2500, url
        compared += 1
    assert compared > 50
