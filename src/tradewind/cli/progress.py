"""Progress bars for long work: on stderr, only when stderr is a terminal (so JSON on stdout stays clean)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tradewind.cli.runtime import error_console


@contextmanager
def staged_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A callback `(stage, done, total)` that drives one bar per stage."""
    progress = Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=error_console,
        transient=False,
        disable=not error_console.is_terminal,
    )
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=max(total, 1))
        progress.update(tasks[stage], completed=done, total=max(total, 1))

    with progress:
        yield report


@contextmanager
def counted_progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """A callback `(done, total)` for one piece of work."""
    with staged_progress() as report:
        yield lambda done, total: report(description, done, total)
