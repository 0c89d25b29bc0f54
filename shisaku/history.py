"""What the fiscal years say of each other: the same id in several year folders is the same
project over the years.

- A report's 前年度 figure (cost[Y-1] in the FY Y file) is last year's report's 事業費 for the
  same project, unless the file explains the restatement in previous_cost_note (an error).
- merged_into names a project of the next fiscal year (an error).
- end_note and merged_into say the project is not in the next year's report: a project that
  is there after all contradicts them (an error), and so does an id that comes back after the
  year its project ended (ids are never reused: a new project needs a new id).
- previous_cost_note explains a 前年度 figure that differs from last year's report: where the
  two agree, it would tell readers of a restatement that is not there (an error).
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
    ends: dict[str, Record] = {}  # each id's file that says its project ended, so far
    for year in sorted(by_year):
        last_year, next_year = by_year.get(year - 1, {}), by_year.get(year + 1, {})
        for project_id, record in by_year[year].items():
            before = last_year.get(project_id)
            if before is not None:
                found += previous_cost(record, before) + moved(record, before)
            elif project_id in ends:
                found.append(reused(record, ends[project_id]))
            if year + 1 in years and year + 1 not in unsure:
                found += ended(record, project_id in next_year, next_year)
            elif year + 1 not in years:
                found += merged_ahead(record, by_year[year])
            if says_it_ends(record):
                ends[project_id] = record
    return found


def merged_ahead(record: Record, this_year: dict[str, Any]) -> list[Problem]:
    """In the newest report, merged_into names a project of the same report: the next
    report, which will have it, is not written yet."""
    merged_into = get(record.data, ("merged_into",))
    if not isinstance(merged_into, str) or (
        merged_into in this_year and merged_into != get(record.data, ("id",))
    ):
        return []
    return [
        problem(
            record,
            ("merged_into",),
            "unknown-merged-into-now",
            "foreign-key",
            value=quote(merged_into),
            year=record.fiscal_year,
        )
    ]


def ending_key(record: Record) -> str | None:
    """The key that says the project ends after this year: merged_into, else end_note."""
    return next(
        (k for k in ("merged_into", "end_note") if get(record.data, (k,)) is not None), None
    )


def says_it_ends(record: Record) -> bool:
    return ending_key(record) is not None


def reused(record: Record, ending: Record) -> Problem:
    """An id back in a report after the year its project ended."""
    key = ending_key(ending)
    assert key is not None
    return problem(
        record,
        ("id",),
        "reused-id",
        "unique-error",
        value=quote(get(record.data, ("id",))),
        other=f"{ending.file}:{line_of(ending.data, (key,))}",
        other_year=ending.fiscal_year,
    )


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
    if restated is None or reported is None:
        return []
    noted = get(record.data, ("previous_cost_note",)) is not None
    if restated == reported:
        if not noted:
            return []
        return [
            problem(
                record,
                ("previous_cost_note",),
                "note-without-restatement",
                "constraint-error",
                value=f"{restated:,}",
                other=f"{before.file}:{line_of(before.data, _amount(before, year)[0])}",
            )
        ]
    if noted:
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
    key = ending_key(record)
    if goes_on and key:
        return [problem(record, (key,), "ends-but-goes-on", "constraint-error", next_year=year + 1)]
    if goes_on or key:
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
