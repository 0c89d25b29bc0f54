"""Jinja environment (autoescape, StrictUndefined), and the one writer of site/."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from . import cache, charts
from .formats import Formatter
from .load import display_path
from .markup import render_markdown
from .memo import RowMemo
from .model import Project, Site
from .pages import Page
from .problems import Language, Problem, missing_file

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# libyaml's loader where PyYAML was built with it: the strings are read on every build, and
# the pure-Python loader takes a few hundredths of a second for them
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_strings(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)


class Strings:
    """The UI strings of every language, from templates/strings/{lang}.yaml."""

    def __init__(self, folder: Path, languages: list[str]) -> None:
        self.catalogs = {lang: read_strings(folder / f"{lang}.yaml") for lang in languages}

    def get(self, lang: str, key: str, **values: Any) -> str:
        try:
            text = self.catalogs[lang][key]
        except KeyError:
            raise KeyError(f"templates/strings/{lang}.yaml has no string {key!r}") from None
        return text.format(**values) if values else text


def string_problems(templates: Path, languages: list[str]) -> list[Problem]:
    """A UI string missing in a language: found before anything is rendered or written."""
    folder = templates / "strings"
    catalogs: dict[str, dict[str, Any]] = {}
    found = []
    for lang in languages:
        path = folder / f"{lang}.yaml"
        if not path.exists():
            found.append(missing_file(display_path(path)))
            continue
        catalogs[lang] = read_strings(path) or {}
    every_key = sorted({key for catalog in catalogs.values() for key in catalog})
    for lang, catalog in catalogs.items():
        for key in every_key:
            if not isinstance(catalog.get(key), str):
                path = display_path(folder / f"{lang}.yaml")
                found.append(
                    Problem(
                        path,
                        None,
                        key,
                        "missing-translation",
                        "missing-translation",
                        {"language": Language(lang)},
                    )
                )
    return found


class KeptBytecode(jinja2.BytecodeCache):
    """Compiled templates: the last build's (previous), and those this build used (kept), which
    the build cache carries to the next build. Jinja checks each against its template's
    source (and Python's version) before use."""

    def __init__(self, previous: dict[str, bytes], kept: dict[str, bytes]) -> None:
        self.previous, self.kept = previous, kept

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.previous:
            bucket.bytecode_from_string(self.previous[bucket.key])
            if bucket.code is not None:  # still the template's
                self.kept[bucket.key] = self.previous[bucket.key]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.kept[bucket.key] = bucket.bytecode_to_string()


def environment(
    templates: Path = TEMPLATES, bytecode: KeptBytecode | None = None
) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        bytecode_cache=bytecode,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def absolute_url(settings: dict[str, Any]) -> Callable[[str], str]:
    """A path inside the site as a URL with host and base path: for sitemaps and catalogues."""
    prefix = settings["base_url"] + settings["base_path"]
    return lambda path: prefix + path


class Renderer:
    """Renders pages with the globals every template may use."""

    def __init__(
        self,
        site: Site,
        templates: Path = TEMPLATES,
        memo: RowMemo | None = None,
        bytecode: KeptBytecode | None = None,
    ) -> None:
        self.site = site
        self.env = environment(templates, bytecode)
        self.strings = Strings(templates / "strings", site.languages)
        settings = site.settings
        self.base_path = settings["base_path"]
        self.absolute = absolute_url(settings)  # a path as a URL with host and base path
        self.memo = memo or RowMemo()
        self._row_macros: dict[str, Any] = {}

    def load_templates(self) -> None:
        """Every page template compiled now, before the render workers fork: each would
        compile its own otherwise."""
        for name in self.env.list_templates(filter_func=lambda name: name.endswith(".html")):
            self.env.get_template(name)

    def url(self, path: str) -> str:
        """A link inside the site, under the base path: url("ja/data/") -> /shisaku-hokoku/ja/data/"""
        return self.base_path + path

    def chart(self, projects: list[Project], chart_id: str, lang: str) -> Markup:
        """This year against last year for each project, as an inline SVG."""
        fmt = Formatter(lang)
        year = projects[0].fiscal_year if projects else 0
        this_year, last_year = fmt.fiscal_year(year), fmt.fiscal_year(year - 1)
        names = ", ".join(fmt.text(p.name) for p in projects[:1]) if len(projects) == 1 else None
        title = self.strings.get(
            lang,
            "chart_title",
            name=names or self.strings.get(lang, "projects_of_year", year=this_year),
        )
        description = self.strings.get(
            lang, "chart_desc", this_year=this_year, last_year=last_year, count=len(projects)
        )
        bars = [charts.Bar(fmt.text(p.name), p.cost, p.previous_cost) for p in projects]
        return charts.bar_chart(
            bars,
            chart_id=chart_id,
            title=title,
            description=description,
            series=(this_year, last_year),
            lang=lang,
        )

    def project_rows(self, projects: list[Project], show_year: bool, lang: str) -> Markup:
        """The rows of a table of projects: from the memo, or rendered and remembered."""
        rows = []
        for project in projects:
            key = self.memo.key(project, lang, show_year)
            row = self.memo.get(key)
            if row is None:
                row = self.memo.add(key, self.project_row(project, show_year, lang).encode())
            rows.append(row)
        return Markup(b"".join(rows), "utf-8")  # decoded once, into the Markup itself

    def project_row(self, project: Project, show_year: bool, lang: str) -> str:
        """One row, from templates/_project_row.html."""
        macro = self._row_macros.get(lang)
        if macro is None:
            # Only what the row's key covers: no `site`, so no lookup beyond the division.
            module = self.env.get_template("_project_row.html").make_module(
                {"lang": lang, "fmt": Formatter(lang), "t": self._strings_of(lang), "url": self.url}
            )
            macro = self._row_macros[lang] = module.project_row
        return str(macro(project, self.site.divisions[project.division], show_year))

    def _strings_of(self, lang: str) -> Callable[..., str]:
        """t(key, **values) in one language."""
        return lambda key, **values: self.strings.get(lang, key, **values)

    def render(self, page: Page) -> str:
        lang = page.lang
        # The rows of a page rendered on every build are kept for the next one (memo.py).
        self.memo.keeping = not page.reusable
        template = self.env.get_template(page.template)
        return template.render(
            **page.context,
            page=page,
            site=self.site,
            settings=self.site.settings,
            lang=lang,
            languages=self.site.languages,
            fmt=Formatter(lang),
            t=self._strings_of(lang),
            t_in=self.strings.get,
            url=self.url,
            absolute=self.absolute,
            markdown=render_markdown,
            chart=lambda projects, chart_id: self.chart(projects, chart_id, lang),
            project_rows=lambda projects, show_year: self.project_rows(projects, show_year, lang),
        )


RENAME_EXCHANGE = 2
AT_FDCWD = -100
OLD_SUFFIX = "-old"


def content_token(content: bytes) -> str:
    """What a file other than a page with a key is known by in the build cache: its digest."""
    return "=" + hashlib.sha256(content).hexdigest()


def write_file(target: str, content: bytes | str) -> None:
    """Write a file whose folder exists. A file already there (in the spare folder: maybe a
    link to the same file of site/) is replaced, never written through."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd = os.open(target, NEW_FILE, 0o666)
    except FileExistsError:
        os.unlink(target)
        fd = os.open(target, NEW_FILE, 0o666)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL


def link_file(target: str, source: str | Path) -> None:
    """The file of the last build, unchanged: a hard link (nothing ever writes through one), or
    a copy where the file system or its rules refuse links (FAT, some network mounts, another
    user's files under fs.protected_hardlinks). Its folder exists; a file already there is
    replaced."""
    try:
        os.link(source, target)
    except FileExistsError:
        os.unlink(target)
        link_file(target, source)
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        shutil.copyfile(source, target)


# A path with an empty, "." or ".." part: outside the site, or not a file's path.
NOT_IN_SITE = re.compile(r"(?:^|/)\.{0,2}(?:/|$)")


def folders_of(path: str) -> list[str]:
    """The folders a site-relative file is in: "ja/projects/x/index.html" -> ja, ja/projects,
    ja/projects/x."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]


def make_folder_of(target: str) -> None:
    """The folder of a file to write, and those above it (most pages have a folder of their
    own, whose parent is there: one system call)."""
    try:
        os.mkdir(os.path.dirname(target))
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)


class WriteError(Exception):
    """Two outputs claimed the same path, or a path left the site."""


class Writer:
    """Collects the site in a staging folder beside site/, then swaps it in whole.

    The staging folder is new and empty, or the spare folder: the site before the last one,
    which the last build kept beside site/ (`.{site}-spare`). A rebuild then changes in it
    only the files that differ from what this build makes (by their tokens: a page's key,
    another file's digest) and removes those this build does not make. The site it replaces
    becomes the next spare. Files are never written through: a file of the spare may be a
    link to the same file of site/.

    What a build killed at any moment (SIGKILL included) leaves in site/:

    - The swap by renameat2(RENAME_EXCHANGE) (Linux 3.15+, on ext4, xfs, btrfs, tmpfs...):
      the two folders trade names in one step. Before it site/ is the old complete site, after
      it the new complete site; site/ is never missing and never a mixture, so a web server
      serving it sees one or the other. Killed after the step, the old site is left under the
      staging name, for the next build to remove.
    - The fallback, two renames (where renameat2 is missing or the file system refuses it):
      site/ -> .site-build-XXXXXXXX-old, then the staging folder -> site/. Between the two,
      for a few microseconds, there is no site/. A build killed there leaves both sites
      complete on disk, and the next build first puts the -old folder back as site/, as if
      the killed build had never run. An -old folder is only ever a complete site.
    - Leftovers never accumulate: every build first removes the staging and -old folders that
      builds of the same site/ left (their names only: .{site}-build-XXXXXXXX[-old], beside it).
      A running build holds a lock (flock) on its staging folder, which the kernel drops when
      the process dies, so a build never removes the folder of another one still running.
      The spare folder is renamed to a staging name before anything in it changes: a build
      killed while it changed it leaves a leftover, not a spare in an unknown state.

    Not covered: power loss or a kernel crash (that needs an fsync of every file and folder
    before the swap); a killed process loses nothing it wrote, the page cache stays.
    """

    def __init__(
        self,
        site: Path,
        files: dict[str, str] | None = None,
        spare: dict[str, str] | None = None,
    ) -> None:
        """files: the tokens of the files of site/ (the last build's); spare: those of the
        spare folder, when it is to be used (its listing is the one recorded), else None."""
        self.site = site
        self.files = files or {}
        site.parent.mkdir(parents=True, exist_ok=True)
        # The names of the folders this class makes beside site/, and of nothing else: 8 hex
        # digits now; before, tempfile.mkdtemp's 8 letters, digits and underscores.
        self.leftover_name = re.compile(
            rf"\.{re.escape(site.name)}-build-[0-9a-z_]{{8}}(?:{OLD_SUFFIX})?"
        )
        self.discarded: Path | None = None  # a spare folder not used, for the caller to remove
        # One build at a time may recover, clean up or swap; the rest of a build runs in parallel.
        with _locked(site.parent):
            self._recover()
            self._remove_leftovers()
            taken = self._take_spare(spare is not None)
            self.spare = spare if taken is not None and spare is not None else {}
            self.staging, self._lock = self._make_staging(taken)
        self.written: set[str] = set()
        self.tokens: dict[str, str] = {}  # each file this build makes: its token
        self.root = str(self.staging)
        self.folders = {self.root}  # those made in the staging folder

    def claim(self, path: str, make_folder: bool = True) -> str:
        """Reserve a site-relative path such as `data/datapackage.json`; the file to write
        there, in a folder made for it (unless make_folder is False: the writer makes it).

        Every path is claimed once, by the one process that owns this writer, so two outputs
        for one URL are an error even when worker processes do the writing. Paths are plain
        strings: pathlib per file was a fifth of a rebuild's linking of 20,000 pages.
        """
        if NOT_IN_SITE.search(path):
            raise WriteError(f"{path}: not a path inside the site")
        parts = path.split("/")
        if path in self.written:
            raise WriteError(f"{path}: written twice (two pages or files claim the same URL)")
        self.written.add(path)
        folder = os.path.join(self.root, *parts[:-1])
        if make_folder and folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        return os.path.join(folder, parts[-1])

    def claim_all(self, paths: list[str]) -> list[str]:
        """claim(path, make_folder=False) for many paths at once (the pages: 20,000 of them)."""
        new = set(paths)
        if (
            len(new) != len(paths)
            or not self.written.isdisjoint(new)
            or any(map(NOT_IN_SITE.search, paths))
        ):
            return [self.claim(path, make_folder=False) for path in paths]  # the error
        self.written |= new
        return [os.path.join(self.root, path) for path in paths]

    def write(self, path: str, content: bytes | str, token: str | None = None) -> None:
        """One file at a site-relative path (token: its page key; else its digest). Written
        unless the staging folder (the spare) has it already."""
        target = self.claim(path, make_folder=False)
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.tokens[path] = token = token or content_token(data)
        self.put(path, target, token, data)

    def link(self, path: str) -> None:
        """The file of site/ at this path, which has not changed: linked, unless the staging
        folder (the spare) has it already."""
        target = self.claim(path, make_folder=False)
        token = self.files.get(path)
        if token is None:
            with open(os.path.join(self.site, path), "rb") as stream:
                token = content_token(stream.read())
        self.tokens[path] = token
        self.put(path, target, token)

    def put(self, path: str, target: str, token: str, data: bytes | None = None) -> None:
        """The file at target (claimed for path) made the one token names, in any process
        (the render workers too): left as it is when the staging folder (the spare) has it;
        else data written, or (None) the file of site/ at path, unchanged since the last
        build, linked."""
        if self.spare.get(path) == token:
            return
        make_folder_of(target)
        if data is None:
            link_file(target, os.path.join(self.site, path))
        else:
            write_file(target, data)

    def touched(self) -> set[str]:
        """The files of the staging folder that this build changed, made or removed."""
        changed = {path for path, token in self.tokens.items() if self.spare.get(path) != token}
        return changed | (self.spare.keys() - self.tokens.keys())

    def commit(self, remove_old: bool = True) -> Path | None:
        """Make the staged folder the site; the old site, whole until the swap, becomes the
        spare folder. Returns a folder to remove (a spare that was not used), or removes it
        (remove_old): a leftover the next build removes if this one does not."""
        self._remove_stale()
        os.chmod(self.staging, 0o755)  # not the umask's: the same site/ on every machine
        with _locked(self.site.parent):
            old = self._swap()
            spare = cache.spare_folder(self.site)
            if old is not None and not os.path.lexists(spare):
                os.rename(old, spare)
                old = None
        self._unlock()
        remove = [folder for folder in (self.discarded, old) if folder is not None]
        if remove_old:
            for folder in remove:
                shutil.rmtree(folder, ignore_errors=True)
            return None
        if len(remove) == 2:
            shutil.rmtree(remove.pop(), ignore_errors=True)
        return remove[0] if remove else None

    def abort(self) -> None:
        """Forget this build: site/ stays as it was (a spare being changed is lost with it,
        and one set aside is removed)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.discarded is not None:
            shutil.rmtree(self.discarded, ignore_errors=True)
        self._unlock()

    def leftovers(self) -> list[Path]:
        """The staging and -old folders beside site/ (this build's own included)."""
        return sorted(
            path
            for path in self.site.parent.iterdir()
            if self.leftover_name.fullmatch(path.name) and path.is_dir() and not path.is_symlink()
        )

    def _remove_stale(self) -> None:
        """The files of the spare this build does not make, and the folders left empty."""
        stale = self.spare.keys() - self.written
        folders: set[str] = set()
        for path in stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(self.root, path))
            folders.update(folders_of(path))
        for folder in sorted(folders, key=lambda f: -f.count("/")):  # the deepest first
            with contextlib.suppress(OSError):  # not empty: a file of this build is in it
                os.rmdir(os.path.join(self.root, folder))

    def _swap(self) -> Path | None:
        """Put the staging folder at site/; return where the old site is now."""
        if not self.site.exists():
            os.rename(self.staging, self.site)  # the first build: nothing to replace
            return None
        if _exchange(self.staging, self.site):
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
        # Builds swap one at a time (under the parent's lock), so there is at most one.
        old = [path for path in self.leftovers() if path.name.endswith(OLD_SUFFIX)]
        if old:
            os.rename(old[0], self.site)

    def _remove_leftovers(self) -> None:
        """Remove the staging and -old folders of killed builds; skip those of running builds."""
        for folder in self.leftovers():
            lock = _try_lock(folder)
            if lock is None:
                continue  # its build is still running
            try:
                shutil.rmtree(folder, ignore_errors=True)
            finally:
                os.close(lock)

    def _take_spare(self, wanted: bool) -> Path | None:
        """The spare folder under a staging name, when wanted (else it is discarded): from
        now on a build killed leaves it as a leftover, never as a spare half changed."""
        spare = cache.spare_folder(self.site)
        if not os.path.lexists(spare):
            return None
        name = self._new_name()
        os.rename(spare, name)
        if wanted and name.is_dir() and not name.is_symlink():
            return name
        self.discarded = name
        return None

    def _new_name(self) -> Path:
        while True:
            path = self.site.with_name(f".{self.site.name}-build-{secrets.token_hex(4)}")
            if not os.path.lexists(path):
                return path

    def _make_staging(self, taken: Path | None) -> tuple[Path, int]:
        """The staging folder (the spare taken, or a new empty folder beside site/), locked
        for as long as this build runs."""
        while taken is None:
            path = self._new_name()
            try:
                path.mkdir()
            except FileExistsError:
                continue
            taken = path
        lock = _try_lock(taken)
        assert lock is not None, "nobody else knows this folder yet"
        return taken, lock

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _try_lock(folder: Path) -> int | None:
    """An exclusive lock on a folder, as an open descriptor; None if another process holds it.

    The kernel drops the lock when the descriptor is closed or its process dies (even by
    SIGKILL), so a held lock means a live build.
    """
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on a folder for the duration, waiting for it if need be."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2), so site/ is never missing or half-built.

    False when the C library or the file system cannot: the caller falls back to two renames.
    """
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return result == 0
