"""Progress for long runs on stderr: a bar on a terminal, plain periodic lines
otherwise (CI logs), nothing for a handful of items."""

from __future__ import annotations

import sys
import time
from typing import TextIO

MIN_ITEMS = 20  # fewer than this finish too fast to need progress
LINE_INTERVAL_S = 5.0
BAR_WIDTH = 30


class Progress:
    def __init__(
        self, verb: str, total: int, *, enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.verb, self.total, self.count = verb, total, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled and total >= MIN_ITEMS
        self.tty = self.stream.isatty()
        self.started = self.last_line = time.monotonic()

    def advance(self) -> None:
        self.count += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            filled = BAR_WIDTH * self.count // self.total
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r[{bar}] {self.count}/{self.total} {self.verb}")
            self.stream.flush()
        elif now - self.last_line >= LINE_INTERVAL_S or self.count == self.total:
            self.last_line = now
            elapsed = now - self.started
            self.stream.write(f"{self.count}/{self.total} {self.verb} ({elapsed:.0f} s)\n")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()
