"""Model -> the list of pages to render: Page(url, template, lang, context). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .figures import change, ratio, total
from .model import Policy, Project, Report, Site


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
    pages += in_every_language(site, "data/", "data.html", schemas=schemas)
    pages += in_every_language(site, "search/", "search.html")
    for slug, versions in site.pages.items():
        for page in in_every_language(site, f"{slug}/", "page.html"):
            page.context["page_text"] = versions[page.lang]
            pages.append(page)
    root_alternates = {lang: f"{lang}/" for lang in site.languages}
    pages.append(Page("", "root.html", site.languages[0], {}, root_alternates, ""))
    pages.append(Page("404.html", "404.html", site.languages[0], {}, {}))
    return pages


def set_downloads(
    site_pages: list[Page], downloads: list[Download], structured_data: dict[str, str]
) -> None:
    """The data pages list the files of the data package, and carry its schema.org Dataset
    (JSON-LD, for search engines) in their language."""
    for page in site_pages:
        if page.template == "data.html":
            page.context["downloads"] = downloads
            page.context["structured_data"] = structured_data.get(page.lang, "")
