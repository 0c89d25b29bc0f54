"""The build, stage by stage: load -> validate -> model -> pages, data, catalogue, search -> one swap into site/.

Everything is gathered and validated before anything is written; a failed build leaves the
previous site/ exactly as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import json
import marshal
import multiprocessing
import os
import secrets
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cache, data, load, model, pages, search, sitemap, validate
from .memo import RowMemo, Taken
from .problems import Problem
from .progress import QUIET, Progress, Stage
from .render import (
    TEMPLATES,
    KeptBytecode,
    Renderer,
    Writer,
    absolute_url,
    content_token,
    folders_of,
    link_file,
    string_problems,
)


def check(
    content: Path,
    progress: Progress = QUIET,
    previous: cache.BuildCache | None = None,
    digests: dict[str, str] | None = None,
    frictionless: Frictionless | None = None,
) -> tuple[validate.Validated | None, list[Problem]]:
    """Load and validate everything; nothing is written.

    previous: the last successful build's cache, whose files are taken in place of those
    unchanged (digests: this build's, of each file) and not checked again on their own.
    frictionless: a Frictionless process started earlier, to validate the rows in.
    """
    run = frictionless.errors if frictionless is not None else validate.frictionless_errors
    if not content.is_dir():
        return None, [
            Problem(str(content), None, "", "read-error", "read-error", {"detail": "not a folder"})
        ]
    reuse = reuse_of(previous, digests)
    with progress.stage("load") as stage:
        loaded = load.load(content, reuse)
        stage.advance(len(loaded.records))
    with progress.stage("validate") as stage:
        checked = previous.checked if reuse is not None and previous is not None else None
        validated, problems = validate.validate(loaded, checked, run)
        if problems and reuse is not None:
            # The files taken from the last build keep no lines for the messages: read them all.
            loaded = load.load(content)
            validated, problems = validate.validate(loaded, frictionless=run)
        stage.advance(len(loaded.records))
    return validated, problems


def reuse_of(
    previous: cache.BuildCache | None, digests: dict[str, str] | None
) -> load.Reuse | None:
    """The last build's files, when it kept them and this build knows the digests to match."""
    if previous is None or not previous.parsed or digests is None:
        return None
    try:
        parsed = marshal.loads(previous.parsed)
    except (ValueError, EOFError, TypeError):
        return None
    return load.Reuse(digests, parsed)


def build(
    content: Path,
    site_dir: Path,
    templates: Path = TEMPLATES,
    progress: Progress = QUIET,
    survey: cache.Survey | None = None,
    leave: list[Any] | None = None,
) -> list[Problem]:
    """The whole pipeline: content -> validated rows -> model -> files, swapped into site/ at
    the end (survey: cache.survey's, when the caller has just made it; leave: a list that
    gets the build's largest objects rather than free them, in a process that ends without
    freeing anything, by os._exit: millions of objects freed one by one take a twentieth of
    a second)."""
    one_malloc_arena()
    with collector_paused():
        return _build(content, site_dir, templates, progress, survey, leave)


def _build(
    content: Path,
    site_dir: Path,
    templates: Path,
    progress: Progress,
    survey: cache.Survey | None,
    leave: list[Any] | None = None,
) -> list[Problem]:
    shell = cache.shell(templates)
    # One build of a site at a time: a build that reuses the pages of site/ must not see
    # another build swap a new site/ in under it.
    with cache.one_build_at_a_time(site_dir):
        if survey is None or survey.state != cache.read_state(site_dir):  # another build ran
            # before reading: an edit during the build shows next time
            if survey is not None:
                survey.site.close()
            survey = cache.survey(content, templates, site_dir, shell)
        with contextlib.closing(survey.site):
            return _build_surveyed(content, site_dir, templates, progress, survey, shell, leave)


def _build_surveyed(
    content: Path,
    site_dir: Path,
    templates: Path,
    progress: Progress,
    survey: cache.Survey,
    shell: str,
    leave: list[Any] | None,
) -> list[Problem]:
    """The build, under the lock of site/, once the survey is made."""
    inputs = survey.inputs
    # frictionless imported and warmed up in another process while this one reads the last
    # build's cache and the content
    with contextlib.closing(Frictionless()) as frictionless:
        previous = cache.previous_build(site_dir, shell, survey)
        gc.freeze()  # the last build's cache lives as long as this one
        validated, problems = check(content, progress, previous, inputs.digests, frictionless)
    if validated is None:
        return problems
    load.without_lines(validated.records)
    site = model.build_model(validated.records)
    problems = string_problems(templates, site.languages)
    if problems:
        return problems
    # The spare folder (the site before the last one) is updated into the new site when
    # its listing is the one the last build recorded.
    spare = survey.spare() if previous.spare_files else None
    writer = Writer(site_dir, previous.files, previous.spare_files if spare else None)
    try:
        # The data package and the catalogue are made and written by another process
        # while this one renders the pages. It has the records and rows now; this
        # process needs only the model.
        package = Background(
            make_data,
            site,
            validated,
            previous.chunks,
            writer,
            large=len(validated.tables["projects"]) >= PACKAGE_PARALLEL_FROM,
        )
        site_pages = pages.build_pages(site, data.schemas())  # the data pages wait for data
        kept = cache.BuildCache(shell, checked=validated.checked)
        if leave is not None:  # freed with the process: hundreds of thousands of objects
            leave.append(validated)
        del validated  # the data process has them; this process needs only the model
        # What is left lives until the build ends: the collector need not look at it
        # again (each full collection walked it all), and the render workers share it.
        gc.freeze()
        try:
            discarded, data_digest = write_site(
                site, site_pages, package, writer, templates, progress, previous, kept
            )
        finally:
            package.stop()
    except BaseException:
        writer.abort()
        cache.partial(cache.cache_file(site_dir, cache.DATA_PART)).unlink(missing_ok=True)
        raise
    keep_for_next_build(
        site_dir,
        survey,
        previous,
        kept,
        writer,
        spare,
        data_digest,
        discarded,
        progress,
        large=len(site_pages) >= PARALLEL_FROM,
    )
    if leave is not None:
        leave += [previous, site, site_pages, kept, writer]
    progress.total()
    return []


def keep_for_next_build(
    site_dir: Path,
    survey: cache.Survey,
    previous: cache.BuildCache,
    kept: cache.BuildCache,
    writer: Writer,
    spare: list[str] | None,
    data_digest: str | None,
    discarded: Path | None,
    progress: Progress,
    *,
    large: bool,
) -> None:
    """After the swap: the spare for the next build, the build cache, and the state that says
    what site/ and the spare hold (spare: the spare's listing entries when this build updated
    it; discarded: a spare set aside, to remove)."""
    # The old site is the spare now, when what it holds is known; else the spare is made a
    # copy of the new site (hard links), by another process while this one writes the build
    # cache, so that the next build has one to update.
    removing = start_removing(discarded) if large else None
    copying = None
    if previous.files and cache.spare_folder(site_dir).is_dir():
        kept.spare_files = previous.files
    else:
        kept.spare_files = writer.tokens
        copying = Background(copy_as_spare, site_dir, large=large)
    # The listing of the new site: the spare's, where the few files this build changed are
    # looked at again; that of its copy; or every file, listed by another process while this
    # one writes the build cache. The cache first, the state last: a state beside site/
    # says the cache is of it.
    if copying is not None:
        listing = copying
    elif spare and writer.spare:
        listing = Background(updated_listing, site_dir, spare, writer.touched(), large=False)
    else:
        listing = Background(cache.site_listing, site_dir, large=large)
    try:
        digests = {
            cache.MAIN_PART: cache.keep(kept, site_dir),
            cache.DATA_PART: cache.settle(site_dir, cache.DATA_PART, data_digest),
        }
        if copying is not None:  # listed by the process that copied site/
            copied = copying.result()  # None: no copy, no spare
            listed = copied[0] if copied else cache.site_listing(site_dir)
            spare_listing = copied[1] if copied else None
        else:
            spare_listing = survey.listing  # the old site's, which is the spare now
            listed = listing.result()
        cache.remember(survey.inputs, site_dir, digests, listed, spare_listing)
    except OSError as error:  # the site is built and in place: only the reuse is lost
        listing.stop()  # nothing outlives the build (a copy cut short is a leftover)
        cache.forget(site_dir)
        for part in cache.PARTS:  # the last build's, of no use, and the data process's
            cache.cache_file(site_dir, part).unlink(missing_ok=True)
            cache.partial(cache.cache_file(site_dir, part)).unlink(missing_ok=True)
        progress.warn(cache_not_written(error))
    if removing is not None:
        removing.wait()
    elif discarded is not None:
        shutil.rmtree(discarded, ignore_errors=True)


def copy_as_spare(site: Path) -> tuple[str, str] | None:
    """The spare folder made a copy of site/, each file a hard link to the same file (or a
    copy where links are refused); the listings of site/ and of the spare. None when it could
    not be made (a full disk...): then there is no spare, and the next build makes a new
    folder."""
    spare = cache.spare_folder(site)
    building = site.with_name(f".{site.name}-build-{secrets.token_hex(4)}")
    entries: tuple[list[str], list[str]] = ([], [])
    try:
        if os.path.lexists(spare):  # a spare whose files are not known: of no use
            os.rename(spare, building)
            shutil.rmtree(building)
        os.mkdir(building)
        _copy_folder(str(site), str(building), "", entries)
        os.chmod(building, 0o755)
        os.rename(building, spare)  # named a leftover until now: a build killed leaves none
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
        return None
    return cache.listing_digest(entries[0]), cache.listing_digest(entries[1])


def _copy_folder(
    source: str, target: str, prefix: str, entries: tuple[list[str], list[str]]
) -> None:
    """entries: those of the source's listing, and of the copy's (a file copied where links
    are refused has a time of its own)."""
    with os.scandir(source) as scan:
        for entry in scan:
            made = os.path.join(target, entry.name)
            if entry.is_dir(follow_symlinks=False):
                os.mkdir(made)
                os.chmod(made, entry.stat(follow_symlinks=False).st_mode & 0o7777)
                for listing in entries:
                    listing.append(f"{prefix}{entry.name}/")
                _copy_folder(entry.path, made, f"{prefix}{entry.name}/", entries)
            else:
                link_file(made, entry.path)
                path = prefix + entry.name
                entries[0].append(cache.listing_entry(path, entry.stat(follow_symlinks=False)))
                entries[1].append(cache.listing_entry(path, os.lstat(made)))


def updated_listing(site: Path, before: list[str], touched: set[str]) -> str:
    """cache.site_listing of a site that was a folder with these listing entries before this
    build changed, made or removed the files touched (and nothing else), and made or removed
    the folders they are in."""
    entries = {entry.partition("\0")[0]: entry for entry in before}
    folders: set[str] = set()
    for path in touched:
        try:
            entries[path] = cache.listing_entry(path, os.lstat(os.path.join(site, path)))
        except FileNotFoundError:
            entries.pop(path, None)
        folders.update(folder + "/" for folder in folders_of(path))
    for folder in folders:  # made for a new file, or removed with the last file in it
        if os.path.isdir(os.path.join(site, folder)):
            entries[folder] = folder
        else:
            entries.pop(folder, None)
    return cache.listing_digest(entries.values())


def cache_not_written(error: OSError) -> dict[str, str]:
    detail = error.strerror or str(error)
    return {
        "en": f"site/ is built, but the build cache beside it could not be written ({detail}): "
        "the next build renders everything again.",
        "ja": f"site/ は作成しましたが、ビルドキャッシュを書き込めませんでした（{detail}）。"
        "次回のビルドはすべてを作り直します。",
    }


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the build runs, and what it found alive
    frozen afterwards. The build makes millions of objects that live to its end and almost no
    cycles: each full collection walked them all again (a tenth of a rebuild's time). The
    render workers, which make and drop the objects of thousands of pages, turn it back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()  # for a process that goes on (serve, tests): collected as before
        if enabled:
            gc.enable()


@contextlib.contextmanager
def collector_running() -> Iterator[None]:
    """The collector on for a while in a build that paused it (what lives long is frozen)."""
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()


def render_worker_start(parent: int) -> None:
    die_with_parent(parent)
    gc.enable()


@dataclass
class DataMade:
    """What the data process sends back."""

    files: dict[str, str]  # the files it wrote, by their path in the site: their tokens
    descriptor: bytes  # datapackage.json
    structured: dict[str, str]  # the package as a schema.org Dataset (JSON-LD), by language
    # the digest of its part of the build cache (the package's chunks, the content files),
    # written beside site/ under its partial name; None when that could not be written
    cache_digest: str | None


def make_data(
    site: model.Site,
    validated: validate.Validated,
    chunks: dict[bytes, bytes],
    writer: Writer,
) -> DataMade:
    """In the data process: the data package (chunks: the last build's) and the catalogue
    that describes it, written into the staging folder; and what the next build
    may reuse (the package's chunks, load.kept), into its part of the build cache."""
    # Imported here, in the data process: rdflib takes a few hundredths of a second to
    # import, which the build's own process need not wait for.
    from . import catalog

    package, kept_chunks = data.package_files(site, validated, chunks)
    files = {f"data/{path}": content_bytes for path, content_bytes in package.items()}
    files.update(catalog.catalog_files(site, package))
    for path, content_bytes in files.items():
        writer.write(path, content_bytes)
    try:
        digest: str | None = cache.write_partial(
            (kept_chunks, load.kept(validated.records)),
            cache.cache_file(writer.site, cache.DATA_PART),
        )
    except OSError:
        digest = None
    descriptor = json.loads(package["datapackage.json"])
    structured = {
        lang: catalog.schema_org_dataset(site, descriptor, lang) for lang in site.languages
    }
    return DataMade(
        {path: writer.tokens[path] for path in files},
        package["datapackage.json"],
        structured,
        digest,
    )


def write_site(
    site: model.Site,
    site_pages: list[pages.Page],
    package_job: Background,
    writer: Writer,
    templates: Path,
    progress: Progress,
    previous: cache.BuildCache,
    kept: cache.BuildCache,
) -> tuple[Path | None, str | None]:
    """Pages and search index, with the data process's files, swapped into site/ at the end;
    what the next build may reuse goes in kept. Returns a folder to remove (a spare folder
    that was not used), and the digest of the data process's part of the build cache."""
    digest = kept.shell + site_digest(site)
    bytecode = KeptBytecode(previous.templates, kept.templates)
    renderer = Renderer(site, templates, RowMemo(digest, previous.rows), bytecode)
    renderer.load_templates()
    site_dir = writer.site
    later = [page for page in site_pages if page.template == "data.html"]
    with progress.stage("pages", len(site_pages) - len(later)) as stage:
        rendered = Rendered(previous, writer, digest)
        absolute = absolute_url(site.settings)

        def make_sitemap() -> None:
            writer.write("sitemap.xml", sitemap.sitemap(site_pages, absolute))
            writer.write("robots.txt", sitemap.robots(absolute))

        rendered.all([p for p in site_pages if p not in later], renderer, stage, make_sitemap)
    with progress.stage("data", len(later)) as stage:
        made: DataMade = package_job.result()
        if package_job.forked:  # the files the data process wrote, claimed where all are
            for path, token in made.files.items():
                writer.claim(path, make_folder=False)
                writer.tokens[path] = token
        pages.set_downloads(later, downloads(made.descriptor), made.structured)
        rendered.all(later, renderer, stage)
    static = templates / "static"
    for path in sorted(static.rglob("*")):
        if path.is_file():
            writer.write(f"static/{path.relative_to(static).as_posix()}", path.read_bytes())
    with progress.stage("search"):
        index = rendered.search_index(writer)
    with progress.stage("write"):
        cache.forget(site_dir)
        discarded = writer.commit(remove_old=False)
    kept.files, kept.documents, kept.index = writer.tokens, rendered.documents, index
    kept.rows = renderer.memo.kept
    return discarded, made.cache_digest


M_ARENA_MAX = -8
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a forked child of the process parent: end when the build ends, even by SIGKILL, so
    that no child outlives it holding its locks (Linux; elsewhere nothing)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died between the fork and the line above
        os._exit(1)


def one_malloc_arena() -> None:
    """glibc gives each thread its own malloc arena and rarely returns an arena's freed memory:
    the pool's thread that receives the rendered pages would keep ~60 MB at 20,000 pages.
    One arena keeps the peak to what is in use (elsewhere: nothing)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1)


def site_digest(site: model.Site) -> str:
    return hashlib.sha256(pages.site_inputs(site)).hexdigest()


def start_removing(folder: Path | None) -> subprocess.Popen[bytes] | None:
    """`rm -rf folder` in another process, which dies with the build (a folder left half
    removed is a leftover the next build removes). rm takes a third of shutil.rmtree's time
    on 20,000 pages. None where there is no rm or no fork: the caller removes the folder."""
    if folder is None or not can_fork() or shutil.which("rm") is None:
        return None
    parent = os.getpid()
    return subprocess.Popen(
        ["rm", "-rf", "--", str(folder)], preexec_fn=lambda: die_with_parent(parent)
    )


def can_fork() -> bool:
    """Forked children share the parent's memory without copying it (not on Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


# Below this many pages, or rows of projects, a second process costs more than it saves.
PARALLEL_FROM = 400
PACKAGE_PARALLEL_FROM = 200
BATCH = 100


class Frictionless:
    """validate.frictionless_errors in a forked process that imports frictionless and warms it
    up (its plugins, a schema checked) as soon as it starts: the build reads its cache and
    its content meanwhile, and its own process never imports frictionless. Where fork is
    missing, or the process is gone, the work is done here."""

    def __init__(self) -> None:
        self._process: multiprocessing.process.BaseProcess | None = None
        if can_fork():
            self._process, self._connection = start_child(_serve_frictionless, duplex=True)

    def errors(self, tables: list[validate.TableData]) -> validate.TableErrors:
        if self._process is not None:
            try:
                self._connection.send(tables)
                outcome = self._connection.recv()
            except (EOFError, OSError):  # it died (killed, out of memory): done here instead
                self.close()
            else:
                return returned(outcome)
        return validate.frictionless_errors(tables)

    def close(self) -> None:
        if self._process is not None:
            self._connection.close()  # it ends at the end of its pipe
            self._process.join(timeout=1)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None


def _serve_frictionless(connection: Any) -> None:
    """In the frictionless process: warm up, then validate what comes until the pipe ends."""
    schemas = {name: validate.frictionless_schema(name) for name in validate.TABLES}
    validate.frictionless_errors(
        [
            (name, schema, [[f["name"] for f in schema["fields"]]])
            for name, schema in schemas.items()
        ]
    )
    while True:
        try:
            tables = connection.recv()
        except EOFError:
            return
        connection.send(outcome_of(validate.frictionless_errors, tables))


class Background:
    """work(*args) run in a forked process while the caller goes on; `result()` waits for it.

    The child sees the parent's memory as it was at the fork, so nothing is copied to it; only
    the result comes back, through a pipe. For a small site, or where fork is missing, the work
    is done right away in this process.
    """

    def __init__(self, work: Callable[..., Any], *args: Any, large: bool) -> None:
        self._value: Any = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self.forked = large and can_fork()  # else done by this process, in this call
        if not self.forked:
            self._value = work(*args)
            return
        self._process, self._receive = start_child(_run, work, args, duplex=False)

    def result(self) -> Any:
        if self._process is None:
            return self._value
        try:
            outcome = self._receive.recv()
        except EOFError:
            outcome = (False, RuntimeError("the background process ended without a result"))
        finally:
            self._receive.close()
            self._process.join()
            self._process = None
        self._value = returned(outcome)
        return self._value

    def stop(self) -> None:
        """End the child now (the build failed or was interrupted)."""
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._process = None


def _run(send: Any, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """In the child: the work's result, or its exception, back to the parent."""
    send.send(outcome_of(work, *args))
    send.close()


def start_child(
    target: Callable[..., None], *args: Any, duplex: bool
) -> tuple[multiprocessing.process.BaseProcess, Any]:
    """target(its end of a pipe, *args) in a forked child; the child and this end of the pipe
    (the reading end when not duplex)."""
    context = multiprocessing.get_context("fork")
    mine, theirs = context.Pipe(duplex=duplex)
    process = context.Process(
        target=_in_child, args=(target, theirs, mine, os.getpid(), args), daemon=True
    )
    process.start()
    theirs.close()
    return process, mine


def _in_child(
    target: Callable[..., None], end: Any, parents_end: Any, parent: int, args: tuple[Any, ...]
) -> None:
    # Holding the parent's end of the pipe, the child would block for ever on a dead
    # parent's pipe.
    parents_end.close()
    die_with_parent(parent)
    gc.enable()  # the build paused the collector; this work makes its own garbage
    target(end, *args)


def outcome_of(work: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
    """(True, work's result), or (False, the exception it raised): for another process."""
    try:
        return True, work(*args)
    except BaseException as error:
        return False, error


def returned(outcome: tuple[bool, Any]) -> Any:
    """The result an outcome_of gave, or its exception raised here."""
    ok, value = outcome
    if not ok:
        raise value
    return value


class Rendered:
    """Renders pages, or links them from the last build when their key says nothing changed.

    Rendering is pure CPU work per page: forked workers share the model without copying it,
    and each writes (or links) the files of its pages; only tokens and searchable text come
    back to the parent.
    """

    def __init__(self, previous: cache.BuildCache, writer: Writer, shell: str) -> None:
        self.previous, self.writer = previous, writer
        self.shell = shell.encode()
        self.documents: dict[str, search.Document | None] = {}
        self.reused = 0

    def all(
        self,
        site_pages: list[pages.Page],
        renderer: Renderer,
        stage: Stage,
        meanwhile: Callable[[], None] | None = None,
    ) -> None:
        """Every page given, on every core when there are enough of them (meanwhile: work
        for this process while the render workers start, before it takes their results)."""
        global _job
        # Claimed here, in the parent, which keeps the list of every file of the site; the
        # folders are made by the worker that writes in them.
        targets = self.writer.claim_all([page.output for page in site_pages])
        batches = [
            range(i, min(i + BATCH, len(site_pages))) for i in range(0, len(site_pages), BATCH)
        ]
        workers = min(os.cpu_count() or 1, 8) if len(site_pages) >= PARALLEL_FROM else 1
        _job = _Job(renderer, site_pages, targets, self.writer, self.shell)
        try:
            if workers == 1 or not can_fork():
                if meanwhile is not None:
                    meanwhile()
                # Rendering here: each page's garbage is collected, as in a worker.
                with collector_running():
                    results = map(_render_batch, batches)
                    self._collect(batches, results, site_pages, stage, renderer.memo)
                return
            with multiprocessing.get_context("fork").Pool(
                workers, render_worker_start, (os.getpid(),)
            ) as pool:
                results = pool.imap(_render_batch, batches)
                if meanwhile is not None:  # the pool's threads take the results meanwhile
                    meanwhile()
                self._collect(batches, results, site_pages, stage, renderer.memo)
        finally:
            _job = None

    def _collect(
        self,
        batches: list[range],
        results: Any,
        site_pages: list[pages.Page],
        stage: Stage,
        memo: RowMemo,
    ) -> None:
        """Each page's token and searchable text (the last build's, for a page not rendered)."""
        for batch, (outcomes, rows) in zip(batches, results, strict=True):
            memo.absorb(rows)
            for i, (token, rendered, document) in zip(batch, outcomes, strict=True):
                output = site_pages[i].output
                if not rendered:
                    document = self.previous.documents.get(output)
                    self.reused += 1
                self.writer.tokens[output] = token
                self.documents[output] = document
            stage.advance(len(batch))

    def search_index(self, writer: Writer) -> search.Index:
        """Write search/: updated in place of the last build's when only some pages changed."""
        documents = {k: d for k, d in self.documents.items() if d is not None}
        index = self.previous.index
        before = {k: d for k, d in self.previous.documents.items() if d is not None}
        if index is None or not self.reused:
            index = search.Index()
            changed = index.replace(sorted(documents.values(), key=lambda d: (d.lang, d.url)))
        else:
            gone = {d.url for k, d in before.items() if k not in documents}
            new = [d for k, d in documents.items() if before.get(k) != d]
            changed = index.replace(new, gone - {d.url for d in new})
        for path in index.paths():
            content_bytes = changed.get(path)
            if content_bytes is not None:
                writer.write(path, content_bytes)
            else:
                writer.link(path)
        return index


@dataclass
class _Job:
    """What the render workers share (forked, not pickled)."""

    renderer: Renderer
    site_pages: list[pages.Page]
    targets: list[str]  # the file of each page in the staging folder
    writer: Writer  # its tokens of site/'s files and of the spare's, to compare keys with
    shell: bytes  # the digest of everything but the content
    contexts: dict[Any, bytes] = field(default_factory=dict)  # pages.key's


_job: _Job | None = None


def _render_batch(
    indices: range,
) -> tuple[list[tuple[str, bool, search.Document | None]], Taken]:
    """Each page made right in the staging folder: (its token, whether it was rendered, its
    searchable text); and the table rows made and used, for the parent to keep.

    A page whose key is that of the page in site/ is not rendered: it is linked from there,
    or left as it is when the staging folder (the spare) has it already. Any other page is
    rendered (its searchable text is needed), and written unless the spare has it.
    """
    job = _job
    assert job is not None
    writer = job.writer
    out = []
    for i in indices:
        page = job.site_pages[i]
        output, target = page.output, job.targets[i]
        page_key = pages.key(page, job.shell, job.contexts) if page.reusable else None
        if page_key is not None and writer.files.get(output) == page_key:
            writer.put(output, target, page_key)
            out.append((page_key, False, None))
            continue
        html = job.renderer.render(page)
        data = html.encode("utf-8")
        token = page_key or content_token(data)
        writer.put(output, target, token, data)
        out.append((token, True, search.extract(html, page.url, page.lang)))
    return out, job.renderer.memo.take()


def downloads(descriptor: bytes) -> list[pages.Download]:
    """The files of the data package (descriptor: its datapackage.json), as the data page
    lists them."""
    package = json.loads(descriptor)
    found = [
        pages.Download(f"data/{r['path']}", r["format"].upper(), r["bytes"], r["name"])
        for r in package["resources"]
    ]
    found.append(pages.Download("data/datapackage.json", "JSON", len(descriptor), "datapackage"))
    return found
