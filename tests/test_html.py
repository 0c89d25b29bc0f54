"""Every HTML file of the built site: valid (Nu Html Checker), in its language, naming its twins."""

from __future__ import annotations

import json
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .site_server import BASE_URL, LANGUAGES, VNU_JAR, html_files, missing_tool

pytest_plugins = ["tests.conftest_browser"]


# ---- the Nu Html Checker --------------------------------------------------------------------


def vnu_errors(files: list[Path], relative_to: Path) -> list[str]:
    """`java -jar vnu.jar --errors-only --format json FILES...`, one line per error."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    try:  # the report goes to stderr; exit status 1 when there are errors
        messages = json.loads(result.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu.jar did not report in JSON:\n{result.stderr}{result.stdout}")
    lines = []
    for m in messages:
        file = Path(urlsplit(m.get("url", "")).path)
        where = file.relative_to(relative_to) if file.is_relative_to(relative_to) else file
        extract = f"\n    {m['extract'].strip()}" if m.get("extract") else ""
        lines.append(f"{where}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}{extract}")
    return lines


def test_every_html_file_passes_the_nu_html_checker(built_site: Path):
    problem = missing_tool("java", "vnu")
    if problem:
        pytest.fail(problem, pytrace=False)
    files = html_files(built_site)
    errors = vnu_errors(files, built_site.resolve())
    assert not errors, f"{len(errors)} errors in {len(files)} files:\n" + "\n".join(errors)


def test_the_checker_reports_errors_with_file_and_line(tmp_path: Path):
    """The checker really runs: a page with a stray end tag is reported where it is."""
    problem = missing_tool("java", "vnu")
    if problem:
        pytest.fail(problem, pytrace=False)
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!doctype html>\n<html lang="en"><title>x</title>\n<p>one</div>\n', encoding="utf-8"
    )
    errors = vnu_errors([bad], tmp_path)
    assert errors and errors[0].startswith("bad.html:3: error: "), errors


# ---- languages and twins --------------------------------------------------------------------


class Head(HTMLParser):
    """<html lang>, the canonical URL and the hreflang alternates of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.canonical = ""
        self.alternates: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href", "")
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            if a["hreflang"] in self.alternates:
                raise AssertionError(f"hreflang {a['hreflang']} twice")
            self.alternates[a["hreflang"]] = a.get("href", "")


def read_head(file: Path) -> Head:
    head = Head()
    head.feed(file.read_text(encoding="utf-8"))
    return head


def published(site: Path, file: Path) -> str:
    inside = file.relative_to(site).as_posix().removesuffix("index.html")
    return BASE_URL + inside


def file_at(site: Path, url: str) -> Path | None:
    if not url.startswith(BASE_URL):
        return None
    file = site / url[len(BASE_URL) :]
    file = file / "index.html" if url.endswith("/") else file
    return file if file.is_file() else None


def pages_with_twins(site: Path) -> dict[Path, Head]:
    """Every page but 404.html (served at any missing URL, so it names no twins)."""
    return {
        f: read_head(f) for f in html_files(site) if f.relative_to(site).as_posix() != "404.html"
    }


def test_every_page_is_in_the_language_of_its_folder(built_site: Path):
    wrong = []
    for file in html_files(built_site):
        folder = file.relative_to(built_site).parts[0]
        expected = folder if folder in LANGUAGES else LANGUAGES[0]  # root and 404: the first
        lang = read_head(file).lang
        if lang != expected:
            wrong.append(f"{file.relative_to(built_site)}: <html lang={lang!r}>, not {expected!r}")
    assert not wrong, "\n".join(wrong)


def twin_problems(site: Path, file: Path, head: Head, heads: dict[Path, Head]) -> list[str]:
    """What is wrong with one page's hreflang alternates: every language and x-default, as
    absolute URLs of pages that exist, itself among them, and each twin naming the same set."""
    name = file.relative_to(site).as_posix()
    here = published(site, file)
    problems = []
    if set(head.alternates) != {*LANGUAGES, "x-default"}:
        problems.append(f"{name}: hreflang {sorted(head.alternates)}")
    for lang, url in head.alternates.items():
        if not urlsplit(url).scheme or not urlsplit(url).netloc:
            problems.append(f"{name}: hreflang {lang} {url!r} is not an absolute URL")
        elif file_at(site, url) is None:
            problems.append(f"{name}: hreflang {lang} {url} is no page of the site")
    if here not in head.alternates.values():
        problems.append(f"{name}: its own URL {here} is not among its alternates")
    if head.canonical != here:
        problems.append(f"{name}: canonical {head.canonical!r}, not {here}")
    for lang, url in head.alternates.items():
        twin = file_at(site, url)
        if twin is not None and twin != file and heads[twin].alternates != head.alternates:
            problems.append(
                f"{name}: its hreflang {lang} twin {url} names other alternates: "
                f"{heads[twin].alternates} (here: {head.alternates})"
            )
    return problems


def test_every_language_page_names_its_twins_reciprocally(built_site: Path):
    heads = pages_with_twins(built_site)
    problems = []
    for file, head in heads.items():
        if file.relative_to(built_site).parts[0] in LANGUAGES:
            problems += twin_problems(built_site, file, head, heads)
    assert not problems, "\n".join(problems)


def test_the_root_and_the_home_pages_agree_on_their_twins(built_site: Path):
    """/ (the language chooser), /ja/ and /en/ are one set of twins and say so alike
    (the chooser is the natural x-default)."""
    heads = pages_with_twins(built_site)
    root = built_site / "index.html"
    homes = [built_site / lang / "index.html" for lang in LANGUAGES]
    problems = [
        f"{file.relative_to(built_site)}: {heads[file].alternates}"
        for file in homes
        if heads[file].alternates != heads[root].alternates
    ]
    assert not problems, f"/ names {heads[root].alternates}; but\n" + "\n".join(problems)
