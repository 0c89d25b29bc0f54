"""Inline SVG bar charts, drawn at build time: this year's and last year's cost per project,
and one project's cost over the years.

Pages run under a Content-Security-Policy without inline styles, so the SVG carries no `style`
at all: class names for the site's CSS, and presentation attributes so it still looks right
without CSS (in a feed reader, or saved on its own).
"""

from __future__ import annotations

import re
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
    values = [v for bar in bars for v in (bar.this_year, bar.last_year) if v is not None]
    scale = bar_scale(chart_id, values, WIDTH - 2 * MARGIN - VALUE_GAP, lang)

    labels = [wrap(bar.label) for bar in bars]
    height = LEGEND_HEIGHT + sum(item_height(len(lines)) for lines in labels) + MARGIN
    # Plain strings, escaped once where text comes in: Markup.format per element was half
    # the time of rendering a project page.
    parts = [*svg_head(chart_id, height, title, description), legend(series)]
    top: float = LEGEND_HEIGHT
    for bar, lines in zip(bars, labels, strict=True):
        parts.append(item(bar, lines, top, scale, lang))
        top += item_height(len(lines))
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
    values = [v for _, v in points if v is not None]
    label_room = max((text_width(label) for label, _ in points), default=0) + VALUE_GAP
    scale = bar_scale(chart_id, values, WIDTH - 2 * MARGIN - label_room - VALUE_GAP, lang)
    row = BAR_HEIGHT + ITEM_GAP
    height = 2 * MARGIN + len(points) * row
    parts = svg_head(chart_id, height, title, description)
    for i, (label, value) in enumerate(points):
        top = MARGIN + i * row
        bar = bar_with_value("this", value, top, scale, lang, left=MARGIN + label_room)
        parts.append(
            f'<g class="chart-item"><text class="chart-label" x="{MARGIN}"'
            f' y="{number(baseline(top, BAR_HEIGHT))}" fill="{TEXT_COLOUR}">{esc(label)}</text>'
            f"{bar}</g>"
        )
    parts.append("</svg>")
    return Markup("\n".join(parts))


def bar_scale(chart_id: str, values: list[int], room: float, lang: str) -> float:
    """Viewbox units per thousand yen, so that the longest bar and its value fill room;
    chart_id and the values checked first."""
    if not chart_id or any(c.isspace() for c in chart_id):
        raise ValueError(f"chart_id must be one token for aria-labelledby: {chart_id!r}")
    if any(v < 0 for v in values):
        raise ValueError("charts draw costs, which are never negative")
    value_room = max((text_width(formats.amount(v, lang)) for v in values), default=0)
    return (room - value_room) / max(values) if values and max(values) > 0 else 0.0


def svg_head(chart_id: str, height: float, title: str, description: str) -> list[str]:
    """The svg element's opening tag, its title and its description (what it is named by)."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
        f' aria-labelledby="{esc(chart_id)}-title {esc(chart_id)}-desc" viewBox="0 0 {WIDTH} {number(height)}"'
        f' preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="{FONT_SIZE}">',
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
            f'<text x="{number(text_x)}" y="{number(baseline(MARGIN, SWATCH))}" fill="{TEXT_COLOUR}">{esc(name)}</text>'
        )
        x = text_x + text_width(name) + 20
    parts.append("</g>")
    return "".join(parts)


def item(bar: Bar, lines: list[str], top: float, scale: float, lang: str) -> str:
    """One item: the label on its own lines, then the two bars, each with its value at its end."""
    this_top = top + len(lines) * LABEL_HEIGHT
    last_top = this_top + BAR_HEIGHT + BAR_GAP
    label = "".join(
        f'<text class="chart-label" x="{MARGIN}" y="{number(top + (i + 1) * LABEL_HEIGHT - 6)}"'
        f' fill="{TEXT_COLOUR}">{esc(line)}</text>'
        for i, line in enumerate(lines)
    )
    this_bar = bar_with_value("this", bar.this_year, this_top, scale, lang)
    last_bar = bar_with_value("last", bar.last_year, last_top, scale, lang)
    return f'<g class="chart-item">{label}{this_bar}{last_bar}</g>'


def bar_with_value(
    key: str, value: int | None, top: float, scale: float, lang: str, left: float = MARGIN
) -> str:
    """A bar from left (none for a missing value or zero) and the value written just after it."""
    length = (value or 0) * scale
    rect = ""
    if length > 0:
        rect = (
            f'<rect class="chart-bar-{key}" x="{number(left)}" y="{number(top)}" width="{number(length)}"'
            f' height="{BAR_HEIGHT}" fill="{COLOURS[key]}"/>'
        )
    x, y = number(left + length + VALUE_GAP), number(baseline(top, BAR_HEIGHT))
    # an amount is digits, commas and a sign or dash: nothing to escape
    return f'{rect}<text class="chart-value" x="{x}" y="{y}" fill="{TEXT_COLOUR}">{formats.amount(value, lang)}</text>'


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
