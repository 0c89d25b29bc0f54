"""The search index: Pagefind over the rendered pages, one index per language."""

from __future__ import annotations

import ctypes
import json
import signal
import subprocess
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


def index(site: Path) -> None:
    """Write site/pagefind/: the index and Pagefind's own UI script and styles.

    The extended build segments Japanese text into words, so 融資 finds 資金融資事業.
    """
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=die_with_parent,
    )
    if result.returncode != 0:
        raise SearchIndexError(result.stderr.strip() or result.stdout.strip())
    sort_entry(site / "pagefind" / "pagefind-entry.json")


def die_with_parent() -> None:
    """In the child: end when the build ends, even by SIGKILL, so no indexer outlives it and
    writes into a staging folder the next build is cleaning up (Linux; elsewhere nothing)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def sort_entry(entry: Path) -> None:
    """Pagefind lists the languages in a random order; sorted, two builds give the same bytes."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(
        json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        encoding="utf-8",
    )
