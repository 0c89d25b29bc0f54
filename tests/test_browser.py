"""The built site in real headless Chromium, served under its base path on 127.0.0.1.

Every page type in both languages loads without console errors, failed requests or requests to
other hosts, and has no axe-core violations; the language switch, the table's sorting and
filtering, the search and the printed figures work as a reader uses them. Screenshots go to
test-artifacts/screenshots/.
"""

from __future__ import annotations

import struct
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from .conftest import CONTENT
from .site_server import (
    ARTIFACTS,
    BASE_PATH,
    LANGUAGES,
    SINGLE_PAGES,
    Watch,
    page_cases,
    page_path,
    skip_if_not_written,
)

pytest_plugins = ["tests.conftest_browser"]

PROJECTS = {
    p["id"]: p
    for p in (
        yaml.safe_load(f.read_text(encoding="utf-8"))
        for f in sorted((CONTENT / "2023" / "projects").glob("*.yaml"))
    )
}
LOANS = ("chusho-kigyo-yushi", "koguchi-reisai-yushi")  # the two projects with 融資 in the name


def visit(page: Page, site_url: str, path: str, status: int = 200, until: str = "load") -> Page:
    """Open a path of the site; `until="networkidle"` also waits for late requests to end."""
    response = page.goto(site_url + path, wait_until=until)
    assert response is not None, f"{path}: no response"
    assert response.status == status, f"{path}: HTTP {response.status}, not {status}"
    return page


def assert_clean(watch: Watch) -> None:
    report = watch.report()
    assert not report, f"the page did something wrong:\n{report}"


def single_page_cases() -> list:
    return [pytest.param(name, id=name) for name in SINGLE_PAGES]


def open_page_type(page: Page, site_url, built_site, name: str, lang: str, until: str = "load"):
    skip_if_not_written(built_site, name, lang)
    visit(page, site_url, page_path(name, lang), until=until)
    if name == "search":  # the status says the page is ready once search.js has run
        expect(page.locator("#search-status")).not_to_be_empty()


def open_single_page(page: Page, site_url, watch: Watch, name: str, until: str = "load") -> None:
    path = SINGLE_PAGES[name]
    status = 404 if name == "404" else 200
    if status == 404:
        watch.expected_status[site_url + path] = 404
    visit(page, site_url, path, status=status, until=until)


# ---- the server and the watcher themselves ---------------------------------------------------


def fetch(url: str) -> tuple[int, str, bytes]:
    """(status, Content-Type, body) of a GET, without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [
        ("", 200, "text/html; charset=utf-8"),
        ("ja/projects/", 200, "text/html; charset=utf-8"),
        ("static/style.css", 200, "text/css"),
        ("static/table.js", 200, "application/javascript"),
        ("data/datapackage.json", 200, "application/json"),
        ("data/132225_projects.csv", 200, "text/csv; charset=utf-8"),
        ("search/ja/meta.json", 200, "application/json"),
        ("ja/no-such-page/", 404, "text/html; charset=utf-8"),
        ("ja/projects", 301, None),
    ],
)
def test_the_server_serves_the_site_under_its_base_path(site_url, path, status, content_type):
    got_status, got_type, body = fetch(site_url + path)
    assert (got_status, got_type) == (status, content_type or got_type)
    if status == 404:
        assert b'name="robots" content="noindex"' in body  # 404.html itself
    origin = site_url.removesuffix(BASE_PATH)
    assert fetch(origin + "/ja/projects/")[0] == 404  # nothing outside the base path


def test_the_watcher_reports_errors_and_blocks_other_hosts(new_context, site_url, watch: Watch):
    # The site's Content-Security-Policy would stop the request first: bypass it to test the watcher.
    page = new_context(bypass_csp=True).new_page()
    visit(page, site_url, "ja/")
    page.evaluate(
        """async () => {
            console.error("boom");
            await fetch("static/missing.js").catch(() => {});
            await fetch("https://example.org/").catch(() => {});
        }"""
    )
    report = watch.report()
    assert "console error: boom" in report
    assert "HTTP 404" in report and "static/missing.js" in report
    assert watch.other_hosts == ["https://example.org/"]


def test_the_content_security_policy_stops_inline_script_and_other_hosts(
    page: Page, site_url, watch: Watch
):
    """Script that reached a page through content would not run, and nothing leaves for another host."""
    visit(page, site_url, "ja/projects/")
    ran = page.evaluate(
        """async () => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            const inline = document.createElement("div");
            inline.setAttribute("onclick", "window.clicked = true");
            document.body.append(inline);
            inline.click();
            let fetched = true;
            await fetch("https://example.org/").catch(() => { fetched = false; });
            return [window.injected === true, window.clicked === true, fetched];
        }"""
    )
    assert ran == [False, False, False]
    assert watch.other_hosts == []  # blocked by the policy before any request was made
    violations = [p for p in watch.problems if "Content Security Policy" in p]
    assert len(violations) >= 3, watch.problems
    watch.problems.clear()


# ---- every page loads cleanly ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "lang"), page_cases())
def test_page_loads_cleanly(page: Page, site_url, built_site, watch: Watch, name, lang):
    open_page_type(page, site_url, built_site, name, lang, until="networkidle")
    assert page.locator("html").get_attribute("lang") == lang
    expect(page.locator("h1").first).to_be_visible()
    assert_clean(watch)


@pytest.mark.parametrize("name", single_page_cases())
def test_single_page_loads_cleanly(page: Page, site_url, watch: Watch, name):
    """The language chooser at /, and 404.html at a deep missing URL (its links are root-relative)."""
    open_single_page(page, site_url, watch, name, until="networkidle")
    for lang in LANGUAGES:
        link = page.locator(f'a[hreflang="{lang}"]').first
        expect(link).to_be_visible()
        assert urlsplit(urljoin(page.url, link.get_attribute("href"))).path == f"{BASE_PATH}{lang}/"
    assert_clean(watch)


# ---- accessibility --------------------------------------------------------------------------

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "best-practice"]},
    "resultTypes": ["violations"],
}


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page, one readable paragraph each."""
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    found = []
    for v in violations:
        lines = [f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>"]
        for node in v["nodes"]:
            lines.append(f"  at {', '.join(map(str, node['target']))}: {node['html'][:300]}")
            lines += [f"    {line}" for line in node.get("failureSummary", "").splitlines()]
        found.append("\n".join(lines))
    return found


# Site problems axe finds today (the site is to be fixed; these tests then pass and must lose
# their mark).
@pytest.mark.parametrize(("name", "lang"), page_cases())
def test_page_has_no_axe_violations(page: Page, site_url, built_site, name, lang):
    open_page_type(page, site_url, built_site, name, lang)
    violations = axe_violations(page)
    assert not violations, "\n\n".join(violations)


@pytest.mark.parametrize("name", single_page_cases())
def test_single_page_has_no_axe_violations(page: Page, site_url, watch: Watch, name):
    open_single_page(page, site_url, watch, name)
    violations = axe_violations(page)
    assert not violations, "\n\n".join(violations)


# ---- the language switch --------------------------------------------------------------------


def test_the_language_switch_round_trips(page: Page, site_url, watch: Watch):
    name = PROJECTS["shotengai-challenge"]["name"]
    visit(page, site_url, "ja/projects/shotengai-challenge/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    switch = page.get_by_role("navigation", name="言語の切り替え")
    switch.get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{site_url}en/projects/shotengai-challenge/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text(name["en"])

    page.get_by_role("navigation", name="Language").get_by_role("link", name="日本語").click()
    expect(page).to_have_url(f"{site_url}ja/projects/shotengai-challenge/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("h1")).to_contain_text(name["ja"])
    assert_clean(watch)


# ---- the table of all projects --------------------------------------------------------------

TABLE = "#projects-table"


def column_values(page: Page, header: str) -> list[float | None]:
    """The data-value of every row's cell under `header`, in row order; None where missing."""
    headers = [h.strip() for h in page.locator(f"{TABLE} thead th").all_inner_texts()]
    return page.eval_on_selector_all(
        f"{TABLE} tbody tr",
        """(rows, i) => rows.map((row) => {
            const value = row.cells[i].getAttribute("data-value");
            return value === null || value === "" ? null : Number(value);
        })""",
        headers.index(header),
    )


def visible_project_names(page: Page) -> list[str]:
    return page.locator(f"{TABLE} tbody tr:visible th").all_inner_texts()


def missing_last(values: list, descending: bool) -> list:
    present = sorted((v for v in values if v is not None), reverse=descending)
    return present + [None] * (len(values) - len(present))


@pytest.mark.parametrize(("header", "year"), [("事業費", 2023), ("前年度事業費", 2022)])
def test_sorting_by_an_amount(page: Page, site_url, watch: Watch, header, year):
    """Ascending, then descending; missing amounts (キャッシュレス決済推進事業's 2022) last both ways."""
    costs = [p["cost"][year] for p in PROJECTS.values()]
    visit(page, site_url, "ja/projects/")
    th = page.get_by_role("columnheader", name=header, exact=True)
    expect(th).not_to_have_attribute("aria-sort", "ascending")

    th.get_by_role("button").click()
    expect(th).to_have_attribute("aria-sort", "ascending")
    assert column_values(page, header) == missing_last(costs, descending=False)

    th.get_by_role("button").click()
    expect(th).to_have_attribute("aria-sort", "descending")
    assert column_values(page, header) == missing_last(costs, descending=True)
    largest = max(PROJECTS.values(), key=lambda p: p["cost"][year] or 0)
    assert visible_project_names(page)[0] == largest["name"]["ja"]
    expect(page.locator(f"{TABLE} thead th[aria-sort]")).to_have_count(1)
    assert_clean(watch)


def test_filtering_by_division(page: Page, site_url, watch: Watch):
    visit(page, site_url, "ja/projects/")
    page.get_by_label("所管課").select_option(label="企画調整課")
    expected = [p["name"]["ja"] for p in PROJECTS.values() if p["division"] == "kikaku-chosei"]
    assert len(expected) == 1
    expect(page.locator(f"{TABLE} tbody tr:visible")).to_have_count(1)
    assert visible_project_names(page) == expected
    expect(page.locator("#projects-count")).to_have_text("15件中 1件を表示")
    assert_clean(watch)


def test_filtering_by_text(page: Page, site_url, watch: Watch):
    visit(page, site_url, "ja/projects/")
    page.get_by_label("文字で絞り込む").fill("融資")
    expect(page.locator(f"{TABLE} tbody tr:visible")).to_have_count(2)
    assert visible_project_names(page) == ["中小企業資金融資事業", "小口零細企業資金融資事業"]
    assert [PROJECTS[i]["name"]["ja"] for i in LOANS] == visible_project_names(page)
    assert_clean(watch)


def test_the_table_without_javascript_shows_every_row(new_context, site_url, watch: Watch):
    page = new_context(java_script_enabled=False).new_page()
    visit(page, site_url, "ja/projects/")
    expect(page.locator(f"{TABLE} tbody tr:visible")).to_have_count(len(PROJECTS))
    assert len(PROJECTS) == 15
    expect(page.locator("#projects-filter")).to_be_hidden()
    expect(page.locator(f"{TABLE} thead button")).to_have_count(0)
    assert_clean(watch)


# ---- search ---------------------------------------------------------------------------------


def search_results(page: Page) -> list[tuple[str, str]]:
    """(title, path) of every search result listed by search.js from site/search/."""
    links = page.locator("#search-results h2 a")
    expect(links.first).to_be_visible(timeout=15_000)
    return [
        (a.inner_text(), urlsplit(urljoin(page.url, a.get_attribute("href") or "")).path)
        for a in links.all()
    ]


@pytest.mark.parametrize(("lang", "query"), [("ja", "融資"), ("en", "loan")])
def test_search_finds_both_loan_programs(page: Page, site_url, watch: Watch, lang, query):
    visit(page, site_url, f"{lang}/search/?q={query}")
    results = search_results(page)
    paths = [path for _, path in results]
    titles = " | ".join(title for title, _ in results)
    for project_id in LOANS:
        assert f"{BASE_PATH}{lang}/projects/{project_id}/" in paths, results
        assert PROJECTS[project_id]["name"][lang] in titles
    assert all(path.startswith(f"{BASE_PATH}{lang}/") for path in paths), results
    # Each excerpt marks what was found: 融資, or the words "loan" begins (Loan, loans).
    for item in page.locator("#search-results li").all():
        marks = item.locator("p mark").all_inner_texts()
        assert marks and all(mark.lower().startswith(query) for mark in marks), marks
    assert_clean(watch)


def pages_saying(word: str, lang: str) -> set[str]:
    """The pages whose searchable text has the word, from content/: a project's name, summary
    and activities; a policy's name, approach, basic projects and directions; Markdown pages.
    (Home and the list of all projects are not searched; nor are the tables of projects.)"""
    found = {
        f"{lang}/projects/{project_id}/"
        for project_id, p in PROJECTS.items()
        if any(word in p[key][lang] for key in ("name", "summary", "activities"))
    }
    for file in sorted(CONTENT.glob("*/policies/*.yaml")):
        policy = yaml.safe_load(file.read_text(encoding="utf-8"))
        texts = [policy["name"][lang], policy["approach"][lang]]
        for bp in policy["basic_projects"]:
            texts += [bp["name"][lang], *(d[lang] for d in bp["directions"])]
        if any(word in text for text in texts):
            found.add(f"{lang}/policies/{policy['id']}/")
    for file in sorted((CONTENT / "pages").glob(f"*.{lang}.md")):
        if word in file.read_text(encoding="utf-8"):
            found.add(f"{lang}/{file.name.split('.')[0]}/")
    return found


def test_the_header_search_box_leads_to_results(page: Page, site_url, watch: Watch):
    visit(page, site_url, "ja/")
    box = page.get_by_role("search").get_by_role("searchbox", name="サイト内検索")
    box.fill("融資")
    box.press("Enter")
    expect(page).to_have_url(f"{site_url}ja/search/?q=%E8%9E%8D%E8%B3%87")
    paths = [path for _, path in search_results(page)]
    expect(box).to_have_value("融資")  # the query stays in the box on the results page
    # The two loan programs and 小企業経営改善資金利子補給事業 (…資金融資を受けた小企業者…).
    expected = pages_saying("融資", "ja")
    assert len(expected) == 3
    expect(page.locator("#search-status")).to_have_text(f"「融資」の検索結果：{len(expected)}件")
    assert sorted(paths) == sorted(BASE_PATH + path for path in expected)
    page.get_by_role("link", name=PROJECTS["chusho-kigyo-yushi"]["name"]["ja"]).first.click()
    expect(page).to_have_url(f"{site_url}ja/projects/chusho-kigyo-yushi/")
    assert_clean(watch)


def test_a_search_that_finds_nothing_says_so(page: Page, site_url, watch: Watch):
    visit(page, site_url, "ja/search/?q=ほげふが")
    expect(page.locator("#search-status")).to_have_text("「ほげふが」は見つかりませんでした。")
    expect(page.locator("#search-results li")).to_have_count(0)
    assert_clean(watch)


@pytest.mark.parametrize(
    ("query", "said"),
    [("cashless", '1 result for "cashless"'), ("guarantee", '2 results for "guarantee"')],
)
def test_the_english_count_is_singular_for_one_result(
    page: Page, site_url, watch: Watch, query, said
):
    visit(page, site_url, f"en/search/?q={query}")
    expect(page.locator("#search-status")).to_have_text(said)
    expect(page.locator("#search-results > li")).to_have_count(int(said.split()[0]))
    assert_clean(watch)


def test_an_excerpt_is_the_sentence_that_matches_with_no_label_run_into_it(
    page: Page, site_url, watch: Watch
):
    """A result shows the sentence of its page that has the words, or the name alone: never
    the labels and values beside it ("所管課 産業政策課 事業概要 市が…")."""
    visit(page, site_url, "ja/search/?q=利子補給")
    search_results(page)
    project = PROJECTS["chusho-kigyo-yushi"]
    sentence = next(s + "。" for s in project["summary"]["ja"].split("。") if "利子補給" in s)
    link = page.get_by_role("link", name=project["name"]["ja"], exact=True)
    excerpt = page.locator("#search-results li", has=link).locator("p")
    expect(excerpt).to_have_text(sentence)
    expect(excerpt.locator("mark")).to_have_text(["利子補給"])
    visit(page, site_url, "ja/search/?q=産業政策課")
    search_results(page)
    excerpts = dict(
        page.locator("#search-results li").evaluate_all(
            "(items) => items.map((li) => [li.querySelector('a').href, li.querySelector('p').textContent])"
        )
    )
    of_division = [p["id"] for p in PROJECTS.values() if p["division"] == "sangyo-seisaku"]
    shown = {url: text for url, text in excerpts.items() if "/projects/" in url}
    assert sorted(shown) == sorted(f"{site_url}ja/projects/{i}/" for i in of_division)
    assert set(shown.values()) == {"産業政策課"}  # the division's name alone
    assert_clean(watch)


@pytest.mark.parametrize(("lang", "query"), [("ja", "事業"), ("en", "program")])
def test_search_results_link_to_pages_that_exist(page: Page, site_url, watch: Watch, lang, query):
    visit(page, site_url, f"{lang}/search/?q={query}")
    results = search_results(page)
    assert len(results) >= 15, results  # every project's page at least
    origin = site_url.removesuffix(BASE_PATH)
    for title, path in results:
        assert fetch(origin + path)[0] == 200, (title, path)
    assert_clean(watch)


# ---- figures as a reader sees and hears them ------------------------------------------------

SEEN_TEXT = """(cell) => {
    // The text a sighted reader sees: text in hidden or clipped-to-a-pixel boxes left out.
    const hidden = (element) => {
        for (; element && element !== cell.parentElement; element = element.parentElement) {
            const style = getComputedStyle(element);
            const box = element.getBoundingClientRect();
            if (style.display === "none" || style.visibility === "hidden") return true;
            const clips = style.overflow !== "visible" || style.clip !== "auto"
                || style.clipPath !== "none";
            if (clips && (box.width <= 1 || box.height <= 1)) return true;
        }
        return false;
    };
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let text = "";
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!hidden(node.parentElement)) text += node.data;
    }
    return text.replace(/\\s+/g, " ").trim();
}"""


def figure(page: Page, year: str, column: str) -> Locator:
    """The cell of the history table in the row of `year` and the column headed `column`."""
    table = page.locator("table.history")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=year, exact=True))
    # the row's first cell is its header (the year): the others follow the column headers
    return row.get_by_role("cell").nth(headers.index(column) - 1)


def assert_figure(page: Page, year: str, column: str, seen: str, heard: str | None) -> None:
    cell = figure(page, year, column)
    assert cell.evaluate(SEEN_TEXT) == seen, f"{year} {column}: {cell.inner_text()!r}"
    expect(cell).to_have_accessible_name(heard or seen)


# (fiscal year, column, what a reader sees, what a screen reader says where it differs)
FIGURES = {
    ("ja", "shotengai-kasseika"): [
        ("令和5年度", "事業費", "3,003", None),
        ("令和5年度", "前年度事業費", "3,325", None),
        ("令和5年度", "増減額", "▲322", "マイナス322"),
        ("令和5年度", "前年度比（％）", "90.3", None),
    ],
    ("ja", "cashless-kessai"): [
        ("令和5年度", "事業費", "124,444", None),
        ("令和5年度", "前年度事業費", "-", "記載なし"),
        ("令和5年度", "増減額", "-", "記載なし"),
        ("令和5年度", "前年度比（％）", "-", "記載なし"),
    ],
    ("ja", "minna-no-matsuri-unei"): [
        ("令和5年度", "前年度事業費", "0", None),
        ("令和5年度", "増減額", "11,409", None),
        ("令和5年度", "前年度比（％）", "-", "記載なし"),
    ],
    ("en", "shotengai-kasseika"): [
        ("FY2023", "Change", "\u2212322", "minus 322"),
        ("FY2023", "Ratio to previous year (%)", "90.3", None),
    ],
}


@pytest.mark.parametrize(
    ("lang", "project_id"), [pytest.param(*key, id="-".join(key)) for key in FIGURES]
)
def test_figures_as_printed(page: Page, site_url, watch: Watch, lang, project_id):
    """What a reader sees in the history table, and what a screen reader says for it."""
    visit(page, site_url, f"{lang}/projects/{project_id}/")
    for year, column, seen, heard in FIGURES[lang, project_id]:
        assert_figure(page, year, column, seen, heard)
    assert_clean(watch)


# ---- charts ----------------------------------------------------------------------------------

# Each chart text as drawn: its size (the computed size, in SVG units, times the SVG's scale) and
# how far it runs past the chart's right edge (charts.py's width estimates, in a real font).
CHART_TEXTS = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const right = svg.getBoundingClientRect().right;
  return [...svg.querySelectorAll('text')].map(text => ({
    text: text.textContent,
    px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
    past: text.getBoundingClientRect().right - right,
  }));
})"""


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize(("name", "lang"), page_cases(["home", "policy", "project"]))
def test_chart_text_is_12_px_or_more_and_stays_inside_the_chart(
    new_context, site_url, watch: Watch, name, lang, width
):
    """No text smaller than 12 px on a 320 px phone, none oversized on a desktop."""
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    visit(page, site_url, page_path(name, lang))
    texts = page.evaluate(CHART_TEXTS)
    assert texts, "no chart on the page"
    assert [t for t in texts if t["px"] < 12] == []
    assert [t for t in texts if t["px"] > 20] == []
    assert [t for t in texts if t["past"] > 0.5] == []
    assert_clean(watch)


# ---- screenshots ----------------------------------------------------------------------------

SCREENSHOTS = ARTIFACTS / "screenshots"


def png_width(file: Path) -> int:
    header = file.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{file} is not a PNG"
    return struct.unpack(">I", header[16:20])[0]


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize(("name", "lang"), page_cases())
def test_screenshot(new_context, real_site, watch: Watch, name, lang, width):
    """Full-page screenshots of every page type for people to look at; the page must not
    scroll sideways."""
    built_site, site_url = real_site
    skip_if_not_written(built_site, name, lang)
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    visit(page, site_url, page_path(name, lang))
    page.evaluate("document.fonts.ready")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    file = SCREENSHOTS / f"{name}-{lang}-{width}.png"
    page.screenshot(path=file, full_page=True)
    assert png_width(file) == width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_clean(watch)
