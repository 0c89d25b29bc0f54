"""The floor: the least a Python generator can do with the same corpus and the same templates.

    python bench/floor.py CONTENT OUT

libyaml load, Jinja2 render of every page, write the files; one process, no validation, no
data package, no catalogue, no search index, no staging folder. The full build is reported as a
ratio to this.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shisaku import data, load, model, pages
from shisaku.render import Renderer


def floor(content: Path, out: Path) -> int:
    records = []
    for path, kind, year in load.content_files(content):
        records.append(
            load.Record(
                kind, path, yaml.load(Path(path).read_bytes(), Loader=yaml.CSafeLoader), year
            )
        )
    for path in sorted((content / "pages").glob("*.md")):
        slug, lang, _ = path.name.split(".")
        records.append(
            load.Record(
                "page",
                str(path),
                {"slug": slug, "lang": lang, "text": path.read_text(encoding="utf-8")},
            )
        )
    site = model.build_model(records)
    renderer = Renderer(site)
    written = 0
    site_pages = pages.build_pages(site, data.schemas())
    pages.set_downloads(site_pages, [], {})
    for page in site_pages:
        target = out / page.output
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(renderer.render(page), encoding="utf-8")
        written += 1
    return written


if __name__ == "__main__":
    print(floor(Path(sys.argv[1]), Path(sys.argv[2])))
