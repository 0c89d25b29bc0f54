"""The report's arithmetic, done here only: 増減額 (change), 前年度比 (ratio) and totals, for the
published rows, the model and the pages alike."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal


def change(this_year: int | None, last_year: int | None) -> int | None:
    """増減額: this year minus last year; None when either year is missing."""
    if this_year is None or last_year is None:
        return None
    return this_year - last_year


def ratio(this_year: int | None, last_year: int | None) -> Decimal | None:
    """前年度比 in %: this ÷ last × 100, rounded half up to 0.1 with exact arithmetic.

    None when last year is 0 or missing. Integers keep 2001/2000 at exactly 100.05, so it
    rounds to 100.1 where binary floats would give 100.0: floor(this × 1000 / last + 1/2)
    is (2000 × this + last) // (2 × last), a floor division whatever the signs.
    """
    if this_year is None or not last_year:
        return None
    tenths = (2000 * this_year + last_year) // (2 * last_year)
    return Decimal(tenths).scaleb(-1)


def total(values: Iterable[int | None]) -> int | None:
    """The sum of the values given; None when every value is missing."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None
