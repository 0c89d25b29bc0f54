"""Synthetic content trees for the benchmark, made by the tests' generator (tests/synthetic.py).

    python bench/generate.py OUT --projects 10000 [--years 4] [--seed 0]
    python bench/generate.py OUT --city [--projects-per-year 1500] [--policies 30] [--years 5]

--projects: N project files over several fiscal years, each file its own id, policies of 20
projects. --city: a whole city's report, 1,500 projects a year over FY2019-2023 with ids kept
from year to year. OUT is removed first when it exists.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.synthetic import make_city, make_years  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--projects", type=int, default=1000, help="project files in all")
    parser.add_argument("--city", action="store_true", help="a whole city over several years")
    parser.add_argument("--projects-per-year", type=int, default=1500, help="with --city")
    parser.add_argument("--policies", type=int, default=30, help="with --city")
    parser.add_argument("--years", type=int, help="fiscal years (4, or 5 with --city)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    if args.city:
        years = args.years or 5
        make_city(args.out, args.projects_per_year, args.policies, years, args.seed)
    else:
        make_years(args.out, args.projects, args.years or 4, args.seed)


if __name__ == "__main__":
    main()
