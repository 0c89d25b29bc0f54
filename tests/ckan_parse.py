"""Harvest a DCAT catalogue as CKAN 2.12 with ckanext-dcat does, and print the datasets as JSON.

Run by the Python of CKAN's own virtualenv (.cache/ckan/venv, made by tests/install.sh), never by
the project's: `python tests/ckan_parse.py URL --profiles "euro_dcat_ap_3" [--schema FILE]`.

It does what ckanext-dcat's harvester (DCATRDFHarvester.gather_stage) does with a catalogue, with
its own code: fetch the URL (a HEAD, then a GET; the format is the response's Content-Type),
parse it with RDFParser and the profiles named, and name each dataset from its title in the
site's default language. On a CKAN portal the harvester then hands each dict to package_create.
The portal is a Japanese one (ckan.locale_default = ja, ja and en offered); with --schema, it
runs ckanext-scheming with that schema, as portals that keep more than one language do.

No database or Solr is reached: the parser needs neither, and the one step of naming that
reads the database (a number added where a name is taken) sees an empty portal.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

# CKAN reads its settings at import time from ckan.common.config; what it must have to load
# plugins, with nothing there for it to connect to: an in-memory SQLite engine (created,
# never queried) and a Solr URL on the discard port (its version check only logs a refusal).
SETTINGS = {
    "ckan.locale_default": "ja",
    "ckan.locales_offered": "ja en",
    "ckan.site_url": "http://127.0.0.1",
    "SECRET_KEY": "ckan-parse-test",
    "sqlalchemy.url": "sqlite://",
    "solr_url": "http://127.0.0.1:9/solr",
}


def configure(schema: Path | None) -> None:
    """CKAN's settings, and its plugins loaded as a portal's ckan.ini would list them."""
    from ckan.common import config

    config.update(SETTINGS)
    plugins = ["dcat"]
    if schema is not None:
        plugins.append("scheming_datasets")
        config["scheming.dataset_schemas"] = schema.resolve().as_uri()
        config["scheming.presets"] = (
            "ckanext.scheming:presets.json ckanext.dcat.schemas:presets.yaml"
        )
    import ckan.plugins as p

    p.load(*plugins)


def harvest(url: str, profiles: list[str]) -> list[dict[str, Any]]:
    """The datasets of the catalogue at `url`, as ckanext-dcat's harvester gathers them."""
    from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
    from ckanext.dcat.processors import RDFParser
    from ckanext.harvest.harvesters.base import HarvesterBase

    harvester = DCATRDFHarvester()
    # harvest_job is only used to record an error, and this script stops at the first one
    content, content_type = harvester._get_content_and_type(url, harvest_job=None)
    if content is None:
        sys.exit(f"ckan_parse.py: could not fetch {url}")
    parser = RDFParser(profiles=profiles)
    parser.parse(content, _format=content_type)
    # An empty portal: no name is taken yet (the check that would look in its database).
    HarvesterBase._ensure_name_is_unique = staticmethod(lambda ideal_name, **_: ideal_name)
    datasets, taken = [], []
    for dataset in parser.datasets():
        # as gather_stage names a dataset: from its title, then -1, -2 within one harvest
        if not dataset.get("name"):
            dataset["name"] = harvester._gen_new_name(dataset["title"])
        if dataset["name"] in taken:
            suffix = len([n for n in taken if n.startswith(dataset["name"] + "-")]) + 1
            dataset["name"] = f"{dataset['name']}-{suffix}"
        taken.append(dataset["name"])
        datasets.append(dataset)
    return datasets


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument(
        "url", help="the catalogue's URL, e.g. http://127.0.0.1:8000/catalog.ttl"
    )
    arguments.add_argument("--profiles", required=True, help='e.g. "euro_dcat_ap_3"')
    arguments.add_argument("--schema", type=Path, help="a ckanext-scheming dataset schema")
    given = arguments.parse_args()
    logging.disable(logging.CRITICAL)  # CKAN logs the Solr it cannot reach; stdout is JSON only
    configure(given.schema)
    datasets = harvest(given.url, given.profiles.split())
    json.dump(datasets, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
