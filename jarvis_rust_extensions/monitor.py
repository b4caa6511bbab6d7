"""Memory monitoring: ``get_system_memory_info`` and ``RustMemoryMonitor``.

All sizes named ``*_mb`` are MiB (bytes / 1024 / 1024) as floats; byte counts are ints. Inside a
container whose memory cgroup limit is below the host's memory, the figures describe that limit
and ``limit_source`` says ``"cgroup"`` (otherwise ``"host"``).
"""

from __future__ import annotations

import json
from array import array
from typing import Any, Dict, Optional, Tuple

from . import _native
from ._convert import as_float, as_int
from ._errors import translate

__all__ = ["get_system_memory_info", "RustMemoryMonitor"]

_STATS_KEYS = ("total_mb", "available_mb", "used_mb", "system_percent", "process_mb", "ml_models_mb",
               "ml_models_count", "ml_percent")
_STATS_LEN = 9  # the eight figures above, then the limit source (0 host, 1 cgroup)
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


class RustMemoryMonitor:
    """Cached memory statistics for the ML memory manager (safe to share between threads).

    Args:
        update_interval: seconds a reading stays fresh (default 0.1). ``get_memory_stats`` refreshes
            only when the cached reading is older; ``is_memory_available`` never refreshes.

    Raises:
        ValueError: ``update_interval`` is negative, NaN or infinite.
    """

    __slots__ = ("_handle", "_h", "_interval")

    def __init__(self, update_interval: Optional[float] = None) -> None:
        interval = 0.1 if update_interval is None else as_float(update_interval, "update_interval")
        self._handle = _native.Handle(_native.call("jarvisrs_NewRustMemoryMonitor", interval))
        self._h = self._handle.value
        self._interval = interval

    @property
    def update_interval(self) -> float:
        """Seconds a cached reading stays fresh."""
        return self._interval

    def get_memory_stats(self) -> Dict[str, Any]:
        """The cached statistics, refreshed first if older than ``update_interval``.

        Returns:
            ``{"total_mb", "available_mb", "used_mb", "system_percent", "process_mb",
            "ml_models_mb": float, "ml_models_count": int, "ml_percent": float,
            "limit_source": "host" | "cgroup"}``; ``used = total - available``,
            ``system_percent = used / total * 100``, ``ml_percent = ml_models_mb / total_mb * 100``,
            ``process_mb`` is this process's resident set size.
        """
        buf = array("d", _ZEROS)
        try:
            _native.lib.jarvisrs_RustMemoryMonitor_FillStats(self._h, buf.buffer_info()[0], _STATS_LEN)
        except RuntimeError as exc:
            raise translate(exc) from None
        return {"total_mb": buf[0], "available_mb": buf[1], "used_mb": buf[2], "system_percent": buf[3],
                "process_mb": buf[4], "ml_models_mb": buf[5], "ml_models_count": int(buf[6]),
                "ml_percent": buf[7], "limit_source": _SOURCES[int(buf[8])]}

    def update_ml_stats(self, models_mb: float, models_count: int) -> None:
        """Record the memory (MiB) and number of loaded ML models; kept across refreshes.

        Raises:
            ValueError: a negative or non-finite size, or a negative count.
        """
        _native.call("jarvisrs_RustMemoryMonitor_UpdateMLStats", self._h,
                     as_float(models_mb, "models_mb"), as_int(models_count, "models_count"))

    def get_memory_map(self) -> Dict[str, Any]:
        """This process: ``{"virtual_memory": bytes, "memory": RSS bytes, "cpu_usage": percent, "name": str}``."""
        buf = array("d", _ZEROS)
        name = _native.call("jarvisrs_RustMemoryMonitor_MemoryMap", self._h, buf.buffer_info()[0], _MAP_LEN)
        return {"virtual_memory": int(buf[0]), "memory": int(buf[1]), "cpu_usage": buf[2], "name": name}

    def is_memory_available(self, required_mb: float, threshold_percent: float) -> bool:
        """Whether ``required_mb`` more MiB fit, from the cached reading only (no system call).

        True when ``(used_mb + required_mb) / total_mb * 100 < threshold_percent`` and
        ``available_mb > required_mb``.
        """
        return _native.lib.jarvisrs_RustMemoryMonitor_IsMemoryAvailable(self._h, required_mb, threshold_percent)

    def suggest_cleanup(self, target_mb: float) -> Dict[str, Any]:
        """Other processes worth closing to free ``target_mb`` MiB.

        Returns:
            ``{"suggestions": [{"process": name, "memory_mb": rss_mb, "pid": pid}, ...],
            "potential_freed_mb": float}``: processes over 50 MiB whose name contains neither
            "jarvis" nor "system", largest first, at most 5, stopping once the total reaches
            ``target_mb``.
        """
        result = json.loads(_native.call("jarvisrs_RustMemoryMonitor_SuggestCleanup", self._h, as_float(target_mb, "target_mb")))
        for suggestion in result["suggestions"]:
            suggestion["memory_mb"] = float(suggestion["memory_mb"])  # JSON writes 64.0 as 64
        result["potential_freed_mb"] = float(result["potential_freed_mb"])
        return result

    # Copies and pickles carry the configuration and the ML accounting, read through the public
    # API, never the Go handle: a copy is a new, independent monitor (spawn/forkserver workers can
    # receive one as an argument).
    def __reduce__(self) -> Tuple[Any, ...]:
        stats = self.get_memory_stats()
        return (type(self), (self.update_interval,),
                {"ml_models_mb": stats["ml_models_mb"], "ml_models_count": stats["ml_models_count"]})

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.update_ml_stats(state["ml_models_mb"], state["ml_models_count"])

    def __copy__(self) -> "RustMemoryMonitor":
        cls, args, state = self.__reduce__()
        twin = cls(*args)
        twin.__setstate__(state)
        return twin

    def __deepcopy__(self, memo: Dict[int, Any]) -> "RustMemoryMonitor":
        return self.__copy__()

    def __repr__(self) -> str:
        return f"RustMemoryMonitor(update_interval={self._interval!r})"

