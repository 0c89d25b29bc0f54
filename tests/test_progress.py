"""Progress: counts per stage on a terminal, nothing when piped or --quiet, timings with --verbose."""

from __future__ import annotations

import io
import re
import subprocess
import sys

from shisaku import pipeline
from shisaku.progress import Progress

from .conftest import CONTENT, ROOT


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_each_stage_count_up(tiny, tmp_path):
    screen = Terminal()
    assert pipeline.build(tiny, tmp_path / "site", progress=Progress(screen)) == []
    shown = screen.getvalue()
    for stage in ["load", "validate", "pages", "data", "search", "write"]:
        assert f"{stage}…" in shown
    pages = len(list((tmp_path / "site").rglob("*.html")))
    # the data pages (one per language) list the files of the data package: rendered once
    # the package is made, in the data stage
    assert f"pages… {pages - 2}/{pages - 2}" in shown and "data… 2/2" in shown
    assert shown.endswith("\r\033[K")  # the last line is cleared: the terminal is left clean


def test_verbose_prints_the_time_of_every_stage(tiny, tmp_path):
    out = io.StringIO()  # not a terminal: no counts, only the timings asked for
    assert pipeline.build(tiny, tmp_path / "site", progress=Progress(out, verbose=True)) == []
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "load", "validate", "pages", "data", "search", "write", "total",
    ]  # fmt: skip
    assert all(re.fullmatch(r"[a-z]+:( \d+)? \d+\.\d\d s", line) for line in lines), lines


def test_quiet_and_piped_builds_print_nothing(tmp_path):
    for extra in [[], ["--quiet"]]:
        result = subprocess.run(
            [sys.executable, "build.py", "--content", str(CONTENT), "--out", str(tmp_path / "site"), *extra],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    result = subprocess.run(
        [sys.executable, "build.py", "--quiet", "--verbose", "--out", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
