"""Rebuilds: a fingerprint of every input, kept beside site/, so an unchanged build is skipped,
and what each page was rendered from, so a changed build renders only the pages that changed.

The fingerprint covers everything the output depends on: the content tree, the templates, the
schemas, this package's code, the versions of the libraries that shape the output, and
SOURCE_DATE_EPOCH. It is kept in `.{site}.state.json` beside the output folder (not in it: site/
must stay byte-identical to a full build), with a listing of the site it was written for, so
a site changed or deleted by hand is rebuilt. Only standard-library imports here: the check
must stay quick when nothing changed.

The build cache (`.{site}.cache.pickle` and `.{site}.cache-data.pickle`, beside it too) holds,
for each file of the site, its token (a page's key: a digest of what it was rendered from;
any other file's digest), each page's searchable text, the search index in memory, and the
same tokens for the spare folder (`.{site}-spare`, the site before the last one). It is used
only when site/ is exactly as the last build left it and the templates, schemas, code and
libraries are the same; pages whose key is unchanged are then not rendered again, and the
spare is brought up to date when its listing is the one recorded. The cache is ours, written
by the same code that reads it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import marshal
import os
import pickle
import signal
import sys
import time
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

PACKAGE = Path(__file__).resolve().parent
SCHEMA = PACKAGE.parent / "schema"
LIBRARIES = (
    "jinja2",
    "pyyaml",
    "markdown",
    "nh3",
    "frictionless",
    "openpyxl",
    "rdflib",
    "markupsafe",
)


# A file changed this close to when it was read may change again within the same tick of its
# timestamps (1 s on some file systems, 2 s on FAT) and keep its status: its digest is not
# trusted by the next build, which reads it again (git's "racily clean" files).
SETTLED_NS = 3_000_000_000


@dataclass
class Inputs:
    """What a build is made from: one digest of it all, and each content file's digest."""

    digest: str
    digests: dict[str, str]  # path inside content/ -> sha256 of its bytes (or of its link)
    # path inside content/ -> [size, mtime_ns, ctime_ns, inode, sha256]: kept for the next
    # build, which reads again only the files whose status differs (or that had not settled)
    statuses: dict[str, list[Any]]


def content_digests(
    content: Path, known: dict[str, list[Any]]
) -> tuple[dict[str, str], dict[str, list[Any]]]:
    """Each file's digest, read only when its status is not the one known; and the statuses to
    keep. A write always changes a file's ctime, which no tool can set back."""
    started = time.time_ns()
    digests: dict[str, str] = {}
    seen: dict[str, list[Any]] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        for entry in entries:
            name = prefix + entry.name
            if entry.is_symlink():  # never read through a link: it may point outside content/
                digests[name] = "->" + os.readlink(entry.path)
            elif entry.is_dir():
                if entry.name != "__pycache__":
                    walk(entry.path, name + os.sep)
            elif entry.is_file():
                status = entry.stat()
                now = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]
                before = known.get(name)
                if before is not None and before[:4] == now and before[4]:
                    digests[name] = before[4]
                else:
                    with open(entry.path, "rb") as stream:
                        digests[name] = hashlib.file_digest(stream, "sha256").hexdigest()
                seen[name] = now
            else:
                digests[name] = ""

    if content.is_dir():
        walk(str(content), "")
    return digests, settled_statuses(seen, digests, started)


def settled_statuses(
    seen: dict[str, list[Any]], digests: dict[str, str], started: int
) -> dict[str, list[Any]]:
    """The statuses for the next build, with a digest only for the files that settled: changed
    more than SETTLED_NS before both this machine's clock and the latest change seen in the
    content (its file system's clock, which may be another machine's)."""
    latest = max((max(status[1], status[2]) for status in seen.values()), default=0)
    now = min(started, latest)
    return {
        name: [*status, digests[name] if now - max(status[1], status[2]) > SETTLED_NS else ""]
        for name, status in seen.items()
    }


def fingerprint(
    content: Path,
    templates: Path,
    shell_digest: str | None = None,
    known: dict[str, list[Any]] | None = None,
) -> Inputs:
    """Everything the site is built from (shell_digest: shell(templates), when known; known:
    the statuses the last build kept)."""
    digests, statuses = content_digests(content, known or {})
    hasher = hashlib.sha256()
    add_folder(hasher, content, digests)
    hasher.update((shell_digest or shell(templates)).encode())
    return Inputs(hasher.hexdigest(), digests, statuses)


def add_folder(hasher: hashlib._Hash, folder: Path, digests: dict[str, str]) -> None:
    """A folder's files (content_digests' digests), or that it is missing, into hasher."""
    if not folder.is_dir():
        hasher.update(b"\0missing\0" + str(folder).encode("utf-8", "surrogateescape"))
    for name, digest in digests.items():
        hasher.update(f"{name}\0{digest}\0".encode("utf-8", "surrogateescape"))


def shell(templates: Path) -> str:
    """Everything but the content: templates, schemas, this code, libraries, SOURCE_DATE_EPOCH."""
    hasher = hashlib.sha256()
    for folder in (templates, SCHEMA, PACKAGE):
        add_folder(hasher, folder, content_digests(folder, {})[0])
    for library in LIBRARIES:
        try:
            hasher.update(f"{library}={metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            hasher.update(f"{library}=none\0".encode())
    hasher.update(("SOURCE_DATE_EPOCH=" + os.environ.get("SOURCE_DATE_EPOCH", "")).encode())
    # Python's Unicode tables shape NFKC, lower case and \w in the search index
    hasher.update(f"python={sys.version}\0unicode={unicodedata.unidata_version}".encode())
    return hasher.hexdigest()


def site_listing(site: Path) -> str:
    return listing_digest(listing_entries(site))


def listing_entries(site: Path) -> list[str] | None:
    """Every file of a folder with its size and time, and every folder in it (None: no
    folder): os.scandir, since pathlib per file was most of the time of a no-change rebuild
    at 20,000 pages."""
    entries: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.is_dir(follow_symlinks=False):
                    # a folder by its name only: its time changes with what is in it
                    entries.append(prefix + entry.name + "/")
                    walk(entry.path, prefix + entry.name + "/")
                else:
                    # size and modification time: a file edited by hand is noticed
                    stat = entry.stat(follow_symlinks=False)
                    entries.append(listing_entry(prefix + entry.name, stat))

    if not site.is_dir():
        return None
    walk(str(site), "")
    return entries


def listing_entry(path: str, stat: os.stat_result) -> str:
    return f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}"


def listing_digest(entries: Iterable[str] | None) -> str:
    """The digest of a folder's listing_entries, in any order."""
    if entries is None:
        return "missing"
    return hashlib.sha256("\n".join(sorted(entries)).encode("utf-8", "surrogateescape")).hexdigest()


def spare_folder(site: Path) -> Path:
    """The site before the last one, kept beside site/: the next build updates it (the few
    files that changed) and swaps it in, rather than make 20,000 links in a new folder."""
    return site.with_name(f".{site.name}-spare")


def state_file(site: Path) -> Path:
    return site.parent / f".{site.name}.state.json"


def read_state(site: Path) -> dict[str, Any]:
    """What the last successful build left beside site/ (empty when nothing or damaged)."""
    try:
        state = json.loads(state_file(site).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict) or not isinstance(state.get("files", {}), dict):
        return {}
    return state


class Listing:
    """The listings of site/ and of the spare folder beside it, made by a forked child while
    this process goes on (the rest of the survey, importing the pipeline, reading the last
    build's cache). `value()` waits for site/'s digest; `spare_entries()` for the spare's
    entries, which a build updates into the listing of the site it swaps in. Where fork is
    missing, made right away."""

    def __init__(self, site: Path) -> None:
        self._value: str | None = None
        self._spare: list[str] | None = None
        self._pid = 0
        if not hasattr(os, "fork"):
            self._value = site_listing(site)
            self._spare = listing_entries(spare_folder(site))
            return
        read, write = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: the listings, down the pipe, and nothing else
            status = 1
            try:
                os.close(read)
                with os.fdopen(write, "wb") as stream:
                    stream.write(site_listing(site).encode() + b"\n")
                    stream.flush()  # the build may go on with this while the spare is listed
                    stream.write(marshal.dumps(listing_entries(spare_folder(site))))
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._stream: BinaryIO | None = os.fdopen(read, "rb")

    def value(self) -> str:
        if self._value is None:
            assert self._stream is not None
            # a child that failed (a folder removed while it listed): no listing, no reuse
            self._value = self._stream.readline().decode().strip() or "unknown"
        return self._value

    def spare_entries(self) -> list[str] | None:
        """The spare folder's listing_entries (None: none, or unknown)."""
        self.value()
        if self._stream is not None:
            try:
                self._spare = marshal.loads(self._stream.read())
            except (ValueError, EOFError, TypeError):
                self._spare = None
            self.close()
        return self._spare

    def close(self) -> None:
        """Done with the child, whether or not it finished."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)


@dataclass
class Survey:
    """What the last build left beside site/, and what is there now."""

    state: dict[str, Any]  # read_state's
    inputs: Inputs  # the content, templates, code... now
    site: Listing  # site_listing of site/ now, and the spare folder's entries

    @property
    def listing(self) -> str:
        return self.site.value()

    def spare(self) -> list[str] | None:
        """The listing_entries of the spare folder, when they are the ones the last build
        recorded (else None: the spare is not to be used)."""
        entries = self.site.spare_entries()
        recorded = self.state.get("spare")
        return entries if recorded and listing_digest(entries) == recorded else None

    @property
    def unchanged(self) -> bool:
        """True when site/ was built from exactly these inputs and is still as it was written."""
        return (
            bool(self.state)
            and self.state.get("inputs") == self.inputs.digest
            and self.state.get("site") == self.listing
        )


def survey(content: Path, templates: Path, site: Path, shell_digest: str | None = None) -> Survey:
    """The listing of site/ (a stat of every file) is made by another process meanwhile: when
    the inputs changed, the build starts before it is done."""
    state = read_state(site)
    listing = Listing(site)
    inputs = fingerprint(content, templates, shell_digest, state.get("files"))
    return Survey(state, inputs, listing)


def remember(
    inputs: Inputs, site: Path, caches: dict[str, str | None], listing: str, spare: str | None
) -> None:
    """After a successful build: what it was built from, what it wrote (site_listing of it)
    and what is in the spare folder (None: nothing known), and the digest of each part of the
    build cache it left (a part whose bytes differ is not read; None: that part was not
    written)."""
    state = {
        "inputs": inputs.digest,
        "site": listing,
        "spare": spare,
        "caches": caches,
        "files": inputs.statuses,
    }
    state_file(site).write_text(json.dumps(state) + "\n", encoding="utf-8")


def forget(site: Path) -> None:
    """Before a swap: a build killed after it must not leave the old state beside the new site."""
    state_file(site).unlink(missing_ok=True)


@dataclass
class BuildCache:
    """What the last build rendered each page from, the search index it wrote, and the
    compressed chunks of its data package, the rows of its tables of projects, and its
    content files."""

    shell: str = ""
    # Each file of the site this build wrote, by its path in it: a page's key (a digest of
    # what it is rendered from), or render.content_token of the bytes of any other file
    files: dict[str, str] = field(default_factory=dict)
    spare_files: dict[str, str] = field(default_factory=dict)  # the same, of the spare folder
    documents: dict[str, Any] = field(default_factory=dict)  # page output -> search.Document
    index: Any = None  # search.Index
    # The content files of the last build, all valid: marshal of {path inside content/:
    # (sha256, data)}, read in place of unchanged files
    parsed: bytes = b""
    checked: Any = None  # validate.Checked: what validation found right, not to check again
    chunks: dict[bytes, bytes] = field(default_factory=dict)  # data.package_files's store
    rows: dict[bytes, bytes] = field(default_factory=dict)  # memo.RowMemo key -> a table row
    templates: dict[str, bytes] = field(default_factory=dict)  # render.KeptBytecode's store

    def __getstate__(self) -> dict[str, Any]:
        # The documents as columns (search.pack): pickling 20,000 Document objects, and their
        # text as str, was half the time of reading and writing the cache.
        from shisaku import search  # only when a cache is written or read, not for the survey

        state = vars(self).copy()
        found = [(output, d) for output, d in self.documents.items() if d is not None]
        state["documents"] = (list(self.documents), [output for output, _ in found])
        state["documents"] += search.pack([d for _, d in found])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        from shisaku import search

        outputs, found, urls, langs, titles, texts = state.pop("documents")
        vars(self).update(state)
        # in the order they were in, None for a page without searchable text
        self.documents = dict.fromkeys(outputs)
        documents = search.unpack((urls, langs, titles, texts))
        self.documents.update(zip(found, documents, strict=True))


# The build cache is in two files: the data process writes its part (the package's chunks and
# the content files) while the pages render; the build writes the rest at its end.
MAIN_PART, DATA_PART = "cache", "cache-data"
PARTS = (MAIN_PART, DATA_PART)


def cache_file(site: Path, part: str = MAIN_PART) -> Path:
    return site.parent / f".{site.name}.{part}.pickle"


def partial(target: Path) -> Path:
    """Where a part of the cache is written before it is complete and the build succeeded."""
    return target.with_name(target.name + ".partial")


def previous_build(site: Path, shell_digest: str, now: Survey) -> BuildCache:
    """The last build's cache when it was built by the same shell; its pages only when site/
    is as that build left it. Else empty."""
    digests = now.state.get("caches") or {}
    cached = _load(cache_file(site), digests.get(MAIN_PART))
    if not isinstance(cached, BuildCache) or cached.shell != shell_digest:
        return BuildCache()
    data_part = _load(cache_file(site, DATA_PART), digests.get(DATA_PART))
    if isinstance(data_part, tuple) and len(data_part) == 2:
        cached.chunks, cached.parsed = data_part
    if now.state.get("site") != now.listing:
        # site/ changed by hand: none of its pages is reused; what the content held still is
        # (nor the spare's, which shares the files of site/ that had not changed)
        return dataclasses.replace(cached, files={}, spare_files={}, documents={}, index=None)
    return cached


def _load(path: Path, digest: str | None) -> Any:
    """A part of the cache, or None."""
    try:
        # A pickle runs code when loaded, and a damaged one may load with wrong values: only
        # the one this user wrote, that nobody else may change, with the bytes it had.
        stat = path.stat()
        if stat.st_uid != os.getuid() or stat.st_mode & 0o022:
            return None
        with path.open("rb") as stream:
            if digest is None or digest != _digest(stream):
                raise ValueError("the build cache is not the one the last build wrote")
            stream.seek(0)
            return pickle.load(stream)
    except Exception:  # a damaged cache is no cache: the build renders everything
        path.unlink(missing_ok=True)
        return None


# What the state file records of a part of the cache, to know it is the one written: its size
# and CRC-32. Against damage (a bad disk, a half copy, an old file put back), not an attacker,
# whom the owner and mode keep out: CRC-32 finds every error of up to 32 bits in a row and
# misses others once in 4 billion, at twice the speed of SHA-256 here (56 MB: 0.025 s).
def _digest(stream: BinaryIO) -> str:
    checking = _Checking()
    buffer = bytearray(1 << 18)  # one buffer read into again and again: no copy in memory
    view = memoryview(buffer)
    while size := stream.readinto(buffer):
        checking.add(view[:size])
    return checking.digest()


class _Checking:
    """The size and CRC-32 of bytes given a piece at a time."""

    def __init__(self) -> None:
        self.size, self.crc = 0, 0

    def add(self, data: bytes | memoryview) -> None:
        self.size += len(data)
        self.crc = zlib.crc32(data, self.crc)

    def digest(self) -> str:
        return f"crc32:{self.size}:{self.crc:08x}"


def keep(build_cache: BuildCache, site: Path) -> str:
    """After a successful build, for the next one; the digest of the bytes written."""
    target = cache_file(site)
    digest = write_partial(build_cache, target)
    os.replace(partial(target), target)
    return digest


def settle(site: Path, part: str, digest: str | None) -> str | None:
    """A part written by another process (write_partial) put in place, now the build succeeded."""
    target = cache_file(site, part)
    if digest is None:
        target.unlink(missing_ok=True)
        return None
    os.replace(partial(target), target)
    return digest


def write_partial(value: Any, target: Path) -> str:
    """value pickled to the partial name of target; the digest (_digest) of the bytes written."""
    written = partial(target)
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        with os.fdopen(os.open(written, flags, 0o600), "wb") as stream:
            checked = _Checked(stream)
            pickle.dump(value, checked, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        written.unlink(missing_ok=True)  # a disk full or a kill leaves no half cache
        raise
    return checked.checking.digest()


class _Checked:
    """A file to write to that also checks what goes through it (no second copy in memory)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.checking = stream, _Checking()

    def write(self, data: bytes) -> int:
        self.checking.add(data)
        return self.stream.write(data)


@contextlib.contextmanager
def one_build_at_a_time(site: Path) -> Iterator[None]:
    """An exclusive lock on `.{site}.lock` for a whole build, waited for: a build that reuses
    the pages of site/ must not see another build swap a new site/ in under it."""
    site.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(site.parent / f".{site.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # the lock goes with the descriptor (and with the process, if killed)
