"""A progress bar for long imports, on stderr. Hand-rolled: tqdm is not a dependency."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """Redraws one line (``[#####.....]  50%  50000/100000 rows  12.3 s``) at most ten times a second.

    Draws only on a terminal: logs and captured output stay free of carriage returns.
    """

    def __init__(self, total: int, *, stream: TextIO | None, label: str = "rows", width: int = 30) -> None:
        self.total, self.done, self.label, self.width = total, 0, label, width
        self.stream = stream if stream is not None and _is_tty(stream) else None
        self.started = self._last = time.monotonic()

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.stream is not None and (now - self._last >= 0.1 or self.done >= self.total):
            self._last = now
            self._draw(self.stream, now)

    def _draw(self, stream: TextIO, now: float) -> None:
        share = self.done / self.total if self.total else 1.0
        filled = int(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        stream.write(
            f"\r[{bar}] {share:4.0%}  {self.done}/{self.total} {self.label}  {now - self.started:.1f} s"
        )
        stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self._draw(self.stream, time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


def _is_tty(stream: TextIO) -> bool:
    # Django wraps stderr in an OutputWrapper that forwards isatty() to the real stream.
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
