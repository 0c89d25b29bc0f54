"""Raw records -> rows -> our own checks + frictionless -> problems (file:line: key: message).

The checks, in the order they run: shapes.py (each file on its own), references.py (what
files say about each other), tabular.py (the published rows against schema/, by frictionless),
history.py (what the fiscal years say of each other; some of it warnings).
Here they are put together, each mistake said once.
"""

from __future__ import annotations

from dataclasses import replace

from .history import check_history
from .load import Loaded, Record
from .problems import Problem, Warnings
from .references import check_duplicates, check_pages, check_references
from .rows import Validated, division_rows, policy_rows, project_rows
from .shapes import check_file, site_languages, site_warnings
from .tabular import frictionless_problems


def validate(
    loaded: Loaded, tables_later: bool = False, warnings: Warnings | None = None
) -> tuple[Validated | None, list[Problem]]:
    """All problems at once, or the validated records and their published rows.

    tables_later: when our own checks find nothing, frictionless's check of the rows is left
    to the caller (table_problems), which the build runs in a worker beside the pages; where
    ours find something, frictionless's problems are said with them, all at once, as always.
    warnings: where the warnings go (none are returned as problems), or, strict, the
    warnings made problems; without it they are not said.
    """
    records = list(loaded.records)
    own = own_problems(records, loaded.unread)
    # Across the years, after frictionless's merge: a restated figure is its own mistake,
    # not one that hides a constraint the same value breaks.
    history, warned = split_warnings(
        check_history(records, loaded.unread) + site_warnings(records), warnings
    )
    site = next((r for r in records if r.kind == "site" and isinstance(r.data, dict)), None)
    tables = {
        "projects": project_rows(records, site),
        "policies": policy_rows(records),
        "divisions": division_rows(records),
    }
    problems = loaded.problems + own + history
    if problems or not tables_later:
        problems = loaded.problems + merge(own, frictionless_problems(tables)) + history
    if warnings is not None:
        warnings.found += sort_problems(warned)
    if problems:
        return None, sort_problems(problems)
    return Validated(
        records,
        {name: [row.cells for row in rows] for name, rows in tables.items()},
        tables if tables_later else None,
    ), []


def table_problems(validated: Validated) -> list[Problem]:
    """frictionless's check of rows that validate(tables_later=True) passed: [] or its
    problems, each said once, by file and line."""
    assert validated.rows is not None, "validate() has already checked these rows"
    return sort_problems(merge([], frictionless_problems(validated.rows)))


def own_problems(records: list[Record], unread: list[Record] | None = None) -> list[Problem]:
    """Every check of ours: each file on its own, then what files say about each other."""
    unread = unread or []
    languages = site_languages(records)
    found = [
        p for r in records if r.kind not in ("page", "image") for p in check_file(r, languages)
    ]
    found += check_duplicates(records)
    found += check_references(records, unread)
    found += check_pages([r for r in records + unread if r.kind == "page"], languages)
    return found


def split_warnings(
    found: list[Problem], warnings: Warnings | None
) -> tuple[list[Problem], list[Problem]]:
    """The problems, and the warnings apart; with strict warnings, every one a problem."""
    if warnings is not None and warnings.strict:
        return [replace(p, severity="error") if p.is_warning else p for p in found], []
    return [p for p in found if not p.is_warning], [p for p in found if p.is_warning]


# The order in which frictionless's problems are taken (any other type: 1), so that where one
# key has several, its type error is said and not the constraints the same value breaks.
RANK = {"type-error": 2, "constraint-error": 3}


def merge(own: list[Problem], found: list[Problem]) -> list[Problem]:
    """Our own problems, then frictionless's where they say something new about a key.

    The same mistake often shows in both (a missing English name is our missing-translation
    and frictionless's required constraint); people should read it once.
    """
    result = list(own)
    for item in sorted(found, key=lambda p: RANK.get(p.type, 1)):
        if not any(_covers(seen, item) for seen in result):
            result.append(item)
    return result


def key_text_prefix(key: str, meant: str) -> str:
    """The key path the author meant: basic_projects[0].nmae -> basic_projects[0].name"""
    head, _, _ = key.rpartition(".")
    return f"{head}.{meant}" if head else meant


def _covers(seen: Problem, item: Problem) -> bool:
    """Whether seen, already said, says what item would say."""
    if seen.file != item.file:
        return False
    meant = seen.params.get("meant") if seen.code == "unknown-key" else None
    if meant and item.key.startswith(key_text_prefix(seen.key, meant)):
        return True  # a misspelt key: its values are "missing" under the right name
    if seen.type == item.type and item.type in ("foreign-key", "unique-error", "primary-key"):
        return True
    if item.type == "primary-key" and seen.type == "unique-error":
        return True
    return (
        not seen.key
        or item.key == seen.key
        or item.key.startswith((seen.key + ".", seen.key + "["))
    )


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Each problem once, by file and line."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file, p.line or 0))
