"""What the fiscal years say of each other: the same id in several year folders is the same
project over the years.

- A report's 前年度 figure (cost[Y-1] in the FY Y file) is last year's report's 事業費 for the
  same project, unless the file explains the restatement in previous_cost_note (an error).
- merged_into names a project of the next fiscal year (an error).
- A project that changes policy or basic project between consecutive years, and one that is
  gone from the next year's report with neither end_note nor merged_into (warnings: both
  happen, but are more often a mistake than a decision).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .load import Record
from .problems import Problem, quote
from .rows import Path_, cost_path, get, line_of
from .shapes import problem

ByYear = dict[int, dict[str, Record]]  # fiscal year -> project id -> its file


def check_history(records: list[Record], unread: list[Record]) -> list[Problem]:
    """The problems and warnings (severity "warning") between the years' project files."""
    years = {r.fiscal_year for r in records + unread if r.fiscal_year is not None}
    by_year: ByYear = {}
    for record in records:
        project_id = get(record.data, ("id",))
        if record.kind == "project" and isinstance(project_id, str):
            by_year.setdefault(record.fiscal_year, {}).setdefault(project_id, record)
    # A year with a file that could not be read may hold any project: nothing is said of
    # what is missing from it (that file's own problem is the one to report).
    unsure = {r.fiscal_year for r in unread if r.kind == "project"}
    found = []
    for year in sorted(by_year):
        last_year, next_year = by_year.get(year - 1, {}), by_year.get(year + 1, {})
        for project_id, record in by_year[year].items():
            before = last_year.get(project_id)
            if before is not None:
                found += previous_cost(record, before) + moved(record, before)
            if year + 1 in years and year + 1 not in unsure:
                found += ended(record, project_id in next_year, next_year)
    return found


def _amount(record: Record, year: int) -> tuple[Path_, int | None]:
    path = cost_path(record, year)
    value = get(record.data, path)
    return path, value if isinstance(value, int) and not isinstance(value, bool) else None


def previous_cost(record: Record, before: Record) -> list[Problem]:
    """This report's 前年度 figure against last year's report's own 事業費."""
    year = before.fiscal_year
    assert year is not None
    path, restated = _amount(record, year)
    their_path, reported = _amount(before, year)
    if restated is None or reported is None or restated == reported:
        return []
    if get(record.data, ("previous_cost_note",)) is not None:
        return []  # a restatement, explained (its shape is checked by shapes.py)
    return [
        problem(
            record,
            path,
            "previous-cost-mismatch",
            "previous-cost-mismatch",
            value=f"{restated:,}",
            other_value=f"{reported:,}",
            other=f"{before.file}:{line_of(before.data, their_path)}",
            other_year=year,
        )
    ]


def moved(record: Record, before: Record) -> list[Problem]:
    """A warning where the project's policy, or else its basic project, is not last year's."""
    for key in ("policy", "basic_project"):
        now, then = get(record.data, (key,)), get(before.data, (key,))
        if isinstance(now, str) and isinstance(then, str) and now != then:
            return [
                _warning(
                    problem(
                        record,
                        (key,),
                        "project-moved",
                        "project-moved",
                        value=quote(now),
                        year=record.fiscal_year,
                        other_value=quote(then),
                        other=f"{before.file}:{line_of(before.data, (key,))}",
                        other_year=before.fiscal_year,
                    )
                )
            ]
    return []


def ended(record: Record, goes_on: bool, next_year: dict[str, Any]) -> list[Problem]:
    """merged_into names a project of the next year; a project that is not in the next
    year's report says why (a warning)."""
    year = record.fiscal_year
    assert year is not None
    merged_into = get(record.data, ("merged_into",))
    if isinstance(merged_into, str) and merged_into not in next_year:
        return [
            problem(
                record,
                ("merged_into",),
                "unknown-merged-into",
                "foreign-key",
                value=quote(merged_into),
                next_year=year + 1,
            )
        ]
    if goes_on or merged_into is not None or get(record.data, ("end_note",)) is not None:
        return []
    return [
        _warning(
            problem(
                record, ("id",), "project-ended", "project-ended", year=year, next_year=year + 1
            )
        )
    ]


def _warning(found: Problem) -> Problem:
    return replace(found, severity="warning")
