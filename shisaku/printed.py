"""Figures and fiscal years as a report prints them, read from their cells into numbers.

6504, "6,504", "▲322", "△ 322", "６，５０４" and "-" (no figure) for amounts; 226.9 and "226.9%"
for ratios; 令和5年度, R5年度, 平成30年度 and 2023年度 for fiscal years in headers.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import formats
from .sheets import compact

# What the report prints for "no figure" (after NFKC: － is -, ｰ is ー), and for a negative.
MISSING_MARKS = {"", "-", "‐", "‑", "–", "—", "―", "−", "ー"}
NEGATIVE_MARKS = ("▲", "△", "-", "−")
AMOUNT = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$")
RATIO = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
TENTH = Decimal("0.1")


class NotAFigure(ValueError):
    """A cell that should hold a figure holds something else."""


def parse_amount(value: Any) -> int | None:
    """A printed thousand-yen amount: 6504, "6,504", "▲322", "△ 322", "-322", "６，５０４".

    None for a missing figure ("-", "－", "―", empty); NotAFigure for anything else.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotAFigure(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise NotAFigure(value)
    if not isinstance(value, str):  # a date or time: Excel read "6-5" as June 5th
        raise NotAFigure(value)
    text = compact(value)
    if text in MISSING_MARKS:
        return None
    sign = 1
    if text.startswith(NEGATIVE_MARKS):
        sign, text = -1, text[1:]
    if not AMOUNT.match(text):
        raise NotAFigure(value)
    return sign * int(text.replace(",", ""))


def parse_ratio(value: Any) -> Decimal | None:
    """A printed 前年度比: 226.9, "226.9", "226.9%"; None for a missing figure."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotAFigure(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotAFigure(value)
        # The cell shows one decimal; what is printed is the value rounded half up to it.
        return Decimal(repr(value)).quantize(TENTH, ROUND_HALF_UP)
    if not isinstance(value, str):
        raise NotAFigure(value)
    text = compact(value).removesuffix("%")
    if text in MISSING_MARKS:
        return None
    if not RATIO.match(text):
        raise NotAFigure(value)
    return Decimal(text)


def parse_whole(value: Any) -> int:
    """A whole number such as the fiscal year 2023 (a number, or text in any width)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = compact(value)
    if isinstance(value, str) and text.isascii() and text.isdigit():
        return int(text)
    raise NotAFigure(value)


# -- Fiscal years in headers -------------------------------------------------------------------
ERA_START = {era: start for start, era in formats.ERAS}
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}
ERA_YEAR = re.compile(r"(令和|平成|昭和|(?<![A-Za-z])[RHS])(元|[0-9]{1,2})年")
WESTERN_YEAR = re.compile(r"(?<![0-9])([0-9]{4})年度")
YEAR_HEADER = re.compile(r"^(?:(?:令和|平成|昭和|[RHS])(?:元|[0-9]{1,2})|[0-9]{4})年度$")


def fiscal_year_in(text: str) -> int | None:
    """The fiscal year a header (compacted) names: 令和5年度 -> 2023, 令和元年度 -> 2019, H30年度 -> 2018."""
    found = ERA_YEAR.search(text)
    if found:
        era = ERA_LETTERS.get(found[1], found[1])
        number = 1 if found[2] == "元" else int(found[2])
        return ERA_START[era] + number - 1
    found = WESTERN_YEAR.search(text)
    return int(found[1]) if found else None
