"""Formatting shared by the command line (``cli``), its ``demo`` and the ``stats --watch`` view."""

from __future__ import annotations

__all__ = ["human_bytes"]


def human_bytes(n: float) -> str:
    """``n`` bytes as B, KiB, MiB, GiB or TiB with one decimal (binary units)."""
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    value, i = float(n), 0
    while abs(value) >= 1024 and i < len(units) - 1:
        value /= 1024
        i += 1
    return f"{int(value)} B" if i == 0 else f"{value:.1f} {units[i]}"
