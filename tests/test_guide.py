"""The maintainer guide: both languages give the same commands, and every one of them runs.

Each command of docs/guide.*.md is run here, in the guide's order, in a copy of the content,
as a member of staff would type it; the guide's table explains every problem type the program
can print.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shisaku.problems import MESSAGES

from .conftest import CONTENT, ROOT
from .test_import import report_xlsx

GUIDES = {lang: ROOT / "docs" / f"guide.{lang}.md" for lang in ("ja", "en")}
SPREADSHEET = "施策報告書_令和6年度.xlsx"
NEW_ROW = (
    "子育て応援事業",
    "子育て世帯を応援する。",
    1200,
    "-",
    "-",
    "-",
    "応援の催しを開いた。",
    "産業政策課",
)


def commands(guide: Path) -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", guide.read_text(encoding="utf-8"))


def test_both_guides_give_the_same_commands():
    assert commands(GUIDES["ja"]) == commands(GUIDES["en"])
    assert len(commands(GUIDES["ja"])) >= 10


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A folder as staff have it: build.py and a copy of content/; the package is installed."""
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copy(ROOT / "build.py", tmp_path / "build.py")
    report_xlsx(tmp_path / SPREADSHEET, [NEW_ROW], years=("令和６年度", "令和５年度"))
    return tmp_path


def environment(workspace: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "WEBROOT": str(workspace / "www"),
        "LANG": "C.UTF-8",
    }


def run_preview(command: str, workspace: Path) -> None:
    """serve runs until Ctrl-C: start it, wait for its address, fetch it, press Ctrl-C."""
    import urllib.request

    argv = command.split()
    if "--port" not in argv:
        argv += ["--port", "0"]  # the guide's default port may be taken on a test machine
    process = subprocess.Popen(
        [sys.executable, *argv[1:]], cwd=workspace, env=environment(workspace),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        url = ""
        for line in process.stdout:  # type: ignore[union-attr]
            found = re.search(r"http://127\.0\.0\.1:\d+/\S*", line)
            if found:
                url = found.group(0)
                break
        assert url, "serve printed no address"
        with urllib.request.urlopen(url, timeout=10) as response:  # 127.0.0.1 only
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()


def fill_in_the_new_year(content: Path) -> None:
    """What staff do after `new year 2024 --carry`, in the editor: the report's title, and
    each carried project's cost and activities."""
    report = content / "2024" / "report.yaml"
    report.write_text(
        "title:\n  ja: 令和７年度施策報告書（令和６年度振り返り）\n"
        "  en: FY2025 Policy Report (Review of FY2024)\n",
        encoding="utf-8",
    )
    carried = sorted((content / "2024" / "projects").glob("*.yaml"))
    assert len(carried) == 15  # every project of 2023 goes on
    for path in carried:
        text = path.read_text(encoding="utf-8").replace('2024: ""', "2024: 1000")
        text = text.replace(
            'activities:\n  ja: ""\n  en: ""', "activities:\n  ja: 実施した。\n  en: Done."
        )
        path.write_text(text, encoding="utf-8")


# What staff do by hand after a command, before the guide's next one.
BY_HAND = {"python build.py new year 2024 --carry": fill_in_the_new_year}


def test_every_command_of_the_guide_runs(workspace):
    for command in commands(GUIDES["ja"]):
        if command.startswith("python -m pip install"):
            # Installing again would change the test's own environment: resolve it only.
            result = subprocess.run(
                [*command.split(), "--dry-run", "--no-deps", "--quiet"], cwd=ROOT,
                capture_output=True, text=True, check=False,
            )  # fmt: skip
        elif command.startswith("python build.py serve"):
            run_preview(command, workspace)
            continue
        else:
            result = subprocess.run(
                command, shell=True, cwd=workspace, env=environment(workspace),
                capture_output=True, text=True, check=False,
            )  # fmt: skip
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
        if command in BY_HAND:
            BY_HAND[command](workspace / "content")
    # What the commands left behind is what the guide says they make.
    assert (workspace / "content" / "2024" / "report.yaml").exists()
    assert (workspace / "content" / "divisions" / "somu.yaml").exists()
    assert (workspace / "content" / "2024" / "projects" / "kosodate-shien.yaml").exists()
    imported = list((workspace / "content" / "2024" / "projects").glob("project-*.yaml"))
    assert len(imported) == 1 and "子育て応援事業" in imported[0].read_text(encoding="utf-8")
    assert (workspace / "www" / "shisaku-hokoku" / "ja" / "index.html").exists()


def problem_types() -> set[str]:
    """Every type in brackets that the program prints, as its own tests show them."""
    types = set()
    for test in [
        "test_validate.py", "test_import.py", "test_scaffold.py", "test_pages.py",
        "test_hostile.py", "test_output.py",
    ]:  # fmt: skip
        text = (ROOT / "tests" / test).read_text(encoding="utf-8")
        types |= set(re.findall(r" \(([a-z]+(?:-[a-z]+)*|yaml-1\.1)\)[\"']", text))
    types |= {key.removeprefix("import-") for key in MESSAGES if key.startswith("import-")}
    return types


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_guide_explains_every_problem_type(lang):
    table = GUIDES[lang].read_text(encoding="utf-8").split("## 10.", 1)[1]
    explained = set(re.findall(r"^\| ([a-z0-9.-]+)", table, re.M))
    explained |= {
        name.strip()
        for row in re.findall(r"^\| ([a-z0-9. /-]+) \|", table, re.M)
        for name in row.split("/")
    }
    missing = problem_types() - explained
    assert not missing, f"docs/guide.{lang}.md does not explain {sorted(missing)}"
