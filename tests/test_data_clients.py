"""The data page's lines for pandas, polars and DuckDB, run as written against the served site
(issue #17): each gets the published CSV with the schema's types, the local government code as
text (it may begin with 0), an empty cost as a missing value. And the CSV for Excel: the same
table with a BOM, beside the package rather than in it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pytest

pytest_plugins = ["tests.conftest_browser"]

SITE_ADDRESS = "https://www.city.higashikurume.lg.jp/shisaku-hokoku/"  # content/site.yaml's


def data_page_lines(site: Path, lang: str) -> dict[str, str]:
    """The page's line for each client, as a reader copies it."""
    text = (site / lang / "data" / "index.html").read_text(encoding="utf-8")
    pairs = re.findall(r'<dt>([^<]+)</dt><dd><code class="copy-line">([^<]+)</code>', text)
    return {client: html.unescape(line) for client, line in pairs}


def expected_rows(site: Path) -> list[dict[str, Any]]:
    """The long table read by the schema: each cell as its field's type says."""
    schema = json.loads((site / "data" / "schema" / "projects.json").read_text("utf-8"))
    kinds = {f["name"]: f["type"] for f in schema["fields"]}
    text = (site / "data" / "132225_projects.csv").read_text(encoding="utf-8")
    convert = {"integer": int, "number": float, "string": str}
    return [
        {name: None if value == "" else convert[kinds[name]](value) for name, value in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


def normalized(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Missing values as None whatever the client calls them (NaN, NA, null)."""
    return [
        {k: None if v is None or v is pd.NA or v != v else v for k, v in r.items()} for r in records
    ]


@pytest.mark.parametrize("client", ["pandas", "polars", "DuckDB"])
def test_each_client_line_of_the_data_page_reads_the_typed_table(real_site, client: str):
    built_site, site_url = real_site
    lines = data_page_lines(built_site, "ja")
    assert lines == data_page_lines(built_site, "en")  # the same lines in both languages
    line = lines[client].replace(SITE_ADDRESS, site_url)
    if client == "pandas":
        records = eval(line, {"pd": pd}).to_dict("records")
    elif client == "polars":
        records = eval(line, {"pl": pl}).to_dicts()
    else:
        # DuckDB reads a URL with its httpfs extension, which it downloads from
        # extensions.duckdb.org, out of reach here: the line runs on the file fetched over HTTP.
        local = built_site.parent / "fetched_projects.csv"
        csv_url = re.search(r"read_csv\('([^']+)'", line)[1]
        with urllib.request.urlopen(csv_url) as response:
            local.write_bytes(response.read())
        result = duckdb.sql(line.replace(csv_url, str(local)).rstrip(";"))
        records = [dict(zip(result.columns, row, strict=True)) for row in result.fetchall()]
    rows = expected_rows(built_site)
    assert normalized(records) == rows
    assert {type(r["全国地方公共団体コード"]) for r in records} == {str}
    assert any(r["前年度事業費（千円）"] is None for r in rows)  # a missing value was read


def test_the_csv_for_excel_is_the_long_table_after_a_bom(built_site: Path):
    data = built_site / "data"
    excel = (data / "132225_projects_excel.csv").read_bytes()
    main = (data / "132225_projects.csv").read_bytes()
    assert excel == b"\xef\xbb\xbf" + main
    assert excel.decode("utf-8-sig") == main.decode("utf-8")
    package = json.loads((data / "datapackage.json").read_text("utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    assert resources["projects-excel"]["encoding"] == "utf-8-sig"
    assert resources["projects-excel"]["schema"] == resources["projects"]["schema"]
    assert resources["projects"]["encoding"] == "utf-8"
    page = (built_site / "ja" / "data" / "index.html").read_text(encoding="utf-8")
    xlsx, copy = page.index("132225_projects.xlsx</a>"), page.index("132225_projects_excel.csv</a>")
    assert xlsx < copy < page.index("132225_datapackage.zip</a>")  # listed beside the workbook
    assert "BOM付きUTF-8" in page


@pytest.mark.parametrize(
    "metadata", ["132225_projects.csv-metadata.json", "132225_projects_history.csv-metadata.json"]
)
def test_csvws_own_validator_passes_each_table_over_http(real_site, metadata: str):
    """`csvwvalidate` (the csvw package's command), strict as it runs by default: every header
    cell matched to its column, every cell to its datatype."""
    _, site_url = real_site
    command = shutil.which("csvwvalidate") or str(Path(sys.executable).parent / "csvwvalidate")
    result = subprocess.run(
        [command, "-v", f"{site_url}data/{metadata}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (result.returncode, result.stdout.strip().splitlines()[-1:]) == (0, ["OK"]), (
        result.stdout[-2000:] + result.stderr[-2000:]
    )
