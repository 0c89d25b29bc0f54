"""The tables of projects with and without the row memo, in one process, one after the other.

    python bench/rows.py [CONTENT] [--before REV] [--rounds 3]

Renders, from one model, with the templates of REV (before the memo; by default the commit
before templates/_project_row.html was added) and with this tree's:

- before: home and projects/ (the pages every rebuild renders), and every policy and
  division page (their tables use the same rows), as a full build renders them;
- cold memo: the same pages with an empty memo, as a full build renders them now;
- one changed: home and projects/ again, after one project of the latest year changed its
  cost, with the memo the cold run left (what a rebuild renders after a one-file change).

Each figure is the best of --rounds (the machine is shared: the best is the least disturbed).
The pages are checked to be the same bytes before and after.
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shisaku import data, load, model, pages, render, validate  # noqa: E402
from shisaku.memo import RowMemo  # noqa: E402

LISTINGS = ("home.html", "projects.html")
TABLES = ("policy.html", "division.html")


def templates_of(rev: str, folder: Path) -> Path:
    """templates/ as it was at a git revision."""
    archive = subprocess.run(
        ["git", "archive", rev, "templates"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "templates"


def before_the_memo() -> str:
    """The commit before the one that added templates/_project_row.html."""
    added = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", "templates/_project_row.html"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return f"{added[-1]}^" if added else "HEAD"


def best_of(rounds: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def render_all(renderer: render.Renderer, some: list[pages.Page]) -> dict[str, str]:
    return {page.output: renderer.render(page) for page in some}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("content", nargs="?", default="/dev/shm/content-10k-readonly")
    parser.add_argument("--before", default=None, help="git revision of the templates before")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    loaded = load.load(Path(args.content))
    validated, _ = validate.validate(loaded)
    site = model.build_model(validated.records)
    site_pages = pages.build_pages(site, data.schemas())
    listings = [p for p in site_pages if p.template in LISTINGS]
    tables = [p for p in site_pages if p.template in TABLES]
    print(f"{args.content}: {len(site.projects):,} projects, {len(tables)} policy/division pages")

    with tempfile.TemporaryDirectory() as scratch:
        rev = args.before or before_the_memo()
        old = render.Renderer(site, templates_of(rev, Path(scratch)))
        render_all(old, listings + tables)  # templates compiled, caches warm
        before_listings = best_of(args.rounds, lambda: render_all(old, listings))
        before_tables = best_of(args.rounds, lambda: render_all(old, tables))
        expected = render_all(old, listings)

    def cold() -> render.Renderer:
        renderer = render.Renderer(site, render.TEMPLATES, RowMemo("digest"))
        render_all(renderer, listings + tables)
        return renderer

    render_all(render.Renderer(site), listings)  # the new templates compiled
    cold_all = best_of(args.rounds, cold)
    filled = cold()
    assert render_all(filled, listings) == expected, "the pages differ from before the memo"
    filled.memo.absorb(filled.memo.take())
    kept = filled.memo.kept

    changed = site.reports[0].projects[0]
    changed.cost = (changed.cost or 0) + 1

    def one_changed() -> None:
        renderer = render.Renderer(site, render.TEMPLATES, RowMemo("digest", kept))
        render_all(renderer, listings)

    one_changed_listings = best_of(args.rounds, one_changed)
    rebuilt = render.Renderer(site, render.TEMPLATES, RowMemo("digest", kept))
    render_all(rebuilt, listings)
    made = rebuilt.memo.made
    fresh = render_all(render.Renderer(site), listings)
    assert render_all(rebuilt, listings) == fresh, "the memo gave other pages than none"

    pickled = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
    load_time = best_of(args.rounds, lambda: pickle.loads(pickled))

    print(f"best of {args.rounds}, seconds")
    print(f"home + projects, before:               {before_listings:6.2f}")
    print(
        f"home + projects, memo, one changed:    {one_changed_listings:6.2f}  ({len(made)} rows rendered)"
    )
    print(f"home + projects + tables, before:      {before_listings + before_tables:6.2f}")
    print(f"home + projects + tables, cold memo:   {cold_all:6.2f}")
    print(
        f"rows kept: {len(kept):,}, {len(pickled) / 1e6:.1f} MB pickled, {load_time:.3f} s to unpickle"
    )


if __name__ == "__main__":
    main()
