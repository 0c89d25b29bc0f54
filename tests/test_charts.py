"""The SVG bar charts, read the way a reader (or a screen reader) would: bars, values, names."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markupsafe import Markup

from shisaku.charts import DIGIT_WIDTH, TOKENS, Bar, bar_chart, history_chart, text_width, wrap

NS = "{http://www.w3.org/2000/svg}"

# The report's own figures (thousand yen, FY2023 and FY2022).
SHOTENGAI = Bar("商店街チャレンジ戦略支援事業", 6504, 2867)
CASHLESS = Bar("キャッシュレス決済推進事業", 124444, None)
MATSURI = Bar("市民みんなのまつり運営事業", 11409, 0)
THREE = [SHOTENGAI, CASHLESS, MATSURI]

ALL_FIFTEEN = [  # in the report's order
    Bar("上の原地区企業等誘導事業", 0, 0),
    Bar("商店街チャレンジ戦略支援事業", 6504, 2867),
    Bar("商店街活性化対策事業", 3003, 3325),
    Bar("空き店舗対策事業", 0, 0),
    Bar("商工会支援事業", 6663, 6650),
    Bar("中小企業資金融資事業", 1769, 1739),
    Bar("小企業経営改善資金利子補給事業", 1500, 963),
    Bar("小口零細企業資金融資事業", 4541, 4105),
    Bar("就労・創業支援事業", 0, 0),
    Bar("市民みんなのまつり運営事業", 11409, 0),
    Bar("市民みんなのまつり（商工祭）補助事業", 100, 0),
    Bar("ふるさと納税による寄付者への贈呈品送付事業", 42987, 25133),
    Bar("地域産業推進協議会運営事業", 1508, 1204),
    Bar("誘客促進事業", 3896, 1232),
    Bar("キャッシュレス決済推進事業", 124444, None),
]

SERIES = {"ja": ("令和5年度", "令和4年度"), "en": ("FY2023", "FY2022")}


def render(bars: list[Bar], lang: str = "ja", chart_id: str = "cost-chart") -> str:
    return bar_chart(
        bars,
        chart_id=chart_id,
        title="事業費（千円）" if lang == "ja" else "Cost (thousand yen)",
        description="令和5年度と令和4年度の事業費" if lang == "ja" else "Cost in FY2023 and FY2022",
        series=SERIES[lang],
        lang=lang,
    )


def parse(bars: list[Bar], lang: str = "ja") -> ET.Element:
    return ET.fromstring(render(bars, lang))


def items(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{NS}g") if g.get("class") == "chart-item"]


def bars_of(element: ET.Element, series: str) -> list[ET.Element]:
    return [r for r in element.iter(f"{NS}rect") if r.get("class") == f"chart-bar-{series}"]


def values_of(element: ET.Element) -> list[ET.Element]:
    return [t for t in element.iter(f"{NS}text") if t.get("class") == "chart-value"]


def break_marks(element: ET.Element) -> list[ET.Element]:
    return [g for g in element.iter(f"{NS}g") if g.get("class") == "chart-break"]


def width_of(rect: ET.Element) -> float:
    return float(rect.get("width"))


def end_of(rect: ET.Element) -> float:
    return float(rect.get("x")) + width_of(rect)


def view_box(svg: ET.Element) -> tuple[float, float]:
    _, _, width, height = (float(n) for n in svg.get("viewBox").split())
    return width, height


def test_returns_markup_that_is_well_formed_svg() -> None:
    out = render(THREE)
    assert isinstance(out, Markup)
    svg = ET.fromstring(out)
    assert svg.tag == f"{NS}svg"
    assert svg.get("class") == "chart"
    assert svg.get("preserveAspectRatio") == "xMinYMin meet"
    assert svg.get("width") is None and svg.get("height") is None


def test_two_bars_per_project_and_none_for_missing_or_zero() -> None:
    shotengai, cashless, matsuri = items(parse(THREE))
    assert (len(bars_of(shotengai, "this")), len(bars_of(shotengai, "last"))) == (1, 1)
    assert (len(bars_of(cashless, "this")), len(bars_of(cashless, "last"))) == (1, 0)
    assert (len(bars_of(matsuri, "this")), len(bars_of(matsuri, "last"))) == (1, 0)


def test_each_item_reads_label_then_this_year_then_last_year() -> None:
    item = items(parse([SHOTENGAI]))[0]
    texts = [(t.get("class"), t.text) for t in item.iter(f"{NS}text")]
    assert texts == [
        ("chart-label", "商店街チャレンジ戦略支援事業"),
        ("chart-value", "6,504"),
        ("chart-value", "2,867"),
    ]
    this_bar, last_bar = bars_of(item, "this")[0], bars_of(item, "last")[0]
    assert float(this_bar.get("y")) < float(last_bar.get("y"))
    assert this_bar.get("fill") == "#1d4e89" and last_bar.get("fill") == "#6b8fbf"


def test_bar_lengths_are_proportional_to_the_values() -> None:
    svg = parse([SHOTENGAI, MATSURI])  # no outlier: every bar is drawn to scale
    shotengai, matsuri = items(svg)
    widths = {
        6504: float(bars_of(shotengai, "this")[0].get("width")),
        2867: float(bars_of(shotengai, "last")[0].get("width")),
        11409: float(bars_of(matsuri, "this")[0].get("width")),
    }
    per_unit = widths[11409] / 11409
    for value, width in widths.items():
        assert width == pytest.approx(value * per_unit, abs=0.06)  # coordinates have 1 decimal
    assert widths[6504] / widths[2867] == pytest.approx(6504 / 2867, rel=0.01)
    assert break_marks(svg) == []
    # Linear from 0: every bar starts at the same x.
    assert {
        r.get("x") for r in svg.iter(f"{NS}rect") if r.get("class", "").startswith("chart-bar")
    } == {bars_of(shotengai, "this")[0].get("x")}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ja", ["6,504", "2,867", "124,444", "-", "11,409", "0"]),
        ("en", ["6,504", "2,867", "124,444", "–", "11,409", "0"]),
    ],
)
def test_value_texts_in_both_languages(lang: str, expected: list[str]) -> None:
    out = render(THREE, lang)
    assert [t.text for t in values_of(ET.fromstring(out))] == expected
    assert "▲" not in out and "−" not in out


def test_missing_and_zero_values_are_written_at_the_start() -> None:
    _, cashless, matsuri = items(parse(THREE))
    missing, zero = values_of(cashless)[1], values_of(matsuri)[1]
    assert (missing.text, zero.text) == ("-", "0")
    assert missing.get("x") == zero.get("x")
    assert float(zero.get("x")) < float(values_of(cashless)[0].get("x"))


def test_legend_names_the_two_series_at_the_top() -> None:
    for lang in ("ja", "en"):
        svg = parse(THREE, lang)
        legend = next(g for g in svg.iter(f"{NS}g") if g.get("class") == "chart-legend")
        assert [t.text for t in legend.iter(f"{NS}text")] == list(SERIES[lang])
        assert [r.get("fill") for r in legend.iter(f"{NS}rect")] == ["#1d4e89", "#6b8fbf"]
        first_label = next(t for t in svg.iter(f"{NS}text") if t.get("class") == "chart-label")
        assert all(
            float(t.get("y")) < float(first_label.get("y")) for t in legend.iter(f"{NS}text")
        )


def test_title_and_desc_come_first_and_label_the_svg() -> None:
    svg = parse(THREE)
    assert svg.get("role") == "img"
    title, desc = list(svg)[:2]
    assert (title.tag, title.get("id"), title.text) == (
        f"{NS}title",
        "cost-chart-title",
        "事業費（千円）",
    )
    assert (desc.tag, desc.get("id")) == (f"{NS}desc", "cost-chart-desc")
    assert svg.get("aria-labelledby") == "cost-chart-title cost-chart-desc"


def test_chart_id_must_be_one_token() -> None:
    with pytest.raises(ValueError):
        render(THREE, chart_id="two words")


def test_content_text_is_escaped() -> None:
    hostile = '<script>&"'
    out = bar_chart(
        [Bar(hostile, 1, 2)],
        chart_id="x",
        title=hostile,
        description=hostile,
        series=(hostile, "B&B"),
        lang="en",
    )
    assert "<script>" not in out
    svg = ET.fromstring(out)
    label = next(t for t in svg.iter(f"{NS}text") if t.get("class") == "chart-label")
    assert label.text == hostile
    assert svg.find(f"{NS}title").text == hostile
    assert svg.find(f"{NS}desc").text == hostile


def test_no_inline_styles() -> None:
    out = render(ALL_FIFTEEN)
    svg = ET.fromstring(out)
    assert all(e.get("style") is None for e in svg.iter())
    assert svg.find(f".//{NS}style") is None


def test_the_largest_bar_and_its_value_fit_in_the_view_box() -> None:
    for lang in ("ja", "en"):
        svg = parse(ALL_FIFTEEN, lang)
        width, height = view_box(svg)
        for rect in svg.iter(f"{NS}rect"):
            assert float(rect.get("x")) + float(rect.get("width")) <= width
            assert float(rect.get("y")) + float(rect.get("height")) <= height
        for text in values_of(svg):
            assert float(text.get("x")) + DIGIT_WIDTH * len(text.text) <= width
        longest = max(float(r.get("width")) for r in bars_of(svg, "this"))
        assert longest > width * 0.75  # the scale uses the room there is
        assert all(float(t.get("y")) <= height for t in svg.iter(f"{NS}text"))


def test_fifteen_projects_and_a_single_project() -> None:
    many, one = parse(ALL_FIFTEEN), parse([SHOTENGAI])
    assert len(items(many)) == 15 and len(items(one)) == 1
    drawn = sum(1 for b in ALL_FIFTEEN for v in (b.this_year, b.last_year) if v)
    assert len(bars_of(many, "this")) + len(bars_of(many, "last")) == drawn
    assert len(values_of(many)) == 30
    assert view_box(one)[1] < view_box(many)[1]
    assert view_box(one)[0] == view_box(many)[0]


def test_nothing_to_scale_draws_no_bars() -> None:
    for bars in ([], [Bar("空き店舗対策事業", 0, 0)], [Bar("x", None, None)]):
        svg = parse(bars)
        assert bars_of(svg, "this") == [] and bars_of(svg, "last") == []


def test_negative_costs_are_refused() -> None:
    with pytest.raises(ValueError):
        render([Bar("x", -322, 0)])


def test_same_input_gives_the_same_bytes() -> None:
    assert render(ALL_FIFTEEN) == render(list(ALL_FIFTEEN))
    coordinates = [
        value
        for element in parse(ALL_FIFTEEN).iter()
        for name, value in element.attrib.items()
        if name in {"x", "y", "width", "height"}
    ]
    assert all(len(c.partition(".")[2]) <= 1 for c in coordinates)


def test_a_long_label_wraps_to_fit_the_chart() -> None:
    long_name = "Programme for Sending Gifts to Furusato Nozei (Hometown Tax Donation) Donors"
    svg = parse([Bar(long_name, 42987, 25133)], "en")
    labels = [t.text for t in svg.iter(f"{NS}text") if t.get("class") == "chart-label"]
    assert len(labels) > 1
    assert " ".join(labels) == long_name
    width = float(svg.get("viewBox").split()[2])
    assert all(text_width(line) <= width for line in labels)


def wrapped_by_definition(label: str, width: float) -> list[str]:
    """The rule wrap follows, measuring each line whole again for every token."""
    lines = [""]
    for token in TOKENS.findall(label):
        if lines[-1] and text_width((lines[-1] + token).rstrip()) > width:
            lines.append("")
        lines[-1] += token if lines[-1] or not token.isspace() else ""
    return [line.rstrip() for line in lines if line.strip()] or [""]


def test_wrap_follows_its_rule_on_any_label() -> None:
    """wrap counts each token's width once; its lines are those of the rule, whatever the mix
    of Japanese, Latin, full-width spaces, tabs and words longer than the line."""
    pieces = [
        "a",
        "bc",
        " ",
        "  ",
        "\u3000",
        "事",
        "業",
        "ー",
        "（",
        "1",
        "-",
        "\t",
        "Ａ",
        "ｶ",
        "x" * 40,
        "é",
        "\xa0",
    ]
    chance = random.Random(7)
    for _ in range(20_000):
        label = "".join(chance.choice(pieces) for _ in range(chance.randint(0, 50)))
        width = chance.choice([60, 200, 500])
        assert wrap(label, width) == wrapped_by_definition(label, width), (label, width)


def test_chart_text_is_escaped_as_markupsafe_escapes_it() -> None:
    from markupsafe import escape

    from shisaku.charts import esc

    chance = random.Random(11)
    for _ in range(5_000):
        text = "".join(chance.choice("ab&<>\"' 事\u3000x;#") for _ in range(chance.randint(0, 20)))
        assert esc(text) == str(escape(text)), text


# ---- every bar readable: outliers cut, zeros at the axis, tiny values still drawn -------------

# One project far above the others, as the city's 124,444 is above most of its projects.
OUTLIER = [
    Bar("大きな事業", 124444, 3000),
    Bar("中くらいの事業", 4000, 3500),
    Bar("小さな事業", 2000, 1500),
]


def rows_of(svg: ET.Element) -> list[tuple[str, ET.Element | None, bool]]:
    """(the value printed, its bar or None, whether the bar has a break mark), in order."""
    rows: list[tuple[str, ET.Element | None, bool]] = []
    bar, cut = None, False
    for element in svg.iter():
        kind = element.get("class", "")
        if kind.startswith("chart-bar"):
            bar = element
        elif kind == "chart-break":
            cut = True
        elif kind == "chart-value":
            rows.append((element.text, bar, cut))
            bar, cut = None, False
    return rows


def history(points: list[tuple[str, int | None]]) -> ET.Element:
    return ET.fromstring(
        history_chart(points, chart_id="history", title="Cost", description="By year", lang="en")
    )


def test_an_outlier_is_cut_so_the_other_bars_keep_their_length() -> None:
    svg = parse(OUTLIER)
    width, _ = view_box(svg)
    rows = rows_of(svg)
    assert [(value, cut) for value, _, cut in rows] == [
        ("124,444", True),
        ("3,000", False),
        ("4,000", False),
        ("3,500", False),
        ("2,000", False),
        ("1,500", False),
    ]
    outlier, *others = [bar for _, bar, _ in rows]
    # On one linear scale 4,000 would be 3% of the outlier's length; now it spans most of the chart.
    assert width_of(others[1]) >= 0.6 * width
    assert all(end_of(outlier) > end_of(bar) for bar in others)
    per_unit = width_of(others[1]) / 4000  # the bars not cut stay on one linear scale
    for bar, value in zip(others, [3000, 4000, 3500, 2000, 1500], strict=True):
        assert width_of(bar) == pytest.approx(value * per_unit, abs=0.06)


def test_a_cut_bar_has_a_break_mark_across_its_end_and_its_value_after_it() -> None:
    big = items(parse(OUTLIER))[0]
    outlier = bars_of(big, "this")[0]
    (mark,) = break_marks(big)  # the 3,000 bar below it is not cut
    path = next(e for e in mark.iter(f"{NS}path") if e.get("class") == "chart-break-mark")
    points = [float(n) for n in re.findall(r"[\d.]+", path.get("d"))]
    lines = [points[0:4], points[4:8]]  # two segments: M x y L x y, twice
    top, bottom = float(outlier.get("y")), float(outlier.get("y")) + float(outlier.get("height"))
    for x1, y1, x2, y2 in lines:
        assert max(y1, y2) >= bottom and min(y1, y2) <= top  # right across the bar
        assert x1 != x2  # slanted
        assert end_of(outlier) - width_of(outlier) / 10 < min(x1, x2) < end_of(outlier)
    assert lines[0][0] != lines[1][0]
    assert path.get("stroke") == "#1a1a1a"
    gap = mark.find(f"{NS}polygon")
    assert gap is not None and gap.get("fill") == "#ffffff"  # the bar shows a gap between them
    value = values_of(big)[0]
    assert value.text == "124,444" and float(value.get("x")) > end_of(outlier)


def test_the_reports_own_outliers_are_cut_and_every_other_bar_is_readable() -> None:
    """The fifteen projects: 124,444 and 42,987 are over ten times the median (3,325), so
    the scale runs to 25,133 and the median bar is a tenth of it or more."""
    rows = rows_of(parse(ALL_FIFTEEN))
    assert [value for value, _, cut in rows if cut] == ["42,987", "124,444"]
    to_scale = {value: bar for value, bar, cut in rows if bar is not None and not cut}
    longest = max(width_of(bar) for bar in to_scale.values())
    assert width_of(to_scale["25,133"]) == longest
    assert width_of(to_scale["3,325"]) >= longest / 10
    assert all(width_of(bar) >= 2 for bar in to_scale.values())  # 100 among them


def test_zero_is_no_bar_with_0_printed_at_the_axis() -> None:
    svg = parse([Bar("空き店舗対策事業", 0, 0), SHOTENGAI])
    empty, shotengai = items(svg)
    assert bars_of(empty, "this") == [] and bars_of(empty, "last") == []
    assert [t.text for t in values_of(empty)] == ["0", "0"]
    axis = next(e for e in svg.iter(f"{NS}path") if e.get("class") == "chart-axis")
    segments = [
        tuple(map(float, m)) for m in re.findall(r"M([\d.]+) ([\d.]+)V([\d.]+)", axis.get("d"))
    ]
    assert len(segments) == 2  # one beside each item's bars
    axis_x, top, bottom = segments[0]
    assert axis_x == float(bars_of(shotengai, "this")[0].get("x"))  # where every bar starts
    assert all(top < float(t.get("y")) <= bottom for t in values_of(empty))  # the 0s beside it
    shortest = min(end_of(r) for r in bars_of(shotengai, "this") + bars_of(shotengai, "last"))
    assert all(axis_x < float(t.get("x")) < shortest for t in values_of(empty))


def test_a_tiny_value_still_has_a_visible_bar_with_its_value_beside_it() -> None:
    item = items(parse([Bar("市民みんなのまつり（商工祭）補助事業", 100, 124444)]))[0]
    tiny = bars_of(item, "this")[0]
    assert width_of(tiny) >= 2  # 100 / 124,444 of the chart would be a fifth of a unit
    value = values_of(item)[0]
    assert value.text == "100" and float(value.get("x")) > end_of(tiny)
    assert break_marks(item) == []  # two values: neither is an outlier


def test_a_group_of_large_values_is_not_cut() -> None:
    """Three of eight values far above the median are more than a quarter: not outliers."""
    bars = [Bar("a", 50000, 48000), Bar("b", 1000, 900), Bar("c", 1100, 1000), Bar("d", 950, 45000)]
    svg = parse(bars)
    assert break_marks(svg) == []
    widths = [width_of(bar) for bar in bars_of(svg, "this")]
    assert widths[1] / widths[0] == pytest.approx(1000 / 50000, abs=0.01)


def test_the_history_chart_cuts_an_outlier_the_same_way() -> None:
    svg = history([("FY2020", 1332), ("FY2021", 1232), ("FY2022", 0), ("FY2023", 124444)])
    rows = rows_of(svg)
    assert [(value, bar is not None, cut) for value, bar, cut in rows] == [
        ("1,332", True, False),
        ("1,232", True, False),
        ("0", False, False),
        ("124,444", True, True),
    ]
    assert width_of(rows[0][1]) >= 0.4 * view_box(svg)[0]
    assert history([("FY2022", 3000), ("FY2023", 124444)]).find(f".//{NS}polygon") is None


# ---- text size on the narrowest phone and on a desktop ----------------------------------------

STYLE = Path(__file__).resolve().parent.parent / "templates" / "static" / "style.css"
ROOT_PX = 16  # CSS px per rem at the browsers' default text size


def chart_width(viewport: float) -> float:
    """The width (CSS px) style.css gives a chart at a viewport width: the page less its
    gutters, capped by svg.chart's max-width."""
    css = STYLE.read_text(encoding="utf-8")
    narrow, wide = (float(g) for g in re.findall(r"--gutter:\s*([\d.]+)rem", css))
    gutter = (narrow if viewport < 40 * ROOT_PX else wide) * ROOT_PX  # wide from 40em
    rule = re.search(r"svg\.chart \{([^}]*)\}", css).group(1)
    assert "width: 100%" in rule
    cap = float(re.search(r"max-width:\s*([\d.]+)rem", rule).group(1)) * ROOT_PX
    # no rule of the charts' own sets a font size that would override the SVG's
    assert not re.search(r"chart[^{}]*\{[^}]*font-size", css)
    return min(viewport - 2 * gutter, cap)


@pytest.mark.parametrize("kind", ["bars", "history"])
def test_chart_text_is_at_least_12_px_at_320_and_body_size_at_1280(kind: str) -> None:
    svg = (
        parse(ALL_FIFTEEN)
        if kind == "bars"
        else history([("令和4年度", 1232), ("令和5年度", 3896)])
    )
    width, _ = view_box(svg)
    sizes = [float(e.get("font-size")) for e in svg.iter() if e.get("font-size")]
    assert svg.get("font-size") and sizes  # every text inherits the svg's size or sets its own
    for size in sizes:
        assert size * chart_width(320) / width >= 12
        assert 14 <= size * chart_width(1280) / width <= 20
