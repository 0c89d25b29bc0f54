"""Every internal link and asset of the built site resolves to a file in it, fragments included.

The crawl reads the files, not the server: a link is followed as a browser at the published
address would follow it (root-relative under the base path; `dir/` means `dir/index.html`).
External links are listed in test-artifacts/external-links.txt, never fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from .site_server import ARTIFACTS, BASE_PATH, BASE_URL, html_files

pytest_plugins = ["tests.conftest_browser"]

# The attributes that load or lead somewhere, by element.
LINK_ATTRIBUTES = {
    "a": {"href"},
    "link": {"href"},
    "script": {"src"},
    "img": {"src", "srcset"},
    "source": {"src", "srcset"},
    "form": {"action"},
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@dataclass
class Parsed:
    links: list[tuple[str, str, int]] = field(default_factory=list)  # (tag.attr, url, line)
    ids: set[str] = field(default_factory=set)


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = Parsed()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.result.ids.add(value)
            if name in LINK_ATTRIBUTES.get(tag, ()):
                urls = srcset_urls(value) if name == "srcset" else [value]
                self.result.links += [(f"{tag}[{name}]", url, line) for url in urls]

    handle_startendtag = handle_starttag


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset: comma-separated candidates, each a URL and an optional descriptor."""
    return [part.split()[0] for part in value.split(",") if part.strip()]


def parse(file: Path) -> Parsed:
    parser = LinkParser()
    parser.feed(file.read_text(encoding="utf-8"))
    parser.close()
    return parser.result


def published_url(site: Path, file: Path) -> str:
    """Where a file of the site is published: index.html files by their folder's URL."""
    inside = file.relative_to(site).as_posix()
    if inside == "index.html" or inside.endswith("/index.html"):
        inside = inside[: -len("index.html")]
    return BASE_URL + inside


def target_file(site: Path, url: str) -> Path | None:
    """The file of the site that an absolute URL under BASE_URL names, or None if there is none."""
    path = unquote(urlsplit(url).path)
    inside = path[len(BASE_PATH) :]
    file = site / inside
    if path.endswith("/"):
        file = file / "index.html"
    return file if file.is_file() else None


def absolute(here: str, raw: str) -> tuple[str, bool]:
    """A link as a browser reads it on the page published at `here`, and whether it is internal:
    relative and root-relative links are; absolute ones only when they are under BASE_URL."""
    raw = raw.strip()
    internal = (not urlsplit(raw).scheme and not raw.startswith("//")) or raw.startswith(BASE_URL)
    return urljoin(here, raw), internal


@dataclass
class Crawl:
    broken: list[tuple[str, str, str]] = field(default_factory=list)  # (where, url, what is wrong)
    external: set[str] = field(default_factory=set)
    checked: int = 0


def check_link(
    crawl: Crawl, site: Path, pages: dict[Path, Parsed], source: str, here: str, raw: str
) -> None:
    """Record a link as external, or check that it resolves to a file of the site."""
    url, internal = absolute(here, raw)
    if not internal:
        crawl.external.add(url)
        return
    crawl.checked += 1
    path = urlsplit(url).path
    if not path.startswith(BASE_PATH):
        crawl.broken.append((source, url, f"outside the base path {BASE_PATH}"))
        return
    file = target_file(site, url)
    if file is None:
        hint = (
            " (a folder: link to it with a trailing /)"
            if (site / path[len(BASE_PATH) :]).is_dir()
            else ""
        )
        crawl.broken.append((source, url, f"no such file in the site{hint}"))
        return
    fragment = urlsplit(url).fragment
    if fragment and file.suffix == ".html":
        target = pages.get(file) or parse(file)
        if unquote(fragment) not in target.ids:
            crawl.broken.append((source, url, f"no element with id {fragment!r} there"))


@pytest.fixture(scope="module")
def crawl(built_site: Path) -> Crawl:
    crawl = crawl_of(built_site)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "external-links.txt").write_text(
        "".join(f"{url}\n" for url in sorted(crawl.external)), encoding="utf-8"
    )
    return crawl


def crawl_of(site: Path) -> Crawl:
    """Every link and asset of a built site followed; what is broken, and what is external."""
    pages = {file: parse(file) for file in html_files(site)}
    crawl = Crawl()
    for file, parsed in pages.items():
        here = published_url(site, file)
        for what, raw, line in parsed.links:
            source = f"{file.relative_to(site)}:{line}: {what}"
            check_link(crawl, site, pages, source, here, raw)
    for css in sorted(site.glob("static/**/*.css")):
        here = published_url(site, css)
        for raw in CSS_URL.findall(css.read_text(encoding="utf-8")):
            if not raw.startswith("data:"):
                check_link(crawl, site, pages, f"{css.relative_to(site)}: url()", here, raw)
    return crawl


def test_every_internal_link_and_asset_resolves(crawl: Crawl):
    assert crawl.checked > 1000, "the crawl found too few links: is the parser reading the pages?"
    lines = [f"{where}: {url} -> {what}" for where, url, what in crawl.broken]
    assert not lines, f"{len(lines)} broken links:\n" + "\n".join(lines)


def test_external_links_are_listed_not_fetched(crawl: Crawl):
    print("External links (not fetched):", *sorted(crawl.external), sep="\n  ")
    assert "https://creativecommons.org/licenses/by/4.0/" in crawl.external
    assert all(urlsplit(url).scheme in ("https", "mailto") for url in crawl.external), sorted(
        crawl.external
    )


def test_the_crawler_finds_broken_links_and_fragments(tmp_path: Path):
    """The crawler itself: a missing file, id or slash, a link outside the base path, and what is external."""
    (tmp_path / "ja" / "x").mkdir(parents=True)
    (tmp_path / "ja" / "x" / "index.html").write_text('<h2 id="here">x</h2>', encoding="utf-8")
    page = tmp_path / "ja" / "index.html"
    page.write_text(
        f'<a href="{BASE_PATH}ja/x/#here">ok</a><a href="x/#gone">id</a>'
        f'<img src="{BASE_PATH}nope.png"><a href="{BASE_PATH}ja/x">slash</a>'
        '<img srcset="x/a.png 1x, x/index.html 2x"><a href="https://example.org/">out</a>'
        f'<a href="/elsewhere/">root</a><a href="{BASE_URL}ja/x/">abs</a>',
        encoding="utf-8",
    )
    crawl = Crawl()
    pages = {f: parse(f) for f in html_files(tmp_path)}
    for what, raw, line in pages[page].links:
        check_link(crawl, tmp_path, pages, f"{what}:{line}", published_url(tmp_path, page), raw)
    assert [(url.removeprefix(BASE_URL), what) for _, url, what in crawl.broken] == [
        ("ja/x/#gone", "no element with id 'gone' there"),
        ("nope.png", "no such file in the site"),
        ("ja/x", "no such file in the site (a folder: link to it with a trailing /)"),
        ("ja/x/a.png", "no such file in the site"),
        (urljoin(BASE_URL, "/elsewhere/"), f"outside the base path {BASE_PATH}"),
    ]
    assert crawl.external == {"https://example.org/"}
