"""The rendered pages, read as HTML: URLs, twins, figures as printed, escaping, the column dictionary."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from shisaku import load, model, pages, pipeline, rows, validate
from shisaku.cli import main
from shisaku.render import TEMPLATES

from .conftest import CONTENT, tiny_files, write_tree

BASE = "/shisaku-hokoku/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages") / "site"
    assert pipeline.build(CONTENT, out) == []
    return out


class ActiveParts(HTMLParser):
    """What in HTML could run or load something: elements of that kind, event handlers and
    styles, and links or sources to a javascript: or data: address (entities decoded). A
    refused link left as its Markdown text is text, and not counted."""

    RUNNING = frozenset({"script", "iframe", "svg", "form", "object", "embed", "style", "img"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.RUNNING:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            address = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}")
            elif name in ("href", "src", "action") and address.startswith(("javascript:", "data:")):
                self.found.append(f"{tag} {name}={value}")


def active_parts(page_html: str) -> list[str]:
    parser = ActiveParts()
    parser.feed(page_html)
    return parser.found


class Text(HTMLParser):
    """The visible text of a page (script and style left out), and its links and alternates."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.alternates: dict[str, str] = {}
        self.html_lang = ""
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("script", "style", "title"):
            self.skip += 1
        if tag == "html":
            self.html_lang = attributes.get("lang") or ""
        if tag == "link" and attributes.get("rel") == "alternate" and attributes.get("hreflang"):
            self.alternates[attributes["hreflang"] or ""] = attributes.get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.parts))


def read(site: Path, url: str) -> Text:
    parser = Text()
    parser.feed((site / url / "index.html").read_text(encoding="utf-8"))
    return parser


def test_every_page_exists_in_both_languages(site):
    ids = sorted(p.stem for p in (CONTENT / "2023" / "projects").glob("*.yaml"))
    for lang in ("ja", "en"):
        for url in [
            "",
            "projects/",
            "data/",
            "search/",
            "policies/chiiki-keizai/",
            "divisions/sangyo-seisaku/",
            "divisions/kikaku-chosei/",
        ]:
            assert (site / lang / url / "index.html").exists(), (lang, url)
        for project_id in ids:
            assert (site / lang / "projects" / project_id / "index.html").exists()
    assert (site / "index.html").exists() and (site / "404.html").exists()


def test_twins_name_each_other_with_absolute_urls(site):
    ja = read(site, "ja/projects/shotengai-challenge")
    en = read(site, "en/projects/shotengai-challenge")
    base = "https://www.city.higashikurume.lg.jp" + BASE
    expected = {
        "ja": base + "ja/projects/shotengai-challenge/",
        "en": base + "en/projects/shotengai-challenge/",
        "x-default": base + "ja/projects/shotengai-challenge/",
    }
    assert ja.alternates == expected == en.alternates
    assert (ja.html_lang, en.html_lang) == ("ja", "en")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("ja/projects/shotengai-kasseika", ["▲322", "90.3", "3,003", "3,325"]),
        ("en/projects/shotengai-kasseika", ["−322", "90.3", "3,003"]),
        ("ja/projects/cashless-kessai", ["124,444", "記載なし"]),
        ("en/projects/cashless-kessai", ["124,444", "not given"]),
        ("ja/projects/minna-no-matsuri-unei", ["11,409"]),
        (
            "ja/projects/shotengai-challenge",
            ["6,504", "2,867", "3,637", "226.9", "令和5年度", "令和4年度"],
        ),
        ("en/projects/shotengai-challenge", ["6,504", "226.9", "FY2023", "FY2022"]),
    ],
)
def test_figures_as_printed(site, url, shown):
    text = read(site, url).text
    for figure in shown:
        assert figure in text, figure


def test_negative_change_is_read_as_minus(site):
    html = (site / "ja/projects/shotengai-kasseika/index.html").read_text(encoding="utf-8")
    assert (
        '<span aria-hidden="true">▲322</span><span class="visually-hidden">マイナス322</span>'
        in html
    )


def test_missing_figures_have_an_accessible_label(site):
    html = (site / "ja/projects/cashless-kessai/index.html").read_text(encoding="utf-8")
    assert (
        html.count('<span aria-hidden="true">-</span><span class="visually-hidden">記載なし</span>')
        >= 3
    )


def test_the_all_projects_table_is_complete_without_javascript(site):
    html = (site / "ja/projects/index.html").read_text(encoding="utf-8")
    body = html.split('id="projects-table"', 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr ") == 15
    # the filter form, useless without its script, is unseen until it runs (its room kept)
    assert '<form id="projects-filter" class="filters awaiting-script">' in html


def test_home_shows_the_report_at_a_glance(site):
    text = read(site, "ja").text
    assert "令和６年度施策報告書（令和５年度振り返り）" in text
    assert "15事業" in text
    this_year = (
        0
        + 6504
        + 3003
        + 0
        + 6663
        + 1769
        + 1500
        + 4541
        + 0
        + 11409
        + 100
        + 42987
        + 1508
        + 3896
        + 124444
    )
    last_year = 0 + 2867 + 3325 + 0 + 6650 + 1739 + 963 + 4105 + 0 + 0 + 0 + 25133 + 1204 + 1232
    assert f"{this_year:,}" in text and f"{last_year:,}" in text
    comparable = this_year - 124444  # キャッシュレス決済推進事業 has no FY2022 figure
    assert f"{comparable - last_year:,}" in text  # the change counts projects with both years
    assert "地域経済の活性化" in text


def test_policy_page_has_the_approach_directions_and_table(site):
    text = read(site, "ja/policies/chiiki-keizai").text
    assert "さまざまな産業振興の支援とともに" in text
    assert "事業用地を求める企業に対し、情報提供やマッチングを図る。" in text
    assert text.count("商店街チャレンジ戦略支援事業") >= 2  # chart and table


def test_every_chart_has_a_text_alternative(site):
    for url in ["ja", "en", "ja/policies/chiiki-keizai", "en/projects/cashless-kessai"]:
        html = (site / url / "index.html").read_text(encoding="utf-8")
        charts = re.findall(r'<svg[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', html)
        assert charts, url
        for labelled_by in charts:
            for ident in labelled_by.split():
                assert f'id="{ident}"' in html


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("ja", "極端に大きい値（124,444、42,987千円）の棒は、二本の斜線の印を付けて"),
        ("en", "Bars far longer than the rest (124,444, 42,987 thousand yen) are drawn cut short"),
    ],
)
def test_a_chart_with_bars_cut_short_says_which_in_its_description(site, lang, said):
    html = (site / lang / "policies/chiiki-keizai/index.html").read_text(encoding="utf-8")
    desc = re.search(r'<desc id="chart-shokogyo-desc">([^<]*)</desc>', html).group(1)
    assert said in desc
    assert html.count('class="chart-break"') == 2  # the two bars it names have the mark
    # the home page's chart of one policy has two bars: never an outlier, nothing to say
    home = (site / lang / "index.html").read_text(encoding="utf-8")
    assert "124,444" not in re.search(r"<desc[^>]*>([^<]*)</desc>", home).group(1)


def test_data_page_lists_downloads_and_the_column_dictionary(site):
    schema = rows.load_schema("projects")
    ja, en = read(site, "ja/data").text, read(site, "en/data").text
    for field in schema["fields"]:
        assert field["name"] in ja and field["description_ja"] in ja
        assert field["title"] in en and field["description"] in en
    assert "出典：東久留米市『令和６年度施策報告書（令和５年度振り返り）』" in ja
    assert "Source: Higashikurume City, " in en
    for name in [
        "132225_projects.csv",
        "132225_projects.xlsx",
        "132225_datapackage.zip",
        "datapackage.json",
    ]:
        assert name in ja
    size = (site / "data" / "132225_projects.csv").stat().st_size
    assert f"{size / 1000:.1f} KB" in ja


def test_every_ui_string_exists_in_every_language():
    catalogs = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in (TEMPLATES / "strings").glob("*.yaml")
    }
    assert {"ja", "en"} <= catalogs.keys()
    keys = {lang: set(catalog) for lang, catalog in catalogs.items()}
    # A count's string: KEY_other in every language, KEY_one where the language has a singular.
    counts = {k.removesuffix("_other") for k in keys["ja"] if k.endswith("_other")}
    singular = {f"{base}_one" for base in counts}
    assert all(k - singular == keys["ja"] - singular for k in keys.values()), keys
    assert singular <= keys["en"] and not singular & keys["ja"]
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(
            re.findall(
                r"\bt(?:_in\(\w+, |_forms)?\(?'([a-z_]+)'", template.read_text(encoding="utf-8")
            )
        )
    prefixes = {"resource_", "type_"}  # keys made in the template: 'type_' ~ field.type
    named = keys["ja"] - {f"{base}_other" for base in counts} | counts  # as templates name them
    dynamic = {k for k in named if k.startswith(tuple(prefixes))}
    assert used - prefixes - named == set()
    assert (
        named
        - used
        - dynamic
        - {
            "chart_title",
            "chart_desc",
            "chart_cut",
            "projects_of_year",
            "history_chart_title",
            "history_chart_desc",
            "policy_chart_title",
            "policy_chart_desc",
        }
        == set()
    )


def with_chinese(text: str) -> str:
    """A content file with a zh text beside every en text (the English, for the test)."""
    lines = []
    for line in text.splitlines():
        lines.append(re.sub(r"en: ([^,}]+)}", r"en: \1, zh: \1}", line))
        block = re.match(r"^(\s*)en: (.+)$", line)
        if block:
            lines.append(f"{block[1]}zh: {block[2]}")
    return "\n".join(lines) + "\n"


def test_a_third_language_needs_no_code_change(tmp_path):
    """Add zh: the content's texts, a strings file and the language in site.yaml; nothing else."""
    files = {name: with_chinese(text) for name, text in tiny_files().items()}
    files["site.yaml"] = files["site.yaml"].replace(
        "languages: [ja, en]", "languages: [ja, en, zh]"
    )
    content = write_tree(tmp_path / "content", files)
    templates = Path(shutil.copytree(TEMPLATES, tmp_path / "templates"))
    shutil.copy(templates / "strings" / "en.yaml", templates / "strings" / "zh.yaml")
    out = tmp_path / "site"
    assert pipeline.build(content, out, templates) == []
    html = (out / "zh" / "projects" / "mimamori" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in html and "Watch-over Program" in html
    assert 'hreflang="zh"' in (out / "ja" / "index.html").read_text(encoding="utf-8")


def test_a_missing_ui_string_is_a_problem_not_a_traceback(tmp_path):
    templates = Path(shutil.copytree(TEMPLATES, tmp_path / "templates"))
    strings = templates / "strings" / "en.yaml"
    strings.write_text(
        strings.read_text(encoding="utf-8").replace("nav_home: Home\n", ""), encoding="utf-8"
    )
    problems = pipeline.build(
        write_tree(tmp_path / "content", tiny_files()), tmp_path / "site", templates
    )
    assert [p.format("en") for p in problems] == [
        f"{load.display_path(strings)}: nav_home: the English text is missing (missing-translation)"
    ]
    assert not (tmp_path / "site").exists()


def test_text_from_content_is_escaped(tmp_path):
    files = tiny_files()
    files["2023/projects/mimamori.yaml"] = files["2023/projects/mimamori.yaml"].replace(
        "  ja: 見守り事業", '  ja: "見守り<script>alert(1)</script>事業"'
    )
    out = tmp_path / "site"
    assert pipeline.build(write_tree(tmp_path / "content", files), out) == []
    html = (out / "ja" / "projects" / "mimamori" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "見守り&lt;script&gt;alert(1)&lt;/script&gt;事業" in html


def test_a_reading_is_shown_under_the_name_on_japanese_pages(tmp_path):
    """name_kana of a project, a policy and a division: under the name on Japanese pages,
    half-width katakana made full-width; English pages leave it out."""
    files = tiny_files()
    readings = {
        "2023/projects/mimamori.yaml": ("summary:", "ﾐﾏﾓﾘｼﾞｷﾞｮｳ", "ミマモリジギョウ"),
        "2023/policies/kurashi.yaml": ("approach:", "くらし", "くらし"),
        "divisions/soumu.yaml": (None, "そうむか", "そうむか"),
    }
    for name, (before, written, _) in readings.items():
        line = f"name_kana: {written}\n"
        files[name] = files[name].replace(before, line + before) if before else files[name] + line
    out = tmp_path / "site"
    assert pipeline.build(write_tree(tmp_path / "content", files), out) == []
    for url, (_, _, shown) in zip(
        ["projects/mimamori", "policies/kurashi", "divisions/soumu"], readings.values(), strict=True
    ):
        ja = (out / "ja" / url / "index.html").read_text(encoding="utf-8")
        assert re.search(rf'</h1>\s*<p class="reading">{shown}</p>', ja), url
        en = (out / "en" / url / "index.html").read_text(encoding="utf-8")
        assert 'class="reading"' not in en and shown not in en, url


@pytest.mark.parametrize(("projects", "en", "ja"), [
    (1, ["1 project", "This division ran one project in FY2023."], ["1事業", "事務事業は1件です。"]),
    (2, ["2 projects", "This division ran 2 projects in FY2023."], ["2事業", "事務事業は2件です。"]),
])  # fmt: skip
def test_counts_take_the_form_the_strings_file_gives_for_the_number(tmp_path, projects, en, ja):
    """English says one project and 2 projects (the strings' _one and _other); Japanese has
    one form for every number."""
    files = tiny_files()
    if projects == 2:
        files["2023/projects/kaigo.yaml"] = (
            files["2023/projects/mimamori.yaml"]
            .replace("id: mimamori", "id: kaigo")
            .replace("order: 1", "order: 2")
        )
    out = tmp_path / "site"
    assert pipeline.build(write_tree(tmp_path / "content", files), out) == []
    for lang, said in (("en", en), ("ja", ja)):
        home, division = read(out, lang).text, read(out, f"{lang}/divisions/soumu").text
        assert said[0] in home and said[1] in division, (lang, said)
    assert "1 projects" not in read(out, "en").text


def test_markdown_pages_are_sanitized(tmp_path):
    files = tiny_files()
    hostile = (
        "# About\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n"
        '<a href="https://example.org" onclick="alert(1)" style="color:red">ok</a>\n\n'
        '<iframe src="https://example.org"></iframe>\n\n## Section\n\nText.\n'
    )
    files["pages/about.ja.md"] = hostile
    files["pages/about.en.md"] = hostile
    out = tmp_path / "site"
    assert pipeline.build(write_tree(tmp_path / "content", files), out) == []
    html = (out / "en" / "about" / "index.html").read_text(encoding="utf-8")
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert active_parts(main) == []
    assert "<h2>Section</h2>" in main and "https://example.org" in main


def test_pages_are_pure_and_each_url_is_used_once():
    loaded = load.load(CONTENT)
    validated, problems = validate.validate(loaded)
    assert not problems
    site = model.build_model(validated.records)
    built = pages.build_pages(site, {})
    outputs = [p.output for p in built]
    assert len(outputs) == len(set(outputs))
    for page in built:
        if page.alternates and page.template != "root.html":
            assert page.alternates[page.lang] == page.url


def test_a_basic_project_without_projects_says_so(tiny, tmp_path):
    """A basic project named in the plan before any project is filed under it: its section
    says there are none (it was a traceback: a chart of no projects, of fiscal year 0)."""
    from .conftest import POLICY_YAML

    more = POLICY_YAML + (
        "  - id: kosodate\n"
        "    name: {ja: 子育て, en: Child care}\n"
        "    directions:\n"
        "      - {ja: 支える。, en: Support.}\n"
    )
    (tiny / "2023" / "policies" / "kurashi.yaml").write_text(more, encoding="utf-8")
    site = tmp_path / "out" / "site"
    assert pipeline.build(tiny, site) == []
    ja = (site / "ja" / "policies" / "kurashi" / "index.html").read_text(encoding="utf-8")
    en = (site / "en" / "policies" / "kurashi" / "index.html").read_text(encoding="utf-8")
    assert "この年度、この基本事業の事務事業はありません。" in ja
    assert "No projects under this basic project in this fiscal year." in en
    assert en.count('class="chart"') == 1  # the chart of anshin's project, none for kosodate


@pytest.mark.parametrize(
    ("lang", "basis"),
    [
        (
            "ja",
            [
                "208,324 千円15事業すべての合計",
                "47,218 千円14事業の合計（1事業は記載なし）",
                "36,662 千円両年度に事業費のある14事業で計算：83,880 − 47,218",
            ],
        ),
        (
            "en",
            [
                "208,324 thousand yenThe sum of all 15 projects",
                "47,218 thousand yenThe sum of 14 projects (1 with no figure)",
                "36,662 thousand yenThe 14 projects with a cost in both years: 83,880 − 47,218.",
            ],
        ),
    ],
)
def test_each_total_card_says_what_it_sums(site, lang, basis):
    """キャッシュレス決済推進事業 has no FY2022 figure: a reader subtracting the two totals
    (208,324 − 47,218) would not get the change; each card says, under its figure, which
    projects it sums and which two figures the change compares."""
    text = read(site, f"{lang}/").text
    for line in basis:
        assert line in text


def test_the_404_page_has_the_header_a_search_and_the_way_home_in_each_language(site):
    """Served at any missing URL, its links stay under the base path; a reader who landed
    there can search or go home in either language."""
    html = (site / "404.html").read_text(encoding="utf-8")
    assert '<header class="site-header">' in html
    for lang in ("ja", "en"):
        assert f'action="/shisaku-hokoku/{lang}/search/"' in html
        assert f'<a href="/shisaku-hokoku/{lang}/" hreflang="{lang}">' in html
        assert f'id="search-{lang}" type="search" name="q"' in html


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("ja", "2026年11月26日（データ版 1.0.0）"), ("en", "26 November 2026 (data version 1.0.0)")],
)
def test_every_page_says_when_it_was_updated_and_the_data_version(site, lang, shown):
    for url in (f"{lang}/", f"{lang}/projects/shotengai-challenge", f"{lang}/data"):
        assert shown in read(site, url).text, url


def test_a_report_source_links_every_page_of_it_to_the_official_publication(real_content, tmp_path):
    """report.yaml's source (optional): the footer's source line links to it."""
    report = real_content / "2023" / "report.yaml"
    official = "https://www.city.higashikurume.lg.jp/example/shisaku-hokoku-r6.pdf"
    report.write_text(report.read_text(encoding="utf-8") + f"source:\n  url: {official}\n", "utf-8")
    site = tmp_path / "site"
    assert main(["build", "--quiet", "--content", str(real_content), "--out", str(site)]) == 0
    for url in ("ja/index.html", "en/projects/shotengai-challenge/index.html"):
        html = (site / url).read_text(encoding="utf-8")
        assert f'<a href="{official}">' in html, url


EMBLEM = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40">'
    '<circle cx="20" cy="20" r="18" fill="#1d4e89"/></svg>\n'
)


def test_the_city_emblem_named_in_site_yaml_heads_every_page(real_content, tmp_path):
    """site.yaml's city.emblem (optional): the image beside it is published under static/ and
    shown before the site's title on every page, as a decoration (the title says the city)."""
    site_yaml = real_content / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(
        text.replace('  code: "132225"\n', '  code: "132225"\n  emblem: shisho.svg\n'), "utf-8"
    )
    (real_content / "shisho.svg").write_text(EMBLEM, encoding="utf-8")
    site = tmp_path / "site"
    assert main(["build", "--quiet", "--content", str(real_content), "--out", str(site)]) == 0
    assert (site / "static" / "shisho.svg").read_text(encoding="utf-8") == EMBLEM
    for url, up in (
        ("ja/index.html", "../"),
        ("en/projects/shotengai-challenge/index.html", "../../../"),
    ):
        html = (site / url).read_text(encoding="utf-8")
        assert f'<img class="emblem" src="{up}static/shisho.svg" alt=""' in html, url
    without = tmp_path / "without"
    site_yaml.write_text(text, "utf-8")
    assert main(["build", "--quiet", "--content", str(real_content), "--out", str(without)]) == 0
    assert 'class="emblem"' not in (without / "ja" / "index.html").read_text(encoding="utf-8")
