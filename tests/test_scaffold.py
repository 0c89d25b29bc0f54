"""`python build.py new`: files with every key and a comment on each, that pass `check` once filled in."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from shisaku import pipeline
from shisaku.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_new_project_is_complete_and_checks_once_filled_in(tiny, capsys, monkeypatch):
    monkeypatch.chdir(tiny.parent)
    status, out, err = run(
        capsys, "new", "project", "kosodate", "--year", "2023", "--policy", "kurashi",
        "--basic-project", "anshin", "--division", "soumu", "--lang", "en",
    )  # fmt: skip
    assert (status, err) == (0, "")
    path = tiny / "2023" / "projects" / "kosodate.yaml"
    assert out.strip() == "content/2023/projects/kosodate.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert list(data) == [
        "id", "order", "policy", "basic_project", "division", "name", "summary", "cost", "activities",
    ]  # fmt: skip
    assert data["order"] == 2  # after the tiny tree's one project
    assert data["cost"] == {2023: "", 2022: ""}  # to fill in: check says so until then
    for line in text.splitlines():
        if re.match(r"^\w+:", line):
            assert (
                " # " in line
                and re.search(r"[ぁ-んァ-ン一-龥]", line)
                and re.search(r"[a-z]{3}", line.split("#")[1])
            ), line
    # As written, check names every text and cost still to fill in, in the file.
    status, _, err = run(capsys, "check", "--lang", "en")
    assert status == 1
    assert err.count("content/2023/projects/kosodate.yaml") == 8
    assert "name.ja: the Japanese text is missing (missing-translation)" in err
    assert "cost.2023: the cost is not filled in yet" in err
    # Filled in, it checks and builds.
    filled = text.replace('ja: ""', "ja: 子育て支援").replace('en: ""', "en: Child-rearing support")
    filled = filled.replace('2023: ""', "2023: 120").replace('2022: ""', "2022: null")
    path.write_text(filled, encoding="utf-8")
    assert run(capsys, "check")[0] == 0
    assert pipeline.build(tiny, tiny.parent / "site") == []
    assert (tiny.parent / "site" / "ja" / "projects" / "kosodate" / "index.html").exists()


def test_new_project_names_what_is_wrong(tiny, capsys, monkeypatch):
    monkeypatch.chdir(tiny.parent)
    status, out, err = run(
        capsys, "new", "project", "Kosodate", "--year", "2023", "--policy", "kenko",
        "--basic-project", "anshin", "--division", "kikaku", "--lang", "en",
    )  # fmt: skip
    assert status == 1 and out == ""
    assert '"Kosodate" is not a valid id' in err
    assert 'there is no policy "kenko" in 2023; known: kurashi' in err
    assert 'there is no division "kikaku"; known: soumu' in err
    assert err.splitlines()[-1] == "3 problems; nothing was written."
    assert not list((tiny / "2023" / "projects").glob("Kosodate*"))
    status, _, err = run(capsys, "new", "project", "x", "--year", "2023", "--lang", "ja")
    assert status == 1 and "--policy, --basic-project, --division が必要です" in err


def test_new_never_overwrites(tiny, capsys, monkeypatch):
    monkeypatch.chdir(tiny.parent)
    before = (tiny / "divisions" / "soumu.yaml").read_bytes()
    status, _, err = run(capsys, "new", "division", "soumu", "--lang", "en")
    assert status == 1 and "this file exists already; nothing was written" in err
    assert (tiny / "divisions" / "soumu.yaml").read_bytes() == before


def test_new_division_and_new_year(tiny, capsys, monkeypatch):
    monkeypatch.chdir(tiny.parent)
    assert run(capsys, "new", "division", "kikaku")[0] == 0
    assert yaml.safe_load((tiny / "divisions" / "kikaku.yaml").read_text(encoding="utf-8")) == {
        "id": "kikaku",
        "name": {"ja": "", "en": ""},
    }
    status, out, _ = run(capsys, "new", "year", "2024")
    assert status == 0
    assert out.split() == ["content/2024/report.yaml", "content/2024/policies/kurashi.yaml"]
    copied = (tiny / "2024" / "policies" / "kurashi.yaml").read_bytes()
    assert copied == (tiny / "2023" / "policies" / "kurashi.yaml").read_bytes()
    status, out, _ = run(
        capsys, "new", "project", "mimamori", "--year", "2024", "--policy", "kurashi",
        "--basic-project", "anshin", "--division", "soumu",
    )  # fmt: skip
    assert status == 0 and '2024: "", 2023: ""' in (
        tiny / "2024" / "projects" / "mimamori.yaml"
    ).read_text(encoding="utf-8")


def fill_in(path: Path, old: str, new: str) -> None:
    """What staff do in the editor: write over what the file leaves to fill in."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


TITLE = ('  ja: ""\n  en: ""', "  ja: 令和７年度施策報告書\n  en: FY2025 Policy Report")


def test_new_year_carry_writes_the_projects_that_go_on(real_content, capsys, monkeypatch):
    monkeypatch.chdir(real_content.parent)
    ended = real_content / "2023" / "projects" / "akitenpo-taisaku.yaml"
    fill_in(ended, "activities:", "end_note: {ja: 終了した。, en: It ended.}\nactivities:")
    read = real_content / "2023" / "projects" / "yukyaku-sokushin.yaml"
    fill_in(read, "summary:", "name_kana: ゆうきゃくそくしん\nsummary:")  # carried: a line more
    status, out, err = run(capsys, "new", "year", "2024", "--carry", "--lang", "en")
    assert (status, err) == (0, "")
    before = sorted(p.name for p in (real_content / "2023" / "projects").glob("*.yaml"))
    carried = sorted(p.name for p in (real_content / "2024" / "projects").glob("*.yaml"))
    assert carried == [name for name in before if name != ended.name] and len(carried) == 14
    assert out.split()[:2] == [
        "content/2024/report.yaml",
        "content/2024/policies/chiiki-keizai.yaml",
    ]
    assert "content/2024/projects/yukyaku-sokushin.yaml" in out.split()
    last = yaml.safe_load(
        (real_content / "2023" / "projects" / "yukyaku-sokushin.yaml").read_text(encoding="utf-8")
    )
    path = real_content / "2024" / "projects" / "yukyaku-sokushin.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["cost"] == {2024: "", 2023: last["cost"][2023]}
    for key in (
        "id",
        "order",
        "policy",
        "basic_project",
        "division",
        "name",
        "name_kana",
        "summary",
    ):
        assert data[key] == last[key], key
    assert data["activities"] == {"ja": "", "en": ""}
    # As written, check says what is left to fill in, file by file, and no traceback.
    fill_in(real_content / "2024" / "report.yaml", *TITLE)
    status, _, err = run(capsys, "check", "--lang", "en")
    assert status == 1 and "Traceback" not in err
    lines = err.splitlines()
    # each of 14 files: its activities in two languages, and this year's cost
    assert lines[-1] == "42 problems; nothing was written."
    assert (
        "content/2024/projects/yukyaku-sokushin.yaml:13: cost.2024: the cost is not filled in "
        'yet: write it in thousand yen, or null where the report prints "-" (type-error)'
    ) in lines
    assert (
        "content/2024/projects/yukyaku-sokushin.yaml:15: activities.ja: the Japanese text is missing (missing-translation)"
        in lines
    )
    assert all("activities" in line or "cost.2024" in line for line in lines[:-1])
    # Filled in, it checks and builds, the ended project said once, the others carried on.
    for project in (real_content / "2024" / "projects").glob("*.yaml"):
        fill_in(project, '  ja: ""\n  en: ""', "  ja: 実施した。\n  en: It was carried out.")
        fill_in(project, '2024: ""', "2024: 100")
    assert run(capsys, "check", "--lang", "en") == (0, "", "")
    status, _, err = run(capsys, "build", "--quiet", "--lang", "en")
    assert (status, err) == (0, "")
    home = real_content.parent / "site" / "ja" / "index.html"
    assert "令和6年度" in home.read_text(encoding="utf-8")  # the newest report is the home


def test_new_year_without_carry_warns_of_every_project_not_carried(
    real_content, capsys, monkeypatch
):
    monkeypatch.chdir(real_content.parent)
    assert run(capsys, "new", "year", "2024")[0] == 0
    assert not list((real_content / "2024" / "projects").glob("*.yaml"))
    fill_in(real_content / "2024" / "report.yaml", *TITLE)
    status, _, err = run(capsys, "check", "--lang", "en")
    lines = err.splitlines()
    assert status == 0 and lines[-1] == "15 warnings."
    assert all(
        ": warning: id: the project is not in FY2024's report" in line for line in lines[:-1]
    )


def test_a_year_with_no_projects_builds(real_content, capsys, monkeypatch):
    monkeypatch.chdir(real_content.parent)
    assert run(capsys, "new", "year", "2024")[0] == 0
    fill_in(real_content / "2024" / "report.yaml", *TITLE)
    status, _, err = run(capsys, "build", "--quiet", "--lang", "en")
    assert status == 0 and err.splitlines()[-1] == "15 warnings."


def test_new_year_refuses_to_skip_a_year(real_content, capsys, monkeypatch):
    """The newest report is FY2023: FY2025 would leave FY2024 out (its 前年度 unchecked, every
    FY2023 project "ended"); nothing is written and the message says what to make first."""
    monkeypatch.chdir(real_content.parent)
    status, _, err = run(capsys, "new", "year", "2025", "--carry", "--lang", "en")
    assert status == 1
    assert "the newest report is FY2023: make FY2024 first (python build.py new year 2024)" in err
    assert not (real_content / "2025").exists()
