"""A project's content file: its data from an imported row and the file it replaces, and the
YAML text of it written as people write them (key by key, texts by language, quotes only where
YAML would read something else)."""

from __future__ import annotations

import unicodedata
from typing import Any

from . import load
from .layouts import Imported

KEY_ORDER = ("id", "order", "policy", "basic_project", "division")


def project_data(p: Imported, existing: Any, languages: list[str]) -> dict[str, Any]:
    """The file's data: the row's, with the file's texts in the languages the row has not."""
    old = existing if isinstance(existing, dict) else {}

    def texts(key: str) -> dict[str, str]:
        row, kept = p.texts[key], old.get(key)
        kept = kept if isinstance(kept, dict) else {}
        return {
            lang: row[lang] if lang in row else str_or_none(kept.get(lang)) or ""
            for lang in languages
        }

    name = texts("name")
    old_name = old.get("name")
    # The report has no reading: the file's is kept while it is of the same Japanese name.
    kept = isinstance(old_name, dict) and old_name.get("ja") == name.get("ja")
    return {
        "id": p.id,
        "order": p.order,
        "policy": p.policy,
        "basic_project": p.basic_project,
        "division": p.division,
        "name": name,
        **({"name_kana": old["name_kana"]} if kept and "name_kana" in old else {}),
        "summary": texts("summary"),
        "cost": {p.fiscal_year: p.cost, p.fiscal_year - 1: p.previous_cost},
        "activities": texts("activities"),
    }


def project_yaml(data: dict[str, Any]) -> str:
    """A project file as people write them: key by key, texts by language, costs on one line."""
    lines = [f"{key}: {scalar(data[key])}" for key in KEY_ORDER]
    for key in ("name", "name_kana", "summary", "cost", "activities"):
        if key == "name_kana":
            lines += [f"name_kana: {scalar(data[key])}"] if data.get(key) is not None else []
            continue
        if key == "cost":
            costs = ", ".join(f"{year}: {scalar(v)}" for year, v in data["cost"].items())
            lines.append(f"cost: {{{costs}}}")
            continue
        lines.append(f"{key}:")
        for lang, text in data[key].items():
            if "\n" in text and fits_literal_block(text):
                lines.append(f"  {lang}: |-")
                lines += [f"    {line}" if line else "" for line in text.split("\n")]
            else:
                lines.append(f"  {lang}: {scalar(text)}")
    return "\n".join(lines) + "\n"


def scalar(value: Any) -> str:
    """A value on one line: plain where YAML reads it back as the same text, else in quotes."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    # Quoted when it starts with a digit too, as the hand-written files do ("4年ぶりに…").
    if text and not text[0].isdigit() and "\n" not in text and reads_back(text, text):
        return text
    return double_quoted(text)


def reads_back(written: str, text: str) -> bool:
    """Whether the loader reads `key: written` as this very text (not yes/no, a number, a date)."""
    data, problems = load.parse_yaml(f"key: {written}\n", "")
    return not problems and isinstance(data, dict) and data.get("key") == text


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar; escapes for what cannot stand as itself (line breaks, controls)."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char.isprintable() or unicodedata.category(char) == "Zs":
            out.append(char)  # 　 (U+3000) and other spaces stay as they are in the text
        elif ord(char) <= 0xFF:
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{ord(char):02X}"))
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(f"\\U{ord(char):08X}")
    return '"' + "".join(out) + '"'


def fits_literal_block(text: str) -> bool:
    """Whether `|-` keeps the text exactly: no spaces at the ends of lines, nothing unprintable."""
    lines = text.split("\n")
    return (
        bool(lines[0])
        and bool(lines[-1])
        and all(line == line.strip() for line in lines)
        and all(c.isprintable() or unicodedata.category(c) == "Zs" for c in text.replace("\n", ""))
    )


def str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
