"""The published rows -> frictionless -> problems at the file, line and key each cell came from.

frictionless checks every cell of every table against its Table Schema in schema/ (types,
required, ranges, patterns, keys). Each table is validated on its own: the foreign keys are
checked in references.py (validating the tables as one package makes frictionless deep-copy
every row), and so are the ids (its messages name the other file and list what is known).
"""

from __future__ import annotations

import operator
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .problems import Problem, quote
from .rows import TABLES, Row, get, load_schema
from .shapes import problem

if TYPE_CHECKING:
    from frictionless import Error

Fields = dict[str, dict[str, Any]]  # a table's fields by name, as its schema describes them

# Keys and references are checked by check_duplicates and check_references, whose messages
# name the other file and list what is known; frictionless's own lines would say it twice.
CHECKED_OURSELVES = {"primary-key", "unique-error", "foreign-key"}


def frictionless_problems(tables: dict[str, list[Row]]) -> list[Problem]:
    """The rows of every table (by name) against schema/, each table on its own."""
    return [p for name in TABLES for p in table_problems(name, tables[name])]


def table_problems(name: str, rows: list[Row]) -> list[Problem]:
    """What frictionless finds wrong in one table's rows, said at the keys they came from."""
    # Imported here, where it is used: it is slow to import, and the commands that validate
    # nothing need not.
    from frictionless import Resource, Schema

    schema = frictionless_schema(name)
    fields: Fields = {f["name"]: f for f in schema["fields"]}
    resource = Resource(
        name=name, data=table_cells(list(fields), rows), schema=Schema.from_descriptor(schema)
    )
    found = []
    for task in resource.validate().tasks:
        for error in task.errors:
            mapped = _problem_of(error, name, rows, fields)
            if mapped is not None:
                found.append(mapped)
    return found


def frictionless_schema(name: str) -> dict[str, Any]:
    """A table's schema for frictionless: without its foreign keys, which are checked ourselves."""
    return {k: v for k, v in load_schema(name).items() if k != "foreignKeys"}


def table_cells(fields: list[str], rows: list[Row]) -> list[list[Any]]:
    """The header, then each row's cells in the order of the fields, as frictionless reads them."""
    in_order = operator.itemgetter(*fields)  # a tuple: every table has several fields
    return [fields, *(_cells(in_order(row.cells)) for row in rows)]


def _cells(values: tuple[Any, ...]) -> list[Any]:
    """The cells as frictionless reads them: a ratio as a float."""
    return [float(value) if isinstance(value, Decimal) else value for value in values]


def _problem_of(error: Error, name: str, rows: list[Row], fields: Fields) -> Problem | None:
    """A frictionless error in a table -> a problem, or None when it would say again what our
    own checks say."""
    row_number = getattr(error, "row_number", None)
    if row_number is None:
        return Problem(
            f"schema/{name}.json", None, "", "invalid", error.type, {"detail": error.message}
        )
    if error.type in CHECKED_OURSELVES:
        return None
    return _map_error(rows[row_number - 2], error, fields)  # row 1 is the header


def _map_error(row: Row, error: Error, fields: Fields) -> Problem | None:
    """A frictionless error on a row cell -> a problem at the file, line and key it came from.

    None for a cell the row derives from elsewhere (a policy's name looked up, the ratio
    computed): its source is checked where it is written, and blaming this file would mislead.
    """
    name = getattr(error, "field_name", None)
    if name not in row.keys:
        return None
    path = row.keys[name]
    value = get(row.record.data, path)
    record = row.record
    if error.type == "type-error":
        kind = fields[name]["type"]
        code = {
            "integer": "not-amount" if "千円" in name else "not-whole-number",
            "number": "not-number",
        }.get(kind, "not-text")
        return problem(record, path, code, error.type, value=quote(value))
    if error.type == "constraint-error":
        match = re.search(r'constraint "(\w+)" is "(.*)"', getattr(error, "note", ""))
        constraint, limit = (match.group(1), match.group(2)) if match else ("", "")
        if constraint == "required":
            return problem(record, path, "required", error.type)
        if constraint == "pattern":
            code = "bad-id" if fields[name]["name"].endswith("ID") else "bad-pattern"
            return problem(record, path, code, error.type, value=quote(value), pattern=limit)
        code = {"minimum": "too-small", "maximum": "too-large", "maxLength": "too-long"}.get(
            constraint
        )
        if code:
            return problem(record, path, code, error.type, value=quote(value), limit=limit)
    return problem(record, path, "invalid", error.type, detail=error.message)
