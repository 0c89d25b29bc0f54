"""The one writer of site/: every file goes to a fresh folder that replaces site/ only at the end."""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

RENAME_EXCHANGE = 2
AT_FDCWD = -100


class WriteError(Exception):
    """Two outputs claimed the same path, or a path left the site."""


class Writer:
    """Collects the site in a staging folder beside site/, then swaps it in whole."""

    def __init__(self, site: Path) -> None:
        self.site = site
        site.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(dir=site.parent, prefix=f".{site.name}-build-"))
        self.written: dict[str, bytes] = {}

    def write(self, path: str, content: bytes | str) -> None:
        """Write one file at a site-relative path such as `data/datapackage.json`."""
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise WriteError(f"{path}: not a path inside the site")
        if path in self.written:
            raise WriteError(f"{path}: written twice (two pages or files claim the same URL)")
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.staging.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written[path] = data

    def commit(self) -> None:
        """Make the staged folder the site. The old site stays whole until the swap."""
        os.chmod(self.staging, 0o755)
        if not self.site.exists():
            os.rename(self.staging, self.site)
            return
        if not _exchange(self.staging, self.site):
            old = self.staging.with_name(self.staging.name + "-old")
            os.rename(self.site, old)
            os.rename(self.staging, self.site)
            self.staging = old
        shutil.rmtree(self.staging, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2), so site/ is never missing or half-built."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return result == 0
