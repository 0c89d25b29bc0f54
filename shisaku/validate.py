"""Raw records -> rows -> frictionless + our own checks -> problems (file:line: key: message).

frictionless checks every published cell against the Table Schema in schema/ (types,
required, ranges, patterns, keys). What it cannot see is checked here: the YAML itself
(unknown and repeated keys, YAML 1.1 booleans and dates, missing translations), the
fiscal-year folder against the costs, and text that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import datetime
import difflib
import operator
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import model
from .load import Loaded, Record, Yaml11
from .markup import render_markdown
from .problems import Language, Localized, Problem, character, quote
from .rows import (
    TABLES,
    Path_,
    Row,
    Validated,
    division_rows,
    get,
    key_text,
    line_of,
    load_schema,
    policy_rows,
    project_rows,
)

if TYPE_CHECKING:
    from frictionless import Error

FORMULA_START = re.compile(r"^[=+\-@\x00-\x1f\x7f]")


# -- The shape of each kind of file ------------------------------------------------------------
# TEXT: {ja: ..., en: ...} in every site language. CELL: a value that goes into a published cell,
# whose type and constraints frictionless checks against the schema. The rest are checked here.
class TEXT: ...


class CELL: ...


class INT: ...


class COSTS: ...


@dataclass(frozen=True)
class STR:
    pattern: str | None = None
    form: tuple[str, str] | None = None  # the pattern in words (en, ja), for people to read


@dataclass(frozen=True)
class LIST:
    item: Any


TEXT_LIST = "text-list"  # {ja: [..], en: [..]}

# A web address the catalogue can carry: an IRI has no spaces and none of <>"{}|\^`.
URL = STR(
    r'^https?://[^\s<>"{}|\\^`]+$',
    (
        'a web address such as https://example.org/ (no spaces, none of <>"{}|\\^`)',
        'https://example.org/ のようなWebアドレス（空白や <>"{}|\\^` を含まないもの）',
    ),
)

SHAPES: dict[str, dict[str, Any]] = {
    "site": {
        "city": {"name": TEXT, "prefecture": TEXT, "code": STR(r"^[0-9]{6}$")},
        "title": TEXT,
        "description": TEXT,
        "publisher": {"name": TEXT, "url": URL},
        "license": {"id": STR(), "name": TEXT, "url": URL, "note": TEXT},
        "base_url": STR(
            r'^https?://[^/\s<>"{}|\\^`?#]+$',
            (
                "a site address such as https://example.org (no path, no slash at the end)",
                "https://example.org のようなサイトのアドレス（パスや末尾のスラッシュなし）",
            ),
        ),
        "base_path": STR(
            r'^/((?!\.\.?/)[^/\s<>"{}|\\^`?#]+/)*$',
            (
                'a path such as /shisaku-hokoku/ (no spaces, none of <>"{}|\\^`?#, '
                "no . or .. folder)",
                '/shisaku-hokoku/ のようなパス（空白や <>"{}|\\^`?# を含まず、. や .. のフォルダもないもの）',
            ),
        ),
        "languages": LIST(STR(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")),
        "keywords": TEXT_LIST,
        "version": STR(r"^[0-9]+\.[0-9]+\.[0-9]+$"),
        "updated": STR(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    },
    "division": {"id": CELL, "name": TEXT},
    "report": {"title": TEXT},
    "policy": {
        "id": CELL,
        "order": INT,
        "name": TEXT,
        "approach": TEXT,
        "basic_projects": LIST({"id": CELL, "name": TEXT, "directions": LIST(TEXT)}),
    },
    "project": {
        "id": CELL,
        "order": INT,
        "policy": CELL,
        "basic_project": CELL,
        "division": CELL,
        "name": TEXT,
        "summary": TEXT,
        "cost": COSTS,
        "activities": TEXT,
    },
}

REQUIRED_LANGUAGES = ("ja", "en")  # the published table has Japanese and _英語 columns


def problem(record: Record, path: Path_, code: str, type_: str, **params: Any) -> Problem:
    return Problem(
        record.file, line_of(record.data, path), key_text(path, record.data), code, type_, params
    )


# -- Our own checks ------------------------------------------------------------------------------
def describe(value: Any) -> Localized:
    """What kind of YAML value this is, for messages."""
    if value is None:
        return Localized(en="nothing (an empty value)", ja="空")
    if isinstance(value, list):
        return Localized(en="a list", ja="リスト")
    if isinstance(value, dict):
        return Localized(en="a mapping", ja="対応づけ")
    return Localized(en=f"the value {quote(value)}", ja=f"値 {quote(value)}")


def scalar_problems(record: Record, path: Path_, value: Any) -> list[Problem]:
    """YAML 1.1 would turn yes/no/on/off into booleans and 2024-04-01 into a date: say so."""
    if not isinstance(value, Yaml11):
        return []
    if value.read_as == "date":
        return [problem(record, path, "yaml-date", "yaml-1.1", value=quote(value.written))]
    if value.read_as == "number":
        return [
            problem(
                record,
                path,
                "yaml-number",
                "yaml-1.1",
                value=quote(value.written),
                read_as=value.value,
            )
        ]
    read_as = "true" if value.written.lower() in ("yes", "y", "on", "true") else "false"
    return [
        problem(
            record, path, "yaml-boolean", "yaml-1.1", value=quote(value.written), read_as=read_as
        )
    ]


def check_languages(
    record: Record, path: Path_, value: Any, languages: list[str], check_one: Any
) -> list[Problem]:
    """A mapping with one entry per site language, each checked by check_one."""
    if not isinstance(value, dict):
        return [problem(record, path, "not-a-mapping", "type-error", found=describe(value))]
    found = check_keys(record, path, value, languages)
    for lang in languages:
        if value.get(lang) in (None, "", []):
            found.append(
                problem(
                    record,
                    (*path, lang),
                    "missing-translation",
                    "missing-translation",
                    language=Language(lang),
                )
            )
        else:
            found += check_one(record, (*path, lang), value[lang])
    return found


def check_text(record: Record, path: Path_, text: Any) -> list[Problem]:
    """One published text: a string that a spreadsheet will not run as a formula."""
    if not isinstance(text, str):
        return scalar_problems(record, path, text) or [
            problem(record, path, "not-text", "type-error", value=quote(text))
        ]
    if FORMULA_START.match(text):
        return [problem(record, path, "formula-text", "formula-injection", char=character(text[0]))]
    return []


def check_words(record: Record, path: Path_, items: Any) -> list[Problem]:
    """A list of words, such as keywords."""
    if not isinstance(items, list):
        return [problem(record, path, "not-a-list", "type-error", found=describe(items))]
    return [
        p for i, item in enumerate(items) for p in check_shape(record, (*path, i), item, STR(), [])
    ]


def check_keys(
    record: Record, path: Path_, value: dict[Any, Any], expected: list[Any]
) -> list[Problem]:
    """Unknown keys, and keys written twice in one mapping."""
    found = []
    for key in value:
        if key not in expected:
            close = suggest(key, expected)
            suggestion = Localized(
                en=f" (did you mean {close[0]}?)" if close else "",
                ja=f"（{close[0]} の間違いですか？）" if close else "",
            )
            found.append(
                problem(
                    record,
                    (*path, key),
                    "unknown-key",
                    "unknown-key",
                    key_name=quote(str(key)) if key is not None else "null",
                    suggestion=suggestion,
                    meant=close[0] if close else "",
                    expected=", ".join(map(str, expected)),
                )
            )
    for key, line, first in getattr(value, "duplicates", []):
        found.append(
            Problem(
                record.file,
                line,
                key_text((*path, key), record.data),
                "duplicate-key",
                "duplicate-key",
                {"key_name": quote(str(key)), "first": first},
            )
        )
    return found


def suggest(key: Any, expected: list[Any]) -> list[str]:
    """The expected key a typo most likely meant, if any."""
    return difflib.get_close_matches(str(key), [str(e) for e in expected], n=1)


def check_shape(
    record: Record, path: Path_, value: Any, shape: Any, languages: list[str]
) -> list[Problem]:
    """Walk a value along its expected shape; return what does not fit."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [problem(record, path, "not-a-mapping", "type-error", found=describe(value))]
        found = check_keys(record, path, value, list(shape))
        misspelt = {
            close for key in value if key not in shape for close in suggest(key, list(shape))
        }
        for key, inner in shape.items():
            if key in misspelt:
                continue  # the unknown-key line already says "did you mean ...?"
            if key not in value:
                found.append(problem(record, (*path, key), "missing-key", "missing-key"))
            else:
                found += check_shape(record, (*path, key), value[key], inner, languages)
        return found
    if isinstance(shape, LIST):
        if not isinstance(value, list) or not value:
            return [problem(record, path, "not-a-list", "type-error", found=describe(value))]
        return [
            p
            for i, item in enumerate(value)
            for p in check_shape(record, (*path, i), item, shape.item, languages)
        ]
    if shape is TEXT:
        return check_languages(record, path, value, languages, check_text)
    if shape == TEXT_LIST:
        return check_languages(record, path, value, languages, check_words)
    if shape is COSTS:
        if not isinstance(value, dict):
            return [problem(record, path, "not-a-mapping", "type-error", found=describe(value))]
        return check_keys(record, path, value, list(value)) + [
            p for key, cost in value.items() for p in check_amount(record, (*path, key), cost)
        ]
    found = scalar_problems(record, path, value)
    if found:
        return found
    if shape is CELL:
        return check_id_spaces(record, path, value)
    if shape is INT and (not isinstance(value, int) or isinstance(value, bool)):
        return [problem(record, path, "not-whole-number", "type-error", value=quote(value))]
    if isinstance(shape, STR):
        if not isinstance(value, str):
            return [problem(record, path, "not-text", "type-error", value=quote(value))]
        if shape.pattern and not re.match(shape.pattern, value) and shape.form:
            form = Localized(en=shape.form[0], ja=shape.form[1])
            return [
                problem(record, path, "bad-form", "constraint-error", value=quote(value), form=form)
            ]
        if shape.pattern and not re.match(shape.pattern, value):
            return [
                problem(
                    record,
                    path,
                    "bad-pattern",
                    "constraint-error",
                    value=quote(value),
                    pattern=shape.pattern,
                )
            ]
    return []


def check_amount(record: Record, path: Path_, cost: Any) -> list[Problem]:
    """A cost is a whole number or null. frictionless would read "2001" or "２００１" in quotes
    as a number, but publish the text as written and leave the change (増減額) empty; and YAML
    reads 2001.0 as a float, which the CSV would show with its ".0"."""
    if cost is None or (isinstance(cost, int) and not isinstance(cost, bool)):
        return []
    if isinstance(cost, Yaml11) and cost.read_as == "number":
        return scalar_problems(record, path, cost)
    if isinstance(cost, str):
        digits = unicodedata.normalize("NFKC", cost.strip())
        if re.fullmatch(r"[0-9]+", digits):
            code = "quoted-number" if digits == cost.strip() else "full-width-digits"
            fixed = str(int(digits))
            return [problem(record, path, code, "type-error", value=quote(cost), fixed=fixed)]
    shown = quote(cost.written) if isinstance(cost, Yaml11) else quote(cost)
    return [problem(record, path, "not-amount", "type-error", value=shown)]


def check_id_spaces(record: Record, path: Path_, value: Any) -> list[Problem]:
    """An id or a reference with a space around it, which YAML keeps when it is not an ASCII
    space: a full-width space (U+3000) or a no-break space pasted from Word. It looks like the
    id; the pattern or the reference check would say it is wrong without saying why."""
    if not isinstance(value, str) or value == value.strip():
        return []
    at_start = value[0].isspace()
    char = value[0] if at_start else value[-1]
    where = Localized(en="start", ja="先頭") if at_start else Localized(en="end", ja="末尾")
    return [
        problem(
            record,
            path,
            "space-around-id",
            "constraint-error",
            value=quote(value),
            char=character(char),
            where=where,
        )
    ]


def check_site(record: Record) -> list[Problem]:
    """Checks of site.yaml beyond its shape: the code's check digit and the languages."""
    found = []
    code = get(record.data, ("city", "code"))
    if isinstance(code, str) and re.match(r"^[0-9]{6}$", code) and code[5] != check_digit(code[:5]):
        right = f"{code[:5]}{check_digit(code[:5])}"
        found.append(
            invalid(
                record,
                ("city", "code"),
                en=f"{quote(code)} has the wrong check digit; the code is {right}",
                ja=f"{quote(code)} の検査数字が違います。正しくは {right} です",
            )
        )
    found += check_updated(record)
    languages = get(record.data, ("languages",))
    repeated = (
        [lang for i, lang in enumerate(languages or []) if lang in languages[:i]]
        if isinstance(languages, list)
        else []
    )
    if repeated:
        # Each language is a folder of pages: twice would write every page twice.
        found.append(
            invalid(
                record,
                ("languages",),
                en=f"languages lists {quote(repeated[0])} twice",
                ja=f"languages に {quote(repeated[0])} が2回あります",
            )
        )
    if isinstance(languages, list) and not all(lang in languages for lang in REQUIRED_LANGUAGES):
        found.append(
            invalid(
                record,
                ("languages",),
                en="languages must include ja and en (the published table has both)",
                ja="languages には ja と en が必要です（公開する表に両方の列があるため）",
            )
        )
    return found


def invalid(record: Record, path: Path_, en: str, ja: str) -> Problem:
    """A value of the right type that breaks a rule, said in both languages."""
    return problem(record, path, "invalid", "constraint-error", detail=Localized(en=en, ja=ja))


def check_updated(record: Record) -> list[Problem]:
    """`updated` has the form YYYY-MM-DD (the shape checks that) and is a day of the calendar."""
    updated = get(record.data, ("updated",))
    if not isinstance(updated, str) or not re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", updated):
        return []
    try:
        datetime.date.fromisoformat(updated)
    except ValueError:
        return [
            invalid(
                record,
                ("updated",),
                en=f"{quote(updated)} is not a date",
                ja=f"{quote(updated)} は日付ではありません",
            )
        ]
    return []


def check_digit(code5: str) -> str:
    """The check digit of a 5-digit 全国地方公共団体コード (weights 6..2, modulus 11)."""
    total = sum(int(d) * w for d, w in zip(code5, range(6, 1, -1), strict=True))
    return str((11 - total % 11) % 10)


def check_costs(record: Record) -> list[Problem]:
    """The fiscal-year folder says which two years the costs must be for."""
    costs = get(record.data, ("cost",))
    if not isinstance(costs, dict) or record.fiscal_year is None:
        return []
    year = record.fiscal_year
    split = split_amounts(record, costs)
    if split:
        return split
    found_years = sorted((_year_key(k) for k in costs), key=str, reverse=True)
    if set(found_years) == {year, year - 1}:
        return []
    return [
        problem(
            record,
            ("cost",),
            "fiscal-year-mismatch",
            "fiscal-year-mismatch",
            fiscal_year=year,
            expected=f"{year}, {year - 1}",
            found=", ".join(map(str, found_years)) or "-",
        )
    ]


def split_amounts(record: Record, costs: dict[Any, Any]) -> list[Problem]:
    """`{2023: 6,504}` reads as 2023: 6 and a key 504: a comma the author meant as a separator."""
    found = []
    keys = list(costs)
    for before, after in pairwise(keys):
        head = costs[before]
        if (
            isinstance(after, int)
            and 0 <= after < 1000
            and costs[after] is None
            and isinstance(head, int)
        ):
            written = f"{head},{after:03d}"
            found.append(
                problem(
                    record,
                    ("cost", before),
                    "comma-in-amount",
                    "type-error",
                    value=quote(written),
                    fixed=written.replace(",", ""),
                )
            )
    return found


def _year_key(key: Any) -> Any:
    return int(key) if isinstance(key, str) and key.isdigit() else key


def site_languages(records: list[Record]) -> list[str]:
    site = next((r for r in records if r.kind == "site"), None)
    languages = get(site.data, ("languages",)) if site else None
    if isinstance(languages, list) and languages and all(isinstance(x, str) for x in languages):
        return list(dict.fromkeys(languages + list(REQUIRED_LANGUAGES)))
    return list(REQUIRED_LANGUAGES)


def check_duplicates(records: list[Record]) -> list[Problem]:
    """An id names one division, one policy and one project per year, one basic project per policy."""
    found = []
    # Where each id is first used, written out only for an id used again: file:line for
    # every id of 10,000 files took a third of this check
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


def check_pages(pages: list[Record], languages: list[str]) -> list[Problem]:
    """Every Markdown page has a title, and a version in every site language.

    A page that could not be read (its problem is reported) still counts as that language's
    version: one mistake, one line.
    """
    found = []
    by_slug: dict[str, dict[str, Record]] = {}
    for page in pages:
        by_slug.setdefault(page.data["slug"], {})[page.data["lang"]] = page
        text = page.data["text"]
        if text is None:
            continue
        if not model.page_title(text):
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


# Python-Markdown parses a nested list by recursion, one level per 4 columns of indentation
# or per list marker ("- - - x" nests three lists), and runs out of stack at a few hundred
# levels. A page needs a few; this many is a paste gone wrong. Checked on the text, so the
# limit does not depend on how deep in the stack a page happens to be rendered.
MAX_PAGE_DEPTH = 20
LINE_START = re.compile(r"^(?:[ \t>]|[-*+][ \t]|[0-9]{1,9}[.)][ \t])*", re.M)
LIST_MARKER = re.compile(r"[-*+][ \t]|[0-9]{1,9}[.)][ \t]")


def check_markdown(page: Record) -> list[Problem]:
    """A page nested deeper than Markdown can render: a problem at the first line too deep."""
    text = page.data["text"]
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


def own_problems(records: list[Record], unread: list[Record] | None = None) -> list[Problem]:
    """Every check of ours."""
    unread = unread or []
    languages = site_languages(records)
    found = []
    for record in records:
        if record.kind == "page":
            continue
        found += check_shape(record, (), record.data, SHAPES[record.kind], languages)
        if record.kind == "site":
            found += check_site(record)
        if record.kind == "project":
            found += check_costs(record)
    found += check_duplicates(records)
    found += check_references(records, unread)
    pages = [r for r in records + unread if r.kind == "page"]
    found += check_pages(pages, languages)
    return found


# -- frictionless ---------------------------------------------------------------------------------
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


# -- Putting it together ------------------------------------------------------------------------
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


def validate(loaded: Loaded) -> tuple[Validated | None, list[Problem]]:
    """All problems at once, or the validated records and their published rows."""
    records = list(loaded.records)
    own = own_problems(records, loaded.unread)
    site = next((r for r in records if r.kind == "site" and isinstance(r.data, dict)), None)
    tables = {
        "projects": project_rows(records, site),
        "policies": policy_rows(records),
        "divisions": division_rows(records),
    }
    problems = loaded.problems + merge(own, frictionless_problems(tables))
    if problems:
        return None, sort_problems(problems)
    return Validated(
        records, {name: [row.cells for row in rows] for name, rows in tables.items()}
    ), []


def sort_problems(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file, p.line or 0))
