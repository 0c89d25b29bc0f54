"""Harvesting: the DCAT-AP catalogue, schema.org, CSVW, the sitemap, and a portal harvesting over HTTP."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from csvw import Table
from frictionless import Package
from pyshacl import validate as shacl_validate
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.compare import isomorphic

from .conftest import CONTENT, STANDARDS
from .site_server import build_site, serve_as_published
from .test_data_package import AMOUNTS, HEADERS

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SHAPES = STANDARDS / "dcat-ap-3.0.1"
HOME = "https://www.city.higashikurume.lg.jp/shisaku-hokoku/"
IANA = "https://www.iana.org/assignments/media-types/"

# Warnings of shapes_recommended.ttl that we leave, each for a reason:
JUSTIFIED_WARNINGS = {
    # The report gives no geometry for the city, and we do not invent coordinates for it: the
    # place is named in both languages (locn:geographicName) instead.
    ("catalog.ttl#place", "http://www.w3.org/ns/dcat#bbox"),
    ("catalog.ttl#place", "http://www.w3.org/ns/dcat#centroid"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("catalog") / "site")


@pytest.fixture(scope="module")
def catalog(site: Path) -> Graph:
    return Graph().parse(site / "catalog.ttl")


def shacl(data: Graph, shapes: str) -> tuple[bool, Graph, str]:
    conforms, results, text = shacl_validate(
        data, shacl_graph=Graph().parse(SHAPES / shapes), inference="none", allow_warnings=True
    )
    return conforms, results, text


def test_the_official_dcat_ap_shapes_find_no_violation(catalog):
    conforms, _, text = shacl(catalog, "dcat-ap-SHACL.ttl")
    assert conforms, text


def test_recommended_shapes_warn_only_where_justified(catalog):
    conforms, results, text = shacl(catalog, "shapes_recommended.ttl")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    warnings = {
        (
            str(results.value(r, sh.focusNode)).removeprefix(HOME),
            str(results.value(r, sh.resultPath)),
        )
        for r in results.subjects(RDF.type, sh.ValidationResult)
    }
    print("Warnings from shapes_recommended.ttl:", *sorted(warnings), sep="\n  ")
    assert conforms, text
    assert warnings == JUSTIFIED_WARNINGS


def test_turtle_and_json_ld_are_the_same_graph(site, catalog):
    from_json = Graph().parse(site / "catalog.jsonld", format="json-ld")
    assert len(catalog) > 100
    assert isomorphic(catalog, from_json)


def test_the_catalogue_says_what_portals_need(catalog):
    catalog_node = URIRef(HOME + "catalog.ttl#catalog")
    dataset = URIRef(HOME + "catalog.ttl#dataset")
    titles = {t.language: str(t) for t in catalog.objects(catalog_node, DCT.title)}
    assert titles == {
        "ja": "東久留米市 施策報告書オープンデータ",
        "en": "Higashikurume City Policy Report Open Data",
    }
    publisher = catalog.value(catalog_node, DCT.publisher)
    assert str(catalog.value(publisher, DCT.identifier)) == "132225"
    assert (publisher, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Agent")) in catalog
    period = catalog.value(dataset, DCT.temporal)
    assert (
        str(catalog.value(period, DCAT.startDate)),
        str(catalog.value(period, DCAT.endDate)),
    ) == (
        "2023-04-01",
        "2024-03-31",
    )
    keywords = {k.language for k in catalog.objects(dataset, DCAT.keyword)}
    assert keywords == {"ja", "en"}
    assert catalog.value(dataset, DCAT.contactPoint) is not None
    themes = set(catalog.objects(dataset, DCAT.theme))
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON") in themes


def test_every_distribution_has_license_format_size_and_checksum(site, catalog):
    dataset = URIRef(HOME + "catalog.ttl#dataset")
    distributions = list(catalog.objects(dataset, DCAT.distribution))
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    # one a file (the workbook is two resources), the zip and datapackage.json too; not the
    # year's CSVs
    files = {r["path"] for r in package["resources"] if r["name"] != "projects-2023"}
    assert len(distributions) == len(files) + 2
    for node in catalog.subjects(RDF.type, DCAT.Distribution):
        url = str(catalog.value(node, DCAT.downloadURL))
        assert url.startswith(HOME + "data/"), url
        local = site / url.removeprefix(HOME)
        content = local.read_bytes()
        # the licence by the URL of CKAN's licence list, with the exact licence's own
        licence = catalog.value(node, DCT.license)
        assert licence == URIRef("http://www.opendefinition.org/licenses/cc-by")
        assert catalog.value(licence, RDFS.seeAlso) == URIRef(
            "https://creativecommons.org/licenses/by/4.0/"
        )
        assert str(catalog.value(licence, DCT.identifier)) == "CC-BY-4.0"
        assert str(catalog.value(node, DCAT.byteSize)) == str(len(content))
        checksum = catalog.value(node, SPDX.checksum)
        assert (
            str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(content).hexdigest()
        )
        assert str(catalog.value(node, DCT["format"])).startswith(
            "http://publications.europa.eu/resource/authority/file-type/"
        )
        assert str(catalog.value(node, DCAT.mediaType)).startswith(
            "https://www.iana.org/assignments/media-types/"
        )
    main_csv = URIRef(HOME + "catalog.ttl#distribution-projects")
    assert catalog.value(main_csv, DCT.conformsTo) == URIRef(HOME + "data/schema/projects.json")


def test_every_page_points_to_the_catalogue(site):
    # links inside the site are relative: from the page's folder up to the site's root
    for page, up in [
        (site / "ja" / "index.html", "../"),
        (site / "en" / "projects" / "cashless-kessai" / "index.html", "../../../"),
    ]:
        html = page.read_text(encoding="utf-8")
        assert f'<link rel="alternate" type="text/turtle" href="{up}catalog.ttl"' in html
        assert f'<link rel="alternate" type="application/ld+json" href="{up}catalog.jsonld"' in html


# -- schema.org ------------------------------------------------------------------------------------
def structured_data(site: Path, lang: str) -> dict:
    html = (site / lang / "data" / "index.html").read_text(encoding="utf-8")
    (text,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(text)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_schema_org_dataset_on_the_data_page(site, lang):
    """Every property Google's Dataset Search documents as required or recommended that the
    report can fill (not funder, measurementTechnique, sameAs: the report names none)."""
    dataset = structured_data(site, lang)
    assert dataset["@type"] == "Dataset"
    for key in [
        "name", "description", "alternateName", "citation", "creator", "distribution",
        "identifier", "isAccessibleForFree", "keywords", "license", "temporalCoverage",
        "spatialCoverage", "variableMeasured", "version", "url", "includedInDataCatalog",
        "publisher", "inLanguage", "dateModified",
    ]:  # fmt: skip
        assert dataset.get(key), key
    assert 50 <= len(dataset["description"]) <= 5000  # Dataset Search's bounds
    other = "en" if lang == "ja" else "ja"
    assert dataset["alternateName"] == [structured_data(site, other)["name"]]
    assert dataset["citation"] == [
        "東京都東久留米市『令和６年度施策報告書（令和５年度振り返り）』"
        if lang == "ja"
        else "Higashikurume City, FY2024 Policy Report (Review of FY2023)"
    ]
    variables = {v["name"]: v for v in dataset["variableMeasured"]}
    assert list(variables) == HEADERS  # the CSV's columns, in order
    assert {n for n, v in variables.items() if "unitText" in v} == set(AMOUNTS)
    assert variables["事業費（千円）"]["unitText"] == ("千円" if lang == "ja" else "thousand yen")
    assert all(v["description"] for v in variables.values())
    assert dataset["temporalCoverage"] == "2023-04-01/2024-03-31"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert dataset["inLanguage"] == ["ja", "en"]
    assert dataset["includedInDataCatalog"]["@type"] == "DataCatalog"
    formats = {d["encodingFormat"] for d in dataset["distribution"]}
    assert {"text/csv", "application/zip"} <= formats
    for download in dataset["distribution"]:
        assert download["contentUrl"].startswith(HOME + "data/132225_")
        path = site / "data" / download["contentUrl"].removeprefix(HOME + "data/")
        assert download["contentSize"] == f"{path.stat().st_size} B"
    # As a harvester reads it (with the schema.org context given locally: no network here).
    offline = {**dataset, "@context": {"@vocab": "https://schema.org/"}}
    graph = Graph().parse(data=json.dumps(offline), format="json-ld")
    assert (None, RDF.type, URIRef("https://schema.org/Dataset")) in graph
    assert len(graph) > 20


# -- CSVW -------------------------------------------------------------------------------------------
def test_csvw_reads_the_main_csv_as_published(site):
    """The csvw package reads the CSV through its metadata, strictly (each header cell matched
    to its column's title): typed values equal to the cells."""
    data = site / "data"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Incompatible column titles" and the like fail the test
        table = Table.from_file(data / "132225_projects.csv-metadata.json")
        rows = list(table.iterdicts(strict=True))
    with (data / "132225_projects.csv").open(encoding="utf-8", newline="") as f:
        published = list(csv.DictReader(f))
    assert len(rows) == len(published) == 15
    columns = table.tableSchema.columns
    assert [c.titles.getfirst() for c in columns] == list(published[0])
    for row, cells in zip(rows, published, strict=True):
        for column in columns:
            value, cell = row[column.name], cells[column.titles.getfirst()]
            assert ("" if value is None else str(value)) == cell, (column.name, value, cell)
    assert rows[2]["change_thousand_yen"] == -322 and isinstance(
        rows[2]["change_thousand_yen"], int
    )
    assert str(rows[1]["ratio_to_previous_year"]) == "226.9"
    assert columns[16].common_props["dc:title"] == {
        "@value": "Cost (thousand yen)",
        "@language": "en",
    }
    assert table.tableSchema.primaryKey == ["row_id"]


# -- sitemap and robots.txt -------------------------------------------------------------------------
def test_sitemap_lists_every_page_with_its_language_twins(site):
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.parse(site / "sitemap.xml").getroot()
    listed = {u.findtext("s:loc", namespaces=ns): u for u in root.findall("s:url", ns)}
    pages = [p for p in site.rglob("index.html") if "search" not in p.parts]
    expected = {HOME + str(p.parent.relative_to(site)).removeprefix(".") + "/" for p in pages}
    expected = {u.replace("shisaku-hokoku//", "shisaku-hokoku/") for u in expected}
    assert set(listed) == expected
    url = listed[HOME + "ja/projects/shotengai-challenge/"]
    links = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
    assert links == {
        "ja": HOME + "ja/projects/shotengai-challenge/",
        "en": HOME + "en/projects/shotengai-challenge/",
        "x-default": HOME + "ja/projects/shotengai-challenge/",
    }


def test_sitemap_escapes_what_a_url_may_hold():
    """A base URL with & and quotes (legal in a URL) stays one well-formed attribute each."""
    import xml.etree.ElementTree as ET

    from shisaku import data, load, model, pages, sitemap, validate

    site = model.build_model(validate.validate(load.load(CONTENT))[0].records)
    base = "https://example.org/a&b'c\"d/"
    xml = sitemap.sitemap(pages.build_pages(site, data.schemas()), lambda path: base + path)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring(xml)
    assert {u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)} >= {
        base + "ja/",
        base + "en/projects/",
    }
    assert {link.get("href") for link in root.iter("{http://www.w3.org/1999/xhtml}link")} >= {
        base + "ja/",
        base + "en/",
    }


def test_robots_txt_points_to_the_sitemap(site):
    assert (site / "robots.txt").read_text(encoding="utf-8").splitlines()[
        -1
    ] == f"Sitemap: {HOME}sitemap.xml"


# -- a portal harvesting the site over HTTP ---------------------------------------------------------
@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site built with base_url http://127.0.0.1:{port} and served there, as a host would."""
    yield from serve_as_published(CONTENT, tmp_path_factory.mktemp("harvest"))


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read()


def test_frictionless_validates_the_package_by_its_url(harvested):
    """Every resource valid over HTTP, as `frictionless validate <url>` checks it, no error
    filtered."""
    report = Package(harvested + "data/datapackage.json").validate()
    assert {task.name for task in report.tasks} >= {
        "projects",
        "policies",
        "divisions",
        "projects-xlsx",
        "projects-history-xlsx",
    }
    assert report.flatten(["taskName", "type", "note"]) == []
    assert report.valid


def test_frictionless_command_validates_the_package_by_its_url(harvested):
    done = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", harvested + "data/datapackage.json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("catalog.ttl", "text/turtle"), ("catalog.jsonld", "application/ld+json")],
)
def test_rdflib_loads_the_catalogue_by_url(harvested, name, media_type):
    status, content_type, _ = fetch(harvested + name)
    assert status == 200 and content_type.startswith(media_type)
    graph = Graph().parse(harvested + name)  # the parser is chosen by the Content-Type
    assert (URIRef(harvested + "catalog.ttl#dataset"), RDF.type, DCAT.Dataset) in graph


def test_every_download_url_answers_with_the_declared_size_and_checksum(harvested):
    graph = Graph().parse(harvested + "catalog.ttl")
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) >= 6
    for node in distributions:
        url = str(graph.value(node, DCAT.downloadURL))
        assert url.startswith(harvested), url
        status, content_type, body = fetch(url)
        assert status == 200, url
        declared = str(graph.value(node, DCAT.mediaType)).removeprefix(IANA)
        assert content_type.split(";")[0] == declared, url
        assert int(graph.value(node, DCAT.byteSize)) == len(body), url
        digest = str(graph.value(graph.value(node, SPDX.checksum), SPDX.checksumValue))
        assert digest == hashlib.sha256(body).hexdigest(), url
