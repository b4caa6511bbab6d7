"""Memory monitoring: ``get_system_memory_info`` and ``RustMemoryMonitor``.

All sizes named ``*_mb`` are MiB (bytes / 1024 / 1024) as floats; byte counts are ints. Inside a
container whose memory cgroup limit is below the host's memory, the figures describe that limit
and ``limit_source`` says ``"cgroup"`` (otherwise ``"host"``).
"""

from __future__ import annotations

from array import array
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any, Dict, Optional, Sequence, Tuple

from . import _native, _pressure
from ._convert import as_float
from ._fastpaths import StatsCache

__all__ = ["get_system_memory_info", "RustMemoryMonitor"]

_READ_LEN = 6   # total, available, used MiB, system percent, process MiB, limit source (0 host, 1 cgroup)
_STATS_LEN = 9  # get_system_memory_info's buffer (3 used)
_MAP_LEN = 3    # virtual bytes, RSS bytes, CPU percent
_SOURCES = ("host", "cgroup")
_ZEROS = array("d", bytes(8 * _STATS_LEN))


def get_system_memory_info() -> Tuple[int, int, float]:
    """Memory of the machine, or of the cgroup limit this process lives under.

    Returns:
        ``(total_bytes, available_bytes, percent_used)`` where
        ``percent_used = (total - available) / total * 100``.
    """
    buf = array("d", _ZEROS)
    _native.call("jarvisrs_SystemMemoryInfo", buf.buffer_info()[0], _STATS_LEN)
    return int(buf[0]), int(buf[1]), buf[2]


class RustMemoryMonitor(StatsCache):  # type: ignore[misc]  # the C base or its Python twin
    """Cached memory statistics for the ML memory manager (safe to share between threads).

    Args:
        update_interval: seconds a reading stays fresh (default 0.1). ``get_memory_stats`` refreshes
            only when the cached reading is older; ``is_memory_available`` never refreshes.
        pressure_thresholds_mb: the available-memory boundaries (MiB) between the pressure levels
            of ``get_memory_pressure``, four strictly decreasing positive numbers (default
            ``(4096.0, 2048.0, 1024.0, 512.0)``).

    Raises:
        ValueError: ``update_interval`` is negative, NaN or infinite; bad thresholds.
        TypeError: ``pressure_thresholds_mb`` is not a sequence.

    The cache and the ML accounting live in the base class (``_fastpaths.StatsCache``: C called
    directly, or its pure-Python twin), which calls ``_refresh`` (Go) only when the reading is
    stale. Inherited methods:

    - ``get_memory_stats()``: ``{"total_mb", "available_mb", "used_mb", "system_percent",
      "process_mb", "ml_models_mb": float, "ml_models_count": int, "ml_percent": float,
      "limit_source": "host" | "cgroup"}``; ``used = total - available``,
      ``system_percent = used / total * 100``, ``ml_percent = ml_models_mb / total_mb * 100``,
      ``process_mb`` is this process's resident set size. Refreshed first if older than
      ``update_interval``.
    - ``update_ml_stats(models_mb, models_count)``: records the memory (MiB) and number of loaded
      ML models, kept across refreshes. ValueError for a negative or non-finite size or a negative
      count, TypeError for non-numbers (and a non-int or bool count).
    - ``is_memory_available(required_mb, threshold_percent)``: from the cached reading only (no
      system call): ``(used_mb + required_mb) / total_mb * 100 < threshold_percent and
      available_mb > required_mb``; False while nothing was ever read.
    - ``get_memory_pressure()``: how short of memory this process is, by available memory and by
      the kernel's account, for the cached reading (refreshed first, like ``get_memory_stats``,
      when older than ``update_interval``; a cached call costs what a cached ``get_memory_stats``
      does, no call into Go). A new dict each call, its ``"kernel"`` dict copied too:
      ``{"level", "available_mb", "thresholds_mb", "trend_mb_per_s", "kernel"}``. ``level`` is
      ``"low"`` when available > t[0], else ``"medium"`` when > t[1], ``"high"`` when > t[2],
      ``"critical"`` when > t[3], else ``"emergency"``; ``available_mb`` is ``get_memory_stats``'
      figure for the same reading (cgroup-aware); ``trend_mb_per_s`` the least-squares slope of
      available memory over the last 8 refreshes (negative while it shrinks; ``None`` until
      there are two); ``kernel`` on Linux ``{"source": PSI file, "some_avg10", "some_avg60",
      "some_avg300" (percent), "some_total_us" (int), "full_...": the same or None without a
      "full" line}``, read from the cgroup v2 ``memory.pressure`` when a cgroup limit applies,
      else ``/proc/pressure/memory``; on macOS ``{"source":
      "kern.memorystatus_vm_pressure_level", "level": "normal" | "warn" | "critical"}``;
      ``None`` where the kernel has neither. The kernel figures are read again at a refresh
      only once they are 2 s old (the kernel recomputes its averages every 2 s), so with an
      ``update_interval`` under 2 s they, the stall totals especially, may be up to 2 s older
      than ``available_mb``.

    In a process forked after import, answers from the cache keep working; a refresh (and every
    other call into Go) raises ``ForkedProcessError``.
    """

    __slots__ = ("_handle", "_h", "_interval", "_thresholds", "_kernel")

    def __init__(self, update_interval: Optional[float] = None, *,
                 pressure_thresholds_mb: Sequence[float] = _pressure.DEFAULT_THRESHOLDS_MB) -> None:
        self._thresholds = _pressure.validate_thresholds(pressure_thresholds_mb)
        self._kernel: Tuple[float, Optional[Dict[str, Any]]] = (0.0, None)  # (Go's number, dict) kept by _pressure
        interval = 0.1 if update_interval is None else as_float(update_interval, "update_interval")
        self._handle = _native.Handle(_native.call("jarvisrs_NewRustMemoryMonitor", interval))
        self._h = self._handle.value
        _native.call("jarvisrs_RustMemoryMonitor_SetPressureThresholds", self._h, *self._thresholds)
        self._interval = interval
        self._configure(interval)
        try:
            self._refresh()  # filled from the start, process_mb included
        except OSError:
            pass  # the cache stays empty: is_memory_available is False, get_memory_stats retries

    @property
    def update_interval(self) -> float:
        """Seconds a cached reading stays fresh."""
        return self._interval

    def _refresh(self) -> None:
        """Read fresh figures (Go) and publish them to the cache."""
        buf = array("d", _ZEROS)
        _native.call("jarvisrs_RustMemoryMonitor_ReadStats", self._h, buf.buffer_info()[0], _READ_LEN)
        self._publish(buf[0], buf[1], buf[2], buf[3], buf[4], _SOURCES[int(buf[5])])

    def get_memory_map(self) -> Dict[str, Any]:
        """This process: ``{"virtual_memory": bytes, "memory": RSS bytes, "cpu_usage": percent, "name": str}``."""
        buf = array("d", _ZEROS)
        name = _native.call("jarvisrs_RustMemoryMonitor_MemoryMap", self._h, buf.buffer_info()[0], _MAP_LEN)
        return {"virtual_memory": int(buf[0]), "memory": int(buf[1]), "cpu_usage": buf[2], "name": name}

    def suggest_cleanup(self, target_mb: float) -> Dict[str, Any]:
        """Other processes worth closing to free ``target_mb`` MiB.

        Returns:
            ``{"suggestions": [{"process": name, "memory_mb": rss_mb, "pid": pid}, ...],
            "potential_freed_mb": float}``: processes over 50 MiB whose name contains neither
            "jarvis" nor "system", largest first, at most 5, stopping once the total reaches
            ``target_mb``.
        """
        import json  # here, not at import (json pulls in re)
        result: Dict[str, Any] = json.loads(_native.call("jarvisrs_RustMemoryMonitor_SuggestCleanup", self._h, as_float(target_mb, "target_mb")))
        for suggestion in result["suggestions"]:
            suggestion["memory_mb"] = float(suggestion["memory_mb"])  # JSON writes 64.0 as 64
        result["potential_freed_mb"] = float(result["potential_freed_mb"])
        return result

    @property
    def pressure_thresholds_mb(self) -> Tuple[float, float, float, float]:
        """The available-memory boundaries (MiB) between the pressure levels."""
        return self._thresholds

    # Read fresh figures and their pressure (one Go call) and publish both to the cache; publish
    # the pressure of the cached reading (Go, no refresh). Plain functions bound as methods: one
    # Python call fewer on every refresh.
    _refresh_pressure = _pressure.refresh_pressure
    _read_pressure = _pressure.read_pressure

    def wait_for_memory_pressure(self, level: str, timeout: Optional[float] = None) -> bool:
        """Block until the pressure level is ``level`` or worse (True) or ``timeout`` seconds pass (False).

        Returns at once when already there. On Linux, where the kernel accepts a PSI trigger on the
        monitor's pressure file (it needs write access to it), the wait sleeps in the kernel and
        wakes early when tasks stall on memory; otherwise (macOS, no PSI, trigger refused) it polls
        available memory, every second while it is steady or rising and more often as the trend
        nears the threshold (at least every 0.05 s). The GIL is released while waiting; Ctrl-C
        raises ``KeyboardInterrupt`` within 0.1 s.

        Raises:
            ValueError: ``level`` is not one of "low", "medium", "high", "critical",
                "emergency"; ``timeout`` is negative or NaN.
            TypeError: ``timeout`` is not a number.
        """
        return _pressure.wait_for(self, level, timeout)

    async def wait_for_memory_pressure_async(self, level: str, timeout: Optional[float] = None) -> bool:
        """``wait_for_memory_pressure`` for asyncio: polls with ``asyncio.sleep``, never blocking the
        event loop (each check is a cached read or a refresh of a few microseconds). Cancelling the
        task stops it. Same arguments, result and exceptions.
        """
        return await _pressure.wait_for_async(self, level, timeout)

    # Copies and pickles carry the configuration (interval, pressure thresholds) and the ML
    # accounting, read through the public
    # API, never the Go handle: a copy is a new, independent monitor (spawn/forkserver workers can
    # receive one as an argument).
    def __reduce__(self) -> Tuple[Any, ...]:
        stats = self.get_memory_stats()
        return (type(self), (self.update_interval,),
                {"ml_models_mb": stats["ml_models_mb"], "ml_models_count": stats["ml_models_count"],
                 "pressure_thresholds_mb": self._thresholds})

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.update_ml_stats(state["ml_models_mb"], state["ml_models_count"])
        if "pressure_thresholds_mb" in state:  # absent in pickles made before the pressure levels
            thresholds = _pressure.validate_thresholds(state["pressure_thresholds_mb"])
            _native.call("jarvisrs_RustMemoryMonitor_SetPressureThresholds", self._h, *thresholds)
            self._thresholds = thresholds
            self._publish_pressure(None)  # a cached pressure has the old thresholds' level

    def __copy__(self) -> "RustMemoryMonitor":
        _cls, args, state = self.__reduce__()
        twin = type(self)(*args)
        twin.__setstate__(state)
        return twin

    def __deepcopy__(self, memo: Dict[int, Any]) -> "RustMemoryMonitor":
        return self.__copy__()

    def __repr__(self) -> str:
        return f"RustMemoryMonitor(update_interval={self._interval!r})"

