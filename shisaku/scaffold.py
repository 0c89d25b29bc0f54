"""`new`: a content file to fill in, with every key present and a comment on each in Japanese and English.

python build.py new project ID --year 2024 --policy P --basic-project B --division D
python build.py new division ID
python build.py new year 2024        (report.yaml, and the policies copied from the year before)
python build.py new year 2024 --carry    (and the projects that go on, to fill in)
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path
from typing import Any

from . import load
from .formats import wareki
from .problems import Localized, Problem, print_problems, quote
from .project_file import KEY_ORDER, project_yaml
from .rows import cost_path, get

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

PROJECT = """\
# 事務事業 / Administrative project
# 記入したら `python build.py check` で確かめてください。
# Fill in every "" and null, then run `python build.py check`.
id: {id}  # URLとデータのID。英小文字・数字・ハイフン。公開後は変えない / The URL and data ID: a-z, 0-9, hyphens; never change it once published
order: {order}  # 報告書の表での順番 / Position in the report's table
policy: {policy}  # 施策のID（content/{year}/policies/） / The policy's id
basic_project: {basic_project}  # 基本事業のID（施策のファイルの basic_projects） / The basic project's id, from the policy file
division: {division}  # 所管課のID（content/divisions/） / The division's id
name:  # 事務事業名 / Project name
  ja: ""
  en: ""
summary:  # 事業概要（報告書のとおり） / Summary, as the report prints it
  ja: ""
  en: ""
cost: {{{year}: "", {previous}: ""}}  # 事業費（千円）: 当年度と前年度。報告書の「-」は null / Cost in thousand yen, this year and last; null where the report prints "-"
activities:  # {wareki}の取組み / What was done in FY{year}
  ja: ""
  en: ""
# 必要なときだけ、行頭の # を消して書きます / Only when needed: remove the # and fill in
# name_kana: ""  # 事務事業名の読み（ひらがなかカタカナ、空白なし） / The name's reading in hiragana or katakana, no spaces
# previous_cost_note:  # 前年度の事業費が前年度の報告書と違う理由 / Why last year's cost differs from last year's report
#   ja: ""
#   en: ""
# end_note:  # この年度で終わる理由（終了・廃止） / Why the project ends after this fiscal year
#   ja: ""
#   en: ""
# merged_into: other-project-id  # 翌年度に引き継ぐ事務事業のID（統合） / The next year's project it goes on as part of
"""

DIVISION = """\
# 所管課 / Division
id: {id}  # 所管課のID。英小文字・数字・ハイフン / The division's id: a-z, 0-9, hyphens
name:  # 課の名前 / The division's name
  ja: ""
  en: ""
# name_kana: ""  # 課の名前の読み（ひらがなかカタカナ。必要なときだけ # を消して） / The name's reading in hiragana or katakana (only when needed: remove the #)
# contact:  # 問い合わせ先（課と事務事業のページに表示。書くものだけ # を消して） / How residents reach it (shown on its pages: remove the # of the lines you give)
#   phone: 042-000-0000  # 電話番号（半角数字とハイフン） / Telephone, half-width digits and hyphens
#   email: name@example.lg.jp  # メールアドレス / E-mail address
#   url: https://www.city.example.lg.jp/...  # 課のウェブページ / The division's web page
#   address:  # 所在地 / Where it is
#     ja: ""
#     en: ""
"""

REPORT = """\
# 施策報告書 / Policy report for FY{year}
title:  # 報告書の題名（例：令和７年度施策報告書（令和６年度振り返り）） / The report's title
  ja: ""
  en: ""
# source:  # 市が公開している報告書（PDFなど）。各ページの出典からリンクします / The official publication, linked from every page's source line
#   url: https://www.city.example.lg.jp/...
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=["project", "division", "year"], help="what to add")
    p.add_argument(
        "id", help="the new project's or division's id (a-z, 0-9, hyphens), or the fiscal year"
    )
    p.add_argument("--year", type=int, help="project: the fiscal year reviewed (西暦), e.g. 2024")
    p.add_argument("--policy", help="project: the policy's id")
    p.add_argument("--basic-project", help="project: the basic project's id")
    p.add_argument("--division", help="project: the division's id")
    p.add_argument(
        "--carry",
        action="store_true",
        help="year: also write every project of the year before that goes on (no end_note, "
        "no merged_into), with last year's cost as 前年度 and the activities to fill in",
    )


def run(args: argparse.Namespace, lang: str) -> int:
    content: Path = args.content
    make = {"project": new_project, "division": new_division, "year": new_year}[args.kind]
    written, problems = make(content, args)
    if problems:
        return print_problems(problems, lang)
    for path in written:
        print(load.display_path(path))
    return 0


def usage(text_en: str, text_ja: str, file: str = "") -> Problem:
    return Problem(
        file or "new", None, "", "invalid", "usage", {"detail": Localized(en=text_en, ja=text_ja)}
    )


def new_project(content: Path, args: argparse.Namespace) -> tuple[list[Path], list[Problem]]:
    missing = [
        f"--{name.replace('_', '-')}"
        for name in ("year", "policy", "basic_project", "division")
        if not getattr(args, name)
    ]
    if missing:
        names = ", ".join(missing)
        return [], [usage(f"a new project needs {names}", f"新しい事務事業には {names} が必要です")]
    year = args.year
    problems = check_id(args.id) + check_references(
        content, year, args.policy, args.basic_project, args.division
    )
    path = content / str(year) / "projects" / f"{args.id}.yaml"
    if path.exists():
        problems.append(exists(path))
    if problems:
        return [], problems
    text = PROJECT.format(
        id=args.id,
        order=next_order(path.parent),
        policy=args.policy,
        basic_project=args.basic_project,
        division=args.division,
        year=year,
        previous=year - 1,
        wareki=wareki(year),
    )
    return write(path, text), []


def new_division(content: Path, args: argparse.Namespace) -> tuple[list[Path], list[Problem]]:
    path = content / "divisions" / f"{args.id}.yaml"
    problems = check_id(args.id) + ([exists(path)] if path.exists() else [])
    return ([], problems) if problems else (write(path, DIVISION.format(id=args.id)), [])


def new_year(content: Path, args: argparse.Namespace) -> tuple[list[Path], list[Problem]]:
    """A fiscal-year folder: report.yaml to fill in, and last year's policies to review."""
    if not re.fullmatch(r"[0-9]{4}", args.id):
        return [], [
            usage(
                f"{quote(args.id)} is not a fiscal year such as 2024",
                f"{quote(args.id)} は 2024 のような年度ではありません",
            )
        ]
    year = int(args.id)
    folder = content / str(year)
    if (folder / "report.yaml").exists():
        return [], [exists(folder / "report.yaml")]
    earlier = sorted(
        int(p.name)
        for p in content.iterdir()
        if p.is_dir() and p.name.isdigit() and int(p.name) < year
    )
    if earlier and earlier[-1] < year - 1:
        # A year skipped would leave its projects' 前年度 unchecked and the newest report's
        # projects "ended": the year reviewed comes after the newest, one at a time.
        return [], [skipped_year(content / str(year - 1), earlier[-1])]
    written = write(folder / "report.yaml", REPORT.format(year=year))
    (folder / "projects").mkdir(parents=True, exist_ok=True)
    if earlier:
        # The plan's policies rarely change from year to year: start from last year's and edit.
        for policy in sorted((content / str(earlier[-1]) / "policies").glob("*.yaml")):
            target = folder / "policies" / policy.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(policy, target)
            written.append(target)
    if earlier and args.carry:
        written += carry_projects(content / str(earlier[-1]) / "projects", earlier[-1], year)
    return written, []


def carry_projects(source: Path, last: int, year: int) -> list[Path]:
    """The projects of fiscal year `last` that go on, written into year's folder: the same
    id, names, summary, division, policy and order; last year's cost as 前年度 (when last is
    the year before); this year's cost and the activities to fill in. A file that cannot be
    read, or that ends (end_note, merged_into), is not carried."""
    written = []
    for path in sorted(source.glob("*.yaml")):
        record, _ = load.load_file(path, "project", last)
        data = record.data if record else None
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in CARRIED):
            continue
        if data.get("end_note") is not None or data.get("merged_into") is not None:
            continue
        previous = get(data, cost_path(record, year - 1)) if last == year - 1 else None
        texts = {key: _texts(data.get(key)) for key in ("name", "summary")}
        carried = {
            **{key: data.get(key) for key in KEY_ORDER},
            **texts,
            "name_kana": data.get("name_kana") if isinstance(data.get("name_kana"), str) else None,
            # "" until filled in (check says so); null would mean the report prints "-"
            "cost": {year: "", year - 1: previous if isinstance(previous, int) else ""},
            "activities": {lang: "" for lang in texts["name"]},
        }
        written += write(
            path.parent.parent.parent / str(year) / "projects" / path.name, project_yaml(carried)
        )
    return written


CARRIED = ("id", "policy", "basic_project", "division")  # a project file's own references


def _texts(value: Any) -> dict[str, str]:
    """A text in every language the file gives, "" where it is not text ({ja, en} at least)."""
    value = value if isinstance(value, dict) else {}
    languages = dict.fromkeys([*(k for k in value if isinstance(k, str)), "ja", "en"])
    return {lang: value[lang] if isinstance(value.get(lang), str) else "" for lang in languages}


def check_id(value: str) -> list[Problem]:
    if SLUG.match(value):
        return []
    return [
        usage(
            f"{quote(value)} is not a valid id: use lowercase letters a-z, digits and single hyphens",
            f"{quote(value)} はIDとして使えません。英小文字a-z・数字・ハイフンで書いてください",
        )
    ]


def check_references(
    content: Path, year: int, policy: str, basic_project: str, division: str
) -> list[Problem]:
    """The policy, basic project and division a new project names must already exist."""
    problems = []
    policy_file = content / str(year) / "policies" / f"{policy}.yaml"
    known_policies = sorted(p.stem for p in (content / str(year) / "policies").glob("*.yaml"))
    if not policy_file.exists():
        problems.append(
            usage(
                f"there is no policy {quote(policy)} in {year}; known: {', '.join(known_policies) or '-'} (add the year with `python build.py new year {year}`)",
                f"{year}年度に施策 {quote(policy)} はありません。あるもの: {', '.join(known_policies) or '-'}（年度は `python build.py new year {year}` で追加できます）",
            )
        )
    else:
        record, _ = load.load_file(policy_file, "policy", year)
        basic_projects = (
            [bp.get("id") for bp in (record.data.get("basic_projects") or [])]
            if record and isinstance(record.data, dict)
            else []
        )
        if basic_project not in basic_projects:
            problems.append(
                usage(
                    f"the policy {policy} has no basic project {quote(basic_project)}; known: {', '.join(map(str, basic_projects)) or '-'}",
                    f"施策 {policy} に基本事業 {quote(basic_project)} はありません。あるもの: {', '.join(map(str, basic_projects)) or '-'}",
                )
            )
    divisions = sorted(p.stem for p in (content / "divisions").glob("*.yaml"))
    if division not in divisions:
        problems.append(
            usage(
                f"there is no division {quote(division)}; known: {', '.join(divisions) or '-'} (add one with `python build.py new division ID`)",
                f"所管課 {quote(division)} はありません。あるもの: {', '.join(divisions) or '-'}（`python build.py new division ID` で追加できます）",
            )
        )
    return problems


def next_order(folder: Path) -> int:
    """One after the last project of the year, so a new file goes to the end of the table."""
    orders = []
    for path in folder.glob("*.yaml"):
        record, _ = load.load_file(path, "project")
        if record and isinstance(record.data, dict) and isinstance(record.data.get("order"), int):
            orders.append(record.data["order"])
    return max(orders, default=0) + 1


def skipped_year(missing: Path, newest: int) -> Problem:
    year = int(missing.name)
    return usage(
        f"the newest report is FY{newest}: make FY{year} first (python build.py new year "
        f"{year}); the folder is named by the fiscal year the report reviews",
        f"いちばん新しい報告書は{newest}年度です。先に{year}年度を作ってください"
        f"（python build.py new year {year}）。フォルダの名前は報告書が振り返る年度です",
        load.display_path(missing),
    )


def exists(path: Path) -> Problem:
    return usage(
        "this file exists already; nothing was written",
        "このファイルはすでにあります。何も書き出していません",
        load.display_path(path),
    )


def write(path: Path, text: str) -> list[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return [path]
