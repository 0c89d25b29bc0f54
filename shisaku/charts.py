"""Inline SVG bar charts, drawn at build time: this year's and last year's cost per project.

Pages run under a Content-Security-Policy without inline styles, so the SVG carries no `style`
at all: class names for the site's CSS, and presentation attributes so it still looks right
without CSS (in a feed reader, or saved on its own).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from markupsafe import Markup

from . import formats

WIDTH = 640  # viewBox units; the SVG scales to its container through CSS
MARGIN = 4
FONT_SIZE = 13
DIGIT_WIDTH = 7  # about one digit at 13 px; also used for commas, dashes and Latin letters
WIDE_WIDTH = 13  # a full-width character at 13 px
VALUE_GAP = 6  # between the end of a bar and its value
TEXT_DROP = 5  # from a box's middle down to the baseline of 13 px text centred on it

LEGEND_HEIGHT = 28
SWATCH = 12
LABEL_HEIGHT = 20  # the label's line, above the item's two bars
BAR_HEIGHT = 14
BAR_GAP = 3  # between an item's two bars
ITEM_GAP = 12  # after an item's second bar

COLOURS = {"this": "#1d4e89", "last": "#8fb3d9"}
TEXT_COLOUR = "#1a1a1a"


@dataclass(frozen=True)
class Bar:
    label: str  # a project name in the page's language
    this_year: int | None  # thousand yen; None = missing
    last_year: int | None


def bar_chart(
    bars: list[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    series: tuple[str, str],
    lang: str,
) -> Markup:
    """An accessible horizontal bar chart: per item, its label, then this year's and last year's bar.

    `series` names the two years for the legend (("令和5年度", "令和4年度")); values are costs
    in thousand yen (never negative), written with formats.amount; the unit belongs in `title`.
    """
    if not chart_id or any(c.isspace() for c in chart_id):
        raise ValueError(f"chart_id must be one token for aria-labelledby: {chart_id!r}")
    values = [v for bar in bars for v in (bar.this_year, bar.last_year) if v is not None]
    if any(v < 0 for v in values):
        raise ValueError("bar_chart draws costs, which are never negative")
    value_room = max((text_width(formats.amount(v, lang)) for v in values), default=0)
    bar_room = WIDTH - 2 * MARGIN - VALUE_GAP - value_room
    scale = bar_room / max(values) if values and max(values) > 0 else 0.0

    height = LEGEND_HEIGHT + len(bars) * item_height() + MARGIN
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
            ' aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}"'
            ' preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="{fs}">'
        ).format(id=chart_id, w=WIDTH, h=number(height), fs=FONT_SIZE),
        Markup('<title id="{}-title">{}</title>').format(chart_id, title),
        Markup('<desc id="{}-desc">{}</desc>').format(chart_id, description),
        legend(series),
    ]
    for index, bar in enumerate(bars):
        top = LEGEND_HEIGHT + index * item_height()
        parts.append(item(bar, top, scale, lang))
    parts.append(Markup("</svg>"))
    return Markup("\n").join(parts)


def item_height() -> int:
    return LABEL_HEIGHT + 2 * BAR_HEIGHT + BAR_GAP + ITEM_GAP


def legend(series: tuple[str, str]) -> Markup:
    """Two swatches with the series names, side by side at the top."""
    parts = [Markup('<g class="chart-legend">')]
    x: float = MARGIN
    for key, name in zip(("this", "last"), series, strict=True):
        parts.append(
            Markup(
                '<rect class="chart-swatch-{}" x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
            ).format(key, number(x), MARGIN, SWATCH, SWATCH, COLOURS[key])
        )
        text_x = x + SWATCH + 6
        parts.append(
            Markup('<text x="{}" y="{}" fill="{}">{}</text>').format(
                number(text_x), number(baseline(MARGIN, SWATCH)), TEXT_COLOUR, name
            )
        )
        x = text_x + text_width(name) + 20
    parts.append(Markup("</g>"))
    return Markup("").join(parts)


def item(bar: Bar, top: float, scale: float, lang: str) -> Markup:
    """One item: the label on its own line, then the two bars, each with its value at its end."""
    this_top = top + LABEL_HEIGHT
    last_top = this_top + BAR_HEIGHT + BAR_GAP
    label = Markup('<text class="chart-label" x="{}" y="{}" fill="{}">{}</text>').format(
        MARGIN, number(top + LABEL_HEIGHT - 6), TEXT_COLOUR, bar.label
    )
    return Markup('<g class="chart-item">{}{}{}</g>').format(
        label,
        bar_with_value("this", bar.this_year, this_top, scale, lang),
        bar_with_value("last", bar.last_year, last_top, scale, lang),
    )


def bar_with_value(key: str, value: int | None, top: float, scale: float, lang: str) -> Markup:
    """A bar (none for a missing value or zero) and the value written just after it."""
    length = (value or 0) * scale
    rect = Markup("")
    if length > 0:
        rect = Markup(
            '<rect class="chart-bar-{}" x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        ).format(key, MARGIN, number(top), number(length), BAR_HEIGHT, COLOURS[key])
    text = Markup('<text class="chart-value" x="{}" y="{}" fill="{}">{}</text>').format(
        number(MARGIN + length + VALUE_GAP),
        number(baseline(top, BAR_HEIGHT)),
        TEXT_COLOUR,
        formats.amount(value, lang),
    )
    return rect + text


def baseline(top: float, height: float) -> float:
    """The y of a baseline that centres 13 px digits on a box.

    Computed rather than left to dominant-baseline, which renderers treat differently.
    """
    return top + height / 2 + TEXT_DROP


def text_width(text: str) -> int:
    """Estimated width at 13 px: full-width characters count double."""
    return sum(WIDE_WIDTH if unicodedata.east_asian_width(c) in "WF" else DIGIT_WIDTH for c in text)


def number(value: float) -> str:
    """A coordinate rounded to one decimal, without a trailing .0, so output is byte-stable."""
    return f"{value:.1f}".removesuffix(".0")
