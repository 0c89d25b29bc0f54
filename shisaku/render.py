"""Jinja environment (autoescape, StrictUndefined), and the one writer of site/."""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import markdown
import nh3
import yaml
from markupsafe import Markup

from . import charts
from .formats import Formatter
from .load import display_path
from .model import Project, Site
from .pages import Page
from .problems import Language, Problem, missing_file

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MARKDOWN_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "hr",
    "abbr",
}
MARKDOWN_ATTRIBUTES = {
    "a": {"href", "title", "hreflang", "lang"},
    "th": {"scope"},
    "abbr": {"title"},
}


class Strings:
    """The UI strings of every language, from templates/strings/{lang}.yaml."""

    def __init__(self, folder: Path, languages: list[str]) -> None:
        self.catalogs = {
            lang: yaml.safe_load((folder / f"{lang}.yaml").read_text(encoding="utf-8"))
            for lang in languages
        }

    def get(self, lang: str, key: str, **values: Any) -> str:
        try:
            text = self.catalogs[lang][key]
        except KeyError:
            raise KeyError(f"templates/strings/{lang}.yaml has no string {key!r}") from None
        return text.format(**values) if values else text


def string_problems(templates: Path, languages: list[str]) -> list[Problem]:
    """A UI string missing in a language: found before anything is rendered or written."""
    folder = templates / "strings"
    catalogs: dict[str, dict[str, Any]] = {}
    found = []
    for lang in languages:
        path = folder / f"{lang}.yaml"
        if not path.exists():
            found.append(missing_file(display_path(path)))
            continue
        catalogs[lang] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    every_key = sorted({key for catalog in catalogs.values() for key in catalog})
    for lang, catalog in catalogs.items():
        for key in every_key:
            if not isinstance(catalog.get(key), str):
                path = display_path(folder / f"{lang}.yaml")
                found.append(
                    Problem(
                        path,
                        None,
                        key,
                        "missing-translation",
                        "missing-translation",
                        {"language": Language(lang)},
                    )
                )
    return found


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_markdown(text: str) -> Markup:
    """A Markdown page's body as HTML, without its title line (the template shows the title)."""
    body = text.lstrip().split("\n", 1)[1] if text.lstrip().startswith("# ") else text
    html = markdown.markdown(body, extensions=["tables", "sane_lists"], output_format="html")
    # Staff may paste raw HTML into Markdown: only an allow-list of tags survives, and no
    # script, event handler, style or javascript: URL.
    clean = nh3.clean(
        html,
        tags=MARKDOWN_TAGS,
        attributes=MARKDOWN_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    )
    return Markup(clean)


class Renderer:
    """Renders pages with the globals every template may use."""

    def __init__(self, site: Site, templates: Path = TEMPLATES) -> None:
        self.site = site
        self.env = environment(templates)
        self.strings = Strings(templates / "strings", site.languages)
        settings = site.settings
        self.base_path = settings["base_path"]
        self.base_url = settings["base_url"]

    def url(self, path: str) -> str:
        """A link inside the site, under the base path: url("ja/data/") -> /shisaku-hokoku/ja/data/"""
        return self.base_path + path

    def absolute(self, path: str) -> str:
        return self.base_url + self.base_path + path

    def chart(self, projects: list[Project], chart_id: str, lang: str) -> Markup:
        """This year against last year for each project, as an inline SVG."""
        fmt = Formatter(lang)
        year = projects[0].fiscal_year if projects else 0
        this_year, last_year = fmt.fiscal_year(year), fmt.fiscal_year(year - 1)
        names = ", ".join(fmt.text(p.name) for p in projects[:1]) if len(projects) == 1 else None
        title = self.strings.get(
            lang,
            "chart_title",
            name=names or self.strings.get(lang, "projects_of_year", year=this_year),
        )
        description = self.strings.get(
            lang, "chart_desc", this_year=this_year, last_year=last_year, count=len(projects)
        )
        bars = [charts.Bar(fmt.text(p.name), p.cost, p.previous_cost) for p in projects]
        return charts.bar_chart(
            bars,
            chart_id=chart_id,
            title=title,
            description=description,
            series=(this_year, last_year),
            lang=lang,
        )

    def render(self, page: Page) -> str:
        lang = page.lang
        template = self.env.get_template(page.template)
        return template.render(
            **page.context,
            page=page,
            site=self.site,
            settings=self.site.settings,
            lang=lang,
            languages=self.site.languages,
            fmt=Formatter(lang),
            t=lambda key, **values: self.strings.get(lang, key, **values),
            t_in=self.strings.get,
            url=self.url,
            absolute=self.absolute,
            markdown=render_markdown,
            chart=lambda projects, chart_id: self.chart(projects, chart_id, lang),
        )


RENAME_EXCHANGE = 2
AT_FDCWD = -100


class WriteError(Exception):
    """Two outputs claimed the same path, or a path left the site."""


class Writer:
    """Collects the site in a staging folder beside site/, then swaps it in whole."""

    def __init__(self, site: Path) -> None:
        self.site = site
        site.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(dir=site.parent, prefix=f".{site.name}-build-"))
        self.written: dict[str, bytes] = {}

    def write(self, path: str, content: bytes | str) -> None:
        """Write one file at a site-relative path such as `data/datapackage.json`."""
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise WriteError(f"{path}: not a path inside the site")
        if path in self.written:
            raise WriteError(f"{path}: written twice (two pages or files claim the same URL)")
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.staging.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written[path] = data

    def commit(self) -> None:
        """Make the staged folder the site. The old site stays whole until the swap."""
        os.chmod(self.staging, 0o755)
        if not self.site.exists():
            os.rename(self.staging, self.site)
            return
        if not _exchange(self.staging, self.site):
            old = self.staging.with_name(self.staging.name + "-old")
            os.rename(self.site, old)
            os.rename(self.staging, self.site)
            self.staging = old
        shutil.rmtree(self.staging, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2), so site/ is never missing or half-built."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return result == 0
