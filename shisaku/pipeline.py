"""The build, stage by stage, as in DESIGN.md:

    load -> validate -> model -> pages | data package and catalogue -> search, sitemap -> swap

Every build is whole: it reads every content file and writes every file of the site, into a
staging folder swapped in at the end, so that a failed build leaves the previous site/ as it
was. The pages are rendered by workers on every core while one of them makes the data package
and the catalogue (workers.py).
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import data, fingerprint, load, model, pages, search, sitemap, validate, workers
from .pages import Page
from .problems import Localized, Problem, Warnings
from .progress import QUIET, Progress
from .render import TEMPLATES, Renderer, absolute_url, string_problems
from .rows import Validated
from .write import WriteError, Writer, output_problems, target_in, write_file

BATCH = 50  # pages a render task takes at a time


@dataclass
class Job:
    """What the workers share: the renderer (and its model), the pages, and the validated
    rows for the data package."""

    renderer: Renderer
    site_pages: list[Page]
    validated: Validated | None


def check(
    content: Path,
    progress: Progress = QUIET,
    tables_later: bool = False,
    warnings: Warnings | None = None,
) -> tuple[Validated | None, list[Problem]]:
    """Load and validate everything (frictionless's check of the rows left to
    validate.table_problems with tables_later); nothing is written. The warnings go to
    warnings.found (or, strict, are problems)."""
    if not content.is_dir():
        return None, [
            Problem(str(content), None, "", "read-error", "read-error", {"detail": "not a folder"})
        ]
    with collector_paused():
        with progress.stage("load") as stage:
            loaded = load.load(content)
            stage.advance(len(loaded.records))
        with progress.stage("validate") as stage:
            validated, problems = validate.validate(loaded, tables_later, warnings)
            stage.advance(len(loaded.records))
    return validated, problems


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a while: loading and validating make hundreds
    of thousands of objects that live to the end of the build and hardly any cycles, and each
    of its passes would walk them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(
    content: Path,
    site_dir: Path,
    templates: Path = TEMPLATES,
    progress: Progress = QUIET,
    inputs: str | None = None,
    warnings: Warnings | None = None,
) -> list[Problem]:
    """The whole pipeline, from content/ to site/; the problems found, or [] once site/ is the
    new site (inputs: the fingerprint.inputs_digest the caller has just taken). The warnings
    go to warnings.found and write the site all the same (strict: they are problems)."""
    shown, site_dir = str(site_dir), fingerprint.output_folder(site_dir)
    problems = output_problems(site_dir, kept_folders(content, templates), shown)
    problems += data.release_problems()
    if problems:
        return problems
    inputs = inputs or fingerprint.inputs_digest(content, templates)
    validated, problems = check(content, progress, True, warnings)
    if validated is None:
        return problems
    try:
        problems = publish(validated, site_dir, templates, progress, inputs)
    except Exception as error:
        # The model, pages and data files may rely on what frictionless checks (it runs
        # beside them): where it finds something, that is what to say, not what it broke.
        problems = validate.table_problems(validated)
        if problems:
            return problems
        if isinstance(error, BrokenExecutor):  # a worker killed, or out of memory
            return [Problem(shown, None, "", "worker-died", "environment-error")]
        if isinstance(error, WriteError):
            return [Problem(shown, None, "", "written-twice", "output-error", error.said())]
        if isinstance(error, OSError):  # a full disk, a folder that cannot be written
            detail = f"{error.strerror or error}"
            detail += f": {error.filename}" if error.filename else ""
            return [
                Problem(shown, None, "", "output-unwritable", "output-error", {"detail": detail})
            ]
        raise
    if not problems:
        progress.total()
    return problems


def kept_folders(content: Path, templates: Path) -> list[tuple[Localized, Path, bool]]:
    """The folders no build may write into or replace, with what they are, and whether an
    output folder may lie inside them (the project's site/ does; content/ would read it)."""
    return [
        (Localized(en="content", ja="コンテンツ"), content, False),
        (Localized(en="templates", ja="テンプレート"), templates, False),
        (Localized(en="schema", ja="スキーマ"), fingerprint.SCHEMA, False),
        (Localized(en="project", ja="プロジェクト"), fingerprint.PACKAGE.parent, True),
    ]


def publish(
    validated: Validated, site_dir: Path, templates: Path, progress: Progress, inputs: str
) -> list[Problem]:
    """Model, pages, data package, catalogue and search index, written whole and swapped in
    as site/; or the problems that stopped it, with site/ as it was."""
    site = model.build_model(validated.records)
    problems = string_problems(templates, site.languages)
    for folder in (templates, fingerprint.SCHEMA):
        problems += load.refused_links(folder, "link-outside-project").values()
    if problems:
        return problems
    site_pages = pages.build_pages(site, data.schemas())
    renderer = Renderer(site, templates)
    renderer.load_templates()  # compiled once, before the workers fork
    job = Job(renderer, site_pages, validated)
    with Writer(site_dir) as writer, workers.Pool(job) as pool:
        checked = pool.submit(check_tables)  # frictionless, beside the pages
        write_site(pool, writer, job, templates, progress)
        problems = checked.result()
        if problems:
            return problems  # the staging folder goes; site/ stays as it was
        with progress.stage("write"):
            fingerprint.forget(site_dir)
            writer.commit()
            fingerprint.remember(site_dir, inputs)
    return []


def write_site(
    pool: workers.Pool, writer: Writer, job: Job, templates: Path, progress: Progress
) -> None:
    """Every file of the site into the writer's staging folder: pages, data package and
    catalogue, sitemap, static files, search index."""
    site, site_pages = job.renderer.site, job.site_pages
    package = pool.submit(make_data, writer.root)  # one more task beside the pages
    later = [i for i, page in enumerate(site_pages) if page.template == "data.html"]
    documents = render_pages(pool, writer, site_pages, set(later), progress)
    writer.write("sitemap.xml", sitemap.sitemap(site_pages, absolute_url(site.settings)))
    writer.write("robots.txt", sitemap.robots(absolute_url(site.settings)))
    write_static(writer, templates)
    for name, image in site.images.items():  # the city's emblem, from content/
        writer.write(f"static/{name}", image)
    with progress.stage("data", len(later)) as stage:
        written, listed, structured = package.result()
        writer.claim_all(written)
        headers = sitemap.host_headers(written, site.settings["base_path"])
        writer.write("_headers", headers + own_headers(templates))
        pages.set_downloads(site_pages, listed, structured)
        documents += render_batch(later, writer.claim_all([site_pages[i].output for i in later]))
        stage.advance(len(later))
    with progress.stage("search"):
        write_search_index(pool, writer, documents, site.languages)


def render_pages(
    pool: workers.Pool,
    writer: Writer,
    site_pages: list[Page],
    later: set[int],
    progress: Progress,
) -> list[search.Document | None]:
    """Every page but those rendered later, in batches over the workers, each written where
    the writer claimed it; their searchable text, in order."""
    now = [i for i in range(len(site_pages)) if i not in later]
    targets = writer.claim_all([site_pages[i].output for i in now])
    batches = [(now[i : i + BATCH], targets[i : i + BATCH]) for i in range(0, len(now), BATCH)]
    documents: list[search.Document | None] = []
    with progress.stage("pages", len(now)) as stage:
        for found in pool.map(render_task, batches):
            documents += found
            stage.advance(len(found))
    return documents


def render_task(batch: tuple[list[int], list[str]]) -> list[search.Document | None]:
    return render_batch(*batch)


def render_batch(indices: list[int], targets: list[str]) -> list[search.Document | None]:
    """The pages at these indices rendered and written to their targets (in a worker, or
    in the build's process); the searchable text of each."""
    job: Job = workers.shared()
    renderer, site_pages = job.renderer, job.site_pages
    found = []
    for i, target in zip(indices, targets, strict=True):
        page = site_pages[i]
        html = renderer.render(page)
        write_file(target, html)
        found.append(search.extract(html, page.url, page.lang))
    return found


def write_search_index(
    pool: workers.Pool,
    writer: Writer,
    documents: list[search.Document | None],
    languages: list[str],
) -> None:
    """search/: the index of each language, made by the workers side by side."""
    made = [
        pool.submit(
            make_search_index, writer.root, lang, [d for d in documents if d and d.lang == lang]
        )
        for lang in languages
    ]
    for written in made:
        writer.claim_all(written.result())


def make_search_index(root: str, lang: str, documents: list[search.Document]) -> list[str]:
    """One language's search index written in the staging folder at root (in a worker);
    the paths of its files, for the writer to claim."""
    return write_all(root, search.build_language(lang, documents))


def write_all(root: str, files: dict[str, bytes]) -> list[str]:
    """Files written below root by their paths inside the site (each a new file: one that a
    page has already written is an error); those paths."""
    for path, content_bytes in files.items():
        write_file(target_in(root, path), content_bytes)
    return list(files)


def check_tables() -> list[Problem]:
    """frictionless's check of the published rows (in a worker): [] or its problems."""
    job: Job = workers.shared()
    assert job.validated is not None
    return validate.table_problems(job.validated)


def make_data(root: str) -> tuple[list[str], list[pages.Download], dict[str, str]]:
    """The data package and the catalogue that describes it, written in the staging folder at
    root (in a worker): the paths of their files in the site, the files as the data page lists
    them, and the package as a schema.org Dataset by language."""
    from . import catalog  # rdflib is imported by the worker that needs it

    job: Job = workers.shared()
    site = job.renderer.site
    assert job.validated is not None
    package = data.package_files(site, job.validated)
    files = {f"data/{path}": content_bytes for path, content_bytes in package.items()}
    descriptor = json.loads(package["datapackage.json"])
    listed = data.listed_resources(site, descriptor, package)
    files.update(catalog.catalog_files(site, descriptor, listed))
    described = {**descriptor, "resources": listed}
    structured = {
        lang: catalog.schema_org_dataset(site, described, lang) for lang in site.languages
    }
    return write_all(root, files), downloads(listed), structured


def write_static(writer: Writer, templates: Path) -> None:
    """templates/static/, as it is, under static/; templates/host/, the files a host reads
    (.htaccess, CNAME, _redirects...), at the site's root: _headers there is added after the
    build's own (see write_site)."""
    for folder, prefix in ((templates / "static", "static/"), (templates / "host", "")):
        for path in sorted(folder.rglob("*")):
            name = prefix + path.relative_to(folder).as_posix()
            if path.is_file() and name != "_headers":
                writer.write(name, path.read_bytes())


def own_headers(templates: Path) -> bytes:
    """templates/host/_headers, the lines a site's keeper adds to the build's _headers."""
    path = templates / "host" / "_headers"
    return b"\n# From templates/host/_headers:\n" + path.read_bytes() if path.is_file() else b""


def downloads(listed: list[dict[str, Any]]) -> list[pages.Download]:
    """The files of data/ as the data page lists them (listed: data.listed_resources)."""
    return [
        pages.Download(f"data/{r['path']}", r["format"].upper(), r["bytes"], r["name"])
        for r in listed
    ]
