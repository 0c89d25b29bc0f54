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
        # what the change compares, for a reader who subtracts the two totals
        "both_count": len(both),
        "both_cost": both_this,
        "both_previous_cost": both_last,
        # what each year's total sums: the projects that give that year's figure
        "cost_count": sum(p.cost is not None for p in projects),
        "previous_count": sum(p.previous_cost is not None for p in projects),
    }


def in_every_language(site: Site, url: str, template: str, **context: Any) -> list[Page]:
    """The same page once per site language, each knowing its twins."""
    urls = {lang: f"{lang}/{url}" for lang in site.languages}
    # The home pages' twin for any other language is the root page that offers them all.
    x_default = "" if url == "" else urls[site.languages[0]]
    if "report" in context:  # a page of one report cites that report as its source
        context.setdefault("cited", [context["report"]])
    return [
        Page(urls[lang], template, lang, dict(context), urls, x_default) for lang in site.languages
    ]


# Where each year's pages live: one report's overview, table, policies and divisions. The
# same pages without a year (the home, projects/, policies/ID/, divisions/ID/) show the newest.
def report_url(year: int) -> str:
    return f"reports/{year}/"


def table_url(year: int) -> str:
    return f"reports/{year}/projects/"


def policy_url(year: int, policy_id: str) -> str:
    return f"reports/{year}/policies/{policy_id}/"


def division_url(year: int, division_id: str) -> str:
    return f"reports/{year}/divisions/{division_id}/"


def divisions_url(year: int) -> str:
    return f"reports/{year}/divisions/"


YearLinks = list[tuple[int, str]]  # (fiscal year, the url of that year's version), newest first


def build_pages(site: Site, schemas: dict[str, Any]) -> list[Page]:
    """Every page of the site, in every language; the data pages' downloads come with
    set_downloads, once the data package is made."""
    pages = report_pages(site)
    pages += project_pages(site)
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


def report_pages(site: Site) -> list[Page]:
    """Each report's overview, table of projects, policies and divisions, one year a page;
    and the same pages without a year for the newest report each appears in."""
    every_year = [(r.fiscal_year, report_url(r.fiscal_year)) for r in site.reports]
    tables = [(r.fiscal_year, table_url(r.fiscal_year)) for r in site.reports]
    division_lists = [(r.fiscal_year, divisions_url(r.fiscal_year)) for r in site.reports]
    policy_years = years_of(
        (policy.id, report.fiscal_year) for report in site.reports for policy in report.policies
    )
    division_years = years_of(
        (p.division, report.fiscal_year) for report in site.reports for p in report.projects
    )
    pages: list[Page] = []
    for report in site.reports:
        year = report.fiscal_year
        newest = report is site.reports[0]
        for url in [report_url(year)] + ([""] if newest else []):
            pages += overview_page(site, report, url, every_year)
        pages += table_pages(site, report, table_url(year), tables)
        if newest:  # its first page also without a year; the others are the dated ones
            pages += table_pages(site, report, "projects/", tables, every_page=False)
        for policy in report.policies:
            links = [(y, policy_url(y, policy.id)) for y in policy_years[policy.id]]
            for url in [policy_url(year, policy.id)] + (
                [f"policies/{policy.id}/"] if links[0][0] == year else []
            ):
                pages += policy_page(site, report, policy, url, links)
        of_division = divisions_of(report)
        for url in [divisions_url(year)] + (["divisions/"] if newest else []):
            pages += divisions_page(site, report, of_division, url, division_lists)
        for division_id, projects in of_division.items():
            links = [(y, division_url(y, division_id)) for y in division_years[division_id]]
            for url in [division_url(year, division_id)] + (
                [f"divisions/{division_id}/"] if links[0][0] == year else []
            ):
                pages += division_page(site, report, division_id, projects, url, links)
    for division_id in site.divisions:  # a division with no project in any report
        if division_id not in division_years:
            pages += division_page(
                site, site.reports[0], division_id, [], f"divisions/{division_id}/", []
            )
    return pages


def years_of(pairs: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    """The fiscal years each id appears in, newest first."""
    found: dict[str, set[int]] = {}
    for key, year in pairs:
        found.setdefault(key, set()).add(year)
    return {key: sorted(years, reverse=True) for key, years in found.items()}


def divisions_of(report: Report) -> dict[str, list[Project]]:
    """The projects of a report by division, in the report's order."""
    found: dict[str, list[Project]] = {}
    for project in report.projects:
        found.setdefault(project.division, []).append(project)
    return found


def overview_page(site: Site, report: Report, url: str, links: YearLinks) -> list[Page]:
    """A report at a glance: its figures, then its policies and their basic projects."""
    return in_every_language(
        site,
        url,
        "home.html",
        report=report,
        year_links=links,
        totals=totals(report.projects),
        policy_totals={p.id: totals(p.projects) for p in report.policies},
        increases=largest_changes(report.projects, rising=True),
        decreases=largest_changes(report.projects, rising=False),
        bp_totals={
            (p.id, bp.id): totals(bp.projects) for p in report.policies for bp in p.basic_projects
        },
    )


CHANGES_SHOWN = 5  # of each kind, on a report's overview


def largest_changes(projects: list[Project], rising: bool) -> list[Project]:
    """The projects whose cost rose (or fell) the most from the previous year, largest first;
    only those with both years' figures, and never a change of 0."""
    sign = 1 if rising else -1
    moved = [p for p in projects if p.change is not None and sign * p.change > 0]
    return sorted(moved, key=lambda p: (-sign * p.change, p.order, p.id))[:CHANGES_SHOWN]


TABLE_ROWS = 50  # the rows of one page of a year's table: light to lay out on a phone


def table_pages(
    site: Site, report: Report, url: str, links: YearLinks, every_page: bool = True
) -> list[Page]:
    """A year's table of projects in pages of TABLE_ROWS rows, the first at url, the others at
    reports/{year}/projects/page/N/; each page knows them all (pager, and the rows a script
    gathers to filter or sort the whole year). every_page=False: the first page only (the
    newest year's table without a year, whose other pages are the dated ones)."""
    projects = report.projects
    chunks = [projects[i : i + TABLE_ROWS] for i in range(0, len(projects), TABLE_ROWS)] or [[]]
    first = table_url(report.fiscal_year)
    urls = [first] + [f"{first}page/{n}/" for n in range(2, len(chunks) + 1)]
    pager = list(enumerate(urls, 1))
    pages: list[Page] = []
    for number, (chunk, page_url) in enumerate(zip(chunks, urls, strict=True), 1):
        if number > 1 and not every_page:
            break
        pages += in_every_language(
            site,
            url if number == 1 else page_url,
            "projects.html",
            report=report,
            projects=chunk,
            year_links=links,
            pager=pager,
            page_number=number,
            first_row=(number - 1) * TABLE_ROWS + 1,
            total_rows=len(projects),
        )
    return pages


def policy_page(
    site: Site, report: Report, policy: Policy, url: str, links: YearLinks
) -> list[Page]:
    return in_every_language(
        site,
        url,
        "policy.html",
        report=report,
        policy=policy,
        year_links=links,
        totals=totals(policy.projects),
        bp_totals={bp.id: totals(bp.projects) for bp in policy.basic_projects},
    )


def division_page(
    site: Site,
    report: Report,
    division_id: str,
    projects: list[Project],
    url: str,
    links: YearLinks,
) -> list[Page]:
    return in_every_language(
        site,
        url,
        "division.html",
        report=report,
        division=site.divisions[division_id],
        projects=projects,
        totals=totals(projects),
        year_links=links,
    )


def divisions_page(
    site: Site,
    report: Report,
    of_division: dict[str, list[Project]],
    url: str,
    links: YearLinks,
) -> list[Page]:
    """The divisions of a report, each with its projects' count and totals, in the order
    they first appear in the report."""
    return in_every_language(
        site,
        url,
        "divisions.html",
        report=report,
        divisions=[(site.divisions[d], totals(projects)) for d, projects in of_division.items()],
        year_links=links,
    )


def former_names(years: list[Project]) -> list[dict[str, Any]]:
    """The names a project had before its newest, each with the first and last fiscal year
    it was used in, newest first."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for project in years[1:]:
        if project.name == years[0].name:
            continue
        key = tuple(sorted(project.name.items()))
        entry = found.setdefault(key, {"name": project.name, "last": project.fiscal_year})
        entry["first"] = project.fiscal_year
    return list(found.values())


def project_pages(site: Site) -> list[Page]:
    """One page per project id: its whole life, newest fiscal year first."""
    histories = by_id(site.projects)
    merged_from: dict[str, list[Project]] = {}
    for years in histories.values():
        if years[0].merged_into:
            merged_from.setdefault(years[0].merged_into, []).append(years[0])
    newest_year = site.reports[0].fiscal_year
    pages: list[Page] = []
    for project_id, years in histories.items():
        last = years[0]
        pages += in_every_language(
            site,
            f"projects/{project_id}/",
            "project.html",
            project=last,
            years=years,
            first_year=years[-1].fiscal_year,
            ended=last.fiscal_year < newest_year or bool(last.end_note or last.merged_into),
            merged_into=histories.get(last.merged_into or "", [None])[0],
            merged_from=merged_from.get(project_id, []),
            former_names=former_names(years),
            cited=[r for r in site.reports if r.fiscal_year in {p.fiscal_year for p in years}],
        )
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
