"""Validated content -> typed objects; their derived figures (change, ratio) come from figures.py."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from .figures import change, ratio
from .markup import page_title

Text = dict[str, str]  # one text in every site language: {"ja": ..., "en": ...}


@dataclass(frozen=True)
class Contact:
    """How residents reach a division; any part may be missing."""

    phone: str | None = None
    email: str | None = None
    url: str | None = None
    address: Text | None = None


@dataclass
class Division:
    id: str
    name: Text
    contact: Contact | None = None
    name_kana: str | None = None  # the name's reading, in hiragana or katakana


@dataclass
class Project:
    id: str
    fiscal_year: int
    order: int
    policy: str
    basic_project: str
    division: str
    name: Text
    summary: Text
    activities: Text
    cost: int | None
    previous_cost: int | None
    file: str
    # why the report's 前年度 figure differs from last year's report (a restatement)
    previous_cost_note: Text | None = None
    end_note: Text | None = None  # why the project ends after this fiscal year
    merged_into: str | None = None  # the project it goes on as part of, from the next year
    name_kana: str | None = None  # the name's reading, in hiragana or katakana

    @property
    def change(self) -> int | None:
        return change(self.cost, self.previous_cost)

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.cost, self.previous_cost)


@dataclass
class BasicProject:
    id: str
    name: Text
    directions: list[Text]
    projects: list[Project] = field(default_factory=list)


@dataclass
class Policy:
    id: str
    fiscal_year: int
    order: int
    name: Text
    approach: Text
    basic_projects: list[BasicProject]
    name_kana: str | None = None  # the name's reading, in hiragana or katakana
    source_page: int | None = None  # where its table begins in the report's PDF

    @property
    def projects(self) -> list[Project]:
        return [p for bp in self.basic_projects for p in bp.projects]


@dataclass
class Report:
    fiscal_year: int
    title: Text
    policies: list[Policy]
    source_url: str | None = None  # the official publication, as the city publishes it

    @property
    def projects(self) -> list[Project]:
        return [p for policy in self.policies for p in policy.projects]


@dataclass
class MarkdownPage:
    slug: str
    lang: str
    title: str
    text: str  # Markdown, with its title line


@dataclass
class Site:
    settings: dict[str, Any]
    languages: list[str]
    divisions: dict[str, Division]
    reports: list[Report]  # newest fiscal year first
    pages: dict[str, dict[str, MarkdownPage]] = field(default_factory=dict)  # slug -> lang -> page
    images: dict[str, bytes] = field(default_factory=dict)  # the emblem: file name -> bytes

    @property
    def code(self) -> str:
        return self.settings["city"]["code"]

    @property
    def projects(self) -> list[Project]:
        return [p for report in self.reports for p in report.projects]

    @cached_property
    def _policies(self) -> dict[tuple[int, str], Policy]:
        return {(r.fiscal_year, p.id): p for r in self.reports for p in r.policies}

    def policy_of(self, project: Project) -> Policy:
        """The policy a project belonged to in its fiscal year."""
        return self._policies[project.fiscal_year, project.policy]

    def report_of(self, project: Project) -> Report:
        """The report of a project's fiscal year."""
        return next(r for r in self.reports if r.fiscal_year == project.fiscal_year)

    def basic_project_of(self, project: Project) -> BasicProject:
        policy = self.policy_of(project)
        return next(bp for bp in policy.basic_projects if bp.id == project.basic_project)


def texts(value: dict[str, str], languages: list[str]) -> Text:
    return {lang: value[lang] for lang in languages}


def build_model(records: list[Any]) -> Site:
    """Typed objects from validated records (load.Record); every reference is known to resolve."""
    site_record = next(r for r in records if r.kind == "site")
    languages = list(site_record.data["languages"])
    divisions = {
        r.data["id"]: _division(r.data, languages) for r in records if r.kind == "division"
    }
    reports = []
    for year in sorted({r.fiscal_year for r in records if r.kind == "report"}, reverse=True):
        of_year = [r for r in records if r.fiscal_year == year]
        report = next(r for r in of_year if r.kind == "report")
        policies = [_policy(r.data, year, languages) for r in of_year if r.kind == "policy"]
        policies.sort(key=lambda p: (p.order, p.id))
        basic_projects = {(p.id, bp.id): bp for p in policies for bp in p.basic_projects}
        projects = [_project(r, languages) for r in of_year if r.kind == "project"]
        for project in sorted(projects, key=lambda p: (p.order, p.id)):
            basic_projects[project.policy, project.basic_project].projects.append(project)
        source = report.data.get("source") or {}
        reports.append(
            Report(year, texts(report.data["title"], languages), policies, source.get("url"))
        )
    pages: dict[str, dict[str, MarkdownPage]] = {}
    for r in records:
        if r.kind == "page":
            slug, lang, text = r.data["slug"], r.data["lang"], r.data["text"]
            pages.setdefault(slug, {})[lang] = MarkdownPage(
                slug, lang, page_title(text) or slug, text
            )
    images = {r.data["name"]: r.data["bytes"] for r in records if r.kind == "image"}
    return Site(
        site_record.data, languages, divisions, reports, dict(sorted(pages.items())), images
    )


def _division(data: dict[str, Any], languages: list[str]) -> Division:
    contact = data.get("contact")
    return Division(
        data["id"],
        texts(data["name"], languages),
        None
        if contact is None
        else Contact(
            contact.get("phone"),
            contact.get("email"),
            contact.get("url"),
            _optional_text(contact.get("address"), languages),
        ),
        reading(data.get("name_kana")),
    )


def _policy(data: dict[str, Any], year: int, languages: list[str]) -> Policy:
    basic_projects = [
        BasicProject(
            bp["id"],
            texts(bp["name"], languages),
            [texts(d, languages) for d in bp["directions"]],
        )
        for bp in data["basic_projects"]
    ]
    return Policy(
        data["id"],
        year,
        data["order"],
        texts(data["name"], languages),
        texts(data["approach"], languages),
        basic_projects,
        reading(data.get("name_kana")),
        data.get("source_page"),
    )


def _project(record: Any, languages: list[str]) -> Project:
    data, year = record.data, record.fiscal_year
    return Project(
        id=data["id"],
        fiscal_year=year,
        order=data["order"],
        policy=data["policy"],
        basic_project=data["basic_project"],
        division=data["division"],
        name=texts(data["name"], languages),
        summary=texts(data["summary"], languages),
        activities=texts(data["activities"], languages),
        cost=_cost(data["cost"], year),
        previous_cost=_cost(data["cost"], year - 1),
        file=record.file,
        previous_cost_note=_optional_text(data.get("previous_cost_note"), languages),
        end_note=_optional_text(data.get("end_note"), languages),
        merged_into=data.get("merged_into"),
        name_kana=reading(data.get("name_kana")),
    )


def reading(name_kana: str | None) -> str | None:
    """A reading as pages show it: half-width katakana made full-width (NFKC)."""
    return unicodedata.normalize("NFKC", name_kana) if name_kana else None


def _optional_text(value: dict[str, str] | None, languages: list[str]) -> Text | None:
    return None if value is None else texts(value, languages)


def _cost(costs: dict[Any, Any], year: int) -> int | None:
    value = costs.get(year, costs.get(str(year)))
    return None if value is None else int(value)
