"""Rebuilds: nothing changed, nothing done; anything changed, exactly a fresh build's bytes.

Every build is whole, so a rebuild after any change must be byte for byte what a first build
of the same inputs gives, whatever the templates read of the model, and nothing is kept
beside site/ but the fingerprint (`.site.state.json`) and the lock (`.site.lock`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jinja2
import pytest

from shisaku import cli, fingerprint, pipeline, portable, rows, write
from shisaku.render import TEMPLATES

from .conftest import PROJECT_YAML, ROOT, write_tree
from .synthetic import make_tree


def tree(folder: Path) -> dict[str, bytes]:
    """Every file of a folder by its path, and every folder (as None)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def beside(site: Path) -> list[str]:
    """What a build left beside site/ (its folder holds nothing else in these tests)."""
    return sorted(p.name for p in site.parent.iterdir() if p.name != site.name)


@pytest.fixture
def setup(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The tiny tree with two projects, and copies of the templates and schemas to change."""
    second = PROJECT_YAML.replace("id: mimamori", "id: kaigo").replace("order: 1", "order: 2")
    write_tree(tiny, {"2023/projects/kaigo.yaml": second})
    templates = Path(shutil.copytree(TEMPLATES, tmp_path / "templates"))
    schema = Path(shutil.copytree(rows.SCHEMA_DIR, tmp_path / "schema"))
    monkeypatch.setattr(cli, "TEMPLATES", templates)
    monkeypatch.setattr(fingerprint, "SCHEMA", schema)
    monkeypatch.setattr(rows, "SCHEMA_DIR", schema)
    return {
        "content": tiny,
        "templates": templates,
        "schema": schema,
        "site": tmp_path / "out" / "site",
    }


def rebuild(setup: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> str:
    """`python build.py --verbose` into the same site/ as before; what it printed."""
    command = ["--content", str(setup["content"]), "--out", str(setup["site"]), "--verbose"]
    assert cli.main(command) == 0
    return capsys.readouterr().err


def assert_same_as_fresh_build(setup: dict[str, Path], tmp_path: Path) -> None:
    fresh = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}" / "site"
    assert pipeline.build(setup["content"], fresh, setup["templates"]) == []
    assert tree(setup["site"]) == tree(fresh)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_rebuild_with_nothing_changed_does_nothing(setup, capsys):
    rebuild(setup, capsys)
    before = {p: p.stat().st_mtime_ns for p in setup["site"].rglob("*") if p.is_file()}
    said = rebuild(setup, capsys)
    assert said.startswith("nothing changed:")
    assert {p: p.stat().st_mtime_ns for p in setup["site"].rglob("*") if p.is_file()} == before
    assert beside(setup["site"]) == [".site.lock", ".site.state.json"]


def test_the_state_kept_between_builds_is_a_small_json_fingerprint(setup, capsys):
    rebuild(setup, capsys)
    state = json.loads(fingerprint.state_file(setup["site"]).read_text(encoding="utf-8"))
    assert sorted(state) == ["inputs", "site"]
    assert all(isinstance(value, str) and len(value) == 64 for value in state.values())


def rename_project(setup: dict[str, Path]) -> None:
    projects = setup["content"] / "2023" / "projects"
    text = (projects / "kaigo.yaml").read_text(encoding="utf-8")
    (projects / "kaigo.yaml").unlink()
    (projects / "kaigo-shien.yaml").write_text(
        text.replace("id: kaigo", "id: kaigo-shien"), encoding="utf-8"
    )


def edit_schema(setup: dict[str, Path]) -> None:
    schema = setup["schema"] / "projects.json"
    described = json.loads(schema.read_text(encoding="utf-8"))
    described["fields"][0]["description"] += " (edited)"
    schema.write_text(json.dumps(described, ensure_ascii=False, indent=2), encoding="utf-8")


def edit_page_by_hand(setup: dict[str, Path]) -> None:
    """The same size: its time tells."""
    page = setup["site"] / "en" / "projects" / "mimamori" / "index.html"
    time.sleep(0.01)
    page.write_bytes(page.read_bytes().replace(b"Watch-over", b"Watch-ovex"))


HELP_PAGES = {"pages/help.ja.md": "# 使い方\n\n本文。\n", "pages/help.en.md": "# Help\n\nText.\n"}
PROJECT = ("2023", "projects", "kaigo.yaml")

# Each change, made to the inputs (or to site/) after a first build.
CHANGES = {
    "edit a project": lambda s: edit(s["content"].joinpath(*PROJECT), "見守り事業", "介護事業"),
    "delete a project": lambda s: s["content"].joinpath(*PROJECT).unlink(),
    "rename a project": rename_project,
    "change a project's cost": lambda s: edit(
        s["content"].joinpath(*PROJECT), "2023: 2001", "2023: 3001"
    ),
    "edit a template": lambda s: edit(s["templates"] / "project.html", "<h1", "<h1 data-edited"),
    "edit a UI string": lambda s: edit(
        s["templates"] / "strings" / "en.yaml", "nav_home: Home", "nav_home: Start"
    ),
    "edit a schema": edit_schema,
    "add a Markdown page": lambda s: write_tree(s["content"], HELP_PAGES),
    "rename a policy": lambda s: edit(
        s["content"] / "2023" / "policies" / "kurashi.yaml", "en: Living", "en: Daily life"
    ),
    "rename a division": lambda s: edit(
        s["content"] / "divisions" / "soumu.yaml", "General Affairs", "Administration"
    ),
    "edit the site settings": lambda s: edit(
        s["content"] / "site.yaml", "en: Test City}", "en: Trial City}"
    ),
    "delete a file of the site": lambda s: (s["site"] / "ja" / "index.html").unlink(),
    "edit a file of the site by hand": edit_page_by_hand,
    "add a file to the site by hand": lambda s: (s["site"] / "en" / "notes.txt").write_text("mine"),
    "remove site/": lambda s: shutil.rmtree(s["site"]),
}


@pytest.mark.parametrize("change", [*CHANGES, "change SOURCE_DATE_EPOCH", "edit a Markdown page"])
def test_after_a_change_the_rebuild_equals_a_fresh_build(
    setup, capsys, tmp_path, monkeypatch, change
):
    rebuild(setup, capsys)
    site = setup["site"]
    if change == "change SOURCE_DATE_EPOCH":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    elif change == "edit a Markdown page":
        write_tree(setup["content"], HELP_PAGES)
        rebuild(setup, capsys)
        write_tree(setup["content"], {"pages/help.en.md": "# How to use\n"})
    else:
        CHANGES[change](setup)
    said = rebuild(setup, capsys)
    assert not said.startswith("nothing changed"), said
    assert_same_as_fresh_build(setup, tmp_path)
    assert beside(site) == [".site.lock", ".site.state.json"]
    if change == "rename a project":
        assert not (site / "ja" / "projects" / "kaigo").exists()
        assert (site / "ja" / "projects" / "kaigo-shien" / "index.html").exists()


def test_a_template_may_read_anything_of_the_model(setup, capsys, tmp_path):
    """A project page made to show its policy's approach, then that approach changed in the
    policy's file: every page that shows it has the new words, as a fresh build has them."""
    rebuild(setup, capsys)
    edit(
        setup["templates"] / "project.html",
        "<h1",
        '<p class="approach">{{ fmt.text(site.policy_of(project).approach) }}</p><h1',
    )
    rebuild(setup, capsys)
    page = setup["site"] / "en" / "projects" / "kaigo" / "index.html"
    assert "Support daily life." in page.read_text(encoding="utf-8")
    policy = setup["content"] / "2023" / "policies" / "kurashi.yaml"
    edit(policy, "en: Support daily life.", "en: Help people every day.")
    rebuild(setup, capsys)
    for project in ("kaigo", "mimamori"):
        shown = (setup["site"] / "en" / "projects" / project / "index.html").read_text("utf-8")
        assert "Help people every day." in shown and "Support daily life." not in shown
    assert_same_as_fresh_build(setup, tmp_path)


@pytest.mark.parametrize(
    "mistake",
    ["an id used twice", "an unknown division", "a cost that is text", "a language more"],
)
def test_after_a_mistake_the_build_reports_what_check_does_and_keeps_the_site(
    setup, capsys, mistake
):
    rebuild(setup, capsys)
    content, site = setup["content"], setup["site"]
    before = tree(site)
    project = content / "2023" / "projects" / "kaigo.yaml"
    if mistake == "an id used twice":
        shutil.copy(content / "2023" / "projects" / "mimamori.yaml", project.with_name("c.yaml"))
    elif mistake == "an unknown division":
        edit(project, "division: soumu", "division: somu")
    elif mistake == "a cost that is text":
        edit(project, "2001", '"2,001"')
    else:
        edit(content / "site.yaml", "languages: [ja, en]", "languages: [ja, en, ko]")
    problems = pipeline.build(content, site, setup["templates"])
    assert problems and problems == pipeline.check(content)[1]
    assert tree(site) == before
    assert beside(site) == [".site.lock", ".site.state.json"]


def test_a_build_that_fails_while_rendering_leaves_the_site_and_nothing_else(setup, capsys):
    rebuild(setup, capsys)
    before = tree(setup["site"])
    edit(setup["templates"] / "project.html", "<h1", "{{ nothing_here.x }}<h1")
    with pytest.raises(jinja2.UndefinedError):
        pipeline.build(setup["content"], setup["site"], setup["templates"])
    assert tree(setup["site"]) == before
    assert beside(setup["site"]) == [".site.lock", ".site.state.json"]


def test_builds_of_one_site_wait_for_each_other(tiny, tmp_path):
    """A build must not see another build swap site/ in under it."""
    site = tmp_path / "out" / "site"
    command = [sys.executable, "build.py", "--content", str(tiny), "--out", str(site)]
    site.parent.mkdir(parents=True)
    with portable.locked(write.lock_file(site)):
        waiting = subprocess.Popen(command, cwd=ROOT)
        time.sleep(3)
        assert waiting.poll() is None, "the second build did not wait"
    assert waiting.wait(timeout=60) == 0
    assert (site / "ja" / "index.html").exists()


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough projects for pages to be rendered by several workers."""
    return make_tree(tmp_path_factory.mktemp("many") / "content", projects=220)


def test_rendering_on_every_core_gives_the_same_bytes_as_every_fallback(
    many, tmp_path, monkeypatch
):
    """The build on this machine (forked workers, renameat2, flock) and the build a machine
    without them makes (one process, two renames, a lock file) write the same site."""
    parallel, portable_site = tmp_path / "parallel" / "site", tmp_path / "portable" / "site"
    assert pipeline.build(many, parallel) == []
    monkeypatch.setenv("SHISAKU_FALLBACKS", "1")
    assert not portable.can_fork() and not portable.exchange(tmp_path, tmp_path)
    assert pipeline.build(many, portable_site) == []
    assert pipeline.build(many, portable_site) == []  # the second one replaces a site
    assert tree(parallel) == tree(portable_site)
    assert beside(portable_site) == [".site.lock", ".site.state.json"]


def test_one_changed_project_of_many_rebuilds_like_a_fresh_build(many, tmp_path):
    content = Path(shutil.copytree(many, tmp_path / "content"))
    site = tmp_path / "out" / "site"
    command = ["--content", str(content), "--out", str(site), "--quiet"]
    assert cli.main(command) == 0
    project = sorted((content / "2023" / "projects").glob("*.yaml"))[7]
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace("2023: ", "2023: 1", 1), encoding="utf-8")
    assert cli.main(command) == 0
    fresh = tmp_path / "fresh" / "site"
    assert pipeline.build(content, fresh) == []
    assert tree(site) == tree(fresh)


WITHOUT_POSIX = """
import ctypes, multiprocessing, sys

def no_library(*args, **kwargs):
    raise OSError("no C library here")

sys.modules["fcntl"] = None  # import fcntl fails, as on Windows (and there is no msvcrt)
multiprocessing.get_all_start_methods = lambda: ["spawn"]
ctypes.CDLL = no_library
from shisaku import cli
sys.exit(cli.main(["--content", sys.argv[1], "--out", sys.argv[2], "--quiet"]))
"""


def test_a_machine_without_fcntl_fork_or_renameat2_builds_the_same_site(many, tmp_path):
    """As on Windows: the package imports, the build runs in one process, locks with a file
    and swaps with two renames, twice, and writes the same bytes as here."""
    here, there = tmp_path / "here" / "site", tmp_path / "there" / "site"
    assert pipeline.build(many, here) == []
    for run in range(2):
        if run:  # a site/ changed by hand: the second build replaces it
            (there / "robots.txt").unlink()
        done = subprocess.run(
            [sys.executable, "-c", WITHOUT_POSIX, str(many), str(there)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
    assert tree(here) == tree(there)
    assert beside(there) == [".site.lock", ".site.state.json"]
