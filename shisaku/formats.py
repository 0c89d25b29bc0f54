"""How figures and years are written: 和暦, thousand-yen amounts, ▲ negatives, per language;
and how wide a text is."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

# (first fiscal year, era). A fiscal year takes the era in force on 1 April of that year,
# except the year an era began, which cities label with the new era (FY2019 = 令和元年度).
ERAS = [(2019, "令和"), (1989, "平成"), (1926, "昭和")]

MISSING = {"ja": "-", "en": "–"}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
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


class Formatter:
    """The formats of one page's language, for templates: fmt.amount(6504) -> 6,504."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def amount(self, value: int | None) -> str:
        return amount(value, self.lang)

    def percent(self, value: Decimal | None) -> str:
        return percent(value, self.lang)

    def fiscal_year(self, fiscal_year: int) -> str:
        return fiscal_year_label(fiscal_year, self.lang)

    def text(self, value: dict[str, str]) -> str:
        """The page's language of a {ja: ..., en: ...} text."""
        return value[self.lang]

    def date(self, iso: str) -> str:
        """A date for pages: 2026年11月26日; 26 November 2026."""
        year, month, day = (int(part) for part in iso.split("-"))
        if self.lang == "ja":
            return f"{year}年{month}月{day}日"
        return f"{day} {MONTHS[month - 1]} {year}"

    def size(self, size: int) -> str:
        """A file size: 19.4 KB; 1.2 MB."""
        if size < 1000:
            return f"{size} B"
        if size < 1_000_000:
            return f"{size / 1000:.1f} KB"
        return f"{size / 1_000_000:.1f} MB"


class _Wide(dict[str, int]):
    """1 for a wide (W) or full-width (F) character, else 0; each character looked up once."""

    def __missing__(self, character: str) -> int:
        wide = self[character] = int(unicodedata.east_asian_width(character) in "WF")
        return wide


_WIDE = _Wide()


def wide_characters(text: str) -> int:
    """How many characters of text are wide (Japanese): they take twice the room of others."""
    return 0 if text.isascii() else sum(map(_WIDE.__getitem__, text))


TO_KATAKANA = {c: c + 0x60 for c in [*range(0x3041, 0x3097), 0x309D, 0x309E]}


def katakana(reading: object) -> str | None:
    """A reading as 自治体標準 datasets write 名称_カナ: full-width katakana, hiragana and
    half-width katakana turned into it; None for no reading (or one that is not text)."""
    if not isinstance(reading, str) or not reading:
        return None
    # Hiragana (ぁ-ゖ) and its iteration marks (ゝゞ) sit 0x60 below the same katakana; the
    # combining sound marks between them (U+3099-309C) are no kana of their own.
    return unicodedata.normalize("NFKC", reading).translate(TO_KATAKANA)
