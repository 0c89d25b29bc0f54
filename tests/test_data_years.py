"""A city over five fiscal years, read as clients read it: the wide cost history (frictionless,
DuckDB, a spreadsheet), each year's CSV, and the catalogue's series of one dataset a year
(rdflib, the DCAT-AP 3 shapes)."""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import re
from pathlib import Path

import jsonschema
import openpyxl
import pytest
import yaml
from frictionless import Package
from pyshacl import validate as shacl_validate
from rdflib import RDF, Graph, Namespace, URIRef

from shisaku import pipeline

from .conftest import STANDARDS
from .synthetic import make_city

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SH = Namespace("http://www.w3.org/ns/shacl#")
YEARS = [2019, 2020, 2021, 2022, 2023]
HISTORY = "132225_projects_history.csv"
LEAD = [
    "全国地方公共団体コード", "事務事業ID", "事務事業名", "事務事業名_カナ", "事務事業名_英語",
    "施策ID", "基本事業ID", "所管課ID", "初年度", "最終年度",
]  # fmt: skip
FROM_MAIN = [name for name in LEAD[:8] if name != "事務事業名_カナ"]  # as the newest row has them
COSTS = [f"事業費_{year}（千円）" for year in YEARS]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("years")
    content = make_city(folder / "content", projects_per_year=40)
    assert pipeline.build(content, folder / "site") == []
    return folder / "site"


@pytest.fixture(scope="module")
def data(city: Path) -> Path:
    return city / "data"


@pytest.fixture(scope="module")
def package(data: Path) -> dict:
    return json.loads((data / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog(city: Path) -> Graph:
    return Graph().parse(city / "catalog.ttl")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# -- the data package ----------------------------------------------------------------------------
def test_frictionless_validates_every_table_by_the_descriptor(data):
    report = Package(str(data / "datapackage.json")).validate()
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])
    rows = {task.name: task.stats["rows"] for task in report.tasks if task.stats.get("rows")}
    ids = {row["事務事業ID"] for row in read_csv(data / "132225_projects.csv")}
    assert rows["projects-history"] == rows["projects-history-xlsx"] == len(ids)
    assert [rows[f"projects-{year}"] for year in YEARS] == [40] * 5
    assert rows["projects"] == 200


def test_the_history_table_is_the_main_tables_costs_one_row_a_project(data):
    main = read_csv(data / "132225_projects.csv")
    history = read_csv(data / HISTORY)
    assert list(history[0]) == LEAD + COSTS
    assert len({row["事務事業ID"] for row in history}) == len(history)
    cost = {(int(r["年度"]), r["事務事業ID"]): r["事業費（千円）"] for r in main}
    newest: dict[str, dict[str, str]] = {}
    for row in main:
        if row["事務事業ID"] not in newest or row["年度"] > newest[row["事務事業ID"]]["年度"]:
            newest[row["事務事業ID"]] = row
    assert {row["事務事業ID"] for row in history} == set(newest)
    for row in history:
        years = [y for y in YEARS if (y, row["事務事業ID"]) in cost]
        assert (row["初年度"], row["最終年度"]) == (str(min(years)), str(max(years)))
        for year in YEARS:  # empty: not in that year's report, or printed "-"
            assert row[f"事業費_{year}（千円）"] == cost.get((year, row["事務事業ID"]), "")
        latest = newest[row["事務事業ID"]]
        assert [row[name] for name in FROM_MAIN] == [latest[name] for name in FROM_MAIN]
    assert any(row["初年度"] != "2019" for row in history)  # projects start in later years
    assert any(row["最終年度"] != "2023" for row in history)  # and end


def test_the_history_gives_each_projects_reading_in_katakana(city, data):
    """事務事業名_カナ as 自治体標準 datasets write 名称_カナ: the newest year's name_kana in
    full-width katakana, whether the file gives hiragana or katakana; empty where none."""
    content = city.parent / "content"
    readings = {}
    for year in YEARS:  # oldest first: the newest year's reading is kept
        for path in (content / str(year) / "projects").glob("*.yaml"):
            project = yaml.safe_load(path.read_text(encoding="utf-8"))
            readings[project["id"]] = project.get("name_kana")
    history = {row["事務事業ID"]: row["事務事業名_カナ"] for row in read_csv(data / HISTORY)}
    assert history.keys() == readings.keys()
    given = {i: kana for i, kana in readings.items() if kana}
    assert any(re.search("[ぁ-ゖ]", kana) for kana in given.values())  # hiragana in the files
    assert all(re.fullmatch("[ァ-ヺー]+", history[i]) for i in given)
    assert all(history[i] == "" for i in readings.keys() - given.keys())
    to_hiragana = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
    assert all(
        history[i].translate(to_hiragana) == kana.translate(to_hiragana)
        for i, kana in given.items()
    )


def test_the_published_history_schema_has_a_field_a_year(data, package):
    (resource,) = [r for r in package["resources"] if r["name"] == "projects-history"]
    assert resource["path"] == HISTORY
    schema = json.loads((data / resource["schema"]).read_text(encoding="utf-8"))
    official = STANDARDS / "datapackage-2.0" / "tableschema.json"
    jsonschema.Draft7Validator(json.loads(official.read_text(encoding="utf-8"))).validate(schema)
    assert [f["name"] for f in schema["fields"]] == LEAD + COSTS
    assert "yearField" not in schema
    years = [f for f in schema["fields"] if f["name"] in COSTS]
    assert {f["type"] for f in years} == {"integer"}
    assert years[0]["title"] == "Cost 2019 (thousand yen)"
    assert years[0]["description_ja"].startswith("令和元年度の事業費（千円）")
    assert schema["primaryKey"] == ["事務事業ID"]


def test_each_years_csv_is_the_main_tables_rows_of_that_year(data, package):
    main = (data / "132225_projects.csv").read_bytes().split(b"\r\n")
    header, rows = main[0], [line for line in main[1:] if line]
    by_name = {r["name"]: r for r in package["resources"]}
    for year in YEARS:
        resource = by_name[f"projects-{year}"]
        assert resource["path"] == f"132225_projects_{year}.csv"
        assert resource["schema"] == "schema/projects.json"
        lines = (data / resource["path"]).read_bytes().split(b"\r\n")
        assert lines[0] == header
        assert [line for line in lines[1:] if line] == [
            line for line in rows if line.split(b",")[3] == str(year).encode()
        ]


def test_every_new_file_has_its_size_and_hash(data, package):
    """Its size too, but the workbook's (frictionless could not count it by URL)."""
    for resource in package["resources"]:
        content = (data / resource["path"]).read_bytes()
        assert resource.get("bytes", len(content)) == len(content), resource["name"]
        assert "bytes" in resource or resource["format"] == "xlsx"
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()


def test_duckdb_reads_the_years_as_nullable_integers(data):
    duckdb = pytest.importorskip("duckdb")
    path = str(data / HISTORY)
    table = duckdb.sql(f"select * from read_csv('{path}', header = true)")  # its own guess
    types = dict(zip(table.columns, map(str, table.types), strict=True))
    assert {types[name] for name in [*COSTS, "初年度", "最終年度"]} == {"BIGINT"}
    # As the Table Schema says: the code and the ids as text.
    schema = json.loads((data / "schema" / "projects-history.json").read_text(encoding="utf-8"))
    sql_types = {"string": "VARCHAR", "integer": "BIGINT"}
    columns = {f["name"]: sql_types[f["type"]] for f in schema["fields"]}
    typed = duckdb.sql(f"select * from read_csv('{path}', header = true, columns = {columns})")
    assert typed.limit(1).fetchall()[0][0] == "132225"
    missing = duckdb.sql(
        f'select count(*) from typed where "{COSTS[0]}" is null and 初年度 > 2019'
    ).fetchall()[0][0]
    assert missing > 0  # projects that began later: NULL, not 0 or ''


def test_the_workbooks_second_sheet_is_the_history_csv(data):
    book = openpyxl.load_workbook(data / "132225_projects.xlsx", read_only=True)
    assert book.sheetnames == ["事務事業", "事業費の推移"]
    sheet = list(book["事業費の推移"].iter_rows(values_only=True))
    with (data / HISTORY).open(encoding="utf-8", newline="") as f:
        published = list(csv.reader(f))
    assert [list(row) for row in sheet[:1]] == published[:1]
    for row, cells in zip(sheet[1:], published[1:], strict=True):
        assert ["" if v is None else str(v) for v in row] == cells
    assert all(isinstance(v, int) for row in sheet[1:] for v in row[8:] if v is not None)


def test_the_history_csvw_metadata_names_every_column(data):
    metadata = json.loads((data / (HISTORY + "-metadata.json")).read_text(encoding="utf-8"))
    assert metadata["url"] == HISTORY
    columns = metadata["tableSchema"]["columns"]
    assert [c["titles"] for c in columns] == LEAD + COSTS
    assert columns[-1]["name"] == "cost_2023_thousand_yen"
    assert columns[-1]["datatype"]["base"] == "integer"


def test_the_zip_holds_the_new_files(data):
    import zipfile

    with zipfile.ZipFile(data / "132225_datapackage.zip") as archive:
        names = set(archive.namelist())
    assert {HISTORY, "schema/projects-history.json"} <= names
    assert {f"132225_projects_{year}.csv" for year in YEARS} <= names


def test_the_data_page_lists_the_new_files_and_the_history_columns(city):
    html = (city / "ja" / "data" / "index.html").read_text(encoding="utf-8")
    for name in [HISTORY, "132225_projects_2023.csv", HISTORY + "-metadata.json"]:
        assert f">{name}</a>" in html, name
    assert html.count(">132225_projects.xlsx</a>") == 1  # one row for the workbook's two sheets
    assert "事務事業（令和5年度の行のみ）" in html
    assert "事業費_YYYY（千円）" in html


# -- the catalogue ------------------------------------------------------------------------------
def home_of(catalog: Graph) -> str:
    (node,) = catalog.subjects(RDF.type, DCAT.Catalog)
    return str(node).removesuffix("catalog.ttl#catalog")


@pytest.mark.parametrize("shapes", ["dcat-ap-SHACL.ttl", "shapes_recommended.ttl"])
def test_the_dcat_ap_shapes_find_nothing_but_the_place(catalog, shapes):
    graph = Graph().parse(STANDARDS / "dcat-ap-3.0.1" / shapes)
    conforms, results, text = shacl_validate(
        catalog, shacl_graph=graph, inference="none", allow_warnings=True
    )
    assert conforms, text
    found = {
        (str(results.value(r, SH.focusNode)), str(results.value(r, SH.resultPath)))
        for r in results.subjects(RDF.type, SH.ValidationResult)
    }
    place = home_of(catalog) + "catalog.ttl#place"
    assert found <= {(place, str(DCAT.bbox)), (place, str(DCAT.centroid))}


def test_each_fiscal_year_is_a_dataset_of_the_series_in_order(catalog):
    base = home_of(catalog) + "catalog.ttl#"
    series = URIRef(base + "series")
    assert (series, RDF.type, DCAT.DatasetSeries) in catalog
    assert (URIRef(base + "catalog"), DCAT.resource, series) in catalog
    members = sorted(catalog.subjects(DCAT.inSeries, series), key=str)
    assert members == [URIRef(base + f"dataset-{year}") for year in YEARS]
    assert catalog.value(series, DCAT.first) == members[0]
    assert catalog.value(series, DCAT.last) == members[-1]
    assert list(catalog.objects(series, DCAT.distribution)) == []
    for index, (year, member) in enumerate(zip(YEARS, members, strict=True)):
        assert (member, RDF.type, DCAT.Dataset) in catalog
        assert (URIRef(base + "catalog"), DCAT.dataset, member) in catalog
        previous = catalog.value(member, DCAT.prev)
        following = catalog.value(member, DCAT.next)
        assert previous == (members[index - 1] if index else None)
        assert following == (members[index + 1] if index + 1 < len(members) else None)
        (period,) = catalog.objects(member, DCT.temporal)
        assert catalog.value(period, DCAT.startDate).toPython() == datetime.date(year, 4, 1)
        assert catalog.value(period, DCAT.endDate).toPython() == datetime.date(year + 1, 3, 31)
        titles = {t.language: str(t) for t in catalog.objects(member, DCT.title)}
        assert titles["en"].endswith(f"FY{year}")


def test_each_members_distribution_is_its_years_file(city, catalog):
    base = home_of(catalog)
    for year in YEARS:
        member = URIRef(base + f"catalog.ttl#dataset-{year}")
        (distribution,) = catalog.objects(member, DCAT.distribution)
        url = str(catalog.value(distribution, DCAT.downloadURL))
        assert url == base + f"data/132225_projects_{year}.csv"
        content = (city / url.removeprefix(base)).read_bytes()
        assert int(catalog.value(distribution, DCAT.byteSize)) == len(content)
        checksum = catalog.value(distribution, SPDX.checksum)
        digest = str(catalog.value(checksum, SPDX.checksumValue))
        assert digest == hashlib.sha256(content).hexdigest()
        assert catalog.value(distribution, DCT.conformsTo) == URIRef(
            base + "data/schema/projects.json"
        )
        # its landing page is that year's report, a page of the site
        landing = str(catalog.value(member, DCAT.landingPage))
        assert landing == base + f"ja/reports/{year}/"
        assert (city / landing.removeprefix(base) / "index.html").is_file()


def test_the_whole_dataset_keeps_the_files_of_every_year(city, catalog):
    base = home_of(catalog)
    dataset = URIRef(base + "catalog.ttl#dataset")
    urls = {
        str(catalog.value(d, DCAT.downloadURL)) for d in catalog.objects(dataset, DCAT.distribution)
    }
    assert base + "data/" + HISTORY in urls
    assert base + "data/132225_projects.xlsx" in urls
    assert not any("_projects_20" in url for url in urls)
    assert {(city / url.removeprefix(base)).is_file() for url in urls} == {True}
    # one period over every year: ckanext-dcat keeps a single dct:temporal of a dataset
    (period,) = catalog.objects(dataset, DCT.temporal)
    assert catalog.value(period, DCAT.startDate).toPython() == datetime.date(YEARS[0], 4, 1)
    assert catalog.value(period, DCAT.endDate).toPython() == datetime.date(YEARS[-1] + 1, 3, 31)


def test_json_ld_says_the_same(city, catalog):
    from rdflib.compare import isomorphic

    assert isomorphic(catalog, Graph().parse(city / "catalog.jsonld", format="json-ld"))


def test_schema_org_lists_each_file_once_and_no_years_file(city):
    import re

    html = (city / "en" / "data" / "index.html").read_text(encoding="utf-8")
    (text,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    urls = [d["contentUrl"] for d in json.loads(text)["distribution"]]
    assert len(urls) == len(set(urls))
    assert any(url.endswith(HISTORY) for url in urls)
    assert not any("_projects_20" in url for url in urls)


def test_the_same_city_gives_the_same_bytes(city, tmp_path):
    content = make_city(tmp_path / "content", projects_per_year=40)
    assert pipeline.build(content, tmp_path / "site") == []
    for path in sorted((city / "data").rglob("*")):
        if path.is_file():
            again = tmp_path / "site" / path.relative_to(city)
            assert again.read_bytes() == path.read_bytes(), path.name
    for name in ("catalog.ttl", "catalog.jsonld"):
        assert (tmp_path / "site" / name).read_bytes() == (city / name).read_bytes()
