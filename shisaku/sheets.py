"""Spreadsheets read for `import`: an .xlsx or a .csv -> grids of cell values, one per sheet.

A merged cell shows its value in every cell it covers; a CSV is UTF-8 (with or without a BOM)
or CP932, as Excel writes it on Japanese Windows. Cells are addressed as a spreadsheet shows
them (施策報告書!E6), and their text is read here as labels, names and texts are compared.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .problems import Localized, Problem, missing_file, quote

SUFFIXES = (".xlsx", ".csv")


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


# A report's table has a few thousand rows: past these bounds the file is not one (a whole
# register, a sheet of a million rows), and reading it would take minutes.
MAX_IMPORT_BYTES = 20_000_000
MAX_IMPORT_ROWS = 100_000


UNITS = {"bytes": ("bytes", "バイト"), "rows": ("rows", "行")}


def too_large(file: str, what: str, count: int, limit: int) -> Problem:
    """The file's size (what: bytes or rows) past what an import reads."""
    en, ja = UNITS[what]
    return Problem(
        file,
        None,
        "",
        "large-import-file",
        "read-error",
        {
            "count": Localized(en=f"{count:,} {en}", ja=f"{count:,}{ja}"),
            "limit": Localized(en=f"{limit:,} {en}", ja=f"{limit:,}{ja}"),
        },
    )


def read_grids(path: Path, file: str) -> tuple[list[Grid], list[Problem]]:
    if not path.is_file():
        return [], [missing_file(file)]
    size = path.stat().st_size
    if size > MAX_IMPORT_BYTES:
        return [], [too_large(file, "bytes", size, MAX_IMPORT_BYTES)]
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
            rows = sheet_rows(path)
            if rows > MAX_IMPORT_ROWS:
                return [], [too_large(file, "rows", rows, MAX_IMPORT_ROWS)]
            merged = largest_merge(path)
            if merged[1] > MAX_MERGED_CELLS:
                return [], [merge_too_large(file, *merged)]
            book = load_workbook(path, data_only=True)
    except Exception as error:
        # openpyxl raises many kinds (zip, XML, key, value errors) for a file that is not a
        # workbook; people need one line saying so, not a traceback.
        return [], [read_error(file, str(error) or type(error).__name__)]
    return [sheet_grid(sheet, file) for sheet in book.worksheets], []


def sheet_rows(path: Path) -> int:
    """The most rows a sheet of the workbook says it has, read from its dimensions without
    loading its cells (0 where a sheet does not say)."""
    book = load_workbook(path, read_only=True)
    try:
        return max((sheet.max_row or 0 for sheet in book.worksheets), default=0)
    finally:
        book.close()


# openpyxl makes an object for every cell of a merged range when it loads a sheet: a range
# merged over a whole sheet (A1:XFD1048576, 17 billion cells) would fill the memory.
MAX_MERGED_CELLS = 1_000_000
MERGE_REF = re.compile(
    rb'<(?:\w+:)?mergeCell ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"'
)


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def largest_merge(path: Path) -> tuple[str, int]:
    """The merged range of the workbook with the most cells, and their count, read from the
    sheets' XML before openpyxl loads them."""
    largest = ("", 0)
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            for match in MERGE_REF.finditer(book.read(name)):
                first_col, first_row, last_col, last_row = match.groups()
                rows = int(last_row) - int(first_row) + 1
                cols = column_number(last_col) - column_number(first_col) + 1
                if rows * cols > largest[1]:
                    ref = b"%s%s:%s%s" % (first_col, first_row, last_col, last_row)
                    largest = (ref.decode(), rows * cols)
    return largest


def merge_too_large(file: str, ref: str, cells: int) -> Problem:
    return Problem(
        file,
        None,
        "",
        "merged-too-large",
        "read-error",
        {"ref": ref, "count": f"{cells:,}", "limit": f"{MAX_MERGED_CELLS:,}"},
    )


def sheet_grid(sheet: Worksheet, file: str) -> Grid:
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    width = max((len(row) for row in rows), default=0)
    # A merged cell keeps its value in its first cell only; here every cell of it shows the
    # value, so 事業費（千円） merged over two year columns heads both. Only within the cells
    # the sheet uses: a range merged over the whole sheet (A1:XFD1048576) fills no more.
    for merged in sheet.merged_cells.ranges:
        last_row, last_col = min(merged.max_row, len(rows)), min(merged.max_col, width)
        if merged.min_row > last_row or merged.min_col > last_col:
            continue
        for r in range(merged.min_row - 1, last_row):
            rows[r] += [None] * (last_col - len(rows[r]))
        value = rows[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, last_row):
            rows[r][merged.min_col - 1 : last_col] = [value] * (last_col - merged.min_col + 1)
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
        rows = list(
            itertools.islice(csv.reader(io.StringIO(text, newline="")), MAX_IMPORT_ROWS + 1)
        )
    except csv.Error as error:
        return [], [read_error(file, str(error))]
    if len(rows) > MAX_IMPORT_ROWS:
        lines = text.count("\n") + (not text.endswith("\n"))  # as many as a spreadsheet shows
        return [], [too_large(file, "rows", lines, MAX_IMPORT_ROWS)]
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
