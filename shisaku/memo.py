"""Rows of the tables of projects, rendered once and kept from one build to the next.

The listings of every project (home, projects/) are rendered on every build; nearly all of
their time is one table row per project. A row depends only on its project, its division,
the page's language, whether the table shows the year, and the site-wide parts (settings,
templates, code): its key is a digest of all of these. A rebuild after one project changed
renders that project's rows and joins the rest from the last build.

The rows kept for the next build are those of the pages rendered on every build. Other pages
(a policy's, a division's) share rows with them while this build renders, but are rendered
again only when they changed, and then make their few rows anew.

Pages render in forked workers: each worker's memo starts as the parent's, and what the
parent needs to keep goes back to it with each batch (`take`, then `absorb`).
"""

from __future__ import annotations

import hashlib

from .model import Project

# Row keys a worker used for pages rendered on every build, each with its row when the
# parent may not have it (made in this build), or None (one of the last build's rows).
Taken = dict[bytes, bytes | None]


class RowMemo:
    """Row HTML by key: the last build's rows, and the rows made in this build.

    Rows are UTF-8 bytes: a str of Japanese text takes two bytes a character, and pickling
    one (to the parent, to the build cache) attaches a UTF-8 copy to it for good.
    """

    def __init__(self, digest: str = "", previous: dict[bytes, bytes] | None = None) -> None:
        # The site-wide digest (settings, divisions, templates, code) starts every key: rows
        # of a build with other settings or templates are never found.
        self.digest = digest.encode()
        self.previous = previous or {}
        self.made: dict[bytes, bytes] = {}  # in this process
        self.kept: dict[bytes, bytes] = {}  # in the parent: for the next build
        # Whether the page being rendered is rendered on every build (its rows are kept).
        self.keeping = True
        self._taken: Taken = {}  # since the last take

    def key(self, project: Project, lang: str, show_year: bool) -> bytes:
        keyed = f"\0{lang}\0{show_year}\0".encode() + project.digest
        return hashlib.sha256(self.digest + keyed).digest()

    def get(self, key: bytes) -> bytes | None:
        old = self.previous.get(key)
        row = self.made.get(key) if old is None else old
        if row is not None and self.keeping:
            self._taken[key] = None if old is not None else row
        return row

    def add(self, key: bytes, row: bytes) -> bytes:
        self.made[key] = row
        if self.keeping:
            self._taken[key] = row
        return row

    def take(self) -> Taken:
        """The rows to keep since the last take (in a worker, for the parent)."""
        taken, self._taken = self._taken, {}
        return taken

    def absorb(self, taken: Taken) -> None:
        """In the parent: a batch's rows to keep for the next build."""
        for key, row in taken.items():
            self.kept[key] = self.previous[key] if row is None else row
