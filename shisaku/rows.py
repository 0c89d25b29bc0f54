"""Records -> the published rows: every cell of every table, and the key each cell came from.

The rows are built from records that may still be wrong (validation reads them to find what
is), so every lookup here is tolerant: a missing or mistyped value gives an empty cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import figures, formats
from .load import MarkedDict, MarkedList, Record

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
TABLES = ("projects", "policies", "divisions")

Path_ = tuple[Any, ...]  # a key path inside a record: ("cost", 2023), ("basic_projects", 0, "id")


@dataclass
class Validated:
    """The records that passed validation and the published rows made from them."""

    records: list[Record]
    tables: dict[str, list[dict[str, Any]]]  # the published rows, by table name
    # the same rows with where each cell came from, while frictionless has yet to check them
    rows: dict[str, list[Row]] | None = None


@dataclass
class Row:
    """A published row, and where each of its cells came from."""

    record: Record
    cells: dict[str, Any]
    keys: dict[str, Path_]


def key_text(path: Path_, data: Any = None) -> str:
    """("basic_projects", 0, "name") -> basic_projects[0].name; ("cost", 2023) -> cost.2023"""
    out, node = "", data
    for part in path:
        if isinstance(node, list) or (node is None and isinstance(part, int) and out != "cost"):
            out += f"[{part}]"
        else:
            name = "null" if part is None else str(part)  # a key written as ~ or null
            out += f".{name}" if out else name
        node = get(node, (part,)) if node is not None else None
    return out


def line_of(data: Any, path: Path_) -> int:
    """The line of the deepest part of path that exists in the file."""
    line = getattr(data, "line", 1)
    node = data
    for part in path:
        if isinstance(node, MarkedDict) and part in node:
            line, node = node.key_lines[part], node[part]
        elif isinstance(node, MarkedList) and isinstance(part, int) and part < len(node):
            line, node = node.item_lines[part], node[part]
        else:
            break
    return line


def get(data: Any, path: Path_) -> Any:
    """The value at path, or None when any step is missing or of the wrong kind."""
    node = data
    for part in path:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        else:
            return None
    return node


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def cost_path(record: Record, year: int) -> Path_:
    costs = get(record.data, ("cost",))
    if isinstance(costs, dict) and year not in costs and str(year) in costs:
        return ("cost", str(year))
    return ("cost", year)


def project_rows(records: list[Record], site: Record | None) -> list[Row]:
    code = get(site.data, ("city", "code")) if site else None
    city = (
        "".join(str(get(site.data, ("city", k, "ja")) or "") for k in ("prefecture", "name"))
        if site
        else None
    )
    # Only text ids: an id written as a list or mapping cannot be looked up (or hashed).
    policies = {
        (r.fiscal_year, get(r.data, ("id",))): r.data
        for r in records
        if r.kind == "policy" and isinstance(get(r.data, ("id",)), str)
    }
    divisions = {
        get(r.data, ("id",)): r.data
        for r in records
        if r.kind == "division" and isinstance(get(r.data, ("id",)), str)
    }
    rows = []
    projects = [r for r in records if r.kind == "project" and isinstance(r.data, dict)]
    eras: dict[int, str] = {}
    keys_by_cost: dict[tuple[Path_, Path_], dict[str, Path_]] = {}
    for record in sorted(projects, key=_project_order):
        data, year = record.data, record.fiscal_year
        assert year is not None
        policy_id, division_id = data.get("policy"), data.get("division")
        policy = policies.get((year, policy_id)) if isinstance(policy_id, str) else None
        basic_project = _basic_project(policy, data.get("basic_project"))
        division = divisions.get(division_id) if isinstance(division_id, str) else None
        this_path, last_path = cost_path(record, year), cost_path(record, year - 1)
        this_cost, last_cost = get(data, this_path), get(data, last_path)
        # The same paths for nearly every row: one dict for them all (no one changes it).
        if (this_path, last_path) not in keys_by_cost:
            keys_by_cost[this_path, last_path] = _project_keys(this_path, last_path)
        if year not in eras:
            eras[year] = formats.wareki(year)
        name, summary = _text(data, "name"), _text(data, "summary")
        activities, division_name = _text(data, "activities"), _text(division, "name")
        policy_name, basic_project_name = _text(policy, "name"), _text(basic_project, "name")
        cells = {
            "全国地方公共団体コード": code,
            "ID": f"{year}-{data['id']}" if isinstance(data.get("id"), str) else None,
            "地方公共団体名": city,
            "年度": year,
            "年度_和暦": eras[year],
            "施策ID": policy_id,
            "施策名": policy_name[0],
            "施策名_英語": policy_name[1],
            "基本事業ID": data.get("basic_project"),
            "基本事業名": basic_project_name[0],
            "基本事業名_英語": basic_project_name[1],
            "事務事業ID": data.get("id"),
            "事務事業名": name[0],
            "事務事業名_英語": name[1],
            "事業概要": summary[0],
            "事業概要_英語": summary[1],
            "事業費（千円）": this_cost,
            "前年度事業費（千円）": last_cost,
            "増減額（千円）": figures.change(_int(this_cost), _int(last_cost)),
            "前年度比（％）": figures.ratio(_int(this_cost), _int(last_cost)),
            "取組内容": activities[0],
            "取組内容_英語": activities[1],
            "所管課ID": division_id,
            "所管課": division_name[0],
            "所管課_英語": division_name[1],
        }
        rows.append(Row(record, cells, keys_by_cost[this_path, last_path]))
    return rows


def _project_keys(this_path: Path_, last_path: Path_) -> dict[str, Path_]:
    """Where a project row's cells come from: only those written in its file; the others
    are looked up or computed."""
    return {
        "事務事業ID": ("id",),
        "施策ID": ("policy",),
        "基本事業ID": ("basic_project",),
        "所管課ID": ("division",),
        "事務事業名": ("name", "ja"),
        "事務事業名_英語": ("name", "en"),
        "事業概要": ("summary", "ja"),
        "事業概要_英語": ("summary", "en"),
        "取組内容": ("activities", "ja"),
        "取組内容_英語": ("activities", "en"),
        "事業費（千円）": this_path,
        "前年度事業費（千円）": last_path,
    }


def _text(data: Any, key: str) -> tuple[Any, Any]:
    """get(data, (key, "ja")) and get(data, (key, "en")), looking key up once."""
    text = data.get(key) if isinstance(data, dict) else None
    return (text.get("ja"), text.get("en")) if isinstance(text, dict) else (None, None)


def _project_order(record: Record) -> tuple[Any, ...]:
    order = get(record.data, ("order",))
    return (
        -(record.fiscal_year or 0),
        _int(order) or 0,
        str(get(record.data, ("id",))),
        record.file,
    )


def _basic_project(policy: Any, basic_project_id: Any) -> Any:
    basic_projects = get(policy, ("basic_projects",))  # not a list: validate says so
    for bp in basic_projects if isinstance(basic_projects, list) else []:
        if get(bp, ("id",)) == basic_project_id:
            return bp
    return None


def _joined(items: Any, lang: str) -> Any:
    """The plan's directions as one cell, one per line."""
    if not isinstance(items, list):
        return None
    texts = [get(item, (lang,)) for item in items]
    return "\n".join(texts) if all(isinstance(t, str) for t in texts) else None


def policy_rows(records: list[Record]) -> list[Row]:
    rows = []
    policies = [r for r in records if r.kind == "policy" and isinstance(r.data, dict)]
    for record in sorted(policies, key=_project_order):
        data, year = record.data, record.fiscal_year
        assert year is not None
        basic_projects = data.get("basic_projects")
        for i, bp in enumerate(basic_projects if isinstance(basic_projects, list) else []):
            keys: dict[str, Path_] = {
                "施策ID": ("id",),
                "施策名": ("name", "ja"),
                "施策名_カナ": ("name_kana",),
                "施策名_英語": ("name", "en"),
                "施策の基本的考え方": ("approach", "ja"),
                "施策の基本的考え方_英語": ("approach", "en"),
                "基本事業ID": ("basic_projects", i, "id"),
                "基本事業名": ("basic_projects", i, "name", "ja"),
                "基本事業名_英語": ("basic_projects", i, "name", "en"),
                "長期総合計画における方向性": ("basic_projects", i, "directions"),
                "長期総合計画における方向性_英語": ("basic_projects", i, "directions"),
            }
            cells = {
                "年度": year,
                "年度_和暦": formats.wareki(year),
                "施策ID": data.get("id"),
                "施策名": get(data, ("name", "ja")),
                "施策名_カナ": formats.katakana(data.get("name_kana")),
                "施策名_英語": get(data, ("name", "en")),
                "施策の基本的考え方": get(data, ("approach", "ja")),
                "施策の基本的考え方_英語": get(data, ("approach", "en")),
                "基本事業ID": get(bp, ("id",)),
                "基本事業名": get(bp, ("name", "ja")),
                "基本事業名_英語": get(bp, ("name", "en")),
                "長期総合計画における方向性": _joined(get(bp, ("directions",)), "ja"),
                "長期総合計画における方向性_英語": _joined(get(bp, ("directions",)), "en"),
            }
            rows.append(Row(record, cells, keys))
    return rows


def division_rows(records: list[Record]) -> list[Row]:
    divisions = [r for r in records if r.kind == "division" and isinstance(r.data, dict)]
    keys: dict[str, Path_] = {
        "所管課ID": ("id",),
        "所管課": ("name", "ja"),
        "所管課_カナ": ("name_kana",),
        "所管課_英語": ("name", "en"),
    }
    return [
        Row(
            r,
            {
                "所管課ID": r.data.get("id"),
                "所管課": get(r.data, ("name", "ja")),
                "所管課_カナ": formats.katakana(r.data.get("name_kana")),
                "所管課_英語": get(r.data, ("name", "en")),
            },
            keys,
        )
        for r in divisions
    ]
