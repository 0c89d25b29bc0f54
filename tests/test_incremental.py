"""Rebuilds: nothing changed, nothing done; anything changed, the same bytes as a full build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shisaku import cache, cli, pipeline, rows
from shisaku.render import TEMPLATES

from .conftest import PROJECT_YAML, write_tree


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def setup(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The tiny tree with two projects, and copies of the templates and schemas to change."""
    second = PROJECT_YAML.replace("id: mimamori", "id: kaigo").replace("order: 1", "order: 2")
    write_tree(tiny, {"2023/projects/kaigo.yaml": second})
    templates = Path(shutil.copytree(TEMPLATES, tmp_path / "templates"))
    schema = Path(shutil.copytree(rows.SCHEMA_DIR, tmp_path / "schema"))
    monkeypatch.setattr(cli, "TEMPLATES", templates)
    monkeypatch.setattr(cache, "SCHEMA", schema)
    monkeypatch.setattr(rows, "SCHEMA_DIR", schema)
    return {
        "content": tiny,
        "templates": templates,
        "schema": schema,
        "site": tmp_path / "out" / "site",
    }


def rebuild(setup: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> str:
    """`python build.py --verbose` into the same site/ as before; what it printed."""
    assert (
        cli.main(["--content", str(setup["content"]), "--out", str(setup["site"]), "--verbose"])
        == 0
    )
    return capsys.readouterr().err


def assert_same_as_full_build(setup: dict[str, Path], tmp_path: Path) -> None:
    fresh = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}" / "site"
    assert pipeline.build(setup["content"], fresh, setup["templates"]) == []
    assert tree(setup["site"]) == tree(fresh)


def test_a_rebuild_with_nothing_changed_does_nothing(setup, capsys):
    rebuild(setup, capsys)
    before = {p: p.stat().st_mtime_ns for p in setup["site"].rglob("*") if p.is_file()}
    said = rebuild(setup, capsys)
    assert said.startswith("nothing changed:")
    assert {p: p.stat().st_mtime_ns for p in setup["site"].rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    "change",
    ["edit a project", "delete a project", "rename a project", "edit a template", "edit a schema",
     "add a Markdown page", "change SOURCE_DATE_EPOCH", "delete a file of the site"],
)  # fmt: skip
def test_after_a_change_the_rebuild_equals_a_full_build(
    setup, capsys, tmp_path, monkeypatch, change
):
    rebuild(setup, capsys)
    content, projects = setup["content"], setup["content"] / "2023" / "projects"
    if change == "edit a project":
        path = projects / "kaigo.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("見守り事業", "介護事業"), encoding="utf-8"
        )
    elif change == "delete a project":
        (projects / "kaigo.yaml").unlink()
    elif change == "rename a project":
        text = (
            (projects / "kaigo.yaml")
            .read_text(encoding="utf-8")
            .replace("id: kaigo", "id: kaigo-shien")
        )
        (projects / "kaigo.yaml").unlink()
        (projects / "kaigo-shien.yaml").write_text(text, encoding="utf-8")
    elif change == "edit a template":
        strings = setup["templates"] / "strings" / "en.yaml"
        strings.write_text(
            strings.read_text(encoding="utf-8").replace("nav_home: Home", "nav_home: Start"),
            encoding="utf-8",
        )
    elif change == "edit a schema":
        schema = setup["schema"] / "projects.json"
        data = json.loads(schema.read_text(encoding="utf-8"))
        data["fields"][0]["description"] += " (edited)"
        schema.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    elif change == "add a Markdown page":
        write_tree(
            content,
            {"pages/help.ja.md": "# 使い方\n\n本文。\n", "pages/help.en.md": "# Help\n\nText.\n"},
        )
    elif change == "change SOURCE_DATE_EPOCH":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    elif change == "delete a file of the site":
        (setup["site"] / "ja" / "index.html").unlink()
    said = rebuild(setup, capsys)
    assert not said.startswith("nothing changed"), said
    assert_same_as_full_build(setup, tmp_path)
    if change == "rename a project":
        assert not (setup["site"] / "ja" / "projects" / "kaigo").exists()
        assert (setup["site"] / "ja" / "projects" / "kaigo-shien" / "index.html").exists()
    if change == "delete a project":
        assert not (setup["site"] / "en" / "projects" / "kaigo").exists()


def test_rendering_on_every_core_gives_the_same_bytes_as_one(tmp_path, monkeypatch):
    """Enough pages for the worker processes; then the same tree rendered in one process."""
    from .synthetic import make_tree

    content = make_tree(tmp_path / "content", projects=220)
    parallel, single = tmp_path / "parallel" / "site", tmp_path / "single" / "site"
    assert pipeline.build(content, parallel) == []
    assert len(list(parallel.rglob("*.html"))) >= pipeline.PARALLEL_FROM
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 10**9)
    assert pipeline.build(content, single) == []
    assert tree(parallel) == tree(single)
