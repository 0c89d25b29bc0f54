"""content/**/*.yaml -> raw records, each with its file and the line of every key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .problems import Localized, Problem, missing_file

# libyaml's loader is about 9x faster than the pure-Python one at 10,000 files.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FISCAL_YEAR_FOLDER = re.compile(r"^[0-9]{4}$")


class MarkedDict(dict):
    """A YAML mapping that remembers its line, the line of each key, and repeated keys."""

    line: int
    key_lines: dict[Any, int]
    duplicates: list[tuple[Any, int, int]]  # (key, line, line of first use)


class MarkedList(list):
    """A YAML sequence that remembers its line and the line of each item."""

    line: int
    item_lines: list[int]


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


@dataclass(frozen=True)
class Yaml11:
    """A value YAML 1.1 would turn into a boolean or a date (yes, no, on, 2024-04-01).

    Content has no booleans or dates, so the loader keeps the words as written and
    validation tells the author to quote them, instead of publishing `True`.
    """

    written: str
    read_as: str  # "boolean" or "date"

    def __str__(self) -> str:
        return self.written


def _construct_yaml11(kind: str) -> Any:
    def construct(loader: _Loader, node: yaml.ScalarNode) -> Yaml11:
        return Yaml11(node.value, kind)

    return construct


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> MarkedDict:
    loader.flatten_mapping(node)
    mapping = MarkedDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    mapping.duplicates = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text, not a list or mapping", key_node.start_mark
            ) from None
        if key in mapping:
            # PyYAML keeps the last value silently; we keep the first and report the repeat.
            mapping.duplicates.append((key, line, mapping.key_lines[key]))
            continue
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> MarkedList:
    items = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_yaml11("boolean"))
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_yaml11("date"))


@dataclass
class Record:
    """One content file: what kind it is, where it is, and what it says."""

    kind: str  # site, division, report, policy or project
    file: str  # the path shown to people, relative to the working folder
    data: Any
    fiscal_year: int | None = None


@dataclass
class Loaded:
    records: list[Record]
    problems: list[Problem]


def display_path(path: Path) -> str:
    """The path as people type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document; a syntax error becomes a problem at its line."""
    try:
        return yaml.load(text, Loader=_Loader), []
    except yaml.MarkedYAMLError as error:
        return None, [yaml_problem(error, text, file)]
    except yaml.YAMLError as error:
        return None, [Problem(file, 1, "", "yaml-error", "yaml-error", {"detail": str(error)})]


def yaml_problem(error: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    """A YAML syntax error at the line a person should look at.

    PyYAML notices an unclosed quote or bracket only where the file ends; the place where it
    was opened (its context mark) is where the mistake is. For a block mapping the context is
    the mapping's first line, so there the problem mark is better.
    """
    context = error.context or ""
    opened = context.startswith("while scanning") or context.startswith("while parsing a flow")
    mark = error.context_mark if opened and error.context_mark else error.problem_mark
    line = mark.line + 1 if mark else 1
    problem = error.problem or ""
    if error.problem_mark and _is_tab(text, error.problem_mark):
        return Problem(file, error.problem_mark.line + 1, "", "yaml-tab", "yaml-error", {})
    detail = f"{problem} ({context})" if context and problem else problem or str(error)
    return Problem(file, line, "", "yaml-error", "yaml-error", {"detail": detail})


def _is_tab(text: str, mark: yaml.Mark) -> bool:
    lines = text.splitlines()
    return mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t"


def read_text(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8 (a BOM is allowed); bytes that are not UTF-8 become a problem."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [
            Problem(file, None, "", "read-error", "read-error", {"detail": error.strerror})
        ]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = f"0x{raw[error.start]:02X}"
        return None, [Problem(file, line, "", "encoding-error", "encoding-error", {"byte": byte})]


def load_file(
    path: Path, kind: str, fiscal_year: int | None = None
) -> tuple[Record | None, list[Problem]]:
    file = display_path(path)
    text, problems = read_text(path, file)
    if text is None:
        return None, problems
    data, problems = parse_yaml(text, file)
    if problems:
        return None, problems
    return Record(kind, file, data, fiscal_year), []


def content_files(content: Path) -> list[tuple[Path, str, int | None]]:
    """Every YAML file of the content tree, with its kind and fiscal year, in a stable order."""
    found: list[tuple[Path, str, int | None]] = [(content / "site.yaml", "site", None)]
    found += [(p, "division", None) for p in sorted((content / "divisions").glob("*.yaml"))]
    for folder in sorted(p for p in content.iterdir() if p.is_dir()):
        if not FISCAL_YEAR_FOLDER.match(folder.name):
            continue
        year = int(folder.name)
        if (folder / "report.yaml").exists():
            found.append((folder / "report.yaml", "report", year))
        found += [(p, "policy", year) for p in sorted((folder / "policies").glob("*.yaml"))]
        found += [(p, "project", year) for p in sorted((folder / "projects").glob("*.yaml"))]
    return found


def stray_files(content: Path, known: set[Path]) -> list[Problem]:
    """YAML files in places the build does not read: most likely a typo in a folder name."""
    problems = []
    for path in sorted(content.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or path in known:
            continue
        if path.suffix == ".yml":
            hint = {"en": "rename it to .yaml", "ja": "拡張子を .yaml にしてください"}
        else:
            hint = {
                "en": "content is read from site.yaml, divisions/, and YYYY/report.yaml, "
                "YYYY/policies/, YYYY/projects/",
                "ja": "読み込まれるのは site.yaml、divisions/、年度フォルダの report.yaml、"
                "policies/、projects/ です",
            }
        problems.append(
            Problem(
                display_path(path),
                None,
                "",
                "unexpected-file",
                "unexpected-file",
                {"hint": Localized(hint)},
            )
        )
    return problems


def load(content: Path) -> Loaded:
    """Read every content file; unreadable files become problems, nothing is skipped silently."""
    records: list[Record] = []
    problems: list[Problem] = []
    files = content_files(content)
    for path, kind, year in files:
        if not path.exists():
            problems.append(missing_file(display_path(path)))
            continue
        record, found = load_file(path, kind, year)
        problems += found
        if record is not None:
            records.append(record)
    problems += stray_files(content, {p for p, _, _ in files})
    if not any(kind == "project" for _, kind, _ in files):
        problems.append(Problem(display_path(content), None, "", "no-content", "no-content"))
    for path in sorted((content / "pages").glob("*.md")):
        record, found = load_page(path)
        problems += found
        if record is not None:
            records.append(record)
    return Loaded(records, problems)


PAGE_NAME = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>[a-z]{2,3})\.md$")


def load_page(path: Path) -> tuple[Record | None, list[Problem]]:
    """A Markdown page, content/pages/{slug}.{lang}.md: one file per language."""
    file = display_path(path)
    match = PAGE_NAME.match(path.name)
    if not match:
        hint = Localized(
            en="name Markdown pages slug.lang.md, for example about.en.md",
            ja="Markdownのページは slug.言語.md（例: about.ja.md）と名付けてください",
        )
        return None, [Problem(file, None, "", "unexpected-file", "unexpected-file", {"hint": hint})]
    text, problems = read_text(path, file)
    if text is None:
        return None, problems
    return Record("page", file, {"slug": match["slug"], "lang": match["lang"], "text": text}), []
