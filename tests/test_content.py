"""The real content against the report: every figure as printed, every Japanese sentence from the seed."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from shisaku import cli, pipeline

from .conftest import CONTENT, SEED

# The report's table as printed: 事務事業名, 令和５年度, 令和４年度, 増減額, 前年度比, 所管課 ("-" is missing).
REPORT = [
    ("上の原地区企業等誘導事業", "0", "0", "0", "-", "企画調整課"),
    ("商店街チャレンジ戦略支援事業", "6,504", "2,867", "3,637", "226.9", "産業政策課"),
    ("商店街活性化対策事業", "3,003", "3,325", "▲ 322", "90.3", "産業政策課"),
    ("空き店舗対策事業", "0", "0", "0", "-", "産業政策課"),
    ("商工会支援事業", "6,663", "6,650", "13", "100.2", "産業政策課"),
    ("中小企業資金融資事業", "1,769", "1,739", "30", "101.7", "産業政策課"),
    ("小企業経営改善資金利子補給事業", "1,500", "963", "537", "155.8", "産業政策課"),
    ("小口零細企業資金融資事業", "4,541", "4,105", "436", "110.6", "産業政策課"),
    ("就労・創業支援事業", "0", "0", "0", "-", "産業政策課"),
    ("市民みんなのまつり運営事業", "11,409", "0", "11,409", "-", "産業政策課"),
    ("市民みんなのまつり（商工祭）補助事業", "100", "0", "100", "-", "産業政策課"),
    (
        "ふるさと納税による寄付者への贈呈品送付事業",
        "42,987",
        "25,133",
        "17,854",
        "171.0",
        "産業政策課",
    ),
    ("地域産業推進協議会運営事業", "1,508", "1,204", "304", "125.2", "産業政策課"),
    ("誘客促進事業", "3,896", "1,232", "2,664", "316.2", "産業政策課"),
    ("キャッシュレス決済推進事業", "124,444", "-", "-", "-", "産業政策課"),
]


def printed(value: str) -> str:
    """The report's figure as the CSV writes it: no separators, '-' for ▲, '' for missing."""
    if value == "-":
        return ""
    return value.replace(",", "").replace("▲ ", "-")


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    site = tmp_path_factory.mktemp("build") / "site"
    assert pipeline.build(CONTENT, site) == []
    path = site / "data" / "132225_projects.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_report_has_15_projects_for_fiscal_year_2023(rows):
    assert len(rows) == 15
    assert {r["年度"] for r in rows} == {"2023"}
    assert {r["年度_和暦"] for r in rows} == {"令和5年度"}


@pytest.mark.parametrize(("index", "expected"), list(enumerate(REPORT)))
def test_every_figure_matches_the_report(rows, index, expected):
    name, this_year, last_year, change, ratio, division = expected
    row = rows[index]
    assert row["事務事業名"] == name
    assert row["事業費（千円）"] == printed(this_year)
    assert row["前年度事業費（千円）"] == printed(last_year)
    assert row["増減額（千円）"] == printed(change)
    assert row["前年度比（％）"] == printed(ratio)
    assert row["所管課"] == division


def test_every_row_names_the_policy_and_basic_project(rows):
    assert {r["施策名"] for r in rows} == {"地域経済の活性化"}
    assert {r["基本事業名"] for r in rows} == {"商工業の活性化及び新たな産業などの創出"}
    assert {r["全国地方公共団体コード"] for r in rows} == {"132225"}
    assert {r["地方公共団体名"] for r in rows} == {"東京都東久留米市"}


def seed_text() -> str:
    """The seed with the PDF's line breaks and bullets removed, so wrapped sentences join up."""
    return re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))


def text_mappings(paths: list[Path]) -> list[tuple[str, dict]]:
    """(file, {ja: ..., en: ...}) for every text mapping in the files."""
    found = []

    def walk(value: object, file: str) -> None:
        if isinstance(value, dict):
            if "ja" in value:
                found.append((file, value))
            for inner in value.values():
                walk(inner, file)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, file)

    for path in paths:
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), str(path.relative_to(CONTENT)))
    return found


def japanese_texts() -> list[tuple[str, str]]:
    """(file, text) for every Japanese text of the report in content/."""
    paths = sorted(CONTENT.glob("2023/**/*.yaml")) + sorted(CONTENT.glob("divisions/*.yaml"))
    return [(file, m["ja"]) for file, m in text_mappings(paths) if isinstance(m["ja"], str)]


@pytest.mark.parametrize(("file", "text"), japanese_texts())
def test_every_japanese_text_is_printed_in_the_report(file, text):
    assert re.sub(r"\s+", "", text) in seed_text(), file


def test_no_japanese_text_keeps_a_line_break_from_the_pdf_column():
    """Line breaks left in Japanese text are the report's own paragraphs: each line is a sentence."""
    for file, text in japanese_texts():
        for line in text.splitlines()[:-1]:
            assert line.endswith("。"), (file, line)


def test_the_report_keeps_its_own_characters():
    texts = "".join(t for _, t in japanese_texts())
    for printed_form in [
        "ＨＰ",
        "ＪＡ・ＪＣ",
        "平成１９年度",
        "第８期",
        "「楽天ふるさと納税」",
        "Wi-Fi",
        "1,000",
    ]:
        assert printed_form in texts


def test_every_project_file_is_a_project_of_the_report():
    files = sorted(p.stem for p in (CONTENT / "2023" / "projects").glob("*.yaml"))
    assert len(files) == 15


def test_english_is_there_for_every_text():
    for file, mapping in text_mappings(sorted(CONTENT.rglob("*.yaml"))):
        assert mapping.get("en"), file


def test_content_checks_clean():
    assert cli.main(["check", "--content", str(CONTENT)]) == 0


def test_site_settings():
    settings = yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))
    assert settings["city"]["code"] == "132225"
    assert (
        settings["city"]["prefecture"]["ja"] + settings["city"]["name"]["ja"] == "東京都東久留米市"
    )
    assert settings["license"]["id"] == "CC-BY-4.0"
    assert "PDL1.0" in settings["license"]["note"]["ja"]
    assert settings["languages"] == ["ja", "en"]
    assert Path(settings["base_path"]).is_absolute()
