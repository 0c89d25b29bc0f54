"""Crash safety: a build killed at any moment leaves site/ the old complete site or the new one.

A small "old" site is built into out/site; then `build.py` builds a larger "new" tree into the
same place and is SIGKILLed: at points chosen from the stages of a measured build (very early,
validation, page writing, the search index, the swap) and at random times with a fixed seed. After each
kill, out/site must be byte for byte one of two reference builds made once in other folders,
and the staging folders of killed builds must not pile up. The moments around the swap are too
short to hit with a timer, so a driver process kills itself exactly there, for both swap paths.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shisaku import pipeline, portable, write

from .conftest import ROOT
from .synthetic import make_tree

OLD_PROJECTS = 20
# Large enough that every stage takes a measurable time (about 5 s for the build on 2 busy
# cores, most of it rendering pages); small enough for the test to stay quick.
NEW_PROJECTS = 400
RANDOM_KILLS = 3
SEED = 20240501
# The same environment for every build, so that the reference builds can match byte for byte.
ENV = {**os.environ, "PYTHONHASHSEED": "0"}

Listing = dict[str, str]  # path inside the site -> sha256 of its bytes ("" for a folder)


def listing(site: Path) -> Listing:
    """Every file and folder of a site with a digest of its bytes: compared, it compares all bytes."""
    found = {}
    for path in sorted(site.rglob("*")):
        name = path.relative_to(site).as_posix()
        found[name] = "" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def leftovers(out: Path) -> list[str]:
    """What builds of out/site left beside it: staging and -old folders."""
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".site-build-"))


def build_command(content: Path, site: Path) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(site)]


@dataclass
class RunningBuild:
    """A build in a subprocess, and when (seconds since its start) each stage's line appeared."""

    process: subprocess.Popen[str]
    started: float = field(default_factory=time.monotonic)
    stages: dict[str, float] = field(default_factory=dict)
    seen: threading.Condition = field(default_factory=threading.Condition)

    def read_stages(self) -> None:
        """--verbose prints `stage: ... s` as each stage ends."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            name = line.split(":", 1)[0]
            with self.seen:
                self.stages[name] = time.monotonic() - self.started
                self.seen.notify_all()

    def wait_for(self, stage: str, timeout: float = 120) -> None:
        with self.seen:
            ended = self.seen.wait_for(
                lambda: stage in self.stages or self.process.poll() is not None, timeout
            )
        assert ended and stage in self.stages, f"the build ended before stage {stage}"


def start_build(content: Path, site: Path) -> RunningBuild:
    process = subprocess.Popen(
        [*build_command(content, site), "--verbose"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        start_new_session=True,  # its own process group, to find its workers after the kill
    )
    build = RunningBuild(process)
    threading.Thread(target=build.read_stages, daemon=True).start()
    return build


def kill(build: RunningBuild) -> None:
    """SIGKILL the build process itself, as the OOM killer or `kill -9` would."""
    build.process.send_signal(signal.SIGKILL)
    build.process.wait()
    # Its rendering and data workers end with it (they could hold the lock of site/, which
    # the next build must be able to take): none is left running.
    deadline = time.monotonic() + 5
    while (left := survivors(build.process.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(build.process.pid, signal.SIGKILL)  # so that one failure does not make more
    assert left == [], f"processes outlived the killed build: {left}"


def survivors(group: int) -> list[str]:
    """The processes of a process group still running (zombies ended already; their parent
    is gone and init reaps them when it does)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            text = stat.read_text()
            name, fields = (
                text[text.index("(") : text.rindex(")") + 1],
                text[text.rindex(")") + 2 :].split(),
            )
            if int(fields[2]) == group and fields[0] != "Z":
                found.append(f"{stat.parent.name} {name} {fields[0]}")
    return found


@dataclass
class Trees:
    """The content trees, and reference listings of their sites, built once in other folders."""

    old: Path
    new: Path
    old_site: Path
    old_listing: Listing
    new_listing: Listing
    new_stages: dict[str, float]  # seconds from the start to the end of each stage
    new_seconds: float  # the whole build of the new tree, start to exit


@pytest.fixture(scope="session")
def trees(tmp_path_factory: pytest.TempPathFactory) -> Trees:
    root = tmp_path_factory.mktemp("crash")
    old = make_tree(root / "old", OLD_PROJECTS, seed=1, variant="old")
    new = make_tree(root / "new", NEW_PROJECTS, seed=2, variant="new")
    old_site = root / "reference-old" / "site"
    subprocess.run(build_command(old, old_site), check=True, env=ENV)
    build = start_build(new, root / "reference-new" / "site")
    assert build.process.wait() == 0
    seconds = time.monotonic() - build.started
    time.sleep(0.1)  # let the reader thread take the last lines
    print(f"\nbuild of {NEW_PROJECTS} projects: {seconds:.2f} s; stages end at {build.stages}")
    return Trees(
        old,
        new,
        old_site,
        listing(old_site),
        listing(root / "reference-new" / "site"),
        dict(build.stages),
        seconds,
    )


def state(site: Path, trees: Trees) -> str:
    """'old' or 'new': which complete site site/ is; anything else fails the test."""
    assert site.is_dir(), "site/ is missing"
    found = listing(site)
    for name, expected in (("old", trees.old_listing), ("new", trees.new_listing)):
        if found == expected:
            return name
    closest = min((trees.old_listing, trees.new_listing), key=lambda e: len(e.keys() ^ found))
    missing, extra = sorted(closest.keys() - found.keys()), sorted(found.keys() - closest.keys())
    changed = sorted(k for k in found.keys() & closest.keys() if found[k] != closest[k])
    pytest.fail(
        f"site/ is neither site: missing {missing[:5]}, extra {extra[:5]}, changed {changed[:5]}"
    )


def put_back_old_site(site: Path, trees: Trees) -> None:
    """The starting point of each kill: the old complete site in site/."""
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(trees.old_site, site)


def kill_points(trees: Trees) -> list[tuple[str, str | None, float]]:
    """(what, the stage whose end starts the clock or None for the start, seconds after it)."""
    stages = trees.new_stages
    during = {
        "validate": stages["validate"] - stages["load"],
        "pages": stages["pages"] - stages["validate"],
        "search": stages["search"] - stages["data"],
    }
    points: list[tuple[str, str | None, float]] = [
        ("very early (Python starting)", None, 0.05),
        ("during validation", "load", during["validate"] / 2),
        ("while pages are written", "validate", during["pages"] / 2),
        ("while the search index is written", "data", during["search"] / 2),
        ("right at the swap", "search", 0.0),  # the swap is the next step
        ("just after the swap", "write", 0.0),
    ]
    rng = random.Random(SEED)
    points += [("at random", None, rng.uniform(0, trees.new_seconds)) for _ in range(RANDOM_KILLS)]
    return points


def test_killed_builds_leave_the_old_or_the_new_site(trees, tmp_path):
    site = tmp_path / "out" / "site"
    put_back_old_site(site, trees)
    outcomes = []
    for what, after, delay in kill_points(trees):
        build = start_build(trees.new, site)
        clock = build.started
        if after is not None:
            build.wait_for(after)
            clock += build.stages[after]
        time.sleep(max(0.0, clock + delay - time.monotonic()))
        kill(build)
        found = state(site, trees)
        outcomes.append((what, round(time.monotonic() - build.started, 2), found))
        # Each build removes what killed builds left, so at most the last one's staging
        # folder is there.
        assert len(leftovers(site.parent)) <= 1, (what, leftovers(site.parent))
        if found == "new":
            put_back_old_site(site, trees)
    print("\nkills (when, seconds after the start, site/ after it):", *outcomes, sep="\n  ")
    assert {found for _, _, found in outcomes} == {"old", "new"}

    result = subprocess.run(build_command(trees.new, site), env=ENV, check=False)
    assert result.returncode == 0
    assert state(site, trees) == "new"
    assert leftovers(site.parent) == []


# -- Exactly at the swap: a driver process that kills itself at one chosen step --------------
DRIVER = """
import os, signal, sys
from pathlib import Path
from shisaku import portable, write

point, site, new = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
real_exchange, real_rename = portable.exchange, os.rename

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def exchange(a, b):
    if point.startswith("fallback"):
        return False  # as where renameat2 is missing: two renames instead
    swapped = real_exchange(a, b)
    if point == "after-exchange":
        die()
    return swapped

def rename(source, target):
    real_rename(source, target)
    if Path(source) == site and point == "fallback-between-renames":
        die()
    if Path(target) == site and point == "fallback-after-renames":
        die()

portable.exchange, os.rename = exchange, rename
with write.Writer(site) as writer:
    for file in sorted(new.rglob("*")):
        if file.is_file() and file.name != write.MARKER:  # the writer writes its own
            writer.write(file.relative_to(new).as_posix(), file.read_bytes())
    writer.commit()
"""


@dataclass
class SmallSites:
    old: Path
    new: Path  # a complete site, written again file by file by the driver
    new_tree: Path
    old_listing: Listing
    new_listing: Listing


@pytest.fixture(scope="session")
def small(trees: Trees, tmp_path_factory: pytest.TempPathFactory) -> SmallSites:
    root = tmp_path_factory.mktemp("small")
    new_tree = make_tree(root / "content", OLD_PROJECTS + 5, seed=3, variant="new")
    new = root / "reference" / "site"
    subprocess.run(build_command(new_tree, new), check=True, env=ENV)
    return SmallSites(trees.old_site, new, new_tree, trees.old_listing, listing(new))


def which(site: Path, small: SmallSites) -> str:
    found = listing(site)
    assert found in (small.old_listing, small.new_listing), "site/ is neither complete site"
    return "old" if found == small.old_listing else "new"


# point -> what site/ is right after the kill ("missing" or a site), and after the next build
# has recovered (before it writes anything).
SWAP_POINTS = {
    "after-exchange": ("new", "new"),
    "fallback-between-renames": ("missing", "old"),
    "fallback-after-renames": ("new", "new"),
}


@pytest.mark.parametrize(
    "point",
    [
        pytest.param(
            point,
            marks=pytest.mark.skipif(
                portable.forced() and not point.startswith("fallback"),
                reason="SHISAKU_FALLBACKS: the exchange is not used",
            ),
        )
        for point in SWAP_POINTS
    ],
)
def test_a_kill_at_the_swap_is_recovered_by_the_next_build(point, small, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(small.old, site)
    driver = subprocess.run(
        [sys.executable, "-c", DRIVER, point, str(site), str(small.new)], env=ENV, check=False
    )
    assert driver.returncode == -signal.SIGKILL, "the driver should have died at the point"
    right_after, recovered = SWAP_POINTS[point]
    assert (which(site, small) if site.exists() else "missing") == right_after
    assert len(leftovers(tmp_path)) >= 1

    with write.Writer(site) as writer:  # what the next build does before it writes anything
        assert which(site, small) == recovered
        assert leftovers(tmp_path) == [writer.staging.name]
    assert leftovers(tmp_path) == []


def test_after_a_kill_in_the_fallbacks_gap_the_next_build_works(small, tmp_path):
    """site/ missing, the old site in an -old folder: the next build still replaces it whole."""
    site = tmp_path / "site"
    shutil.copytree(small.old, site)
    point = "fallback-between-renames"
    subprocess.run([sys.executable, "-c", DRIVER, point, str(site), str(small.new)], env=ENV)
    assert not site.exists()
    problems = pipeline.build(small.new_tree, site)
    assert problems == []
    assert which(site, small) == "new"
    assert leftovers(tmp_path) == []


def test_the_fallback_swap_replaces_the_site_whole(small, tmp_path, monkeypatch):
    """Where renameat2 is missing, two renames do the swap; the result is the same."""
    monkeypatch.setattr(portable, "exchange", lambda a, b: False)
    site = tmp_path / "site"
    shutil.copytree(small.old, site)
    assert pipeline.build(small.new_tree, site) == []
    assert which(site, small) == "new"
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(portable.forced(), reason="SHISAKU_FALLBACKS: the exchange is not used")
def test_this_machine_swaps_in_one_step(tmp_path):
    """The timed kills above test the renameat2 path; check that it is the one taken here."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "from-a").touch()
    assert portable.exchange(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "b" / "from-a").exists()


# -- Cleaning up: only what builds of this site made, and never a running build's folder -------
def test_a_build_removes_only_the_leftovers_of_its_own_site(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    ours = [".site-build-0123abcd", ".site-build-89abcdef-old", ".site-build-k2_x9q0z"]
    not_ours = [
        ".site-build-notours",  # not 8 hex digits: not a name the writer makes
        ".site-build-0123abcd-older",
        ".public-build-0123abcd",  # the staging folder of another site
        "site-build-0123abcd",  # no leading dot
        ".site.state.json",
    ]
    for name in ours + not_ours[:-1]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text("x", encoding="utf-8")
    (tmp_path / ".site.state.json").write_text("{}", encoding="utf-8")
    file_named_like_ours = tmp_path / ".site-build-fedcba98"
    file_named_like_ours.write_text("a file, not a folder the writer made", encoding="utf-8")

    with write.Writer(site):
        pass

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["site", ".site.lock", *not_ours, file_named_like_ours.name]
    )


def test_a_second_build_waits_for_the_first_and_never_touches_its_folder(tmp_path):
    site = tmp_path / "site"
    started, order = threading.Event(), []

    def second() -> None:
        started.set()
        with write.Writer(site) as writer:
            order.append("second in")
            writer.write("index.html", "second")
            writer.commit()

    with write.Writer(site) as first:
        first.write("index.html", "first")
        waiting = threading.Thread(target=second)
        waiting.start()
        started.wait()
        time.sleep(0.5)
        assert order == [] and (first.staging / "index.html").read_text(encoding="utf-8") == "first"
        first.commit()
        order.append("first out")
    waiting.join(timeout=10)
    assert order == ["first out", "second in"]
    assert (site / "index.html").read_text(encoding="utf-8") == "second"
    assert leftovers(tmp_path) == []


def test_an_old_folder_is_not_put_back_over_an_existing_site(tmp_path):
    """A leftover -old folder beside an existing site/ is garbage, not a site to restore."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("current", encoding="utf-8")
    old = tmp_path / ".site-build-0123abcd-old"
    old.mkdir()
    (old / "index.html").write_text("older", encoding="utf-8")
    with write.Writer(site):
        pass
    assert (site / "index.html").read_text(encoding="utf-8") == "current"
    assert leftovers(tmp_path) == []
