"""Hostile input: what staff paste from Excel, Word and old PDFs, what hand editing leaves, and
what an attacker could put in a content file.

Each case changes the valid `tiny` content tree of conftest.py in one way and runs the build as
`python build.py build` does. Either the build fails, with one line per problem and exactly
these lines, and the site built before is left byte for byte as it was; or it succeeds and the
text is shown safely: escaped in HTML, sanitized in Markdown, never a formula in the CSV or the
XLSX. Never a traceback.

Bad inputs already covered in test_validate.py (YAML syntax errors, tabs, duplicate keys,
wrong types, commas, negative and large costs, empty files, lists and scalars as files,
Shift_JIS, unknown keys, bad ids, duplicate ids, unknown references, missing translations,
formula-leading text) and test_pages.py (HTML in text, script in Markdown) are not repeated
here; docs/bad-input.md lists them all, with the test for each.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from shisaku import pipeline
from shisaku.cli import main
from shisaku.write import WriteError, Writer

from .conftest import (
    DIVISION_YAML,
    POLICY_YAML,
    PROJECT_YAML,
    ROOT,
    SITE_YAML,
    tiny_files,
    write_tree,
)
from .test_pages import active_parts

PROJECT = "content/2023/projects/mimamori.yaml"
POLICY = "content/2023/policies/kurashi.yaml"
DIVISION = "content/divisions/soumu.yaml"
SITE = "content/site.yaml"
PAGE = "content/pages/about.ja.md"
COUNT = {"en": ("1 problem; nothing was written.", "{n} problems; nothing was written.")}
COUNT["ja"] = ("1 件の問題があります。何も書き出していません。", "{n} 件の問題があります。何も書き出していません。")  # fmt: skip
KEYS = (
    "id, order, policy, basic_project, division, name, name_kana, summary, cost, activities, "
    "previous_cost_note, end_note, merged_into"
)
PASTED = "(text copied from Word or a PDF sometimes brings one)"
PASTED_JA = "（WordやPDFからコピーしたテキストに紛れ込むことがあります）"
BASE_PATH = 'a path such as /shisaku-hokoku/ (no spaces, none of <>"{}|\\^`?#, no . or .. folder)'
IN_FULL = "cannot be used in content; write the value out in full (yaml-error)"


# -- Helpers --------------------------------------------------------------------------------------
def edit(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of old; fail loudly when the fixture text changes."""
    assert text.count(old) == 1, f"{old!r} is not once in the fixture"
    return text.replace(old, new)


def project(old: str, new: str) -> dict[str, str | bytes]:
    return {"2023/projects/mimamori.yaml": edit(PROJECT_YAML, old, new)}


def site(old: str, new: str) -> dict[str, str | bytes]:
    return {"site.yaml": edit(SITE_YAML, old, new)}


def pages(ja: str | bytes, en: str = "# About\n\nText.\n") -> dict[str, str | bytes]:
    return {"pages/about.ja.md": ja, "pages/about.en.md": en}


def change(content: Path, files: dict[str, str | bytes]) -> None:
    """Write files into the content tree: {path relative to content/: text or bytes}."""
    for name, data in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def placed(line: str, names: dict[str, str]) -> str:
    """The line with the temporary folders of the test in place of {outside} and {root}."""
    for name, value in names.items():
        line = line.replace(name, value)
    return line


def lines_for(lang: str, lines: list[str]) -> list[str]:
    one, many = COUNT[lang]
    return [*lines, one if len(lines) == 1 else many.format(n=len(lines))]


@dataclass
class Case:
    """One kind of bad input: the files it writes (or a setup for links), and what is printed."""

    files: dict[str, str | bytes]
    en: list[str]
    ja: list[str] = field(default_factory=list)  # for a few: the same lines in Japanese
    setup: Callable[[Path], None] | None = None


def case(id_: str, files: dict[str, str | bytes], en: str | list[str], **kw: object) -> object:
    return pytest.param(Case(files, [en] if isinstance(en, str) else en, **kw), id=id_)  # type: ignore[arg-type]


def outside_file(content: Path) -> Path:
    """A file beside the content folder, which links in content/ point to."""
    secret = content.parent / "outside" / "secret.yaml"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text(edit(PROJECT_YAML, "id: mimamori", "id: himitsu"))
    return secret


def link_to_outside_file(content: Path) -> None:
    os.symlink(outside_file(content), content / "2023" / "projects" / "himitsu.yaml")


def link_to_outside_folder(content: Path) -> None:
    outside_file(content)
    os.symlink(content.parent / "outside", content / "divisions" / "more")


def link_year_to_outside(content: Path) -> None:
    shutil.copytree(content / "2023", content.parent / "draft-2022")
    os.symlink(content.parent / "draft-2022", content / "2022")


def broken_link(content: Path) -> None:
    os.symlink("nowhere.yaml", content / "2023" / "projects" / "gone.yaml")


def link_inside(content: Path) -> None:
    os.symlink("mimamori.yaml", content / "2023" / "projects" / "twin.yaml")


def fifo(content: Path) -> None:
    os.mkfifo(content / "2023" / "projects" / "pipe.yaml")  # reading it would wait for ever


def folder_named_yaml(content: Path) -> None:
    (content / "2023" / "projects" / "folder.yaml").mkdir()


def no_report(content: Path) -> None:
    (content / "2023" / "report.yaml").unlink()


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny content's site, built once; each failing case copies it and builds over it."""
    root = tmp_path_factory.mktemp("good")
    assert pipeline.build(write_tree(root / "content", tiny_files()), root / "site") == []
    return root / "site"


# -- Bad input that fails the build: one line per problem, the site as it was ---------------------
CASES = [
    # Encodings and characters that cannot be in text.
    case(
        "utf-16",
        {"2023/projects/mimamori.yaml": PROJECT_YAML.encode("utf-16")},
        f'{PROJECT}:1: the file is saved as UTF-16 ("Unicode" in Notepad); save it as UTF-8 (encoding-error)',
    ),
    case(
        "nul-byte",
        project("ja: 見守り事業", "ja: 見守り\x00事業"),
        f"{PROJECT}:7: a NUL character (U+0000) cannot be in content; delete it {PASTED} (encoding-error)",
        ja=[
            f"{PROJECT}:7: NUL文字（U+0000）はコンテンツに書けません。削除してください{PASTED_JA} (encoding-error)"
        ],
    ),
    case(
        "nul-escape",  # "\0" in double quotes: was a traceback from openpyxl
        project("ja: 見守り事業", 'ja: "見守り\\0事業"'),
        f"{PROJECT}:7: a NUL character (U+0000) cannot be in content; delete it {PASTED} (encoding-error)",
    ),
    case(
        "vertical-tab-from-word",  # Word's line break (Shift+Enter), on two lines
        project("ja: 高齢者を見守る。", "ja: 高齢者を\x0b見守る。\x0b"),
        f"{PROJECT}:10: a vertical tab (U+000B) cannot be in content; delete it {PASTED} (encoding-error)",
    ),
    case(
        "control-characters-on-several-lines",
        {
            "2023/projects/mimamori.yaml": edit(
                edit(PROJECT_YAML, "en: Visits were made.", "en: Visits\x0c were made."),
                "en: Watch-over Program",
                "en: Watch\x7f-over\x00 Program",
            )
        },
        f"{PROJECT}:8: a control character (U+007F) cannot be in content; delete it {PASTED}; "
        "1 other line has one too (encoding-error)",
    ),
    case(
        "lone-surrogate-escape",
        project("ja: 見守り事業", 'ja: "見守り\\ud800事業"'),
        f"{PROJECT}:7: \\ud800 names no character (a lone surrogate, or past U+10FFFF); write the character itself (yaml-error)",
    ),
    case(
        "lone-surrogate-bytes",
        {
            "2023/projects/mimamori.yaml": edit(
                PROJECT_YAML, "見守り事業", "見守り\ud800事業"
            ).encode("utf-8", "surrogatepass")
        },
        f"{PROJECT}:7: the file is not UTF-8 text (byte 0xED cannot be read); save it as UTF-8 (encoding-error)",
    ),
    case(
        "windows-path-in-double-quotes",
        project("en: Visits were made.", 'en: "Files in C:\\shisaku\\2023"'),
        f"{PROJECT}:15: \\s is not an escape YAML knows (in double quotes a backslash starts one); "
        "write \\\\ for a backslash, or put the text in single quotes (yaml-error)",
    ),
    # Spaces that cannot be seen around an id.
    case(
        "full-width-space-after-id",
        project("id: mimamori", "id: mimamori\u3000"),
        f'{PROJECT}:1: id: "mimamori\u3000" has a full-width space (U+3000) at its end: it cannot be seen, but it makes a different id; delete it (constraint-error)',
        ja=[
            f'{PROJECT}:1: id: "mimamori\u3000" の末尾に全角スペース（U+3000）があります。見えませんが別のIDになるため、削除してください (constraint-error)'
        ],
    ),
    case(
        "no-break-space-before-reference",
        project("division: soumu", "division: \u00a0soumu"),
        f'{PROJECT}:5: division: "\u00a0soumu" has a no-break space (U+00A0) at its start: it cannot be seen, but it makes a different id; delete it (constraint-error)',
    ),
    # Numbers as Excel and YAML 1.1 write them.
    case(
        "full-width-digits",
        project("2023: 2001", "2023: ２００１"),
        f'{PROJECT}:12: cost.2023: "２００１" is written in full-width digits; write 2001 (type-error)',
        ja=[
            f'{PROJECT}:12: cost.2023: "２００１" は全角の数字で書かれています。半角で 2001 と書いてください (type-error)'
        ],
    ),
    case(
        "number-in-quotes",
        project("2023: 2001", '2023: "2001"'),
        f'{PROJECT}:12: cost.2023: "2001" is in quotes, so it is text, not a number; write 2001 without quotes (type-error)',
    ),
    case(
        "comma-in-flow-mapping",
        project("{2023: 2001, 2022: 2000}", "{2023: 6,504, 2022: 2000}"),
        f'{PROJECT}:12: cost.2023: "6,504" was read as two entries because of the comma; write the amount without commas: 6504 (type-error)',
    ),
    *(
        case(
            f"yaml-1.1-number-{name}",
            project("2023: 2001", f"2023: {written}"),
            f'{PROJECT}:12: cost.2023: "{written}" was read as the number {read_as} (YAML 1.1); write plain digits, or put it in quotes if it is text (yaml-1.1)',
        )
        for name, written, read_as in [
            ("octal", "0123", 83),
            ("base-60", "1:30", 90),
            ("hexadecimal", "0x7D1", 2001),
        ]
    ),
    case(
        "leading-zero-in-text",
        project("en: Watch-over Program", "en: 0123"),
        f'{PROJECT}:8: name.en: "0123" was read as the number 83 (YAML 1.1); write plain digits, or put it in quotes if it is text (yaml-1.1)',
    ),
    case(
        "decimal-cost",
        project("2023: 2001", "2023: 2001.0"),
        f"{PROJECT}:12: cost.2023: 2001.0 is not a whole number of thousand yen (type-error)",
    ),
    case(
        "infinite-cost",
        project("2023: 2001", "2023: .inf"),
        f"{PROJECT}:12: cost.2023: inf is not a whole number of thousand yen (type-error)",
    ),
    case(
        "absurdly-long-number",  # was a traceback: Python reads at most 4,300 digits
        project("2023: 2001", "2023: " + "9" * 5000),
        f"{PROJECT}:12: a number of 5000 digits cannot be read; no amount or order is that long (yaml-error)",
    ),
    case(
        "text-longer-than-the-schema-allows",
        project("ja: 見守り事業", "ja: " + "見" * 2001),
        f"{PROJECT}:7: name.ja: the text is longer than 2000 characters (constraint-error)",
    ),
    # YAML features content never needs.
    case(
        "alias-bomb",
        {
            "2023/projects/mimamori.yaml": PROJECT_YAML
            + "".join(
                f"l{i}: &l{i} [{', '.join([f'*l{i - 1}' if i else 'lol'] * 9)}]\n" for i in range(9)
            )
        },
        f"{PROJECT}:16: anchors and aliases (&l0) {IN_FULL}",
        ja=[
            f"{PROJECT}:16: アンカーとエイリアス（&l0）はコンテンツでは使えません。値をそのまま書いてください (yaml-error)"
        ],
    ),
    case(
        "alias-to-an-anchor-elsewhere",
        project("  en: Visits were made.\n", "  en: *name\n"),
        f"{PROJECT}:15: anchors and aliases (*name) {IN_FULL}",
    ),
    case(
        "merge-key",
        {"2023/projects/mimamori.yaml": "base: &base {order: 1}\n<<: *base\n" + PROJECT_YAML},
        f"{PROJECT}:1: anchors and aliases (&base) {IN_FULL}",
    ),
    case(
        "python-tag",
        project("ja: 見守り事業", "ja: !!python/object/apply:os.system ['echo pwned']"),
        f"{PROJECT}:7: the tag !!python/object/apply:os.system is not allowed (content holds only text, numbers, null, lists and mappings); remove the tag (yaml-error)",
    ),
    case(
        "custom-tag",
        project("ja: 見守り事業", "ja: !kanji 見守り事業"),
        f"{PROJECT}:7: the tag !kanji is not allowed (content holds only text, numbers, null, lists and mappings); remove the tag (yaml-error)",
    ),
    case(
        "binary-tag",
        project("ja: 見守り事業", "ja: !!binary 6KaL5a6I44KK"),
        f"{PROJECT}:7: the tag !!binary is not allowed (content holds only text, numbers, null, lists and mappings); remove the tag (yaml-error)",
    ),
    case(
        "deep-nesting",  # was a traceback (RecursionError)
        project("ja: 見守り事業", "ja: " + "[" * 5000 + "]" * 5000),
        f"{PROJECT}:7: lists and mappings are nested more than 20 levels deep here (yaml-error)",
    ),
    case(
        "two-documents",
        {"2023/projects/mimamori.yaml": PROJECT_YAML + "---\n" + PROJECT_YAML},
        f'{PROJECT}:16: a second YAML document begins here (a line "---" or "..."); a content file holds one (yaml-error)',
    ),
    case(
        "null-key",
        {"2023/projects/mimamori.yaml": PROJECT_YAML + "~: x\n"},
        f"{PROJECT}:16: null: unknown key null; the keys here are: {KEYS} (unknown-key)",
    ),
    # Files that are too large, links out of content/, files missing.
    case(
        "enormous-file",
        {"2023/projects/mimamori.yaml": PROJECT_YAML + "# " + "x" * 1_000_000 + "\n"},
        f"{PROJECT}: the file has 1,000,303 bytes, more than the 1,000,000 a content file may have; check that it is the right file (read-error)",
        ja=[
            f"{PROJECT}: ファイルが1,000,303バイトあり、コンテンツのファイルの上限（1,000,000バイト）を超えています。正しいファイルか確かめてください (read-error)"
        ],
    ),
    case(
        "enormous-page",
        pages("# 概要\n\n" + "あ" * 400_000),
        f"{PAGE}: the file has 1,200,010 bytes, more than the 1,000,000 a content file may have; check that it is the right file (read-error)",
    ),
    case(
        "link-to-a-file-outside",
        {},
        "content/2023/projects/himitsu.yaml: this is a link to {outside}/secret.yaml, outside the content folder; content must be self-contained, so put the file or folder itself here (read-error)",
        ja=[
            "content/2023/projects/himitsu.yaml: これはコンテンツフォルダの外（{outside}/secret.yaml）へのリンクです。リンクではなく、ファイルやフォルダそのものを置いてください (read-error)"
        ],
        setup=link_to_outside_file,
    ),
    case(
        "link-to-a-folder-outside",
        {},
        "content/divisions/more: this is a link to {outside}, outside the content folder; content must be self-contained, so put the file or folder itself here (read-error)",
        setup=link_to_outside_folder,
    ),
    case(
        "year-folder-linked-from-outside",
        {},
        "content/2022: this is a link to {root}/draft-2022, outside the content folder; content must be self-contained, so put the file or folder itself here (read-error)",
        setup=link_year_to_outside,
    ),
    case(
        "broken-link",
        {},
        "content/2023/projects/gone.yaml: this is a link to nowhere.yaml, which does not exist (read-error)",
        setup=broken_link,
    ),
    case(
        "link-inside-content",  # read, and shown by its own name (was: "mimamori.yaml ... used by mimamori.yaml")
        {},
        f'content/2023/projects/twin.yaml:1: id: "mimamori" is already used by {PROJECT}:1 (unique-error)',
        setup=link_inside,
    ),
    case(
        "named-pipe",
        {},
        "content/2023/projects/pipe.yaml: the file cannot be read: it is not a regular file (read-error)",
        setup=fifo,
    ),
    case(
        "folder-named-like-a-file",
        {},
        "content/2023/projects/folder.yaml: the file cannot be read: it is not a regular file (read-error)",
        setup=folder_named_yaml,
    ),
    case(
        "year-without-report",  # was a traceback
        {},
        "content/2023/report.yaml: this file is missing (missing-file)",
        setup=no_report,
    ),
    # site.yaml: values that broke the build after validation.
    case(
        "language-twice",  # was a traceback: every page written twice
        site("languages: [ja, en]", "languages: [ja, en, ja]"),
        f'{SITE}:17: languages: languages lists "ja" twice (constraint-error)',
    ),
    case(
        "base-path-with-markup",  # was a traceback from rdflib
        site("base_path: /", 'base_path: "/<script>/"'),
        f'{SITE}:16: base_path: "/<script>/" is not {BASE_PATH} (constraint-error)',
    ),
    case(
        "base-path-up",
        site("base_path: /", "base_path: /../"),
        f'{SITE}:16: base_path: "/../" is not {BASE_PATH} (constraint-error)',
    ),
    case(
        "url-with-a-quote",  # was a traceback from rdflib
        site("url: https://example.org/", 'url: "https://example.org/\\"><x>"'),
        f'{SITE}:9: publisher.url: "https://example.org/\\"><x>" is not a web address such as https://example.org/ (no spaces, none of <>"{{}}|\\^`) (constraint-error)',
    ),
    case(
        "date-that-does-not-exist",  # was a traceback
        site('updated: "2024-05-01"', 'updated: "2024-13-45"'),
        f'{SITE}:20: updated: "2024-13-45" is not a date (constraint-error)',
    ),
    # One broken file, one line: not also every file that refers to it.
    case(
        "broken-policy-file",
        {"2023/policies/kurashi.yaml": POLICY_YAML + "- x\n"},
        f"{POLICY}:10: the YAML cannot be read: did not find expected key (while parsing a block mapping) (yaml-error)",
    ),
    case(
        "division-file-is-a-list",
        {"divisions/soumu.yaml": "- " + DIVISION_YAML.replace("\n", "\n  ")},
        f"{DIVISION}:1: expected a mapping of keys (key: value) but found a list (type-error)",
    ),
    case(
        "policy-id-is-a-list",  # was a traceback
        {"2023/policies/kurashi.yaml": edit(POLICY_YAML, "id: kurashi", "id: [kurashi]")},
        f"{POLICY}:1: id: ['kurashi'] is not text (type-error)",
    ),
    case(
        "page-in-shift-jis",
        pages("# 概要\n\n本文。\n".encode("cp932")),
        f"{PAGE}:1: the file is not UTF-8 text (byte 0x8A cannot be read); save it as UTF-8 (encoding-error)",
    ),
    # Markdown pages.
    case(
        "nul-in-a-page",
        pages("# 概要\n\n本文\x00。\n"),
        f"{PAGE}:3: a NUL character (U+0000) cannot be in content; delete it {PASTED} (encoding-error)",
    ),
    # Issue 18: values checked for what they become (a folder, a file name, a cell).
    case(
        "code-with-a-newline",  # was published in the data files' names
        site('code: "132225"', 'code: "132225\\n"'),
        f'{SITE}:4: city.code: "132225\\n" does not have the form ^[0-9]{{6}}$ (constraint-error)',
    ),
    case(
        "project-id-con",  # a folder Windows cannot make
        project("id: mimamori", "id: con"),
        f'{PROJECT}:1: id: "con" is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1–9, LPT1–9): the id names a folder of the site, which Windows could not make; choose another id (constraint-error)',
    ),
    case(
        "division-id-nul",
        {
            "divisions/soumu.yaml": edit(DIVISION_YAML, "id: soumu", "id: nul"),
            **project("division: soumu", "division: nul"),
        },
        f'{DIVISION}:1: id: "nul" is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1–9, LPT1–9): the id names a folder of the site, which Windows could not make; choose another id (constraint-error)',
    ),
    case(
        "policy-id-com1",
        {
            "2023/policies/kurashi.yaml": edit(POLICY_YAML, "id: kurashi", "id: com1"),
            **project("policy: kurashi", "policy: com1"),
        },
        f'{POLICY}:1: id: "com1" is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1–9, LPT1–9): the id names a folder of the site, which Windows could not make; choose another id (constraint-error)',
    ),
    case(
        "page-named-aux",
        {"pages/aux.en.md": "# Aux\n\nText.\n", "pages/aux.ja.md": "# 補助\n\n本文。\n"},
        [
            'content/pages/aux.en.md: "aux" is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1–9, LPT1–9): the id names a folder of the site, which Windows could not make; choose another id (constraint-error)',
            'content/pages/aux.ja.md: "aux" is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1–9, LPT1–9): the id names a folder of the site, which Windows could not make; choose another id (constraint-error)',
        ],
    ),
    case(
        "page-named-data",  # was a traceback: "written twice"
        {"pages/data.en.md": "# Data\n\nText.\n", "pages/data.ja.md": "# データ\n\n本文。\n"},
        [
            'content/pages/data.en.md: a page cannot be called "data": the site has a folder of that name in each language (data, divisions, policies, projects, reports, search); rename the file (unique-error)',
            'content/pages/data.ja.md: a page cannot be called "data": the site has a folder of that name in each language (data, divisions, policies, projects, reports, search); rename the file (unique-error)',
        ],
    ),
    case(
        "page-named-search",
        {"pages/search.en.md": "# S\n\nText.\n", "pages/search.ja.md": "# 検索\n\n本文。\n"},
        [
            'content/pages/search.en.md: a page cannot be called "search": the site has a folder of that name in each language (data, divisions, policies, projects, reports, search); rename the file (unique-error)',
            'content/pages/search.ja.md: a page cannot be called "search": the site has a folder of that name in each language (data, divisions, policies, projects, reports, search); rename the file (unique-error)',
        ],
    ),
    case(
        "formula-after-a-no-break-space",  # LibreOffice with "trim spaces" runs it
        project("ja: 見守り事業", 'ja: "\\u00a0=HYPERLINK(\\"x\\")"'),
        f'{PROJECT}:7: name.ja: text must not begin with "=": spreadsheets would run it as a formula (formula-injection)',
    ),
    case(
        "formula-after-a-space",
        project("ja: 見守り事業", 'ja: " =1+1"'),
        f'{PROJECT}:7: name.ja: text must not begin with "=": spreadsheets would run it as a formula (formula-injection)',
    ),
    case(
        "formula-after-a-full-width-space",
        project("ja: 見守り事業", 'ja: "\\u3000@SUM(A1)"'),
        f'{PROJECT}:7: name.ja: text must not begin with "@": spreadsheets would run it as a formula (formula-injection)',
    ),
    case(
        "formula-full-width-equals",  # ＝ is = in NFKC
        project("ja: 見守り事業", "ja: ＝1+1"),
        f'{PROJECT}:7: name.ja: text must not begin with "＝": spreadsheets would run it as a formula (formula-injection)',
    ),
    case(
        "formula-full-width-plus",
        project("ja: 見守り事業", "ja: ＋1"),
        f'{PROJECT}:7: name.ja: text must not begin with "＋": spreadsheets would run it as a formula (formula-injection)',
    ),
    case(
        "bidi-override-in-a-name",  # would show 見守り事業 and publish 見守り業事
        project("ja: 見守り事業", 'ja: "見守り\\u202e業事"'),
        f"{PROJECT}:7: a bidirectional control character (U+202E) cannot be in content; delete it {PASTED} (encoding-error)",
    ),
    case(
        "bidi-isolate-in-a-name",
        project("ja: 見守り事業", "ja: 見守り\u2066事業"),
        f"{PROJECT}:7: a bidirectional control character (U+2066) cannot be in content; delete it {PASTED} (encoding-error)",
    ),
    case(
        "markup-in-the-licence-id",  # reached datapackage.json
        site("id: CC-BY-4.0", 'id: "<b>CC</b>"'),
        f'{SITE}:11: license.id: "<b>CC</b>" is not an SPDX licence id such as CC-BY-4.0 (letters, digits, . + -) (constraint-error)',
    ),
    case(
        "updated-after-2107",  # was struct.error in the zip writer
        site('updated: "2024-05-01"', 'updated: "2200-01-01"'),
        f'{SITE}:20: updated: "2200-01-01" is after 2107, the last year a zip file can hold (constraint-error)',
    ),
    case(
        "page-of-990-kb",  # took over 120 s in Python-Markdown
        pages("# 概要\n\n" + "[(" * 495_000),
        f"{PAGE}: the page has 990,007 characters, more than the 200,000 a page may have; split it, or check that it is the right file (constraint-error)",
    ),
    case(
        "page-of-nested-html",  # the sanitizer's time grows with the square of the nesting
        pages("# 概要\n\n" + "<div>" * 5000),
        f"{PAGE}: the page has 5,000 HTML tags, more than the 1,000 a page may have; write it in Markdown (constraint-error)",
    ),
    case(
        "page-nested-too-deep",  # was a traceback (RecursionError in Markdown)
        pages("# 概要\n\n" + "- " * 1000 + "x\n"),
        f"{PAGE}:3: lists are nested more than 20 levels deep here; the page cannot be made into HTML (constraint-error)",
    ),
]


def build(
    capsys: pytest.CaptureFixture[str], lang: str, command: str = "build"
) -> tuple[int, list[str]]:
    code = main([command, "--content", "content", "--out", "site", "--lang", lang, "--quiet"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err.splitlines()


@pytest.mark.parametrize("bad", CASES)
def test_bad_input_fails_with_one_line_each_and_leaves_the_site(
    bad: Case, tmp_path, monkeypatch, capsys, good_site
):
    monkeypatch.chdir(tmp_path)
    content = write_tree(tmp_path / "content", tiny_files())
    change(content, bad.files)
    if bad.setup:
        bad.setup(content)
    shutil.copytree(good_site, tmp_path / "site")
    before = snapshot(tmp_path / "site")
    names = {"{outside}": str(tmp_path / "outside"), "{root}": str(tmp_path)}

    assert build(capsys, "en") == (1, lines_for("en", [placed(line, names) for line in bad.en]))
    assert snapshot(tmp_path / "site") == before, "a failed build changed the site"
    assert [p.name for p in tmp_path.iterdir() if "-build-" in p.name] == [], "staging left"
    if bad.ja:
        expected = lines_for("ja", [placed(line, names) for line in bad.ja])
        assert build(capsys, "ja", "check") == (1, expected)


# -- Bad input that builds: shown as text, never run as script or formula --------------------------
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
CLOSES_SCRIPT = "</script><script>alert(1)</script>"
HOSTILE_DESCRIPTION = "Data " + CLOSES_SCRIPT + " on the projects of a report."  # 50 or more
DECOMPOSED = unicodedata.normalize("NFD", "がんばる見守り事業")  # か + U+3099, looks the same
HOSTILE_MARKDOWN = """\
# About

<script>alert(1)</script>

[click](javascript:alert(1)) [Click](JaVaScRiPt:alert(1)) [entity](&#106;avascript:alert(1))
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <javascript:alert(1)>

<img src="x" onerror="alert(1)"> <svg onload="alert(1)"></svg>
<a href="https://example.org" onclick="alert(1)" style="color:red">ok</a>
<iframe src="https://example.org"></iframe><form action="https://example.org"></form>

## Section

Text.
"""


def double_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_files() -> dict[str, str | bytes]:
    """The tiny tree with text in every place that must come out as text."""
    files: dict[str, str | bytes] = dict(tiny_files())
    text = PROJECT_YAML
    for old, new in [
        ("ja: 見守り事業", f"ja: {DECOMPOSED}"),  # not in NFC
        ("en: Watch-over Program", f"en: {double_quoted(MARKUP)}"),
        ("summary:", "summary\u3000:"),  # a full-width space after a key
        ("ja: 高齢者を見守る。", "ja: \u3000高齢者を𠮷見守る。"),  # full-width indent, 𠮷 (U+20BB7)
        ("ja: 訪問を行った。", "ja: 訪問＝3回、＋1回を行った。"),  # ＝ and ＋ inside text
        ("en: Visits were made.", "en: 'Visits = 3 + 1, @ home'"),
    ]:
        text = edit(text, old, new)
    # Saved by Notepad: a byte order mark and CRLF line ends.
    files["2023/projects/mimamori.yaml"] = "\ufeff".encode() + text.replace("\n", "\r\n").encode()
    files["divisions/soumu.yaml"] = edit(
        DIVISION_YAML, "en: General Affairs Division", f"en: {double_quoted(MARKUP)}"
    )
    files["2023/policies/kurashi.yaml"] = edit(
        edit(POLICY_YAML, "en: Living", f"en: {double_quoted(MARKUP)}"),
        "en: Watch over.",
        f"en: {double_quoted(MARKUP)}",
    )
    files["site.yaml"] = edit(
        SITE_YAML,
        "en: A site for tests. The policies and projects of a policy report and their costs.",
        f"en: {double_quoted(HOSTILE_DESCRIPTION)}",
    )
    files["pages/about.en.md"] = HOSTILE_MARKDOWN
    files["pages/about.ja.md"] = HOSTILE_MARKDOWN.replace("# About", "# 概要")
    return files


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from hostile_files(), by `python build.py` in a process of its own."""
    root = tmp_path_factory.mktemp("hostile")
    change(root / "content", hostile_files())
    result = run_build(root)
    assert (result.returncode, result.stderr) == (0, "")
    return root / "site"


def run_build(root: Path, command: str = "build") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), command, "--lang", "en", "--quiet"],
        cwd=root, env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def texts(site: Path, *suffixes: str) -> dict[str, str]:
    return {
        str(p.relative_to(site)): p.read_text(encoding="utf-8")
        for p in sorted(site.rglob("*"))
        if p.suffix in suffixes
    }


def csv_rows(site: Path) -> list[dict[str, str]]:
    found = []
    for path in sorted((site / "data").glob("*.csv")):
        found += list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    return found


def project_row(site: Path) -> dict[str, str]:
    return next(row for row in csv_rows(site) if row.get("事務事業ID") == "mimamori")


def test_a_file_saved_by_notepad_is_read(hostile_site):
    """BOM and CRLF: the project is there, and no text carries a stray carriage return."""
    row = project_row(hostile_site)
    assert row["事務事業名_英語"] == MARKUP
    assert not any("\r" in cell for row in csv_rows(hostile_site) for cell in row.values())


def test_text_is_published_in_nfc(hostile_site):
    composed = unicodedata.normalize("NFC", DECOMPOSED)
    assert composed != DECOMPOSED
    assert project_row(hostile_site)["事務事業名"] == composed
    outputs = texts(hostile_site, ".html", ".csv", ".json", ".jsonld", ".ttl", ".xml")
    assert [name for name, text in outputs.items() if "\u3099" in text] == []
    assert composed in outputs["ja/projects/mimamori/index.html"]


def test_full_width_spaces_and_characters_beyond_the_bmp_are_kept(hostile_site):
    """A key with a full-width space after it is the key; a text may begin with one."""
    assert project_row(hostile_site)["事業概要"] == "\u3000高齢者を𠮷見守る。"
    sheet = openpyxl.load_workbook(next((hostile_site / "data").glob("*.xlsx"))).active
    assert "\u3000高齢者を𠮷見守る。" in [cell.value for row in sheet.iter_rows() for cell in row]


def test_markup_in_text_is_escaped_everywhere(hostile_site):
    outputs = texts(hostile_site, ".html", ".svg", ".xml")
    for name, text in outputs.items():
        assert MARKUP not in text, name
        assert "<script>alert" not in text and "<img src=x" not in text, name
    page = outputs["en/projects/mimamori/index.html"]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    for url in ["en/divisions/soumu/index.html", "en/policies/kurashi/index.html"]:
        assert "&lt;img src=x onerror=alert(1)&gt;" in outputs[url], url


def test_text_cannot_close_the_json_ld_script(hostile_site):
    page = (hostile_site / "en" / "data" / "index.html").read_text(encoding="utf-8")
    opened = page.count("<script")
    assert opened == len(re.findall(r"</script", page, re.I)), "a text closed a script element"
    block = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block)["description"] == HOSTILE_DESCRIPTION


def test_markdown_keeps_no_script_handler_or_javascript_link(hostile_site):
    for lang in ("ja", "en"):
        page = (hostile_site / lang / "about" / "index.html").read_text(encoding="utf-8")
        main_html = page.split("<main", 1)[1].split("</main>", 1)[0]
        assert active_parts(main_html) == [], lang
        assert "<h2>Section</h2>" in main_html and 'href="https://example.org"' in main_html


NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def test_no_cell_is_a_formula(hostile_site):
    """No CSV cell begins with = + - @ or a tab unless it is a number, and no XLSX cell is a
    formula; a full-width ＝ or ＋ and a = inside the text are text."""
    rows = csv_rows(hostile_site)
    for row in rows:
        for column, cell in row.items():
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r") or NUMBER.fullmatch(cell), (
                column,
                cell,
            )
    assert project_row(hostile_site)["取組内容"] == "訪問＝3回、＋1回を行った。"
    for path in (hostile_site / "data").glob("*.xlsx"):
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            assert [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"] == []


# -- In a process of its own: what used to crash it --------------------------------------------------
@pytest.mark.parametrize(
    ("files", "line"),
    [
        pytest.param(
            project("ja: 見守り事業", "ja: " + "[" * 200_000 + "]" * 200_000),
            f"{PROJECT}:7: lists and mappings are nested more than 20 levels deep here (yaml-error)",
            id="nesting-that-crashed-libyaml",  # exit -11 (a segmentation fault) before
        ),
        pytest.param(
            project("ja: 見守り事業", 'ja: "見守り\\0事業"'),
            f"{PROJECT}:7: a NUL character (U+0000) cannot be in content; delete it {PASTED} (encoding-error)",
            id="nul-that-crashed-the-xlsx",
        ),
        pytest.param(
            site("languages: [ja, en]", "languages: [ja, en, ja]"),
            f'{SITE}:17: languages: languages lists "ja" twice (constraint-error)',
            id="language-that-crashed-the-writer",
        ),
    ],
)
def test_no_traceback_in_a_process_of_its_own(tmp_path, files, line):
    change(write_tree(tmp_path / "content", tiny_files()), files)
    result = run_build(tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == lines_for("en", [line])
    assert not (tmp_path / "site").exists()


def test_the_writer_never_writes_outside_the_site(tmp_path):
    """Ids are checked against ^[a-z0-9]+(-[a-z0-9]+)*$ before anything is written; if one got
    through, the writer would still refuse a path that leaves site/."""
    with Writer(tmp_path / "site") as writer:
        for path in ["../evil.html", "/tmp/evil.html", "ja/../../evil.html", "", "ja//x", "./x"]:
            with pytest.raises(WriteError):
                writer.write(path, b"evil")
            with pytest.raises(WriteError):  # as the pages are claimed, all at once
                writer.claim_all([f"ja/{len(path)}/index.html", path])
        with pytest.raises(WriteError):
            writer.claim_all(["ja/x/index.html", "ja/x/index.html"])
    assert [p.name for p in tmp_path.rglob("evil*")] == []


# -- The table in the docs --------------------------------------------------------------------------
def test_the_docs_table_lists_every_bad_input_with_its_line():
    """docs/bad-input.md names every case of this file and of test_validate.py, shows the exact
    line each prints, and names only tests that exist."""
    from .test_validate import CASES as VALIDATE_CASES

    table = (ROOT / "docs" / "bad-input.md").read_text(encoding="utf-8").replace("\\|", "|")
    for param in CASES:
        assert f"H `{param.id}`" in table, param.id
        for line in param.values[0].en:
            assert line in table, line
    for param in VALIDATE_CASES:
        assert f"V `{param.id}`" in table, param.id
        assert param.values[1] in table, param.values[1]
    tests = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "tests").glob("test_*.py"))
    for name in re.findall(r"`(test_[a-z_]+)`", table):
        assert f"def {name}(" in tests, name


# -- Bounded work: any input, a few seconds ---------------------------------------------------------
PAGE_ROOM = 199_000  # characters under the page limit (200,000), less the title
HOSTILE_PAGES = {
    "backticks": "`" * PAGE_ROOM,
    "less-than-signs": "<" * PAGE_ROOM,
    "nested-html-under-the-limit": "<div>" * 999 + "x",
    "links": "[a](b) " * (PAGE_ROOM // 7),
    "entities": "&amp;" * (PAGE_ROOM // 5),
    "headings": "# h\n" * (PAGE_ROOM // 4),
    "brackets-and-parentheses": "[(" * (PAGE_ROOM // 2),
    "autolinks": "<http://a.b> " * (PAGE_ROOM // 13),
    "emphasis": "*a " * (PAGE_ROOM // 3),
    "table-rows": "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * (PAGE_ROOM // 10 - 3),
}


@pytest.mark.parametrize("kind", HOSTILE_PAGES)
def test_a_hostile_page_under_the_limit_builds_within_seconds(kind, tmp_path):
    """Python-Markdown took over 120 s on some of these (990 KB of `[(`, of nested `<div>`,
    of links); the page is now CommonMark (markdown-it-py) and at most 200,000 characters."""
    change(
        write_tree(tmp_path / "content", tiny_files()), pages("# 概要\n\n" + HOSTILE_PAGES[kind])
    )
    started = time.monotonic()
    result = run_build(tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert time.monotonic() - started < 10


def test_a_flood_of_problems_prints_a_few_lines_within_seconds(tmp_path):
    """100,000 unknown keys in one file (a spreadsheet pasted into a project file): the first
    20 lines, the count of the rest, within seconds."""
    flood = PROJECT_YAML + "".join(f"k{i}: 1\n" for i in range(100_000))
    change(write_tree(tmp_path / "content", tiny_files()), {"2023/projects/mimamori.yaml": flood})
    started = time.monotonic()
    result = run_build(tmp_path)
    assert time.monotonic() - started < 10
    lines = result.stderr.splitlines()
    assert (result.returncode, len(lines)) == (1, 22)
    assert lines[0].startswith(f'{PROJECT}:16: k0: unknown key "k0"')
    assert lines[-2:] == [
        f"{PROJECT}: 99,980 more problems in this file are not shown",
        "100,000 problems; nothing was written.",
    ]


def _name_ja(text: str, value: str) -> str:
    return re.sub(r"(?m)^(name:\n  ja: ).*$", lambda m: m[1] + value, text, count=1)


BIG_CITY_CASES: dict[str, Callable[[str], str]] = {
    "project-id-con": lambda text: re.sub(r"(?m)^id: .*$", "id: con", text, count=1),
    "formula-after-a-no-break-space": lambda t: _name_ja(t, '"\\u00a0=HYPERLINK(\\"x\\")"'),
    "formula-full-width-equals": lambda t: _name_ja(t, "＝1+1"),
    "bidi-override-in-a-name": lambda t: _name_ja(t, '"見守り\\u202e業事"'),
    "page-of-990-kb": lambda text: text,
    "page-named-data": lambda text: text,
}


@pytest.fixture(scope="module")
def big_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A big city's report: 3,000 projects over 30 policies, one fiscal year."""
    from .synthetic import make_city

    return make_city(tmp_path_factory.mktemp("big") / "content", 3000, policies=30, years=1)


@pytest.mark.parametrize(
    ("name", "bad"), [(c.id, c.values[0]) for c in CASES if c.id in BIG_CITY_CASES]
)
def test_bad_input_in_a_big_city_is_its_lines_within_seconds(name, bad, big_city, tmp_path):
    """The same kinds in a 3,000-project report: the build says what is wrong, at once."""
    content = Path(shutil.copytree(big_city, tmp_path / "content"))
    first = sorted((content / "2023" / "projects").glob("*.yaml"))[0]
    for path, data in bad.files.items():
        if path == "2023/projects/mimamori.yaml":  # the same change, in one of the city's files
            text = first.read_text(encoding="utf-8")
            first.write_text(BIG_CITY_CASES[name](text), encoding="utf-8")
        else:
            change(content, {path: data})
    started = time.monotonic()
    result = run_build(tmp_path)
    assert time.monotonic() - started < 10
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == len(bad.en) + 1, result.stderr
