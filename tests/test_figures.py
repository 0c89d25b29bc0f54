"""DESIGN.md's "Figures": change, ratio, negatives, missing values and 和暦."""

from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest

from shisaku import figures, formats


@pytest.mark.parametrize(
    ("this_year", "last_year", "expected"),
    [
        (6504, 2867, 3637),
        (3003, 3325, -322),
        (11409, 0, 11409),  # a previous 0 is a real zero
        (0, 0, 0),
        (124444, None, None),  # previous missing
        (None, 100, None),
    ],
)
def test_change_is_this_year_minus_last(this_year, last_year, expected):
    assert figures.change(this_year, last_year) == expected


@pytest.mark.parametrize(
    ("this_year", "last_year", "expected"),
    [
        (2001, 2000, Decimal("100.1")),  # exactly 100.05: half up, not binary-float 100.0
        (1999, 2000, Decimal("100.0")),  # 99.95 rounds up
        (6504, 2867, Decimal("226.9")),
        (3003, 3325, Decimal("90.3")),
        (1508, 1204, Decimal("125.2")),
        (42987, 25133, Decimal("171.0")),  # keeps its one decimal
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (0, 5, Decimal("0.0")),
        (11409, 0, None),  # last year 0: no ratio
        (0, 0, None),
        (124444, None, None),  # last year missing
        (None, 10, None),
    ],
)
def test_ratio_rounds_half_up_with_exact_decimals(this_year, last_year, expected):
    result = figures.ratio(this_year, last_year)
    assert result == expected
    if expected is not None:
        assert str(result) == str(expected)  # one decimal, always


@pytest.mark.parametrize("last_year", [1, 2, 3, 7, 1999, 2000, 2867, -1, -3, -2000, 10**12 + 1])
def test_ratio_is_the_exact_fraction_rounded_half_up(last_year):
    """The integer floor division is floor(this / last × 1000 + 1/2) in exact arithmetic,
    negative amounts (a refund) included."""
    for this_year in [*range(-4100, 4100, 7), 10**15 + 3, -(10**15) - 3]:
        exact = floor(Fraction(this_year * 1000, last_year) + Fraction(1, 2))
        assert figures.ratio(this_year, last_year) == Decimal(exact).scaleb(-1)


def test_float_arithmetic_would_get_the_edge_case_wrong():
    """The reason for exact arithmetic: 2001 / 2000 * 100 in floats rounds to 100.0."""
    assert round(2001 / 2000 * 100, 1) == 100.0
    assert figures.ratio(2001, 2000) == Decimal("100.1")


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (6504, "ja", "6,504"),
        (-322, "ja", "▲322"),
        (-322, "en", "−322"),  # U+2212 MINUS SIGN
        (-1234567, "ja", "▲1,234,567"),
        (0, "ja", "0"),
        (124444, "en", "124,444"),
        (None, "ja", "-"),
        (None, "en", "–"),
    ],
)
def test_amounts_on_pages(value, lang, expected):
    assert formats.amount(value, lang) == expected


def test_english_minus_is_the_minus_sign_not_a_hyphen():
    assert formats.amount(-322, "en")[0] == "\u2212"


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (Decimal("226.9"), "ja", "226.9"),
        (Decimal("171.0"), "en", "171.0"),
        (None, "ja", "-"),
        (None, "en", "–"),
    ],
)
def test_ratio_on_pages(value, lang, expected):
    assert formats.percent(value, lang) == expected


@pytest.mark.parametrize(
    ("fiscal_year", "expected"),
    [
        (2023, "令和5年度"),
        (2020, "令和2年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
    ],
)
def test_wareki(fiscal_year, expected):
    assert formats.wareki(fiscal_year) == expected


def test_fiscal_year_labels_per_language():
    assert formats.fiscal_year_label(2023, "ja") == "令和5年度"
    assert formats.fiscal_year_label(2023, "en") == "FY2023"
