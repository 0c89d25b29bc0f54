"""The table in a spreadsheet's grids, and its rows read into Imported projects.

Two layouts are found, each by its header labels wherever the table starts: the report's own
table (事務事業名, 事業概要, 事業費（千円） under the two fiscal years, 増減額（千円）, 前年度比（％）,
令和5年度の取組み, 所管課), and our published projects table (the columns of schema/projects.json).
The printed 増減額 and 前年度比 are checked against the costs, by the model's own rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import formats
from .figures import change, ratio
from .printed import (
    YEAR_HEADER,
    NotAFigure,
    fiscal_year_in,
    parse_amount,
    parse_ratio,
    parse_whole,
)
from .problems import Localized, Problem, character, quote
from .shapes import formula_lead
from .sheets import Grid, cell_text, compact, one_line, tidy_text

HEADER_SEARCH_ROWS = 50  # title rows and notes above the table; a header further down is no table
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TEXT_KEYS = ("name", "summary", "activities")


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
    grids: list[Grid], file: str, year_option: int | None
) -> tuple[Table | None, list[Problem]]:
    """The first header row of either layout in the first rows of each sheet, in sheet order.

    year_option: --year, which the report's year headers must agree with.
    """
    for grid in grids:
        for row in range(min(len(grid.rows), HEADER_SEARCH_ROWS)):
            labels = [compact(value) for value in grid.rows[row]]
            if PUBLISHED_KEY in labels:
                return published_table(grid, row, labels)
            if REPORT_KEY in labels:
                return report_table(grid, row, year_option)
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


def report_table(grid: Grid, row: int, year_option: int | None) -> tuple[Table, list[Problem]]:
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
    problems += cost_columns(table, years, header[-1], year_option)
    return table, problems


def cost_columns(
    table: Table, years: list[tuple[int, int]], year_row: int, year_option: int | None
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
    if year_option is not None and year_option != newest:
        col = by_year[newest]
        problems.append(
            grid.problem(
                year_row,
                col,
                "import-year-disagrees",
                value=quote(one_line(grid.value(year_row, col))),
                year=newest,
                source="--year",
                expected=year_option,
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


def read_projects(table: Table, year_option: int | None) -> tuple[list[Imported], list[Problem]]:
    """Every row under the header; of our published table, only those of --year if given."""
    projects: list[Imported] = []
    problems: list[Problem] = []
    for row in range(table.first_row, len(table.grid.rows)):
        reader = RowReader(table, row)
        if reader.is_empty():
            continue
        if table.layout == "report":
            project = report_project(reader, table)
        else:
            project = published_project(reader, year_option)
        if project is not None:
            formula_cells(reader, project)
        problems += reader.problems
        if project is not None:
            projects.append(project)
    if not projects and not problems:  # nothing under the header, or no row of --year
        problems.append(table.grid.problem(table.header_row, 0, "import-no-rows"))
    number_by_year(projects)
    return projects, problems


def formula_cells(reader: RowReader, project: Imported) -> None:
    """A text cell that a spreadsheet would run as a formula, by the build's own rule (after
    spaces, in NFKC): said at its cell now, not later by the build."""
    for key, texts in project.texts.items():
        for lang, text in texts.items():
            lead = formula_lead(text)
            if lead:
                role = key if lang == "ja" else f"{key}_en"
                reader.fail(role, "formula-text", "formula-injection", char=character(lead))


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


def published_project(reader: RowReader, year_option: int | None) -> Imported | None:
    year = reader.parse("fiscal_year", parse_whole, "not-whole-number")
    if year is None or (year_option is not None and year != year_option):
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
        computed = change(cost, previous)
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
        computed_ratio = ratio(cost, previous)
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
