"""What the host is asked to send (issue #17): the build writes site/_headers for the static
hosts that read it, the test server applies it as they do, and harvesters get the types they
choose their parser by and the CORS header browser clients need; the README's table, nginx
and Apache examples say the same.
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from shisaku.sitemap import CONTENT_TYPES, content_type

from .site_server import ROOT, host_rules

pytest_plugins = ["tests.conftest_browser"]

BASE = "/shisaku-hokoku/"


def fetch_headers(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url) as response:
        return {name.lower(): value for name, value in response.headers.items()}


def test_headers_names_each_data_file_with_its_type(built_site: Path):
    rules = dict(host_rules(built_site))
    named = sorted(
        str(p.relative_to(built_site))
        for p in built_site.rglob("*")
        if p.name.endswith((".csv", "-metadata.json", ".ttl", ".jsonld"))
    )
    assert len(named) >= 9
    for path in named:
        assert rules[BASE + path]["Content-Type"] == content_type(path), path
    assert rules[BASE + "data/*"] == {"Access-Control-Allow-Origin": "*"}
    assert rules[BASE + "*"] == {"X-Content-Type-Options": "nosniff"}


@pytest.mark.parametrize(
    ("path", "kind", "cors"),
    [
        ("catalog.ttl", "text/turtle; charset=utf-8", True),
        ("catalog.jsonld", "application/ld+json", True),
        ("data/132225_projects.csv", "text/csv; charset=utf-8", True),
        ("data/132225_projects.csv-metadata.json", "application/csvm+json", True),
        ("data/datapackage.json", "application/json", True),
        ("data/132225_projects.xlsx", CONTENT_TYPES[".xlsx"], True),
        ("ja/", "text/html; charset=utf-8", False),
    ],
)
def test_a_harvester_gets_the_type_and_a_browser_client_the_cors_header(
    site_url: str, path: str, kind: str, cors: bool
):
    headers = fetch_headers(site_url + path)
    assert headers["content-type"] == kind
    assert headers["x-content-type-options"] == "nosniff"
    assert headers.get("access-control-allow-origin") == ("*" if cors else None)


def readme_block(language: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(rf"```{language}\n(.*?)```", readme, re.S)[1]


def test_the_readme_table_gives_the_types_the_build_asks_for():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `\*(\.[a-z.-]+)` \| `([^`]+)`", readme, re.M))
    assert rows[".csv-metadata.json"] == content_type("x.csv-metadata.json")
    for suffix in (".ttl", ".jsonld", ".csv", ".json", ".xlsx", ".zip"):
        assert rows[suffix] == CONTENT_TYPES[suffix], suffix


def test_the_nginx_example_types_every_kind_of_file_and_opens_the_data():
    nginx = readme_block("nginx")
    types = {ext: kind for kind, ext in re.findall(r"^\s+(\S+/\S+)\s+(\w+);$", nginx, re.M)}
    for suffix, kind in CONTENT_TYPES.items():
        assert types[suffix[1:]] == kind.split(";")[0], suffix  # charset comes from `charset`
    assert "add_header Access-Control-Allow-Origin $shisaku_cors always;" in nginx
    assert "add_header X-Content-Type-Options nosniff always;" in nginx


def test_the_apache_example_types_what_apache_does_not_know_and_opens_the_data():
    apache = readme_block("apache")
    for suffix in (".ttl", ".jsonld", ".csv", ".xlsx"):
        assert re.search(rf'AddType "?{re.escape(CONTENT_TYPES[suffix])}"? \{suffix}\n', apache)
    assert "ForceType application/csvm+json" in apache
    assert 'Header set Access-Control-Allow-Origin "*"' in apache
