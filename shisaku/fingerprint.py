"""The fingerprint of everything a site is built from, kept beside site/ so that a build with
nothing changed does nothing. It is the only thing kept from one build to the next.

It covers the content tree, the templates, the schemas, this package's code, the versions of
the libraries that shape the output, Python's own version and SOURCE_DATE_EPOCH, and a
listing of site/ as the last build left it (so that a site changed or removed by hand is
built again). It is kept in `.{site}.state.json` beside the output folder, not in it: site/
is byte for byte what the build makes. Only the standard library is imported here, so that
the check stays quick when nothing changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import unicodedata
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent
SCHEMA = PACKAGE.parent / "schema"
LIBRARIES = (
    "jinja2",
    "markupsafe",
    "pyyaml",
    "markdown-it-py",
    "nh3",
    "frictionless",
    "xlsxwriter",
    "rdflib",
)


def inputs_digest(content: Path, templates: Path) -> str:
    """One digest of every input of a build but site/ itself."""
    hasher = hashlib.sha256()
    for folder in (content, templates, SCHEMA, PACKAGE):
        add_folder(hasher, folder)
    for library in LIBRARIES:
        try:
            hasher.update(f"{library}={metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            hasher.update(f"{library}=none\0".encode())
    hasher.update(("SOURCE_DATE_EPOCH=" + os.environ.get("SOURCE_DATE_EPOCH", "")).encode())
    # Python's Unicode tables shape NFKC, lower case and \w in the search index
    hasher.update(f"\0python={sys.version}\0unicode={unicodedata.unidata_version}".encode())
    return hasher.hexdigest()


def add_folder(hasher: Any, folder: Path) -> None:
    """Every file below folder, by its path and bytes (a link by where it points: it is never
    followed), or that the folder is missing."""
    if not folder.is_dir():
        hasher.update(b"\0missing\0" + os.fsencode(folder))
        return
    for name, path, kind in sorted(files_below(str(folder), "")):
        hasher.update(f"{name}\0{kind}\0".encode("utf-8", "surrogateescape"))
        if kind == "link":
            hasher.update(os.fsencode(os.readlink(path)))
        elif kind == "file":
            with open(path, "rb") as stream:  # its size, then its bytes, into the one digest
                hasher.update(b"%d\0" % os.fstat(stream.fileno()).st_size)
                while chunk := stream.read(1 << 20):
                    hasher.update(chunk)


def files_below(folder: str, prefix: str) -> list[tuple[str, str, str]]:
    """(name inside the folder, path, "file", "link" or "other") of everything below it but
    folders, in no order; Python's caches left out. Only regular files are read: a named
    pipe would block the build."""
    found = []
    with os.scandir(folder) as scan:
        for entry in scan:
            name = prefix + entry.name
            if entry.is_symlink():
                found.append((name, entry.path, "link"))
            elif entry.is_dir():
                if entry.name != "__pycache__":
                    found += files_below(entry.path, name + "/")
            else:
                found.append((name, entry.path, "file" if entry.is_file() else "other"))
    return found


def site_listing(site: Path) -> str:
    """A digest of every file of site/ with its size and modification time, and of every
    folder in it ("missing" when there is no site/): a file edited by hand changes it."""
    if not site.is_dir():
        return "missing"
    entries: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.is_dir(follow_symlinks=False):
                    entries.append(prefix + entry.name + "/")
                    walk(entry.path, prefix + entry.name + "/")
                else:
                    status = entry.stat(follow_symlinks=False)
                    entries.append(f"{prefix}{entry.name}\0{status.st_size}\0{status.st_mtime_ns}")

    walk(str(site), "")
    text = "\n".join(sorted(entries))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def output_folder(site: Path) -> Path:
    """The folder a build writes for --out site, and keeps the state of: its absolute path,
    or where site is a symbolic link (to a deploy folder, say) the folder it points to, so
    that the new site is swapped in there and the link stays."""
    return Path(os.path.realpath(site)) if site.is_symlink() else Path(os.path.abspath(site))


def state_file(site: Path) -> Path:
    return site.parent / f".{site.name}.state.json"


# Where the system has it: a state file that is a link (planted beside site/ by someone who
# can write that folder) is not followed, neither read nor written through.
NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_state(site: Path) -> dict[str, Any]:
    """What the last successful build left beside site/: empty when there is nothing, it is
    damaged, a link, or another user's file (never trusted to skip a build)."""
    try:
        fd = os.open(state_file(site), os.O_RDONLY | NO_FOLLOW)
    except OSError:
        return {}
    try:
        with os.fdopen(fd, "rb") as stream:
            status = os.fstat(stream.fileno())
            if hasattr(os, "getuid") and status.st_uid != os.getuid():
                return {}
            state = json.loads(stream.read(1 << 20))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def unchanged(site: Path, inputs: str) -> bool:
    """True when site/ was built from exactly these inputs and is still as that build left it."""
    state = read_state(site)
    return state.get("inputs") == inputs and state.get("site") == site_listing(site)


def remember(site: Path, inputs: str) -> None:
    """After a successful build: what site/ was built from, and what it holds now."""
    state = {"inputs": inputs, "site": site_listing(site)}
    target = state_file(site)
    # A new file of our own under a name nobody could guess (O_EXCL), then renamed over the
    # old one: a link planted at either name is replaced or avoided, never written through.
    fd, temporary = tempfile.mkstemp(prefix=target.name + ".", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(state) + "\n")
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def forget(site: Path) -> None:
    """Before a swap: a build killed after it must not leave the old state beside a new site."""
    state_file(site).unlink(missing_ok=True)
