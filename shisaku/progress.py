"""Progress on long work: a count per stage on a terminal, timings with --verbose, silence otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Stage:
    """One stage of the work; `advance` moves its count on."""

    def __init__(self, progress: Progress, name: str, total: int | None) -> None:
        self.progress, self.name, self.total, self.done = progress, name, total, 0
        self.started = time.perf_counter()

    def advance(self, count: int = 1) -> None:
        self.done += count
        self.progress.show(self)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


class Progress:
    """Writes to stderr: counts that update in place on a terminal; nothing when piped or quiet."""

    def __init__(
        self,
        stream: TextIO | None = None,
        quiet: bool = False,
        verbose: bool = False,
        lang: str = "en",
    ) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.lang = lang  # of warnings
        self.verbose = verbose and not quiet
        self.live = not quiet and self.stream.isatty()
        self.timings: list[tuple[str, float]] = []

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Stage]:
        stage = Stage(self, name, total)
        self.show(stage)
        yield stage
        self.timings.append((name, stage.seconds))
        if self.live:
            self.stream.write("\r\033[K")
        if self.verbose:
            count = f" {stage.done}" if stage.done else ""
            self.stream.write(f"{name}:{count} {stage.seconds:.2f} s\n")
        self.stream.flush()

    def show(self, stage: Stage) -> None:
        if not self.live:
            return
        count = (
            f" {stage.done}/{stage.total}"
            if stage.total
            else (f" {stage.done}" if stage.done else "")
        )
        self.stream.write(f"\r\033[K{stage.name}…{count}")
        self.stream.flush()

    def warn(self, text: dict[str, str]) -> None:
        """Something the user should know that is not a problem of the content (a line in the
        user's language: text is {"en": ..., "ja": ...})."""
        if not self.quiet:
            self.stream.write(
                ("\r\033[K" if self.live else "") + text.get(self.lang, text["en"]) + "\n"
            )
            self.stream.flush()

    def total(self) -> None:
        if self.verbose:
            self.stream.write(f"total: {sum(s for _, s in self.timings):.2f} s\n")


QUIET = Progress(quiet=True)
