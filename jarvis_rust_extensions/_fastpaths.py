"""The CPython fast paths compiled into the extension (jarvisrs/pyaccel: C functions that
Python calls directly, with the GIL held, at the cost of a builtin call instead of a gopy call), or
their pure-Python fallbacks in a build without them (no ``jarvis_cpython`` Go build tag) or on a
free-threaded interpreter.

- ``StatsCache``: base class of ``RustMemoryMonitor`` (cache age, ``is_memory_available``,
  ``update_ml_stats``, cached ``get_memory_stats``); Go is called only to refresh.
- ``read_float32(seq, address, count, name)``: a list or tuple of numbers into float32 memory,
  exactly as ``array('f', seq)`` converts, naming the index of a bad element; ``None`` without C.
"""

from __future__ import annotations

import sys
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any, Callable, Dict, Optional

from . import _native
from ._stats_cache import PyStatsCache

__all__ = ["StatsCache", "PyStatsCache", "read_float32", "read_float32_portable", "native", "direct_reads"]


def _free_threaded() -> bool:
    """True on a free-threaded CPython build (3.13t and later), whose ``sys.abiflags`` carry "t".
    Read from ``sys``, not ``sysconfig``: importing that costs 1-3 ms of every import."""
    flags = getattr(sys, "abiflags", None)
    if flags is None:  # no abiflags (Windows): ask sysconfig
        import sysconfig
        return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    return "t" in flags


def _install() -> Dict[str, Any]:
    namespace: Dict[str, Any] = {}
    if _free_threaded():
        return {}  # the C code relies on the GIL to read lists and update the cache atomically
    try:
        installed = _native.call("jarvisrs_InstallFastPaths", id(namespace))
    except RuntimeError as exc:  # e.g. an object layout the probe does not recognise
        import warnings
        warnings.warn(f"jarvis_rust_extensions: C fast paths unavailable, using Python ({exc})", RuntimeWarning)
        return {}
    return namespace if installed else {}


_namespace = _install()
native: bool = "StatsCache" in _namespace
StatsCache: type = _namespace.get("StatsCache", PyStatsCache)
read_float32: Optional[Callable[..., Any]] = _namespace.get("read_float32")
read_float32_portable: Optional[Callable[..., Any]] = _namespace.get("read_float32_portable")
direct_reads: bool = bool(_namespace.get("direct_reads", False))
