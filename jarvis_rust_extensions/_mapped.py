"""Read-only numpy and memoryview views over a file that Go has memory-mapped.

The mapping is owned by a ``MappedFile``; every view made from it (numpy arrays, memoryviews, their
slices) keeps it alive through numpy's ``base`` chain, and the file is unmapped when the last view is
garbage-collected. Nothing is copied: pages are read from the page cache on first touch.
``RustModelLoader.mmap_model``'s memoryviews need no numpy and no Go: ``map_memoryview`` maps with
Python's read-only ``mmap``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any

import errno
import os
import sys

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


def map_memoryview(path: bytes, display: Any = None) -> memoryview:
    """Memory-map the file at ``path`` (absolute bytes, see ``_convert.absolute_path``) as a
    read-only ``memoryview``, without numpy.

    The exporter is Python's own ``mmap`` object opened with ``ACCESS_READ``: unlike a ctypes array
    over a mapping, nothing reachable from the view (``view.obj`` included) can write to the read-only
    pages, which would kill the process; the mapping lives until the last view or slice of it is
    released. The file is opened non-blocking, so a FIFO raises instead of waiting for a writer.

    Raises:
        FileNotFoundError, IsADirectoryError, PermissionError, OSError: as ``open`` would; OSError
            for a file that is not a regular file.
    """
    import mmap
    import stat
    shown = display if display is not None else path
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, _shown_name(shown)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), _shown_name(shown))
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file: only regular files can be memory-mapped", _shown_name(shown))
        if info.st_size == 0:
            return memoryview(b"")  # mmap(2) cannot map zero bytes
        extra: Any = {"trackfd": False} if sys.version_info >= (3, 13) else {}  # no fd kept open per view
        try:
            return memoryview(mmap.mmap(fd, 0, access=mmap.ACCESS_READ, **extra))
        except OSError as exc:
            raise type(exc)(exc.errno, exc.strerror, _shown_name(shown)) from None
    finally:
        os.close(fd)


def _shown_name(display: Any) -> Any:
    """The file name an OSError shows, as ``open`` shows it (str, or bytes for a bytes path)."""
    try:
        return os.fspath(display)
    except TypeError:
        return display
