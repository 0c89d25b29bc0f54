"""Rows of the tables of projects, rendered once and kept from one build to the next.

The listings of every project (home, projects/) are rendered on every build; nearly all of
their time is one table row per project. A row depends only on its project, its division,
the page's language, whether the table shows the year, and the site-wide parts (settings,
templates, code): its key is a digest of all of these. A rebuild after one project changed
renders that project's rows and joins the rest from the last build.

Pages render in forked workers: each worker's memo starts as the parent's, and the rows it
made and used go back to the parent with each batch (`take`, then `absorb`), to be kept.
"""

from __future__ import annotations

import hashlib
import operator
import pickle
from dataclasses import fields

from .model import Project

# Every field of a project but the path of its file, which no page shows and which depends
# on the working folder: a row keyed by all of them stays right whatever the template shows.
KEYED_FIELDS = operator.attrgetter(*(f.name for f in fields(Project) if f.name != "file"))

Taken = tuple[dict[str, str], set[str]]


class RowMemo:
    """Row HTML by key: the last build's rows, and the rows made in this build."""

    def __init__(self, digest: str = "", rows: dict[str, str] | None = None) -> None:
        # The site-wide digest (settings, divisions, templates, code) starts every key: rows
        # of a build with other settings or templates are never found.
        self.digest = digest.encode()
        self.rows: dict[str, str] = dict(rows or {})
        self.kept: dict[str, str] = {}  # the rows this build used, for the next build
        self._made: dict[str, str] = {}  # made since the last take
        self._used: set[str] = set()  # looked up since the last take

    def key(self, project: Project, lang: str, show_year: bool) -> str:
        keyed = pickle.dumps(
            (lang, show_year, KEYED_FIELDS(project)), protocol=pickle.HIGHEST_PROTOCOL
        )
        return hashlib.sha256(self.digest + keyed).hexdigest()

    def get(self, key: str) -> str | None:
        self._used.add(key)
        return self.rows.get(key)

    def add(self, key: str, html: str) -> str:
        self.rows[key] = self._made[key] = html
        return html

    def take(self) -> Taken:
        """The rows made and the keys used since the last take (a worker's, for the parent)."""
        taken = (self._made, self._used)
        self._made, self._used = {}, set()
        return taken

    def absorb(self, taken: Taken) -> None:
        """In the parent: a batch's rows, to join later pages and to be kept for the next build."""
        made, used = taken
        self.rows.update(made)
        for key in used:
            if key in self.rows:
                self.kept[key] = self.rows[key]
