"""Read-only numpy and memoryview views over a file that Go has memory-mapped.

The mapping is owned by a ``MappedFile``; every view made from it (numpy arrays, memoryviews, their
slices) keeps it alive (through numpy's ``base`` chain, or the ctypes array a memoryview exports),
and the file is unmapped when the last view is garbage-collected. Nothing is copied: pages are read
from the page cache on first touch. Memoryviews (``RustModelLoader.mmap_model``) need no numpy.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any

from . import _native

__all__ = ["MappedFile", "map_memoryview", "open_mapping", "mapping_array"]


class MappedFile:
    """Owns one Go memory map; exposes it to numpy through ``__array_interface__`` (read-only)."""

    __slots__ = ("_handle", "_closed", "__array_interface__", "address", "nbytes", "__weakref__")

    def __init__(self, handle: "_native.Handle", addr: int, nbytes: int) -> None:
        self._handle = handle
        self._closed = False
        self.address = addr
        self.nbytes = nbytes
        self.__array_interface__ = {"shape": (nbytes,), "typestr": "|u1", "data": (addr, True), "version": 3}

    def array(self) -> Any:
        """The whole file as a read-only ``uint8`` numpy array whose ``base`` keeps this mapping alive."""
        import numpy as np
        arr = np.asarray(self)
        assert not arr.flags.writeable
        return arr

    def view(self) -> memoryview:
        """The whole file as a read-only ``memoryview`` (format ``"B"``) that keeps this mapping alive:
        the view exports a ctypes array over the mapping, and that array holds this object."""
        import ctypes  # here, not at import: it costs milliseconds
        exporter: Any = (ctypes.c_ubyte * self.nbytes).from_address(self.address)
        exporter.mapping = self  # the array lives as long as any view of it: so does the mapping
        return memoryview(exporter).cast("B").toreadonly()

    def __reduce__(self) -> Any:
        raise TypeError("a memory mapping cannot be copied or pickled (copy the array made from it)")

    def __del__(self) -> None:
        if not self._closed and not _native.forked:
            self._closed = True
            try:
                _native.lib.jarvisrs_Mapping_Close(self._handle.value)
            except Exception:
                pass



def open_mapping(path: Any, display: Any = None) -> "_native.Handle":
    """Memory-map the file at ``path`` (wire form, see ``_convert.as_path``) in Go; return its handle.

    Raises:
        FileNotFoundError, IsADirectoryError, PermissionError, OSError: as ``open`` would.
    """
    return _native.Handle(_native.call("jarvisrs_MapFile", path, filename=display if display is not None else path))


def _mapped(handle: "_native.Handle") -> MappedFile | None:
    """The owner of the mapping behind ``handle``, or None (the handle closed) for an empty file."""
    nbytes = _native.lib.jarvisrs_Mapping_Len(handle.value)
    if nbytes == 0:
        _native.lib.jarvisrs_Mapping_Close(handle.value)
        return None
    return MappedFile(handle, _native.lib.jarvisrs_Mapping_Addr(handle.value), nbytes)


def mapping_array(handle: "_native.Handle") -> Any:
    """The mapping behind ``handle`` as a read-only ``uint8`` numpy array that keeps it mapped."""
    mapped = _mapped(handle)
    if mapped is None:
        import numpy as np
        empty = np.frombuffer(b"", dtype=np.uint8)  # read-only, like every mapped array
        return empty
    return mapped.array()


def map_memoryview(path: Any, display: Any = None) -> memoryview:
    """Memory-map the file at ``path`` (a str) as a read-only ``memoryview``, without numpy.

    Raises:
        FileNotFoundError, IsADirectoryError, PermissionError, OSError: as ``open`` would.
    """
    mapped = _mapped(open_mapping(path, display))
    return memoryview(b"") if mapped is None else mapped.view()
