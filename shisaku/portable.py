"""What differs between Linux, macOS and Windows, in one place, each with a fallback.

The build uses a few calls that only some systems have: forked workers (POSIX), an atomic
exchange of two folders (Linux's renameat2), a child that dies with its parent (Linux's
prctl), a lock that the system drops when its holder dies (fcntl on POSIX, msvcrt on
Windows), and, for the preview server, a higher limit of open files (POSIX's setrlimit).
Everything else runs the same everywhere. Setting SHISAKU_FALLBACKS=1 makes the
build take every fallback even where the better call exists: the tests use it to check that
the fallbacks give the same site, byte for byte.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .fingerprint import NO_FOLLOW


def forced() -> bool:
    """True when every fallback is to be taken (SHISAKU_FALLBACKS=1)."""
    return os.environ.get("SHISAKU_FALLBACKS", "") not in ("", "0")


def can_fork() -> bool:
    """Forked workers share the model without copying it; where there is no fork (Windows)
    or fallbacks are forced, the build renders everything in its own process."""
    return not forced() and "fork" in multiprocessing.get_all_start_methods()


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2), so that site/ is never missing.

    False where the C library or the file system cannot: the caller falls back to renames.
    """
    if forced():
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):  # Windows has no C library to load by None
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    return renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a forked worker: end when the build ends, even by SIGKILL, so that no worker
    outlives it writing into its staging folder (Linux prctl; elsewhere nothing)."""
    if not forced():
        with contextlib.suppress(OSError, AttributeError, TypeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died between the fork and the line above
        os._exit(1)


LOCK_POLL = 0.1  # seconds between two tries of a lock held by another build


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the file at path for as long as the block runs, waited for.

    fcntl (POSIX) or msvcrt (Windows) locks are dropped by the system when their holder
    dies, killed or not. Where neither exists, or fallbacks are forced, the lock is a file
    beside it, created exclusively and removed at the end; one left by a killed build is
    taken over once its holder's process is gone (or, where that cannot be known, after
    STALE_LOCK seconds).
    """
    lock = None if forced() else system_lock()
    if lock is None:
        with _lock_by_existence(path):
            yield
        return
    # Not through a link planted under the lock's name: a build would lock, and create,
    # a file elsewhere.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | NO_FOLLOW, 0o644)
    try:
        lock(fd)
        yield
    finally:
        os.close(fd)  # the lock goes with the descriptor


def system_lock() -> Callable[[int], None] | None:
    """A function that waits for an exclusive lock on an open file, or None on a system with
    neither fcntl nor msvcrt."""
    try:
        import fcntl

        return lambda fd: fcntl.flock(fd, fcntl.LOCK_EX)
    except ImportError:
        pass
    try:
        import msvcrt
    except ImportError:
        return None

    def lock(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                time.sleep(LOCK_POLL)

    return lock


STALE_LOCK = 600.0


@contextlib.contextmanager
def _lock_by_existence(path: Path) -> Iterator[None]:
    """The lock file made with O_EXCL, holding this process's id, and removed at the end."""
    mine = path.with_name(path.name + ".held")
    while True:
        try:
            fd = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            if _stale(mine):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(mine)
                continue
            time.sleep(LOCK_POLL)
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        # the same lock file beside site/ as with a system lock, not made through a link
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | NO_FOLLOW, 0o644))
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(mine)


def _stale(held: Path) -> bool:
    """A lock file whose process has ended (or too old to tell)."""
    try:
        pid = int(held.read_text(encoding="ascii") or "0")
        age = time.time() - held.stat().st_mtime
    except (OSError, ValueError):
        return False  # being written, or just removed: try again
    if os.name == "posix" and pid > 0:
        try:
            os.kill(pid, 0)
        except OSError as error:
            return error.errno == errno.ESRCH
        return False
    return age > STALE_LOCK


OPEN_FILES_WANTED = 65536  # enough for thousands of connections, far fewer than some hard limits
MACOS_OPEN_MAX = 10240  # macOS refuses a soft limit above this, whatever its hard limit says


def more_open_files(wanted: int = OPEN_FILES_WANTED) -> int | None:
    """Raise this process's soft limit of open file descriptors towards `wanted`, as far as its
    hard limit allows (the Go runtime does the same at start); the soft limit then, or None
    where there is no such limit (Windows) or none at all.

    The preview server holds a descriptor per connection: under the usual soft limits (256 on
    macOS, 1,024 on Linux) a client that leaves a thousand connections open would make it
    refuse every other one until they time out. Where it cannot be raised, nothing changes."""
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return None
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    for limit in (target, min(target, MACOS_OPEN_MAX)):
        if soft >= limit:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
            return limit
        except (OSError, ValueError):
            continue
    return soft
