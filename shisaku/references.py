"""What files say about each other: an id used once, references to a policy, basic project or
division that exists, and a Markdown page with a title and a version in every site language.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .load import Record
from .markup import page_title, render_markdown
from .problems import Language, Localized, Problem, quote
from .rows import Path_, get, line_of
from .shapes import problem, reserved_on_windows


def check_duplicates(records: list[Record]) -> list[Problem]:
    """An id names one division, one policy and one project per year, one basic project per policy."""
    found = []
    # Where each id is first used: its file:line is written out only for an id used again
    seen: dict[tuple[Any, ...], tuple[Record, Path_]] = {}

    def claim(record: Record, path: Path_, scope: tuple[Any, ...]) -> bool:
        """Record where an id is first used; report it when it is used again."""
        value = get(record.data, path)
        if not isinstance(value, str):
            return True
        if (*scope, value) in seen:
            first, first_path = seen[(*scope, value)]
            where = f"{first.file}:{line_of(first.data, first_path)}"
            found.append(
                problem(
                    record, path, "duplicate-id", "unique-error", value=quote(value), other=where
                )
            )
            return False
        seen[(*scope, value)] = (record, path)
        return True

    for record in records:
        if record.kind not in ("division", "policy", "project"):
            continue
        year = None if record.kind == "division" else record.fiscal_year
        policy_id = get(record.data, ("id",))
        if (
            claim(record, ("id",), (record.kind, year))
            and record.kind == "policy"
            and isinstance(policy_id, str)
        ):
            # A copied policy file is one mistake: its basic projects are not reported again.
            basic_projects = get(record.data, ("basic_projects",))
            for i in range(len(basic_projects) if isinstance(basic_projects, list) else 0):
                claim(record, ("basic_projects", i, "id"), ("basic_project", year, policy_id))
    return found


def check_references(records: list[Record], unread: list[Record]) -> list[Problem]:
    """Each project names a policy, a basic project of that policy, and a division that exist.

    A reference is called unknown only when every file that could define it was read and has
    a plain id: a policy file with a YAML error may well define "kurashi", and its error is
    the one mistake to report, not every project that names it.
    """
    found = []
    divisions = Known([r for r in records + unread if r.kind == "division"])
    policy_files: dict[Any, list[Record]] = {}
    for r in records + unread:
        if r.kind == "policy":
            policy_files.setdefault(r.fiscal_year, []).append(r)
    policies_of_year = {year: Known(files) for year, files in policy_files.items()}
    no_policies = Known([])
    # The basic projects of each policy named, once: many projects name the same policy.
    basic_projects_of: dict[tuple[Any, str], Known] = {}
    for record in records:
        if record.kind != "project":
            continue
        policies = policies_of_year.get(record.fiscal_year, no_policies)
        policy_id = get(record.data, ("policy",))
        if _is_reference(policy_id) and policies.unknown(policy_id):
            found.append(
                _unknown(record, "policy", policies.ids, Localized(en="policy", ja="施策"))
            )
        elif _is_reference(policy_id) and policy_id in policies.ids:
            named = (record.fiscal_year, policy_id)
            if named not in basic_projects_of:
                policy = policies.ids[policy_id].data
                basic_projects_of[named] = Known(get(policy, ("basic_projects",)))
            basic_projects = basic_projects_of[named]
            basic_project = get(record.data, ("basic_project",))
            if _is_reference(basic_project) and basic_projects.unknown(basic_project):
                found.append(
                    _unknown(
                        record,
                        "basic_project",
                        basic_projects.ids,
                        Localized(
                            en=f"basic project of the policy {policy_id}",
                            ja=f"施策 {policy_id} の基本事業",
                        ),
                    )
                )
        division = get(record.data, ("division",))
        if _is_reference(division) and divisions.unknown(division):
            found.append(
                _unknown(record, "division", divisions.ids, Localized(en="division", ja="所管課"))
            )
    return found


def _is_reference(value: Any) -> bool:
    """A reference to check: text without a space around it (that is its own problem)."""
    return isinstance(value, str) and value == value.strip()


class Known:
    """The ids defined by some files (or list items), and whether that list is complete."""

    def __init__(self, items: Any) -> None:
        self.ids: dict[str, Any] = {}
        self.complete = isinstance(items, list)  # else the file's own problem says so
        for item in items if isinstance(items, list) else []:
            data = item.data if isinstance(item, Record) else item
            item_id = get(data, ("id",))
            if isinstance(item_id, str):
                self.ids.setdefault(item_id, item)
            else:
                self.complete = False  # unread, not a mapping, or an id that is not text

    def unknown(self, value: str) -> bool:
        return self.complete and value not in self.ids


# The folders the build makes in each language's folder (pages.py's URLs): a Markdown page
# of the same name would be written over them.
SITE_FOLDERS = ("data", "divisions", "policies", "projects", "reports", "search")


def check_pages(pages: list[Record], languages: list[str]) -> list[Problem]:
    """Every Markdown page has a title, and a version in every site language.

    A page that could not be read (its problem is reported) still counts as that language's
    version: one mistake, one line.
    """
    found = []
    by_slug: dict[str, dict[str, Record]] = {}
    for page in pages:
        by_slug.setdefault(page.data["slug"], {})[page.data["lang"]] = page
        if reserved_on_windows(page.data["slug"]):
            found.append(
                Problem(
                    page.file,
                    None,
                    "",
                    "reserved-name",
                    "constraint-error",
                    {"value": quote(page.data["slug"])},
                )
            )
        if page.data["slug"] in SITE_FOLDERS:
            found.append(
                Problem(
                    page.file,
                    None,
                    "",
                    "page-slug-taken",
                    "unique-error",
                    {"slug": page.data["slug"], "taken": ", ".join(SITE_FOLDERS)},
                )
            )
        text = page.data["text"]
        if text is None:
            continue
        if not page_title(text):
            found.append(Problem(page.file, 1, "", "page-title", "page-title"))
        else:
            found += check_markdown(page)
    for slug, versions in by_slug.items():
        first = next(iter(versions.values()))
        for lang in languages:
            if lang not in versions:
                expected = str(Path(first.file).with_name(f"{slug}.{lang}.md"))
                found.append(
                    Problem(
                        first.file,
                        None,
                        "",
                        "missing-page-translation",
                        "missing-translation",
                        {"language": Language(lang), "expected": expected},
                    )
                )
    return found


# A nested list, one level per 4 columns of indentation or per list marker ("- - - x" nests
# three lists), or a quote in a quote: a page needs a few; this many is a paste gone wrong.
# Checked on the text, so the limit does not depend on how the page happens to be rendered.
MAX_PAGE_DEPTH = 20
LINE_START = re.compile(r"^(?:[ \t>]|[-*+][ \t]|[0-9]{1,9}[.)][ \t])*", re.M)
LIST_MARKER = re.compile(r"[-*+][ \t]|[0-9]{1,9}[.)][ \t]")


# What a page may hold, so that every page renders in a second or so: a page of the site is
# a few KB (the report's own pages are under 10 KB); raw HTML, which the sanitizer parses
# in time that grows with the square of its nesting, a few dozen tags.
MAX_PAGE_CHARACTERS = 200_000
MAX_PAGE_TAGS = 1_000
# An HTML start or end tag (not an autolink such as <https://example.org>), a comment or
# a declaration.
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])|<[!?]")


def check_markdown(page: Record) -> list[Problem]:
    """A page too long, with too much raw HTML, or nested deeper than Markdown renders: a
    problem (at the first line too deep)."""
    text = page.data["text"]
    if len(text) > MAX_PAGE_CHARACTERS:
        return [
            Problem(
                page.file,
                None,
                "",
                "page-too-long",
                "constraint-error",
                {"count": f"{len(text):,}", "limit": f"{MAX_PAGE_CHARACTERS:,}"},
            )
        ]
    tags = len(HTML_TAG.findall(text))
    if tags > MAX_PAGE_TAGS:
        return [
            Problem(
                page.file,
                None,
                "",
                "page-too-much-html",
                "constraint-error",
                {"count": f"{tags:,}", "limit": f"{MAX_PAGE_TAGS:,}"},
            )
        ]
    for match in LINE_START.finditer(text):
        markers = len(LIST_MARKER.findall(match[0]))
        columns = len(LIST_MARKER.sub("", match[0]).replace(">", "").expandtabs(4))
        if markers + columns // 4 > MAX_PAGE_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            return [_too_deep(page, line)]
    try:
        render_markdown(text)  # what the build will do; anything else that recurses too far
    except RecursionError:
        return [_too_deep(page, None)]
    return []


def _too_deep(page: Record, line: int | None) -> Problem:
    return Problem(
        page.file, line, "", "page-too-deep", "constraint-error", {"limit": MAX_PAGE_DEPTH}
    )


def _unknown(record: Record, key: str, known: Any, what: Localized) -> Problem:
    names = ", ".join(sorted(str(k) for k in known if isinstance(k, str))) or "-"
    return problem(
        record,
        (key,),
        "unknown-reference",
        "foreign-key",
        value=quote(record.data[key]),
        what=what,
        known=names,
    )
