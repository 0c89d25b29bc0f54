"""Work spread over every core: forked worker processes that share the build's objects (the
model, the pages) without copying them; only their small results come back. Where there is no
fork (Windows), or fallbacks are forced, the same work runs in the build's own process, in the
same order, and gives the same bytes.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from types import TracebackType
from typing import Any

from . import portable

_shared: Any = None  # what the workers were forked with: read by the tasks through shared()


def shared() -> Any:
    """The object given to the Pool, in a worker or in the build's own process."""
    return _shared


class Pool:
    """A pool of forked workers over every core, sharing one object with the tasks; used as a
    context manager. Tasks are module-level functions (they are sent by name)."""

    def __init__(self, share: Any) -> None:
        global _shared
        _shared = share
        self._executor: ProcessPoolExecutor | None = None
        if portable.can_fork() and (os.cpu_count() or 1) > 1:
            # What lives now lives until the pool ends: the collector of each worker need not
            # walk it (and so touch, and copy, the pages of memory it shares with the build).
            # But first the garbage goes: frozen, the cycles an earlier build left (its Jinja
            # environment and templates, its model) would be carried along with the live
            # objects. The build pauses the collector while it loads and validates
            # (pipeline.collector_paused), so the full pass that frees them hardly ever comes
            # between one build's unfreeze and the next one's freeze: in `serve`, which builds
            # again and again in one process, each build's cycles were kept for good (about
            # 0.4 MB a build on the real content). The pass costs some 20 ms on the real
            # content, 0.2 s on a city of 1,500 projects a year.
            gc.collect()
            gc.freeze()
            self._executor = ProcessPoolExecutor(
                max_workers=min(os.cpu_count() or 1, 8),
                mp_context=get_context("fork"),
                initializer=portable.die_with_parent,
                initargs=(os.getpid(),),
            )

    def submit(self, task: Callable[..., Any], *args: Any) -> Future[Any]:
        """task(*args) in a worker; in this process, right now, when there are none."""
        if self._executor is not None:
            return self._executor.submit(task, *args)
        done: Future[Any] = Future()
        try:
            done.set_result(task(*args))
        except Exception as error:
            done.set_exception(error)
        return done

    def map(self, task: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """task(item) for each item, over the workers; the results in order."""
        if self._executor is not None:
            return self._executor.map(task, items)
        return map(task, items)

    def __enter__(self) -> Pool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        global _shared
        if self._executor is not None:
            # On failure the queued tasks are dropped and the workers ended, not waited for.
            running = list((getattr(self._executor, "_processes", None) or {}).values())
            self._executor.shutdown(wait=error is None, cancel_futures=True)
            if error is not None:
                for process in running:
                    process.kill()
                    process.join()
            gc.unfreeze()
        _shared = None
