"""`import`: a spreadsheet (.xlsx or .csv) -> content/{year}/projects/*.yaml.

Two layouts are read, each found by its header labels wherever the table starts:

- the report's own table: 事務事業名, 事業概要, 事業費（千円） under the two fiscal years,
  増減額（千円）, 前年度比（％）, 令和5年度の取組み, 所管課. The printed 増減額 and 前年度比
  are checked against the costs; a project keeps the id of the same name in content/.
- our published projects table (the columns of schema/projects.json), so the published data
  reads back: build -> import -> build gives the same bytes.

Everything is read and checked before anything is written, and a problem writes nothing. New
files are written; existing files change only with --force (without it, their diffs are shown).

sheets.py reads the file into grids of cells, printed.py the figures and years in them,
layouts.py finds the table and reads its rows, project_file.py writes a project's YAML; here
the rows are matched with content/, the changes planned and written, the summary printed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import history, load
from .fingerprint import NO_FOLLOW
from .layouts import ID, TEXT_KEYS, Imported, Table, find_table, read_projects
from .problems import (
    LANGUAGE_NAMES,
    Localized,
    Problem,
    print_problems,
    quote,
)
from .progress import Progress
from .project_file import project_data, project_yaml, str_or_none
from .sheets import compact, read_error, read_grids

PLACEHOLDER_ID = re.compile(r"^project-([0-9]+)$")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file",
        type=Path,
        help="the report's table, or our published projects table (.xlsx or .csv)",
    )
    p.add_argument(
        "--year",
        type=int,
        metavar="YYYY",
        help="the fiscal year reviewed; the report's year headers must agree "
        "(our published table: import only this year's rows)",
    )
    p.add_argument("--policy", metavar="ID", help="the policy of the report's projects")
    p.add_argument(
        "--basic-project", metavar="ID", help="the basic project of the report's projects"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="change existing files (without it: show their diffs and write nothing)",
    )


@dataclass(frozen=True)
class Options:
    year: int | None = None
    policy: str | None = None
    basic_project: str | None = None
    force: bool = False


# -- What content/ already has -----------------------------------------------------------------
@dataclass
class Content:
    """What the import needs to know of content/."""

    root: Path
    languages: list[str]
    divisions: dict[str, str]  # compacted Japanese name -> id
    projects: dict[tuple[int, str], load.Record]  # (fiscal year, id) -> its file
    policies: dict[int, dict[str, list[str]]]  # fiscal year -> policy -> its basic projects
    names: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # name -> (year, id)
    taken: set[str] = field(default_factory=set)  # every id and project file name in use


def read_content(root: Path) -> tuple[Content | None, list[Problem]]:
    if not root.is_dir():
        return None, [read_error(load.display_path(root), "not a folder")]
    loaded = load.load(root)
    # An empty content folder is where a first import goes; stray files are not its business.
    ignored = ("no-content", "unexpected-file")
    problems = [p for p in loaded.problems if p.code not in ignored]
    records = [r for r in loaded.records if isinstance(r.data, dict)]
    site = next((r.data for r in records if r.kind == "site"), {})
    languages = site.get("languages")
    if not (isinstance(languages, list) and all(isinstance(x, str) for x in languages)):
        languages = ["ja", "en"]
    content = Content(root, list(languages), {}, {}, {})
    for record in records:
        add_record(content, record)
    return content, problems


def add_record(content: Content, record: load.Record) -> None:
    data, year = record.data, record.fiscal_year
    if record.kind == "division" and isinstance(data.get("id"), str):
        name = data.get("name")
        if isinstance(name, dict) and isinstance(name.get("ja"), str):
            content.divisions[compact(name["ja"])] = data["id"]
    elif record.kind == "policy" and year is not None and isinstance(data.get("id"), str):
        basic_projects = data.get("basic_projects")
        ids = [
            bp["id"]
            for bp in (basic_projects if isinstance(basic_projects, list) else [])
            if isinstance(bp, dict) and isinstance(bp.get("id"), str)
        ]
        content.policies.setdefault(year, {})[data["id"]] = ids
    elif record.kind == "project" and year is not None and isinstance(data.get("id"), str):
        content.projects[year, data["id"]] = record
        content.taken |= {data["id"], Path(record.file).stem}
        name = data.get("name")
        if isinstance(name, dict) and isinstance(name.get("ja"), str):
            content.names.setdefault(compact(name["ja"]), []).append((year, data["id"]))


def id_for_name(content: Content, name: str, fiscal_year: int) -> str | None:
    """The id of the project of this name: the fiscal year's own, else the newest year's."""
    found = content.names.get(compact(name), [])
    return max(found, key=lambda f: (f[0] == fiscal_year, f[0]))[1] if found else None


def placeholder_id(content: Content) -> str:
    """project-<n>, the next n not in use: stable for the same content and rows."""
    numbers = [int(m[1]) for m in map(PLACEHOLDER_ID.match, content.taken) if m]
    new = f"project-{max(numbers, default=0) + 1}"
    content.taken.add(new)
    return new


# -- Matching the rows with content/ -----------------------------------------------------------
def match_content(
    projects: list[Imported], table: Table, content: Content, options: Options
) -> tuple[list[str], list[Problem]]:
    """Ids, divisions, policies and basic projects for each project; the placeholder ids made.

    A wrong value in many rows (an unknown 所管課, a missing --policy) is one problem, at its
    first cell.
    """
    grid, columns = table.grid, table.columns
    problems: list[Problem] = []
    placeholders: list[str] = []
    reported: set[tuple[Any, ...]] = set()
    first_of_name: dict[str, Imported] = {}
    first_of_id: dict[tuple[int, str], Imported] = {}
    for p in projects:
        found: list[tuple[tuple[Any, ...], Problem]] = []
        if table.layout == "report":
            name = compact(p.texts["name"]["ja"])
            if name in first_of_name:
                first = grid.address(first_of_name[name].row, columns["name"])
                value = quote(p.texts["name"]["ja"])
                problem = grid.problem(
                    p.row, columns["name"], "import-duplicate-name", value=value, first=first
                )
                problems.append(problem)
                continue
            first_of_name[name] = p
            if match_report_row(p, content, options):
                placeholders.append(str(p.id))
        assert p.id is not None
        if (p.fiscal_year, p.id) in first_of_id and ID.match(p.id):
            first = grid.address(first_of_id[p.fiscal_year, p.id].row, columns["id"])
            problem = grid.problem(
                p.row, columns["id"], "duplicate-id", "unique-error", value=quote(p.id), other=first
            )
            problems.append(problem)
        first_of_id.setdefault((p.fiscal_year, p.id), p)
        found += division_problems(p, table, content)
        found += policy_problems(p, table, content)
        for key, problem in found:
            if key not in reported:
                reported.add(key)
                problems.append(problem)
    return placeholders, problems


def match_report_row(p: Imported, content: Content, options: Options) -> bool:
    """The id of the same name in content/ (else a placeholder: True), division, policy."""
    name = p.texts["name"]["ja"]
    p.id = id_for_name(content, name, p.fiscal_year)
    made_up = p.id is None
    if p.id is None:
        p.id = placeholder_id(content)
    existing = content.projects.get((p.fiscal_year, p.id))
    old = existing.data if existing else {}
    # A file already there keeps its policy unless the options say otherwise.
    p.policy = options.policy or str_or_none(old.get("policy"))
    p.basic_project = options.basic_project or str_or_none(old.get("basic_project"))
    p.division = content.divisions.get(compact(p.division_name))
    return made_up


def division_problems(
    p: Imported, table: Table, content: Content
) -> list[tuple[tuple[Any, ...], Problem]]:
    """所管課 not in content/divisions/: name the file to add. Keyed to report each value once."""
    grid, col = table.grid, table.columns["division"]
    if table.layout == "report":
        if p.division is not None or not p.division_name:
            return []  # an empty 所管課 was reported as the row was read
        value, expected = p.division_name, f"<id>.yaml (name: {{ja: {p.division_name}, en: …}})"
    elif not p.division:
        return [(("required", p.row), grid.problem(p.row, col, "required", "constraint-error"))]
    elif p.division in content.divisions.values():
        return []
    else:
        value, expected = p.division, f"{p.division}.yaml"
    folder = load.display_path(content.root / "divisions")
    problem = grid.problem(
        p.row,
        col,
        "import-unknown-division",
        value=quote(value),
        folder=f"{folder}/",
        expected=f"{folder}/{expected}",
    )
    return [(("division", value), problem)]


def policy_problems(
    p: Imported, table: Table, content: Content
) -> list[tuple[tuple[Any, ...], Problem]]:
    """The policy and basic project must be those of the fiscal year in content/."""
    grid, report = table.grid, table.layout == "report"
    known = content.policies.get(p.fiscal_year, {})
    key = ("policy", p.fiscal_year, p.policy, p.basic_project)

    def at(role: str, code: str, kind: str, **params: Any) -> list[tuple[Any, Problem]]:
        # The report's table names no policy: the problem is in the option given (or not).
        if report:
            option = "--" + role.replace("_", "-")
            return [(key, Problem(grid.file, None, option, code, kind, params))]
        return [(key, grid.problem(p.row, table.columns[role], code, kind, **params))]

    basic_projects = known.get(p.policy or "", [])
    if not p.policy or not p.basic_project:
        role = "policy" if not p.policy else "basic_project"
        if not report:
            return at(role, "required", "constraint-error")
        what = {"policy": Localized(en="policy", ja="施策")}.get(
            role, Localized(en="basic project", ja="基本事業")
        )
        listed = sorted(known) if role == "policy" else basic_projects
        return at(
            role,
            "import-missing-option",
            "missing-option",
            what=what,
            option="--" + role.replace("_", "-"),
            known=", ".join(listed) or "-",
        )
    if p.policy not in known:
        folder = load.display_path(content.root / str(p.fiscal_year) / "policies")
        return at(
            "policy",
            "import-unknown-policy",
            "unknown-policy",
            value=quote(p.policy),
            fiscal_year=p.fiscal_year,
            known=", ".join(sorted(known)) or "-",
            expected=f"{folder}/{p.policy}.yaml",
        )
    if p.basic_project not in basic_projects:
        return at(
            "basic_project",
            "import-unknown-basic-project",
            "unknown-basic-project",
            value=quote(p.basic_project),
            policy=p.policy,
            known=", ".join(basic_projects) or "-",
        )
    return []


# -- The plan: what would be created, updated or left -----------------------------------------
@dataclass
class Change:
    path: Path
    file: str  # as shown
    status: str  # created, updated or unchanged
    old: str  # the file's text now; "" for a new file
    new: str
    data: dict[str, Any]


@dataclass
class Plan:
    changes: list[Change]
    placeholders: list[str]  # ids made up for names never seen
    languages: list[str]
    # the 前年度 figures that disagree with the years beside them in content/ (check's errors)
    history: list[Problem] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.changes)

    @property
    def needs_force(self) -> bool:
        return any(c.status == "updated" for c in self.changes)


def plan_changes(projects: list[Imported], content: Content, placeholders: list[str]) -> Plan:
    changes = []
    for p in projects:
        assert p.id is not None
        existing = content.projects.get((p.fiscal_year, p.id))
        if existing is not None:
            path = Path(existing.file)
        else:
            path = content.root / str(p.fiscal_year) / "projects" / f"{p.id}.yaml"
        data = project_data(p, existing.data if existing else None, content.languages)
        old = path.read_text(encoding="utf-8") if existing else ""
        if existing is not None and existing.data == data:
            # The same data: a hand-written file keeps its own quoting and layout.
            changes.append(Change(path, existing.file, "unchanged", old, old, data))
            continue
        status = "updated" if existing else "created"
        changes.append(Change(path, load.display_path(path), status, old, project_yaml(data), data))
    plan = Plan(changes, placeholders, content.languages)
    plan.history = history_problems(plan, content)
    return plan


# Beside content/'s files while an import moves its files in: the list of moves, written
# once every file is written aside. An import killed after it is finished by the next one
# (and the build refuses to read content/ until then), so content/ is never half old, half new.
JOURNAL = load.IMPORT_JOURNAL


def journal_file(root: Path) -> Path:
    return root / JOURNAL


def finish_interrupted(root: Path) -> int:
    """The moves of an import killed while it moved its files in, done now: how many."""
    journal = journal_file(root)
    if not journal.is_file() or journal.is_symlink():
        return 0
    moves = json.loads(journal.read_text(encoding="utf-8"))
    done = 0
    for aside, path in moves:
        if Path(aside).is_file():
            os.replace(aside, path)
            done += 1
    journal.unlink()
    return done


def write_new(path: Path, text: str) -> None:
    """A file of this run's own: what was there before (a killed run's, or a link) is removed,
    and the new one made exclusively, so that no link is written through."""
    path.unlink(missing_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NO_FOLLOW
    with os.fdopen(os.open(path, flags, 0o644), "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


def write_changes(plan: Plan, root: Path) -> list[Problem]:
    """Every new and changed file, or none: each is written aside first, then, with the list
    of moves kept in content/ (JOURNAL) until the last is done, moved in place."""
    staged: list[tuple[Path, Path]] = []
    problems = []
    for change in plan.changes:
        if change.status == "unchanged":
            continue
        aside = change.path.with_name(f".{change.path.name}.import")
        try:
            change.path.parent.mkdir(parents=True, exist_ok=True)
            write_new(aside, change.new)
            staged.append((aside, change.path))
        except OSError as error:
            detail = error.strerror or str(error)
            problems.append(
                Problem(
                    change.file, None, "", "import-write-error", "write-error", {"detail": detail}
                )
            )
    if problems:
        for aside, _ in staged:
            aside.unlink(missing_ok=True)
        return problems
    journal = journal_file(root)
    partial = journal.with_name(journal.name + ".partial")
    write_new(partial, json.dumps([[str(a), str(p)] for a, p in staged]))
    os.replace(partial, journal)  # from here on, the import is done, by this run or the next
    for aside, path in staged:
        os.replace(aside, path)
    journal.unlink()
    return []


def diff_lines(change: Change) -> list[str]:
    """The change as a unified diff, every line ending in a line break."""
    lines = difflib.unified_diff(
        change.old.splitlines(keepends=True),
        change.new.splitlines(keepends=True),
        fromfile=change.file if change.old else "/dev/null",
        tofile=change.file,
    )
    return [line if line.endswith("\n") else line + "\n" for line in lines]


# -- What the command prints -------------------------------------------------------------------
TEXTS = {
    "finished": {
        "en": "An import that was stopped while it moved its files in has been finished: "
        "{count} files.",
        "ja": "ファイルの移動中に止まった取り込みを完了しました（{count} ファイル）。",
    },
    "done": {
        "en": "{created} created, {updated} updated, {unchanged} unchanged, 0 problems.",
        "ja": "作成 {created} 件、更新 {updated} 件、変更なし {unchanged} 件、問題 0 件。",
    },
    "dry-run": {
        "en": "{created} to create, {updated} to update, {unchanged} unchanged, 0 problems. "
        "Nothing was written: existing files are changed only with --force.",
        "ja": "作成予定 {created} 件、更新予定 {updated} 件、変更なし {unchanged} 件、問題 0 件。"
        "既存のファイルは --force を付けたときだけ書き換えるため、何も書き出していません。",
    },
    "placeholders": {
        "en": "{count} new projects have placeholder ids ({ids}): before they are first "
        "published, rename each file and its id to a readable slug (a-z, 0-9, hyphens), or to "
        "the id of an earlier year if only the project's name changed; ids never change after.",
        "ja": "新しい事務事業 {count} 件に仮のID（{ids}）を付けました。初めて公開する前に、"
        "ファイル名とIDを読みやすい英小文字のID（a-z・0-9・ハイフン）に変えてください。"
        "名称だけが変わった事業なら、前の年度のIDにしてください。公開後のIDは変えません。",
    },
    "empty-texts": {
        "en": 'The {language} texts of {count} projects are empty (""): fill them in; '
        "python build.py check lists them.",
        "ja": '{count} 件の事務事業の{language}のテキストが空（""）です。記入してください'
        "（python build.py check で一覧できます）。",
    },
    "history": {
        "en": "{count} of these figures disagree with another year's report (above): "
        "python build.py check reports them until each is corrected or explained.",
        "ja": "{count} 件の数値が別の年度の報告書と合いません（上記）。直すか理由を書くまで、"
        "python build.py check が問題として示します。",
    },
    "created": {"en": "created: {file}", "ja": "作成: {file}"},
    "updated": {"en": "updated: {file}", "ja": "更新: {file}"},
    "unchanged": {"en": "unchanged: {file}", "ja": "変更なし: {file}"},
}


def say(name: str, lang: str, **params: Any) -> str:
    texts = TEXTS[name]
    return texts.get(lang, texts["en"]).format(**params)


def print_summary(plan: Plan, dry_run: bool, verbose: bool, lang: str, out: TextIO) -> None:
    if verbose:
        for change in plan.changes:
            print(say(change.status, lang, file=change.file), file=out)
    counts = {s: plan.count(s) for s in ("created", "updated", "unchanged")}
    print(say("dry-run" if dry_run else "done", lang, **counts), file=out)
    if plan.placeholders:
        ids = ", ".join(plan.placeholders)
        print(say("placeholders", lang, count=len(plan.placeholders), ids=ids), file=out)
    written = [c for c in plan.changes if c.status != "unchanged"]
    for language in plan.languages:
        empty = sum(any(c.data[key][language] == "" for key in TEXT_KEYS) for c in written)
        if empty:
            name = LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES["en"]).get(language, language)
            print(say("empty-texts", lang, language=name, count=empty), file=out)


def history_problems(plan: Plan, content: Content) -> list[Problem]:
    """The 前年度 figures of the files as they would be written, against the years beside
    them in content/: what `check` will say of them (history.previous_cost)."""
    found = []
    for change in plan.changes:
        data, _ = load.parse_yaml(change.new, change.file)
        year = next(iter(change.data["cost"]))
        record = load.Record("project", change.file, data, year)
        before = content.projects.get((year - 1, change.data["id"]))
        after = content.projects.get((year + 1, change.data["id"]))
        found += history.previous_cost(record, before) if before else []
        found += history.previous_cost(after, record) if after else []
    return found


def print_history(problems: list[Problem], lang: str) -> None:
    """Said, but the import goes on: the table is what the report prints, and the reason
    for a restatement is for people to write."""
    for item in problems:
        print(item.format(lang), file=sys.stderr)
    if problems:
        print(say("history", lang, count=len(problems)), file=sys.stderr)


# -- The command -------------------------------------------------------------------------------
def prepare(
    file: Path, root: Path, options: Options, progress: Progress
) -> tuple[Plan | None, list[Problem]]:
    """Read the spreadsheet and content/, check every row: what would change, or the problems."""
    shown = load.display_path(file)
    with progress.stage("read") as stage:
        grids, problems = read_grids(file, shown)
        if problems:
            return None, problems
        table, problems = find_table(grids, shown, options.year)
        if table is None or problems:
            return None, problems
        projects, problems = read_projects(table, options.year)
        stage.advance(len(projects))
    with progress.stage("compare") as stage:
        content, found = read_content(root)
        problems += found
        if content is None:
            return None, problems
        placeholders, found = match_content(projects, table, content, options)
        problems += found
        if problems:
            return None, problems
        plan = plan_changes(projects, content, placeholders)
        stage.advance(len(plan.changes))
    return plan, []


def run(args: argparse.Namespace, lang: str) -> int:
    progress = Progress(quiet=args.quiet, verbose=args.verbose, lang=lang)
    options = Options(args.year, args.policy, args.basic_project, args.force)
    finished = finish_interrupted(args.content)
    if finished and not args.quiet:
        print(say("finished", lang, count=finished), file=sys.stderr)
    plan, problems = prepare(args.file, args.content, options, progress)
    if plan is None or problems:
        return print_problems(problems, lang)
    dry_run = plan.needs_force and not options.force
    if dry_run:
        if not args.quiet:
            for change in plan.changes:
                sys.stdout.writelines(diff_lines(change))
    else:
        with progress.stage("write"):
            problems = write_changes(plan, args.content)
        if problems:
            return print_problems(problems, lang)
    if not args.quiet:
        print_summary(plan, dry_run, args.verbose, lang, sys.stdout)
    print_history(plan.history, lang)
    progress.total()
    return 0
