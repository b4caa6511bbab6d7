"""Pure-Python twin of the C ``_StatsCache`` (jarvisrs/pyaccel/stats_cache.c): the memory monitor's
cache and ML accounting. Used when the extension was built without the C fast paths; the tests
run the same checks against both.

Thread safety: every update is one attribute store of a new tuple (``_snap``, ``_ml``,
``_pressure``), atomic under the GIL, so a reader sees a whole reading and a whole ML accounting, never half of one. Two
threads may refresh at the same time; both readings are valid and the last store wins.
"""

from __future__ import annotations

import sys
from time import monotonic
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any, Dict, Optional, Tuple

from ._convert import as_float, as_int

_MAX_DOUBLE = sys.float_info.max
_MAX_INT64 = 2**63 - 1


class PyStatsCache:
    """Cached memory statistics, ML accounting and memory pressure; subclasses provide
    ``_refresh()``, which reads fresh figures and passes them to ``_publish``, and for
    ``get_memory_pressure`` ``_refresh_pressure()`` (a refresh that also passes the pressure of the
    new reading to ``_publish_pressure``) and ``_read_pressure()`` (the pressure of the current
    reading, without a refresh, to ``_publish_pressure``)."""

    __slots__ = ("_cache_interval", "_snap", "_ml", "_pressure")
    _snap: Optional[Tuple[float, Dict[str, object], float, float, float]]
    _pressure: Optional[Tuple[object, Dict[str, Any]]]

    def __new__(cls, *_args: Any, **_kwargs: Any) -> "PyStatsCache":
        self = super().__new__(cls)
        self._cache_interval = 0.0
        self._snap = None  # (published at, stats dict, total, used, available)
        self._ml = (0.0, 0)
        self._pressure = None  # (the _snap it describes, pressure dict)
        return self

    def _configure(self, update_interval: float) -> None:
        self._cache_interval = as_float(update_interval, "update_interval")

    def _publish(self, total_mb: float, available_mb: float, used_mb: float, system_percent: float,
                 process_mb: float, limit_source: str) -> None:
        total, available, used = (as_float(total_mb, "total_mb"), as_float(available_mb, "available_mb"),
                                  as_float(used_mb, "used_mb"))
        stats = {"total_mb": total, "available_mb": available, "used_mb": used,
                 "system_percent": as_float(system_percent, "system_percent"),
                 "process_mb": as_float(process_mb, "process_mb"), "ml_models_mb": 0.0, "ml_models_count": 0,
                 "ml_percent": 0.0, "limit_source": limit_source}
        self._snap = (monotonic(), stats, total, used, available)

    def _publish_pressure(self, pressure: Optional[Dict[str, Any]]) -> None:
        if pressure is not None and type(pressure) is not dict:
            raise TypeError(f"_publish_pressure() takes a dict or None, not {type(pressure).__name__}")
        self._pressure = None if pressure is None else (self._snap, pressure)

    def _refresh(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _refresh_pressure(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _read_pressure(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def get_memory_pressure(self) -> Dict[str, Any]:
        """The pressure of the cached reading, refreshed first if older than the interval; a new
        dict each call, its ``"kernel"`` dict copied too."""
        snap = self._snap
        kept = self._pressure
        if snap is None or monotonic() - snap[0] >= self._cache_interval:
            self._refresh_pressure()
            kept = self._pressure
            if kept is None:
                raise RuntimeError("_refresh_pressure() published no pressure")
        elif kept is None or kept[0] is not snap:
            self._read_pressure()
            kept = self._pressure
            if kept is None:
                raise RuntimeError("_read_pressure() published no pressure")
        p = kept[1].copy()
        kernel = p.get("kernel")
        if type(kernel) is dict:
            p["kernel"] = kernel.copy()
        return p

    def get_memory_stats(self) -> Dict[str, Any]:
        """The cached statistics, refreshed first (``self._refresh()``) if older than the interval."""
        snap = self._snap
        if snap is None or monotonic() - snap[0] >= self._cache_interval:
            self._refresh()
            snap = self._snap
            if snap is None:
                raise RuntimeError("_refresh() published no statistics")
        mb, count = self._ml
        stats = snap[1].copy()
        stats["ml_models_mb"] = mb
        stats["ml_models_count"] = count
        stats["ml_percent"] = mb / snap[2] * 100 if snap[2] > 0 else 0.0
        return stats

    def update_ml_stats(self, models_mb: float, models_count: int) -> None:
        """Record the memory (MiB) and number of loaded ML models; kept across refreshes."""
        mb = as_float(models_mb, "models_mb")
        count = as_int(models_count, "models_count")
        if not 0.0 <= mb <= _MAX_DOUBLE:
            raise ValueError(f"models_mb must be a finite number >= 0, got {mb!r}")
        if count > _MAX_INT64:
            raise OverflowError("models_count is too large")
        if count < 0:
            raise ValueError(f"models_count must be >= 0, got {count}")
        self._ml = (mb, count)  # one store: readers see both figures or neither

    def is_memory_available(self, required_mb: float, threshold_percent: float) -> bool:
        """Whether ``required_mb`` more MiB fit, from the cached reading only (no system call)."""
        required = as_float(required_mb, "required_mb")
        threshold = as_float(threshold_percent, "threshold_percent")
        snap = self._snap
        if snap is None or not snap[2] > 0:
            return False
        return (snap[3] + required) / snap[2] * 100 < threshold and snap[4] > required
