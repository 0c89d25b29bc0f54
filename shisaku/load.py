"""content/**/*.yaml -> raw records, each with its file and the line of every key."""

from __future__ import annotations

import functools
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Localized, Problem, character, missing_file

# libyaml's parser and composer, where PyYAML was built with it (construct turns its nodes
# into values); the pure-Python ones elsewhere.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FISCAL_YEAR_FOLDER = re.compile(r"^[0-9]{4}$")

# Limits on what one content file may be. The real files are a few kilobytes and nest five
# levels (policy > basic_projects > item > directions > item); these are far beyond that, and
# far below what would exhaust memory or the stack.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20
MAX_DIGITS = 100  # Python refuses to read integers of more than 4,300 digits at all

# A file that can nest no deeper than this is composed without scanning it first: libyaml's
# composer recurses in C, and a few hundred thousand open brackets crash the process.
SAFE_WITHOUT_SCAN = 200

# Characters YAML 1.1 cannot carry (its printable set, inverted): NUL and the other control
# characters, DEL, C1 controls but NEL, lone surrogates, U+FFFE and U+FFFF. The same set is
# refused in Markdown pages, where they would break the HTML.
# Also the bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069): in a
# name they would show a reader, a spreadsheet or a terminal other text than is written.
NOT_TEXT = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\u2029\u202f-\u2065\u206a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

# An integer as people write one. YAML 1.1 also reads 0123 as octal (83), 1:30 as base 60 (90)
# and 0x7D1 as hexadecimal: such values are kept as written for validation to explain.
PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)")


class MarkedDict(dict):
    """A YAML mapping that remembers its line, the line of each key, and repeated keys."""

    line: int
    key_lines: dict[Any, int]
    duplicates: list[tuple[Any, int, int]]  # (key, line, line of first use)


class MarkedList(list):
    """A YAML sequence that remembers its line and the line of each item."""

    line: int
    item_lines: list[int]


class Refused(Exception):
    """Something in a file that the loader will not read, as the problem to report."""

    def __init__(self, line: int, code: str, type_: str = "yaml-error", **params: Any) -> None:
        super().__init__(code)
        self.line, self.code, self.type, self.params = line, code, type_, params

    def problem(self, file: str) -> Problem:
        return Problem(file, self.line, "", self.code, self.type, self.params)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


@dataclass(frozen=True)
class Yaml11:
    """A value YAML 1.1 reads as something else than written: a boolean (yes, no, on), a date
    (2024-04-01) or a number in another base (0123 is octal 83, 1:30 is base 60, 0x7D1 hex).

    Content has no booleans or dates and writes numbers in plain digits, so the loader keeps
    the words as written and validation tells the author what to write, instead of
    publishing `True` or 83.
    """

    written: str
    read_as: str  # "boolean", "date" or "number"
    value: Any = None  # what YAML 1.1 reads, for a number

    def __str__(self) -> str:
        return self.written


# PyYAML's own readers of YAML 1.1 numbers and nulls: pure functions of a node's text.
_READ = yaml.constructor.SafeConstructor()
TAG = "tag:yaml.org,2002:"
MAP, SEQ, STR, MERGE = TAG + "map", TAG + "seq", TAG + "str", TAG + "merge"


def construct(node: yaml.Node, depth: int = 0) -> Any:
    """A composed YAML node as Python values: mappings and sequences that know their lines,
    text in NFC, YAML 1.1's booleans, dates and other bases kept as written (Yaml11).

    Deeper than MAX_DEPTH, or with a tag content never needs, it is refused: a file nested
    that deep would exhaust Python's stack, and tags can make objects of any kind.
    """
    kind = type(node)
    if kind is yaml.ScalarNode:
        return construct_scalar(node)
    if depth >= MAX_DEPTH:
        raise Refused(_line(node), "yaml-too-deep", limit=MAX_DEPTH)
    if kind is yaml.MappingNode and node.tag == MAP:
        return construct_mapping(node, depth + 1)
    if kind is yaml.SequenceNode and node.tag == SEQ:
        items = MarkedList(construct(child, depth + 1) for child in node.value)
        items.line = _line(node)
        items.item_lines = [_line(child) for child in node.value]
        return items
    raise Refused(_line(node), "yaml-tag", tag=node.tag.replace(TAG, "!!"))


def construct_mapping(node: yaml.MappingNode, depth: int) -> MarkedDict:
    if any(key.tag == MERGE for key, _ in node.value):
        _READ.flatten_mapping(node)  # merge keys (<<) with the mappings they name
    mapping = MarkedDict()
    mapping.line = _line(node)
    mapping.key_lines = {}
    mapping.duplicates = []
    for key_node, value_node in node.value:
        key = construct(key_node, depth)
        line = _line(key_node)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text, not a list or mapping", key_node.start_mark
            ) from None
        if isinstance(key, str):
            # A space pasted after a key (often a full-width one) cannot be seen: "name　"
            # is the key name, not an unknown key that looks exactly like it.
            key = key.strip()
        if key in mapping:
            # PyYAML keeps the last value silently; we keep the first and report the repeat.
            mapping.duplicates.append((key, line, mapping.key_lines[key]))
            continue
        mapping[key] = construct(value_node, depth)
        mapping.key_lines[key] = line
    return mapping


def construct_scalar(node: yaml.ScalarNode) -> Any:
    """A scalar by the tag YAML 1.1's resolver gave it."""
    written = text_of(node)
    tag = node.tag
    if tag == STR:
        return written
    if tag == TAG + "int":
        digits = len(re.sub(r"[^0-9A-Fa-f]", "", written))
        if digits > MAX_DIGITS:
            raise Refused(_line(node), "yaml-long-number", digits=digits)
        value = _READ.construct_yaml_int(node)
        return value if PLAIN_INT.fullmatch(written) else Yaml11(written, "number", value)
    if tag == TAG + "null":
        return None
    if tag == TAG + "float":
        return _READ.construct_yaml_float(node)
    if tag in (TAG + "bool", TAG + "timestamp"):
        return Yaml11(written, "boolean" if tag == TAG + "bool" else "date")
    raise Refused(_line(node), "yaml-tag", tag=tag.replace(TAG, "!!"))


def text_of(node: yaml.ScalarNode) -> str:
    """A scalar's text: no control characters (an escape such as "\\0" can write one), and in
    NFC, so that a decomposed が is published as the が it looks like."""
    bad = NOT_TEXT.search(node.value)
    if bad:
        raise Refused(
            _line(node), "control-character", "encoding-error", char=character(bad[0]), more=""
        )
    return unicodedata.normalize("NFC", node.value)  # the same string when already in NFC


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
    # Files found but not read (their problem is in problems), with data None: what they
    # would define is unknown, so validation does not call references to it unknown.
    unread: list[Record] = field(default_factory=list)


def display_path(path: str | Path) -> str:
    """The path as people type it: relative to the working folder when inside it.

    A link keeps its own name: the file shown is the one in content/, not where it points.
    """
    absolute = os.path.abspath(path)  # normalises `..` without following links
    cwd = os.getcwd()
    inside = cwd.rstrip(os.sep) + os.sep
    folder, name = os.path.split(absolute)
    for candidate in (absolute, os.path.join(_real_folder(folder), name)):
        if candidate == cwd:
            return "."
        if candidate.startswith(inside):
            return candidate[len(inside) :]
    return str(path)


class Shown:
    """display_path of many files in a few folders, the folder's part worked out once: an
    abspath and a getcwd per file took a quarter of a rebuild's load at 10,000 files."""

    def __init__(self) -> None:
        self.prefixes: dict[str, str | None] = {}

    def __call__(self, path: str) -> str:
        folder, name = os.path.split(path)
        if folder not in self.prefixes:
            self.prefixes[folder] = _shown_prefix(folder, path[: len(path) - len(name)])
        prefix = self.prefixes[folder]
        return display_path(path) if prefix is None else prefix + name


def _shown_prefix(folder: str, written: str) -> str | None:
    """What display_path writes before the name of any file in folder (written: the folder
    as the path writes it, with its separator); None when that depends on the file."""
    absolute, cwd = os.path.abspath(folder), os.getcwd()
    real = _real_folder(absolute)
    if os.path.dirname(cwd) in (absolute, real):
        return None  # one of its files may be the working folder itself
    inside = cwd.rstrip(os.sep) + os.sep
    for candidate in (absolute, real):
        if candidate == cwd:
            return ""
        if candidate.startswith(inside):
            return candidate[len(inside) :] + os.sep
    return written


@functools.lru_cache(maxsize=256)
def _real_folder(folder: str) -> str:
    """realpath resolves every component with a system call; a tree has few folders."""
    return os.path.realpath(folder)


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document; a syntax error or a refused construct becomes a problem."""
    bad = control_problem(text, file)
    if bad:
        return None, [bad]
    try:
        scan(text)
        node = yaml.compose(text, Loader=_Loader)
        return (None if node is None else construct(node)), []
    except Refused as refused:
        return None, [refused.problem(file)]
    except yaml.MarkedYAMLError as error:
        return None, [yaml_problem(error, text, file)]
    except yaml.YAMLError as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, [Problem(file, 1, "", "yaml-error", "yaml-error", {"detail": detail})]
    except RecursionError:  # only without libyaml: the pure-Python composer recurses
        return None, [Problem(file, 1, "", "yaml-too-deep", "yaml-error", {"limit": MAX_DEPTH})]


def scan(text: str) -> None:
    """Refuse anchors and aliases, and nesting deeper than MAX_DEPTH, before composing.

    An alias copies nothing when loaded, but ten nested aliases of ten make 10^10 values for
    whatever walks them (and merge keys expand them while composing). Content never needs
    them. The scan reads the parser's events, so it runs only when the text could hold an
    alias or nest deeply: every level of nesting takes one of [ { - : ? (bounded below).
    """
    may_alias = "&" in text or "*" in text
    nesting_bound = sum(text.count(c) for c in "[{-:?")
    if not may_alias and nesting_bound <= SAFE_WITHOUT_SCAN:
        return
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise Refused(line, "yaml-alias", written=f"*{event.anchor}")
        if getattr(event, "anchor", None):
            raise Refused(line, "yaml-alias", written=f"&{event.anchor}")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(line, "yaml-too-deep", limit=MAX_DEPTH)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def control_problem(text: str, file: str) -> Problem | None:
    """The first character that cannot be in a text file (NUL, a vertical tab from Word, a
    form feed from a PDF...), at its line, with how many other lines have one."""
    bad = NOT_TEXT.search(text)
    if not bad:
        return None
    line = text.count("\n", 0, bad.start()) + 1
    others = len({text.count("\n", 0, m.start()) for m in NOT_TEXT.finditer(text)}) - 1
    if not others:
        more = Localized(en="", ja="")
    elif others == 1:
        more = Localized(en="; 1 other line has one too", ja="。ほかに1行にもあります")
    else:
        more = Localized(
            en=f"; {others} other lines have one too", ja=f"。ほかに{others}行にもあります"
        )
    return Problem(
        file,
        line,
        "",
        "control-character",
        "encoding-error",
        {"char": character(bad[0]), "more": more},
    )


# libyaml's words for a backslash in double quotes that starts no escape it knows.
BAD_ESCAPES = {
    "found unknown escape character": "yaml-escape",
    "found invalid Unicode character escape code": "yaml-unicode-escape",
}


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
    if problem.startswith("exceeded maximum nesting depth"):
        # libyaml (PyYAML 6.0.4 on) stops deep nesting itself, before our own count sees it.
        return Problem(file, line, "", "yaml-too-deep", "yaml-error", {"limit": MAX_DEPTH})
    if problem == "but found another document" and error.problem_mark:
        return Problem(file, error.problem_mark.line + 1, "", "yaml-documents", "yaml-error", {})
    if error.problem_mark and problem in BAD_ESCAPES:
        escape = _escape_at(text, error.problem_mark)
        at = error.problem_mark.line + 1
        return Problem(file, at, "", BAD_ESCAPES[problem], "yaml-error", {"escape": escape})
    detail = f"{problem} ({context})" if context and problem else problem or str(error)
    return Problem(file, line, "", "yaml-error", "yaml-error", {"detail": detail.splitlines()[0]})


def _escape_at(text: str, mark: yaml.Mark) -> str:
    """The escape libyaml stopped at, as written: \\p, \\ud800."""
    lines = text.splitlines()
    row = lines[mark.line] if mark.line < len(lines) else ""
    start = row.rfind("\\", 0, mark.column + 1)
    found = (
        re.match(r"\\(?:[uU][0-9A-Fa-f]{1,8}|x[0-9A-Fa-f]{1,2}|.)", row[start:])
        if start >= 0
        else None
    )
    return found[0] if found else "\\"


def _is_tab(text: str, mark: yaml.Mark) -> bool:
    lines = text.splitlines()
    return mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t"


def read_text(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8 (a BOM is allowed); bytes that are not UTF-8 become a problem.

    The size is checked before reading: a content file is a few kilobytes, and one of
    gigabytes (a video saved under the wrong name) must not be read into memory.
    """
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            detail = Localized(en="it is not a regular file", ja="通常のファイルではありません")
            return None, [Problem(file, None, "", "read-error", "read-error", {"detail": detail})]
        if status.st_size > MAX_FILE_BYTES:
            sizes = {"size": f"{status.st_size:,}", "limit": f"{MAX_FILE_BYTES:,}"}
            return None, [Problem(file, None, "", "file-too-large", "read-error", sizes)]
        raw = path.read_bytes()
    except OSError as error:
        return None, [
            Problem(file, None, "", "read-error", "read-error", {"detail": error.strerror})
        ]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(file, 1, "", "encoding-utf16", "encoding-error")]
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


def content_files(content: Path) -> list[tuple[str, str, int | None]]:
    """Every YAML file of the content tree, with its kind and fiscal year, in a stable order.

    A year folder with policies or projects needs its report.yaml: it is listed even when
    missing, so that load reports it instead of the model finding a year without a report.
    Paths are strings, written as pathlib writes them (see child): a Path per file took a
    third of a rebuild's load at 10,000 files.
    """
    root = str(content)
    found: list[tuple[str, str, int | None]] = [(child(root, "site.yaml"), "site", None)]
    found += [(p, "division", None) for p in yaml_files(child(root, "divisions"))]
    for folder in sorted(p for p in content.iterdir() if p.is_dir()):
        if not FISCAL_YEAR_FOLDER.match(folder.name):
            continue
        year = int(folder.name)
        policies = [(p, "policy", year) for p in yaml_files(child(str(folder), "policies"))]
        projects = [(p, "project", year) for p in yaml_files(child(str(folder), "projects"))]
        if (folder / "report.yaml").exists() or policies or projects:
            found.append((child(str(folder), "report.yaml"), "report", year))
        found += policies + projects
    return found


def child(folder: str, name: str) -> str:
    """str(Path(folder) / name) for a folder written as str(Path) writes it, without a Path."""
    if folder == ".":
        return name
    return folder + name if folder.endswith(os.sep) else folder + os.sep + name  # "/" ends so


def yaml_files(folder: str) -> list[str]:
    """sorted(Path(folder).glob("*.yaml")) as strings: the same files (links, folders and
    hidden names too), none when the folder is missing or cannot be listed."""
    if not Path(folder).is_dir():
        return []
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries if entry.name.endswith(".yaml")]
    except PermissionError:
        return []
    return [child(folder, name) for name in sorted(names)]


def refused_links(content: Path, outside: str = "link-outside") -> dict[str, Problem]:
    """Links in the content tree (or templates/, schema/: outside is then their problem's
    code) that point outside it, or nowhere; none of them is read.

    Content must be self-contained: a link to a file elsewhere would publish whatever that
    file holds (a link to /etc/passwd, to /proc/self/environ, or to another year's draft).
    The link itself is read with readlink for the message; its target never is.
    """
    root = os.path.realpath(content)
    refused = {}
    for path in sorted(links_below(str(content))):
        target = os.path.realpath(path)
        shown = os.readlink(path)
        if not os.path.exists(target):
            code = "link-broken"
        elif os.path.commonpath([root, target]) != root:
            code = outside
        else:
            continue  # a link to another file of the content is still the content
        refused[path] = Problem(display_path(path), None, "", code, "read-error", {"target": shown})
    return refused


def links_below(folder: str) -> Iterator[str]:
    """Every link below folder, without following any (os.scandir: no system call per file),
    its path written as content_files writes it."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_symlink():
                yield child(folder, entry.name)
            elif entry.is_dir():
                yield from links_below(child(folder, entry.name))


def _under(path: str, links: dict[str, Problem]) -> bool:
    """Whether path is one of the links or below one (paths as content_files writes them)."""
    return any(path == link or path.startswith(link + os.sep) for link in links)


def names_below(folder: str) -> Iterator[str]:
    """Every file and folder below folder, as os.walk finds them: it does not go into linked
    folders, nor into those it cannot list."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError:
        return
    for entry in entries:
        path = child(folder, entry.name)
        yield path
        try:
            walk_into = entry.is_dir() and not entry.is_symlink()
        except OSError:
            walk_into = False
        if walk_into:
            yield from names_below(path)


def _suffix(path: str) -> str:
    """Path(path).suffix: ".yaml" of a.yaml, but none of a file named .yaml."""
    name = path.rpartition(os.sep)[2]
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def stray_files(content: Path, known: set[str]) -> list[Problem]:
    """YAML files in places the build does not read: most likely a typo in a folder name."""
    problems = []
    named = [path for path in names_below(str(content)) if _suffix(path) in (".yaml", ".yml")]
    # In the order of sorted Paths, which compare part by part
    for path in sorted(named, key=lambda p: p.split(os.sep)):
        if path in known:
            continue
        if _suffix(path) == ".yml":
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


# Left in content/ by an import stopped while it moved its files in (importer.JOURNAL).
IMPORT_JOURNAL = ".import-journal.json"


def load(content: Path) -> Loaded:
    """Read every content file; unreadable files become problems, nothing is skipped silently."""
    loaded = Loaded([], [])
    _real_folder.cache_clear()  # folders may have become links since the last build
    links = refused_links(content)
    loaded.problems += links.values()
    files = content_files(content)
    shown = Shown()
    for path, kind, year in files:
        if links and _under(path, links):
            loaded.unread.append(Record(kind, shown(path), None, year))
            continue
        if not Path(path).exists():
            loaded.problems.append(missing_file(shown(path)))
            continue
        record, found = load_file(Path(path), kind, year)
        _add(loaded, record, found, None if record else Record(kind, shown(path), None, year))
    known = {p for p, _, _ in files} | set(links)
    loaded.problems += stray_files(content, known)
    journal = content / IMPORT_JOURNAL
    if journal.exists() or journal.is_symlink():  # half old, half new until it is finished
        loaded.problems.append(
            Problem(display_path(journal), None, "", "unfinished-import", "read-error")
        )
    if not any(kind == "project" for _, kind, _ in files):
        loaded.problems.append(Problem(display_path(content), None, "", "no-content", "no-content"))
    record, found = load_emblem(content, loaded.records)
    _add(loaded, record, found, None)
    for path in sorted((content / "pages").glob("*.md")):
        if _under(str(path), links):
            continue
        record, found = load_page(path)
        match = PAGE_NAME.match(path.name)
        unread = (
            Record("page", display_path(path), {**match.groupdict(), "text": None})
            if match
            else None
        )
        _add(loaded, record, found, unread)
    return loaded


def _add(
    loaded: Loaded, record: Record | None, problems: list[Problem], unread: Record | None
) -> None:
    loaded.problems += problems
    if record is not None:
        loaded.records.append(record)
    elif unread is not None:
        loaded.unread.append(unread)


EMBLEM_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(svg|png)$")  # shapes.py says why not
MAX_IMAGE_BYTES = 500_000
# What an SVG could run or fetch if someone opened the image itself, from the site's own
# address: scripts, event handlers, javascript: links, embedded HTML, other files.
UNSAFE_SVG = re.compile(
    rb"<script|<foreignobject|\son[a-z]+\s*=|javascript:|<!entity|(?:href|src)\s*=\s*[\"']?(?!#|data:image/)[a-z]",
    re.IGNORECASE,
)


def load_emblem(content: Path, records: list[Record]) -> tuple[Record | None, list[Problem]]:
    """The city's emblem that site.yaml names (city.emblem, a file beside it), as bytes for
    the site's static/ folder: Record("image", file, {"name", "bytes"})."""
    site = next((r for r in records if r.kind == "site" and isinstance(r.data, dict)), None)
    city = site.data.get("city") if site else None
    name = city.get("emblem") if isinstance(city, dict) else None
    if site is None or not isinstance(name, str) or not EMBLEM_NAME.match(name):
        return None, []
    line = city.key_lines.get("emblem") if isinstance(city, MarkedDict) else None
    path = content / name
    if not path.is_file():
        return None, [
            Problem(
                site.file, line, "city.emblem", "missing-image", "missing-image", {"name": name}
            )
        ]
    data = path.read_bytes()
    detail = None
    if len(data) > MAX_IMAGE_BYTES:
        detail = Localized(en="is over 500 KB", ja="500 KBを超えています")
    elif name.endswith(".svg") and UNSAFE_SVG.search(data):
        detail = Localized(
            en="has scripts, event handlers or links to other files",
            ja="スクリプト、イベント属性、ほかのファイルへのリンクのいずれかがあります",
        )
    if detail is not None:
        return None, [
            Problem(
                site.file,
                line,
                "city.emblem",
                "unsafe-image",
                "unsafe-image",
                {"name": name, "detail": detail},
            )
        ]
    return Record("image", display_path(path), {"name": name, "bytes": data}), []


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
    bad = control_problem(text, file)
    if bad:
        return None, [bad]
    text = unicodedata.normalize("NFC", text)
    if not text.endswith("\n"):
        text += "\n"  # a text file's last line ends with a line break, whatever the editor did
    return Record("page", file, {"slug": match["slug"], "lang": match["lang"], "text": text}), []
