"""The published data package: what a portal or a spreadsheet user gets in site/data/."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import openpyxl
import pytest
import yaml
from frictionless import Package
from openpyxl.utils import get_column_letter

from shisaku import cli, load, model, pipeline, validate
from shisaku import data as package_data
from shisaku.model import Site
from shisaku.rows import Validated

from .conftest import CONTENT, ROOT, STANDARDS
from .synthetic import make_tree

# DESIGN.md's list, verbatim.
DESIGN_HEADERS = (
    "全国地方公共団体コード, ID, 地方公共団体名, 年度, 年度_和暦, "
    "施策ID, 施策名, 施策名_英語, 基本事業ID, 基本事業名, 基本事業名_英語, "
    "事務事業ID, 事務事業名, 事務事業名_英語, 事業概要, 事業概要_英語, "
    "事業費（千円）, 前年度事業費（千円）, 増減額（千円）, 前年度比（％）, "
    "取組内容, 取組内容_英語, 所管課ID, 所管課, 所管課_英語"
)
HEADERS = DESIGN_HEADERS.split(", ")
AMOUNTS = ["事業費（千円）", "前年度事業費（千円）", "増減額（千円）"]
SHEET_PART = "xl/worksheets/sheet1.xml"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("build") / "site"
    assert pipeline.build(CONTENT, site) == []
    return site / "data"


@pytest.fixture(scope="module")
def package(data: Path) -> dict:
    return json.loads((data / "datapackage.json").read_text(encoding="utf-8"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def official(name: str) -> dict:
    return json.loads((STANDARDS / "datapackage-2.0" / name).read_text(encoding="utf-8"))


def test_frictionless_validates_the_package(data):
    report = Package(str(data / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {task.name for task in report.tasks} >= {
        "projects",
        "policies",
        "divisions",
        "projects-xlsx",
    }


def test_frictionless_command_line_validates_the_package(data):
    result = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "datapackage.json"],
        cwd=data,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_datapackage_json_is_valid_against_the_official_v2_schemas(data, package):
    jsonschema.Draft7Validator(official("datapackage.json")).validate(package)
    for resource in package["resources"]:
        jsonschema.Draft7Validator(official("dataresource.json")).validate(resource)
        if "dialect" in resource:
            jsonschema.Draft7Validator(official("tabledialect.json")).validate(resource["dialect"])
        if "schema" in resource:
            schema = json.loads((data / resource["schema"]).read_text(encoding="utf-8"))
            jsonschema.Draft7Validator(official("tableschema.json")).validate(schema)


def test_datapackage_describes_the_package(package):
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert "施策報告書" in package["title"] and "Policy Report" in package["title"]
    assert "東久留米市" in package["description"] and "Higashikurume" in package["description"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert "令和６年度施策報告書（令和５年度振り返り）" in package["sources"][0]["title"]
    assert package["contributors"][0]["roles"] == ["publisher"]
    assert "東久留米市" in package["contributors"][0]["title"]
    assert package["version"] == "1.0.0"
    assert package["created"] == "2026-11-26T00:00:00Z"  # site.yaml's `updated`, not the clock
    assert "施策報告書" in package["keywords"] and "policy report" in package["keywords"]


def test_every_file_in_data_is_described_with_its_size_and_hash(data, package):
    """Every file but the zip that holds the package and the descriptor itself (the catalogue
    describes those two, tested in test_catalog.py). The workbook has no size: frictionless
    would fail to count it by URL."""
    described = {r["path"] for r in package["resources"]}
    described |= {r["schema"] for r in package["resources"] if "schema" in r}
    on_disk = {str(p.relative_to(data)) for p in data.rglob("*") if p.is_file()}
    assert on_disk - described == {"datapackage.json", "132225_datapackage.zip"}
    for resource in package["resources"]:
        content = (data / resource["path"]).read_bytes()
        assert resource.get("bytes", len(content)) == len(content)
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
    assert {r["format"] for r in package["resources"] if "bytes" not in r} == {"xlsx"}


def test_main_csv_has_the_designs_headers_in_order(data):
    raw = (data / "132225_projects.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    header = raw.split(b"\r\n", 1)[0].decode("utf-8")
    assert header.split(",") == HEADERS
    assert raw.endswith(b"\r\n")


def test_main_csv_cells(data):
    rows = read_csv(data / "132225_projects.csv")
    assert len({r["ID"] for r in rows}) == len(rows)
    for row in rows:
        for name in AMOUNTS:
            assert row[name] == "" or row[name].lstrip("-").isdigit(), (name, row[name])
        assert row["前年度比（％）"] == "" or row["前年度比（％）"].split(".")[1].isdigit()
        assert len(row["前年度比（％）"].partition(".")[2]) in (0, 1)
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r\n" or value.lstrip("-").isdigit(), value
    assert rows[2]["増減額（千円）"] == "-322"  # a negative amount with '-'


def test_lookup_tables(data):
    policies = read_csv(data / "132225_policies.csv")
    assert [(p["施策ID"], p["基本事業ID"]) for p in policies] == [("chiiki-keizai", "shokogyo")]
    assert len(policies[0]["長期総合計画における方向性"].split("\n")) == 5
    divisions = read_csv(data / "132225_divisions.csv")
    assert {d["所管課"] for d in divisions} == {"企画調整課", "産業政策課"}


def test_csv_round_trip_gives_back_the_content(data):
    """content -> CSV -> the same 15 projects, names, texts and costs as the YAML files."""
    rows = {r["事務事業ID"]: r for r in read_csv(data / "132225_projects.csv")}
    files = sorted((CONTENT / "2023" / "projects").glob("*.yaml"))
    assert len(files) == len(rows) == 15
    for path in files:
        project = yaml.safe_load(path.read_text(encoding="utf-8"))
        row = rows[project["id"]]
        assert row["事務事業名"] == project["name"]["ja"]
        assert row["事務事業名_英語"] == project["name"]["en"]
        assert row["事業概要"] == project["summary"]["ja"]
        assert row["取組内容_英語"] == project["activities"]["en"]
        assert row["所管課ID"] == project["division"]
        costs = {year: "" if cost is None else str(cost) for year, cost in project["cost"].items()}
        assert (row["事業費（千円）"], row["前年度事業費（千円）"]) == (costs[2023], costs[2022])


def test_xlsx_for_spreadsheet_users(data):
    book = openpyxl.load_workbook(data / "132225_projects.xlsx")
    sheet = book.active
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    assert all(c.font.bold for c in sheet[1])
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 15
    challenge = dict(zip(HEADERS, rows[1], strict=True))
    assert challenge["事業費（千円）"] == 6504 and isinstance(challenge["事業費（千円）"], int)
    assert challenge["前年度比（％）"] == pytest.approx(226.9)
    cashless = dict(zip(HEADERS, rows[14], strict=True))
    assert cashless["前年度事業費（千円）"] is None
    # Excel stores a width as characters plus 5 pixels of padding (0.71 of a character)
    shown = {
        column: round(dimension.width - 0.71, 1)
        for dimension in sheet.column_dimensions.values()
        for column in range(dimension.min, dimension.max + 1)
    }
    assert sorted(shown) == list(range(1, len(HEADERS) + 1))
    assert min(shown.values()) >= 8 and max(shown.values()) == 60
    summary = HEADERS.index("事業概要") + 1  # wider than 60 characters: it wraps
    assert shown[summary] == 60 and sheet.cell(2, summary).alignment.wrap_text


def test_zip_holds_the_whole_package(data, tmp_path):
    with zipfile.ZipFile(data / "132225_datapackage.zip") as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path)
    assert {
        "datapackage.json",
        "132225_projects.csv",
        "132225_projects.xlsx",
        "schema/projects.json",
    } <= names
    assert (tmp_path / "132225_projects.csv").read_bytes() == (
        data / "132225_projects.csv"
    ).read_bytes()
    assert Package(str(tmp_path / "datapackage.json")).validate().valid


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def build_in_subprocess(out: Path, **env: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--content", str(CONTENT), "--out", str(out)],
        check=True,
        env={**os.environ, **env},
        cwd=out.parent,
    )


def test_two_builds_give_the_same_bytes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    build_in_subprocess(tmp_path / "a" / "site", PYTHONHASHSEED="1")
    build_in_subprocess(tmp_path / "b" / "out", PYTHONHASHSEED="2")
    first, second = tree(tmp_path / "a" / "site"), tree(tmp_path / "b" / "out")
    assert first.keys() == second.keys() and first == second


def test_source_date_epoch_sets_the_release_time(tmp_path):
    build_in_subprocess(tmp_path / "site", SOURCE_DATE_EPOCH="1700000000")
    package = json.loads(
        (tmp_path / "site" / "data" / "datapackage.json").read_text(encoding="utf-8")
    )
    assert package["created"] == "2023-11-14T22:13:20Z"
    with zipfile.ZipFile(tmp_path / "site" / "data" / "132225_datapackage.zip") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    with zipfile.ZipFile(tmp_path / "site" / "data" / "132225_projects.xlsx") as xlsx:
        core = xlsx.read("docProps/core.xml").decode()
    assert "2023-11-14T22:13:20Z" in core


def test_a_failed_build_leaves_site_untouched(real_content, tmp_path):
    site = tmp_path / "site"
    assert pipeline.build(real_content, site) == []
    (site / "keep-me.txt").write_text("from the last good build", encoding="utf-8")
    before = tree(site)
    project = real_content / "2023" / "projects" / "shotengai-challenge.yaml"
    project.write_text(
        project.read_text(encoding="utf-8").replace("6504", '"6,504"'), encoding="utf-8"
    )
    assert cli.main(["--content", str(real_content), "--out", str(site)]) == 1
    assert tree(site) == before
    assert [
        p.name for p in tmp_path.iterdir() if p.name.startswith(".site-build")
    ] == []  # no staging left


def test_a_good_build_replaces_site_whole(real_content, tmp_path):
    """A file put into a built site by hand is gone after the next build (templates/host/ is
    the home of a host's own files)."""
    site = tmp_path / "site"
    assert cli.main(["--content", str(real_content), "--out", str(site)]) == 0
    (site / "stale.html").write_text("old", encoding="utf-8")
    assert cli.main(["--content", str(real_content), "--out", str(site)]) == 0
    assert not (site / "stale.html").exists()
    assert (site / "data" / "datapackage.json").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site-build")] == []


def test_build_command_writes_site_data_and_exits_0(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--content",
            str(CONTENT),
            "--out",
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "data" / "132225_projects.csv").exists()
    check = subprocess.run(
        [sys.executable, "build.py", "check"], cwd=ROOT, capture_output=True, check=False
    )
    assert check.returncode == 0


# -- The package made from validated rows -------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Validated]:
    """400 synthetic projects."""
    content = make_tree(tmp_path_factory.mktemp("synthetic") / "content", projects=400)
    validated, problems = validate.validate(load.load(content))
    assert problems == [] and validated is not None
    return model.build_model(validated.records), validated


def with_projects(validated: Validated, rows: list[dict]) -> Validated:
    return Validated(validated.records, {**validated.tables, "projects": rows})


def test_a_column_wider_than_60_wraps_in_every_row(synthetic):
    site, validated = synthetic
    rows = [dict(row) for row in validated.tables["projects"]]
    rows[0]["所管課"] = "所管課" * 30
    files = package_data.package_files(site, with_projects(validated, rows))
    book = openpyxl.load_workbook(io.BytesIO(files["132225_projects.xlsx"]))
    column = HEADERS.index("所管課") + 1
    assert all(
        row[0].alignment.wrap_text
        for row in book.active.iter_rows(min_row=2, min_col=column, max_col=column)
    )
    assert round(book.active.column_dimensions[get_column_letter(column)].width - 0.71, 1) == 60


def test_zips_pass_testzip_and_hold_the_right_members(synthetic):
    site, validated = synthetic
    files = package_data.package_files(site, validated)
    with zipfile.ZipFile(io.BytesIO(files["132225_projects.xlsx"])) as xlsx:
        assert xlsx.testzip() is None
        assert {"[Content_Types].xml", "docProps/core.xml", "xl/workbook.xml", SHEET_PART} <= set(
            xlsx.namelist()
        )
        for name in xlsx.namelist():
            ElementTree.fromstring(xlsx.read(name))  # well-formed XML
    with zipfile.ZipFile(io.BytesIO(files["132225_datapackage.zip"])) as package:
        assert package.testzip() is None
        infos = package.infolist()
        inside = {info.filename: package.read(info) for info in infos}
    assert [info.filename for info in infos] == sorted(inside)
    assert {info.date_time for info in infos} == {
        package_data.zip_date(package_data.release_time(site))
    }
    assert {i.filename for i in infos if i.compress_type == zipfile.ZIP_DEFLATED} == (
        inside.keys() - {"132225_projects.xlsx"}  # compressed already
    )
    assert inside.keys() == (files.keys() - {"132225_datapackage.zip"})
    assert all(inside[name] == files[name] for name in inside)  # datapackage.json too


def test_xlsx_holds_the_csvs_values_as_a_spreadsheet_reads_them(synthetic):
    """Numbers as number cells (amounts with separators, the year without), every other cell,
    the municipality's code too, as text; the header frozen; the release as its date."""
    site, validated = synthetic
    files = package_data.package_files(site, validated)
    book = openpyxl.load_workbook(io.BytesIO(files["132225_projects.xlsx"]))
    assert book.sheetnames == ["事務事業", "事業費の推移"]
    assert book.properties.creator == "shisaku"
    assert book.properties.created == package_data.release_time(site).replace(tzinfo=None)
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == HEADERS
    csv_rows = list(csv.DictReader(io.StringIO(files["132225_projects.csv"].decode(), newline="")))
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(csv_rows) == len(validated.tables["projects"])
    for row, published in zip(rows, csv_rows, strict=True):
        for cell, name in zip(row, HEADERS, strict=True):
            text = published[name]
            if text == "":
                assert cell.value is None, name
            elif name in AMOUNTS:
                assert (str(cell.value), cell.number_format) == (text, "#,##0"), name
                assert isinstance(cell.value, int), name
            elif name == "年度":
                assert (str(cell.value), cell.number_format) == (text, "0"), name
                assert isinstance(cell.value, int), name
            elif name == "前年度比（％）":
                assert (f"{cell.value:.1f}", cell.number_format) == (text, "0.0"), name
            else:
                assert (cell.value, cell.data_type) == (text, "s"), name
    assert rows[0][0].value == "132225"  # 全国地方公共団体コード: text, its digits kept


def test_xlsx_and_zip_are_the_same_bytes_at_another_time(synthetic):
    """Made again a wall-clock second later: the workbook and the zip do not change."""
    site, validated = synthetic
    first = package_data.package_files(site, validated)
    started = int(time.time())
    while int(time.time()) == started:
        time.sleep(0.05)
    second = package_data.package_files(site, validated)
    assert first == second


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("", 0),
        ("abc", 3),
        ("事務事業", 8),
        ("ｱｲｳ", 3),
        ("ＡＢ", 4),
        ("é–…", 3),
        ("𠮷野家", 6),
        ("\u3000x", 3),
    ],
)
def test_display_width_counts_wide_and_full_width_characters_twice(text, width):
    assert package_data.display_width(text) == width
    assert width == sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_column_widths_skip_only_texts_that_cannot_widen_their_column():
    """The widths measured with the shortcut are the widest lines, each measured in full."""
    rng = random.Random(3)
    alphabet = "ab 1事業ｱ𠮷é\n\u2028"
    # short texts in three columns (below 61: every shortcut matters), long ones in the last
    rows = [
        ["".join(rng.choices(alphabet, k=rng.randrange(n))) for n in (12, 20, 28, 90)]
        for _ in range(300)
    ]

    def measured(text: str) -> int:
        lines = text.splitlines() or [""]
        return min(max(package_data.display_width(line[:61]) for line in lines), 61)

    expected = [max(measured(row[column]) for row in rows) for column in range(4)]
    assert package_data.column_widths([""] * 4, rows) == expected
    assert package_data.column_widths(["a", "事務事業", "", ""], rows[:5]) == [
        max([measured(r[c]) for r in rows[:5]] + [len("a") if c == 0 else 8 if c == 1 else 0])
        for c in range(4)
    ]


def test_every_row_and_cell_of_the_sheet_names_its_place(synthetic):
    """r="A5" on every cell and r="5" on every row: readers that do not count cells themselves
    (older calamine, ExcelDataReader) put them where they belong. Empty cells are left out."""
    site, validated = synthetic
    files = package_data.package_files(site, validated)
    with zipfile.ZipFile(io.BytesIO(files["132225_projects.xlsx"])) as book:
        sheet = ElementTree.fromstring(book.read(SHEET_PART))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rows = sheet.iter(f"{main}row")
    table = [HEADERS] + [[row[name] for name in HEADERS] for row in validated.tables["projects"]]
    for number, (row, values) in enumerate(zip(rows, table, strict=True), start=1):
        assert row.get("r") == str(number)
        filled = [i for i, value in enumerate(values, start=1) if value not in (None, "")]
        expected = [f"{get_column_letter(i)}{number}" for i in filled]
        assert [cell.get("r") for cell in row.iter(f"{main}c")] == expected
