"""Across fiscal years (history.py): a report's 前年度 figure against last year's report, a
project that moves or ends, and merged_into; warnings that stop nothing unless --strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from shisaku.cli import main

from .conftest import POLICY_YAML, PROJECT_YAML, REPORT_YAML, tiny_files, write_tree

LAST = "content/2022/projects/mimamori.yaml"
THIS = "content/2023/projects/mimamori.yaml"

# FY2022's own report: its cost.2022 is what FY2023's report prints as 前年度 (2000).
PROJECT_2022 = PROJECT_YAML.replace("{2023: 2001, 2022: 2000}", "{2022: 2000, 2021: 1500}")
POLICY_2022 = POLICY_YAML + (
    "  - id: kenko\n"
    "    name: {ja: 健康, en: Health}\n"
    "    directions:\n"
    "      - {ja: 支える。, en: Support.}\n"
)
ENDED_2022 = (
    PROJECT_2022.replace("id: mimamori", "id: kyujo")
    .replace("order: 1", "order: 2")
    .replace("見守り事業", "旧事業")
)


def two_years(root: Path, **changes: str) -> Path:
    """The tiny tree with FY2022 before it; changes: {relative path: text} over it."""
    files = {
        **tiny_files(),
        "2022/report.yaml": REPORT_YAML,
        "2022/policies/kurashi.yaml": POLICY_2022,
        "2022/projects/mimamori.yaml": PROJECT_2022,
    }
    files.update({path.replace("__", "/"): text for path, text in changes.items()})
    return write_tree(root / "content", files)


def run(capsys, *argv: str) -> tuple[int, list[str]]:
    status = main(list(argv))
    return status, capsys.readouterr().err.splitlines()


@pytest.fixture
def at(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_same_figure_in_both_reports_checks(at, capsys):
    two_years(at)
    assert run(capsys, "check", "--lang", "en") == (0, [])


def test_a_previous_cost_that_differs_names_both_files(at, capsys):
    two_years(
        at, **{"2022__projects__mimamori.yaml": PROJECT_2022.replace("2022: 2000", "2022: 1232")}
    )
    status, err = run(capsys, "check", "--lang", "en")
    assert status == 1
    assert err == [
        f"{THIS}:12: cost.2022: 2,000 differs from 1,232 in {LAST}:12 (FY2022's own report); "
        "correct it, or explain the restatement in previous_cost_note (previous-cost-mismatch)",
        "1 problem; nothing was written.",
    ]
    status, err = run(capsys, "check", "--lang", "ja")
    assert err[0] == (
        f"{THIS}:12: cost.2022: 2,000 は {LAST}:12（2022年度の報告書）の 1,232 と違います。"
        "値を直すか、修正した理由を previous_cost_note に書いてください (previous-cost-mismatch)"
    )
    assert not (at / "site").exists() and run(capsys, "build", "--lang", "en")[0] == 1
    assert not (at / "site").exists()


def test_a_restatement_explained_checks(at, capsys):
    note = "previous_cost_note:\n  ja: 決算額に修正した。\n  en: Restated at the settled amount.\n"
    two_years(
        at,
        **{
            "2022__projects__mimamori.yaml": PROJECT_2022.replace("2022: 2000", "2022: 1232"),
            "2023__projects__mimamori.yaml": PROJECT_YAML + note,
        },
    )
    assert run(capsys, "check", "--lang", "en") == (0, [])


def test_a_note_that_is_not_text_in_both_languages(at, capsys):
    two_years(at, **{"2023__projects__mimamori.yaml": PROJECT_YAML + "previous_cost_note: 修正\n"})
    status, err = run(capsys, "check", "--lang", "en")
    assert status == 1
    assert err[0] == (
        f"{THIS}:16: previous_cost_note: expected a mapping of keys (key: value) but found "
        'the value "修正" (type-error)'
    )


def test_a_project_gone_from_the_next_year_is_a_warning(at, capsys):
    two_years(at, **{"2022__projects__kyujo.yaml": ENDED_2022})
    warning = (
        "content/2022/projects/kyujo.yaml:1: warning: id: the project is not in FY2023's report "
        "(content/2023/projects/); if it ended after FY2022, say why in end_note, or, if it "
        "continues as part of another project, name that project in merged_into (project-ended)"
    )
    assert run(capsys, "check", "--lang", "en") == (0, [warning, "1 warning."])
    status, err = run(capsys, "check", "--lang", "ja")
    assert (status, err[-1]) == (0, "1 件の警告があります。")
    assert err[0].startswith("content/2022/projects/kyujo.yaml:1: 警告: id: この事務事業は")
    # The build says it and writes the site all the same; --strict makes it a problem.
    assert run(capsys, "build", "--lang", "en", "--quiet") == (0, [warning, "1 warning."])
    assert (at / "site" / "ja" / "index.html").exists()
    status, err = run(capsys, "check", "--strict", "--lang", "en")
    assert status == 1
    assert err == [warning.replace(" warning:", ""), "1 problem; nothing was written."]
    (at / "site").rename(at / "kept")
    assert run(capsys, "build", "--strict", "--quiet", "--lang", "en")[0] == 1
    assert not (at / "site").exists()


@pytest.mark.parametrize(
    "ending",
    [
        "end_note:\n  ja: 目的を達成したため終了した。\n  en: The project ended, its aim achieved.\n",
        "merged_into: mimamori\n",
    ],
)
def test_an_ended_project_says_why(at, capsys, ending):
    two_years(at, **{"2022__projects__kyujo.yaml": ENDED_2022 + ending})
    assert run(capsys, "check", "--lang", "en") == (0, [])


def test_merged_into_names_a_project_of_the_next_year(at, capsys):
    two_years(at, **{"2022__projects__kyujo.yaml": ENDED_2022 + "merged_into: mimamoro\n"})
    status, err = run(capsys, "check", "--lang", "en")
    assert (status, err) == (
        1,
        [
            'content/2022/projects/kyujo.yaml:16: merged_into: "mimamoro" is not a project of '
            "FY2023 (content/2023/projects/); merged_into must name the project that this "
            "one continues as part of in the next year (foreign-key)",
            "1 problem; nothing was written.",
        ],
    )


def test_a_project_that_moves_basic_project_is_a_warning(at, capsys):
    moved = PROJECT_2022.replace("basic_project: anshin", "basic_project: kenko")
    two_years(
        at,
        **{
            "2022__projects__mimamori.yaml": moved,
            "2023__projects__mimamori.yaml": PROJECT_YAML.replace("2022: 2000", "2022: 1999"),
        },
    )
    status, err = run(capsys, "check", "--lang", "en")
    assert (status, err) == (
        1,
        [
            f'{THIS}:4: warning: basic_project: "anshin" in FY2023, but "kenko" in {LAST}:4 '
            "(FY2022); check that the project really moved (project-moved)",
            f"{THIS}:12: cost.2022: 1,999 differs from 2,000 in {LAST}:12 (FY2022's own report); "
            "correct it, or explain the restatement in previous_cost_note (previous-cost-mismatch)",
            "1 problem, 1 warning; nothing was written.",
        ],
    )
    status, err = run(capsys, "check", "--lang", "ja")
    assert err[-1] == "1 件の問題と1 件の警告があります。何も書き出していません。"


END_NOTE = (
    "end_note:\n  ja: 目的を達成したため終了した。\n  en: The project ended, its aim achieved.\n"
)


def test_an_end_note_on_a_project_that_goes_on_is_an_error(at, capsys):
    two_years(at, **{"2022__projects__mimamori.yaml": PROJECT_2022 + END_NOTE})
    status, err = run(capsys, "check", "--lang", "en")
    assert (status, err) == (
        1,
        [
            f"{LAST}:16: end_note: the project is in FY2023's report, so it did not end: remove "
            "this key, or remove the project's file for FY2023 (constraint-error)",
            "1 problem; nothing was written.",
        ],
    )


def test_a_reused_id_is_an_error_naming_the_year_it_ended(at, capsys):
    """kyujo ends in FY2022 and comes back in FY2024 as another project."""
    later = PROJECT_YAML.replace("id: mimamori", "id: kyujo").replace("order: 1", "order: 2")
    later = later.replace("{2023: 2001, 2022: 2000}", "{2024: 10, 2023: null}")
    two_years(
        at,
        **{
            "2022__projects__kyujo.yaml": ENDED_2022 + END_NOTE,
            "2024__report.yaml": REPORT_YAML,
            "2024__policies__kurashi.yaml": POLICY_YAML,
            "2024__projects__kyujo.yaml": later,
            "2024__projects__mimamori.yaml": PROJECT_YAML.replace(
                "{2023: 2001, 2022: 2000}", "{2024: 5, 2023: 2001}"
            ),
        },
    )
    status, err = run(capsys, "check", "--lang", "en")
    assert status == 1
    assert (
        'content/2024/projects/kyujo.yaml:1: id: "kyujo" is the id of a project that ended in '
        "FY2022 (content/2022/projects/kyujo.yaml:16); ids are never reused: give this project "
        "an id of its own (unique-error)"
    ) in err


def test_a_note_with_nothing_to_explain_is_an_error(at, capsys):
    note = "previous_cost_note:\n  ja: 決算で修正した。\n  en: Corrected at settlement.\n"
    two_years(at, **{"2023__projects__mimamori.yaml": PROJECT_YAML + note})
    status, err = run(capsys, "check", "--lang", "en")
    assert (status, err) == (
        1,
        [
            f"{THIS}:16: previous_cost_note: this report's 前年度 figure (2,000) is the same as "
            f"last year's report's ({LAST}:12): there is no restatement to explain; remove "
            "previous_cost_note (constraint-error)",
            "1 problem; nothing was written.",
        ],
    )


def test_merged_into_in_the_newest_report_names_a_project_of_it(at, capsys):
    two_years(at, **{"2023__projects__mimamori.yaml": PROJECT_YAML + "merged_into: nowhere\n"})
    status, err = run(capsys, "check", "--lang", "en")
    assert (status, err) == (
        1,
        [
            f'{THIS}:16: merged_into: "nowhere" is not another project of FY2023\'s report: '
            "merged_into must name the project that this one continues as part of (foreign-key)",
            "1 problem; nothing was written.",
        ],
    )
