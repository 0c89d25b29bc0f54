"""Harvesting metadata: DCAT-AP 3 (Turtle + JSON-LD), schema.org Dataset, sitemap.xml, robots.txt.

Two views of the same data, both in the catalogue:

- `#dataset`: the whole data package, every fiscal year, with a distribution per file that
  holds every year (the tables, the workbook, the CSVW metadata, the zip, datapackage.json).
  Its temporal coverage is one period, from the first fiscal year's 1 April to the last one's
  31 March: ckanext-dcat keeps a single dct:temporal of a dataset, whichever it meets first.
- `#series`, a dcat:DatasetSeries of one dcat:Dataset per fiscal year's report
  (`#dataset-2023`, ...), each with its own period and its own distribution, that year's rows
  as 132225_projects_2023.csv; dcat:inSeries on each member, dcat:prev / dcat:next between
  them in year order, dcat:first / dcat:last on the series. As DCAT-AP 3 has it, the series
  itself has no distribution. A harvester that keeps one period per dataset (ckanext-dcat
  harvests the nodes typed dcat:Dataset and reads no dcat:inSeries) gets every year's rows.
  The catalogue lists the members and the whole dataset with dcat:dataset, and the series with
  dcat:resource: DCAT-AP's shapes, checked without inference, want every dcat:dataset typed
  dcat:Dataset, and the series is not a dataset a portal should offer for download.

Every node has an IRI (no blank nodes), derived from base_url + base_path in site.yaml, so the
graph is stable from build to build and both syntaxes say exactly the same thing.

What CKAN with ckanext-dcat (2.4, DCAT-AP 3 and 2 profiles) needs, checked by
tests/test_ckan.py with the real parser: a licence IRI its licence list knows (it matches by
URL), media types with a plain label (CKAN's format list maps "text/csv" to CSV; the IRI alone
becomes the format), owl:versionInfo beside dcat:version (the DCAT-AP 2 profile reads only the
former), a place with a skos:prefLabel, and an ASCII name in each title written without Latin
letters, since CKAN names a harvested dataset from its title's ASCII letters and digits.
"""

from __future__ import annotations

import datetime
import itertools
import json
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, SKOS

from .data import release_time, year_resource
from .formats import wareki
from .model import Report, Site
from .rows import load_schema

# DCAT 3 (rdflib's closed DCAT namespace predates dcat:version).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"

# ISO 639 languages as the EU vocabulary names them (DCAT-AP asks for its IRIs).
EU_LANGUAGES = {"ja": "JPN", "en": "ENG", "zh": "ZHO", "ko": "KOR"}
# EU data themes: government and public sector; economy and finance.
THEMES = {
    "GOVE": {"ja": "政府・公共部門", "en": "Government and public sector"},
    "ECON": {"ja": "経済・財政", "en": "Economy and finance"},
}
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/LocalAuthority"
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/Attribution"
# The URL of each licence in CKAN's own licence list (ckan/model/license.py), by SPDX id: the
# key ckanext-dcat matches a distribution's dct:license on to set the dataset's license_id
# (cc-by, the id BODIK's harvester takes); the licence's own text stays linked (rdfs:seeAlso).
CKAN_LICENCES = {
    "CC-BY-4.0": "http://www.opendefinition.org/licenses/cc-by",
    "CC-BY-SA-4.0": "http://www.opendefinition.org/licenses/cc-by-sa",
    "CC0-1.0": "http://www.opendefinition.org/licenses/cc-zero",
}
FILE_TYPES = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON", "zip": "ZIP"}
CATALOG_FILES = {"catalog.ttl": "text/turtle", "catalog.jsonld": "application/ld+json"}
SERIES_SUFFIX = {"ja": "（年度別）", "en": " by fiscal year"}
UNIT = {"ja": "千円", "en": "thousand yen"}  # of the amount columns, as schema.org unitText

PREFIXES = {
    "dcat": DCAT,
    "dct": DCTERMS,
    "foaf": FOAF,
    "vcard": VCARD,
    "spdx": SPDX,
    "skos": SKOS,
    "locn": LOCN,
    "dcatap": DCATAP,
    "owl": OWL,
    "rdfs": RDFS,
    "xsd": XSD,
}


def home(site: Site) -> str:
    return site.settings["base_url"] + site.settings["base_path"]


def fiscal_year_period(fiscal_year: int) -> tuple[datetime.date, datetime.date]:
    """A Japanese fiscal year: 1 April to 31 March of the next year."""
    return datetime.date(fiscal_year, 4, 1), datetime.date(fiscal_year + 1, 3, 31)


def with_name(title: str, name: str) -> str:
    """A dataset's title with its ASCII name in brackets where the title has no Latin letter:
    CKAN's harvester names a dataset from the letters and digits of its default-language title,
    so a Japanese one alone gives "__" (or "5_" from 令和5年度)."""
    if any("a" <= c.lower() <= "z" for c in title):
        return title
    return f"{title} ({name})"


class CatalogBuilder:
    """Adds the catalogue's statements to one graph; each method describes one node."""

    def __init__(self, site: Site, package: dict[str, Any]) -> None:
        self.site = site
        self.package = package
        self.settings = site.settings
        self.base = home(site) + "catalog.ttl#"
        self.graph = Graph()
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)

    def node(self, name: str) -> URIRef:
        return URIRef(self.base + name)

    def add(self, subject: URIRef, predicate: URIRef, value: Any) -> None:
        self.graph.add((subject, predicate, value))

    def texts(self, subject: URIRef, predicate: URIRef, text: dict[str, str]) -> None:
        """One literal per site language, tagged @ja, @en."""
        for lang in self.site.languages:
            self.add(subject, predicate, Literal(text[lang], lang=lang))

    def typed(self, iri: str, kind: URIRef) -> URIRef:
        """An outside IRI, typed as the DCAT-AP shapes expect of it."""
        node = URIRef(iri)
        self.add(node, RDF.type, kind)
        return node

    def build(self) -> Graph:
        catalog, dataset = self.node("catalog"), self.node("dataset")
        # the reports with data: a year just begun, with no project yet, has no file to harvest
        published = {r["name"] for r in self.package["resources"]}
        years = sorted(
            r.fiscal_year for r in self.site.reports if year_resource(r.fiscal_year) in published
        )
        s = self.settings
        self.add(catalog, RDF.type, DCAT.Catalog)
        self.texts(catalog, DCTERMS.title, s["title"])
        self.texts(catalog, DCTERMS.description, s["description"])
        self.add(catalog, DCTERMS.publisher, self.publisher())
        self.add(catalog, FOAF.homepage, self.typed(home(self.site), FOAF.Document))
        self.add(catalog, DCTERMS.license, self.license())
        self.add(catalog, DCTERMS.spatial, self.place())
        self.add(catalog, DCAT.dataset, dataset)
        self.add(catalog, DCAT.themeTaxonomy, self.theme_scheme())
        self.common(catalog)
        self.dataset(dataset, years)
        self.add(catalog, DCAT.resource, self.series(years))
        for year in years:
            self.add(catalog, DCAT.dataset, self.node(f"dataset-{year}"))
        return self.graph

    def common(self, subject: URIRef) -> None:
        """What the catalogue and the dataset both say: languages and dates."""
        for lang in self.site.languages:
            code = EU_LANGUAGES.get(lang, lang.upper())
            self.add(
                subject,
                DCTERMS.language,
                self.typed(f"{EU}language/{code}", DCTERMS.LinguisticSystem),
            )
        day = release_time(self.site).date()
        self.add(subject, DCTERMS.issued, Literal(day, datatype=XSD.date))
        self.add(subject, DCTERMS.modified, Literal(day, datatype=XSD.date))

    def publisher(self) -> URIRef:
        agent = self.node("publisher")
        self.add(agent, RDF.type, FOAF.Agent)
        self.texts(agent, FOAF.name, self.settings["publisher"]["name"])
        self.add(agent, DCTERMS.identifier, Literal(self.site.code))
        self.add(
            agent,
            DCTERMS.type,
            self.concept(ADMS_PUBLISHER_TYPE, {"en": "Local authority", "ja": "地方公共団体"}),
        )
        self.add(agent, FOAF.homepage, self.typed(self.settings["publisher"]["url"], FOAF.Document))
        return agent

    def license(self) -> URIRef:
        """The licence as CKAN's licence list names it where it has it, else by its own URL."""
        given = self.settings["license"]
        license_ = self.typed(CKAN_LICENCES.get(given["id"], given["url"]), DCTERMS.LicenseDocument)
        self.add(
            license_,
            DCTERMS.type,
            self.concept(ADMS_LICENCE_TYPE, {"en": "Attribution", "ja": "表示"}),
        )
        self.texts(license_, DCTERMS.title, given["name"])
        self.add(license_, DCTERMS.identifier, Literal(given["id"]))
        if str(license_) != given["url"]:
            self.add(license_, RDFS.seeAlso, URIRef(given["url"]))  # the exact licence and version
        return license_

    def concept(self, iri: str, labels: dict[str, str]) -> URIRef:
        """A term of a controlled vocabulary, with the label DCAT-AP asks of every skos:Concept."""
        concept = self.typed(iri, SKOS.Concept)
        for lang, label in labels.items():
            self.add(concept, SKOS.prefLabel, Literal(label, lang=lang))
        return concept

    def place(self) -> URIRef:
        place = self.node("place")
        self.add(place, RDF.type, DCTERMS.Location)
        city = self.settings["city"]
        for lang in self.site.languages:
            name = (
                f"{city['prefecture'][lang]}{city['name'][lang]}"
                if lang == "ja"
                else (f"{city['name'][lang]}, {city['prefecture'][lang]}")
            )
            self.add(place, LOCN.geographicName, Literal(name, lang=lang))
            # ckanext-dcat's spatial text (spatial_text), which reads no locn:geographicName
            self.add(place, SKOS.prefLabel, Literal(name, lang=lang))
        return place

    def contact(self) -> URIRef:
        contact = self.node("contact")
        self.add(contact, RDF.type, VCARD.Kind)  # the class DCAT-AP checks, without inference
        self.add(contact, RDF.type, VCARD.Organization)
        publisher = self.settings["publisher"]
        self.texts(contact, VCARD.fn, publisher["name"])
        given = publisher.get("contact") or {}  # site.yaml's, where it gives one
        self.add(contact, VCARD.hasURL, URIRef(given.get("url") or publisher["url"]))
        if given.get("email"):
            self.add(contact, VCARD.hasEmail, URIRef(f"mailto:{given['email']}"))
        if given.get("phone"):
            self.add(contact, VCARD.hasTelephone, URIRef(f"tel:{given['phone']}"))
        return contact

    def sources(self, node: URIRef, reports: list[Report]) -> None:
        """The official reports the data is taken from, where report.yaml gives their address:
        dct:isReferencedBy, as DCAT-AP's dct:source must be a dcat:Dataset and a report is a
        document."""
        for report in reports:
            if report.source_url:
                document = self.typed(report.source_url, FOAF.Document)
                self.add(node, DCTERMS.isReferencedBy, document)

    def described(self, node: URIRef, title: dict[str, str], description: dict[str, str]) -> None:
        """What the whole dataset, the series and each year's dataset all say."""
        s = self.settings
        self.texts(node, DCTERMS.title, title)
        self.texts(node, DCTERMS.description, description)
        self.add(node, DCTERMS.publisher, self.node("publisher"))
        self.add(node, DCAT.contactPoint, self.contact())
        self.add(node, DCTERMS.spatial, self.node("place"))
        for lang in self.site.languages:
            for word in s["keywords"][lang]:
                self.add(node, DCAT.keyword, Literal(word, lang=lang))
        for code, labels in THEMES.items():
            self.add(node, DCAT.theme, self.concept(f"{EU}data-theme/{code}", labels))
        self.common(node)

    def landing_page(self, path: str = "data/") -> URIRef:
        """A page of the site in its first language, e.g. data/ or reports/2023/."""
        return self.typed(home(self.site) + f"{self.site.languages[0]}/{path}", FOAF.Document)

    def annual(self) -> URIRef:
        return self.typed(f"{EU}frequency/ANNUAL", DCTERMS.Frequency)

    def version(self, dataset: URIRef) -> None:
        """The data's version, as DCAT-AP 3 says it and as DCAT-AP 2 did (owl:versionInfo)."""
        version = Literal(self.settings["version"])
        self.add(dataset, DCAT.version, version)
        self.add(dataset, OWL.versionInfo, version)

    def dataset(self, dataset: URIRef, years: list[int]) -> None:
        s = self.settings
        self.add(dataset, RDF.type, DCAT.Dataset)
        name = self.package["name"]
        title = {lang: with_name(text, name) for lang, text in s["title"].items()}
        self.described(dataset, title, s["description"])
        self.add(dataset, DCTERMS.identifier, Literal(self.package["id"]))
        self.add(dataset, DCAT.landingPage, self.landing_page())
        self.version(dataset)
        self.add(dataset, DCTERMS.accrualPeriodicity, self.annual())
        if years:
            self.add(dataset, DCTERMS.temporal, self.period(years[0], years[-1]))
        self.sources(dataset, self.site.reports)
        for resource in whole_resources(self.site, self.package):
            self.add(dataset, DCAT.distribution, self.distribution(resource))
        self.add(dataset, DCAT.distribution, self.descriptor_distribution())

    def series(self, years: list[int]) -> URIRef:
        """The reports, one dataset a fiscal year, as one dcat:DatasetSeries in year order."""
        series = self.node("series")
        s = self.settings
        self.add(series, RDF.type, DCAT.DatasetSeries)
        suffix = {lang: SERIES_SUFFIX.get(lang, SERIES_SUFFIX["en"]) for lang in s["title"]}
        title = {lang: f"{s['title'][lang]}{suffix[lang]}" for lang in self.site.languages}
        self.described(series, title, s["description"])
        self.add(series, DCTERMS.accrualPeriodicity, self.annual())
        for year in years:
            self.add(series, DCTERMS.temporal, self.period(year))
        resources = {r["name"]: r for r in self.package["resources"]}
        members = [self.node(f"dataset-{year}") for year in years]
        for year, member in zip(years, members, strict=True):
            self.member(member, year, resources[year_resource(year)])
            self.add(member, DCAT.inSeries, series)
        for earlier, later in itertools.pairwise(members):
            self.add(later, DCAT.prev, earlier)
            self.add(earlier, DCAT.next, later)
        if members:
            self.add(series, DCAT.first, members[0])
            self.add(series, DCAT.last, members[-1])
        return series

    def member(self, member: URIRef, year: int, resource: dict[str, Any]) -> None:
        """One fiscal year's report as a dataset of its own, with its own file."""
        s = self.settings
        self.add(member, RDF.type, DCAT.Dataset)
        title = {
            "ja": f"{s['title']['ja']} {wareki(year)}",
            "en": f"{s['title']['en']}, FY{year}",
        }
        text_ja, _, text_en = resource["description"].partition("\n\n")
        text = {"ja": text_ja, "en": text_en}
        languages = self.site.languages
        name = f"{self.package['name']}-{year}"
        self.described(
            member,
            {lang: with_name(title.get(lang, title["en"]), name) for lang in languages},
            {lang: text.get(lang, text_en) for lang in languages},
        )
        self.add(member, DCTERMS.identifier, Literal(f"{self.package['id']}#{resource['name']}"))
        self.add(member, DCAT.landingPage, self.landing_page(f"reports/{year}/"))
        self.version(member)
        self.add(member, DCTERMS.temporal, self.period(year))
        self.add(member, DCAT.distribution, self.distribution(resource))
        self.sources(member, [r for r in self.site.reports if r.fiscal_year == year])

    def theme_scheme(self) -> URIRef:
        scheme = self.typed(f"{EU}data-theme", SKOS.ConceptScheme)
        self.add(scheme, DCTERMS.title, Literal("Data theme", lang="en"))
        self.add(scheme, DCTERMS.title, Literal("データテーマ", lang="ja"))
        return scheme

    def availability(self) -> URIRef:
        """Files kept at these URLs for the long term (the EU planned-availability vocabulary)."""
        return self.concept(f"{EU}planned-availability/STABLE", {"en": "stable", "ja": "安定"})

    def period(self, first: int, last: int | None = None) -> URIRef:
        """Fiscal years from `first` to `last` (just `first` without it), as one period."""
        last = first if last is None else last
        period = self.node(f"fy{first}" if first == last else f"fy{first}-{last}")
        start, end = fiscal_year_period(first)[0], fiscal_year_period(last)[1]
        self.add(period, RDF.type, DCTERMS.PeriodOfTime)
        self.add(period, DCAT.startDate, Literal(start, datatype=XSD.date))
        self.add(period, DCAT.endDate, Literal(end, datatype=XSD.date))
        return period

    def distribution(self, resource: dict[str, Any]) -> URIRef:
        """One file of the package, with what a harvester needs to fetch and check it."""
        node = self.node(f"distribution-{resource['name']}")
        url = home(self.site) + "data/" + resource["path"]
        self.add(node, RDF.type, DCAT.Distribution)
        title_ja, _, title_en = resource["title"].partition(" / ")
        self.add(node, DCTERMS.title, Literal(title_ja, lang="ja"))
        self.add(node, DCTERMS.title, Literal(title_en, lang="en"))
        text_ja, _, text_en = resource.get("description", "").partition("\n\n")
        if text_en:
            self.add(node, DCTERMS.description, Literal(text_ja, lang="ja"))
            self.add(node, DCTERMS.description, Literal(text_en, lang="en"))
        self.add(node, DCATAP.availability, self.availability())
        self.add(node, DCAT.accessURL, URIRef(url))
        self.add(node, DCAT.downloadURL, URIRef(url))
        file_type = FILE_TYPES[resource["format"]]
        self.add(
            node,
            DCTERMS.format,
            self.typed(f"{EU}file-type/{file_type}", DCTERMS.MediaTypeOrExtent),
        )
        media_type = self.typed(IANA + resource["mediatype"], DCTERMS.MediaType)
        # ckanext-dcat takes a media type's rdfs:label, where it has one, for its IRI: a plain
        # type that CKAN's format list maps (text/csv to CSV), so its datastore loads the file
        self.add(media_type, RDFS.label, Literal(resource["mediatype"]))
        self.add(node, DCAT.mediaType, media_type)
        self.add(node, DCTERMS.license, self.license())
        self.add(node, DCAT.byteSize, Literal(resource["bytes"], datatype=XSD.nonNegativeInteger))
        self.add(node, SPDX.checksum, self.checksum(node, resource["hash"]))
        if isinstance(resource.get("schema"), str):
            schema_url = home(self.site) + "data/" + resource["schema"]
            self.add(node, DCTERMS.conformsTo, self.typed(schema_url, DCTERMS.Standard))
        return node

    def descriptor_distribution(self) -> URIRef:
        """datapackage.json itself: the Frictionless description of every file."""
        node = self.distribution(self.package["_descriptor"])
        self.add(node, DCTERMS.conformsTo, self.typed(self.package["$schema"], DCTERMS.Standard))
        return node

    def checksum(self, distribution: URIRef, digest: str) -> URIRef:
        node = URIRef(str(distribution) + "-sha256")
        algorithm, _, value = digest.partition(":")
        self.add(node, RDF.type, SPDX.Checksum)
        self.add(
            node,
            SPDX.algorithm,
            self.typed(str(SPDX) + f"checksumAlgorithm_{algorithm}", SPDX.ChecksumAlgorithm),
        )
        self.add(node, SPDX.checksumValue, Literal(value, datatype=XSD.hexBinary))
        return node


def whole_resources(site: Site, package: dict[str, Any]) -> list[dict[str, Any]]:
    """The files that hold every fiscal year, one each (the workbook is two resources, one a
    sheet): the whole dataset's distributions. A fiscal year's CSV belongs to its year's."""
    years = {year_resource(report.fiscal_year) for report in site.reports}
    found: dict[str, dict[str, Any]] = {}
    for resource in package["resources"]:
        if resource["name"] not in years:
            found.setdefault(resource["path"], resource)
    return list(found.values())


def catalog_graph(site: Site, package: dict[str, Any], descriptor: dict[str, Any]) -> Graph:
    """The DCAT-AP graph of the site's data; `descriptor` describes datapackage.json itself."""
    return CatalogBuilder(site, {**package, "_descriptor": descriptor}).build()


def catalog_files(
    site: Site, package: dict[str, Any], listed: list[dict[str, Any]]
) -> dict[str, bytes]:
    """catalog.ttl and catalog.jsonld, of the package (datapackage.json read) and its files
    as data.listed_resources lists them: one graph in two syntaxes, byte-stable."""
    *resources, descriptor = listed
    graph = catalog_graph(site, {**package, "resources": resources}, descriptor)
    return {"catalog.ttl": turtle(graph), "catalog.jsonld": jsonld(graph)}


def turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle", encoding="utf-8")


def jsonld(graph: Graph) -> bytes:
    """JSON-LD with the same prefixes as the Turtle; nodes and values sorted, so builds agree."""
    context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    data = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = data.get("@graph", [data])
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(
                    value, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False)
                )
    ordered = {"@context": data["@context"], "@graph": sorted(nodes, key=lambda n: n["@id"])}
    return (json.dumps(ordered, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(
        "utf-8"
    )


# -- schema.org, for Google Dataset Search ------------------------------------------------------
def schema_org_dataset(site: Site, package: dict[str, Any], lang: str) -> str:
    """A schema.org Dataset as JSON-LD text, safe to put inside a <script> element."""
    s = site.settings
    years = [r.fiscal_year for r in site.reports]
    start, _ = fiscal_year_period(min(years))
    _, end = fiscal_year_period(max(years))
    city = s["city"]
    organization = {
        "@type": "GovernmentOrganization",
        "name": s["publisher"]["name"][lang],
        "url": s["publisher"]["url"],
        **schema_org_contact(s["publisher"].get("contact") or {}),
    }
    dataset = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": home(site) + "catalog.ttl#dataset",
        "name": s["title"][lang],
        "alternateName": [text for other, text in s["title"].items() if other != lang],
        "description": s["description"][lang],
        "url": home(site) + f"{lang}/data/",
        "identifier": package["id"],
        "version": s["version"],
        "license": s["license"]["url"],
        "isAccessibleForFree": True,
        "inLanguage": list(site.languages),
        "keywords": list(s["keywords"][lang]),
        "creator": organization,
        "publisher": organization,
        "citation": [report_citation(site, report, lang) for report in site.reports],
        "variableMeasured": variables_measured(lang),
        "temporalCoverage": f"{start.isoformat()}/{end.isoformat()}",
        "spatialCoverage": {
            "@type": "Place",
            "name": f"{city['prefecture'][lang]}{city['name'][lang]}"
            if lang == "ja"
            else f"{city['name'][lang]}, {city['prefecture'][lang]}",
        },
        "datePublished": release_time(site).date().isoformat(),
        "dateModified": release_time(site).date().isoformat(),
        "distribution": [
            {
                "@type": "DataDownload",
                "name": r["title"],
                "contentUrl": home(site) + "data/" + r["path"],
                "encodingFormat": r["mediatype"],
                "contentSize": f"{r['bytes']} B",
            }
            for r in whole_resources(site, package)
            if r["name"] != "datapackage"  # metadata, not data to download
        ],
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": s["title"][lang],
            "url": home(site),
        },
    }
    text = json.dumps(dataset, ensure_ascii=False, indent=2)
    # Inside <script>, "</" could end the element early; JSON allows the escaped form.
    return text.replace("<", "\\u003c")


def schema_org_contact(contact: dict[str, str]) -> dict[str, Any]:
    """site.yaml's publisher contact, where it gives one, as a schema.org ContactPoint."""
    point = {
        key: contact[name]
        for name, key in (("email", "email"), ("phone", "telephone"), ("url", "url"))
        if contact.get(name)
    }
    return {"contactPoint": {"@type": "ContactPoint", **point}} if point else {}


def report_citation(site: Site, report: Report, lang: str) -> str | dict[str, Any]:
    """The official report a year's rows come from: its title, and its address where
    report.yaml gives one."""
    city = site.settings["city"]
    title = (
        f"{city['prefecture']['ja']}{city['name']['ja']}『{report.title['ja']}』"
        if lang == "ja"
        else f"{city['name'][lang]}, {report.title.get(lang, report.title['en'])}"
    )
    if not report.source_url:
        return title
    return {"@type": "CreativeWork", "name": title, "url": report.source_url}


def variables_measured(lang: str) -> list[dict[str, Any]]:
    """The projects table's columns, as Dataset Search lists what a dataset measures."""
    fields = load_schema("projects")["fields"]
    return [
        {
            "@type": "PropertyValue",
            "name": field["name"],
            "description": field.get(f"description_{lang}", field["description"]),
            **({"unitText": UNIT.get(lang, UNIT["en"])} if "（千円）" in field["name"] else {}),
        }
        for field in fields
    ]


# -- Sitemap and robots.txt ---------------------------------------------------------------------
