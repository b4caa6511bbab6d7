"""Read-only numpy and memoryview views over a file that Go has memory-mapped.

The mapping is owned by a ``MappedFile``; every view made from it (numpy arrays, memoryviews, their
slices) keeps it alive through numpy's ``base`` chain, and the file is unmapped when the last view
is garbage-collected. Nothing is copied: pages are read from the page cache on first touch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _native

__all__ = ["MappedFile", "map_file", "open_mapping", "mapping_array"]


class MappedFile:
    """Owns one Go memory map; exposes it to numpy through ``__array_interface__`` (read-only)."""

    __slots__ = ("_handle", "_closed", "__array_interface__", "nbytes", "__weakref__")

    def __init__(self, handle: "_native.Handle", addr: int, nbytes: int) -> None:
        self._handle = handle
        self._closed = False
        self.nbytes = nbytes
        self.__array_interface__ = {"shape": (nbytes,), "typestr": "|u1", "data": (addr, True), "version": 3}

    def array(self) -> np.ndarray:
        """The whole file as a read-only ``uint8`` array whose ``base`` keeps this mapping alive."""
        arr = np.asarray(self)
        assert not arr.flags.writeable
        return arr

    def __reduce__(self) -> Any:
        raise TypeError("a memory mapping cannot be copied or pickled (copy the array made from it)")

    def __del__(self) -> None:
        if not self._closed and not _native.forked:
            self._closed = True
            try:
                _native.lib.jarvisrs_Mapping_Close(self._handle.value)
            except Exception:
                pass


_EMPTY = np.frombuffer(b"", dtype=np.uint8)


def open_mapping(path: Any, display: Any = None) -> "_native.Handle":
    """Memory-map the file at ``path`` (wire form, see ``_convert.as_path``) in Go; return its handle.

    Raises:
        FileNotFoundError, IsADirectoryError, PermissionError, OSError: as ``open`` would.
    """
    return _native.Handle(_native.call("jarvisrs_MapFile", path, filename=display if display is not None else path))


def mapping_array(handle: "_native.Handle") -> np.ndarray:
    """The mapping behind ``handle`` as a read-only ``uint8`` array that keeps it mapped."""
    nbytes = _native.lib.jarvisrs_Mapping_Len(handle.value)
    if nbytes == 0:
        _native.lib.jarvisrs_Mapping_Close(handle.value)
        return _EMPTY
    addr = _native.lib.jarvisrs_Mapping_Addr(handle.value)
    return MappedFile(handle, addr, nbytes).array()


def map_file(path: Any, display: Any = None) -> np.ndarray:
    """Memory-map the file at ``path`` (a str) and return it as a read-only ``uint8`` array.

    Raises:
        FileNotFoundError, IsADirectoryError, PermissionError, OSError: as ``open`` would.
    """
    return mapping_array(open_mapping(path, display))
