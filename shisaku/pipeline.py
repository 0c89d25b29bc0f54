"""The build, stage by stage: load -> validate -> model -> data, catalogue, pages -> one swap into site/.

Everything is gathered and validated before anything is written; a failed build leaves the
previous site/ exactly as it was.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

from . import cache, catalog, data, load, model, pages, search, validate
from .problems import Problem
from .progress import QUIET, Progress
from .render import TEMPLATES, Renderer, Writer, string_problems, write_file


def check(
    content: Path, progress: Progress = QUIET
) -> tuple[validate.Validated | None, list[Problem]]:
    """Load and validate everything; nothing is written."""
    if not content.is_dir():
        return None, [
            Problem(str(content), None, "", "read-error", "read-error", {"detail": "not a folder"})
        ]
    with progress.stage("load") as stage:
        loaded = load.load(content)
        stage.advance(len(loaded.records))
    with progress.stage("validate") as stage:
        validated, problems = validate.validate(loaded)
        stage.advance(len(loaded.records))
    return validated, problems


def build(
    content: Path, site_dir: Path, templates: Path = TEMPLATES, progress: Progress = QUIET
) -> list[Problem]:
    """The whole pipeline: content -> validated rows -> model -> files, swapped into site/ at the end."""
    inputs = cache.fingerprint(
        content, templates
    )  # before reading: an edit during the build shows next time
    validated, problems = check(content, progress)
    if validated is None:
        return problems
    site = model.build_model(validated.records)
    problems = string_problems(templates, site.languages)
    if problems:
        return problems
    with progress.stage("data") as stage:
        files = data.package_files(site, validated)
        stage.advance(len(files))
    package = json.loads(files["datapackage.json"])
    structured = {lang: catalog.schema_org_dataset(site, package, lang) for lang in site.languages}
    site_pages = pages.build_pages(site, downloads(files), data.schemas(), structured)
    renderer = Renderer(site, templates)
    writer = Writer(site_dir)
    try:
        for path, content_bytes in files.items():
            writer.write(f"data/{path}", content_bytes)
        with progress.stage("catalogue"):
            for path, content_bytes in catalog.catalog_files(site, files).items():
                writer.write(path, content_bytes)
            writer.write("sitemap.xml", catalog.sitemap(site_pages, renderer.absolute))
            writer.write("robots.txt", catalog.robots(site))
        with progress.stage("pages", len(site_pages)) as stage:
            targets = [writer.claim(page.output) for page in site_pages]
            render_all(renderer, site_pages, targets, stage)
        static = templates / "static"
        for path in sorted(static.rglob("*")):
            if path.is_file():
                writer.write(f"static/{path.relative_to(static).as_posix()}", path.read_bytes())
        with progress.stage("search"):
            search.index(writer.staging)
        with progress.stage("write"):
            cache.forget(site_dir)
            writer.commit()
    except BaseException:
        writer.abort()
        raise
    cache.remember(inputs, site_dir)
    progress.total()
    return []


# Rendering is pure CPU work per page: forked workers share the model without copying it.
# The parent writes the files, in page order: Pagefind's index depends on the order files
# appear in their folders, so a fixed order keeps builds byte-identical. Below this many pages
# a second process costs more than it saves.
PARALLEL_FROM = 400
BATCH = 100
_job: tuple[Renderer, list[pages.Page]] | None = None


def render_all(
    renderer: Renderer, site_pages: list[pages.Page], targets: list[Path], stage: Any
) -> None:
    """Render and write every page, rendering on every core when there are enough pages."""
    global _job
    workers = min(os.cpu_count() or 1, 8) if len(site_pages) >= PARALLEL_FROM else 1
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for page, target in zip(site_pages, targets, strict=True):
            write_file(target, renderer.render(page))
            stage.advance()
        return
    _job = (renderer, site_pages)
    batches = [range(i, min(i + BATCH, len(site_pages))) for i in range(0, len(site_pages), BATCH)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for batch, html in zip(batches, pool.imap(_render_batch, batches), strict=True):
                for i, text in zip(batch, html, strict=True):
                    write_file(targets[i], text)
                stage.advance(len(batch))
    finally:
        _job = None


def _render_batch(indices: range) -> list[str]:
    """In a worker: the HTML of a batch of pages."""
    assert _job is not None
    renderer, site_pages = _job
    return [renderer.render(site_pages[i]) for i in indices]


def downloads(files: dict[str, bytes]) -> list[pages.Download]:
    """The files of the data package, as the data page lists them."""
    package = json.loads(files["datapackage.json"])
    found = [
        pages.Download(f"data/{r['path']}", r["format"].upper(), r["bytes"], r["name"])
        for r in package["resources"]
    ]
    descriptor = files["datapackage.json"]
    found.append(pages.Download("data/datapackage.json", "JSON", len(descriptor), "datapackage"))
    return found
