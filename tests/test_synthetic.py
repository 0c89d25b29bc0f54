"""The synthetic trees of tests/synthetic.py: valid content, of the shape each promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT
from .synthetic import hiragana, katakana, make_city, make_tree, make_years, reading

YEARS = range(2019, 2024)
PER_YEAR = 300


def check(content: Path) -> subprocess.CompletedProcess[str]:
    """`python build.py check` on a tree, as a maintainer runs it."""
    return subprocess.run(
        [sys.executable, "build.py", "check", "--content", str(content), "--lang", "en"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def projects_by_year(content: Path) -> dict[int, dict[str, dict]]:
    """fiscal year -> project id -> the project's file, read."""
    return {
        int(folder.name): {
            data["id"]: data
            for data in (
                yaml.safe_load(path.read_text(encoding="utf-8"))
                for path in (folder / "projects").glob("*.yaml")
            )
        }
        for folder in content.iterdir()
        if folder.name.isdigit()
    }


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_city(tmp_path_factory.mktemp("city") / "content", PER_YEAR, policies=9)


def test_a_city_passes_the_check_with_the_one_warning_it_means(city):
    result = check(city)
    assert result.returncode == 0, result.stdout + result.stderr
    # Its one project that moves basic project (in FY2023) is said, and stops nothing.
    lines = result.stderr.splitlines()
    assert lines[-1] == "1 warning.", result.stderr
    assert re.fullmatch(
        r"\S+/2023/projects/[a-z0-9-]+\.yaml:4: warning: basic_project: \"[a-z0-9-]+\" in FY2023, "
        r"but \"[a-z0-9-]+\" in \S+/2022/projects/[a-z0-9-]+\.yaml:4 \(FY2022\); check that the "
        r"project really moved \(project-moved\)",
        lines[0],
    ), lines[0]


def test_a_citys_ended_projects_say_why(city):
    projects = projects_by_year(city)
    merged = ended = 0
    for year in YEARS[:-1]:
        for project_id in projects[year].keys() - projects[year + 1].keys():
            data = projects[year][project_id]
            assert "end_note" in data or data.get("merged_into") in projects[year + 1], data
            merged += "merged_into" in data
            ended += "end_note" in data
    assert merged and ended > merged


def test_a_city_has_its_projects_in_every_year_under_its_policies(city):
    projects = projects_by_year(city)
    assert sorted(projects) == list(YEARS)
    assert all(len(of_year) == PER_YEAR for of_year in projects.values())
    policies = sorted((city / "2023" / "policies").glob("*.yaml"))
    assert len(policies) == 9
    basic_projects = [
        basic for path in policies for basic in yaml.safe_load(path.read_text())["basic_projects"]
    ]
    assert len(basic_projects) == 30  # 10 to every 3 policies
    assert len(list((city / "divisions").glob("*.yaml"))) == 40


def test_a_citys_previous_cost_is_the_cost_of_the_year_before_unless_restated(city):
    projects = projects_by_year(city)
    for year in YEARS[1:]:
        restated = []
        for project_id in projects[year].keys() & projects[year - 1].keys():
            last_year = projects[year - 1][project_id]["cost"][year - 1]
            data = projects[year][project_id]
            if "previous_cost_note" in data:
                restated.append(project_id)
            else:
                assert data["cost"][year - 1] == last_year, (year, project_id)
        assert len(restated) <= 1, (year, restated)
    assert any(
        "previous_cost_note" in data for of_year in projects.values() for data in of_year.values()
    )


def test_a_citys_projects_start_end_are_renamed_and_move_between_years(city):
    projects = projects_by_year(city)
    for year in YEARS[1:]:
        now, before = projects[year], projects[year - 1]
        kept = now.keys() & before.keys()
        assert len(kept) > PER_YEAR * 0.8, year  # most projects go on, under the same id
        assert now.keys() - before.keys() and before.keys() - now.keys(), year
        assert any(now[i]["name"] != before[i]["name"] for i in kept), year
        assert any(now[i]["division"] != before[i]["division"] for i in kept), year
        assert all(now[i]["policy"] == before[i]["policy"] for i in kept), year
    for project_id in {i for of_year in projects.values() for i in of_year}:
        years = [year for year in YEARS if project_id in projects[year]]
        assert years == list(range(years[0], years[-1] + 1)), project_id  # an id is never reused


def test_half_of_a_citys_projects_give_their_names_reading_in_either_script(city):
    """name_kana, as 自治体標準 datasets carry it: the name's reading, for half the projects,
    half of those in katakana; a renamed project's reading is its new name's."""
    read = [data for of_year in projects_by_year(city).values() for data in of_year.values()]
    kana = [data for data in read if "name_kana" in data]
    assert 0.4 < len(kana) / len(read) < 0.6
    in_katakana = [data for data in kana if data["name_kana"] == katakana(data["name_kana"])]
    assert 0.4 < len(in_katakana) / len(kana) < 0.6
    for data in kana:
        assert hiragana(data["name_kana"]) == reading(data["name"]["ja"]), data["id"]
    assert (
        reading("地域商店街情報発信支援事業")
        == "ちいきしょうてんがいじょうほうはっしんしえんじぎょう"
    )


def test_the_same_arguments_give_the_same_bytes(tmp_path):
    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    one = make_city(tmp_path / "one", 40, policies=3, years=2, seed=5)
    other = make_city(tmp_path / "other", 40, policies=3, years=2, seed=5)
    assert files(one) == files(other)
    assert files(one) != files(make_city(tmp_path / "third", 40, policies=3, years=2, seed=6))


def test_the_benchmarks_files_of_their_own_ids_pass_the_check(tmp_path):
    content = make_years(tmp_path / "content", 500, years=4)
    projects = projects_by_year(content)
    assert sorted(projects) == [2020, 2021, 2022, 2023]
    assert sum(len(of_year) for of_year in projects.values()) == 500
    ids = [i for of_year in projects.values() for i in of_year]
    assert len(set(ids)) == 500
    result = check(content)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tests_tree_passes_the_check(tmp_path):
    result = check(make_tree(tmp_path / "content", 50, seed=4, variant="new"))
    assert result.returncode == 0, result.stdout + result.stderr
