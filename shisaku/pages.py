"""Model -> the list of pages to render: Page(url, template, lang, context). Pure: no I/O."""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import Policy, Project, Report, Site, change, ratio, total


@dataclass(frozen=True)
class Download:
    """A file of site/data/ as the data page lists it."""

    path: str  # inside the site, e.g. data/132225_projects.csv
    format: str  # CSV, XLSX, ZIP, JSON
    bytes: int
    resource: str  # the datapackage resource name, or "datapackage"


@dataclass
class Page:
    url: str  # inside the site, without the base path: "ja/projects/", "404.html"
    template: str
    lang: str
    context: dict[str, Any] = field(default_factory=dict)
    alternates: dict[str, str] = field(default_factory=dict)  # lang -> url of the twin page
    x_default: str = ""  # the url for a reader whose language is none of these
    # True when the page shows only its context and the site-wide parts that site_inputs
    # names; a rebuild then reuses it while its key is the same. Listings of every project
    # (home, projects/) change with any project and are always rendered.
    reusable: bool = False
    # What the template looks up through `site` beyond the site-wide parts (a project page
    # shows its policy's name): part of the key, not of the context.
    looks_up: Any = None

    @property
    def output(self) -> str:
        """The file that serves this URL."""
        return self.url + "index.html" if self.url.endswith("/") or not self.url else self.url


def by_id(projects: Iterable[Project]) -> dict[str, list[Project]]:
    """Projects grouped by id, each group newest fiscal year first."""
    groups: dict[str, list[Project]] = {}
    for project in sorted(projects, key=lambda p: -p.fiscal_year):
        groups.setdefault(project.id, []).append(project)
    return groups


def policies_by_id(site: Site) -> dict[str, list[tuple[Report, Policy]]]:
    """Each policy id with every (report, policy) it appears in, newest first."""
    groups: dict[str, list[tuple[Report, Policy]]] = {}
    for report in site.reports:
        for policy in report.policies:
            groups.setdefault(policy.id, []).append((report, policy))
    return groups


def totals(projects: list[Project]) -> dict[str, Any]:
    """This year's and last year's totals of a list of projects, and the change between them."""
    this_year = total(p.cost for p in projects)
    last_year = total(p.previous_cost for p in projects)
    # A project with no figure in one year would make the change look larger than it is:
    # the change and the ratio compare only the projects that have both years.
    both = [p for p in projects if p.cost is not None and p.previous_cost is not None]
    both_this, both_last = total(p.cost for p in both), total(p.previous_cost for p in both)
    return {
        "cost": this_year,
        "previous_cost": last_year,
        "change": change(both_this, both_last),
        "ratio": ratio(both_this, both_last),
        "count": len(projects),
        "incomplete": any(p.cost is None or p.previous_cost is None for p in projects),
    }


def in_every_language(site: Site, url: str, template: str, **context: Any) -> list[Page]:
    """The same page once per site language, each knowing its twins."""
    urls = {lang: f"{lang}/{url}" for lang in site.languages}
    # The home pages' twin for any other language is the root page that offers them all.
    x_default = "" if url == "" else urls[site.languages[0]]
    return [
        Page(urls[lang], template, lang, dict(context), urls, x_default) for lang in site.languages
    ]


def build_pages(site: Site, schemas: dict[str, Any]) -> list[Page]:
    """Every page of the site, in every language; the data pages' downloads come with
    set_downloads, once the data package is made."""
    latest = site.reports[0]
    pages: list[Page] = []
    pages += in_every_language(
        site,
        "",
        "home.html",
        report=latest,
        totals=totals(latest.projects),
        policy_totals={p.id: totals(p.projects) for p in latest.policies},
    )
    for policy_id, entries in policies_by_id(site).items():
        pages += in_every_language(
            site,
            f"policies/{policy_id}/",
            "policy.html",
            policy_id=policy_id,
            entries=[
                {
                    "report": report,
                    "policy": policy,
                    "totals": totals(policy.projects),
                    "bp_totals": {bp.id: totals(bp.projects) for bp in policy.basic_projects},
                }
                for report, policy in entries
            ],
        )
    all_projects = site.projects
    pages += in_every_language(
        site,
        "projects/",
        "projects.html",
        projects=all_projects,
        policies=policies_by_id(site),
        years=[r.fiscal_year for r in site.reports],
    )
    for project_id, years in by_id(all_projects).items():
        pages += in_every_language(
            site,
            f"projects/{project_id}/",
            "project.html",
            years=years,
            project=years[0],
        )
        looks_up = [(site.policy_of(p).name, site.basic_project_of(p).name) for p in years]
        for page in pages[-len(site.languages) :]:
            page.looks_up = looks_up
    of_division: dict[str, list[Project]] = {}
    for project in all_projects:
        of_division.setdefault(project.division, []).append(project)
    for division in site.divisions.values():
        projects = of_division.get(division.id, [])
        pages += in_every_language(
            site,
            f"divisions/{division.id}/",
            "division.html",
            division=division,
            projects=projects,
            totals=totals(projects),
        )
    for page in in_every_language(site, "data/", "data.html", schemas=schemas):
        page.looks_up = [site.settings.get(name) for name in DATA_PAGE_SETTINGS]
        pages.append(page)
    pages += in_every_language(site, "search/", "search.html")
    for slug, versions in site.pages.items():
        for page in in_every_language(site, f"{slug}/", "page.html"):
            page.context["page_text"] = versions[page.lang]
            pages.append(page)
    root_alternates = {lang: f"{lang}/" for lang in site.languages}
    pages.append(Page("", "root.html", site.languages[0], {}, root_alternates, ""))
    pages.append(Page("404.html", "404.html", site.languages[0], {}, {}))
    for page in pages:
        page.reusable = page.template not in EVERY_PROJECT
    return pages


EVERY_PROJECT = {"home.html", "projects.html"}


def set_downloads(
    site_pages: list[Page], downloads: list[Download], structured_data: dict[str, str]
) -> None:
    """The data pages list the files of the data package, and carry its schema.org Dataset
    (JSON-LD, for search engines) in their language."""
    for page in site_pages:
        if page.template == "data.html":
            page.context["downloads"] = downloads
            page.context["structured_data"] = structured_data.get(page.lang, "")


def site_inputs(site: Site) -> bytes:
    """What every page shows of the site as a whole (header, footer, menus), for the keys."""
    return pickle.dumps(
        (
            {k: v for k, v in site.settings.items() if k not in DATA_PAGE_SETTINGS},
            site.languages,
            site.divisions,
            [(r.fiscal_year, r.title) for r in site.reports],
            {
                slug: {lang: page.title for lang, page in v.items()}
                for slug, v in site.pages.items()
            },
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


# Settings only the data page shows (in how to cite): in its key, not in every page's.
DATA_PAGE_SETTINGS = ("updated", "version")


def key(page: Page, shell: bytes, contexts: dict[Any, bytes] | None = None) -> str:
    """A digest of everything a reusable page is rendered from; equal keys, equal pages.

    contexts: the digests of contexts made already, by the id() of their values, which live as
    long as the dict does (a build's model and pages): the same page in every language shares
    its context.
    """
    contexts = contexts if contexts is not None else {}
    shared = (*page.context, *map(id, page.context.values()), id(page.looks_up))
    context = contexts.get(shared)
    if context is None:
        context = contexts[shared] = _digest((page.context, page.looks_up))
    # plain text, numbers and dicts of them, whose repr is their value
    page_itself = repr((page.url, page.template, page.lang, page.alternates, page.x_default))
    return hashlib.sha256(shell + context + page_itself.encode()).hexdigest()


def _digest(value: Any) -> bytes:
    out = io.BytesIO()
    _KeyPickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return hashlib.sha256(out.getvalue()).digest()


class _KeyPickler(pickle.Pickler):
    """Pages that name a report show its year and title (site_inputs has them): the key takes
    those, not every project of the year; a project, its digest (without the path of its file)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Report):
            return Report, (obj.fiscal_year, obj.title, [])
        if isinstance(obj, Project):
            return Project, (obj.digest,)
        return NotImplemented
