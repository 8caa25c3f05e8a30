"""How long work reports its progress: the protocol, a silent reporter, a Rich one, plain lines."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class Reporter(Protocol):
    """Receives progress from long work; the CLI draws it, tests ignore it."""

    def start(self, phase: str, total: int) -> None:
        """Begin a phase of `total` units (rows)."""

    def advance(self, units: int) -> None:
        """Count `units` more done in the current phase."""

    def note(self, message: str) -> None:
        """Tell the operator something worth knowing (a warning, a per-file line)."""


class SilentReporter:
    """A reporter that shows nothing."""

    def start(self, phase: str, total: int) -> None:
        """Ignore the start of a phase."""

    def advance(self, units: int) -> None:
        """Ignore progress."""

    def note(self, message: str) -> None:
        """Ignore notes."""


class RichReporter:
    """Shows each phase of long work as a progress bar; notes go to standard error."""

    def __init__(self, *, show_notes: bool = True) -> None:
        self._show_notes = show_notes
        self._console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self._console,
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichReporter:
        """Start drawing."""
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Stop drawing."""
        self._progress.stop()

    def start(self, phase: str, total: int) -> None:
        """Begin a phase with its own bar."""
        if self._task is not None:
            self._progress.update(self._task, visible=False)
        self._task = self._progress.add_task(phase, total=max(total, 1))

    def advance(self, units: int) -> None:
        """Move the current bar forward."""
        if self._task is not None:
            self._progress.advance(self._task, units)

    def note(self, message: str) -> None:
        """Print a note above the bars (unless notes are turned off)."""
        if self._show_notes:
            self._console.print(message, highlight=False, markup=False)


class LineReporter:
    """Shows progress as plain lines on standard error, for output that is not a terminal.

    One line when a phase starts and one each time it passes another tenth,
    so that a long run (the demo) is never silent for long.
    """

    def __init__(self, *, stream: TextIO | None = None, show_notes: bool = False) -> None:
        self._stream = stream or sys.stderr
        self._show_notes = show_notes
        self._phase = ""
        self._total = 1
        self._done = 0
        self._shown = 0

    def start(self, phase: str, total: int) -> None:
        """Begin a phase: say its name and size."""
        self._phase, self._total, self._done, self._shown = phase, max(total, 1), 0, 0
        self._say(f"{phase} ({total:,})".replace(",", "."))

    def advance(self, units: int) -> None:
        """Count progress; say it at every further tenth of the phase."""
        self._done += units
        tenth = min(10, self._done * 10 // self._total)
        if tenth > self._shown:
            self._shown = tenth
            self._say(f"{self._phase}: {tenth * 10}%")

    def note(self, message: str) -> None:
        """Print a note (when notes are shown)."""
        if self._show_notes:
            self._say(message)

    def _say(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()
