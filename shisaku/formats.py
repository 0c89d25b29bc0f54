"""How figures and years are written: 和暦, thousand-yen amounts, ▲ negatives, per language."""

from __future__ import annotations

from decimal import Decimal

# (first fiscal year, era). A fiscal year takes the era in force on 1 April of that year,
# except the year an era began, which cities label with the new era (FY2019 = 令和元年度).
ERAS = [(2019, "令和"), (1989, "平成"), (1926, "昭和")]

MISSING = {"ja": "-", "en": "–"}
MINUS = {"ja": "▲", "en": "−"}  # ▲ as Japanese reports print it; U+2212 in English


def era_year(fiscal_year: int) -> tuple[str, int]:
    """The era and its year number for a fiscal year: 2023 -> ("令和", 5)."""
    for start, era in ERAS:
        if fiscal_year >= start:
            return era, fiscal_year - start + 1
    raise ValueError(f"fiscal year {fiscal_year} is before 昭和")


def wareki(fiscal_year: int) -> str:
    """和暦 label of a fiscal year: 2023 -> 令和5年度, 2019 -> 令和元年度, 2018 -> 平成30年度."""
    era, number = era_year(fiscal_year)
    return f"{era}{'元' if number == 1 else number}年度"


def fiscal_year_label(fiscal_year: int, lang: str) -> str:
    """令和5年度 in Japanese, FY2023 elsewhere."""
    return wareki(fiscal_year) if lang == "ja" else f"FY{fiscal_year}"


def amount(value: int | None, lang: str) -> str:
    """A thousand-yen amount for pages: 6,504; ▲322 / −322; - / – when missing."""
    if value is None:
        return MISSING.get(lang, MISSING["en"])
    sign = MINUS.get(lang, MINUS["en"]) if value < 0 else ""
    return f"{sign}{abs(value):,}"


def percent(value: Decimal | None, lang: str) -> str:
    """A ratio for pages with its one decimal: 226.9; - / – when missing."""
    if value is None:
        return MISSING.get(lang, MISSING["en"])
    return f"{value:,.1f}"
