"""The rows of the tables of projects, kept from one build for the next (shisaku/memo.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shisaku import data, load, model, pages, validate
from shisaku.memo import RowMemo
from shisaku.render import TEMPLATES, Renderer

from .synthetic import make_tree

TABLES = {"home.html", "projects.html", "policy.html", "division.html"}


def table_pages(content: Path) -> tuple[model.Site, list[pages.Page]]:
    """The model of a content tree, and its pages that show a table of projects."""
    validated, problems = validate.validate(load.load(content))
    assert validated is not None and not problems, problems
    site = model.build_model(validated.records)
    return site, [p for p in pages.build_pages(site, data.schemas()) if p.template in TABLES]


def render_with(renderer: Renderer, site_pages: list[pages.Page]) -> dict[str, str]:
    return {page.output: renderer.render(page) for page in site_pages}


def kept_rows(site: model.Site, site_pages: list[pages.Page], digest: str) -> dict[bytes, bytes]:
    """The rows a build of these pages keeps for the next one."""
    renderer = Renderer(site, TEMPLATES, RowMemo(digest))
    render_with(renderer, site_pages)
    renderer.memo.absorb(renderer.memo.take())
    return renderer.memo.kept


def change_one_project(content: Path) -> None:
    """Its cost and its name, both shown in its rows."""
    project = content / "2023" / "projects" / "jigyo-00007.yaml"
    text = project.read_text(encoding="utf-8")
    cost = re.search(r"2023: (\d+)", text)
    assert cost and "号" in text, text
    text = text.replace(cost[0], f"2023: {int(cost[1]) + 1}").replace("号", "番", 1)
    project.write_text(text, encoding="utf-8")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "content", projects=30)


def test_rows_of_the_last_build_give_the_pages_no_memo_gives(content):
    site, site_pages = table_pages(content)
    kept = kept_rows(site, site_pages, "digest")
    before = render_with(Renderer(site), site_pages)
    change_one_project(content)
    site, site_pages = table_pages(content)

    rebuilt = Renderer(site, TEMPLATES, RowMemo("digest", kept))
    with_memo = render_with(rebuilt, site_pages)
    assert with_memo == render_with(Renderer(site), site_pages)
    assert with_memo != before  # the change shows in these pages
    # The changed project's rows only: two languages, with and without the year.
    assert len(rebuilt.memo.made) == 4


def test_rows_of_other_settings_or_templates_are_not_used(content):
    site, site_pages = table_pages(content)
    kept = kept_rows(site, site_pages, "digest")
    renderer = Renderer(site, TEMPLATES, RowMemo("another digest", kept))
    render_with(renderer, site_pages)
    assert len(renderer.memo.made) == len(kept) == 4 * len(site.projects)


def test_only_the_rows_a_build_used_are_kept(content):
    site, site_pages = table_pages(content)
    kept = kept_rows(site, site_pages, "digest")
    change_one_project(content)
    site, site_pages = table_pages(content)
    renderer = Renderer(site, TEMPLATES, RowMemo("digest", kept))
    render_with(renderer, site_pages)
    renderer.memo.absorb(renderer.memo.take())
    assert len(renderer.memo.kept) == len(kept)  # the changed project's old rows are gone
    assert set(renderer.memo.kept) != set(kept)


def test_the_rows_kept_are_those_of_pages_rendered_on_every_build(content):
    """A policy's or a division's page is rendered again only when it changed."""
    site, site_pages = table_pages(content)
    assert {p.template for p in site_pages if p.reusable} == {"policy.html", "division.html"}
    assert kept_rows(site, [p for p in site_pages if p.reusable], "digest") == {}
    home = [p for p in site_pages if p.template == "home.html"]
    assert len(kept_rows(site, home, "digest")) == 2 * len(site.projects)


def test_a_projects_digest_is_that_of_its_file_its_year_and_the_languages(content):
    """What keys a project's pages and rows: the bytes of its file (read now or taken from the
    last build), its fiscal year and the site's languages; its fields when those are unknown."""
    loaded = load.load(content)
    record = next(r for r in loaded.records if r.kind == "project")
    project = model._project(record, ["ja", "en"])
    assert project.source == record.digest != ""
    same = model._project(load.Record(**{**vars(record), "reused": True}), ["ja", "en"])
    assert same.digest == project.digest
    other_year = load.Record(**{**vars(record), "fiscal_year": record.fiscal_year + 1})
    other_bytes = load.Record(**{**vars(record), "digest": "0" * 64})
    others = [
        model._project(other_year, ["ja", "en"]),
        model._project(other_bytes, ["ja", "en"]),
        model._project(record, ["en", "ja"]),
    ]
    assert len({project.digest, *(p.digest for p in others)}) == 4
    unknown = model._project(load.Record(**{**vars(record), "digest": ""}), ["ja", "en"])
    changed = model._project(
        load.Record(**{**vars(record), "digest": "", "data": {**record.data, "order": 99}}),
        ["ja", "en"],
    )
    assert unknown.digest != changed.digest != project.digest
