"""Markdown pages -> safe HTML: used by validate (a page that cannot be rendered is a problem)
and by render (the page's body)."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark and GitHub's tables; raw HTML passes to the sanitizer below.
MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")

MARKDOWN_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "hr",
    "abbr",
}
MARKDOWN_ATTRIBUTES = {
    "a": {"href", "title", "hreflang", "lang"},
    "th": {"scope"},
    "abbr": {"title"},
}


def render_markdown(text: str) -> Markup:
    """A Markdown page's body as HTML, without its title line (the template shows the title)."""
    body = text.lstrip().partition("\n")[2] if text.lstrip().startswith("# ") else text
    html = MARKDOWN.render(body)
    # Staff may paste raw HTML into Markdown: only an allow-list of tags survives, and no
    # script, event handler, style or javascript: URL.
    clean = nh3.clean(
        html,
        tags=MARKDOWN_TAGS,
        attributes=MARKDOWN_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    )
    return Markup(clean)


def page_title(text: str) -> str | None:
    """The title of a Markdown page: its first line, when that is a '# ' heading."""
    first = text.lstrip().split("\n", 1)[0]
    return (first[2:].strip() or None) if first.startswith("# ") else None
