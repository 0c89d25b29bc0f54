"""Nothing lost, nothing leaked (issue 18): the output folder is replaced only when it is a site
this tool made; nothing planted beside it is followed; nothing outside the project comes in
through a link; the world around the build (the umask, a symlinked deploy folder, a full disk,
a dead worker, a bad SOURCE_DATE_EPOCH) gives one line and leaves everything as it was.

Each build runs as a user runs it, `python build.py` in a process of its own, and fails on any
traceback.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shisaku import fingerprint, pipeline, write

from .conftest import ROOT, tiny_files, write_tree

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX modes and links")
NOT_OURS = (
    "this folder has files and was not made by a build (it has no .shisaku-site file); a build "
    "replaces its output folder whole, so it leaves this one as it is: give --out a new or "
    "empty folder, or delete this one if it is an old site (output-error)"
)


def run(cwd: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python build.py ARGV` in cwd, with English messages; never a traceback."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *argv, "--lang", "en", "--quiet"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below folder (links as where they point), byte for byte."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        if not p.is_symlink()
        else os.readlink(p).encode()
        for p in sorted(folder.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with the tiny content in content/; the builds run there."""
    write_tree(tmp_path / "content", tiny_files())
    return tmp_path


def users_folder(folder: Path) -> Path:
    (folder / "photos").mkdir(parents=True)
    (folder / "thesis.docx").write_bytes(b"PK\x03\x04 my thesis")
    (folder / "photos" / "cat.jpg").write_bytes(b"\xff\xd8\xff a cat")
    return folder


# -- The output folder is ours or nothing -----------------------------------------------------
def test_a_users_folder_given_as_out_keeps_every_file(project: Path):
    mine = users_folder(project / "mydocs")
    before = files_of(mine)
    done = run(project, "--out", "mydocs")
    assert (done.returncode, done.stderr.splitlines()) == (
        2,
        [f"mydocs: {NOT_OURS}", "1 problem; nothing was written."],
    )
    assert files_of(mine) == before
    assert sorted(p.name for p in project.iterdir()) == ["content", "mydocs"]  # nothing beside


@pytest.mark.parametrize(
    ("out", "said"),
    [
        ("content", "this is the content folder, or holds it"),
        (".", "this is the content folder, or holds it"),  # the project folder holds content/
        ("..", "this is the content folder, or holds it"),
        ("content/2023", "this folder is inside the content folder, which the build reads"),
        ("content/new-site", "this folder is inside the content folder, which the build reads"),
    ],
)
def test_the_content_folder_and_those_around_it_are_never_the_output(project, out, said):
    before = files_of(project)
    done = run(project, "--out", out)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith(f"{out}: {said}")
    assert files_of(project) == before


@pytest.mark.parametrize(
    ("out", "what"),
    [(ROOT / "templates", "templates"), (ROOT / "schema", "schema"), (ROOT, "content")],
)
def test_the_projects_own_folders_are_never_the_output(project, out, what):
    """The real templates/, schema/ and the project's root (which holds content/ here too)."""
    before = {path: files_of(path) for path in (ROOT / "templates", ROOT / "schema")}
    done = run(project, "--content", str(ROOT / "content"), "--out", str(out))
    assert done.returncode == 2
    assert f"this is the {what} folder, or holds it" in done.stderr
    assert {path: files_of(path) for path in before} == before


def test_a_home_folder_is_never_the_output(project, tmp_path_factory):
    """`--out ~`, as the shell expands it: a folder of the user's files."""
    home = users_folder(tmp_path_factory.mktemp("home"))
    before = files_of(home)
    done = run(project, "--out", str(home))
    assert (done.returncode, done.stderr.splitlines()[0]) == (2, f"{home}: {NOT_OURS}")
    assert files_of(home) == before


def test_a_file_given_as_out_is_left_alone(project):
    (project / "notes.txt").write_text("mine")
    done = run(project, "--out", "notes.txt")
    assert (done.returncode, done.stderr.splitlines()[0]) == (
        2,
        "notes.txt: this is a file, not a folder; give --out a folder (output-error)",
    )
    assert (project / "notes.txt").read_text() == "mine"


def test_a_missing_or_empty_folder_becomes_the_site_and_ours_is_rebuilt(project):
    (project / "empty").mkdir()
    for out in ("new", "empty"):
        assert run(project, "--out", out).returncode == 0
        assert (project / out / write.MARKER).is_file()
        assert (project / out / "ja" / "index.html").is_file()
    content = project / "content" / "2023" / "projects" / "mimamori.yaml"
    content.write_text(content.read_text().replace("見守り事業", "見守り支援事業"))
    assert run(project, "--out", "new").returncode == 0  # ours: replaced whole
    assert "見守り支援事業" in (project / "new" / "ja" / "index.html").read_text()


def test_a_site_of_an_older_version_without_the_marker_is_rebuilt(project):
    """Built before the marker existed: its state file beside it says it is a build's."""
    assert run(project, "--out", "site").returncode == 0
    (project / "site" / write.MARKER).unlink()
    assert fingerprint.state_file(project / "site").is_file()
    assert run(project, "--out", "site").returncode == 0  # site/ changed: built again
    assert (project / "site" / write.MARKER).is_file()


# -- The world around the build ----------------------------------------------------------------
@POSIX
def test_published_files_are_readable_by_the_web_server_whatever_the_umask(project):
    done = subprocess.run(
        ["sh", "-c", f'umask 077 && exec "{sys.executable}" "{ROOT / "build.py"}" --quiet'],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    site = project / "site"
    modes = {stat.S_IMODE(p.stat().st_mode) for p in site.rglob("*") if p.is_file()}
    folders = {stat.S_IMODE(p.stat().st_mode) for p in [site, *site.rglob("*")] if p.is_dir()}
    assert (modes, folders) == ({0o644}, {0o755})


@POSIX
def test_a_site_folder_that_is_a_link_to_the_deploy_folder_stays_a_link(project, tmp_path_factory):
    deploy = tmp_path_factory.mktemp("deploy") / "public_html"
    os.symlink(deploy, project / "site")
    assert run(project).returncode == 0
    assert (project / "site").is_symlink() and os.readlink(project / "site") == str(deploy)
    assert (deploy / "ja" / "index.html").is_file() and (deploy / write.MARKER).is_file()
    content = project / "content" / "2023" / "projects" / "mimamori.yaml"
    content.write_text(content.read_text().replace("見守り事業", "見守り支援事業"))
    assert run(project).returncode == 0
    assert (project / "site").is_symlink()
    assert "見守り支援事業" in (deploy / "ja" / "index.html").read_text()


def test_a_hosts_own_files_have_a_home_in_templates_host(project, tmp_path_factory):
    """templates/host/ is copied to the site's root on every build; its _headers comes after
    the build's own."""
    templates = tmp_path_factory.mktemp("t") / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "host").mkdir()
    (templates / "host" / "_headers").write_text("/shisaku/*\n  X-Frame-Options: DENY\n")
    (templates / "host" / "CNAME").write_text("data.example.org\n")
    site = project / "site"
    assert pipeline.build(project / "content", site, templates) == []
    headers = (site / "_headers").read_text()
    assert headers.startswith("# Response headers for static hosts")
    assert headers.endswith(
        "# From templates/host/_headers:\n/shisaku/*\n  X-Frame-Options: DENY\n"
    )
    assert (site / "CNAME").read_text() == "data.example.org\n"


@POSIX
def test_a_link_in_templates_to_a_secret_is_refused(project, tmp_path_factory):
    templates = tmp_path_factory.mktemp("t") / "templates"
    shutil.copytree(ROOT / "templates", templates)
    secret = templates.parent / "token.txt"
    secret.write_text("DEPLOY_TOKEN=s3cr3t")
    os.symlink(secret, templates / "static" / "env.txt")
    problems = pipeline.build(project / "content", project / "site", templates)
    assert [(p.code, Path(p.file).name) for p in problems] == [("link-outside-project", "env.txt")]
    assert not (project / "site").exists()
    assert "s3cr3t" not in "".join(str(p.params) for p in problems)


@POSIX
def test_links_planted_beside_the_site_are_never_followed(project, tmp_path_factory):
    """Another user who can write the folder that holds site/ plants links at the names of
    the lock and the state file: the build writes through neither, and a state file that is
    a link is not trusted to skip a build."""
    assert run(project).returncode == 0
    elsewhere = tmp_path_factory.mktemp("victim")
    (elsewhere / "precious").write_text("keep me")
    state = fingerprint.state_file(project / "site")
    state.unlink()
    os.symlink(elsewhere / "precious", state)
    lock = write.lock_file(project / "site")
    lock.unlink(missing_ok=True)
    os.symlink(elsewhere / "lock-target", lock)
    done = run(project)
    assert done.returncode in (0, 2), done.stderr
    assert (elsewhere / "precious").read_text() == "keep me"
    assert not (elsewhere / "lock-target").exists()


@pytest.mark.parametrize(
    ("value", "shown"),
    [("99999999999", '"99999999999"'), ("1.5", '"1.5"'), ("yesterday", '"yesterday"')],
)
def test_a_source_date_epoch_no_zip_can_hold_is_one_line(project, value, shown):
    done = run(project, SOURCE_DATE_EPOCH=value)
    assert (done.returncode, done.stderr.splitlines()) == (
        2,
        [
            f"SOURCE_DATE_EPOCH: {shown} is not a release time: set SOURCE_DATE_EPOCH to a whole "
            "number of seconds since 1970 (UTC), up to 2107-12-31, or unset it (environment-error)",
            "1 problem; nothing was written.",
        ],
    )
    assert not (project / "site").exists()


FAULT = """
import errno, os, signal, sys
from pathlib import Path
from shisaku import cli, pipeline, write
fault = sys.argv[1]
def die(*args):  # a worker killed, as the system's out-of-memory killer would
    os.kill(os.getpid(), signal.SIGKILL)
if fault in ("render", "data", "tables"):
    name = {"render": "render_batch", "data": "make_data", "tables": "check_tables"}[fault]
    setattr(pipeline, name, die)
else:
    code = {"disk-full": errno.ENOSPC, "read-only": errno.EROFS}[fault]
    real = write.write_file
    def failing(target, content):
        if target.endswith("index.html"):
            raise OSError(code, os.strerror(code), target)
        real(target, content)
    write.write_file = pipeline.write_file = failing
sys.exit(cli.main(sys.argv[2:]))
"""


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("render", "a process of the build ended before its work was done"),
        ("data", "a process of the build ended before its work was done"),
        ("tables", "a process of the build ended before its work was done"),
        ("disk-full", f"the site cannot be written here: {os.strerror(errno.ENOSPC)}: "),
        ("read-only", f"the site cannot be written here: {os.strerror(errno.EROFS)}: "),
    ],
)
def test_a_fault_while_writing_is_one_line_within_seconds_and_the_site_stays(project, fault, said):
    """A worker killed (by the system, out of memory), a full disk, a read-only folder: the
    build says so on one line, within seconds, and the site built before is as it was."""
    assert run(project).returncode == 0
    before = files_of(project / "site")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", FAULT, fault, "build", "--lang", "en", "--quiet"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1700000000"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert time.monotonic() - started < 10
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert (done.returncode, len(lines), lines[-1]) == (2, 2, "1 problem; nothing was written.")
    assert lines[0].startswith(f"site: {said}"), lines[0]
    assert files_of(project / "site") == before
    assert [p.name for p in project.iterdir() if "-build-" in p.name] == []
