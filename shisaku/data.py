"""CSV / XLSX / datapackage.json / zip, from the same rows that were validated."""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import io
import json
import operator
import os
import re
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import archive, workbook
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


class _Lines:
    """A file for csv.writer that keeps each row it writes as a line of its own."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.write = self.lines.append


def csv_lines(fields: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[bytes]:
    """Each row as a line of the CSV: UTF-8 without BOM, CRLF as RFC 4180 and the dialect say."""
    names = [f["name"] for f in fields]
    # csv.writer writes None as "" and an integer as str() does: only the ratio needs csv_text
    numbers = [i for i, f in enumerate(fields) if f["type"] == "number"]
    values = operator.itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    out = _Lines()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        cells = values(row)
        if numbers:
            cells = list(cells)
            for i in numbers:
                cells[i] = csv_text(cells[i])
        writer.writerow(cells)
    return [line.encode("utf-8") for line in out.lines]


# A chunk of rows ends after a row whose line's CRC-32 is 0 modulo CHUNK_ROWS: chosen by its
# content, not its place, so an edit, insertion or deletion changes its own chunk only. The
# caps keep a chunk small when no row ends one (and then the next chunks may move too).
CHUNK_ROWS = 32
MAX_CHUNK_ROWS = 8 * CHUNK_ROWS
MAX_CHUNK_BYTES = 1 << 20


def chunk_ends(lines: list[bytes]) -> list[int]:
    """Where each chunk of rows ends (an index past its last row)."""
    ends, start, size = [], 0, 0
    for index, line in enumerate(lines):
        size += len(line)
        if (
            zlib.crc32(line) % CHUNK_ROWS == 0
            or index + 1 - start >= MAX_CHUNK_ROWS
            or size >= MAX_CHUNK_BYTES
        ):
            ends.append(index + 1)
            start, size = index + 1, 0
    if start < len(lines):
        ends.append(len(lines))
    return ends


@dataclass
class Table:
    """A table as CSV, its rows cut into chunks, each known by the digest of its CSV."""

    fields: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    header: bytes
    chunks: list[bytes]  # the CSV lines of each chunk's rows
    ranges: list[range]  # each chunk's rows
    ids: list[bytes]

    @classmethod
    def of(cls, fields: list[dict[str, Any]], rows: list[dict[str, Any]]) -> Table:
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerow([f["name"] for f in fields])
        lines = csv_lines(fields, rows)
        ends = chunk_ends(lines)
        ranges = [range(start, end) for start, end in zip([0, *ends][:-1], ends, strict=True)]
        chunks = [b"".join(lines[r.start : r.stop]) for r in ranges]
        ids = [archive.digest(chunk) for chunk in chunks]
        return cls(fields, rows, out.getvalue().encode("utf-8"), chunks, ranges, ids)

    def csv(self) -> bytes:
        return self.header + b"".join(self.chunks)

    def texts(self, chunk: int) -> list[list[str]]:
        """The cells of a chunk's rows as the CSV writes them."""
        names = [f["name"] for f in self.fields]
        return [[csv_text(self.rows[i][name]) for name in names] for i in self.ranges[chunk]]

    def deflated(self, chunks: archive.Chunks) -> list[archive.Deflated]:
        """The CSV as deflated chunks: the header, then the rows."""
        return [chunks.deflate(self.header)] + [
            chunks.deflated(archive.digest(b"csv\0", id_), lambda raw=raw: raw)
            for id_, raw in zip(self.ids, self.chunks, strict=True)
        ]


# The parts of a workbook are dated as the earliest a zip can say: its date is in its properties.
XLSX_DATE = (1980, 1, 1, 0, 0, 0)


def xlsx_bytes(table: Table, when: datetime.datetime, chunks: archive.Chunks) -> bytes:
    """The main table for spreadsheet users: numbers as numbers, a frozen header, fitted widths.

    Each chunk of rows is written and compressed once, and then kept while its rows and the
    styles of its columns stay the same (workbook.py says why it is written by hand).
    """
    names = [f["name"] for f in table.fields]
    texts = functools.cache(table.texts)
    widest = [workbook.widest_line(name) for name in names]
    for i, id_ in enumerate(table.ids):
        found = chunks.value(
            archive.digest(b"widths\0", id_),
            lambda i=i: bytes(workbook.widths(texts(i), len(names))),
        )
        widest = list(map(max, widest, found))
    styles = workbook.cell_styles([f["type"] for f in table.fields], widest)
    sheet = [chunks.deflate(workbook.sheet_start(names, widest, len(table.rows)))]
    for i, id_ in enumerate(table.ids):
        first = table.ranges[i].start + 2  # the sheet's row 1 is the header
        sheet.append(
            chunks.deflated(
                archive.digest(b"sheet\0", styles, f"{first}\0".encode(), id_),
                lambda i=i, first=first: workbook.sheet_rows(styles, texts(i), first),
            )
        )
    sheet.append(chunks.deflate(workbook.SHEET_END))
    members = [
        archive.deflated_member(name, [chunks.deflate(data)])
        for name, data in workbook.parts(SHEET_NAME, "shisaku", when)
    ]
    members.append(archive.deflated_member(workbook.SHEET_PART, sheet))
    return archive.zip_bytes(members, XLSX_DATE)


def zip_date(when: datetime.datetime) -> archive.DateTime:
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)


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


def package_files(
    site: Site, validated: Validated, chunks: dict[bytes, bytes] | None = None
) -> tuple[dict[str, bytes], dict[bytes, bytes]]:
    """Every file of site/data/, by its path inside data/; and the chunks for the next build.

    chunks: what the last build returned, so that only the rows that changed since are
    compressed again. The files are the same bytes with or without it.
    """
    store = archive.Chunks(chunks)
    when = release_time(site)
    names = file_names(site)
    tables = schemas()
    files: dict[str, bytes] = {f"schema/{name}.json": json_bytes(tables[name]) for name in TABLES}
    csv_tables = {name: Table.of(tables[name]["fields"], validated.tables[name]) for name in TABLES}
    resources = []
    for name in TABLES:
        files[names[name]] = csv_tables[name].csv()
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
    files[names["xlsx"]] = xlsx_bytes(csv_tables["projects"], when, store)
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
    inner = json_bytes(descriptor(site, resources, when))
    tables_by_path = {names[name]: csv_tables[name] for name in TABLES}
    members = [archive.deflated_member("datapackage.json", [store.deflate(inner)])]
    for path, content in sorted(files.items()):
        if path in tables_by_path:
            members.append(archive.deflated_member(path, tables_by_path[path].deflated(store)))
        elif path == names["xlsx"]:  # compressed already: deflating it again saves nothing
            members.append(archive.stored_member(path, content))
        else:
            members.append(archive.deflated_member(path, [store.deflate(content)]))
    files[names["zip"]] = archive.zip_bytes(members, zip_date(when))
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
    return files, store.used
