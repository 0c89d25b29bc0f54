"""Rebuilds: nothing changed, nothing done; anything changed, the same bytes as a full build."""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from shisaku import cache, cli, data, load, pipeline, rows, validate
from shisaku.render import TEMPLATES

from .conftest import PROJECT_YAML, ROOT, write_tree


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


def folders(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_dir()}


def assert_same_as_full_build(setup: dict[str, Path], tmp_path: Path) -> None:
    fresh = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}" / "site"
    assert pipeline.build(setup["content"], fresh, setup["templates"]) == []
    assert tree(setup["site"]) == tree(fresh)
    assert folders(setup["site"]) == folders(fresh)  # none left empty by a page removed


def test_a_rebuild_with_nothing_changed_does_nothing(setup, capsys):
    rebuild(setup, capsys)
    before = {p: p.stat().st_mtime_ns for p in setup["site"].rglob("*") if p.is_file()}
    said = rebuild(setup, capsys)
    assert said.startswith("nothing changed:")
    assert {p: p.stat().st_mtime_ns for p in setup["site"].rglob("*") if p.is_file()} == before


def test_a_rebuild_with_nothing_changed_imports_no_library_of_the_build(tiny, tmp_path):
    """The check that nothing changed runs before every save's preview: it must not pay for
    importing Jinja, frictionless or openpyxl (a third of a second)."""
    site = tmp_path / "out" / "site"
    assert pipeline.build(tiny, site) == []
    script = (
        "import sys\n"
        "from shisaku import cli\n"
        f"status = cli.main(['--content', {str(tiny)!r}, '--out', {str(site)!r}, '--quiet'])\n"
        "heavy = {'jinja2', 'frictionless', 'openpyxl', 'yaml', 'shisaku.pipeline'}\n"
        "print(status, sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "[]"], done


def test_the_build_process_leaves_rdflib_to_the_data_process():
    """The catalogue's RDF library is imported by the process that makes the data package,
    not by the build's own, which would wait for it (a few hundredths of a second)."""
    script = "import sys, shisaku.pipeline; print('rdflib' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False"], done


def test_frictionless_runs_in_its_own_process_and_here_when_that_is_gone(tiny, tmp_path):
    """The build's process leaves frictionless to another, which it starts first; if that one
    dies, the rows are checked here, with the same messages."""
    edit(tiny / "2023" / "projects" / "mimamori.yaml", "ja: 見守り事業", "ja: " + "見守り" * 700)
    site = tmp_path / "site"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from shisaku import pipeline\n"
        f"found = pipeline.build(Path({str(tiny)!r}), Path({str(site)!r}))\n"
        "print('frictionless' in sys.modules, [p.code for p in found])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    in_process = [p.code for p in pipeline.check(tiny)[1]]
    assert in_process == ["too-long"] and done.stdout.strip() == f"False {in_process}", done

    frictionless = pipeline.Frictionless()
    assert frictionless._process is not None
    frictionless._process.kill()
    frictionless._process.join()
    assert [p.code for p in pipeline.check(tiny, frictionless=frictionless)[1]] == in_process


def test_the_listing_made_by_another_process_is_the_listing_of_site(tiny, tmp_path):
    site = tmp_path / "out" / "site"
    assert pipeline.build(tiny, site) == []
    assert cache.Listing(site).value() == cache.site_listing(site) != "missing"
    assert cache.Listing(tmp_path / "nowhere").value() == "missing"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    "change",
    ["edit a project", "delete a project", "rename a project", "edit a template", "edit a schema",
     "add a Markdown page", "change SOURCE_DATE_EPOCH", "delete a file of the site",
     "rename a policy", "rename a division", "edit the site settings", "edit a Markdown page",
     "edit a file of the site by hand", "corrupt the build cache", "damage a byte of the cache",
     "links refused by the file system", "change a project's cost"],
)  # fmt: skip
@pytest.mark.parametrize("spare", [False, True], ids=["new folder", "spare folder"])
def test_after_a_change_the_rebuild_equals_a_full_build(
    setup, capsys, tmp_path, monkeypatch, change, spare
):
    """spare: the rebuild is the third build, which updates the site before the last one
    (the spare folder); else the spare is gone and the rebuild makes a new folder."""
    rebuild(setup, capsys)
    content, projects = setup["content"], setup["content"] / "2023" / "projects"
    if spare:
        edit(projects / "kaigo.yaml", "en: Watches over older residents.", "en: Visits.")
        rebuild(setup, capsys)
        assert cache.spare_folder(setup["site"]).is_dir()
    else:
        shutil.rmtree(cache.spare_folder(setup["site"]))
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
    elif change == "rename a policy":  # every project page names its policy
        edit(content / "2023" / "policies" / "kurashi.yaml", "en: Living", "en: Daily life")
    elif change == "rename a division":
        edit(content / "divisions" / "soumu.yaml", "General Affairs", "Administration")
    elif change == "edit the site settings":
        edit(content / "site.yaml", "en: Test City}", "en: Trial City}")
    elif change == "edit a Markdown page":
        write_tree(
            content, {"pages/help.ja.md": "# 使い方\n\n本文。\n", "pages/help.en.md": "# Help\n"}
        )
        rebuild(setup, capsys)
        write_tree(content, {"pages/help.en.md": "# How to use\n"})
    elif change == "edit a file of the site by hand":  # same size: its time tells
        page = setup["site"] / "en" / "projects" / "mimamori" / "index.html"
        page.write_bytes(page.read_bytes().replace(b"Watch-over", b"Watch-ovex"))
        monkeypatch.setattr(
            cache.Survey, "unchanged", property(lambda self: False)
        )  # as if content changed
    elif change == "corrupt the build cache":
        cache.cache_file(setup["site"]).write_bytes(b"not a pickle")
        edit(projects / "kaigo.yaml", "見守り事業", "介護事業")
    elif change == "damage a byte of the cache":
        cached = cache.cache_file(setup["site"])
        data = bytearray(cached.read_bytes())
        data[len(data) // 2] ^= 0xFF
        cached.write_bytes(bytes(data))
        edit(projects / "kaigo.yaml", "見守り事業", "介護事業")
    elif change == "links refused by the file system":  # FAT, some network mounts

        def refuse(*args: object, **kwargs: object) -> None:
            raise PermissionError("links are not allowed here")

        monkeypatch.setattr(os, "link", refuse)
        edit(projects / "kaigo.yaml", "見守り事業", "介護事業")
    elif change == "change a project's cost":  # its rows in every table of projects
        edit(projects / "kaigo.yaml", "2023: 2001", "2023: 3001")
    said = rebuild(setup, capsys)
    assert not said.startswith("nothing changed"), said
    assert_same_as_full_build(setup, tmp_path)
    if change == "rename a project":
        assert not (setup["site"] / "ja" / "projects" / "kaigo").exists()
        assert (setup["site"] / "ja" / "projects" / "kaigo-shien" / "index.html").exists()
    if change == "delete a project":
        assert not (setup["site"] / "en" / "projects" / "kaigo").exists()


def test_a_rebuild_renders_only_the_pages_that_changed(setup, capsys, tmp_path):
    """The pages of other projects are the last build's files, linked, not written again."""
    rebuild(setup, capsys)
    site = setup["site"]
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    before = {page: (site / page).stat().st_ino for page in pages}
    edit(setup["content"] / "2023" / "projects" / "kaigo.yaml", "見守り事業", "介護事業")
    rebuild(setup, capsys)
    kept = {page for page in pages if (site / page).stat().st_ino == before[page]}
    # and the English listings of every project, rendered again but the same bytes (the edit
    # is of a Japanese name): the spare folder the build updated had them already
    assert kept == {
        f"{lang}/{page}"
        for lang in ("ja", "en")
        for page in ("projects/mimamori/index.html", "search/index.html")
    } | {"index.html", "404.html", "en/index.html", "en/projects/index.html"}
    assert_same_as_full_build(setup, tmp_path)


def staged(target: str | Path) -> str:
    """A file's path inside the staging folder it was written in."""
    return re.sub(r"^.*?/\.site-build-[0-9a-f]{8}/", "", str(target))


@pytest.fixture
def touches(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The files each build writes and links, by their path in the site (a small site
    renders in the build's own process, where these are seen)."""
    seen: dict[str, list[str]] = {"written": [], "linked": []}
    from shisaku import render

    def watched(name: str, real: Any) -> Any:
        def call(target: str, *args: Any) -> None:
            seen[name].append(staged(target))
            real(target, *args)

        return call

    monkeypatch.setattr(render, "write_file", watched("written", render.write_file))
    monkeypatch.setattr(render, "link_file", watched("linked", render.link_file))
    return seen


def test_a_rebuild_changes_only_what_differs_in_the_site_before_the_last_one(
    setup, capsys, tmp_path, touches
):
    """From the third build on, the spare folder (the site before the last one) is brought up
    to date and swapped in: a page the same in it is neither written nor linked again."""
    site, kaigo = setup["site"], setup["content"] / "2023" / "projects" / "kaigo.yaml"
    rebuild(setup, capsys)
    edit(kaigo, "en: Watch-over Program", "en: Care Program")
    rebuild(setup, capsys)  # the spare, a copy of the first build's site, brought up to date
    for seen in touches.values():
        seen.clear()
    edit(kaigo, "en: Care Program", "en: Care Support Program")
    rebuild(setup, capsys)
    touched = set(touches["written"] + touches["linked"])
    same = {f"{lang}/projects/mimamori/index.html" for lang in ("ja", "en")} | {"404.html"}
    same |= {f"static/{p.name}" for p in (setup["templates"] / "static").iterdir()}
    assert not same & touched, sorted(touched)
    assert {"en/projects/kaigo/index.html", "ja/projects/kaigo/index.html"} <= touched
    assert touches["linked"] == []  # what build 2 changed (kaigo) changed again
    assert_same_as_full_build(setup, tmp_path)
    # A project deleted: its pages and their folders go from the spare too.
    kaigo.unlink()
    rebuild(setup, capsys)
    assert not (site / "en" / "projects" / "kaigo").exists()
    assert_same_as_full_build(setup, tmp_path)


@pytest.mark.parametrize("where", ["spare folder", "site through a shared file"])
def test_a_spare_folder_changed_by_hand_is_not_used(setup, capsys, tmp_path, where):
    """What the spare holds is known only while its listing is the one recorded: a file
    replaced in it (or changed in site/ in place, which changes the spare's link to it too)
    and the next build starts from a new folder."""
    site, projects = setup["site"], setup["content"] / "2023" / "projects"
    rebuild(setup, capsys)
    edit(projects / "kaigo.yaml", "en: Watch-over Program", "en: Care Program")
    rebuild(setup, capsys)
    page = Path("en", "projects", "mimamori", "index.html")  # the same in both sites
    spare = cache.spare_folder(site)
    assert (spare / page).stat().st_ino == (site / page).stat().st_ino
    if where == "spare folder":
        text = (spare / page).read_bytes()
        (spare / page).unlink()
        (spare / page).write_bytes(text.replace(b"Watch-over", b"Tampered!!"))
    else:
        with (site / page).open("ab") as stream:
            stream.write(b"<!-- by hand -->")
    edit(projects / "kaigo.yaml", "en: Care Program", "en: Care Support Program")
    rebuild(setup, capsys)
    assert b"Tampered" not in (site / page).read_bytes()
    assert_same_as_full_build(setup, tmp_path)


def test_a_build_leaves_a_spare_folder_linked_to_the_files_of_site(setup, capsys, tmp_path):
    """After a build whose old site could not be the spare (the first, or one that rendered
    everything), the spare is a copy of site/ by hard links: the next build updates it."""
    rebuild(setup, capsys)
    site, spare = setup["site"], cache.spare_folder(setup["site"])
    assert tree(spare) == tree(site) and folders(spare) == folders(site)
    assert all((spare / p).stat().st_ino == (site / p).stat().st_ino for p in tree(site))
    assert cache.read_state(site)["spare"] == cache.site_listing(spare) == cache.site_listing(site)


def test_a_spare_folder_that_could_not_be_made_is_none(setup, capsys, tmp_path, monkeypatch):
    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "_copy_folder", full_disk)
    rebuild(setup, capsys)
    site = setup["site"]
    assert not cache.spare_folder(site).exists() and cache.read_state(site)["spare"] is None
    assert not [p for p in site.parent.iterdir() if "-build-" in p.name]
    monkeypatch.undo()
    edit(setup["content"] / "2023" / "projects" / "kaigo.yaml", "見守り事業", "介護事業")
    rebuild(setup, capsys)
    assert_same_as_full_build(setup, tmp_path)


@pytest.mark.parametrize("links", ["links", "links refused"])
def test_the_listings_recorded_are_those_of_site_and_of_the_spare(
    setup, capsys, monkeypatch, links
):
    """The listing of the new site is made from the spare's and the files the build touched:
    it must be the listing of site/ exactly, folders made and removed included, or the next
    build would take site/ for edited by hand and render everything."""
    site, projects = setup["site"], setup["content"] / "2023" / "projects"
    second = (projects / "kaigo.yaml").read_text(encoding="utf-8")
    if links == "links refused":  # FAT, some network mounts: files are copied, with new times

        def refuse(*args: object, **kwargs: object) -> None:
            raise PermissionError("links are not allowed here")

        monkeypatch.setattr(os, "link", refuse)

    def recorded_as_they_are() -> None:
        state = cache.read_state(site)
        assert state["site"] == cache.site_listing(site)
        assert state["spare"] == cache.site_listing(cache.spare_folder(site))

    rebuild(setup, capsys)
    recorded_as_they_are()
    for step in ("add", "delete", "add again", "edit"):
        if step.startswith("add"):
            (projects / "shien.yaml").write_text(
                second.replace("id: kaigo", "id: shien"), encoding="utf-8"
            )
        elif step == "delete":
            (projects / "shien.yaml").unlink()
        else:
            edit(projects / "kaigo.yaml", "en: Watch-over Program", "en: Care Program")
        rebuild(setup, capsys)
        recorded_as_they_are()


@pytest.mark.parametrize("where", ["site", "spare folder"])
def test_an_empty_folder_made_by_hand_does_not_come_back(setup, capsys, tmp_path, where):
    """The listings that tell whether site/ and the spare are as the last build left them
    name the folders too: a folder made by hand (empty) in either is seen, and not carried
    into later sites by the spare updated in place."""
    kaigo = setup["content"] / "2023" / "projects" / "kaigo.yaml"
    rebuild(setup, capsys)  # the spare: a copy of site/
    folder = setup["site"] if where == "site" else cache.spare_folder(setup["site"])
    (folder / ".well-known").mkdir()
    names = ["Watch-over Program", "Care Program", "Care Support", "Visits"]
    for before, after in itertools.pairwise(names):  # the spare comes round again
        edit(kaigo, f"en: {before}", f"en: {after}")
        rebuild(setup, capsys)
        assert_same_as_full_build(setup, tmp_path)


def test_a_build_that_cannot_write_its_cache_leaves_no_process_running(tmp_path, monkeypatch):
    """The process copying site/ as the spare (or listing it) is stopped when the build cache
    cannot be written: nothing runs on after the build, outside its lock."""
    from .synthetic import make_tree

    content = make_tree(tmp_path / "content", projects=220)
    site = tmp_path / "out" / "site"

    def disk_full(*args: object) -> str:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cache, "keep", disk_full)
    assert pipeline.build(content, site) == []
    assert multiprocessing.active_children() == []
    # the data process's part, written before the build knew, is not left either
    assert [p.name for p in site.parent.iterdir() if ".cache" in p.name] == []


def test_a_build_that_fails_while_rendering_leaves_no_leftover(setup, capsys, tmp_path):
    """A template changed (the spare is set aside: its pages' keys are of no use) and broken
    at render time: the staging folder and the spare set aside are both removed."""
    import jinja2

    rebuild(setup, capsys)
    template = setup["templates"] / "project.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(
        text.replace('<div class="wrap">', '<div class="wrap">{{ nothing_here.x }}', 1),
        encoding="utf-8",
    )
    with pytest.raises(jinja2.UndefinedError):
        pipeline.build(setup["content"], setup["site"], setup["templates"])
    assert [p.name for p in setup["site"].parent.iterdir() if "-build-" in p.name] == []


def test_a_cache_others_could_have_written_is_not_read(setup, capsys, tmp_path):
    """A pickle runs code when loaded: one that other users may change is ignored."""
    rebuild(setup, capsys)
    site = setup["site"]
    inodes = {p: p.stat().st_ino for p in site.rglob("*.html")}
    cache.cache_file(site).chmod(0o666)
    edit(setup["content"] / "2023" / "projects" / "kaigo.yaml", "見守り事業", "介護事業")
    rebuild(setup, capsys)
    assert not any(p.stat().st_ino == inode for p, inode in inodes.items() if p.exists())
    assert_same_as_full_build(setup, tmp_path)


def test_a_part_of_the_cache_loads_only_with_the_bytes_it_was_written_with(tmp_path):
    """Its size and CRC-32, recorded in the state file, are checked before it is unpickled: a
    byte changed (its size and times put back as they were), a cut, or another file, and it
    is not loaded, and removed."""
    target = tmp_path / ".site.cache.pickle"
    value = {"text": "融資事業 " * 5000, "rows": {bytes(32): b"<tr></tr>"}}
    digest = cache.write_partial(value, target)
    cache.partial(target).replace(target)
    written = target.read_bytes()
    assert cache._load(target, digest) == value

    def damaged(data: bytes, recorded: str | None = digest) -> object:
        status = target.stat() if target.exists() else None
        target.write_bytes(data)
        if status is not None and len(data) == status.st_size:  # as in the same tick
            os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))
        return cache._load(target, recorded)

    for at in (0, len(written) // 2, len(written) - 1):
        flipped = bytearray(written)
        flipped[at] ^= 0x01
        assert damaged(bytes(flipped)) is None and not target.exists()
    assert damaged(written[:-1]) is None and not target.exists()
    assert damaged(written + b"\0") is None
    assert damaged(written, hashlib.sha256(written).hexdigest()) is None  # an older build's
    assert damaged(written, None) is None
    assert damaged(written) == value


def test_builds_of_one_site_wait_for_each_other(tiny, tmp_path):
    """A build that links the pages of site/ must not see another build swap site/ under it."""
    site = tmp_path / "out" / "site"
    command = [sys.executable, "build.py", "--content", str(tiny), "--out", str(site)]
    with cache.one_build_at_a_time(site):
        waiting = subprocess.Popen(command, cwd=ROOT)
        time.sleep(3)
        assert waiting.poll() is None, "the second build did not wait"
    assert waiting.wait(timeout=60) == 0
    assert (site / "ja" / "index.html").exists()


def test_one_changed_project_of_many_rebuilds_like_a_full_build(tmp_path, monkeypatch):
    """Enough pages for the worker processes: a rebuild after one edit, against a fresh build."""
    from .synthetic import make_tree

    content = make_tree(tmp_path / "content", projects=220)
    site = tmp_path / "out" / "site"
    assert pipeline.build(content, site) == []
    project = sorted((content / "2023" / "projects").glob("*.yaml"))[7]
    text = project.read_text(encoding="utf-8")
    cost = re.search(r"2023: (\d+)", text)
    assert cost, text
    project.write_text(text.replace(cost[0], f"2023: {int(cost[1]) + 1}"), encoding="utf-8")
    inodes = {p: p.stat().st_ino for p in site.rglob("*.html")}
    now = cache.survey(content, TEMPLATES, site)
    previous = cache.previous_build(site, cache.shell(TEMPLATES), now)
    chunks, rows = previous.chunks, previous.rows
    assert len(chunks) > 20  # the data process sent back its chunks, and the cache kept them
    # The table rows came back from the workers: each project's in two languages, with and
    # without its year; after the edit, the same number, the edited project's rows replaced.
    assert len(rows) == 4 * 220
    package_files = data.package_files

    def given_the_last_chunks(*args: object) -> object:  # in the data process: fails the build
        assert args[-1] == chunks
        return package_files(*args)

    monkeypatch.setattr(data, "package_files", given_the_last_chunks)
    assert pipeline.build(content, site) == []
    kept = sum(p.stat().st_ino == inode for p, inode in inodes.items() if p.exists())
    assert kept > len(inodes) * 0.9
    monkeypatch.undo()
    now = cache.survey(content, TEMPLATES, site)
    rows_after = cache.previous_build(site, cache.shell(TEMPLATES), now).rows
    assert len(rows_after) == len(rows) and len(set(rows) - set(rows_after)) == 4
    fresh = tmp_path / "fresh" / "site"
    assert pipeline.build(content, fresh) == []
    assert tree(site) == tree(fresh)


def test_rendering_on_every_core_gives_the_same_bytes_as_one(tmp_path, monkeypatch):
    """Enough pages for the worker processes; then the same tree rendered in one process."""
    from .synthetic import make_tree

    content = make_tree(tmp_path / "content", projects=220)
    parallel, single = tmp_path / "parallel" / "site", tmp_path / "single" / "site"
    assert pipeline.build(content, parallel) == []
    assert len(list(parallel.rglob("*.html"))) >= pipeline.PARALLEL_FROM
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 10**9)
    monkeypatch.setattr(pipeline, "PACKAGE_PARALLEL_FROM", 10**9)
    assert pipeline.build(content, single) == []
    assert tree(parallel) == tree(single)


def test_a_rebuild_reads_only_the_files_that_changed(setup, capsys, tmp_path, monkeypatch):
    """Files whose size, times and inode are those the last build saw are taken from it; an
    edit that keeps the size and sets the modification time back is still seen (its ctime)."""
    monkeypatch.setattr(cache, "SETTLED_NS", -(10**18))  # every file settled, however recent
    rebuild(setup, capsys)
    path = setup["content"] / "2023" / "projects" / "kaigo.yaml"
    before = path.stat()
    edit(path, "見守り事業", "介護の事業")  # the same number of bytes
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    parsed = []
    monkeypatch.setattr(load, "parse_yaml", counted(load.parse_yaml, parsed))
    rebuild(setup, capsys)
    assert parsed == [load.display_path(path)]
    assert_same_as_full_build(setup, tmp_path)


def test_a_rebuild_gives_frictionless_only_the_rows_that_changed(
    setup, capsys, tmp_path, monkeypatch
):
    """The rows frictionless passed at the last build are known by their digests: after one
    project's edit, only its row is checked again, and the site is a full build's."""
    monkeypatch.setattr(cache, "SETTLED_NS", -(10**18))
    rebuild(setup, capsys)
    edit(setup["content"] / "2023" / "projects" / "kaigo.yaml", "見守り事業", "介護の事業")
    checked: list[tuple[str, list[Any]]] = []
    errors = pipeline.Frictionless.errors

    def recorded(self: pipeline.Frictionless, tables: list[validate.TableData]) -> Any:
        for name, _, (header, *data_rows) in tables:
            ids = [dict(zip(header, row, strict=True)).get("事務事業ID") for row in data_rows]
            checked.append((name, ids))
        return errors(self, tables)

    monkeypatch.setattr(pipeline.Frictionless, "errors", recorded)
    rebuild(setup, capsys)
    assert checked == [("projects", ["kaigo"])]
    monkeypatch.undo()
    assert_same_as_full_build(setup, tmp_path)


def test_a_row_has_the_same_digest_in_another_process():
    """The digests are kept for the next build, a process that makes its rows anew: the same
    values give the same digest however they are shared (marshal's back-references would not)
    and whatever the hash seed; a value marshal cannot write has a digest too."""
    shared = "東久留米市" * 3
    cells: list[Any] = [shared, shared, 2023, None, 1.5, True, ""]
    words = [shared, load.Yaml11("yes", "boolean")]
    code = (
        "from shisaku import load, validate\n"
        "cells = ['東久留米市' * 3, ''.join(['東久留米市'] * 3), 2023, None, 1.5, True, '']\n"
        "words = ['東久留米市' * 3, load.Yaml11('yes', 'boolean')]\n"
        "print(validate.row_digest('projects', cells).hex())\n"
        "print(validate.row_digest('projects', words).hex())"
    )
    here = [
        validate.row_digest("projects", cells).hex(),
        validate.row_digest("projects", words).hex(),
    ]
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        other = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        assert other == here
    assert validate.row_digest("projects", cells) != validate.row_digest("policies", cells)
    assert validate.row_digest("projects", [1]) != validate.row_digest("projects", [True])
    assert validate.row_digest("projects", [1]) != validate.row_digest("projects", [1.0])


def counted(function: Any, calls: list[str]) -> Any:
    """function, noting the file (its second argument) of each call."""

    def wrapper(*args: Any) -> Any:
        calls.append(args[1])
        return function(*args)

    return wrapper


BROKEN = {
    "an id used twice": ("2023/projects/copy.yaml", None),
    "an unknown division": ("2023/projects/kaigo.yaml", ("division: soumu", "division: somu")),
    "a cost that is text": ("2023/projects/kaigo.yaml", ("2001", '"2,001"')),
    "a negative cost": ("2023/projects/kaigo.yaml", ("2001", "-2001")),
    "a language more": ("site.yaml", ("languages: [ja, en]", "languages: [ja, en, ko]")),
}


@pytest.mark.parametrize("mistake", BROKEN)
def test_after_a_mistake_the_rebuild_reports_what_a_full_check_does(
    setup, capsys, monkeypatch, mistake
):
    """Files taken from the last build keep no lines: the messages must still name them right,
    and the site stays as it was."""
    monkeypatch.setattr(cache, "SETTLED_NS", -(10**18))
    rebuild(setup, capsys)
    content, site = setup["content"], setup["site"]
    before = tree(site)
    name, change = BROKEN[mistake]
    if change is None:
        shutil.copy(content / "2023" / "projects" / "mimamori.yaml", content / name)
    else:
        edit(content / name, *change)
    problems = pipeline.build(content, site, setup["templates"])
    assert problems, mistake
    assert problems == pipeline.check(content)[1]
    assert tree(site) == before


def test_a_build_leaves_the_garbage_collector_as_it_found_it(tiny, tmp_path):
    """The build pauses the cyclic collector and freezes what lives to its end; a process that
    goes on (serve, these tests) gets it back running, with nothing left frozen."""
    import gc

    assert gc.isenabled()
    assert pipeline.build(tiny, tmp_path / "site") == []
    assert gc.isenabled() and gc.get_freeze_count() == 0
    write_tree(tiny, {"2023/projects/mimamori.yaml": "id: [broken"})
    assert pipeline.build(tiny, tmp_path / "site") != []
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_file_changed_just_before_a_build_is_read_again_by_the_next(tmp_path, monkeypatch):
    """A file written seconds ago may be written again within its timestamps' tick without
    changing its status: its digest is not kept, and the next survey reads it again."""
    content = write_tree(tmp_path / "content", {"site.yaml": "a: 1\n", "divisions/x.yaml": "b\n"})
    digests, statuses = cache.content_digests(content, {})
    assert all(status[4] == "" for status in statuses.values())  # all written just now
    read = []
    file_digest = cache.hashlib.file_digest
    monkeypatch.setattr(
        cache.hashlib,
        "file_digest",
        lambda stream, name: read.append(1) or file_digest(stream, name),
    )
    again, _ = cache.content_digests(content, statuses)
    assert again == digests and len(read) == 2


def test_settled_means_older_than_both_clocks():
    """Trusted digests are of files changed well before this machine's clock and before the
    latest change in the content (a network file system's clock may lag this one's)."""
    second = 10**9
    seen = {
        "old.yaml": [1, 100 * second, 100 * second, 1],
        "recent.yaml": [1, 198 * second, 198 * second, 2],
        "latest.yaml": [1, 200 * second, 200 * second, 3],
    }
    digests = {name: f"digest of {name}" for name in seen}
    # This machine's clock an hour ahead of the file system's: only the file system's counts.
    kept = cache.settled_statuses(seen, digests, started=3800 * second)
    assert {name: status[4] for name, status in kept.items()} == {
        "old.yaml": "digest of old.yaml",
        "recent.yaml": "",
        "latest.yaml": "",
    }
    # This machine's clock behind the file system's: its own counts.
    kept = cache.settled_statuses(seen, digests, started=102 * second)
    assert [status[4] for status in kept.values()] == ["", "", ""]


def test_content_given_as_the_working_folder_is_taken_from_the_last_build(
    setup, capsys, monkeypatch
):
    """`--content .` names its files without ./ : they are still found in the last build's."""
    monkeypatch.setattr(cache, "SETTLED_NS", -(10**18))
    monkeypatch.chdir(setup["content"])
    command = ["--content", ".", "--out", str(setup["site"])]
    assert cli.main(command) == 0
    edit(Path("2023/projects/kaigo.yaml"), "見守り事業", "介護の事業")
    parsed: list[str] = []
    monkeypatch.setattr(load, "parse_yaml", counted(load.parse_yaml, parsed))
    assert cli.main(command) == 0
    assert parsed == [os.path.join("2023", "projects", "kaigo.yaml")]


def test_the_cache_keeps_only_the_templates_this_build_used(setup, capsys, monkeypatch):
    """Compiled templates are kept for the next build, but not those compiled from another
    folder (a checkout moved: its compiled templates are named by their path)."""
    rebuild(setup, capsys)

    def kept_templates(templates: Path) -> dict[str, bytes]:
        survey = cache.survey(setup["content"], templates, setup["site"])
        return cache.previous_build(setup["site"], cache.shell(templates), survey).templates

    before = kept_templates(setup["templates"])
    assert before  # the templates the first build compiled
    moved = setup["templates"].rename(setup["templates"].with_name("moved"))
    monkeypatch.setattr(cli, "TEMPLATES", moved)
    edit(setup["content"] / "2023" / "projects" / "kaigo.yaml", "見守り事業", "介護の事業")
    rebuild(setup, capsys)
    after = kept_templates(moved)
    assert len(after) == len(before) and not set(after) & set(before)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_cache_that_cannot_be_written_costs_only_the_next_build(
    tiny, tmp_path, monkeypatch, lang
):
    """A disk full after the swap: site/ is the new site and the build succeeds, the user is told
    why the next build renders everything, and no half-written cache or stale state is left."""
    import errno
    import io

    from shisaku.progress import Progress

    site = tmp_path / "out" / "site"
    assert pipeline.build(tiny, site) == []
    edit(tiny / "2023" / "projects" / "mimamori.yaml", "見守り事業", "見守り支援事業")
    real_dump = cache.pickle.dump

    def disk_full(value: object, stream: Any, protocol: int) -> None:
        stream.write(b"half a cache")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cache.pickle, "dump", disk_full)
    said = io.StringIO()
    assert pipeline.build(tiny, site, progress=Progress(said, lang=lang)) == []
    assert "見守り支援事業" in (site / "ja" / "projects" / "mimamori" / "index.html").read_text()
    expected = {
        "en": "the next build renders everything again",
        "ja": "次回のビルドはすべてを作り直します",
    }
    assert expected[lang] in said.getvalue() and os.strerror(errno.ENOSPC) in said.getvalue()
    assert not cache.state_file(site).exists()
    assert [p.name for p in site.parent.iterdir() if "cache" in p.name] == []
    monkeypatch.setattr(cache.pickle, "dump", real_dump)
    fresh = tmp_path / "fresh" / "site"
    assert pipeline.build(tiny, site) == [] and pipeline.build(tiny, fresh) == []
    assert tree(site) == tree(fresh)
