"""The shape of each kind of content file: its keys, their types, a text in every site language,
amounts of thousand yen, and the site's settings.

frictionless checks every published cell against schema/ (see tabular.py); what it cannot see
of one file is checked here: unknown and repeated keys, YAML 1.1 booleans and dates, missing
translations, text that a spreadsheet would run as a formula, a reading (name_kana) that is
not kana, the fiscal-year folder against the costs, and the city code's check digit.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from .load import Record, Yaml11
from .problems import Language, Localized, Problem, character, quote
from .rows import Path_, get, key_text, line_of

# The first characters that make a spreadsheet run a cell as a formula
FORMULA_START = re.compile(r"^[=+\-@\x00-\x1f\x7f]")
# What a reading is written in, after NFKC (which makes half-width katakana full-width): hiragana,
# katakana (with the small ㇰ-ㇿ), ー, ゝゞヽヾ
NOT_KANA = re.compile(r"[^\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe\u31f0-\u31ff]")


# -- The shape of each kind of file ------------------------------------------------------------
# TEXT: {ja: ..., en: ...} in every site language. CELL: a value that goes into a published cell,
# whose type and constraints frictionless checks against the schema. The rest are checked here.
class TEXT: ...


class CELL: ...


class INT: ...


class COSTS: ...


class KANA:
    """A name's reading (読み仮名), as 自治体標準 datasets give one beside a name: hiragana or
    katakana (half-width too), with ー and the iteration marks, and no spaces, so that the
    reading typed whole is found."""


@dataclass(frozen=True)
class STR:
    pattern: str | None = None
    form: tuple[str, str] | None = None  # the pattern in words (en, ja), for people to read


@dataclass(frozen=True)
class LIST:
    item: Any


@dataclass(frozen=True)
class OPTIONAL:
    """A key a file may leave out; when written, its value has this shape."""

    shape: Any


TEXT_LIST = "text-list"  # {ja: [..], en: [..]}

# A web address the catalogue can carry: an IRI has no spaces and none of <>"{}|\^`.
URL = STR(
    r'^https?://[^\s<>"{}|\\^`]+$',
    (
        'a web address such as https://example.org/ (no spaces, none of <>"{}|\\^`)',
        'https://example.org/ のようなWebアドレス（空白や <>"{}|\\^` を含まないもの）',
    ),
)

# A telephone number as Japanese offices print it: digits in groups, e.g. 042-470-7777.
PHONE = STR(
    r"^0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}$",
    (
        "a telephone number such as 042-470-7777 (half-width digits and hyphens)",
        "042-470-7777 のような電話番号（半角数字とハイフン）",
    ),
)
EMAIL = STR(
    r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$",
    ("an e-mail address such as name@example.org", "name@example.org のようなメールアドレス"),
)

SHAPES: dict[str, dict[str, Any]] = {
    "site": {
        "city": {
            "name": TEXT,
            "prefecture": TEXT,
            "code": STR(r"^[0-9]{6}$"),
            # the city's emblem (市章) in the header: an image file beside site.yaml
            "emblem": OPTIONAL(
                STR(
                    r"^[a-z0-9][a-z0-9_-]*\.(svg|png)$",
                    (
                        "the name of an SVG or PNG file beside site.yaml, such as emblem.svg",
                        "site.yaml と同じフォルダにある SVG か PNG のファイル名（例：emblem.svg）",
                    ),
                )
            ),
        },
        "title": TEXT,
        "description": TEXT,
        # contact: how a portal's users reach the publisher (the catalogue's dcat:contactPoint)
        "publisher": {
            "name": TEXT,
            "url": URL,
            "contact": OPTIONAL(
                {"email": OPTIONAL(EMAIL), "phone": OPTIONAL(PHONE), "url": OPTIONAL(URL)}
            ),
        },
        "license": {
            "id": STR(
                r"^[A-Za-z0-9][A-Za-z0-9.+-]*$",
                (
                    "an SPDX licence id such as CC-BY-4.0 (letters, digits, . + -)",
                    "CC-BY-4.0 のようなSPDXのライセンスID（英数字と . + -）",
                ),
            ),
            "name": TEXT,
            "url": URL,
            "note": TEXT,
        },
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
    # contact: how residents reach the division (shown on its page and its projects' pages)
    "division": {
        "id": CELL,
        "name": TEXT,
        "name_kana": OPTIONAL(KANA),
        "contact": OPTIONAL(
            {
                "phone": OPTIONAL(PHONE),
                "email": OPTIONAL(EMAIL),
                "url": OPTIONAL(URL),
                "address": OPTIONAL(TEXT),
            }
        ),
    },
    # source: the official publication (its PDF or page), linked from every page of the report
    "report": {"title": TEXT, "source": OPTIONAL({"url": URL, "title": OPTIONAL(TEXT)})},
    "policy": {
        "id": CELL,
        "order": INT,
        "name": TEXT,
        "name_kana": OPTIONAL(KANA),
        "approach": TEXT,
        "basic_projects": LIST({"id": CELL, "name": TEXT, "directions": LIST(TEXT)}),
        # the page of the report's PDF where the policy's table begins (a link opens it there)
        "source_page": OPTIONAL(INT),
    },
    "project": {
        "id": CELL,
        "order": INT,
        "policy": CELL,
        "basic_project": CELL,
        "division": CELL,
        "name": TEXT,
        "name_kana": OPTIONAL(KANA),
        "summary": TEXT,
        "cost": COSTS,
        "activities": TEXT,
        # The yearly cycle (history.py checks them against the other years' files):
        # why this report's 前年度 figure differs from last year's report (a restatement),
        "previous_cost_note": OPTIONAL(TEXT),
        # and, in a project's last year, why it ends, or the project it goes on as part of.
        "end_note": OPTIONAL(TEXT),
        "merged_into": OPTIONAL(
            STR(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                (
                    "a project's id (lowercase letters a-z, digits and single hyphens)",
                    "事務事業のID（英小文字a-z・数字・ハイフン）",
                ),
            )
        ),
    },
}

REQUIRED_LANGUAGES = ("ja", "en")  # the published table has Japanese and _英語 columns


def problem(record: Record, path: Path_, code: str, type_: str, **params: Any) -> Problem:
    """A problem at a key of a file: its line, and the key as people write it."""
    return Problem(
        record.file, line_of(record.data, path), key_text(path, record.data), code, type_, params
    )


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
    found = check_keys(record, path, value, languages, suggestions(value, languages))
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
    lead = formula_lead(text)
    if lead:
        return [problem(record, path, "formula-text", "formula-injection", char=character(lead))]
    return []


def formula_lead(text: str) -> str:
    """The character that would make a spreadsheet run the text as a formula, or "". Looked
    for after the spaces a spreadsheet may trim (ASCII, tab, no-break, ideographic) and in
    NFKC, so that a full-width ＝ or ＋ counts as = and +: LibreOffice with "trim spaces"
    runs " =1+1"."""
    start = len(text) - len(text.lstrip(" \t\u00a0\u3000"))
    if start < len(text) and FORMULA_START.match(unicodedata.normalize("NFKC", text[start])):
        return text[start]
    if FORMULA_START.match(text):
        return text[0]
    return ""


def check_words(record: Record, path: Path_, items: Any) -> list[Problem]:
    """A list of words, such as keywords."""
    if not isinstance(items, list):
        return [problem(record, path, "not-a-list", "type-error", found=describe(items))]
    return [
        p for i, item in enumerate(items) for p in check_shape(record, (*path, i), item, STR(), [])
    ]


# Unknown keys of one mapping given a "did you mean": past this many, the file is not a
# misspelt one but something pasted into the wrong place, and the guesses would take seconds.
SUGGESTED_KEYS = 100


def suggestions(value: dict[Any, Any], expected: list[Any]) -> dict[Any, list[str]]:
    """The close known keys of each unknown key of a mapping (its first SUGGESTED_KEYS)."""
    unknown = [key for key in value if key not in expected]
    return {key: suggest(key, expected) for key in unknown[:SUGGESTED_KEYS]}


def check_keys(
    record: Record,
    path: Path_,
    value: dict[Any, Any],
    expected: list[Any],
    guessed: dict[Any, list[str]],
) -> list[Problem]:
    """Unknown keys (guessed: their suggestions), and keys written twice in one mapping."""
    found = []
    for key in value:
        if key not in expected:
            close = guessed.get(key, [])
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
        return check_mapping(record, path, value, shape, languages)
    if isinstance(shape, LIST):
        return check_list(record, path, value, shape, languages)
    if shape is TEXT:
        return check_languages(record, path, value, languages, check_text)
    if shape == TEXT_LIST:
        return check_languages(record, path, value, languages, check_words)
    if shape is COSTS:
        return check_cost_years(record, path, value)
    return scalar_problems(record, path, value) or check_scalar(record, path, value, shape)


def check_mapping(
    record: Record, path: Path_, value: Any, shape: dict[str, Any], languages: list[str]
) -> list[Problem]:
    """A mapping with the keys of shape, each value of its own shape."""
    if not isinstance(value, dict):
        return [problem(record, path, "not-a-mapping", "type-error", found=describe(value))]
    guessed = suggestions(value, list(shape))
    found = check_keys(record, path, value, list(shape), guessed)
    misspelt = {close for found_close in guessed.values() for close in found_close}
    for key, inner in shape.items():
        if key in misspelt:
            continue  # the unknown-key line already says "did you mean ...?"
        optional = isinstance(inner, OPTIONAL)
        if key not in value and not optional:
            found.append(problem(record, (*path, key), "missing-key", "missing-key"))
        elif key in value:
            shape = inner.shape if optional else inner
            found += check_shape(record, (*path, key), value[key], shape, languages)
    return found


def check_list(
    record: Record, path: Path_, value: Any, shape: LIST, languages: list[str]
) -> list[Problem]:
    """A list that is not empty, each item of shape.item."""
    if not isinstance(value, list) or not value:
        return [problem(record, path, "not-a-list", "type-error", found=describe(value))]
    return [
        p
        for i, item in enumerate(value)
        for p in check_shape(record, (*path, i), item, shape.item, languages)
    ]


def check_cost_years(record: Record, path: Path_, value: Any) -> list[Problem]:
    """Costs by fiscal year: a mapping of amounts (which years: check_costs)."""
    if not isinstance(value, dict):
        return [problem(record, path, "not-a-mapping", "type-error", found=describe(value))]
    return check_keys(record, path, value, list(value), {}) + [
        p for key, cost in value.items() for p in check_amount(record, (*path, key), cost)
    ]


def check_scalar(record: Record, path: Path_, value: Any, shape: Any) -> list[Problem]:
    """A single value, that YAML 1.1 read as written: a cell, a whole number or a text."""
    if shape is CELL:
        if path and path[-1] == "id":
            return check_id_spaces(record, path, value) or check_reserved_name(record, path, value)
        return check_id_spaces(record, path, value)
    if shape is INT and (not isinstance(value, int) or isinstance(value, bool)):
        return [problem(record, path, "not-whole-number", "type-error", value=quote(value))]
    if isinstance(shape, STR):
        return check_string(record, path, value, shape)
    if shape is KANA:
        return check_kana(record, path, value)
    return []


def check_kana(record: Record, path: Path_, value: Any) -> list[Problem]:
    """A reading: kana only; the first character that is not is named."""
    if not isinstance(value, str):
        return [problem(record, path, "not-text", "type-error", value=quote(value))]
    other = NOT_KANA.search(unicodedata.normalize("NFKC", value))
    if value and other is None:
        return []
    found = Localized(en="", ja="")
    if other:
        char = character(other.group())
        found = Localized(en=f": it has {char['en']}", ja=f"。{char['ja']}が含まれています")
    return [problem(record, path, "not-kana", "constraint-error", value=quote(value), found=found)]


def check_string(record: Record, path: Path_, value: Any, shape: STR) -> list[Problem]:
    """A text, of shape.pattern when it has one; shape.form says that pattern in words."""
    if not isinstance(value, str):
        return [problem(record, path, "not-text", "type-error", value=quote(value))]
    # fullmatch: with re.match, "$" would also accept a newline at the end (a code "132225\n"
    # would reach the data files' names)
    if shape.pattern and not re.fullmatch(shape.pattern, value) and shape.form:
        form = Localized(en=shape.form[0], ja=shape.form[1])
        return [
            problem(record, path, "bad-form", "constraint-error", value=quote(value), form=form)
        ]
    if shape.pattern and not re.fullmatch(shape.pattern, value):
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
    if cost == "":  # what `new` writes until staff fill it in
        return [problem(record, path, "amount-to-fill", "type-error")]
    shown = quote(cost.written) if isinstance(cost, Yaml11) else quote(cost)
    return [problem(record, path, "not-amount", "type-error", value=shown)]


# Names Windows keeps for devices, in any case and with any extension: a folder named so
# (an id is its page's folder) cannot be made or copied there.
WINDOWS_RESERVED = re.compile(r"(?i)(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?")


def reserved_on_windows(name: str) -> bool:
    return WINDOWS_RESERVED.fullmatch(name) is not None


def check_reserved_name(record: Record, path: Path_, value: Any) -> list[Problem]:
    """An id that Windows cannot have as a folder's name, which the id becomes."""
    if isinstance(value, str) and reserved_on_windows(value):
        return [problem(record, path, "reserved-name", "constraint-error", value=quote(value))]
    return []


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


# Google's Dataset Search takes the description of the data page's schema.org Dataset only
# within these bounds. A warning, not a problem: the site and the catalogue need no such length.
DESCRIPTION_LENGTH = (50, 5000)


def site_warnings(records: list[Record]) -> list[Problem]:
    """What site.yaml may say but a search engine would not take: a description shorter or
    longer than Dataset Search reads, in any language."""
    shortest, longest = DESCRIPTION_LENGTH
    found = []
    for record in records:
        description = get(record.data, ("description",)) if record.kind == "site" else None
        for lang, text in description.items() if isinstance(description, dict) else []:
            if isinstance(text, str) and not shortest <= len(text) <= longest:
                found.append(
                    replace(
                        invalid(
                            record,
                            ("description", lang),
                            en=f"the description is {len(text):,} characters; Google's Dataset "
                            f"Search reads only {shortest} to {longest:,}",
                            ja=f"説明が{len(text):,}文字です。Google のデータセット検索は"
                            f"{shortest}〜{longest:,}文字の説明のみ読み取ります",
                        ),
                        severity="warning",
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
        day = datetime.date.fromisoformat(updated)
    except ValueError:
        return [
            invalid(
                record,
                ("updated",),
                en=f"{quote(updated)} is not a date",
                ja=f"{quote(updated)} は日付ではありません",
            )
        ]
    if day.year > 2107:  # a zip file cannot date its members later
        return [
            invalid(
                record,
                ("updated",),
                en=f"{quote(updated)} is after 2107, the last year a zip file can hold",
                ja=f"{quote(updated)} は zip ファイルに書ける最後の年（2107年）より後です",
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


def check_file(record: Record, languages: list[str]) -> list[Problem]:
    """Everything one content file (not a Markdown page) can be checked for on its own."""
    found = check_shape(record, (), record.data, SHAPES[record.kind], languages)
    if record.kind == "site":
        found += check_site(record)
    if record.kind == "project":
        found += check_costs(record)
    return found
