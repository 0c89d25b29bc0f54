"""What crawlers and hosts are told: sitemap.xml and robots.txt (how search engines find every
page, in every language), and _headers (the response headers a static host should send).

The DCAT catalogue (catalog.py) describes the data; these list the pages. They are made by
the build's own process, which does not import the catalogue's RDF library.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from .pages import Page


def sitemap(pages: list[Page], absolute: Callable[[str], str]) -> bytes:
    """Every page with its language twins as xhtml:link alternates (not 404 or search results)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    listed = [p for p in pages if p.alternates and p.template != "search.html"]

    def href(url: str) -> str:
        full = absolute(url)
        # most URLs have nothing to escape: quoteattr only for the few that have
        if TO_ESCAPE.search(full):
            from xml.sax.saxutils import quoteattr  # (it imports urllib: not for every build)

            return quoteattr(full)
        return f'"{full}"'

    # The twins of a page in every language share their alternates: their links are the same
    links_of: dict[tuple[int, str], str] = {}
    for page in sorted(listed, key=lambda p: p.url):
        shared = (id(page.alternates), page.x_default)
        links = links_of.get(shared)
        if links is None:
            links = links_of[shared] = "".join(
                [
                    *(
                        f'\n    <xhtml:link rel="alternate" hreflang="{lang}" href={href(url)}/>'
                        for lang, url in page.alternates.items()
                    ),
                    '\n    <xhtml:link rel="alternate" hreflang="x-default"'
                    f" href={href(page.x_default)}/>",
                ]
            )
        lines.append(
            f"  <url>\n    <loc>{html.escape(absolute(page.url), quote=False)}</loc>{links}\n  </url>"
        )
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


TO_ESCAPE = re.compile("[&<>\"'\n\r\t]")


def robots(absolute: Callable[[str], str]) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute('sitemap.xml')}\n".encode()


# The Content-Type of each kind of file: harvesters choose their parser by it. The preview
# server sends these, _headers asks static hosts for them, the README's examples match them.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css",
    ".js": "application/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".csv": "text/csv; charset=utf-8",
    ".zip": "application/zip",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CSVW_TYPE = "application/csvm+json"  # CSVW metadata, *.csv-metadata.json, as DCAT declares it
# Types many hosts get wrong (or send without a charset): named file by file in _headers.
NAMED = (".ttl", ".jsonld", ".csv", ".csv-metadata.json")


def content_type(name: str) -> str:
    """The Content-Type of a file of the site, by its name."""
    if name.endswith("-metadata.json"):  # CSVW metadata beside its CSV
        return CSVW_TYPE
    dot = name.rfind(".")
    return CONTENT_TYPES.get(name[dot:].lower() if dot >= 0 else "", "application/octet-stream")


def host_headers(paths: list[str], base_path: str) -> bytes:
    """_headers, for static hosts that read it (Netlify, Cloudflare Pages): nosniff on every
    file; the data and the catalogue open to browser clients of other sites (CORS); and, file
    by file, the types above for the files hosts often send wrongly. Each rule has at most one
    *, at its end, which every such host understands."""
    lines = [
        "# Response headers for static hosts that read this file (Netlify, Cloudflare Pages),",
        "# written by the build. nginx and Apache: see the README.",
        f"{base_path}*",
        "  X-Content-Type-Options: nosniff",
        f"{base_path}data/*",
        "  Access-Control-Allow-Origin: *",
    ]
    for path in sorted(paths):
        if not path.endswith(NAMED):
            continue
        lines += [f"{base_path}{path}", f"  Content-Type: {content_type(path)}"]
        if not path.startswith("data/"):  # the catalogue, beside the data
            lines.append("  Access-Control-Allow-Origin: *")
    return ("\n".join(lines) + "\n").encode("utf-8")
