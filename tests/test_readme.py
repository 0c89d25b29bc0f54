"""README.md opens with the two commands a fresh machine needs, and CI runs the second one."""

import re

from .conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_opens_with_install_and_build_then_install_and_test():
    build, test = readme_commands()[:2]
    assert "pip install" in build and build.endswith("python build.py")
    assert "pip install" in test and "pytest" in test


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_the_standard_dataset_page_names_tests_that_exist():
    """docs/standard-dataset.md says which test checks each rule: every test and file it
    names is there."""
    page = (ROOT / "docs" / "standard-dataset.md").read_text(encoding="utf-8")
    sources = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    for name in set(re.findall(r"`(test_\w+)`", page)):
        assert f"def {name}(" in sources, name
    for path in set(re.findall(r"`(tests/\w+\.py)`", page)):
        assert (ROOT / path).is_file(), path
