"""`python build.py new`: files with every key and a comment on each, that pass `check` once filled in."""

from __future__ import annotations

import re

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
    assert data["cost"] == {2023: None, 2022: None}
    for line in text.splitlines():
        if re.match(r"^\w+:", line):
            assert (
                " # " in line
                and re.search(r"[ぁ-んァ-ン一-龥]", line)
                and re.search(r"[a-z]{3}", line.split("#")[1])
            ), line
    # As written, check names every text still to fill in, in the file.
    status, _, err = run(capsys, "check", "--lang", "en")
    assert status == 1
    assert err.count("content/2023/projects/kosodate.yaml") == 6
    assert "name.ja: the Japanese text is missing (missing-translation)" in err
    # Filled in, it checks and builds.
    filled = text.replace('ja: ""', "ja: 子育て支援").replace('en: ""', "en: Child-rearing support")
    path.write_text(filled.replace("2023: null", "2023: 120"), encoding="utf-8")
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
    assert status == 0 and "2024: null, 2023: null" in (
        tiny / "2024" / "projects" / "mimamori.yaml"
    ).read_text(encoding="utf-8")
