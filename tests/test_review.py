"""Found in review: sequences of builds where site/ ends up different from a full build."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from pathlib import Path

import pytest

from shisaku import cache, pipeline

from .test_incremental import assert_same_as_full_build, edit, folders, rebuild, setup, tree  # noqa: F401


@pytest.mark.parametrize("where", ["site", "spare folder"])
def test_an_empty_folder_made_by_hand_does_not_come_back(setup, capsys, tmp_path, where):
    """The listing that tells whether site/ or the spare is as the last build left them has
    files only: a folder made by hand (empty) goes unnoticed, and since the spare is updated
    in place rather than made anew, the folder is carried into every later site/."""
    kaigo = setup["content"] / "2023" / "projects" / "kaigo.yaml"
    rebuild(setup, capsys)  # the spare: a copy of site/
    folder = setup["site"] if where == "site" else cache.spare_folder(setup["site"])
    (folder / ".well-known").mkdir()
    names = ["Watch-over Program", "Care Program", "Care Support", "Visits"]
    for before, after in zip(names, names[1:]):  # three rebuilds: the folder comes back
        edit(kaigo, f"en: {before}", f"en: {after}")
        rebuild(setup, capsys)
        assert_same_as_full_build(setup, tmp_path)


def test_a_cache_that_cannot_be_written_leaves_no_process_running(tmp_path, monkeypatch):
    """When the build cache cannot be written (a full disk), the build returns without waiting
    for the process that copies site/ as the spare (or lists it): it runs on after the build,
    outside its lock, and renames its folder into place later (in `serve`, under the next
    build)."""
    import errno

    from .synthetic import make_tree

    content = make_tree(tmp_path / "content", projects=220)
    site = tmp_path / "out" / "site"

    def disk_full(*args: object) -> str:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cache, "keep", disk_full)
    assert pipeline.build(content, site) == []
    assert multiprocessing.active_children() == []


def test_a_basic_project_without_projects_builds(tiny, tmp_path):
    """Not from the recent changes (d7a44e8 does the same): a policy whose basic project has no
    project yet passes validation, then the build crashes with a traceback in Renderer.chart
    (an empty list of projects is charted as fiscal year 0, which formats.wareki refuses)."""
    from .conftest import POLICY_YAML

    more = POLICY_YAML + (
        "  - id: kosodate\n"
        "    name: {ja: 子育て, en: Child care}\n"
        "    directions:\n"
        "      - {ja: 支える。, en: Support.}\n"
    )
    (tiny / "2023" / "policies" / "kurashi.yaml").write_text(more, encoding="utf-8")
    assert pipeline.check(tiny)[1] == []
    assert pipeline.build(tiny, tmp_path / "out" / "site") == []


def test_a_build_that_fails_while_rendering_leaves_no_leftover(setup, capsys, tmp_path):
    """A template changed (the spare is of no use: Writer discards it) and broken at render
    time: abort removes the staging folder but not the discarded spare, which stays beside
    site/ as a .site-build-* folder (a whole site's worth of files) until the next build."""
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
