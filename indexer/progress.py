"""Progress of a run: a bar with rate and ETA on a terminal, plain log lines under a scheduler.

Progress is measured in bytes of input read (known before the run starts, so the ETA is real
from the first minute) and shown with the articles indexed and their rate.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

log = logging.getLogger("indexer")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class Progress:
    """Shows how far a run is; ``mode`` is "bar", "lines", "none" or "auto" (bar on a TTY)."""

    def __init__(self, label: str, mode: str = "auto", stream: TextIO | None = None,
                 every: float = 30.0):
        self.label = label
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if self.stream.isatty() else "lines"
        self.mode = mode
        self.every = every
        self.total = 0
        self.done_bytes = 0
        self.articles = 0
        self.started = time.monotonic()
        self._last = self.started
        self._bar = None

    def start(self, total_bytes: int) -> None:
        self.total = max(1, total_bytes)
        self.started = self._last = time.monotonic()
        if self.mode == "bar":
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, unit="B", unit_scale=True, unit_divisor=1024,
                             desc=self.label, file=self.stream, dynamic_ncols=True,
                             mininterval=0.5, leave=False)

    def read(self, nbytes: int) -> None:
        """More input was read."""
        self.done_bytes += nbytes
        if self._bar is not None:
            self._bar.update(nbytes)
        self._tick()

    def indexed(self, articles: int) -> None:
        """More articles were indexed (or found unchanged)."""
        self.articles += articles
        self._tick()

    def _rate(self) -> float:
        return self.articles / max(1e-6, time.monotonic() - self.started)

    def _tick(self) -> None:
        now = time.monotonic()
        if self.mode == "bar" and self._bar is not None and now - self._last >= 0.5:
            self._last = now
            self._bar.set_postfix_str(f"{self.articles:,} articles, {self._rate():.0f}/s",
                                      refresh=False)
        elif self.mode == "lines" and now - self._last >= self.every:
            self._last = now
            print(self.line(), file=self.stream, flush=True)

    def line(self) -> str:
        """One plain progress line."""
        elapsed = time.monotonic() - self.started
        fraction = min(1.0, self.done_bytes / self.total) if self.total else 0.0
        eta = _duration(elapsed * (1 - fraction) / fraction) if fraction > 0.001 else "?"
        text = (f"{self.label}: {self.articles:,} articles ({self._rate():.0f}/s), "
                f"{100 * fraction:.0f}% of input read, ETA {eta}")
        log.info("progress %s", text)
        return text

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
