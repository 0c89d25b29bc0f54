"""The one writer of site/: every file of a build goes into a staging folder beside site/,
which is swapped in whole at the end; a build that fails or is killed leaves site/ as it was.

What a build killed at any moment (SIGKILL included) leaves in site/:

- The swap by renameat2(RENAME_EXCHANGE) (Linux, on ext4, xfs, btrfs, tmpfs...): the two
  folders trade names in one step. Before it site/ is the old complete site, after it the new
  one; a web server serving it sees one or the other, never a mixture. Killed after the
  step, the old site is left under the staging name, for the next build to remove.
- The fallback, two renames (other systems, or file systems that refuse the exchange):
  site/ -> .site-build-XXXXXXXX-old, then the staging folder -> site/. Between the two, for a
  few microseconds, there is no site/; a build killed there leaves both sites complete on
  disk, and the next build first puts the -old folder back as site/, as if the killed build
  had never run. An -old folder is only ever a complete site.
- Leftovers never accumulate: a build holds the lock of its site/ (`.{site}.lock`) from
  start to end, so every staging or -old folder of the same site/ that it finds is a killed
  build's, and it removes them first (by their names only: .{site}-build-XXXXXXXX[-old]).

Not covered: power loss or a kernel crash (that needs an fsync of every file and folder
before the swap); a killed process loses nothing it wrote, the page cache stays.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from pathlib import Path
from types import TracebackType

from . import portable
from .fingerprint import state_file
from .problems import Localized, Problem

OLD_SUFFIX = "-old"
# In every site this tool builds: the sign that a folder is one, which a build may replace
# whole. A folder without it (a user's documents, the project itself) is never replaced.
MARKER = ".shisaku-site"
MARKER_TEXT = (
    "This folder is a site built by shisaku (python build.py); each build replaces it whole.\n"
    "このフォルダは shisaku（python build.py）が作ったサイトです。ビルドのたびに丸ごと置き換わります。\n"
)
# The published files and folders are readable by the web server whatever the umask.
PUBLISHED_UMASK = 0o022
# A path with an empty, "." or ".." part: outside the site, or not a file's path.
NOT_IN_SITE = re.compile(r"(?:^|/)\.{0,2}(?:/|$)")


class WriteError(Exception):
    """Two outputs claimed the same path, or a path left the site."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path

    def said(self) -> dict[str, str | Localized]:
        """The written-twice problem's parameters."""
        return {
            "path": self.path,
            "detail": Localized(
                en="two pages or files claim the same address; rename one of them",
                ja="2つのページかファイルが同じアドレスになります。どちらかの名前を変えてください",
            ),
        }


class Writer:
    """Collects a build's files in a staging folder beside site/, then swaps it in whole.

    Used as a context manager: entering takes the lock of site/ (waiting for another build of
    the same site/ to end), puts back or removes what killed builds left, and makes the
    staging folder; leaving without commit() removes it, and site/ stays as it was.
    """

    def __init__(self, site: Path) -> None:
        self.site = site
        self.leftover_name = re.compile(
            rf"\.{re.escape(site.name)}-build-[0-9a-z_]{{8}}(?:{OLD_SUFFIX})?"
        )
        self.staging = Path()
        self.root = ""
        self.written: set[str] = set()
        self._held = contextlib.ExitStack()
        self._committed = False

    def __enter__(self) -> Writer:
        self.site.parent.mkdir(parents=True, exist_ok=True)
        self._held.enter_context(portable.locked(lock_file(self.site)))
        umask = os.umask(PUBLISHED_UMASK)  # the workers, forked later, and Pagefind too
        self._held.callback(os.umask, umask)
        try:
            self._recover()
            for folder in self.leftovers():
                shutil.rmtree(folder, ignore_errors=True)
            self.staging = self._make_staging()
        except BaseException:
            self._held.close()
            raise
        self.root = str(self.staging)
        self.write(MARKER, MARKER_TEXT)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._held.close()

    def claim(self, path: str) -> str:
        """Reserve a site-relative path such as `data/datapackage.json`; the file to write
        there. Every path is claimed once, by the process that owns this writer, so two
        outputs for one URL are an error even when worker processes do the writing."""
        target = target_in(self.root, path)
        if path in self.written:
            raise WriteError(path, "written twice (two pages or files claim the same URL)")
        self.written.add(path)
        return target

    def claim_all(self, paths: list[str]) -> list[str]:
        """claim(path) for each path, in order."""
        return [self.claim(path) for path in paths]

    def write(self, path: str, content: bytes | str) -> None:
        """One file at a site-relative path."""
        write_file(self.claim(path), content)

    def commit(self) -> None:
        """Make the staged folder the site; the old site is removed."""
        os.chmod(self.staging, 0o755)  # not the umask's: the same site/ on every machine
        old = self._swap()
        self._committed = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def leftovers(self) -> list[Path]:
        """The staging and -old folders beside site/ (this build's own included)."""
        return sorted(
            path
            for path in self.site.parent.iterdir()
            if self.leftover_name.fullmatch(path.name) and path.is_dir() and not path.is_symlink()
        )

    def _swap(self) -> Path | None:
        """Put the staging folder at site/; return where the old site is now."""
        if not self.site.exists():
            os.rename(self.staging, self.site)  # the first build: nothing to replace
            return None
        if portable.exchange(self.staging, self.site):
            return self.staging
        old = self.staging.with_name(self.staging.name + OLD_SUFFIX)
        os.rename(self.site, old)
        try:
            os.rename(self.staging, self.site)  # until here there is no site/
        except OSError:
            os.rename(old, self.site)
            raise
        # Under the staging name the old site is plain garbage; an -old folder would be put
        # back by the next build if site/ went missing.
        os.rename(old, self.staging)
        return self.staging

    def _recover(self) -> None:
        """A build killed between the two renames of the fallback: put the old site back."""
        if self.site.exists() or self.site.is_symlink():
            return
        old = [path for path in self.leftovers() if path.name.endswith(OLD_SUFFIX)]
        if old:  # builds swap one at a time, under the lock: there is at most one
            os.rename(old[0], self.site)

    def _make_staging(self) -> Path:
        while True:
            path = self.site.with_name(f".{self.site.name}-build-{secrets.token_hex(4)}")
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return path


def output_problems(
    site: Path, kept: list[tuple[Localized, Path, bool]], shown: str
) -> list[Problem]:
    """Why a build may not replace the folder site (fingerprint.output_folder; shown: as the user
    named it): it is one of the kept folders (content, templates...: what they are, and
    whether a site may be inside them), holds one or lies inside one, it is not a folder, or
    it has files and is not a site this tool made. [] when it is missing, empty or ours."""
    for what, folder, may_hold_site in kept:
        kept_folder = Path(os.path.realpath(folder))
        if kept_folder == site or site in kept_folder.parents:
            return [output_problem(shown, "output-holds-project", what=what)]
        if kept_folder in site.parents and not may_hold_site:
            return [output_problem(shown, "output-in-project", what=what)]
    if not site.exists():
        return []
    if not site.is_dir():
        return [output_problem(shown, "output-not-folder")]
    try:
        with os.scandir(site) as entries:
            empty = next(entries, None) is None
    except OSError as error:
        return [output_problem(shown, "output-unwritable", detail=error.strerror or str(error))]
    if empty or is_our_site(site):
        return []
    return [output_problem(shown, "output-not-ours", marker=MARKER)]


def is_our_site(site: Path) -> bool:
    """A site this tool made: its marker is a file of its own (not a link planted there), or,
    from a version before the marker, the build's state file is beside it."""
    return any(
        path.is_file() and not path.is_symlink() for path in (site / MARKER, state_file(site))
    )


def output_problem(where: str, code: str, **params: str | Localized) -> Problem:
    return Problem(where, None, "", code, "output-error", params)


def target_in(root: str, path: str) -> str:
    """The file below the staging folder root for a site-relative path; a path that would
    leave the site is refused."""
    if NOT_IN_SITE.search(path):
        raise WriteError(path, "not a path inside the site")
    return os.path.join(root, *path.split("/"))


def lock_file(site: Path) -> Path:
    """Held by a build for as long as it runs: builds of one site/ wait for each other."""
    return site.parent / f".{site.name}.lock"


def write_file(target: str, content: bytes | str) -> None:
    """Write a new file, making its folder (and those above it) when missing."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        stream = open(target, "xb")  # noqa: SIM115
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        stream = open(target, "xb")  # noqa: SIM115
    with stream:
        stream.write(data)
