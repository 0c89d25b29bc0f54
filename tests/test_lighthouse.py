"""Lighthouse's mobile audit (its default: a mid-range phone on a slow 4G, simulated) of a
synthetic city of 3,000 projects over 30 policies (issue #16): performance at least 95 and
accessibility 100 on the home, a 施策 page, a project page and a page of the table, in both
languages. The reports are kept in test-artifacts/lighthouse/ for people to read.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .site_server import (
    ARTIFACTS,
    CHROMIUM,
    LANGUAGES,
    LIGHTHOUSE,
    build_site,
    missing_tool,
    serve,
)
from .synthetic import make_city

REPORTS = ARTIFACTS / "lighthouse"


@pytest.fixture(scope="module")
def big_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """3,000 projects in one year's report, under 30 policies: built and served."""
    problem = missing_tool("chromium", "lighthouse")
    if problem:
        pytest.fail(problem, pytrace=False)
    root = tmp_path_factory.mktemp("big-city")
    site = build_site(root / "site", make_city(root / "content", 3000, policies=30, years=1))
    for url in serve(site):
        yield site, url


def page_paths(site: Path) -> dict[str, str]:
    ja = site / "ja"
    policy = sorted((ja / "policies").iterdir())[0].name
    project = sorted((ja / "projects").iterdir())[0].name
    return {
        "home": "{lang}/",
        "policy": f"{{lang}}/policies/{policy}/",
        "project": f"{{lang}}/projects/{project}/",
        "table": "{lang}/projects/",
    }


def audit(url: str, name: str) -> dict[str, float]:
    """Lighthouse's category scores (0-100) for one URL, its JSON report kept."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"{name}.json"
    result = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage",
        ],
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {key: round(value["score"] * 100) for key, value in categories.items()}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["home", "policy", "project", "table"])
def test_lighthouse_mobile_scores(big_city, name: str, lang: str):
    site, url = big_city
    path = page_paths(site)[name].format(lang=lang)
    scores = audit(url + path, f"{name}-{lang}")
    assert scores["accessibility"] == 100, (path, scores)
    assert scores["performance"] >= 95, (path, scores)


def test_no_page_of_the_big_city_is_over_150_kb(big_city):
    site, _ = big_city
    heavy = [
        (str(p.relative_to(site)), p.stat().st_size)
        for p in site.rglob("*.html")
        if p.stat().st_size > 150_000
    ]
    assert not heavy, sorted(heavy, key=lambda item: -item[1])[:20]
