"""The table of a big city's year (3,000 projects, issue #16), used on a phone-class CPU: with
Chromium's CPU slowed 4 times, each filter and sort of the whole year takes under 100 ms, from
the reader's action to the next frame drawn; the filter form appears with no layout shift; and
every count it shows is right.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from .site_server import Watch
from .test_browser import assert_clean, visit

pytest_plugins = ["tests.conftest_browser"]

SLOWDOWN = 4  # Lighthouse's and Chrome DevTools' "mid-tier mobile"
LIMIT_MS = 100

# Does one reader's action (type in the text filter, choose a policy, or sort by a column)
# and returns the milliseconds until the frame after it was drawn: the handlers (their
# promises included), style, layout and paint.
TIMED = """async ([kind, value]) => {
  const start = performance.now();
  if (kind === 'type' || kind === 'choose') {
    const field = document.getElementById(kind === 'type' ? 'filter-q' : 'filter-policy');
    field.value = value;
    field.dispatchEvent(new Event(kind === 'type' ? 'input' : 'change', {bubbles: true}));
  } else {
    const table = document.getElementById('projects-table');
    const sorted = new Promise((done) => table.addEventListener('sorted', done, {once: true}));
    Array.from(table.querySelectorAll('thead th'))
      .find((th) => th.textContent.trim() === value).querySelector('button').click();
    await sorted;
  }
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - start;
}"""


def shown_count(page: Page) -> tuple[int, int]:
    """(rows shown, rows in all) as the count line says it in Japanese."""
    text = page.locator("#projects-count").inner_text()
    total, shown = (int(n.replace(",", "")) for n in re.findall(r"[\d,]+", text))
    return shown, total


def timed(page: Page, kind: str, value: str) -> float:
    return page.evaluate(TIMED, [kind, value])


@pytest.fixture
def slow_table(new_context, big_city) -> tuple[Page, Path]:
    """The big city's table, open in Japanese on a CPU slowed 4 times."""
    site, url = big_city
    page = new_context(viewport={"width": 375, "height": 700}).new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": SLOWDOWN})
    visit(page, url, "ja/projects/", until="networkidle")
    # The first filter gathers the year's other pages, once: a wait on the network, not the CPU.
    timed(page, "type", "事")
    expect(page.locator("#projects-count")).to_contain_text("3,000", timeout=30_000)
    timed(page, "type", "")  # no filter, no sort: the page's own 100 rows again
    assert shown_count(page) == (50, 50)
    return page, site


ROUNDS = 5  # the reader's round of actions, repeated: each action's median is what counts


def test_filtering_and_sorting_3000_rows_take_under_100_ms_each_on_a_slow_cpu(
    slow_table, watch: Watch
):
    page, site = slow_table
    content = site.parent / "content" / "2023"
    projects = [yaml.safe_load(p.read_text("utf-8")) for p in (content / "projects").glob("*.yaml")]
    policy = sorted(p["policy"] for p in projects)[0]
    assert len(projects) == 3000

    # One round ends where it began (no word, all policies, the last sort by cost descending).
    actions = {
        "type a word": ("type", "支援"),
        "choose a policy": ("choose", policy),
        "type a longer word": ("type", "支援事業"),
        "clear the word": ("type", ""),
        "sort by cost": ("sort", "事業費"),
        "sort by cost the other way": ("sort", "事業費"),
        "sort by name": ("sort", "事務事業名"),
        "all policies": ("choose", ""),
    }
    times: dict[str, list[float]] = {action: [] for action in actions}
    for _ in range(ROUNDS):
        for action, (kind, value) in actions.items():
            times[action].append(timed(page, kind, value))
    medians = {action: round(statistics.median(ms)) for action, ms in times.items()}
    slow = {action: ms for action, ms in medians.items() if ms > LIMIT_MS}
    every = {action: [round(ms) for ms in runs] for action, runs in times.items()}
    assert not slow, (
        f"median over {LIMIT_MS} ms at {SLOWDOWN}x slowdown: {slow} (every run: {every})"
    )
    assert shown_count(page) == (3000, 3000)
    assert_clean(watch)


def test_a_policy_filter_shows_exactly_its_projects(slow_table, watch: Watch):
    page, site = slow_table
    content = site.parent / "content" / "2023"
    projects = [yaml.safe_load(p.read_text("utf-8")) for p in (content / "projects").glob("*.yaml")]
    policy = sorted(p["policy"] for p in projects)[-1]
    timed(page, "choose", policy)
    assert shown_count(page) == (sum(p["policy"] == policy for p in projects), 3000)
    visible = page.locator("#projects-table tbody tr:not([hidden])")
    assert set(visible.evaluate_all("rows => rows.map(r => r.dataset.policy)")) == {policy}
    assert_clean(watch)


def test_the_filter_form_appears_without_a_layout_shift(slow_table):
    page, _ = slow_table
    shift = page.evaluate(
        """() => new Promise((done) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
        }).observe({type: 'layout-shift', buffered: true});
        setTimeout(() => done(total), 500);
    })"""
    )
    assert shift == 0
    assert page.locator("#projects-filter").is_visible()
