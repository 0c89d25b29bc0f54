"""The benchmark: full build, no-change rebuild and one-file change, against the floor, in one run.

    python bench/run.py [--sizes 1000 10000] [--city [PER_YEAR ...]]

For each size N it generates a synthetic tree of N project files over four fiscal years, and
for each --city one a whole city's report of PER_YEAR projects a year (1,500 by default) over
five, with ids kept from year to year (tests/synthetic.py, also bench/generate.py). With
neither option, the sizes 1,000 and 10,000. For each tree it times, each in its own process:
the floor (bench/floor.py), a full build, a rebuild with nothing changed and a rebuild after
one project file of the newest year changed (its cost and its summary, as staff would edit
it), then checks that rebuild against a fresh full build, file by file. It prints wall time,
pages per second, peak memory (the process's maximum resident set, or its largest child's)
and the time of each stage (from --verbose), and each run as a ratio to the floor measured in
the same run. Output goes to a tmpfs folder (/dev/shm) when there is one: this machine's disk
write times vary too much to compare.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.synthetic import make_city, make_years  # noqa: E402


@dataclass
class Shape:
    """A synthetic content tree to measure: its heading and how to write it."""

    name: str
    slug: str  # in the names of its folders
    write: Callable[[Path], Path]


def sizes(projects: int) -> Shape:
    """N project files over four fiscal years, each its own id."""
    return Shape(f"{projects:,} projects", f"{projects}", lambda out: make_years(out, projects))


def city(per_year: int) -> Shape:
    """A whole city: 30 policies, 40 divisions, per_year projects a year over FY2019-2023."""
    return Shape(
        f"a city of {per_year:,} projects a year over 5 years",
        f"city-{per_year}",
        lambda out: make_city(out, per_year),
    )


@dataclass
class Run:
    name: str
    seconds: float
    peak_mb: float
    pages: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    identical: bool | None = None  # a rebuild's files against a fresh full build's


def scratch() -> Path:
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
    return Path(tempfile.mkdtemp(prefix="shisaku-bench-", dir=base))


def timed(name: str, argv: list[str]) -> Run:
    """Run a Python script through bench/peak.py: wall time, peak memory, --verbose stages."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "bench/peak.py", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"{name} failed:\n{result.stderr}")
    stages = {
        m[1]: float(m[2]) for m in re.finditer(r"^(\w+):(?: \d+)? ([\d.]+) s$", result.stderr, re.M)
    }
    peak = float(re.search(r"^peak: (\d+) MB$", result.stderr, re.M)[1])
    return Run(name, seconds, peak, stages=stages)


def count_pages(site: Path) -> int:
    return sum(1 for _ in site.rglob("*.html"))


def measure(shape: Shape, work: Path) -> list[Run]:
    content = shape.write(work / f"content-{shape.slug}")
    site, floor_out = work / f"site-{shape.slug}", work / f"floor-{shape.slug}"
    runs = [timed("floor", ["bench/floor.py", str(content), str(floor_out)])]
    runs[-1].pages = count_pages(floor_out)
    build = ["build.py", "--content", str(content), "--out", str(site), "--verbose"]
    runs.append(timed("full build", build))
    runs[-1].pages = count_pages(site)
    runs.append(timed("no-change rebuild", build))
    changed = editable(content)
    changed.write_text(edited(changed.read_text(encoding="utf-8")), encoding="utf-8")
    runs.append(timed("one-file change", build))
    fresh = work / f"fresh-{shape.slug}"
    subprocess.run(  # its warnings (make_years's projects each end unexplained) not shown
        [sys.executable, "build.py", "--content", str(content), "--out", str(fresh)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    runs[-1].identical = same_files(site, fresh)
    return runs


def editable(content: Path) -> Path:
    """The first project file of FY2023 whose cost that year is a figure (not missing)."""
    return next(
        path
        for path in sorted((content / "2023" / "projects").glob("*.yaml"))
        if COST_2023.search(path.read_text(encoding="utf-8"))
    )


def same_files(one: Path, other: Path) -> bool:
    """Whether two folders hold the same files with the same bytes, and the same folders."""

    def files(root: Path) -> dict[str, Path]:
        return {str(p.relative_to(root)): p for p in root.rglob("*") if p.is_file()}

    def folders(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_dir()}

    mine, theirs = files(one), files(other)
    return (
        mine.keys() == theirs.keys()
        and folders(one) == folders(other)
        and all(mine[name].read_bytes() == theirs[name].read_bytes() for name in mine)
    )


COST_2023 = re.compile(r"cost: \{2023: (\d+)")


def edited(text: str) -> str:
    """A project file as a member of staff changes it: this year's cost, and a word of its summary."""
    cost = COST_2023.search(text)
    assert cost, text
    text = text.replace(cost[0], f"cost: {{2023: {int(cost[1]) + 1}", 1)
    return re.sub(r"(summary:\n  ja: \")", r"\1（改）", text, count=1)


def table(shape: Shape, runs: list[Run]) -> str:
    floor = runs[0].seconds
    stage_names = sorted(
        {s for r in runs for s in r.stages if s != "total"}, key=list(runs[1].stages).index
    )
    lines = [
        f"### {shape.name} ({runs[1].pages:,} pages)",
        "",
        "| run | wall s | × floor | pages/s | peak MB | same as full | "
        + " | ".join(stage_names)
        + " |",
        "|---|---|---|---|---|---|" + "---|" * len(stage_names),
    ]
    for run in runs:
        rate = f"{run.pages / run.seconds:,.0f}" if run.pages else ""
        stages = " | ".join(f"{run.stages[s]:.2f}" if s in run.stages else "" for s in stage_names)
        lines.append(
            f"| {run.name} | {run.seconds:.2f} | {run.seconds / floor:.2f} | {rate} | {run.peak_mb:.0f} "
            f"| {'' if run.identical is None else 'yes' if run.identical else 'NO'} | {stages} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="project files over four years")
    parser.add_argument(
        "--city", type=int, nargs="*", metavar="PER_YEAR", help="projects a year (1500)"
    )
    args = parser.parse_args()
    shapes = [sizes(n) for n in args.sizes or ([] if args.city is not None else [1000, 10000])]
    shapes += [city(n) for n in ([] if args.city is None else args.city or [1500])]
    work = scratch()
    print(
        f"{time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()} · output in {work}\n"
    )
    try:
        for shape in shapes:
            print(table(shape, measure(shape, work)), end="\n\n", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
