"""CKAN 2.12 with ckanext-dcat 2.4 harvesting the catalogue over HTTP (issue #17).

tests/ckan_parse.py runs in CKAN's own virtualenv (tests/install.sh makes it) and does what
ckanext-dcat's harvester does with catalog.ttl: fetch it, parse it with the DCAT-AP 3 or
DCAT-AP 2 profile, name each dataset from its title. It runs as two Japanese portals would
(ckan.locale_default = ja): a plain CKAN, and one with ckanext-scheming and a schema of
Japanese and English fields (tests/ckan_schema.yaml), the only way ckanext-dcat keeps a
second language of a title or description. The datasets it prints are what package_create
would get.

Without the virtualenv the tests are skipped, with how to install it; in CI (CI=true) they fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from .conftest import CONTENT, ROOT
from .site_server import INSTALL_HINT, SETTINGS, serve_as_published
from .synthetic import make_city

CKAN_PYTHON = ROOT / ".cache" / "ckan" / "venv" / "bin" / "python"
PARSE = Path(__file__).with_name("ckan_parse.py")
SCHEMA = Path(__file__).with_name("ckan_schema.yaml")
# The profiles, as a portal's ckanext.dcat.rdf.profiles lists them: DCAT-AP 3's includes its
# scheming part; with DCAT-AP 2, a portal on scheming adds it (ckanext-dcat's README).
PROFILES = {"dcat-ap-3": "euro_dcat_ap_3", "dcat-ap-2": "euro_dcat_ap_2"}


def every_portal(test: Callable[..., None]) -> Callable[..., None]:
    """The test once for each profile, on a plain CKAN and on one with ckanext-scheming."""
    by_portal = pytest.mark.parametrize("multilingual", [False, True], ids=["plain", "scheming"])
    return pytest.mark.parametrize("profile", PROFILES)(by_portal(test))


SCHEMING = {"dcat-ap-3": "euro_dcat_ap_3", "dcat-ap-2": "euro_dcat_ap_2 euro_dcat_ap_scheming"}
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
# CKAN's format for each kind of file, from the resource format list it ships
# (ckan/config/resource_formats.json), which is what its datastore and previews go by.
CKAN_FORMATS = {
    ".csv": "CSV",
    ".xlsx": "XLSX",
    ".zip": "ZIP",
    "datapackage.json": "JSON",
    # application/csvm+json is not in CKAN's list, and ckanext-dcat then takes the IRI of
    # dct:format as the format: DCAT-AP wants a dct:MediaTypeOrExtent there, not a literal.
    ".csv-metadata.json": EU_FILE_TYPE + "JSON",
}
# CKAN's rule for a dataset's name (ckan/logic/validators.py, name_validator)
CKAN_NAME = re.compile(r"[a-z0-9_-]{2,100}")
CITY_YEARS = [2019, 2020, 2021, 2022, 2023]  # tests/synthetic.py's make_city, five years

Harvest = Callable[[str, str, bool], list[dict[str, Any]]]


class Served(NamedTuple):
    url: str  # the site's URL, ending in its base path
    root: Path  # the built site/ it serves


@pytest.fixture(scope="module")
def harvest() -> Harvest:
    """The datasets CKAN gets from a catalogue's URL with a profile ("dcat-ap-3"), on a plain
    portal or on one with scheming (multilingual); each harvest is run once."""
    if not CKAN_PYTHON.is_file():
        reason = f"CKAN's virtualenv is not at {CKAN_PYTHON.parent.parent}: {INSTALL_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)

    @cache
    def run(url: str, profile: str, multilingual: bool) -> list[dict[str, Any]]:
        chosen = SCHEMING if multilingual else PROFILES
        command = [str(CKAN_PYTHON), str(PARSE), url, "--profiles", chosen[profile]]
        if multilingual:
            command += ["--schema", str(SCHEMA)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout)

    return run


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """content/ built and served at its URL."""
    folder = tmp_path_factory.mktemp("ckan-real")
    for url in serve_as_published(CONTENT, folder):
        yield Served(url, folder / "site")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A synthetic city's five years of reports (FY2019-2023), built and served."""
    folder = tmp_path_factory.mktemp("ckan-city")
    content = make_city(folder / "made", projects_per_year=20, policies=3)
    for url in serve_as_published(content, folder):
        yield Served(url, folder / "site")


def by_uri(datasets: list[dict[str, Any]], base: str) -> dict[str, dict[str, Any]]:
    """The datasets by the fragment of their IRI: "dataset", "dataset-2023", ..."""
    found = {}
    for dataset in datasets:
        found[extras(dataset)["uri"].removeprefix(base + "catalog.ttl#")] = dataset
    return found


def extras(dataset: dict[str, Any]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in dataset.get("extras", [])}


def fetch(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers["Content-Type"], response.read()


def expected_format(url: str) -> str:
    for ending in sorted(CKAN_FORMATS, key=len, reverse=True):  # .csv-metadata.json first
        if url.endswith(ending):
            return CKAN_FORMATS[ending]
    raise AssertionError(f"no CKAN format expected for {url}")


def temporal(dataset: dict[str, Any]) -> list[tuple[str, str]]:
    """The periods CKAN keeps: scheming's temporal_coverage, or the plain extras' one."""
    if "temporal_coverage" in dataset:
        return [(p["start"], p["end"]) for p in dataset["temporal_coverage"]]
    found = extras(dataset)
    return [(found["temporal_start"], found["temporal_end"])]


@every_portal
def test_every_dataset_is_licensed_cc_by(
    harvest: Harvest, real: Served, city: Served, profile: str, multilingual: bool
) -> None:
    """BODIK's harvester takes data licensed cc-by, cc-by-sa or cc0 by CKAN's licence ids."""
    for url in (real.url, city.url):
        datasets = harvest(url + "catalog.ttl", profile, multilingual)
        assert datasets
        assert {d["license_id"] for d in datasets} == {"cc-by"}, url


@pytest.mark.parametrize("profile", PROFILES)
def test_title_notes_and_tags_are_japanese_with_the_english_kept(
    harvest: Harvest, real: Served, profile: str
) -> None:
    s = SETTINGS
    # a plain portal: the Japanese title and description; the keywords of both languages
    datasets = by_uri(harvest(real.url + "catalog.ttl", profile, False), real.url)
    whole = datasets["dataset"]
    assert whole["title"] == f"{s['title']['ja']} (132225-shisaku-hokoku)"
    assert whole["notes"] == s["description"]["ja"]
    assert {t["name"] for t in whole["tags"]} == {*s["keywords"]["ja"], *s["keywords"]["en"]}
    # with scheming: both languages of each
    datasets = by_uri(harvest(real.url + "catalog.ttl", profile, True), real.url)
    whole = datasets["dataset"]
    assert whole["title"] == f"{s['title']['ja']} (132225-shisaku-hokoku)"
    assert whole["title_translated"] == {
        "ja": whole["title"],
        "en": s["title"]["en"],  # Latin letters already: no name added
    }
    assert whole["notes_translated"] == s["description"]
    assert whole["tags_translated"] == {lang: sorted(s["keywords"][lang]) for lang in ("ja", "en")}
    assert {t["name"] for t in whole["tags"]} == set(s["keywords"]["ja"])
    year = datasets["dataset-2023"]
    assert year["title_translated"] == {
        "ja": f"{s['title']['ja']} 令和5年度 (132225-shisaku-hokoku-2023)",
        "en": f"{s['title']['en']}, FY2023",
    }
    for resource in whole["resources"] + year["resources"]:
        assert set(resource["name_translated"]) == {"ja", "en"}, resource["url"]
        assert resource["name"] == resource["name_translated"]["ja"]


@every_portal
def test_every_file_is_a_resource_with_a_ckan_format_and_its_size(
    harvest: Harvest, real: Served, profile: str, multilingual: bool
) -> None:
    datasets = by_uri(harvest(real.url + "catalog.ttl", profile, multilingual), real.url)
    # every file of data/ (its schemas are named by the resources, as their dct:conformsTo)
    files = {f.name for f in (real.root / "data").iterdir() if f.is_file()}
    year = {"132225_projects_2023.csv"}  # the year's own file, its dataset's only resource
    urls = {
        name: sorted(r["url"].removeprefix(real.url + "data/") for r in d["resources"])
        for name, d in datasets.items()
    }
    assert urls == {"dataset": sorted(files - year), "dataset-2023": sorted(year)}
    for dataset in datasets.values():
        for resource in dataset["resources"]:
            url = resource["url"]
            content_type, body = fetch(url)
            assert resource["format"] == expected_format(url), url
            assert resource["mimetype"] == content_type.split(";")[0], url
            assert resource["size"] == len(body), url
            assert resource["license"] == "http://www.opendefinition.org/licenses/cc-by", url


@every_portal
def test_version_and_place_are_kept(
    harvest: Harvest, real: Served, profile: str, multilingual: bool
) -> None:
    for dataset in harvest(real.url + "catalog.ttl", profile, multilingual):
        assert dataset["version"] == SETTINGS["version"]
        if multilingual:
            (place,) = dataset["spatial_coverage"]
        else:
            found = extras(dataset)
            place = {"uri": found["spatial_uri"], "text": found["spatial_text"]}
        assert place["uri"] == real.url + "catalog.ttl#place"
        # ckanext-dcat keeps one label of a place, and a Japanese portal shows it
        assert place["text"] == "東京都東久留米市"


@every_portal
def test_every_report_year_is_a_dataset_with_its_period(
    harvest: Harvest, city: Served, profile: str, multilingual: bool
) -> None:
    datasets = by_uri(harvest(city.url + "catalog.ttl", profile, multilingual), city.url)
    assert set(datasets) == {"dataset"} | {f"dataset-{year}" for year in CITY_YEARS}
    # the whole: one period over every year (ckanext-dcat keeps one dct:temporal)
    assert temporal(datasets["dataset"]) == [
        (f"{CITY_YEARS[0]}-04-01", f"{CITY_YEARS[-1] + 1}-03-31")
    ]
    for year in CITY_YEARS:
        dataset = datasets[f"dataset-{year}"]
        assert temporal(dataset) == [(f"{year}-04-01", f"{year + 1}-03-31")]
        (resource,) = dataset["resources"]
        assert resource["url"] == city.url + f"data/132225_projects_{year}.csv"
        assert (resource["format"], resource["size"]) == ("CSV", len(fetch(resource["url"])[1]))


@pytest.mark.parametrize("profile", PROFILES)
def test_each_dataset_gets_a_name_of_its_own(harvest: Harvest, city: Served, profile: str) -> None:
    """CKAN names a harvested dataset from its Japanese title's ASCII letters and digits: the
    catalogue puts the data package's name there, so no dataset is "__" ("5_" for a year)."""
    datasets = by_uri(harvest(city.url + "catalog.ttl", profile, False), city.url)
    names = {uri: d["name"] for uri, d in datasets.items()}
    assert names["dataset"] == "132225-shisaku-hokoku"
    for year in CITY_YEARS:
        # 令和N年度 gives its digit too (平成31年度 is 令和元年度, and gives none)
        assert names[f"dataset-{year}"].endswith(f"132225-shisaku-hokoku-{year}")
    assert len(set(names.values())) == len(names)
    assert all(CKAN_NAME.fullmatch(name) for name in names.values()), names
