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

from .formats import wide_characters
from .model import Site
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
    "projects-xlsx": (
        ("事務事業（Excel）", "Projects (Excel)"),
        ("事務事業の表をExcel形式にしたもの。", "The projects table as an Excel workbook."),
    ),
    "package-zip": (
        ("データパッケージ一式（zip）", "The whole data package (zip)"),
        (
            "すべてのCSV・Excel・スキーマとdatapackage.jsonをまとめたzipファイル。",
            "Every CSV, the Excel workbook, the schemas and datapackage.json in one zip file.",
        ),
    ),
}


def release_time(site: Site) -> datetime.datetime:
    """When this data was released: SOURCE_DATE_EPOCH if set, else site.yaml's `updated` date.

    Never the clock, so that two builds of the same content give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
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
    }


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


def xlsx_bytes(
    fields: list[dict[str, Any]], rows: list[dict[str, Any]], when: datetime.datetime
) -> bytes:
    """The main table for spreadsheet users: numbers as numbers, text as text (never a formula),
    a frozen header, fitted widths; the same bytes for the same rows at any time.

    in_memory: the parts are dated 1980-01-01 (from temporary files they would be dated with
    the local time zone) and nothing is written to disk. XlsxWriter turns constant_memory off
    with it, so the sheet is held in memory until it is closed (about 100 MB at 10,000 rows).
    """
    import xlsxwriter  # only the worker that makes the data package needs it

    names = [f["name"] for f in fields]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    # created: the release, never the clock (XlsxWriter writes it as modified too)
    book.set_properties({"author": "shisaku", "created": when.astimezone(datetime.UTC)})
    sheet = book.add_worksheet(SHEET_NAME)
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
    book.close()
    return out.getvalue()


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


def resource(name: str, path: str, data: bytes, **extra: Any) -> dict[str, Any]:
    """One file of the package, with its titles, its size and its sha256."""
    (title_ja, title_en), (text_ja, text_en) = ABOUT[name]
    return {
        "name": name,
        "path": path,
        "title": both(title_ja, title_en),
        "description": f"{text_ja}\n\n{text_en}",
        **extra,
        "bytes": len(data),
        "hash": sha256(data),
    }


def table_resource(name: str, path: str, data: bytes) -> dict[str, Any]:
    """A CSV table of the package, described by its schema in schema/."""
    return resource(
        name,
        path,
        data,
        type="table",
        format="csv",
        mediatype="text/csv",
        encoding="utf-8",
        dialect={"$schema": DIALECT_PROFILE, **CSV_DIALECT},
        schema=f"schema/{name}.json",
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
    """The Table Schema of every published table, by table name."""
    return {name: load_schema(name) for name in TABLES}


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
                "titles": {"ja": field["name"], "en": field["title"]},
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


def package_files(site: Site, validated: Validated) -> dict[str, bytes]:
    """Every file of site/data/, by its path inside data/."""
    when = release_time(site)
    names = file_names(site)
    tables = schemas()
    files: dict[str, bytes] = {f"schema/{name}.json": json_bytes(tables[name]) for name in TABLES}
    resources = []
    for name in TABLES:
        files[names[name]] = csv_bytes(tables[name]["fields"], validated.tables[name])
        resources.append(table_resource(name, names[name], files[names[name]]))
    csvw = csvw_metadata(site, tables["projects"], names["projects"], CSV_DIALECT)
    files[names["csvw"]] = json_bytes(csvw)
    resources.append(
        resource(
            "projects-csvw",
            names["csvw"],
            files[names["csvw"]],
            format="json",
            mediatype="application/csvm+json",
        )
    )
    files[names["xlsx"]] = xlsx_bytes(
        tables["projects"]["fields"], validated.tables["projects"], when
    )
    resources.append(
        resource(
            "projects-xlsx",
            names["xlsx"],
            files[names["xlsx"]],
            type="table",
            format="xlsx",
            mediatype=XLSX_MEDIATYPE,
            dialect={"$schema": DIALECT_PROFILE, "sheetName": SHEET_NAME},
            schema="schema/projects.json",
        )
    )
    # The zip carries the package without itself: a file cannot list its own size and hash.
    # The workbook is compressed already: deflating it again saves nothing.
    inner = {**files, "datapackage.json": json_bytes(descriptor(site, resources, when))}
    files[names["zip"]] = zip_bytes(inner, zip_date(when), stored={names["xlsx"]})
    resources.append(
        resource(
            "package-zip",
            names["zip"],
            files[names["zip"]],
            format="zip",
            mediatype="application/zip",
        )
    )
    files["datapackage.json"] = json_bytes(descriptor(site, resources, when))
    return files
