"""load's paths are strings, for speed: the same files, names and order as pathlib gave."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shisaku import load


def pathlib_files(content: Path) -> list[str]:
    """content_files as it was written with pathlib: the reference."""
    found = [content / "site.yaml", *sorted((content / "divisions").glob("*.yaml"))]
    for folder in sorted(p for p in content.iterdir() if p.is_dir()):
        if load.FISCAL_YEAR_FOLDER.match(folder.name):
            policies = sorted((folder / "policies").glob("*.yaml"))
            projects = sorted((folder / "projects").glob("*.yaml"))
            if (folder / "report.yaml").exists() or policies or projects:
                found.append(folder / "report.yaml")
            found += policies + projects
    return [str(path) for path in found]


def pathlib_strays(content: Path) -> list[Path]:
    """The YAML files below content, as stray_files found them with os.walk and Paths."""
    named = (
        Path(folder, name)
        for folder, folders, files in os.walk(content)
        for name in folders + files
    )
    return sorted(path for path in named if path.suffix in (".yaml", ".yml"))


@pytest.fixture
def odd_tree(tiny: Path) -> Path:
    """Names that strings and Paths could tell apart: a-b/ before a/ as text, after it as
    parts; a file named .yaml (no suffix for pathlib); a folder named like a file; a missing
    folder; links."""
    for name in ("a/z.yaml", "a-b/z.yaml", "a/.yaml", "a/..yaml", "2023/projects/.hidden.yaml"):
        (tiny / name).parent.mkdir(parents=True, exist_ok=True)
        (tiny / name).write_text("id: x\n", encoding="utf-8")
    (tiny / "2023" / "projects" / "folder.yaml").mkdir()
    (tiny / "2025" / "projects").mkdir(parents=True)  # no policies/ folder
    (tiny / "2023" / "projects" / "x.yml").write_text("id: x\n", encoding="utf-8")
    os.symlink("2023", tiny / "2024")  # a year folder that is a link inside content
    os.symlink("nowhere.yaml", tiny / "divisions" / "gone.yaml")
    return tiny


# (working folder, content as given), relative to the folder that holds content/
PLACES = [
    ("", "content"),
    ("content", "."),
    ("content", ""),
    ("content/2023/projects", "../.."),
    ("content/2023/projects/folder.yaml", "{root}/content"),  # a "file" is the working folder
    ("elsewhere", "{root}/content"),  # outside: shown as given
    ("", "{root}/link/content"),  # through a link to the working folder
]


@pytest.mark.parametrize(("cwd", "given"), PLACES)
def test_content_files_strays_and_display_paths_are_pathlib_s(odd_tree, monkeypatch, cwd, given):
    root = odd_tree.parent
    (root / "elsewhere").mkdir()
    os.symlink(root, root / "link")
    monkeypatch.chdir(root / cwd)
    content = Path(given.format(root=root))
    files = [path for path, _, _ in load.content_files(content)]
    assert files == pathlib_files(content)
    known = set(files) | set(load.refused_links(content))
    strays = [p.file for p in load.stray_files(content, known)]
    assert strays == [load.display_path(p) for p in pathlib_strays(content) if str(p) not in known]
    assert "a/z.yaml" in strays[-2] and "a-b/z.yaml" in strays[-1]  # part by part, as Paths
    shown = load.Shown()
    for path in files + [str(p) for p in pathlib_strays(content)]:
        assert shown(path) == load.display_path(path)
