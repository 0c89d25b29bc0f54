"""`python build.py import`: the report's table and our published table -> content YAML files.

The fixtures are made here: an XLSX laid out as the report prints its table (a title row, a
two-row header with 事業費（千円） merged over the two fiscal years) and a CP932 CSV, with names,
texts and figures copied from the report in ../shared/seed/. The real content/ is only read,
or copied to a temporary folder.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from shisaku import layouts, load, pipeline
from shisaku.cli import main
from shisaku.printed import NotAFigure, fiscal_year_in, parse_amount, parse_ratio
from shisaku.project_file import project_yaml
from shisaku.rows import load_schema
from shisaku.sheets import Grid

from .conftest import CONTENT, ROOT, SEED

# -- The report's table ------------------------------------------------------------------------
TITLE = "令和６年度施策報告書（令和５年度振り返り）"
HEADER = (
    "事務事業名",
    "事業概要",
    "事業費（千円）",
    None,  # under the merged 事業費（千円）
    "増減額\n（千円）",
    "前年度比\n（％）",
    "令和５年度の取組み",
    "所管課",
)
YEARS = ("令和５年度", "令和４年度")

# Rows as the report prints them (../shared/seed/): name, summary, this year's and last year's
# cost, 増減額, 前年度比, 取組み, 所管課. The ids are those the real content gave them.
ROWS: dict[str, tuple[Any, ...]] = {
    "uenohara-kigyo-yudo": (
        "上の原地区企業等誘導事業",
        "上の原地区土地利用構想の実現に向けて、国との意見交換を継続しながら、上の原地区における国家公務員宿舎跡地（住宅地区Ｂ）の将来構想に沿った立地誘導の取組みを進める。",
        0,
        0,
        0,
        "-",
        "土地所有者である国と、土地売却に向けた進捗状況の確認やまちのにぎわいと活力を生み出せるよう意見交換を行ったが、国によれば現在、既存施設の調査等が続いているとのことである。",
        "企画調整課",
    ),
    "shotengai-challenge": (
        "商店街チャレンジ戦略支援事業",
        "市内商店会が実施する事業に対し、東久留米市商店街チャレンジ戦略支援事業補助金交付要綱及び東京都商店街チャレンジ戦略支援事業費補助金交付要綱に基づき補助金を交付する。",
        6504,
        2867,
        3637,
        226.9,
        "市内の商店街等6団体が実施した10件のイベント事業に係る補助金を交付した。",
        "産業政策課",
    ),
    "shotengai-kasseika": (
        "商店街活性化対策事業",
        "商店街活性化対策の一環として平成１９年度から実施した市単独の補助事業。各商店会等が独自で行う事業に対し、補助金を交付する。",
        3003,
        3325,
        -322,
        90.3,
        "市内の商店街等5団体によりイベント事業や空き店舗利用促進事業が7件実施され、当該事業に係る補助金を交付した。",
        "産業政策課",
    ),
    "minna-no-matsuri-unei": (
        "市民みんなの\nまつり運営事業",  # a line break typed into the name's cell
        "商工会・ＪＡ・ＪＣ・市が協力し、市民みんなのまつりの企画、運営を行う。",
        11409,
        0,
        11409,
        "-",
        "4年ぶりに「市民みんなのまつり」を開催した。",
        "産業政策課",
    ),
    "furusato-nozei-henreihin": (
        "ふるさと納税による寄付者への贈呈品送付事業",
        "東久留米市の返礼品を贈呈する",
        42987,
        25133,
        17854,
        171.0,
        "新規でふるさと納税返礼品を59件追加登録し、市内事業者や市の特産品の魅力発信を行った。\n"
        "また、新たにポータルサイト「楽天ふるさと納税」を追加し、多くの方に寄付していただくことを目的とした取組を行った。",
        "産業政策課",
    ),
    "cashless-kessai": (
        "キャッシュレス決済推進事業",
        "地域経済にかかるデジタル化を進めること及び物価高騰等により影響を受けている市民の負担を軽減することを目的に、市内のお店にて消費者がキャッシュレス決済を行う際にポイント還元をするキャンペーン及び当該還元を誘因として消費者及び事業者のキャッシュレス化を推進し、社会経済情勢により影響を受けた市民の家計支援を行う事業",
        124444,
        "-",
        "-",
        "-",
        "還元率25%、付与上限1,000円/回、期間上限（各ユーザー端末）5,000円/月としてキャッシュレス決済ポイント還元キャンペーンを実施し、約9,500万円をポイントとして還元した。",
        "産業政策課",
    ),
}
IDS = list(ROWS)
# One more row of the report, for the tables of the bad cases.
YUKYAKU = (
    "誘客促進事業",
    "市内観光スポットの整備や、デジタル通信を主軸とする効果的な情報発信を行う事業",
    3896,
    1232,
    2664,
    316.2,
    "駅西口の公衆Wi-Fiサービスを再開した。上の原にマンガ「ブラック・ジャック」をモチーフにしたデザインマンホール蓋を設置した。観光看板の修繕を実施した。",
    "産業政策課",
)
SHEET = "施策報告書"
OPTIONS = ["--policy", "chiiki-keizai", "--basic-project", "shokogyo"]


def printed(value: Any) -> str:
    """A figure as the report prints it: 6,504; ▲ 322; 226.9; -."""
    if isinstance(value, int):
        return f"▲ {-value:,}" if value < 0 else f"{value:,}"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def test_the_fixture_figures_are_the_reports() -> None:
    seed = SEED.read_text(encoding="utf-8")
    for row in ROWS.values():
        assert " ".join(printed(v) for v in row[2:6]) in seed


def report_workbook(rows: Sequence[tuple[Any, ...]], years: tuple[str, str] = YEARS) -> Workbook:
    """The report's table as a city keeps it in Excel: title, two-row header, merged cells."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([TITLE])
    sheet.append([f"{years[0]}の取組み" if h == HEADER[6] else h for h in HEADER])
    sheet.append([None, None, *years])
    sheet.merge_cells("A1:H1")
    sheet.merge_cells("C2:D2")  # 事業費（千円） over 令和５年度 and 令和４年度
    for col in "ABEFGH":
        sheet.merge_cells(f"{col}2:{col}3")
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=4, min_col=3, max_col=5):
        for cell in cells:
            if isinstance(cell.value, int):
                cell.number_format = '#,##0;"▲"#,##0'
    return book


def report_xlsx(path: Path, rows: Sequence[tuple[Any, ...]], **kwargs: Any) -> Path:
    report_workbook(rows, **kwargs).save(path)
    return path


def report_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "cp932") -> Path:
    """The report's table as Excel saves it as CSV: figures as printed, "6,504", "▲322", "-"."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([TITLE])
    writer.writerow(["" if h is None else h for h in HEADER])
    writer.writerow(["", "", *YEARS])
    for row in rows:
        writer.writerow(
            [printed(v).replace("▲ ", "▲") if i in (2, 3, 4, 5) else v for i, v in enumerate(row)]
        )
    path.write_bytes(out.getvalue().encode(encoding))
    return path


# -- Helpers -----------------------------------------------------------------------------------
@pytest.fixture
def empty_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real content without its projects (site.yaml, divisions, report.yaml, policies)."""
    monkeypatch.chdir(tmp_path)
    content = Path(shutil.copytree(CONTENT, tmp_path / "content"))
    for path in (content / "2023" / "projects").glob("*.yaml"):
        path.unlink()
    return content


@pytest.fixture
def full_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return Path(shutil.copytree(CONTENT, tmp_path / "content"))


def run_import(
    capsys: pytest.CaptureFixture[str], content: Path, *args: Any, lang: str = "en"
) -> tuple[int, str, str]:
    """`python build.py import ...` in this process: the exit status, stdout and stderr."""
    status = main(["import", *map(str, args), "--content", str(content), "--lang", lang])
    out, err = capsys.readouterr()
    return status, out, err


def loaded(path: Path) -> dict[str, Any]:
    data, problems = load.parse_yaml(path.read_text(encoding="utf-8"), str(path))
    assert not problems
    return data


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


def by_name(folder: Path) -> dict[str, dict[str, Any]]:
    """The projects of a folder by their Japanese name."""
    return {d["name"]["ja"]: d for d in map(loaded, sorted(folder.glob("*.yaml")))}


def assert_like_content(written: dict[str, Any], project_id: str) -> None:
    """Japanese texts, costs and division as in the real content file of that project."""
    real = loaded(CONTENT / "2023" / "projects" / f"{project_id}.yaml")
    for key in ("name", "summary", "activities"):
        assert written[key]["ja"] == real[key]["ja"], key
        assert written[key]["en"] == ""
    assert written["cost"] == real["cost"]
    assert (written["division"], written["policy"]) == (real["division"], real["policy"])
    assert written["basic_project"] == real["basic_project"]


# -- The report's table ------------------------------------------------------------------------
def test_a_wrong_printed_change_is_named_by_its_cell(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    rows = [ROWS[i] for i in IDS]
    rows[2] = (*rows[2][:4], -332, *rows[2][5:])  # shotengai-kasseika: ▲332 for ▲322, in row 6
    book = report_xlsx(tmp_path / "report.xlsx", rows)
    for lang, line in (
        (
            "en",
            "report.xlsx: 施策報告書!E6: the printed 増減額 (change) is −332, but the costs "
            "(3,003 this year, 3,325 last year) give −322 (change-mismatch)",
        ),
        (
            "ja",
            "report.xlsx: 施策報告書!E6: 印字された増減額は ▲332 ですが、事業費（当該年度 3,003、"
            "前年度 3,325）から計算すると ▲322 です (change-mismatch)",
        ),
    ):
        status, _, err = run_import(capsys, empty_content, book, *OPTIONS, lang=lang)
        assert status == 1
        assert err.splitlines()[0] == line
        assert len(err.splitlines()) == 2  # the problem, then the count
    assert not list((empty_content / "2023" / "projects").iterdir())


def test_a_wrong_printed_ratio_is_named_by_its_cell(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    rows = [ROWS[i] for i in IDS]
    rows[1] = (*rows[1][:5], 226.8, *rows[1][6:])
    rows[3] = (*rows[3][:5], 0.0, *rows[3][6:])  # 11,409 against 0: no ratio can be printed
    status, _, err = run_import(
        capsys, empty_content, report_xlsx(tmp_path / "r.xlsx", rows), *OPTIONS
    )
    assert status == 1
    assert err.splitlines()[:2] == [
        "r.xlsx: 施策報告書!F5: the printed 前年度比 (ratio) is 226.8, but the costs "
        "(6,504 this year, 2,867 last year) give 226.9 (ratio-mismatch)",
        "r.xlsx: 施策報告書!F7: the printed 前年度比 (ratio) is 0.0, but the costs "
        '(11,409 this year, 0 last year) give "-" (ratio-mismatch)',
    ]


def test_the_report_table_imports_as_the_content_has_it(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    book = report_xlsx(tmp_path / "report.xlsx", [ROWS[i] for i in IDS])
    status, out, err = run_import(capsys, empty_content, book, *OPTIONS)
    assert (status, err) == (0, "")
    projects = empty_content / "2023" / "projects"
    written = by_name(projects)
    assert len(written) == len(IDS)
    for order, project_id in enumerate(IDS, start=1):
        real = loaded(CONTENT / "2023" / "projects" / f"{project_id}.yaml")
        assert_like_content(written[real["name"]["ja"]], project_id)
        assert written[real["name"]["ja"]]["order"] == order
    # Names never seen get stable placeholder ids, and the summary says so.
    assert sorted(p.stem for p in projects.glob("*.yaml")) == [f"project-{n}" for n in range(1, 7)]
    assert out.splitlines()[0] == "6 created, 0 updated, 0 unchanged, 0 problems."
    assert "6 new projects have placeholder ids (project-1, project-2" in out
    assert 'The English texts of 6 projects are empty ("")' in out


def test_the_files_look_like_the_hand_written_ones(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    """Same keys in the same order, |- for multi-line text, costs on one line, null for '-'."""
    rows = [ROWS["furusato-nozei-henreihin"], ROWS["cashless-kessai"]]
    run_import(capsys, empty_content, report_xlsx(tmp_path / "r.xlsx", rows), *OPTIONS)
    real = (CONTENT / "2023" / "projects" / "furusato-nozei-henreihin.yaml").read_text()
    written = (empty_content / "2023" / "projects" / "project-1.yaml").read_text()
    # The real file with the placeholder id, its order here, and every English text empty
    # (the English of the activities had a block of two lines of its own).
    real = real.replace("furusato-nozei-henreihin", "project-1").replace("order: 12", "order: 1")
    expected = [
        '  en: ""' if line.startswith("  en:") else line
        for line in real.splitlines()
        if not line.startswith("    The City")
    ]
    assert written.splitlines() == expected
    cashless = (empty_content / "2023" / "projects" / "project-2.yaml").read_text()
    assert "cost: {2023: 124444, 2022: null}" in cashless.splitlines()


def test_a_new_years_report_keeps_last_years_ids(
    capsys: pytest.CaptureFixture[str], full_content: Path, tmp_path: Path
) -> None:
    """令和６年度's table: the names already in content/ keep their ids; a new name gets one."""
    (full_content / "2024" / "policies").mkdir(parents=True)
    shutil.copy(CONTENT / "2023" / "report.yaml", full_content / "2024" / "report.yaml")
    shutil.copy(
        CONTENT / "2023" / "policies" / "chiiki-keizai.yaml",
        full_content / "2024" / "policies" / "chiiki-keizai.yaml",
    )
    new = (
        "創業支援補助事業",
        "創業する人を支援する。",
        500,
        "-",
        "-",
        "-",
        "3件を補助した。",
        "産業政策課",
    )
    rows = [ROWS["shotengai-challenge"], new, ROWS["cashless-kessai"]]
    rows[0] = (*rows[0][:2], 7000, 6504, 496, 107.6, *rows[0][6:])
    rows[2] = (*rows[2][:2], 100000, 124444, -24444, 80.4, *rows[2][6:])
    book = report_xlsx(tmp_path / "r6.xlsx", rows, years=("令和６年度", "令和５年度"))
    status, out, err = run_import(capsys, full_content, book, *OPTIONS)
    assert (status, err) == (0, ""), err
    folder = full_content / "2024" / "projects"
    assert sorted(p.stem for p in folder.glob("*.yaml")) == [
        "cashless-kessai",
        "project-1",
        "shotengai-challenge",
    ]
    assert loaded(folder / "shotengai-challenge.yaml")["cost"] == {2024: 7000, 2023: 6504}
    assert loaded(folder / "project-1.yaml")["name"]["ja"] == "創業支援補助事業"
    assert "(project-1)" in out


def test_imported_files_pass_the_check_once_translated(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    book = report_xlsx(tmp_path / "report.xlsx", [ROWS[i] for i in IDS])
    run_import(capsys, empty_content, book, *OPTIONS)
    _, problems = pipeline.check(empty_content)
    # What staff should see: the English to write, and nothing else.
    assert problems
    assert {p.code for p in problems} == {"missing-translation"}
    for path in (empty_content / "2023" / "projects").glob("*.yaml"):
        text = path.read_text(encoding="utf-8").replace('en: ""', "en: An English text")
        path.write_text(text, encoding="utf-8")
    assert pipeline.check(empty_content)[1] == []


def test_a_second_identical_import_changes_nothing(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    book = report_xlsx(tmp_path / "report.xlsx", [ROWS[i] for i in IDS])
    run_import(capsys, empty_content, book, *OPTIONS)
    before = snapshot(empty_content)
    status, out, _ = run_import(capsys, empty_content, book, *OPTIONS)
    assert status == 0
    assert out.splitlines() == ["0 created, 0 updated, 6 unchanged, 0 problems."]
    assert snapshot(empty_content) == before


def test_the_report_into_existing_files_keeps_their_english(
    capsys: pytest.CaptureFixture[str], full_content: Path, tmp_path: Path
) -> None:
    """The report's table into the real content: same ids, English kept, only orders differ.

    The table has six of the fifteen projects, so the last three get other orders: a diff
    each, and nothing written without --force.
    """
    rows = [ROWS[i] for i in IDS]
    before = snapshot(full_content)
    status, out, _ = run_import(capsys, full_content, report_xlsx(tmp_path / "r.xlsx", rows))
    assert status == 0
    assert snapshot(full_content) == before
    assert "-order: 12\n+order: 5\n" in out  # furusato-nozei-henreihin, 5th in this table
    assert not [line for line in out.splitlines() if line.startswith(("-  en:", "+  en:"))]
    assert out.splitlines()[-1].startswith("0 to create, 3 to update, 3 unchanged, 0 problems.")


def test_a_cp932_csv_with_printed_figures_imports(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    """Excel's CSV on Japanese Windows: Shift_JIS, "6,504", "▲322" and "-" as printed."""
    path = report_csv(tmp_path / "report.csv", [ROWS[i] for i in IDS])
    assert "▲322".encode("cp932") in path.read_bytes()
    assert b'"6,504"' in path.read_bytes()
    status, _, err = run_import(capsys, empty_content, path, *OPTIONS)
    assert (status, err) == (0, "")
    written = by_name(empty_content / "2023" / "projects")
    for project_id in IDS:
        real = loaded(CONTENT / "2023" / "projects" / f"{project_id}.yaml")
        assert_like_content(written[real["name"]["ja"]], project_id)
    assert written["キャッシュレス決済推進事業"]["cost"] == {2023: 124444, 2022: None}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_a_utf8_csv_with_or_without_bom_imports(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path, encoding: str
) -> None:
    path = report_csv(tmp_path / "report.csv", [ROWS["shotengai-kasseika"]], encoding)
    assert run_import(capsys, empty_content, path, *OPTIONS)[0] == 0
    written = loaded(empty_content / "2023" / "projects" / "project-1.yaml")
    assert written["cost"] == {2023: 3003, 2022: 3325}


def test_header_variants_full_and_half_width_line_breaks_and_one_row(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    """Half-width brackets, R5 for 令和5, line breaks in labels, no title, a one-row header."""
    path = tmp_path / "variants.csv"
    header = [
        "事務事業名",
        "事業 概要",
        "事業費(千円)\nR5年度",
        "事業費(千円)\nR4年度",
        "増減額(千円)",
        "前年度比(%)",
        "R5年度の\n取組み",
        "所 管 課",
    ]
    row = [
        "誘客促進事業",
        "概要。",
        "３，８９６",
        "1232",
        "２，６６４",
        "３１６．２",
        "取組み。",
        "産業政策課",
    ]
    path.write_text(
        "\r\n".join(",".join(f'"{c}"' for c in r) for r in (header, row)) + "\r\n",
        encoding="utf-8",
    )
    status, _, err = run_import(capsys, empty_content, path, *OPTIONS)
    assert (status, err) == (0, "")
    written = loaded(empty_content / "2023" / "projects" / "project-1.yaml")
    assert written["cost"] == {2023: 3896, 2022: 1232}


def test_a_cover_sheet_merged_divisions_and_repeated_headers(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    """The table on the second sheet, 所管課 merged down three rows, the header again mid-table
    (as on every printed page): three projects, each of 産業政策課."""
    rows = [ROWS["shotengai-challenge"], ROWS["shotengai-kasseika"], ROWS["cashless-kessai"]]
    book = report_workbook(rows)
    sheet = book.active
    sheet.insert_rows(6, 2)
    for col, value in enumerate(HEADER, start=1):
        sheet.cell(row=6, column=col, value=value)
    sheet.cell(row=7, column=3, value=YEARS[0])
    sheet.cell(row=7, column=4, value=YEARS[1])
    sheet["H5"] = None
    sheet.merge_cells("H4:H5")
    cover = book.create_sheet("表紙", 0)
    cover["A1"] = TITLE
    book.save(tmp_path / "r.xlsx")
    status, _, err = run_import(capsys, empty_content, tmp_path / "r.xlsx", *OPTIONS)
    assert (status, err) == (0, "")
    written = by_name(empty_content / "2023" / "projects")
    assert [d["order"] for d in written.values()] == [1, 2, 3]
    assert {d["division"] for d in written.values()} == {"sangyo-seisaku"}
    assert written["キャッシュレス決済推進事業"]["cost"] == {2023: 124444, 2022: None}


def test_cell_addresses_quote_sheet_names_as_formulas_do() -> None:
    grid = Grid("r.xlsx", "Sheet 1", [])
    assert grid.address(5, 4) == "'Sheet 1'!E6"
    assert Grid("r.xlsx", "施策報告書", []).address(5, 4) == "施策報告書!E6"
    assert Grid("r.csv", None, []).address(0, 27) == "AB1"


# -- Our published table -----------------------------------------------------------------------
DATA_FILES = ("132225_projects.csv", "132225_projects.xlsx", "datapackage.json")


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content, built once."""
    site = tmp_path_factory.mktemp("first") / "site"
    assert pipeline.build(CONTENT, site) == []
    return site


@pytest.mark.parametrize("name", ["132225_projects.csv", "132225_projects.xlsx"])
def test_the_published_data_reads_back_byte_for_byte(
    capsys: pytest.CaptureFixture[str],
    empty_content: Path,
    tmp_path: Path,
    first_build: Path,
    name: str,
) -> None:
    """build -> import the published table into content without projects -> build: same bytes."""
    status, out, err = run_import(capsys, empty_content, first_build / "data" / name)
    assert (status, err) == (0, "")
    assert out.splitlines() == ["15 created, 0 updated, 0 unchanged, 0 problems."]
    assert pipeline.build(empty_content, tmp_path / "site") == []
    for data_file in DATA_FILES:
        again = (tmp_path / "site" / "data" / data_file).read_bytes()
        assert again == (first_build / "data" / data_file).read_bytes(), data_file
    # And the files are the hand-written ones, quoting included.
    assert snapshot(empty_content / "2023") == snapshot(CONTENT / "2023")


def edited_csv(first_build: Path, tmp_path: Path, old: str, new: str) -> Path:
    text = (first_build / "data" / "132225_projects.csv").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "edited.csv"
    path.write_text(text.replace(old, new), encoding="utf-8", newline="")
    return path


def test_existing_files_change_only_with_force(
    capsys: pytest.CaptureFixture[str], full_content: Path, tmp_path: Path, first_build: Path
) -> None:
    old = "市内の商店街等6団体が実施した10件のイベント事業に係る補助金を交付した。"
    new = "市内の商店街等7団体が実施した11件のイベント事業に係る補助金を交付した。"
    path = edited_csv(first_build, tmp_path, old, new)
    target = full_content / "2023" / "projects" / "shotengai-challenge.yaml"
    before = snapshot(full_content)

    status, out, err = run_import(capsys, full_content, path)
    assert (status, err) == (0, "")
    assert snapshot(full_content) == before
    assert out.splitlines() == [
        "--- content/2023/projects/shotengai-challenge.yaml",
        "+++ content/2023/projects/shotengai-challenge.yaml",
        "@@ -11,5 +11,5 @@",
        "   en: " + loaded(target)["summary"]["en"],
        " cost: {2023: 6504, 2022: 2867}",
        " activities:",
        f"-  ja: {old}",
        f"+  ja: {new}",
        "   en: The City provided subsidies for 10 events held by six shopping street "
        "associations and similar groups in the city.",
        "0 to create, 1 to update, 14 unchanged, 0 problems. Nothing was written: existing "
        "files are changed only with --force.",
    ]

    status, out, _ = run_import(capsys, full_content, path, "--force")
    assert status == 0
    assert out.splitlines() == ["0 created, 1 updated, 14 unchanged, 0 problems."]
    assert loaded(target)["activities"]["ja"] == new
    after = snapshot(full_content)
    assert {k for k in after if after[k] != before[k]} == {"2023/projects/shotengai-challenge.yaml"}

    status, out, _ = run_import(capsys, full_content, path)
    assert (status, out) == (0, "0 created, 0 updated, 15 unchanged, 0 problems.\n")
    assert snapshot(full_content) == after


def test_a_reading_is_kept_while_the_name_stays_the_same(
    capsys: pytest.CaptureFixture[str], full_content: Path, tmp_path: Path, first_build: Path
) -> None:
    """The report has no reading (name_kana): an import keeps the file's, but not once it
    renames the project, whose old reading would be wrong."""
    target = full_content / "2023" / "projects" / "shotengai-challenge.yaml"
    kana = "しょうてんがいちゃれんじせんりゃくしえんじぎょう"
    text = target.read_text(encoding="utf-8").replace("summary:", f"name_kana: {kana}\nsummary:")
    target.write_text(text, encoding="utf-8")
    old = "市内の商店街等6団体が実施した10件のイベント事業に係る補助金を交付した。"
    edited = edited_csv(first_build, tmp_path, old, old.replace("10件", "11件"))
    assert run_import(capsys, full_content, edited, "--force")[0] == 0
    assert loaded(target)["name_kana"] == kana and "11件" in loaded(target)["activities"]["ja"]
    assert f"\nname_kana: {kana}\nsummary:" in target.read_text(encoding="utf-8")
    renamed = edited_csv(
        first_build, tmp_path, ",商店街チャレンジ戦略支援事業,", ",商店街挑戦支援事業,"
    )
    assert run_import(capsys, full_content, renamed, "--force")[0] == 0
    assert loaded(target)["name"]["ja"] == "商店街挑戦支援事業" and "name_kana" not in loaded(
        target
    )


def test_quiet_prints_nothing_and_verbose_names_every_file(
    capsys: pytest.CaptureFixture[str], full_content: Path, first_build: Path
) -> None:
    csv_path = first_build / "data" / "132225_projects.csv"
    assert run_import(capsys, full_content, csv_path, "--quiet")[1:] == ("", "")
    status, out, err = run_import(capsys, full_content, csv_path, "--verbose", lang="ja")
    assert status == 0
    assert "変更なし: content/2023/projects/shotengai-challenge.yaml" in out.splitlines()
    assert out.splitlines()[-1] == "作成 0 件、更新 0 件、変更なし 15 件、問題 0 件。"
    assert "total:" in err


def test_year_selects_the_rows_of_our_table(
    capsys: pytest.CaptureFixture[str], empty_content: Path, first_build: Path
) -> None:
    csv_path = first_build / "data" / "132225_projects.csv"
    status, _, err = run_import(capsys, empty_content, csv_path, "--year", "2022")
    assert status == 1
    assert "(no-rows)" in err
    assert run_import(capsys, empty_content, csv_path, "--year", "2023")[0] == 0


def test_the_published_columns_are_the_schemas() -> None:
    names = {f["name"] for f in load_schema("projects")["fields"]}
    assert set(layouts.PUBLISHED_ROLES) <= names


# -- Bad spreadsheets: problem lines, exit 1, never a traceback --------------------------------
def bad_rows(**changes: Any) -> list[tuple[Any, ...]]:
    """Three good rows with cells replaced: {"row_col": value}, such as r1_c2="abc"."""
    rows = [list(ROWS["shotengai-challenge"]), list(ROWS["shotengai-kasseika"]), list(YUKYAKU)]
    for key, value in changes.items():
        r, c = key[1:].split("_c")
        rows[int(r)][int(c)] = value
    return [tuple(r) for r in rows]


def csv_text(rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


BAD_CASES: dict[str, tuple[str, Any, list[str], str]] = {
    # name: (file name, its bytes or the rows of a report CSV, extra arguments, expected line)
    "missing file": ("gone.xlsx", None, [], "gone.xlsx: this file is missing (missing-file)"),
    "unknown extension": (
        "report.xls",
        b"\xd0\xcf\x11\xe0",
        [],
        ".xls files cannot be imported; save the table as .xlsx or .csv (unknown-format)",
    ),
    "not a workbook": (
        "report.xlsx",
        b"PK\x03\x04 broken",
        [],
        "report.xlsx: the file cannot be read: ",
    ),
    "empty csv": (
        "report.csv",
        b"",
        [],
        "report.csv: no table header was found in the first 50 rows",
    ),
    "no header": ("report.csv", csv_text([["a", "b"], [1, 2]]), [], "(no-header)"),
    "neither utf-8 nor cp932": (
        "report.csv",
        b"\xe4\xba\x8b,\x85\x40\r\n",
        [],
        "report.csv:1: the file is neither UTF-8 nor Shift_JIS (CP932) text (byte 0x85 cannot be read)",
    ),
    "text for a cost": (
        "report.csv",
        bad_rows(r1_c2="三千"),
        OPTIONS,
        'report.csv: C5: "三千" is not a whole number of thousand yen (type-error)',
    ),
    "a date for a cost": (
        "report.xlsx",
        bad_rows(r1_c3=datetime.datetime(2024, 6, 5)),
        OPTIONS,
        'report.xlsx: 施策報告書!D5: "2024-06-05" is not a whole number of thousand yen (type-error)',
    ),
    "text for a ratio": (
        "report.csv",
        bad_rows(r0_c5="約227"),
        OPTIONS,
        'report.csv: F4: "約227" is not a number (type-error)',
    ),
    "unknown division": (
        "report.xlsx",
        bad_rows(r2_c7="観光課"),
        OPTIONS,
        'report.xlsx: 施策報告書!H6: "観光課" is not a division in content/divisions/; add '
        "content/divisions/<id>.yaml (name: {ja: 観光課, en: …}) for it (unknown-division)",
    ),
    "no division": (
        "report.csv",
        bad_rows(r0_c7=""),
        OPTIONS,
        "report.csv: H4: a value is required",
    ),
    "no policy": (
        "report.csv",
        bad_rows(),
        [],
        "report.csv: --policy: the report's table does not say which policy its projects belong "
        "to; give it with --policy (known: chiiki-keizai) (missing-option)",
    ),
    "unknown basic project": (
        "report.csv",
        bad_rows(),
        ["--policy", "chiiki-keizai", "--basic-project", "nogyo"],
        'report.csv: --basic-project: "nogyo" is not a basic project of the policy chiiki-keizai '
        "(known: shokogyo) (unknown-basic-project)",
    ),
    "year disagrees": (
        "report.csv",
        bad_rows(),
        [*OPTIONS, "--year", "2024"],
        'report.csv: C3: "令和５年度" is fiscal year 2023, but --year is 2024 (year-disagrees)',
    ),
    "no name": (
        "report.csv",
        bad_rows(r1_c0=""),
        OPTIONS,
        "report.csv: A5: this row has no 事務事業名",
    ),
    "a formula after a no-break space": (
        "report.csv",
        bad_rows(r1_c1='\u00a0=HYPERLINK("http://example.org")'),
        OPTIONS,
        'report.csv: B5: text must not begin with "=": spreadsheets would run it as a formula '
        "(formula-injection)",
    ),
    "a full-width formula": (
        "report.xlsx",
        bad_rows(r0_c6="＋1"),
        OPTIONS,
        'report.xlsx: 施策報告書!G4: text must not begin with "＋": spreadsheets would run it as a '
        "formula (formula-injection)",
    ),
    "twice the same name": (
        "report.csv",
        bad_rows(
            r2_c0="商店街チャレンジ戦略支援事業", r2_c2=6504, r2_c3=2867, r2_c4=3637, r2_c5=226.9
        ),
        OPTIONS,
        'report.csv: A6: "商店街チャレンジ戦略支援事業" is already in the table at A4 (duplicate-name)',
    ),
}


def write_bad(tmp_path: Path, name: str, what: Any) -> Path:
    path = tmp_path / name
    if isinstance(what, bytes):
        path.write_bytes(what)
    elif isinstance(what, list) and name.endswith(".xlsx"):
        report_xlsx(path, what)
    elif isinstance(what, list):
        report_csv(path, what, "utf-8")
    return path


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_a_bad_spreadsheet_is_a_problem_line(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path, case: str
) -> None:
    name, what, args, expected = BAD_CASES[case]
    path = write_bad(tmp_path, name, what)
    status, out, err = run_import(capsys, empty_content, path.name, *args)
    assert status == 1
    assert out == ""
    assert any(expected in line for line in err.splitlines()), err
    assert err.splitlines()[-1].endswith("nothing was written.")
    assert not list((empty_content / "2023" / "projects").iterdir())


def test_missing_columns_and_years_are_named(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    path = tmp_path / "r.csv"
    header = ["事務事業名", "事業概要", "令和５年度", "令和３年度", "取組み"]
    path.write_bytes(csv_text([header, ["誘客促進事業", "概要", 1, 2, "取組"]]))
    status, _, err = run_import(capsys, empty_content, path.name, *OPTIONS)
    assert status == 1
    assert err.splitlines()[:2] == [
        "r.csv: A1: the table has no 所管課 column (missing-column)",
        "r.csv: C1: the costs need two year columns, the fiscal year and the year before (such "
        "as 令和5年度 and 令和4年度); found 令和5年度, 令和3年度 (cost-years)",
    ]


def test_a_bad_id_in_our_table_is_named(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path, first_build: Path
) -> None:
    path = edited_csv(first_build, tmp_path, ",yukyaku-sokushin,", ",Yukyaku Sokushin,")
    status, _, err = run_import(capsys, empty_content, path)
    assert status == 1
    assert err.splitlines()[0] == (
        'edited.csv: L15: "Yukyaku Sokushin" is not a valid id: use lowercase letters a-z, digits '
        "and single hyphens (constraint-error)"
    )


def test_no_traceback_from_the_command_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "import", str(broken), "--lang", "en"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith("broken.xlsx: the file cannot be read: ")


# -- Reading figures, years and writing YAML ---------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (6504, 6504),
        (6504.0, 6504),
        ("6,504", 6504),
        ("６，５０４", 6504),
        ("▲322", -322),
        ("▲ 322", -322),
        ("△322", -322),
        ("-322", -322),
        ("0", 0),
        ("-", None),
        ("－", None),
        ("―", None),
        ("", None),
        (None, None),
    ],
)
def test_printed_amounts(cell: Any, value: int | None) -> None:
    assert parse_amount(cell) == value


@pytest.mark.parametrize("cell", ["65,04", "abc", "6.5", 6.5, True, datetime.date(2024, 6, 5)])
def test_what_is_not_an_amount(cell: Any) -> None:
    with pytest.raises(NotAFigure):
        parse_amount(cell)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (226.9, "226.9"),
        ("226.9", "226.9"),
        ("２２６．９％", "226.9"),
        (100.05, "100.1"),
        ("-", None),
    ],
)
def test_printed_ratios(cell: Any, value: str | None) -> None:
    assert parse_ratio(cell) == (None if value is None else Decimal(value))


@pytest.mark.parametrize(
    ("header", "year"),
    [
        ("令和5年度", 2023),
        ("令和元年度", 2019),
        ("平成30年度", 2018),
        ("平成31年度", 2019),
        ("R5年度", 2023),
        ("H30年度", 2018),
        ("2023年度", 2023),
        ("事業費(千円)令和4年度", 2022),
        ("前年度比(%)", None),
    ],
)
def test_fiscal_years_in_headers(header: str, year: int | None) -> None:
    assert fiscal_year_in(header) == year


TRICKY_TEXTS = [
    "yes",
    "No",
    "on",
    "null",
    "~",
    "123",
    "1_000",
    "4:30",
    "2024-04-01",
    "4年ぶりに開催した。",
    "- a list?",
    "[not a list]",
    "{not: a map}",
    "key: value",
    "# not a comment",
    "a # b",
    "'quoted'",
    '"quoted"',
    "@at",
    "`tick",
    "%percent",
    "!tag",
    "&anchor",
    "*alias",
    "|pipe",
    ">fold",
    " leading space",
    "trailing space ",
    "全角　スペース",
    "two\nlines",
    "ends with a newline\n",
    "\nstarts with one",
    "  indented\nsecond",
    "tab\tinside",
    "back\\slash",
    "line\u2028separator",
    "",
]


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_every_text_reads_back_as_written(text: str) -> None:
    data = {
        "id": "x",
        "order": 1,
        "policy": "yes",
        "basic_project": "no",
        "division": "on",
        "name": {"ja": text, "en": text},
        "summary": {"ja": text, "en": ""},
        "cost": {2023: 1, 2022: None},
        "activities": {"ja": text, "en": text},
    }
    written = project_yaml(data)
    parsed, problems = load.parse_yaml(written, "x.yaml")
    assert not problems
    assert parsed == data


def test_an_imported_previous_cost_is_checked_against_last_years_report(
    real_content, capsys, monkeypatch
):
    """A new year's table whose 前年度 figure is not what last year's report printed: the
    import says so, and check reports it until it is corrected or explained."""
    monkeypatch.chdir(real_content.parent)
    assert main(["new", "year", "2024", "--lang", "en"]) == 0
    # 誘客促進事業 printed 3,896 as its FY2023 cost; this table says 3,900 for 前年度.
    row = (
        "誘客促進事業",
        "誘客を促進する。",
        4000,
        3900,
        100,
        102.6,
        "催しを開いた。",
        "産業政策課",
    )
    table = report_xlsx(real_content.parent / "r6.xlsx", [row], years=("令和６年度", "令和５年度"))
    capsys.readouterr()
    argv = ["import", str(table), "--year", "2024", "--policy", "chiiki-keizai"]
    status = main([*argv, "--basic-project", "shokogyo", "--force", "--lang", "en"])
    err = capsys.readouterr().err.splitlines()
    mismatch = (
        "content/2024/projects/yukyaku-sokushin.yaml:12: cost.2023: 3,900 differs from 3,896 in "
        "content/2023/projects/yukyaku-sokushin.yaml:12 (FY2023's own report); correct it, or "
        "explain the restatement in previous_cost_note (previous-cost-mismatch)"
    )
    assert status == 0
    assert err == [
        mismatch,
        "1 of these figures disagree with another year's report (above): python build.py "
        "check reports them until each is corrected or explained.",
    ]
    assert main(["check", "--lang", "en"]) == 1
    assert mismatch in capsys.readouterr().err.splitlines()


# -- Nothing half done, nothing without bounds (issue 18) ------------------------------------------
KILL_AT_THE_THIRD_MOVE = """
import os, signal, sys
from shisaku import cli, importer
moves, real = [0], os.replace
def replace(source, target):
    real(source, target)
    if str(source).endswith(".import"):
        moves[0] += 1
        if moves[0] == 3:
            os.kill(os.getpid(), signal.SIGKILL)
importer.os.replace = replace
sys.exit(cli.main(sys.argv[1:]))
"""


def test_an_import_killed_while_it_moves_its_files_in_is_finished_by_the_next(
    full_content: Path, tmp_path: Path, first_build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Killed after 3 of its 15 files were moved in: the build refuses the half-new content
    with one line, and the same import run again finishes the moves first."""
    text = (first_build / "data" / "132225_projects.csv").read_text(encoding="utf-8")
    path = tmp_path / "every-row-edited.csv"
    path.write_text(text.replace("。", "。（改）"), encoding="utf-8", newline="")
    argv = ["import", str(path), "--force", "--content", str(full_content), "--lang", "en"]
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AT_THE_THIRD_MOVE, *argv],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    projects = full_content / "2023" / "projects"
    edited = [p for p in projects.glob("*.yaml") if "（改）" in p.read_text(encoding="utf-8")]
    assert len(edited) == 3 and len(list(projects.glob(".*.import"))) == 12
    assert main(["check", "--content", str(full_content), "--lang", "en"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "content/.import-journal.json: an import was stopped while it moved its files in, so "
        "content/ is part old, part new; run the same `python build.py import` again, which "
        "finishes it first (read-error)"
    )
    status, out, err = run_import(capsys, full_content, path, "--force")
    assert status == 0
    assert err.splitlines()[0] == (
        "An import that was stopped while it moved its files in has been finished: 12 files."
    )
    assert out.splitlines()[-1] == "0 created, 0 updated, 15 unchanged, 0 problems."
    assert all("（改）" in p.read_text(encoding="utf-8") for p in projects.glob("*.yaml"))
    assert list(projects.glob(".*")) == [] and not (full_content / ".import-journal.json").exists()
    assert main(["check", "--content", str(full_content)]) == 0


def test_a_csv_of_a_million_rows_is_refused_within_seconds(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    path = tmp_path / "register.csv"
    path.write_text("a,b\n" * 1_000_000, encoding="utf-8")
    started = time.monotonic()
    status, _, err = run_import(capsys, empty_content, path)
    assert time.monotonic() - started < 10
    assert (status, err.splitlines()) == (
        1,
        [
            "register.csv: the file has 1,000,000 rows, more than the 100,000 rows an import reads; a "
            "report's table has a few thousand rows: check that it is the right file (read-error)",
            "1 problem; nothing was written.",
        ],
    )


def edit_sheet_xml(path: Path, edit: Callable[[bytes], bytes]) -> None:
    """The workbook's first sheet's XML changed as no spreadsheet program would let one."""
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = edit(parts[sheet])
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)


def test_a_workbook_past_excels_rows_is_refused_within_seconds(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    """A sheet that says it has 1,500,000 rows (more than Excel's 1,048,576): was a traceback
    from openpyxl; refused from its dimensions, before its cells are read."""
    path = report_xlsx(tmp_path / "huge.xlsx", list(ROWS.values()))
    edit_sheet_xml(
        path,
        lambda xml: re.sub(
            rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:H1500000"/>', xml, count=1
        ),
    )
    started = time.monotonic()
    status, _, err = run_import(capsys, empty_content, path)
    assert time.monotonic() - started < 10
    assert status == 1
    assert err.splitlines()[0].startswith("huge.xlsx: the file has 1,500,000 rows, more than the")


def test_a_range_merged_over_the_whole_sheet_is_refused_within_seconds(
    capsys: pytest.CaptureFixture[str], empty_content: Path, tmp_path: Path
) -> None:
    """A cover sheet merged over A1:XFD1048576 (17 billion cells, each an object in openpyxl):
    refused from the sheet's XML before openpyxl loads it."""
    book = report_workbook(list(ROWS.values()))
    cover = book.create_sheet("表紙", 0)
    cover["A1"] = "令和６年度施策報告書"
    path = tmp_path / "merged.xlsx"
    book.save(path)
    edit_sheet_xml(  # the cover, the first sheet
        path,
        lambda xml: xml.replace(
            b"</sheetData>",
            b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
        ),
    )
    started = time.monotonic()
    status, _, err = run_import(capsys, empty_content, path)
    assert time.monotonic() - started < 10
    assert (status, err.splitlines()[0]) == (
        1,
        "merged.xlsx: the cells A1:XFD1048576 are merged: 17,179,869,184 cells, more than the "
        "1,000,000 an import reads in one merged range; unmerge them, or merge only the cells "
        "of the table (read-error)",
    )
