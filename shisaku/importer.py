"""`import`: a spreadsheet (.xlsx or .csv) -> content/{year}/projects/*.yaml.

Two layouts are read, each found by its header labels wherever the table starts:

- the report's own table: 事務事業名, 事業概要, 事業費（千円） under the two fiscal years,
  増減額（千円）, 前年度比（％）, 令和5年度の取組み, 所管課. The printed 増減額 and 前年度比
  are checked against the costs; a project keeps the id of the same name in content/.
- our published projects table (the columns of schema/projects.json), so the published data
  reads back: build -> import -> build gives the same bytes.

Everything is read and checked before anything is written, and a problem writes nothing. New
files are written; existing files change only with --force (without it, their diffs are shown).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import difflib
import io
import math
import os
import re
import sys
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TextIO

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import formats, load, model
from .problems import (
    LANGUAGE_NAMES,
    Localized,
    Problem,
    missing_file,
    print_problems,
    quote,
)
from .progress import Progress

SUFFIXES = (".xlsx", ".csv")
HEADER_SEARCH_ROWS = 50  # title rows and notes above the table; a header further down is no table
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PLACEHOLDER_ID = re.compile(r"^project-([0-9]+)$")
KEY_ORDER = ("id", "order", "policy", "basic_project", "division")
TEXT_KEYS = ("name", "summary", "activities")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file",
        type=Path,
        help="the report's table, or our published projects table (.xlsx or .csv)",
    )
    p.add_argument(
        "--year",
        type=int,
        metavar="YYYY",
        help="the fiscal year reviewed; the report's year headers must agree "
        "(our published table: import only this year's rows)",
    )
    p.add_argument("--policy", metavar="ID", help="the policy of the report's projects")
    p.add_argument(
        "--basic-project", metavar="ID", help="the basic project of the report's projects"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="change existing files (without it: show their diffs and write nothing)",
    )


@dataclass(frozen=True)
class Options:
    year: int | None = None
    policy: str | None = None
    basic_project: str | None = None
    force: bool = False


# -- Cells -------------------------------------------------------------------------------------
def compact(value: Any) -> str:
    """A cell as labels, names and figures are compared: NFKC (全角 and 半角 alike), no spaces."""
    if value is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def cell_text(value: Any) -> str:
    """A cell's text exactly, with line ends as \\n; '' for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()  # a cell Excel took for a date: shown as the date it shows
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def tidy_text(value: Any) -> str:
    """A text typed into the report's table, without the spaces around its lines."""
    return "\n".join(line.strip() for line in cell_text(value).strip().split("\n"))


def one_line(value: Any) -> str:
    """A name broken over lines in its cell, joined again (Japanese has no spaces between)."""
    lines = [line.strip() for line in cell_text(value).split("\n") if line.strip()]
    joined = lines[0] if lines else ""
    for line in lines[1:]:
        ascii_words = joined[-1].isascii() and joined[-1].isalnum() and line[0].isascii()
        joined += (" " if ascii_words else "") + line
    return joined


# What the report prints for "no figure" (after NFKC: － is -, ｰ is ー), and for a negative.
MISSING_MARKS = {"", "-", "‐", "‑", "–", "—", "―", "−", "ー"}
NEGATIVE_MARKS = ("▲", "△", "-", "−")
AMOUNT = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$")
RATIO = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
TENTH = Decimal("0.1")


class NotAFigure(ValueError):
    """A cell that should hold a figure holds something else."""


def parse_amount(value: Any) -> int | None:
    """A printed thousand-yen amount: 6504, "6,504", "▲322", "△ 322", "-322", "６，５０４".

    None for a missing figure ("-", "－", "―", empty); NotAFigure for anything else.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotAFigure(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise NotAFigure(value)
    if not isinstance(value, str):  # a date or time: Excel read "6-5" as June 5th
        raise NotAFigure(value)
    text = compact(value)
    if text in MISSING_MARKS:
        return None
    sign = 1
    if text.startswith(NEGATIVE_MARKS):
        sign, text = -1, text[1:]
    if not AMOUNT.match(text):
        raise NotAFigure(value)
    return sign * int(text.replace(",", ""))


def parse_ratio(value: Any) -> Decimal | None:
    """A printed 前年度比: 226.9, "226.9", "226.9%"; None for a missing figure."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotAFigure(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotAFigure(value)
        # The cell shows one decimal; what is printed is the value rounded half up to it.
        return Decimal(repr(value)).quantize(TENTH, ROUND_HALF_UP)
    if not isinstance(value, str):
        raise NotAFigure(value)
    text = compact(value).removesuffix("%")
    if text in MISSING_MARKS:
        return None
    if not RATIO.match(text):
        raise NotAFigure(value)
    return Decimal(text)


def parse_whole(value: Any) -> int:
    """A whole number such as the fiscal year 2023 (a number, or text in any width)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = compact(value)
    if isinstance(value, str) and text.isascii() and text.isdigit():
        return int(text)
    raise NotAFigure(value)


# -- Fiscal years in headers -------------------------------------------------------------------
ERA_START = {era: start for start, era in formats.ERAS}
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}
ERA_YEAR = re.compile(r"(令和|平成|昭和|(?<![A-Za-z])[RHS])(元|[0-9]{1,2})年")
WESTERN_YEAR = re.compile(r"(?<![0-9])([0-9]{4})年度")
YEAR_HEADER = re.compile(r"^(?:(?:令和|平成|昭和|[RHS])(?:元|[0-9]{1,2})|[0-9]{4})年度$")


def fiscal_year_in(text: str) -> int | None:
    """The fiscal year a header (compacted) names: 令和5年度 -> 2023, 令和元年度 -> 2019, H30年度 -> 2018."""
    found = ERA_YEAR.search(text)
    if found:
        era = ERA_LETTERS.get(found[1], found[1])
        number = 1 if found[2] == "元" else int(found[2])
        return ERA_START[era] + number - 1
    found = WESTERN_YEAR.search(text)
    return int(found[1]) if found else None


# -- Reading a file into grids -----------------------------------------------------------------
@dataclass
class Grid:
    """One sheet (or a CSV) as rows of cell values, with the addresses a spreadsheet shows."""

    file: str  # the spreadsheet's path as people type it
    sheet: str | None  # the sheet's name in a workbook; None for a CSV
    rows: list[list[Any]]

    def value(self, row: int, col: int | None) -> Any:
        if col is None or row >= len(self.rows) or col >= len(self.rows[row]):
            return None
        return self.rows[row][col]

    def address(self, row: int, col: int) -> str:
        """施策報告書!E6 in a workbook, E6 in a CSV (from a 0-based row and column)."""
        cell = f"{get_column_letter(col + 1)}{row + 1}"
        return cell if self.sheet is None else f"{sheet_reference(self.sheet)}!{cell}"

    def problem(self, row: int, col: int, code: str, kind: str = "", **params: Any) -> Problem:
        """A problem at a cell; its type is the code without import- unless given."""
        kind = kind or code.removeprefix("import-")
        return Problem(self.file, None, self.address(row, col), code, kind, params)


def sheet_reference(name: str) -> str:
    """A sheet name as formulas write it: in quotes when it has spaces or punctuation."""
    if name and all(c.isalnum() or c == "_" for c in name) and not name[0].isdigit():
        return name
    return "'" + name.replace("'", "''") + "'"


def read_error(file: str, detail: str) -> Problem:
    return Problem(file, None, "", "read-error", "read-error", {"detail": detail})


def read_grids(path: Path, file: str) -> tuple[list[Grid], list[Problem]]:
    if not path.is_file():
        return [], [missing_file(file)]
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        shown = suffix or quote(path.name)
        return [], [
            Problem(file, None, "", "import-unknown-format", "unknown-format", {"suffix": shown})
        ]
    return read_xlsx(path, file) if suffix == ".xlsx" else read_csv(path, file)


def read_xlsx(path: Path, file: str) -> tuple[list[Grid], list[Problem]]:
    try:
        with warnings.catch_warnings():
            # openpyxl warns of Excel features it drops (data validation, conditional
            # formats); none of them is read here, so the warnings would only be noise.
            warnings.simplefilter("ignore")
            # data_only: a formula's value as Excel last computed it, which is what was printed.
            book = load_workbook(path, data_only=True)
    except Exception as error:
        # openpyxl raises many kinds (zip, XML, key, value errors) for a file that is not a
        # workbook; people need one line saying so, not a traceback.
        return [], [read_error(file, str(error) or type(error).__name__)]
    return [sheet_grid(sheet, file) for sheet in book.worksheets], []


def sheet_grid(sheet: Worksheet, file: str) -> Grid:
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    # A merged cell keeps its value in its first cell only; here every cell of it shows the
    # value, so 事業費（千円） merged over two year columns heads both.
    for merged in sheet.merged_cells.ranges:
        rows += [[] for _ in range(merged.max_row - len(rows))]
        for r in range(merged.min_row - 1, merged.max_row):
            rows[r] += [None] * (merged.max_col - len(rows[r]))
        value = rows[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, merged.max_row):
            rows[r][merged.min_col - 1 : merged.max_col] = [value] * (
                merged.max_col - merged.min_col + 1
            )
    return Grid(file, sheet.title, rows)


def read_csv(path: Path, file: str) -> tuple[list[Grid], list[Problem]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [], [read_error(file, error.strerror or str(error))]
    text, problems = decode_csv(raw, file)
    if text is None:
        return [], problems
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        return [], [read_error(file, str(error))]
    return [Grid(file, None, [list(row) for row in rows])], []


def decode_csv(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 (with or without the BOM Excel writes), else CP932: Excel's CSV on Japanese Windows."""
    errors = []
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding), []
        except UnicodeDecodeError as error:
            errors.append(error)
    # The encoding that read further is most likely the one meant: show where it stopped.
    stop = max(errors, key=lambda e: e.start).start
    line = raw[:stop].count(b"\n") + 1
    byte = f"0x{raw[stop]:02X}"
    return None, [
        Problem(file, line, "", "import-encoding-error", "encoding-error", {"byte": byte})
    ]


# -- Finding the table -------------------------------------------------------------------------
REPORT_KEY = "事務事業名"
PUBLISHED_KEY = "事務事業ID"

# Report columns by a word of their header, tried in this order: 令和5年度の取組み also names a
# year, and 前年度比 has 年度 in it. A column with a year and none of these words is a cost.
REPORT_ROLES = (
    ("activities", "取組"),
    ("name", "事務事業名"),
    ("summary", "事業概要"),
    ("change", "増減"),
    ("ratio", "前年度比"),
    ("division", "所管課"),
)
REPORT_REQUIRED = {
    "name": "事務事業名",
    "summary": "事業概要",
    "activities": "取組み",
    "division": "所管課",
}

# Our published columns, by the role they play here (the others are looked up or computed).
PUBLISHED_ROLES = {
    "年度": "fiscal_year",
    "事務事業ID": "id",
    "施策ID": "policy",
    "基本事業ID": "basic_project",
    "所管課ID": "division",
    "事務事業名": "name",
    "事務事業名_英語": "name_en",
    "事業概要": "summary",
    "事業概要_英語": "summary_en",
    "取組内容": "activities",
    "取組内容_英語": "activities_en",
    "事業費（千円）": "cost",
    "前年度事業費（千円）": "previous_cost",
    "増減額（千円）": "change",
    "前年度比（％）": "ratio",
}
PUBLISHED_OPTIONAL = {"name_en", "summary_en", "activities_en", "change", "ratio"}


@dataclass
class Table:
    """Where the table is in its grid and which column holds what."""

    grid: Grid
    layout: str  # "report" (the report's own table) or "published" (schema/projects.json)
    header_row: int
    first_row: int  # the first row under the header
    columns: dict[str, int]  # role -> column
    fiscal_year: int | None = None  # the report's; our table has a 年度 column


def find_table(
    grids: list[Grid], file: str, options: Options
) -> tuple[Table | None, list[Problem]]:
    """The first header row of either layout in the first rows of each sheet, in sheet order."""
    for grid in grids:
        for row in range(min(len(grid.rows), HEADER_SEARCH_ROWS)):
            labels = [compact(value) for value in grid.rows[row]]
            if PUBLISHED_KEY in labels:
                return published_table(grid, row, labels)
            if REPORT_KEY in labels:
                return report_table(grid, row, options)
    problem = Problem(file, None, "", "import-no-header", "no-header", {"rows": HEADER_SEARCH_ROWS})
    return None, [problem]


def published_table(grid: Grid, row: int, labels: list[str]) -> tuple[Table, list[Problem]]:
    known = {compact(name): name for name in PUBLISHED_ROLES}
    columns: dict[str, int] = {}
    for col, text in enumerate(labels):
        if text in known:
            columns.setdefault(PUBLISHED_ROLES[known[text]], col)
    problems = [
        grid.problem(row, 0, "import-missing-column", column=name)
        for name, role in PUBLISHED_ROLES.items()
        if role not in columns and role not in PUBLISHED_OPTIONAL
    ]
    return Table(grid, "published", row, row + 1, columns), problems


def is_year_row(grid: Grid, row: int) -> bool:
    """A second header row: the fiscal years under a merged 事業費（千円）."""
    return row < len(grid.rows) and any(YEAR_HEADER.match(compact(v)) for v in grid.rows[row])


def report_table(grid: Grid, row: int, options: Options) -> tuple[Table, list[Problem]]:
    header = [row, row + 1] if is_year_row(grid, row + 1) else [row]
    table = Table(grid, "report", row, header[-1] + 1, {})
    years: list[tuple[int, int]] = []  # (fiscal year, column) of each cost column
    for col in range(max(len(grid.rows[r]) for r in header)):
        text = "".join(compact(grid.value(r, col)) for r in header)
        role = next((role for role, word in REPORT_ROLES if word in text), None)
        if role:
            table.columns.setdefault(role, col)
        elif (year := fiscal_year_in(text)) is not None:
            years.append((year, col))
    problems = [
        grid.problem(row, 0, "import-missing-column", column=label)
        for role, label in REPORT_REQUIRED.items()
        if role not in table.columns
    ]
    problems += cost_columns(table, years, header[-1], options)
    return table, problems


def cost_columns(
    table: Table, years: list[tuple[int, int]], year_row: int, options: Options
) -> list[Problem]:
    """The fiscal year from the two cost columns, checked against --year and the 取組み header."""
    grid, by_year = table.grid, dict(years)
    newest = max(by_year, default=0)
    if len(years) != 2 or newest - 1 not in by_year:
        found = ", ".join(formats.wareki(y) for y, _ in years) or Localized(
            en="no year column", ja="年度の列がありません"
        )
        return [
            grid.problem(year_row, years[0][1] if years else 0, "import-cost-years", found=found)
        ]
    table.fiscal_year = newest
    table.columns["cost"], table.columns["previous_cost"] = by_year[newest], by_year[newest - 1]
    problems = []
    if options.year is not None and options.year != newest:
        col = by_year[newest]
        problems.append(
            grid.problem(
                year_row,
                col,
                "import-year-disagrees",
                value=quote(one_line(grid.value(year_row, col))),
                year=newest,
                source="--year",
                expected=options.year,
            )
        )
    activities = table.columns.get("activities")
    if activities is not None:
        said = fiscal_year_in(compact(grid.value(table.header_row, activities)))
        if said is not None and said != newest:
            problems.append(
                grid.problem(
                    table.header_row,
                    activities,
                    "import-year-disagrees",
                    value=quote(one_line(grid.value(table.header_row, activities))),
                    year=said,
                    source=Localized(en="the year of the costs", ja="事業費の年度"),
                    expected=newest,
                )
            )
    return problems


# -- Reading the rows --------------------------------------------------------------------------
@dataclass
class Imported:
    """A project as read from one row, before it is matched with content/."""

    row: int
    fiscal_year: int
    texts: dict[str, dict[str, str]]  # name, summary, activities -> the languages the row has
    cost: int | None
    previous_cost: int | None
    order: int = 0
    id: str | None = None
    policy: str | None = None
    basic_project: str | None = None
    division: str | None = None
    division_name: str = ""  # 所管課 as the report prints it


class RowReader:
    """The cells of one row by role, collecting a problem for each cell that cannot be read."""

    def __init__(self, table: Table, row: int) -> None:
        self.table, self.grid, self.row = table, table.grid, row
        self.problems: list[Problem] = []
        self.unreadable: set[str] = set()

    def value(self, role: str) -> Any:
        return self.grid.value(self.row, self.table.columns.get(role))

    def is_empty(self) -> bool:
        return all(compact(v) == "" for v in self.grid.rows[self.row])

    def fail(self, role: str, code: str, kind: str = "type-error", **params: Any) -> None:
        self.unreadable.add(role)
        col = self.table.columns.get(role, 0)
        self.problems.append(self.grid.problem(self.row, col, code, kind, **params))

    def parse(self, role: str, parser: Callable[[Any], Any], code: str) -> Any:
        """The cell read by parser; a problem (and None) when it cannot be."""
        try:
            return parser(self.value(role))
        except NotAFigure:
            self.fail(role, code, value=quote(cell_text(self.value(role))))
            return None


def read_projects(table: Table, options: Options) -> tuple[list[Imported], list[Problem]]:
    projects: list[Imported] = []
    problems: list[Problem] = []
    for row in range(table.first_row, len(table.grid.rows)):
        reader = RowReader(table, row)
        if reader.is_empty():
            continue
        if table.layout == "report":
            project = report_project(reader, table)
        else:
            project = published_project(reader, options)
        problems += reader.problems
        if project is not None:
            projects.append(project)
    if not projects and not problems:  # nothing under the header, or no row of --year
        problems.append(table.grid.problem(table.header_row, 0, "import-no-rows"))
    number_by_year(projects)
    return projects, problems


def number_by_year(projects: list[Imported]) -> None:
    """order: the position of each project in its fiscal year's rows."""
    counts: dict[int, int] = {}
    for project in projects:
        counts[project.fiscal_year] = counts.get(project.fiscal_year, 0) + 1
        project.order = counts[project.fiscal_year]


def report_project(reader: RowReader, table: Table) -> Imported | None:
    name = one_line(reader.value("name"))
    if compact(name) == REPORT_KEY or (not name and is_year_row(reader.grid, reader.row)):
        return None  # the header again (both its rows), as on every printed page
    if not name:
        reader.fail("name", "import-missing-name", "missing-name")
        return None
    cost, previous = figures(reader)
    division_name = one_line(reader.value("division"))
    if not division_name:
        reader.fail("division", "required", "constraint-error")
    assert table.fiscal_year is not None
    return Imported(
        row=reader.row,
        fiscal_year=table.fiscal_year,
        texts={
            "name": {"ja": name},
            "summary": {"ja": tidy_text(reader.value("summary"))},
            "activities": {"ja": tidy_text(reader.value("activities"))},
        },
        cost=cost,
        previous_cost=previous,
        division_name=division_name,
    )


def published_project(reader: RowReader, options: Options) -> Imported | None:
    year = reader.parse("fiscal_year", parse_whole, "not-whole-number")
    if year is None or (options.year is not None and year != options.year):
        return None
    cost, previous = figures(reader)
    project_id = cell_text(reader.value("id"))
    if not ID.match(project_id):
        reader.fail("id", "bad-id", "constraint-error", value=quote(project_id))
    texts: dict[str, dict[str, str]] = {}
    for key in TEXT_KEYS:
        texts[key] = {"ja": cell_text(reader.value(key))}
        if f"{key}_en" in reader.table.columns:
            texts[key]["en"] = cell_text(reader.value(f"{key}_en"))
    return Imported(
        row=reader.row,
        fiscal_year=year,
        texts=texts,
        cost=cost,
        previous_cost=previous,
        id=project_id,
        policy=cell_text(reader.value("policy")),
        basic_project=cell_text(reader.value("basic_project")),
        division=cell_text(reader.value("division")),
    )


def figures(reader: RowReader) -> tuple[int | None, int | None]:
    """This year's and last year's cost, with the printed change and ratio checked against them."""
    cost = reader.parse("cost", parse_amount, "not-amount")
    previous = reader.parse("previous_cost", parse_amount, "not-amount")
    if not {"cost", "previous_cost"} & reader.unreadable:
        check_printed(reader, cost, previous)
    return cost, previous


def check_printed(reader: RowReader, cost: int | None, previous: int | None) -> None:
    """The printed 増減額 and 前年度比 against the costs, computed by the model's own rules."""
    costs = {"cost": shown_amount(cost), "previous": shown_amount(previous)}
    if "change" in reader.table.columns:
        printed = reader.parse("change", parse_amount, "not-amount")
        computed = model.change(cost, previous)
        if "change" not in reader.unreadable and printed != computed:
            reader.fail(
                "change",
                "import-change-mismatch",
                "change-mismatch",
                printed=shown_amount(printed),
                computed=shown_amount(computed),
                **costs,
            )
    if "ratio" in reader.table.columns:
        printed_ratio = reader.parse("ratio", parse_ratio, "not-number")
        computed_ratio = model.ratio(cost, previous)
        if "ratio" not in reader.unreadable and printed_ratio != computed_ratio:
            reader.fail(
                "ratio",
                "import-ratio-mismatch",
                "ratio-mismatch",
                printed=shown_percent(printed_ratio),
                computed=shown_percent(computed_ratio),
                **costs,
            )


MISSING_SHOWN = Localized(en='"-"', ja="「-」")


def shown_amount(value: int | None) -> Localized:
    """A figure in a message as the pages show it: 3,637; ▲322 in Japanese, −322 in English."""
    if value is None:
        return MISSING_SHOWN
    return Localized(en=formats.amount(value, "en"), ja=formats.amount(value, "ja"))


def shown_percent(value: Decimal | None) -> Localized:
    if value is None:
        return MISSING_SHOWN
    return Localized(en=formats.percent(value, "en"), ja=formats.percent(value, "ja"))


# -- What content/ already has -----------------------------------------------------------------
@dataclass
class Content:
    """What the import needs to know of content/."""

    root: Path
    languages: list[str]
    divisions: dict[str, str]  # compacted Japanese name -> id
    projects: dict[tuple[int, str], load.Record]  # (fiscal year, id) -> its file
    policies: dict[int, dict[str, list[str]]]  # fiscal year -> policy -> its basic projects
    names: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # name -> (year, id)
    taken: set[str] = field(default_factory=set)  # every id and project file name in use


def read_content(root: Path) -> tuple[Content | None, list[Problem]]:
    if not root.is_dir():
        return None, [read_error(load.display_path(root), "not a folder")]
    loaded = load.load(root)
    # An empty content folder is where a first import goes; stray files are not its business.
    ignored = ("no-content", "unexpected-file")
    problems = [p for p in loaded.problems if p.code not in ignored]
    records = [r for r in loaded.records if isinstance(r.data, dict)]
    site = next((r.data for r in records if r.kind == "site"), {})
    languages = site.get("languages")
    if not (isinstance(languages, list) and all(isinstance(x, str) for x in languages)):
        languages = ["ja", "en"]
    content = Content(root, list(languages), {}, {}, {})
    for record in records:
        add_record(content, record)
    return content, problems


def add_record(content: Content, record: load.Record) -> None:
    data, year = record.data, record.fiscal_year
    if record.kind == "division" and isinstance(data.get("id"), str):
        name = data.get("name")
        if isinstance(name, dict) and isinstance(name.get("ja"), str):
            content.divisions[compact(name["ja"])] = data["id"]
    elif record.kind == "policy" and year is not None and isinstance(data.get("id"), str):
        basic_projects = data.get("basic_projects")
        ids = [
            bp["id"]
            for bp in (basic_projects if isinstance(basic_projects, list) else [])
            if isinstance(bp, dict) and isinstance(bp.get("id"), str)
        ]
        content.policies.setdefault(year, {})[data["id"]] = ids
    elif record.kind == "project" and year is not None and isinstance(data.get("id"), str):
        content.projects[year, data["id"]] = record
        content.taken |= {data["id"], Path(record.file).stem}
        name = data.get("name")
        if isinstance(name, dict) and isinstance(name.get("ja"), str):
            content.names.setdefault(compact(name["ja"]), []).append((year, data["id"]))


def id_for_name(content: Content, name: str, fiscal_year: int) -> str | None:
    """The id of the project of this name: the fiscal year's own, else the newest year's."""
    found = content.names.get(compact(name), [])
    return max(found, key=lambda f: (f[0] == fiscal_year, f[0]))[1] if found else None


def placeholder_id(content: Content) -> str:
    """project-<n>, the next n not in use: stable for the same content and rows."""
    numbers = [int(m[1]) for m in map(PLACEHOLDER_ID.match, content.taken) if m]
    new = f"project-{max(numbers, default=0) + 1}"
    content.taken.add(new)
    return new


# -- Matching the rows with content/ -----------------------------------------------------------
def match_content(
    projects: list[Imported], table: Table, content: Content, options: Options
) -> tuple[list[str], list[Problem]]:
    """Ids, divisions, policies and basic projects for each project; the placeholder ids made.

    A wrong value in many rows (an unknown 所管課, a missing --policy) is one problem, at its
    first cell.
    """
    grid, columns = table.grid, table.columns
    problems: list[Problem] = []
    placeholders: list[str] = []
    reported: set[tuple[Any, ...]] = set()
    first_of_name: dict[str, Imported] = {}
    first_of_id: dict[tuple[int, str], Imported] = {}
    for p in projects:
        found: list[tuple[tuple[Any, ...], Problem]] = []
        if table.layout == "report":
            name = compact(p.texts["name"]["ja"])
            if name in first_of_name:
                first = grid.address(first_of_name[name].row, columns["name"])
                value = quote(p.texts["name"]["ja"])
                problem = grid.problem(
                    p.row, columns["name"], "import-duplicate-name", value=value, first=first
                )
                problems.append(problem)
                continue
            first_of_name[name] = p
            if match_report_row(p, content, options):
                placeholders.append(str(p.id))
        assert p.id is not None
        if (p.fiscal_year, p.id) in first_of_id and ID.match(p.id):
            first = grid.address(first_of_id[p.fiscal_year, p.id].row, columns["id"])
            problem = grid.problem(
                p.row, columns["id"], "duplicate-id", "unique-error", value=quote(p.id), other=first
            )
            problems.append(problem)
        first_of_id.setdefault((p.fiscal_year, p.id), p)
        found += division_problems(p, table, content)
        found += policy_problems(p, table, content)
        for key, problem in found:
            if key not in reported:
                reported.add(key)
                problems.append(problem)
    return placeholders, problems


def match_report_row(p: Imported, content: Content, options: Options) -> bool:
    """The id of the same name in content/ (else a placeholder: True), division, policy."""
    name = p.texts["name"]["ja"]
    p.id = id_for_name(content, name, p.fiscal_year)
    made_up = p.id is None
    if p.id is None:
        p.id = placeholder_id(content)
    existing = content.projects.get((p.fiscal_year, p.id))
    old = existing.data if existing else {}
    # A file already there keeps its policy unless the options say otherwise.
    p.policy = options.policy or str_or_none(old.get("policy"))
    p.basic_project = options.basic_project or str_or_none(old.get("basic_project"))
    p.division = content.divisions.get(compact(p.division_name))
    return made_up


def str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def division_problems(
    p: Imported, table: Table, content: Content
) -> list[tuple[tuple[Any, ...], Problem]]:
    """所管課 not in content/divisions/: name the file to add. Keyed to report each value once."""
    grid, col = table.grid, table.columns["division"]
    if table.layout == "report":
        if p.division is not None or not p.division_name:
            return []  # an empty 所管課 was reported as the row was read
        value, expected = p.division_name, f"<id>.yaml (name: {{ja: {p.division_name}, en: …}})"
    elif not p.division:
        return [(("required", p.row), grid.problem(p.row, col, "required", "constraint-error"))]
    elif p.division in content.divisions.values():
        return []
    else:
        value, expected = p.division, f"{p.division}.yaml"
    folder = load.display_path(content.root / "divisions")
    problem = grid.problem(
        p.row,
        col,
        "import-unknown-division",
        value=quote(value),
        folder=f"{folder}/",
        expected=f"{folder}/{expected}",
    )
    return [(("division", value), problem)]


def policy_problems(
    p: Imported, table: Table, content: Content
) -> list[tuple[tuple[Any, ...], Problem]]:
    """The policy and basic project must be those of the fiscal year in content/."""
    grid, report = table.grid, table.layout == "report"
    known = content.policies.get(p.fiscal_year, {})
    key = ("policy", p.fiscal_year, p.policy, p.basic_project)

    def at(role: str, code: str, kind: str, **params: Any) -> list[tuple[Any, Problem]]:
        # The report's table names no policy: the problem is in the option given (or not).
        if report:
            option = "--" + role.replace("_", "-")
            return [(key, Problem(grid.file, None, option, code, kind, params))]
        return [(key, grid.problem(p.row, table.columns[role], code, kind, **params))]

    basic_projects = known.get(p.policy or "", [])
    if not p.policy or not p.basic_project:
        role = "policy" if not p.policy else "basic_project"
        if not report:
            return at(role, "required", "constraint-error")
        what = {"policy": Localized(en="policy", ja="施策")}.get(
            role, Localized(en="basic project", ja="基本事業")
        )
        listed = sorted(known) if role == "policy" else basic_projects
        return at(
            role,
            "import-missing-option",
            "missing-option",
            what=what,
            option="--" + role.replace("_", "-"),
            known=", ".join(listed) or "-",
        )
    if p.policy not in known:
        folder = load.display_path(content.root / str(p.fiscal_year) / "policies")
        return at(
            "policy",
            "import-unknown-policy",
            "unknown-policy",
            value=quote(p.policy),
            fiscal_year=p.fiscal_year,
            known=", ".join(sorted(known)) or "-",
            expected=f"{folder}/{p.policy}.yaml",
        )
    if p.basic_project not in basic_projects:
        return at(
            "basic_project",
            "import-unknown-basic-project",
            "unknown-basic-project",
            value=quote(p.basic_project),
            policy=p.policy,
            known=", ".join(basic_projects) or "-",
        )
    return []


# -- The content files -------------------------------------------------------------------------
def project_data(p: Imported, existing: Any, languages: list[str]) -> dict[str, Any]:
    """The file's data: the row's, with the file's texts in the languages the row has not."""
    old = existing if isinstance(existing, dict) else {}

    def texts(key: str) -> dict[str, str]:
        row, kept = p.texts[key], old.get(key)
        kept = kept if isinstance(kept, dict) else {}
        return {
            lang: row[lang] if lang in row else str_or_none(kept.get(lang)) or ""
            for lang in languages
        }

    return {
        "id": p.id,
        "order": p.order,
        "policy": p.policy,
        "basic_project": p.basic_project,
        "division": p.division,
        "name": texts("name"),
        "summary": texts("summary"),
        "cost": {p.fiscal_year: p.cost, p.fiscal_year - 1: p.previous_cost},
        "activities": texts("activities"),
    }


def project_yaml(data: dict[str, Any]) -> str:
    """A project file as people write them: key by key, texts by language, costs on one line."""
    lines = [f"{key}: {scalar(data[key])}" for key in KEY_ORDER]
    for key in ("name", "summary", "cost", "activities"):
        if key == "cost":
            costs = ", ".join(f"{year}: {scalar(v)}" for year, v in data["cost"].items())
            lines.append(f"cost: {{{costs}}}")
            continue
        lines.append(f"{key}:")
        for lang, text in data[key].items():
            if "\n" in text and fits_literal_block(text):
                lines.append(f"  {lang}: |-")
                lines += [f"    {line}" if line else "" for line in text.split("\n")]
            else:
                lines.append(f"  {lang}: {scalar(text)}")
    return "\n".join(lines) + "\n"


def scalar(value: Any) -> str:
    """A value on one line: plain where YAML reads it back as the same text, else in quotes."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    # Quoted when it starts with a digit too, as the hand-written files do ("4年ぶりに…").
    if text and not text[0].isdigit() and "\n" not in text and reads_back(text, text):
        return text
    return double_quoted(text)


def reads_back(written: str, text: str) -> bool:
    """Whether the loader reads `key: written` as this very text (not yes/no, a number, a date)."""
    data, problems = load.parse_yaml(f"key: {written}\n", "")
    return not problems and isinstance(data, dict) and data.get("key") == text


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar; escapes for what cannot stand as itself (line breaks, controls)."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char.isprintable() or unicodedata.category(char) == "Zs":
            out.append(char)  # 　 (U+3000) and other spaces stay as they are in the text
        elif ord(char) <= 0xFF:
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{ord(char):02X}"))
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(f"\\U{ord(char):08X}")
    return '"' + "".join(out) + '"'


def fits_literal_block(text: str) -> bool:
    """Whether `|-` keeps the text exactly: no spaces at the ends of lines, nothing unprintable."""
    lines = text.split("\n")
    return (
        bool(lines[0])
        and bool(lines[-1])
        and all(line == line.strip() for line in lines)
        and all(c.isprintable() or unicodedata.category(c) == "Zs" for c in text.replace("\n", ""))
    )


# -- The plan: what would be created, updated or left -----------------------------------------
@dataclass
class Change:
    path: Path
    file: str  # as shown
    status: str  # created, updated or unchanged
    old: str  # the file's text now; "" for a new file
    new: str
    data: dict[str, Any]


@dataclass
class Plan:
    changes: list[Change]
    placeholders: list[str]  # ids made up for names never seen
    languages: list[str]

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.changes)

    @property
    def needs_force(self) -> bool:
        return any(c.status == "updated" for c in self.changes)


def plan_changes(projects: list[Imported], content: Content, placeholders: list[str]) -> Plan:
    changes = []
    for p in projects:
        assert p.id is not None
        existing = content.projects.get((p.fiscal_year, p.id))
        if existing is not None:
            path = Path(existing.file)
        else:
            path = content.root / str(p.fiscal_year) / "projects" / f"{p.id}.yaml"
        data = project_data(p, existing.data if existing else None, content.languages)
        old = path.read_text(encoding="utf-8") if existing else ""
        if existing is not None and existing.data == data:
            # The same data: a hand-written file keeps its own quoting and layout.
            changes.append(Change(path, existing.file, "unchanged", old, old, data))
            continue
        status = "updated" if existing else "created"
        changes.append(Change(path, load.display_path(path), status, old, project_yaml(data), data))
    return Plan(changes, placeholders, content.languages)


def write_changes(plan: Plan) -> list[Problem]:
    """Every new and changed file, or none: each is written aside first, then moved in place."""
    staged: list[tuple[Path, Path]] = []
    problems = []
    for change in plan.changes:
        if change.status == "unchanged":
            continue
        aside = change.path.with_name(f".{change.path.name}.import")
        try:
            change.path.parent.mkdir(parents=True, exist_ok=True)
            aside.write_text(change.new, encoding="utf-8", newline="\n")
            staged.append((aside, change.path))
        except OSError as error:
            detail = error.strerror or str(error)
            problems.append(
                Problem(
                    change.file, None, "", "import-write-error", "write-error", {"detail": detail}
                )
            )
    if problems:
        for aside, _ in staged:
            aside.unlink(missing_ok=True)
        return problems
    for aside, path in staged:
        os.replace(aside, path)
    return []


def diff_lines(change: Change) -> list[str]:
    """The change as a unified diff, every line ending in a line break."""
    lines = difflib.unified_diff(
        change.old.splitlines(keepends=True),
        change.new.splitlines(keepends=True),
        fromfile=change.file if change.old else "/dev/null",
        tofile=change.file,
    )
    return [line if line.endswith("\n") else line + "\n" for line in lines]


# -- What the command prints -------------------------------------------------------------------
TEXTS = {
    "done": {
        "en": "{created} created, {updated} updated, {unchanged} unchanged, 0 problems.",
        "ja": "作成 {created} 件、更新 {updated} 件、変更なし {unchanged} 件、問題 0 件。",
    },
    "dry-run": {
        "en": "{created} to create, {updated} to update, {unchanged} unchanged, 0 problems. "
        "Nothing was written: existing files are changed only with --force.",
        "ja": "作成予定 {created} 件、更新予定 {updated} 件、変更なし {unchanged} 件、問題 0 件。"
        "既存のファイルは --force を付けたときだけ書き換えるため、何も書き出していません。",
    },
    "placeholders": {
        "en": "{count} new projects have placeholder ids ({ids}): before they are first "
        "published, rename each file and its id to a readable slug (a-z, 0-9, hyphens), or to "
        "the id of an earlier year if only the project's name changed; ids never change after.",
        "ja": "新しい事務事業 {count} 件に仮のID（{ids}）を付けました。初めて公開する前に、"
        "ファイル名とIDを読みやすい英小文字のID（a-z・0-9・ハイフン）に変えてください。"
        "名称だけが変わった事業なら、前の年度のIDにしてください。公開後のIDは変えません。",
    },
    "empty-texts": {
        "en": 'The {language} texts of {count} projects are empty (""): fill them in; '
        "python build.py check lists them.",
        "ja": '{count} 件の事務事業の{language}のテキストが空（""）です。記入してください'
        "（python build.py check で一覧できます）。",
    },
    "created": {"en": "created: {file}", "ja": "作成: {file}"},
    "updated": {"en": "updated: {file}", "ja": "更新: {file}"},
    "unchanged": {"en": "unchanged: {file}", "ja": "変更なし: {file}"},
}


def say(name: str, lang: str, **params: Any) -> str:
    texts = TEXTS[name]
    return texts.get(lang, texts["en"]).format(**params)


def print_summary(plan: Plan, dry_run: bool, verbose: bool, lang: str, out: TextIO) -> None:
    if verbose:
        for change in plan.changes:
            print(say(change.status, lang, file=change.file), file=out)
    counts = {s: plan.count(s) for s in ("created", "updated", "unchanged")}
    print(say("dry-run" if dry_run else "done", lang, **counts), file=out)
    if plan.placeholders:
        ids = ", ".join(plan.placeholders)
        print(say("placeholders", lang, count=len(plan.placeholders), ids=ids), file=out)
    written = [c for c in plan.changes if c.status != "unchanged"]
    for language in plan.languages:
        empty = sum(any(c.data[key][language] == "" for key in TEXT_KEYS) for c in written)
        if empty:
            name = LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES["en"]).get(language, language)
            print(say("empty-texts", lang, language=name, count=empty), file=out)


# -- The command -------------------------------------------------------------------------------
def prepare(
    file: Path, root: Path, options: Options, progress: Progress
) -> tuple[Plan | None, list[Problem]]:
    """Read the spreadsheet and content/, check every row: what would change, or the problems."""
    shown = load.display_path(file)
    with progress.stage("read") as stage:
        grids, problems = read_grids(file, shown)
        if problems:
            return None, problems
        table, problems = find_table(grids, shown, options)
        if table is None or problems:
            return None, problems
        projects, problems = read_projects(table, options)
        stage.advance(len(projects))
    with progress.stage("compare") as stage:
        content, found = read_content(root)
        problems += found
        if content is None:
            return None, problems
        placeholders, found = match_content(projects, table, content, options)
        problems += found
        if problems:
            return None, problems
        plan = plan_changes(projects, content, placeholders)
        stage.advance(len(plan.changes))
    return plan, []


def run(args: argparse.Namespace, lang: str) -> int:
    progress = Progress(quiet=args.quiet, verbose=args.verbose, lang=lang)
    options = Options(args.year, args.policy, args.basic_project, args.force)
    plan, problems = prepare(args.file, args.content, options, progress)
    if plan is None or problems:
        return print_problems(problems, lang)
    dry_run = plan.needs_force and not options.force
    if dry_run:
        if not args.quiet:
            for change in plan.changes:
                sys.stdout.writelines(diff_lines(change))
    else:
        with progress.stage("write"):
            problems = write_changes(plan)
        if problems:
            return print_problems(problems, lang)
    if not args.quiet:
        print_summary(plan, dry_run, args.verbose, lang, sys.stdout)
    progress.total()
    return 0
