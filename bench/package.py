"""The data package alone: a full build, then remakes after a few rows changed, in one run.

    python bench/package.py [--content /dev/shm/content-10k-readonly] [--against REV]

Loads and validates the content once, then times `data.package_files` (best of --repeat):
from scratch, and again with the chunks of that build after one row was edited, one row was
inserted and one deleted. With --against, the data.py of a git revision (the code before a
change) is timed from scratch in the same run. Each remake is checked against a package made
from scratch from the same rows, byte for byte.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from revision import module_at  # noqa: E402

from shisaku import data, load, model, validate  # noqa: E402


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest of `repeat` runs, in seconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def edited(validated: validate.Validated, change: str) -> validate.Validated:
    """The validated content with one project row edited, inserted or deleted (middle of the table)."""
    changed = copy.copy(validated)
    rows = [dict(row) for row in validated.tables["projects"]]
    middle = len(rows) // 2
    if change == "edit":
        rows[middle]["事業概要"] += "（改訂）"
        rows[middle]["事業費（千円）"] = (rows[middle]["事業費（千円）"] or 0) + 1
    elif change == "insert":
        extra = dict(rows[middle])
        extra["ID"] = extra["ID"] + "-bis"
        extra["事務事業ID"] = extra["事務事業ID"] + "-bis"
        rows.insert(middle + 1, extra)
    elif change == "delete":
        del rows[middle]
    changed.tables = {**validated.tables, "projects": rows}
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=Path("/dev/shm/content-10k-readonly"))
    parser.add_argument("--against", help="a git revision whose data.py to time too")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    loaded = load.load(args.content)
    validated, problems = validate.validate(loaded)
    assert validated is not None and not problems, problems[:3]
    site = model.build_model(validated.records)
    print(f"{len(validated.tables['projects']):,} project rows from {args.content}")

    if args.against:
        old = module_at(args.against, "shisaku/data.py", "shisaku._baseline_data")
        seconds, _ = best_of(args.repeat, lambda: old.package_files(site, validated))
        print(f"{'before (' + args.against + '), from scratch':<36} {seconds:6.3f} s")

    seconds, (files, chunks) = best_of(args.repeat, lambda: data.package_files(site, validated))
    print(f"{'after, from scratch':<36} {seconds:6.3f} s")
    for change, done in (("edit", "edited"), ("insert", "inserted"), ("delete", "deleted")):
        rows = edited(validated, change)
        seconds, (remade, _) = best_of(
            args.repeat, lambda r=rows: data.package_files(site, r, chunks)
        )
        fresh, _ = data.package_files(site, rows)
        same = "same bytes as from scratch" if remade == fresh else "DIFFERENT from scratch"
        print(f"{'after, one row ' + done + ', with chunks':<36} {seconds:6.3f} s  ({same})")
    sizes = ", ".join(f"{name} {len(b) / 1e6:.1f} MB" for name, b in files.items() if len(b) > 1e6)
    kept = sum(map(len, chunks.values())) / 1e6
    print(f"files over 1 MB: {sizes}; chunks kept: {len(chunks):,}, {kept:.1f} MB")


if __name__ == "__main__":
    main()
