"""The Jinja environment (autoescape, StrictUndefined, the UI strings) and the renderer of pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from . import charts
from .figures import total
from .formats import Formatter
from .load import display_path
from .markup import render_markdown
from .model import Project, Report, Site
from .pages import Page
from .problems import Language, Problem, missing_file

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# libyaml's loader where PyYAML was built with it: the strings are read on every build
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_strings(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)


# A string that says a count comes in forms: KEY_other for any count, and KEY_one for exactly
# one where the language says one differently (English does, Japanese does not). search.js
# chooses between the same two forms by the same rule.
PLURAL_FORMS = ("one", "other")


class Strings:
    """The UI strings of every language, from templates/strings/{lang}.yaml."""

    def __init__(self, folder: Path, languages: list[str]) -> None:
        self.catalogs = {lang: read_strings(folder / f"{lang}.yaml") for lang in languages}

    def get(self, lang: str, key: str, **values: Any) -> str:
        """The string, with values filled in; a key with forms takes the form of values["count"]."""
        catalog = self.catalogs[lang]
        if key not in catalog and "count" in values:
            key = plural_key(catalog, key, values["count"])
        if isinstance(values.get("count"), int):  # shown as every figure is: 1,500
            values = {**values, "count": f"{values['count']:,}"}
        try:
            text = catalog[key]
        except KeyError:
            raise KeyError(f"templates/strings/{lang}.yaml has no string {key!r}") from None
        return text.format(**values) if values else text

    def forms(self, lang: str, key: str) -> dict[str, str]:
        """{"one": ..., "other": ...}: the forms of a count's string the language has, for a
        page's script to choose from."""
        catalog = self.catalogs[lang]
        return {
            form: catalog[f"{key}_{form}"] for form in PLURAL_FORMS if f"{key}_{form}" in catalog
        }


def plural_key(catalog: dict[str, Any], key: str, count: int) -> str:
    one = f"{key}_one"
    return one if count == 1 and one in catalog else f"{key}_other"


def is_optional_form(key: str, every_key: set[str]) -> bool:
    """KEY_one, which a language without a singular leaves out (KEY_other it must have)."""
    base, _, form = key.rpartition("_")
    return form == "one" and f"{base}_other" in every_key


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
        catalogs[lang] = read_strings(path) or {}
    every_key = {key for catalog in catalogs.values() for key in catalog}
    for lang, catalog in catalogs.items():
        for key in sorted(every_key):
            if not isinstance(catalog.get(key), str) and not (
                key not in catalog and is_optional_form(key, every_key)
            ):
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


def absolute_url(settings: dict[str, Any]) -> Callable[[str], str]:
    """A path inside the site as a URL with host and base path: for sitemaps and catalogues."""
    prefix = settings["base_url"] + settings["base_path"]
    return lambda path: prefix + path


def relative_to(page_url: str) -> Callable[[str], str]:
    """Links from the page at page_url to paths inside the site, relative, so that the same
    site/ works under any path, at a domain's root and opened from disk:
    from "ja/projects/x/", "ja/data/" -> "../../data/" and "" -> "../../../"."""
    depth = page_url.count("/")  # the folders above the page's own, up to the site's root
    up = "../" * depth

    def url(path: str) -> str:
        return up + path or "./"

    return url


class Renderer:
    """Renders pages with the globals every template may use."""

    def __init__(self, site: Site, templates: Path = TEMPLATES) -> None:
        self.site = site
        self.env = environment(templates)
        self.strings = Strings(templates / "strings", site.languages)
        settings = site.settings
        self.base_path = settings["base_path"]
        self.absolute = absolute_url(settings)  # a path as a URL with host and base path

    def load_templates(self) -> None:
        """Every page template compiled now, before the render workers fork: each would
        compile its own otherwise."""
        for name in self.env.list_templates(filter_func=lambda name: name.endswith(".html")):
            self.env.get_template(name)

    def url(self, path: str) -> str:
        """A link inside the site under the base path, for a page served at any URL (404.html):
        url("ja/data/") -> /shisaku-hokoku/ja/data/"""
        return self.base_path + path

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
            description=self.with_cuts(description, charts.values_of(bars), lang),
            series=(this_year, last_year),
            lang=lang,
        )

    def history_chart(self, years: list[Project], chart_id: str, lang: str) -> Markup:
        """One project's cost in each fiscal year it appears in, oldest first, after the year
        before its first (as its first report gives it), as an inline SVG."""
        fmt = Formatter(lang)
        in_order = sorted(years, key=lambda p: p.fiscal_year)
        first = in_order[0]
        points = [(fmt.fiscal_year(first.fiscal_year - 1), first.previous_cost)]
        points += [(fmt.fiscal_year(p.fiscal_year), p.cost) for p in in_order]
        description = self.strings.get(
            lang,
            "history_chart_desc",
            first=fmt.fiscal_year(first.fiscal_year - 1),
            last=fmt.fiscal_year(in_order[-1].fiscal_year),
            count=len(points),
        )
        return charts.history_chart(
            points,
            chart_id=chart_id,
            title=self.strings.get(lang, "history_chart_title", name=fmt.text(years[0].name)),
            description=self.with_cuts(description, [v for _, v in points], lang),
            lang=lang,
        )

    def policy_chart(self, report: Report, chart_id: str, lang: str) -> Markup:
        """Each policy's total cost in a report's year and the year before, as an inline SVG."""
        fmt = Formatter(lang)
        year = report.fiscal_year
        this_year, last_year = fmt.fiscal_year(year), fmt.fiscal_year(year - 1)
        bars = [
            charts.Bar(
                fmt.text(p.name),
                total(x.cost for x in p.projects),
                total(x.previous_cost for x in p.projects),
            )
            for p in report.policies
        ]
        description = self.strings.get(
            lang, "policy_chart_desc", this_year=this_year, last_year=last_year, count=len(bars)
        )
        return charts.bar_chart(
            bars,
            chart_id=chart_id,
            title=self.strings.get(lang, "policy_chart_title", year=this_year),
            description=self.with_cuts(description, charts.values_of(bars), lang),
            series=(this_year, last_year),
            lang=lang,
        )

    def with_cuts(self, description: str, values: list[int | None], lang: str) -> str:
        """A chart's description, saying which of its bars are drawn cut short if any are: a
        screen reader does not see the break mark."""
        cut = charts.cut_values(values)
        if not cut:
            return description
        fmt = Formatter(lang)
        listed = self.strings.get(lang, "list_separator").join(fmt.amount(v) for v in cut)
        return self.strings.get(lang, "chart_cut", description=description, values=listed)

    def _strings_of(self, lang: str) -> Callable[..., str]:
        """t(key, **values) in one language."""
        return lambda key, **values: self.strings.get(lang, key, **values)

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
            t=self._strings_of(lang),
            t_in=self.strings.get,
            t_forms=lambda key: self.strings.forms(lang, key),
            url=self.url if page.output == "404.html" else relative_to(page.url),
            absolute=self.absolute,
            markdown=render_markdown,
            chart=lambda projects, chart_id: self.chart(projects, chart_id, lang),
            history_chart=lambda years, chart_id: self.history_chart(years, chart_id, lang),
            policy_chart=lambda report, chart_id: self.policy_chart(report, chart_id, lang),
        )
