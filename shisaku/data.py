"""CSV / XLSX / datapackage.json / zip, from the same rows that were validated."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .formats import katakana, wareki, wide_characters
from .model import Site
from .problems import Problem, quote
from .rows import TABLES, Validated, load_schema

DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
DIALECT_PROFILE = "https://datapackage.org/profiles/2.0/tabledialect.json"
XLSX_MEDIATYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_DIALECT = {
    "header": True,
    "delimiter": ",",
    "lineTerminator": "\r\n",
    "quoteChar": '"',
    "doubleQuote": True,
}
SHEET_NAME = "事務事業"
HISTORY_SHEET_NAME = "事業費の推移"
# The wide table: one row per project id, one cost column per fiscal year.
HISTORY = "projects-history"
COST = "事業費（千円）"

# Each resource's title and description, in Japanese and English.
ABOUT = {
    "projects": (
        ("事務事業", "Projects"),
        (
            "事務事業ごと、年度ごとに1行。事業費・前年度事業費・増減額（千円）・前年度比（％）、事業概要、取組内容、所管課。",
            "One row per administrative project per fiscal year: cost, previous year's cost and "
            "change (thousand yen), ratio (%), summary, activities and the division in charge.",
        ),
    ),
    "policies": (
        ("施策・基本事業", "Policies and basic projects"),
        (
            "施策と基本事業の一覧。施策に対する基本的考え方と長期総合計画における方向性。",
            "The policies and their basic projects, with the approach to each policy and the "
            "directions of the long-term comprehensive plan.",
        ),
    ),
    "divisions": (
        ("所管課", "Divisions"),
        ("所管課の一覧。", "The divisions in charge of the projects."),
    ),
    "projects-csvw": (
        ("事務事業のCSVW メタデータ", "CSVW metadata of the projects table"),
        (
            "W3C CSV on the Web の形式で、事務事業のCSVの列（日本語・英語の名前、型、主キー）を説明するファイル。",
            "Describes the columns of the projects CSV (Japanese and English titles, datatypes, the "
            "primary key) in the W3C CSV on the Web format.",
        ),
    ),
    HISTORY: (
        ("事務事業の事業費の推移", "Project cost history"),
        (
            "事務事業ごとに1行。最新の名称・施策・基本事業・所管課、初年度と最終年度、年度ごとの事業費（千円）を1列ずつ。"
            "各年度の事業費はその年度を振り返る報告書の値。",
            "One row per administrative project: its newest name, policy, basic project and "
            "division, the first and last fiscal years it appears in, and one column of cost "
            "(thousand yen) per fiscal year, as the report reviewing that year prints it.",
        ),
    ),
    HISTORY + "-csvw": (
        ("事業費の推移のCSVW メタデータ", "CSVW metadata of the project cost history"),
        (
            "W3C CSV on the Web の形式で、事業費の推移のCSVの列（日本語・英語の名前、型、主キー）を説明するファイル。",
            "Describes the columns of the project cost history CSV (Japanese and English titles, "
            "datatypes, the primary key) in the W3C CSV on the Web format.",
        ),
    ),
    "projects-xlsx": (
        ("事務事業（Excel）", "Projects (Excel)"),
        (
            "事務事業の表（シート「事務事業」）と事業費の推移（シート「事業費の推移」）をExcel形式にしたもの。",
            "The projects table (sheet 事務事業) and the project cost history (sheet 事業費の推移) "
            "as an Excel workbook.",
        ),
    ),
    HISTORY + "-xlsx": (
        ("事業費の推移（Excel）", "Project cost history (Excel)"),
        (
            "事務事業の表と同じExcelファイルのシート「事業費の推移」。",
            "The sheet 事業費の推移 of the projects workbook.",
        ),
    ),
    "package-zip": (
        ("データパッケージ一式（zip）", "The whole data package (zip)"),
        (
            "すべてのCSV・Excel・スキーマとdatapackage.jsonをまとめたzipファイル。",
            "Every CSV, the Excel workbook, the schemas and datapackage.json in one zip file.",
        ),
    ),
    "datapackage": (
        (
            "データパッケージの説明（datapackage.json）",
            "Data package descriptor (datapackage.json)",
        ),
        (
            "パッケージの各ファイルの列・型・ハッシュを説明するFrictionless Data Package（v2）の記述ファイル。",
            "The Frictionless Data Package (v2) descriptor: every file of the package with its "
            "columns, types and hash.",
        ),
    ),
}


# The last second a zip file can date its members with (their year is stored as year - 1980
# in seven bits): a release time after it cannot be written into the package's zip.
LAST_RELEASE = datetime.datetime(2107, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)


def release_problems() -> list[Problem]:
    """SOURCE_DATE_EPOCH, when set, is a whole number of seconds up to LAST_RELEASE."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return []
    if epoch.isascii() and epoch.isdigit() and int(epoch) <= LAST_RELEASE.timestamp():
        return []
    return [
        Problem(
            "SOURCE_DATE_EPOCH",
            None,
            "",
            "bad-epoch",
            "environment-error",
            {"value": quote(epoch), "last": LAST_RELEASE.strftime("%Y-%m-%d")},
        )
    ]


def release_time(site: Site) -> datetime.datetime:
    """When this data was released: SOURCE_DATE_EPOCH if set, else site.yaml's `updated` date.

    Never the clock, so that two builds of the same content give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isascii() and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    day = datetime.date.fromisoformat(site.settings["updated"])
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def file_names(site: Site) -> dict[str, str]:
    code = site.code
    return {
        "projects": f"{code}_projects.csv",
        "policies": f"{code}_policies.csv",
        "divisions": f"{code}_divisions.csv",
        "xlsx": f"{code}_projects.xlsx",
        "csvw": f"{code}_projects.csv-metadata.json",
        "zip": f"{code}_datapackage.zip",
        "excel": f"{code}_projects_excel.csv",
        HISTORY: f"{code}_projects_history.csv",
        HISTORY + "-csvw": f"{code}_projects_history.csv-metadata.json",
    }


EXCEL_BOM = b"\xef\xbb\xbf"
EXCEL_ABOUT: About = (
    ("事務事業（Excel用のCSV）", "Projects (CSV for Excel)"),
    (
        "事務事業の表（…_projects.csv）と同じ表を、Excelで文字化けせずに開けるようBOM付きUTF-8にしたものです。",
        "The same table as the projects CSV (…_projects.csv), in UTF-8 with a BOM, so that Excel opens it without garbling the Japanese.",
    ),
)


def year_resource(fiscal_year: int) -> str:
    """The name of the resource of one fiscal year's rows of the projects table."""
    return f"projects-{fiscal_year}"


def year_file(site: Site, fiscal_year: int) -> str:
    """The CSV of one fiscal year's rows of the projects table: 132225_projects_2023.csv."""
    return f"{site.code}_projects_{fiscal_year}.csv"


def year_about(fiscal_year: int) -> tuple[tuple[str, str], tuple[str, str]]:
    era = wareki(fiscal_year)
    return (
        (f"事務事業（{era}）", f"Projects (FY{fiscal_year})"),
        (
            f"{era}を振り返る報告書の事務事業。事務事業の表のうち{era}の行で、列は同じ。",
            f"The projects of the report reviewing FY{fiscal_year}: the rows of the projects "
            "table for that fiscal year, with the same columns.",
        ),
    )


# -- the wide history table ---------------------------------------------------------------------
def fiscal_years(rows: list[dict[str, Any]]) -> list[int]:
    """The fiscal years of the projects table's rows, oldest first."""
    return sorted({row["年度"] for row in rows})


def cost_column(fiscal_year: int) -> str:
    return f"事業費_{fiscal_year}（千円）"


def filled(template: dict[str, Any], **values: Any) -> dict[str, Any]:
    """A field of the year rule with {year} and {wareki} filled in its texts."""
    return {k: v.format(**values) if isinstance(v, str) else v for k, v in template.items()}


def history_field(spec: dict[str, Any]) -> dict[str, Any]:
    """A field of the history table: projects.json's field `from`, with spec's keys over it."""
    projects = {f["name"]: f for f in load_schema("projects")["fields"]}
    base = projects[spec["from"]] if "from" in spec else {}
    merged = {**base, **{k: v for k, v in spec.items() if k != "from"}}
    return {"name": merged.pop("name"), **merged}


def history_schema(years: list[int], rule: dict[str, Any] | None = None) -> dict[str, Any]:
    """The published Table Schema of the history table: schema/projects-history.json's fixed
    fields, then its yearField once for each fiscal year, oldest first. A field with `from`
    starts as that field of projects.json; its other keys replace the copied ones."""
    rule = rule or load_schema(HISTORY)
    fields = [history_field(spec) for spec in rule["fields"]]
    fields += [history_field(filled(rule["yearField"], year=y, wareki=wareki(y))) for y in years]
    skip = {"description", "fields", "yearField"}
    return {
        "$schema": rule["$schema"],
        "fields": fields,
        **{k: v for k, v in rule.items() if k not in skip and k != "$schema"},
    }


def history_rows(
    rows: list[dict[str, Any]], years: list[int], readings: dict[tuple[int, str], str | None]
) -> list[dict[str, Any]]:
    """One row per project id, in the order of its newest row in the projects table: the lead
    columns and the reading (readings: by fiscal year and project id) from its newest year,
    the first and last years, and each year's 事業費."""
    lead = ("全国地方公共団体コード", "事務事業ID", "事務事業名", "事務事業名_英語")
    lead += ("施策ID", "基本事業ID", "所管課ID")
    found: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: -r["年度"]):  # stable: the table's order in a year
        year = row["年度"]
        entry = found.get(row["事務事業ID"])
        if entry is None:
            entry = {name: row[name] for name in lead}
            entry["事務事業名_カナ"] = readings.get((year, row["事務事業ID"]))
            entry |= {"初年度": year, "最終年度": year}
            entry |= {cost_column(y): None for y in years}
            found[row["事務事業ID"]] = entry
        entry["初年度"] = min(entry["初年度"], year)
        entry[cost_column(year)] = row[COST]
    return list(found.values())


def csv_text(value: Any) -> str:
    """A cell as published: integers without separators, the ratio with its one decimal, '' for missing."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.1f}"
    return str(value)


def csv_bytes(fields: list[dict[str, Any]], rows: list[dict[str, Any]]) -> bytes:
    """A table as CSV: UTF-8 without BOM, CRLF as RFC 4180 and the dialect say.

    No cell begins with = + - @ or a control character unless it is a number: validate refuses
    such texts (shapes.py, formula-text), so no spreadsheet runs a cell of this file.
    """
    names = [f["name"] for f in fields]
    out = io.BytesIO()
    # Encoded as it is written: the text of a whole table would take four bytes a character.
    with io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True) as text:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([csv_text(row[name]) for name in names] for row in rows)
        return out.getvalue()


# -- XLSX ---------------------------------------------------------------------------------------
# A column is never set wider than this; a column with a longer line wraps its text.
MAX_WIDTH = 60
MIN_WIDTH = 8


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (Japanese) characters count twice."""
    return len(text) + wide_characters(text)


def widest_line(text: str) -> int:
    """The width of a text's widest line, counted up to MAX_WIDTH + 1 (all wider look alike)."""
    lines = text.splitlines()
    return min(
        max((display_width(line[: MAX_WIDTH + 1]) for line in lines), default=0), MAX_WIDTH + 1
    )


def column_widths(names: list[str], rows: Iterable[list[str]]) -> list[int]:
    """The widest line of each column, its header's included."""
    found = [widest_line(name) for name in names]
    for texts in rows:
        for index, text in enumerate(texts):
            # No line is wider than twice its text's length: most texts cannot widen their column.
            if found[index] < min(2 * len(text), MAX_WIDTH + 1):
                found[index] = max(found[index], widest_line(text))
    return found


def number_formats(fields: list[dict[str, Any]]) -> list[str | None]:
    """Each column's number format: amounts in thousand yen with separators, other integers
    (the fiscal year) without, the ratio with one decimal; None for text."""
    formats: list[str | None] = []
    for field in fields:
        if field["type"] == "integer":
            formats.append("#,##0" if field["name"].endswith("（千円）") else "0")
        else:
            formats.append("0.0" if field["type"] == "number" else None)
    return formats


Sheet = tuple[str, list[dict[str, Any]], list[dict[str, Any]]]  # name, fields, rows


def xlsx_bytes(sheets: list[Sheet], when: datetime.datetime) -> bytes:
    """The tables for spreadsheet users, one sheet each: numbers as numbers, text as text (never
    a formula), a frozen header, fitted widths; the same bytes for the same rows at any time.

    in_memory: the parts are dated 1980-01-01 (from temporary files they would be dated with
    the local time zone) and nothing is written to disk. XlsxWriter turns constant_memory off
    with it, so the sheet is held in memory until it is closed (about 100 MB at 10,000 rows).
    """
    import xlsxwriter  # only the worker that makes the data package needs it

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    # created: the release, never the clock (XlsxWriter writes it as modified too)
    book.set_properties({"author": "shisaku", "created": when.astimezone(datetime.UTC)})
    for name, fields, rows in sheets:
        write_sheet(book, name, fields, rows)
    book.close()
    return out.getvalue()


def write_sheet(book: Any, name: str, fields: list[dict[str, Any]], rows: list[dict[str, Any]]):
    """One table as one sheet of the workbook."""
    names = [f["name"] for f in fields]
    sheet = book.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    top = {"valign": "top", "text_wrap": True}
    header = book.add_format({"bold": True, **top})
    widths = column_widths(names, ([csv_text(row[name]) for name in names] for row in rows))
    formats = number_formats(fields)
    styles = []
    for column, (width, number) in enumerate(zip(widths, formats, strict=True)):
        wraps = number is None and width > MAX_WIDTH
        styles.append(book.add_format({"num_format": number} if number else top if wraps else {}))
        sheet.set_column(column, column, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
        sheet.write_string(0, column, names[column], header)
    writers = [sheet.write_string if n is None else sheet.write_number for n in formats]
    for number, row in enumerate(rows, start=1):
        for column, name in enumerate(names):
            value = row[name]
            if value is not None and value != "":  # no cell for a missing value
                writers[column](number, column, value, styles[column])


# -- zip ----------------------------------------------------------------------------------------
ZipDate = tuple[int, int, int, int, int, int]


def zip_date(when: datetime.datetime) -> ZipDate:
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)


def zip_bytes(files: dict[str, bytes], date: ZipDate, stored: set[str]) -> bytes:
    """A zip of these files in the order of their names, each dated `date`, deflated but those
    in `stored`: the same bytes on every system."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date)
            info.create_system = 3  # Unix, as zipfile says on Linux and macOS, on Windows too
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return out.getvalue()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def both(ja: str, en: str) -> str:
    return f"{ja} / {en}"


About = tuple[tuple[str, str], tuple[str, str]]  # (title ja, en), (description ja, en)


def resource(
    name: str, path: str, data: bytes, about: About | None = None, **extra: Any
) -> dict[str, Any]:
    """One file of the package, with its titles (ABOUT's unless given), its size and its sha256."""
    (title_ja, title_en), (text_ja, text_en) = about or ABOUT[name]
    return {
        "name": name,
        "path": path,
        "title": both(title_ja, title_en),
        "description": f"{text_ja}\n\n{text_en}",
        **extra,
        "bytes": len(data),
        "hash": sha256(data),
    }


def table_resource(
    name: str,
    path: str,
    data: bytes,
    about: About | None = None,
    schema: str | None = None,
    encoding: str = "utf-8",
) -> dict[str, Any]:
    """A CSV table of the package, described by its schema in schema/ (the table's own unless
    given)."""
    return resource(
        name,
        path,
        data,
        about,
        type="table",
        format="csv",
        mediatype="text/csv",
        encoding=encoding,
        dialect={"$schema": DIALECT_PROFILE, **CSV_DIALECT},
        schema=schema or f"schema/{name}.json",
    )


def descriptor(
    site: Site, resources: list[dict[str, Any]], when: datetime.datetime
) -> dict[str, Any]:
    """datapackage.json (Frictionless v2): what the package is, whose it is, and every file in it."""
    s = site.settings
    home = s["base_url"] + s["base_path"]
    city = s["city"]["prefecture"]["ja"] + s["city"]["name"]["ja"]
    return {
        "$schema": DATAPACKAGE_PROFILE,
        "name": f"{site.code}-shisaku-hokoku",
        "id": home + "data/datapackage.json",
        "title": both(s["title"]["ja"], s["title"]["en"]),
        "description": s["description"]["ja"] + "\n\n" + s["description"]["en"],
        "homepage": home,
        "version": s["version"],
        "created": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "keywords": list(s["keywords"]["ja"]) + list(s["keywords"]["en"]),
        "licenses": [
            {
                "name": s["license"]["id"],
                "path": s["license"]["url"],
                "title": s["license"]["name"]["en"],
            }
        ],
        "sources": [
            {
                "title": f"{city}『{report.title['ja']}』 / {s['city']['name']['en']}, {report.title['en']}"
            }
            for report in site.reports
        ],
        "contributors": [
            {
                "title": both(s["publisher"]["name"]["ja"], s["publisher"]["name"]["en"]),
                "path": s["publisher"]["url"],
                "roles": ["publisher"],
            }
        ],
        "resources": resources,
    }


def json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def schemas() -> dict[str, dict[str, Any]]:
    """The Table Schema of every published table, by table name; the history table's with one
    field that stands for its year columns (the data page's column dictionary shows it)."""
    found = {name: load_schema(name) for name in TABLES}
    rule = load_schema(HISTORY)
    found[HISTORY] = history_schema([], rule)
    each_year = filled(rule["yearField"], year="YYYY", wareki="その年度")
    each_year["description"] += " One column per fiscal year, oldest first; YYYY is the year."
    each_year["description_ja"] += "年度ごとに1列、古い年度から。YYYYは西暦の年度。"
    found[HISTORY]["fields"].append(history_field(each_year))
    return found


# -- CSVW, for tools that read W3C CSV on the Web metadata --------------------------------------
CSVW_TYPES = {"string": "string", "integer": "integer", "number": "decimal"}


def column_name(field: dict[str, Any]) -> str:
    """A CSVW column name (ASCII, as URI templates need) from the field's English title."""
    return re.sub(r"[^a-z0-9]+", "_", field["title"].lower()).strip("_")


def csvw_metadata(
    site: Site, schema: dict[str, Any], csv_name: str, dialect: dict[str, Any]
) -> dict[str, Any]:
    """The main table's CSVW metadata: bilingual titles, datatypes, the primary key."""
    columns = []
    for field in schema["fields"]:
        datatype: dict[str, Any] = {"base": CSVW_TYPES[field["type"]]}
        constraints = field.get("constraints", {})
        for key in ("minimum", "maximum"):
            if key in constraints:
                datatype[key] = constraints[key]
        if "pattern" in constraints:
            datatype["format"] = constraints["pattern"]
        columns.append(
            {
                "name": column_name(field),
                # The header cell, untagged: the context's default language (ja) applies, and
                # strict CSVW readers match it (the csvw package matches untagged titles only).
                # The English title rides along as a common property.
                "titles": field["name"],
                "dc:title": {"@value": field["title"], "@language": "en"},
                "dc:description": [
                    {"@value": field["description_ja"], "@language": "ja"},
                    {"@value": field["description"], "@language": "en"},
                ],
                "datatype": datatype,
                "required": bool(constraints.get("required", False)),
                # The language of the cells: English in the _英語 columns, Japanese elsewhere.
                "lang": "en" if field["name"].endswith("_英語") else "ja",
            }
        )
    names = {f["name"]: column_name(f) for f in schema["fields"]}
    s = site.settings
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "ja"}],
        "url": csv_name,
        "lang": "ja",
        "dc:title": [{"@value": s["title"][lang], "@language": lang} for lang in site.languages],
        "dc:license": {"@id": s["license"]["url"]},
        "dc:publisher": [
            {"@value": s["publisher"]["name"][lang], "@language": lang} for lang in site.languages
        ],
        "dialect": {
            "encoding": "utf-8",
            "header": True,
            "delimiter": dialect["delimiter"],
            "quoteChar": dialect["quoteChar"],
            "doubleQuote": dialect["doubleQuote"],
            "lineTerminators": [dialect["lineTerminator"]],
        },
        "tableSchema": {
            "columns": columns,
            "primaryKey": [names[key] for key in schema["primaryKey"]],
        },
    }


def csvw_resource(name: str, path: str, data: bytes) -> dict[str, Any]:
    return resource(name, path, data, format="json", mediatype="application/csvm+json")


def xlsx_resource(name: str, path: str, data: bytes, sheet: str, schema: str) -> dict[str, Any]:
    """One sheet of the workbook, described by its table's schema, with its hash but not its
    size: frictionless (5.x) copies a workbook it reads by URL to a temporary file first and
    then counts no bytes, so `frictionless validate <url>` would fail on any size. The hash it
    checks where it can count, and the catalogue and the data page give the size."""
    described = resource(
        name,
        path,
        data,
        type="table",
        format="xlsx",
        mediatype=XLSX_MEDIATYPE,
        # sheetName as Data Package v2 says; frictionless-py (5.x) reads only its excel control
        dialect={"$schema": DIALECT_PROFILE, "sheetName": sheet, "excel": {"sheet": sheet}},
        schema=schema,
    )
    del described["bytes"]
    return described


def year_tables(
    site: Site, rows: list[dict[str, Any]], fields: list[dict[str, Any]], years: list[int]
) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    """Each fiscal year's rows of the projects table as a CSV of their own, newest first."""
    by_year: dict[int, list[dict[str, Any]]] = {year: [] for year in years}
    for row in rows:
        by_year[row["年度"]].append(row)
    files, resources = {}, []
    for year in sorted(years, reverse=True):
        path = year_file(site, year)
        files[path] = csv_bytes(fields, by_year[year])
        resources.append(
            table_resource(
                year_resource(year), path, files[path], year_about(year), "schema/projects.json"
            )
        )
    return files, resources


def package_files(site: Site, validated: Validated) -> dict[str, bytes]:
    """Every file of site/data/, by its path inside data/."""
    when = release_time(site)
    names = file_names(site)
    tables = schemas()
    projects = validated.tables["projects"]
    years = fiscal_years(projects)
    tables[HISTORY] = history_schema(years)
    readings = {
        (r.fiscal_year, r.data["id"]): katakana(r.data.get("name_kana"))
        for r in validated.records
        if r.kind == "project" and r.fiscal_year is not None
    }
    rows = {**validated.tables, HISTORY: history_rows(projects, years, readings)}
    files: dict[str, bytes] = {f"schema/{name}.json": json_bytes(tables[name]) for name in tables}
    resources = []
    for name in (*TABLES, HISTORY):
        files[names[name]] = csv_bytes(tables[name]["fields"], rows[name])
        resources.append(table_resource(name, names[name], files[names[name]]))
    by_year, year_resources = year_tables(site, projects, tables["projects"]["fields"], years)
    files |= by_year
    resources += year_resources
    for name, csv_key in (("projects-csvw", "csvw"), (HISTORY + "-csvw", HISTORY + "-csvw")):
        table = name.removesuffix("-csvw")
        csvw = csvw_metadata(site, tables[table], names[table], CSV_DIALECT)
        files[names[csv_key]] = json_bytes(csvw)
        resources.append(csvw_resource(name, names[csv_key], files[names[csv_key]]))
    sheets = [
        (SHEET_NAME, tables["projects"]["fields"], projects),
        (HISTORY_SHEET_NAME, tables[HISTORY]["fields"], rows[HISTORY]),
    ]
    files[names["xlsx"]] = xlsx_bytes(sheets, when)
    # For Excel on a Japanese PC, which reads a CSV without a BOM as Shift_JIS (mojibake): the
    # same table after one, its own resource (utf-8-sig), so that the main CSV stays as RFC
    # 4180 and CSVW describe it for every other client.
    files[names["excel"]] = EXCEL_BOM + files[names["projects"]]
    for name, (sheet, _, _) in zip(("projects-xlsx", HISTORY + "-xlsx"), sheets, strict=True):
        table = name.removesuffix("-xlsx")
        resources.append(
            xlsx_resource(name, names["xlsx"], files[names["xlsx"]], sheet, f"schema/{table}.json")
        )
    resources.append(
        table_resource(
            "projects-excel",
            names["excel"],
            files[names["excel"]],
            EXCEL_ABOUT,
            "schema/projects.json",
            encoding="utf-8-sig",
        )
    )
    files["datapackage.json"] = json_bytes(descriptor(site, resources, when))
    # The zip carries the package, the same datapackage.json too, so the descriptor does not
    # list it: a file cannot hold its own size and hash, and frictionless opens a .zip
    # resource as a compressed CSV. The workbook is compressed already: deflating it again
    # saves nothing.
    files[names["zip"]] = zip_bytes(files, zip_date(when), stored={names["xlsx"]})
    return files


def listed_resources(
    site: Site, package: dict[str, Any], files: dict[str, bytes]
) -> list[dict[str, Any]]:
    """Every file of data/ (files: by their path there; package: datapackage.json read), each
    with its size, as the data page and the catalogue list them: the package's resources,
    then the zip of the package and, last, datapackage.json, which the descriptor cannot list
    as its own."""
    zip_path = file_names(site)["zip"]
    return [
        *({**r, "bytes": len(files[r["path"]])} for r in package["resources"]),
        resource(
            "package-zip", zip_path, files[zip_path], format="zip", mediatype="application/zip"
        ),
        resource(
            "datapackage",
            "datapackage.json",
            files["datapackage.json"],
            format="json",
            mediatype="application/json",
        ),
    ]
