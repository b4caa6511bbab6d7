"""``stats``' pressure lines and ``stats --watch``: what the command line shows of
``RustMemoryMonitor.get_memory_pressure``."""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Mapping, Optional, TextIO, Tuple

from ._format import human_bytes

__all__ = ["pressure_rows", "watch"]

_MIB = 1024 * 1024
_CLEAR = "\x1b[H\x1b[2J"  # cursor home, clear screen


def _size(mb: float) -> str:
    return human_bytes(mb * _MIB)


def pressure_rows(p: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """``(label, value)`` rows for the level, the trend and the kernel's figures."""
    t = p["thresholds_mb"]
    rows = [("pressure", f"{p['level']} (by available memory: medium <= {_size(t[0])}, high <= {_size(t[1])}, "
                         f"critical <= {_size(t[2])}, emergency <= {_size(t[3])})")]
    trend = p["trend_mb_per_s"]
    rows.append(("trend", "not yet known (one reading)" if trend is None else f"{trend:+.1f} MiB/s"))
    k = p["kernel"]
    if k is None:
        rows.append(("kernel", "no pressure figures on this system"))
    elif "level" in k:
        rows.append(("kernel", f"{k['level']} ({k['source']})"))
    else:
        rows.append(("kernel PSI", k["source"]))
        for kind in ("some", "full"):
            if k[f"{kind}_avg10"] is None:
                rows.append((f"  {kind}", "not reported by this kernel"))
                continue
            rows.append((f"  {kind}", f"avg10 {k[kind + '_avg10']:.2f}%  avg60 {k[kind + '_avg60']:.2f}%  "
                                      f"avg300 {k[kind + '_avg300']:.2f}%  total {k[kind + '_total_us'] / 1e6:,.3f} s"))
    return rows


def _frame(stats: Mapping[str, Any], p: Mapping[str, Any]) -> str:
    rows = [("available", f"{_size(p['available_mb'])} of {_size(stats['total_mb'])} "
                          f"({'cgroup limit' if stats['limit_source'] == 'cgroup' else 'host memory'})")]
    rows += pressure_rows(p)
    return "".join(f"{label + ':':<14}{value}\n" for label, value in rows)


def watch(out: TextIO, interval: float, count: Optional[int], as_json: bool) -> int:
    """Show the pressure every ``interval`` seconds, ``count`` times (None: until Ctrl-C).

    On a terminal each view replaces the last; otherwise views follow each other, separated by a
    blank line (``as_json``: one JSON object per line). Ctrl-C ends it with status 0.
    """
    from . import RustMemoryMonitor
    # One fresh reading per view (the stats call refreshes, the pressure call reuses it), so the
    # trend spans the last views.
    mon = RustMemoryMonitor(min(0.1, interval / 2))
    tty = out.isatty()
    shown = 0
    try:
        while count is None or shown < count:
            if shown:
                time.sleep(interval)
            stats, p = mon.get_memory_stats(), mon.get_memory_pressure()
            if as_json:
                out.write(json.dumps({"time": time.time(), "stats": stats, "pressure": p}, sort_keys=True) + "\n")
            else:
                stamp = time.strftime("%H:%M:%S")
                header = f"{stamp}  memory pressure, every {interval:g} s" + ("" if count is None else f" ({shown + 1}/{count})")
                out.write((_CLEAR if tty else ("\n" if shown else "")) + header + "\n" + _frame(stats, p))
            out.flush()
            shown += 1
    except KeyboardInterrupt:
        if tty:
            out.write("\n")
        return 0
    return 0

