"""Commands: `build` (the default) and `check`; exit 0 when all is well, 1 on problems, 2 on misuse."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import catalog, data, load, model, pages, search, validate
from .problems import Problem, message_language, summary
from .render import TEMPLATES, Renderer, Writer, string_problems

HELP = {
    "build": "validate content/ and write the site to site/ (the default)",
    "check": "validate content/ only; write nothing",
}


def check(content: Path) -> tuple[validate.Validated | None, list[Problem]]:
    """Load and validate everything; nothing is written."""
    if not content.is_dir():
        return None, [
            Problem(str(content), None, "", "read-error", "read-error", {"detail": "not a folder"})
        ]
    return validate.validate(load.load(content))


def build(content: Path, site_dir: Path, templates: Path = TEMPLATES) -> list[Problem]:
    """The whole pipeline: content -> validated rows -> model -> files, swapped into site/ at the end."""
    validated, problems = check(content)
    if validated is None:
        return problems
    site = model.build_model(validated.records)
    problems = string_problems(templates, site.languages)
    if problems:
        return problems
    files = data.package_files(site, validated)
    package = json.loads(files["datapackage.json"])
    structured = {lang: catalog.schema_org_dataset(site, package, lang) for lang in site.languages}
    site_pages = pages.build_pages(site, downloads(files), data.schemas(), structured)
    renderer = Renderer(site, templates)
    writer = Writer(site_dir)
    try:
        for path, content_bytes in files.items():
            writer.write(f"data/{path}", content_bytes)
        for path, content_bytes in catalog.catalog_files(site, files).items():
            writer.write(path, content_bytes)
        for page in site_pages:
            writer.write(page.output, renderer.render(page))
        writer.write("sitemap.xml", catalog.sitemap(site_pages, renderer.absolute))
        writer.write("robots.txt", catalog.robots(site))
        static = templates / "static"
        for path in sorted(static.rglob("*")):
            if path.is_file():
                writer.write(f"static/{path.relative_to(static).as_posix()}", path.read_bytes())
        search.index(writer.staging)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return []


def downloads(files: dict[str, bytes]) -> list[pages.Download]:
    """The files of the data package, as the data page lists them."""
    package = json.loads(files["datapackage.json"])
    found = [
        pages.Download(f"data/{r['path']}", r["format"].upper(), r["bytes"], r["name"])
        for r in package["resources"]
    ]
    found.append(
        pages.Download(
            "data/datapackage.json", "JSON", len(files["datapackage.json"]), "datapackage"
        )
    )
    return found


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python build.py", description="Build the policy report site.")
    p.add_argument(
        "command",
        nargs="?",
        default="build",
        choices=sorted(HELP),
        help="; ".join(f"{k}: {v}" for k, v in HELP.items()),
    )
    p.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        help="the content folder (default: content)",
    )
    p.add_argument(
        "--out", type=Path, default=Path("site"), help="the output folder (default: site)"
    )
    p.add_argument(
        "--lang", choices=["ja", "en"], help="language of messages (default: from the locale)"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    lang = message_language(args.lang)
    if args.command == "check":
        _, problems = check(args.content)
    else:
        problems = build(args.content, args.out)
    for item in problems:
        print(item.format(lang), file=sys.stderr)
    if problems:
        print(summary(len(problems), lang), file=sys.stderr)
        return 1
    return 0
