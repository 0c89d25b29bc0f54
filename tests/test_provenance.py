"""Where the figures come from and whom to ask (issue #16): the official PDF linked at the
policy's page, each division's contact on its page and its projects' pages, a list of the
year's divisions, and a report's overview that names its largest changes. Read from the
synthetic five-year city's pages, checked against its content files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from .site_server import LANGUAGES
from .test_pages import Text

pytest_plugins = ["tests.conftest_browser"]

YEAR = 2023


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def text_of(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return parser.text


def content_of(site: Path) -> Path:
    return site.parent / "content"


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def projects_of(site: Path, year: int) -> list[dict]:
    return [
        read_yaml(p) for p in sorted((content_of(site) / str(year) / "projects").glob("*.yaml"))
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_policy_page_opens_the_report_pdf_at_its_page(city_site: Path, lang: str):
    report = read_yaml(content_of(city_site) / str(YEAR) / "report.yaml")
    for file in sorted((content_of(city_site) / str(YEAR) / "policies").glob("*.yaml"))[:3]:
        policy = read_yaml(file)
        html = page(city_site, f"{lang}/reports/{YEAR}/policies/{policy['id']}")
        link = f'href="{report["source"]["url"]}#page={policy["source_page"]}"'
        assert link in html, file.name
        shown = {"ja": f"{policy['source_page']}ページ", "en": f"page {policy['source_page']}"}
        assert shown[lang] in text_of(html)


def test_a_project_page_cites_its_report_and_gives_its_division_contact(city_site: Path):
    divisions = {
        d["id"]: d for d in map(read_yaml, (content_of(city_site) / "divisions").glob("*.yaml"))
    }
    checked = 0
    for project in projects_of(city_site, YEAR)[:40]:
        html = page(city_site, f"ja/projects/{project['id']}")
        policy = read_yaml(
            content_of(city_site) / str(YEAR) / "policies" / f"{project['policy']}.yaml"
        )
        assert f"#page={policy['source_page']}" in html
        contact = divisions[project["division"]].get("contact")
        if contact:
            checked += 1
            assert f'<a href="tel:{contact["phone"]}">{contact["phone"]}</a>' in html
            assert f'<a href="{contact["url"]}">' in html
            if "address" in contact:
                assert contact["address"]["ja"] in text_of(html)
        else:
            assert "お問い合わせ" not in text_of(html)
    assert checked > 10


def division_counts(html: str) -> dict[str, int]:
    """The list of divisions as a reader sees it: each division's id (from its link) and the
    number of its projects."""
    rows = re.findall(
        r'<tr>\s*<th scope="row"><a href="([^"]+)/">[^<]*</a></th>\s*<td class="num">(\d+)</td>',
        html,
    )
    return {href.rsplit("/", 1)[-1]: int(count) for href, count in rows}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_list_of_divisions_counts_every_project_of_the_year(city_site: Path, lang: str):
    expected: dict[str, int] = {}
    for project in projects_of(city_site, YEAR):
        expected[project["division"]] = expected.get(project["division"], 0) + 1
    dated = division_counts(page(city_site, f"{lang}/reports/{YEAR}/divisions"))
    assert dated == expected
    assert division_counts(page(city_site, f"{lang}/divisions")) == expected  # the newest


def test_the_overview_names_the_largest_rises_and_falls(city_site: Path):
    projects = projects_of(city_site, YEAR)
    changes = {
        p["id"]: p["cost"][YEAR] - p["cost"][YEAR - 1]
        for p in projects
        if p["cost"].get(YEAR) is not None and p["cost"].get(YEAR - 1) is not None
    }
    html = page(city_site, f"ja/reports/{YEAR}")
    for heading, sign in (("増えた事務事業", 1), ("減った事務事業", -1)):
        table = html[html.index(f"<caption>{heading}") :]
        table = table[: table.index("</table>")]
        listed = re.findall(r'href="(?:\.\./)+ja/projects/([^/]+)/"', table)
        largest = sorted((c * sign for c in changes.values() if c * sign > 0), reverse=True)[:5]
        assert [changes[p] * sign for p in listed] == largest, heading


def test_the_catalogue_gives_a_contact_and_cites_each_report(city_site: Path):
    """dcat:contactPoint with the e-mail address and telephone of site.yaml's publisher
    contact; each year's dataset is referenced by its report's PDF (dct:isReferencedBy), the
    whole dataset by all of them."""
    from rdflib import Graph, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF

    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    in_series = Namespace(str(DCAT))["inSeries"]  # DCAT 3: not in rdflib's DCAT namespace
    graph = Graph().parse(city_site / "catalog.ttl", format="turtle")
    contacts = set(graph.objects(None, DCAT.contactPoint))
    assert len(contacts) == 1
    contact = contacts.pop()
    assert set(graph.objects(contact, vcard.hasEmail)) == {URIRef("mailto:opendata@example.org")}
    assert set(graph.objects(contact, vcard.hasTelephone)) == {URIRef("tel:042-000-0000")}
    reports = {
        year: read_yaml(content_of(city_site) / str(year) / "report.yaml")["source"]["url"]
        for year in range(2019, 2024)
    }
    members = {
        str(graph.value(m, DCTERMS.temporal / DCAT.startDate))[:4]: m
        for m in graph.subjects(in_series, None)
    }
    for year, url in reports.items():
        assert set(graph.objects(members[str(year)], DCTERMS.isReferencedBy)) == {URIRef(url)}
    whole = [d for d in graph.subjects(RDF.type, DCAT.Dataset) if (d, in_series, None) not in graph]
    assert len(whole) == 1
    assert set(graph.objects(whole[0], DCTERMS.isReferencedBy)) == {
        URIRef(u) for u in reports.values()
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_data_page_tells_search_engines_whom_to_ask_and_which_reports(
    city_site: Path, lang: str
):
    """The schema.org Dataset (for Google's Dataset Search) has site.yaml's publisher contact
    and cites each year's report with the address of its PDF."""
    from .test_catalog import structured_data

    dataset = structured_data(city_site, lang)
    assert dataset["publisher"]["contactPoint"] == {
        "@type": "ContactPoint",
        "email": "opendata@example.org",
        "telephone": "042-000-0000",
    }
    urls = [
        read_yaml(content_of(city_site) / str(year) / "report.yaml")["source"]["url"]
        for year in range(2023, 2018, -1)
    ]
    assert [c["url"] for c in dataset["citation"]] == urls  # newest first, as the site lists
    assert all(c["@type"] == "CreativeWork" and c["name"] for c in dataset["citation"])
    assert len(dataset["distribution"]) == len({d["contentUrl"] for d in dataset["distribution"]})
