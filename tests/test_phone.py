"""Read on a phone (issue #16): at 320 and 375 px, on every page type of the real site and of the
synthetic five-year city, in both languages, every figure of every table can be read. Each cell
is either on the screen whole, or inside a region that scrolls sideways, has a name and takes
the keyboard's focus, with the visible hint that it scrolls (the GOV.UK and デジタル庁 pattern);
no cell cuts its own text; no text, charts included, renders under 12 px; the page itself never
scrolls sideways.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .site_server import LANGUAGES, PAGES, Watch, page_cases, page_path, skip_if_not_written
from .test_browser import assert_clean, visit
from .test_city import NAMES as CITY_NAMES
from .test_city import pages_to_read

pytest_plugins = ["tests.conftest_browser"]

WIDTHS = [320, 375]
SMALLEST_TEXT_PX = 12

# What a reader of a phone cannot read, as a list of lines (empty: all is readable). A cell is
# "on the screen" when its box lies within the viewport; otherwise its scrolling ancestor must
# be a named, focusable region whose hint shows. SVG text is measured as drawn (its font size
# times the scale of its SVG), HTML text by its computed size.
UNREADABLE = """(smallest) => {
  const found = [];
  const width = document.documentElement.clientWidth;
  const where = (el) => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}"`;
  const hidden = (el) => !el.getClientRects().length
    || el.closest('.visually-hidden, [hidden], [aria-hidden="true"]');
  const scroller = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return up;
    }
    return null;
  };
  for (const cell of document.querySelectorAll('table th, table td')) {
    if (hidden(cell) || !cell.textContent.trim()) continue;
    if (cell.scrollWidth > cell.clientWidth + 1) found.push(`cuts its text: ${where(cell)}`);
    const box = cell.getBoundingClientRect();
    if (box.left >= -0.5 && box.right <= width + 0.5) continue;
    const region = scroller(cell);
    if (!region) { found.push(`off the screen: ${where(cell)}`); continue; }
    if (region.getAttribute('role') !== 'region' || !region.getAttribute('aria-label')
        || region.tabIndex !== 0) {
      found.push(`in a scroll area with no name or focus: ${where(cell)}`);
    }
    const hint = region.previousElementSibling;
    if (!hint || !hint.matches('.scroll-hint') || hidden(hint)) {
      found.push(`in a scroll area with no visible hint: ${where(cell)}`);
    }
  }
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || hidden(el)) continue;
    seen.add(el);
    let size = parseFloat(getComputedStyle(el).fontSize);
    const svg = el.closest('svg');
    if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
      size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    }
    if (size < smallest - 0.05) found.push(`text at ${size.toFixed(1)} px: ${where(el)}`);
  }
  if (document.documentElement.scrollWidth > width) {
    found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px`);
  }
  return found;
}"""


def unreadable(page: Page) -> list[str]:
    return page.evaluate(UNREADABLE, SMALLEST_TEXT_PX)


def phone_page(new_context, width: int) -> Page:
    """A page in a phone-sized window: touch, and the device pixel ratio of a phone."""
    context = new_context(
        viewport={"width": width, "height": 700}, device_scale_factor=2, is_mobile=True
    )
    return context.new_page()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "lang"), page_cases())
def test_every_figure_of_the_real_site_reads_on_a_phone(
    new_context, real_site, watch: Watch, name: str, lang: str, width: int
):
    built_site, site_url = real_site
    skip_if_not_written(built_site, name, lang)
    page = phone_page(new_context, width)
    visit(page, site_url, page_path(name, lang))
    assert unreadable(page) == []
    assert_clean(watch)


@pytest.fixture(scope="module")
def city_paths(city_site, city_url) -> tuple[str, dict[str, str]]:
    """The city's URL, and the page of each kind to read there."""
    return city_url, pages_to_read(city_site)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", CITY_NAMES)
def test_every_figure_of_the_city_reads_on_a_phone(
    new_context, city_paths, watch: Watch, name: str, lang: str, width: int
):
    city_url, paths = city_paths
    page = phone_page(new_context, width)
    visit(page, city_url, paths[name].format(lang=lang))
    assert unreadable(page) == []
    assert_clean(watch)


def test_the_check_finds_a_figure_off_the_screen(new_context, site_url):
    """The check itself: a table made too wide, with its scroll region taken away, is found."""
    page = phone_page(new_context, 320)
    visit(page, site_url, PAGES["table"].format(lang="en"))
    page.evaluate(
        """() => {
        const region = document.querySelector('.table-scroll');
        region.replaceWith(...region.childNodes);
        document.body.style.overflowX = 'hidden';
    }"""
    )
    found = unreadable(page)
    assert any(line.startswith("off the screen") for line in found), found
