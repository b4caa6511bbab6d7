"""Memory pressure for ``RustMemoryMonitor``: thresholds, the pressure dict and the waits.

The level table and the trend are computed in Go (``memstat.LevelFor`` and ``memstat.Trend``), in
one place: the level from the monitor's cached available memory, the trend from the last 8
refreshes of that cache. The trend's only feed is the Go cache's refresh (``Monitor.refreshLocked``
records one timestamped reading each time); a cache kept elsewhere (in Python, say) must feed a
``memstat.Trend`` on each of its refreshes the same way, or the trend stays ``None``. This module
validates the thresholds, turns the Go figures into the documented dict, and waits.

Caching: the dict is kept by the monitor's statistics cache (``_fastpaths.StatsCache``), tied to
the reading it describes, and ``get_memory_pressure`` returns copies of it until the next refresh.
A stale cache calls ``refresh_pressure`` (one Go call refreshes the statistics and returns their
pressure); a fresh reading refreshed by ``get_memory_stats`` gets its pressure from
``read_pressure`` (Go, no refresh). Go keeps the thresholds (``SetPressureThresholds``) and reads
the kernel file again at a refresh only once its figures are 2 s old.

Waiting: on Linux, where the kernel accepts a PSI trigger on the pressure file the monitor reads
(``some 150000 1000000``, else the unprivileged form ``some 300000 2000000``), the wait sleeps in
the kernel in slices of at most 0.1 s, waking early when tasks stall on memory, and checks the
level after each wake-up or pause. Elsewhere (macOS, kernels without PSI, triggers refused: they
need write access to the pressure file, and some sandboxes refuse them) it polls the level with
``time.sleep``. Either way the pause between checks adapts: 1 s while available memory is steady
or rising, shorter as the trend predicts the threshold is near, never under 0.05 s. The GIL is
released while waiting, and Ctrl-C interrupts at once (``time.sleep``) or within 0.1 s (trigger).
"""

from __future__ import annotations

import math
import time
from array import array
from _collections_abc import Mapping, Sequence  # collections.abc's own source, already imported by os
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any, Dict, List, Optional, Tuple

from . import _native
from ._convert import as_float
from ._errors import translate

__all__ = ["LEVELS", "DEFAULT_THRESHOLDS_MB", "validate_thresholds", "level_index", "level_for", "refresh_pressure",
           "read_pressure", "wait_for", "wait_for_async"]

LEVELS: Tuple[str, ...] = ("low", "medium", "high", "critical", "emergency")
DEFAULT_THRESHOLDS_MB: Tuple[float, float, float, float] = (4096.0, 2048.0, 1024.0, 512.0)

_PRESSURE_LEN = 17  # FillPressure's buffer: the layout is documented at pressureLen in jarvisrs/monitor_pressure.go
_READ_LEN = _PRESSURE_LEN + 6  # ReadPressure's: the pressure, then ReadStats' six figures
_KERNEL_NUM = 16  # the number of the kernel reading, in (the one held) and out (this one's)
_ZEROS = array("d", bytes(8 * _READ_LEN))
_SOURCES = ("host", "cgroup")
_LEVEL_OF = {float(i): name for i, name in enumerate(LEVELS)}  # Go's level number (a float) -> name
_VM_LEVELS = ("normal", "warn", "critical")
_MIN_PAUSE = 0.05      # seconds between checks, at the least
_MAX_PAUSE = 1.0       # and at the most
_TRIGGER_SLICE = 0.1   # longest single wait inside Go, so Ctrl-C is seen within it
_TRIGGERS = ((150_000, 1_000_000), (300_000, 2_000_000))  # (stall, window) µs, privileged then unprivileged


def validate_thresholds(value: Any) -> Tuple[float, float, float, float]:
    """``value`` as four floats (MiB) after checking they are strictly decreasing and positive.

    Raises:
        TypeError: ``value`` is not a sequence (a str, a set, a number, None...).
        ValueError: not four items, an item that is not a finite positive number, or not strictly
            decreasing.
    """
    is_array = type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 1
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not (isinstance(value, Sequence) or is_array):
        raise TypeError(f"pressure_thresholds_mb must be a sequence of four numbers, not {type(value).__name__}")
    items = list(value)
    if len(items) != 4:
        raise ValueError(f"pressure_thresholds_mb must have four numbers, got {len(items)}")
    out: List[float] = []
    for i, item in enumerate(items):
        try:
            if isinstance(item, bool):
                raise TypeError
            v = as_float(item, "threshold")
        except TypeError:
            raise ValueError(f"pressure_thresholds_mb[{i}] must be a number, not {type(item).__name__}") from None
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"pressure_thresholds_mb[{i}] must be a finite positive number of MiB, got {v!r}")
        if out and not v < out[-1]:
            raise ValueError(f"pressure_thresholds_mb must be strictly decreasing, got {tuple(items)!r}")
        out.append(v)
    return (out[0], out[1], out[2], out[3])


def level_index(level: Any) -> int:
    """The position of ``level`` in ``LEVELS``; anything else raises ``ValueError``."""
    try:
        return LEVELS.index(level)
    except ValueError:
        raise ValueError(f"unknown memory pressure level {level!r}: expected one of {', '.join(LEVELS)}") from None


def level_for(available_mb: float, thresholds_mb: Any = DEFAULT_THRESHOLDS_MB) -> str:
    """The level for ``available_mb`` MiB available under ``thresholds_mb``, from Go's one table.

    ``"low"`` when available > t[0], ``"medium"`` when > t[1], ``"high"`` when > t[2],
    ``"critical"`` when > t[3], else ``"emergency"``.
    """
    t = validate_thresholds(thresholds_mb)
    level: int = _native.call("jarvisrs_MemoryPressureLevel", as_float(available_mb, "available_mb"), *t)
    return LEVELS[level]


def refresh_pressure(mon: Any) -> None:
    """``RustMemoryMonitor._refresh_pressure`` (bound there as a method, saving a call): one Go call
    reads fresh figures, which are published to the statistics cache (``_publish``), and their
    pressure, which goes to ``_publish_pressure``. The ``"kernel"`` dict is built only when Go
    reports new kernel figures (they are re-read at a refresh when 2 s old); otherwise the one
    kept in ``mon._kernel`` is reused (``get_memory_pressure`` hands out copies, never it). Every
    refresh pays this function, so it is written for speed: no helper calls."""
    num, kept = mon._kernel
    buf = array("d", _ZEROS)
    try:
        _native.lib.jarvisrs_RustMemoryMonitor_ReadPressure(mon._h, buf.buffer_info()[0], _READ_LEN)
    except RuntimeError as exc:
        raise translate(exc) from None
    mon._publish(buf[17], buf[18], buf[19], buf[20], buf[21], _SOURCES[int(buf[22])])
    if buf[_KERNEL_NUM] != num:
        kept = _kernel(mon, buf)
    trend = buf[2]
    mon._publish_pressure({"level": _LEVEL_OF[buf[0]], "available_mb": buf[1], "thresholds_mb": mon._thresholds,
                           "trend_mb_per_s": trend if trend == trend else None, "kernel": kept})  # NaN: no trend


def read_pressure(mon: Any) -> None:
    """``RustMemoryMonitor._read_pressure``: the pressure of the reading Go holds, refreshing
    nothing (the cached reading lacks its pressure), to ``_publish_pressure``; as
    ``refresh_pressure`` otherwise."""
    num, kept = mon._kernel
    buf = array("d", _ZEROS)
    try:
        _native.lib.jarvisrs_RustMemoryMonitor_FillPressure(mon._h, buf.buffer_info()[0], _PRESSURE_LEN)
    except RuntimeError as exc:
        raise translate(exc) from None
    if buf[_KERNEL_NUM] != num:
        kept = _kernel(mon, buf)
    trend = buf[2]
    mon._publish_pressure({"level": _LEVEL_OF[buf[0]], "available_mb": buf[1], "thresholds_mb": mon._thresholds,
                           "trend_mb_per_s": trend if trend == trend else None, "kernel": kept})


def _kernel(mon: Any, buf: "array[float]") -> Optional[Dict[str, Any]]:
    """The ``"kernel"`` dict of Go's figures in ``buf``, kept in ``mon._kernel`` with their number."""
    kind = buf[3]
    k: Optional[Dict[str, Any]] = None
    if kind == 1:
        source = _native.call("jarvisrs_RustMemoryMonitor_KernelPressureSource", mon._h)
        full = buf[14] == 1
        k = {"source": source, "some_avg10": buf[4], "some_avg60": buf[5], "some_avg300": buf[6],
             "some_total_us": int(buf[7]) << 32 | int(buf[8]),
             "full_avg10": buf[9] if full else None, "full_avg60": buf[10] if full else None,
             "full_avg300": buf[11] if full else None,
             "full_total_us": int(buf[12]) << 32 | int(buf[13]) if full else None}
    elif kind == 2:
        k = {"source": _native.call("jarvisrs_RustMemoryMonitor_KernelPressureSource", mon._h),
             "level": _VM_LEVELS[int(buf[15])]}
    mon._kernel = (buf[_KERNEL_NUM], k)
    return k


def _deadline(timeout: Any) -> Optional[float]:
    if timeout is None:
        return None
    t = as_float(timeout, "timeout")
    if math.isnan(t) or t < 0:
        raise ValueError(f"timeout must be None or a number of seconds >= 0, got {t!r}")
    return None if math.isinf(t) else time.monotonic() + t


def _pause(p: Dict[str, Any], want: int) -> float:
    """Seconds until the next check: half the time the trend predicts to reach the threshold."""
    gap: float = p["available_mb"] - p["thresholds_mb"][want - 1]
    trend: Optional[float] = p["trend_mb_per_s"]
    if trend is None or not trend < 0:
        return _MAX_PAUSE
    return min(_MAX_PAUSE, max(_MIN_PAUSE, gap / -trend / 2))


def _open_trigger(mon: Any) -> Optional[_native.Handle]:
    for stall, window in _TRIGGERS:
        try:
            return _native.Handle(_native.call("jarvisrs_RustMemoryMonitor_OpenPressureTrigger", mon._h, stall, window))
        except OSError:
            continue
    return None


def wait_for(mon: Any, level: Any, timeout: Any) -> bool:
    """``RustMemoryMonitor.wait_for_memory_pressure``: see its docstring."""
    want = level_index(level)
    deadline = _deadline(timeout)
    p = mon.get_memory_pressure()
    if level_index(p["level"]) >= want:
        return True
    if deadline is not None and time.monotonic() >= deadline:
        return False
    trigger = _open_trigger(mon)
    try:
        while True:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return False
            check_at = now + _pause(p, want)
            if deadline is not None:
                check_at = min(check_at, deadline)
            if trigger is None:
                time.sleep(max(0.0, check_at - now))
            else:
                trigger = _trigger_sleep(trigger, check_at)
            p = mon.get_memory_pressure()
            if level_index(p["level"]) >= want:
                return True
    finally:
        if trigger is not None:
            _native.call("jarvisrs_PressureTrigger_Close", trigger.value)


def _trigger_sleep(trigger: _native.Handle, until: float) -> Optional[_native.Handle]:
    """Sleep in the kernel until ``until`` or the trigger fires; returns the trigger, or None
    (after sleeping out the time) if the kernel closed it."""
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return trigger
        try:
            if _native.call("jarvisrs_PressureTrigger_Wait", trigger.value, max(1, int(min(left, _TRIGGER_SLICE) * 1000))):
                return trigger
        except OSError:
            _native.call("jarvisrs_PressureTrigger_Close", trigger.value)
            time.sleep(max(0.0, until - time.monotonic()))
            return None


async def wait_for_async(mon: Any, level: Any, timeout: Any) -> bool:
    """``RustMemoryMonitor.wait_for_memory_pressure_async``: see its docstring."""
    import asyncio  # here, not at module level: importing asyncio costs ~20 ms and ~2 MiB
    want = level_index(level)
    deadline = _deadline(timeout)
    while True:
        p = mon.get_memory_pressure()
        if level_index(p["level"]) >= want:
            return True
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            return False
        pause = _pause(p, want)
        if deadline is not None:
            pause = min(pause, deadline - now)
        await asyncio.sleep(pause)
