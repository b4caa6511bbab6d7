"""The progress bar of long file calls, and the ``progress=`` argument's three forms.

``progress`` is ``None`` (a bar on stderr, only when stderr is a terminal), ``False`` (nothing), or a
callable taking ``(done_bytes, total_bytes)``.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Optional, TextIO

__all__ = ["ProgressBar", "resolve"]

ProgressFn = Callable[[int, int], Any]


def _mib(n: int) -> str:
    return f"{n / 1048576:,.1f}"


class ProgressBar:
    """A one-line progress bar redrawn in place (``\\r``), at most ten times a second.

    Args:
        label: what is being done, shown first ("compress", "quantize int8", ...).
        stream: where to draw (default ``sys.stderr``).
        width: characters of the bar itself.

    Call it with ``(done_bytes, total_bytes)``; ``close()`` draws the final state and ends the line.
    """

    def __init__(self, label: str, stream: Optional[TextIO] = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.start = time.monotonic()
        self._last_draw = 0.0
        self._done = 0
        self._total = 0
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        self._done, self._total = done, total
        now = time.monotonic()
        if now - self._last_draw >= 0.1:
            self._last_draw = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        done, total = self._done, self._total
        frac = min(1.0, done / total) if total > 0 else 0.0
        filled = int(frac * self.width)
        elapsed = max(now - self.start, 1e-9)
        rate = done / elapsed / 1e6
        bar = "#" * filled + "." * (self.width - filled)
        line = f"\r{self.label} [{bar}] {frac * 100:5.1f}% {_mib(done)}/{_mib(total)} MiB {rate:,.0f} MB/s"
        try:
            self.stream.write(line)
            self.stream.flush()
        except (OSError, ValueError):
            return
        self._drawn = True

    def close(self) -> None:
        """Draw the last state and end the line (nothing if nothing was ever drawn and no work done)."""
        if self._drawn or self._total:
            self._draw(time.monotonic())
            try:
                self.stream.write("\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def resolve(progress: Any, label: str) -> Optional[ProgressFn]:
    """Turn a ``progress=`` argument into a callback, or ``None`` for no reporting.

    Raises:
        TypeError: ``progress`` is neither ``None``, ``False`` nor callable.
    """
    if progress is None:
        return ProgressBar(label) if _is_tty(sys.stderr) else None
    if progress is False:
        return None
    if callable(progress):
        callback: ProgressFn = progress
        return callback
    raise TypeError(f"progress must be None, False or a callable(done_bytes, total_bytes), not {type(progress).__name__}")
