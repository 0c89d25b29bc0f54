"""sitemap.xml and robots.txt: how search engines find every page, in every language.

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
