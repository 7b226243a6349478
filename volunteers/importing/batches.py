"""Writing an import batch by batch, with a progress bar, all of it undone for a dry run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TextIO, TypeVar

from django.db import transaction

from volunteers.importing.progress import Progress

T = TypeVar("T")


def batches_write(
    items: Sequence[T],
    *,
    size: int,
    write: Callable[[Sequence[T]], None],
    dry_run: bool,
    progress: TextIO | None,
    label: str,
) -> None:
    """Call ``write`` on ``size`` items at a time, each batch in its own savepoint, all of them in
    one transaction that a dry run rolls back (so a dry run's report is exactly a real run's)."""
    bar = Progress(len(items), stream=progress, label=label)
    with transaction.atomic():
        for start in range(0, len(items), size):
            batch = items[start : start + size]
            with transaction.atomic():
                write(batch)
            bar.advance(len(batch))
        if dry_run:
            transaction.set_rollback(True)
    bar.close()
