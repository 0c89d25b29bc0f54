"""pa11y (issue #16): HTML_CodeSniffer and axe-core, WCAG 2 AA, find nothing on any page type
of the real site or of the synthetic five-year city, in either language. axe also runs in the
browser tests; HTML_CodeSniffer is the second opinion pa11y adds (it found the table's filter
form without a submit button, which axe does not check)."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from shisaku import charts

from .site_server import ARTIFACTS, CHROMIUM, LANGUAGES, PA11Y, PAGES, missing_tool, page_path
from .test_city import NAMES as CITY_NAMES
from .test_city import pages_to_read

pytest_plugins = ["tests.conftest_browser"]

CONFIG = {
    "chromeLaunchConfig": {
        "executablePath": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-dev-shm-usage"],
    },
    "standard": "WCAG2AA",
    "runners": ["htmlcs", "axe"],
    "timeout": 120_000,
}


def pa11y_issues(url: str) -> list[str]:
    """What pa11y reports for one URL (errors, warnings and notices are all kept as issues
    by its default level: errors), one line each."""
    problem = missing_tool("chromium", "pa11y")
    if problem:
        pytest.fail(problem, pytrace=False)
    config = ARTIFACTS / "pa11y.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps(CONFIG), encoding="utf-8")
    result = subprocess.run(
        [str(PA11Y), "--config", str(config), "--reporter", "json", url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # pa11y exits 2 when it found issues; anything else but 0 is its own failure
    assert result.returncode in (0, 2), result.stderr[-2000:] or result.stdout[-2000:]
    issues = json.loads(result.stdout or "[]")
    return [
        f"{issue['runner']} {issue['code']}: {issue['message']} at {issue['selector']}"
        for issue in issues
        if not reviewed(issue)
    ]


def reviewed(issue: dict) -> bool:
    """An issue axe leaves to a person ("needs further review") that this test can settle:
    the contrast of a chart's SVG text, whose background axe cannot work out. The chart's
    background is the page's white; the text's own fill must reach 4.5:1 against it."""
    if not (issue.get("runnerExtras") or {}).get("needsFurtherReview"):
        return False
    context = issue.get("context", "")
    if issue["code"] != "color-contrast" or not context.startswith("<text"):
        return False
    own = re.match(r'<text [^>]*fill="(#[0-9a-fA-F]{6})"', context)
    fill = own[1] if own else charts.TEXT_COLOUR  # else the svg's own fill, which it inherits
    return contrast(fill, "#ffffff") >= 4.5


def contrast(one: str, other: str) -> float:
    """WCAG 2's contrast ratio of two sRGB colours written #rrggbb."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_pa11y_finds_nothing_on_the_real_site(real_site, name: str, lang: str):
    built_site, site_url = real_site
    if not (built_site / page_path(name, lang) / "index.html").is_file():
        pytest.skip(f"content/pages/ has no {name!r} page in {lang}")
    assert pa11y_issues(site_url + page_path(name, lang)) == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", CITY_NAMES)
def test_pa11y_finds_nothing_in_the_city(city_site, city_url, name: str, lang: str):
    path = pages_to_read(city_site)[name].format(lang=lang)
    assert pa11y_issues(city_url + path) == []
