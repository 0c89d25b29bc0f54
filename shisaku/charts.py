"""Inline SVG bar charts, drawn at build time: this year's and last year's cost per project,
and one project's cost over the years.

Pages run under a Content-Security-Policy without inline styles, so the SVG carries no `style`
at all: class names for the site's CSS, and presentation attributes so it still looks right
without CSS (in a feed reader, or saved on its own).

Every bar reads: each value is printed beside its bar; 0 is no bar with "0" at the axis, a
missing value "-" there; any other value, however small, is at least MIN_BAR long. One
project far above the rest (the city's 124,444 among projects of a few thousand) would leave
the others slivers on one linear scale, so such outliers are cut (see cut_values): the scale
runs to the largest of the rest, and every outlier is drawn a little past it, all of them the
same length, with a break mark across the bar and its value after it.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass

from markupsafe import Markup

from . import formats

# viewBox units; the SVG scales to its container through CSS, which caps it at 24rem. One unit
# is one CSS px in the narrowest container, a 320 px phone less the page's 1rem gutters, so
# 13-unit text shows at 13 px there and at about 17 px (body size) from 384 px up.
WIDTH = 288
MARGIN = 4
FONT_SIZE = 13
DIGIT_WIDTH = 7.5  # about one digit at 13 px; also used for commas, dashes and Latin letters
WIDE_WIDTH = 13  # a full-width character at 13 px
VALUE_GAP = 6  # between the end of a bar and its value
TEXT_DROP = 4.5  # from a box's middle down to the baseline of 13 px text centred on it

LEGEND_HEIGHT = 28
SWATCH = 12
LABEL_HEIGHT = 20  # one line of the label, above the item's two bars
BAR_HEIGHT = 14
BAR_GAP = 3  # between an item's two bars
ITEM_GAP = 12  # after an item's second bar

COLOURS = {"this": "#1d4e89", "last": "#6b8fbf"}  # both at least 3:1 against white
TEXT_COLOUR = "#1a1a1a"
BACKGROUND = "#ffffff"

MIN_BAR = 3  # the shortest bar drawn for a value above 0, so that none vanishes
# A value more than this many times the median value above 0 is an outlier: cutting it keeps
# the median bar at least a tenth of the scale.
OUTLIER_RATIO = 10
OVERSHOOT = 24  # how far a cut bar runs past the longest bar drawn to scale
BREAK_GAP = 4  # the white band between the break mark's two lines
BREAK_SLANT = 3  # how far the lines lean across the bar
BREAK_STANDOUT = 1.5  # above and below the bar; two cut bars' marks meet across BAR_GAP


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
    scale = bar_scale(chart_id, values_of(bars), WIDTH - 2 * MARGIN - VALUE_GAP, lang)

    labels = [wrap(bar.label) for bar in bars]
    height = LEGEND_HEIGHT + sum(item_height(len(lines)) for lines in labels) + MARGIN
    # Plain strings, escaped once where text comes in: Markup.format per element was half
    # the time of rendering a project page.
    parts = [*svg_head(chart_id, height, title, description), legend(series)]
    top: float = LEGEND_HEIGHT
    spans = []
    for bar, lines in zip(bars, labels, strict=True):
        parts.append(item(bar, lines, top, scale, lang))
        bars_top = top + len(lines) * LABEL_HEIGHT  # the item's two bars, below its label
        spans.append((bars_top, bars_top + 2 * BAR_HEIGHT + BAR_GAP))
        top += item_height(len(lines))
    if spans:
        parts.append(axis(MARGIN, spans))
    parts.append("</svg>")
    return Markup("\n".join(parts))


def history_chart(
    points: list[tuple[str, int | None]],
    *,
    chart_id: str,
    title: str,
    description: str,
    lang: str,
) -> Markup:
    """One bar per fiscal year (label, cost in thousand yen or None), in the order given, each
    with its value at its end; the table of the same figures is the text alternative."""
    values = [v for _, v in points]
    label_room = max((text_width(label) for label, _ in points), default=0) + VALUE_GAP
    scale = bar_scale(chart_id, values, WIDTH - 2 * MARGIN - label_room - VALUE_GAP, lang)
    row = BAR_HEIGHT + ITEM_GAP
    height = 2 * MARGIN + len(points) * row
    left = MARGIN + label_room
    parts = svg_head(chart_id, height, title, description)
    if points:  # the labels sit left of the axis, so one line runs down past every bar
        parts.append(axis(left, [(MARGIN, height - MARGIN - ITEM_GAP)]))
    for i, (label, value) in enumerate(points):
        top = MARGIN + i * row
        bar = bar_with_value("this", value, top, scale, lang, left=left)
        parts.append(
            f'<g class="chart-item"><text class="chart-label" x="{MARGIN}"'
            f' y="{number(baseline(top, BAR_HEIGHT))}">{esc(label)}</text>'
            f"{bar}</g>"
        )
    parts.append("</svg>")
    return Markup("\n".join(parts))


def values_of(bars: list[Bar]) -> list[int | None]:
    """Every value a bar chart draws, this year's and last year's of each item."""
    return [v for bar in bars for v in (bar.this_year, bar.last_year)]


def cut_values(values: list[int | None]) -> list[int]:
    """The outliers, largest first: values more than OUTLIER_RATIO times the median of the
    values above 0, if they are at most a quarter of those (rounded up).

    The median, not the next-largest value, is what the rest is: 124,444 is under 3 times the
    next project's 42,987, yet 37 times the median of the chart. More than a quarter above that
    is a group of large values, not an outlier, and stays on the scale; with two values there is
    never an outlier (neither can be ten times their median).
    """
    drawn = sorted(v for v in values if v)
    if not drawn:
        return []
    threshold = OUTLIER_RATIO * statistics.median(drawn)
    outliers = [v for v in drawn if v > threshold]
    if len(outliers) > math.ceil(len(drawn) / 4):
        return []
    return sorted(set(outliers), reverse=True)


@dataclass(frozen=True)
class Scale:
    """How long a value's bar is drawn."""

    per_value: float  # viewBox units per thousand yen
    end: int | None  # the largest value drawn to scale; above it, bars are cut (None: none are)
    cut_length: float  # the length of a cut bar, past every bar drawn to scale

    def is_cut(self, value: int | None) -> bool:
        return self.end is not None and value is not None and value > self.end

    def length(self, value: int | None) -> float:
        """0 for 0 or a missing value; never shorter than MIN_BAR otherwise."""
        if not value:
            return 0.0
        if self.is_cut(value):
            return self.cut_length
        return max(value * self.per_value, MIN_BAR)


def bar_scale(chart_id: str, values: list[int | None], room: float, lang: str) -> Scale:
    """The scale on which every bar and its value fit in room (outliers cut, with their value
    after the cut bar); chart_id and the values checked first."""
    if not chart_id or any(c.isspace() for c in chart_id):
        raise ValueError(f"chart_id must be one token for aria-labelledby: {chart_id!r}")
    drawn = [v for v in values if v is not None]
    if any(v < 0 for v in drawn):
        raise ValueError("charts draw costs, which are never negative")
    cut = cut_values(drawn)
    kept = [v for v in drawn if v not in cut]
    # what follows the longest bar drawn to scale: a value, or a cut bar's extra and its value
    after = max(
        max((value_width(v, lang) for v in kept), default=0),
        max((OVERSHOOT + value_width(v, lang) for v in cut), default=0),
    )
    plot = room - after
    end = max(kept, default=0)
    per_value = plot / end if end > 0 else 0.0
    return Scale(per_value, end if cut else None, plot + OVERSHOOT)


def value_width(value: int, lang: str) -> float:
    return text_width(formats.amount(value, lang))


def svg_head(chart_id: str, height: float, title: str, description: str) -> list[str]:
    """The svg element's opening tag, its title and its description (what it is named by)."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
        f' aria-labelledby="{esc(chart_id)}-title {esc(chart_id)}-desc" viewBox="0 0 {WIDTH} {number(height)}"'
        # the text's colour, set once: each <text> inherits it (a rect sets its own)
        f' preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="{FONT_SIZE}"'
        f' fill="{TEXT_COLOUR}">',
        f'<title id="{esc(chart_id)}-title">{esc(title)}</title>',
        f'<desc id="{esc(chart_id)}-desc">{esc(description)}</desc>',
    ]


def esc(text: str) -> str:
    """markupsafe.escape's text, without making a Markup object of each label: the same five
    characters, replaced the same way."""
    return text.translate(ESCAPES)


ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def item_height(label_lines: int) -> int:
    return label_lines * LABEL_HEIGHT + 2 * BAR_HEIGHT + BAR_GAP + ITEM_GAP


# A full-width character may end a line anywhere; other text breaks only at spaces.
TOKENS = re.compile(r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+")


def wrap(label: str, width: float = WIDTH - 2 * MARGIN) -> list[str]:
    """A label cut into lines that fit the chart's width."""
    whole = label.strip()
    if text_width(whole) <= width:  # most labels: one line, the label without its spaces
        return [whole]
    lines = [""]
    full = used = 0  # the width of the line so far, with and without its trailing spaces
    for token in TOKENS.findall(label):
        stripped = token.rstrip()
        token_width = text_width(token)
        stripped_width = token_width if stripped == token else text_width(stripped)
        # the width of (line + token).rstrip(), counted once per token rather than per line
        wanted = full + stripped_width if stripped else used
        if lines[-1] and wanted > width:
            lines.append("")
            full = used = 0
        if lines[-1] or stripped:
            lines[-1] += token
            used = full + stripped_width if stripped else used
            full += token_width
    return [line.rstrip() for line in lines if line.strip()] or [""]


def legend(series: tuple[str, str]) -> str:
    """Two swatches with the series names, side by side at the top."""
    parts = ['<g class="chart-legend">']
    x: float = MARGIN
    for key, name in zip(("this", "last"), series, strict=True):
        parts.append(
            f'<rect class="chart-swatch-{key}" x="{number(x)}" y="{MARGIN}" width="{SWATCH}"'
            f' height="{SWATCH}" fill="{COLOURS[key]}"/>'
        )
        text_x = x + SWATCH + 6
        parts.append(
            f'<text x="{number(text_x)}" y="{number(baseline(MARGIN, SWATCH))}">{esc(name)}</text>'
        )
        x = text_x + text_width(name) + 20
    parts.append("</g>")
    return "".join(parts)


def item(bar: Bar, lines: list[str], top: float, scale: Scale, lang: str) -> str:
    """One item: the label on its own lines, then the two bars, each with its value at its end."""
    this_top = top + len(lines) * LABEL_HEIGHT
    last_top = this_top + BAR_HEIGHT + BAR_GAP
    label = "".join(
        f'<text class="chart-label" x="{MARGIN}" y="{number(top + (i + 1) * LABEL_HEIGHT - 6)}"'
        f">{esc(line)}</text>"
        for i, line in enumerate(lines)
    )
    this_bar = bar_with_value("this", bar.this_year, this_top, scale, lang)
    last_bar = bar_with_value("last", bar.last_year, last_top, scale, lang)
    return f'<g class="chart-item">{label}{this_bar}{last_bar}</g>'


def bar_with_value(
    key: str, value: int | None, top: float, scale: Scale, lang: str, left: float = MARGIN
) -> str:
    """A bar from left (none for a missing value or zero), cut with a break mark if it is an
    outlier, and the value written just after it."""
    length = scale.length(value)
    rect = ""
    if length > 0:
        rect = (
            f'<rect class="chart-bar-{key}" x="{number(left)}" y="{number(top)}" width="{number(length)}"'
            f' height="{BAR_HEIGHT}" fill="{COLOURS[key]}"/>'
        )
    if scale.is_cut(value):
        rect += break_mark(left + length - OVERSHOOT / 2, top)
    x, y = number(left + length + VALUE_GAP), number(baseline(top, BAR_HEIGHT))
    # an amount is digits, commas and a sign or dash: nothing to escape
    return f'{rect}<text class="chart-value" x="{x}" y="{y}">{formats.amount(value, lang)}</text>'


def break_mark(middle: float, top: float) -> str:
    """Two parallel lines leaning across a bar at middle, with a white band between them: the
    bar is longer than drawn. They stand out a little above and below it."""
    y1, y2 = number(top + BAR_HEIGHT + BREAK_STANDOUT), number(top - BREAK_STANDOUT)
    feet = (middle - (BREAK_GAP + BREAK_SLANT) / 2, middle + (BREAK_GAP - BREAK_SLANT) / 2)
    (a1, a2), (b1, b2) = ((number(x), number(x + BREAK_SLANT)) for x in feet)
    return (
        f'<g class="chart-break"><polygon class="chart-break-gap" fill="{BACKGROUND}"'
        f' points="{a1},{y1} {a2},{y2} {b2},{y2} {b1},{y1}"/>'
        f'<path class="chart-break-mark" d="M{a1} {y1}L{a2} {y2}M{b1} {y1}L{b2} {y2}"'
        f' stroke="{TEXT_COLOUR}" stroke-width="1.5" fill="none"/></g>'
    )


def axis(x: float, spans: list[tuple[float, float]]) -> str:
    """The line where bars start, beside each (top, bottom) span of bars: a 0 or a missing
    value is a bar of no length on it. One path for the chart: a page of a hundred items
    would carry a hundred elements otherwise."""
    d = "".join(f"M{number(x)} {number(top)}V{number(bottom)}" for top, bottom in spans)
    return f'<path class="chart-axis" d="{d}" stroke="{TEXT_COLOUR}" stroke-width="1"/>'


def baseline(top: float, height: float) -> float:
    """The y of a baseline that centres 13 px digits on a box.

    Computed rather than left to dominant-baseline, which renderers treat differently.
    """
    return top + height / 2 + TEXT_DROP


def text_width(text: str) -> float:
    """Estimated width at 13 px: full-width characters count nearly double."""
    return DIGIT_WIDTH * len(text) + (WIDE_WIDTH - DIGIT_WIDTH) * formats.wide_characters(text)


def number(value: float) -> str:
    """A coordinate rounded to one decimal, without a trailing .0, so output is byte-stable."""
    return f"{value:.1f}".removesuffix(".0")
