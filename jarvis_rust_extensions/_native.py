"""The one door to the Go extension: loading it, fork safety, handles and raw buffers.

Every call into Go goes through ``_native.lib`` (looked up at call time, never cached), so that
after ``fork()`` one assignment turns every call into a clear ``ForkedProcessError`` instead of a
hang: the Go runtime's threads do not exist in a forked child.

Buffers: Go receives the address and length of memory Python owns and keeps alive for the call.
``input_buffer`` exports any bytes-like object without copying it; ``new_bytes`` makes a ``bytes``
object of a given size for Go to fill before anyone else can see it (what C extensions do with
``PyBytes_FromStringAndSize(NULL, n)``).
"""

from __future__ import annotations

import gc
import os
import sys
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any, Callable, NoReturn, Optional, Tuple

from ._errors import ForkedProcessError, translate
try:
    from ._gopy import _jarvisrs  # type: ignore[attr-defined,import-not-found,unused-ignore]  # a compiled module without stubs
except ImportError as _exc:  # pragma: no cover - only in a source tree that was never built
    # (`_exc`, not `exc`: stubtest sees a module-level name Python unbinds after the block)
    raise ImportError(
        f"jarvis_rust_extensions: the compiled Go extension is missing from {os.path.dirname(__file__)} "
        f"({_exc}). This is probably the source folder: build and install the wheel with "
        "`python3 build.py` (or `pip install .`) and import it from another directory."
    ) from _exc

__all__ = ["lib", "call", "Handle", "input_buffer", "PinnedBuffer", "new_bytes", "bytes_filled", "address_of", "forked"]

if sys.implementation.name != "cpython":  # pragma: no cover - the extension is CPython-only
    raise ImportError("jarvis_rust_extensions requires CPython")

lib: Any = _jarvisrs
forked = False

_FORK_MESSAGE = (
    "jarvis_rust_extensions cannot be used in a process created by fork() after it was imported: "
    "the Go runtime does not survive fork() and the call could hang forever. Start worker "
    "processes with multiprocessing's 'spawn' or 'forkserver' method "
    "(multiprocessing.set_start_method('spawn') or get_context('forkserver')), or import this "
    "package only inside the workers."
)


class _ForkedLib:
    """Stands in for the extension in a forked child: every function raises at once."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def refuse(*_args: Any, **_kwargs: Any) -> Any:
            raise ForkedProcessError(_FORK_MESSAGE)
        return refuse


def _after_fork_in_child() -> None:
    global lib, forked
    forked = True
    lib = _ForkedLib()
    # gopy's own wrapper (which we do not import) hooks Go's GC into Python's; make sure nothing
    # of the kind can call into the dead runtime from the child.
    for callback in list(gc.callbacks):
        if getattr(callback, "__module__", "").endswith(".jarvisrs"):
            gc.callbacks.remove(callback)


os.register_at_fork(after_in_child=_after_fork_in_child)


def call(fn_name: str, *args: Any, corrupt: Any = None, filename: Any = None) -> Any:
    """Call the Go function ``fn_name`` and raise the documented exception type on failure."""
    try:
        return getattr(lib, fn_name)(*args)
    except RuntimeError as exc:
        if isinstance(exc, ForkedProcessError):
            raise
        raise translate(exc, corrupt=corrupt, filename=filename) from None


class Handle:
    """Owns one gopy handle (a Go object kept alive for Python) and releases it exactly once."""

    __slots__ = ("value", "__weakref__")

    def __init__(self, value: int) -> None:
        if value is None or value < 1:
            raise RuntimeError("the Go extension returned no object")
        self.value = value
        lib.IncRef(value)

    def __reduce__(self) -> NoReturn:
        # A handle number means nothing in another process, and a second owner of the same number
        # would release it twice: objects holding a Handle copy and pickle their configuration.
        raise TypeError("a Go object handle cannot be copied or pickled")

    def __copy__(self) -> NoReturn:
        self.__reduce__()

    def __deepcopy__(self, memo: Any) -> NoReturn:
        self.__reduce__()

    def __del__(self) -> None:
        value, self.value = self.value, 0
        if value > 0 and not forked:
            try:
                lib.DecRef(value)
            except Exception:
                pass


# Offset of a bytes object's character data from its address: the object header, then ob_sval.
_BYTES_DATA_OFFSET = bytes.__basicsize__ - 1
_PYBUF_SIMPLE = 0  # PyObject_GetBuffer flags: a C-contiguous run of bytes, read-only is fine


class _CAPI:
    """CPython's C functions called through ctypes, set up on first use: importing ctypes costs
    milliseconds, and a process that only watches memory never needs them."""

    def __init__(self) -> None:
        import ctypes

        fields = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p), ("len", ctypes.c_ssize_t),
                  ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                  ("format", ctypes.c_void_p), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                  ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]
        # CPython's Py_buffer (a stable layout, in the limited API since 3.11)
        self.new_view: Any = type("PyBuffer", (ctypes.Structure,), {"_fields_": fields})
        api = ctypes.pythonapi
        self.bytes_from_size = api.PyBytes_FromStringAndSize
        self.bytes_from_size.restype = ctypes.py_object
        self.bytes_from_size.argtypes = (ctypes.c_void_p, ctypes.c_ssize_t)
        self.get_buffer = api.PyObject_GetBuffer
        self.get_buffer.restype = ctypes.c_int
        self.get_buffer.argtypes = (ctypes.py_object, ctypes.c_void_p, ctypes.c_int)
        self.release_buffer = api.PyBuffer_Release
        self.release_buffer.restype = None
        self.release_buffer.argtypes = (ctypes.c_void_p,)
        self.addressof = ctypes.addressof
        # bytes_filled's: the constructor returning the raw object pointer (a reference the caller
        # owns), the C API's in-place resize and Py_DecRef; each checks Python's error flag after
        # the call (PYFUNCTYPE).
        self.bytes_raw = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ssize_t)(
            ("PyBytes_FromStringAndSize", api))
        self.bytes_resize = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.c_ssize_t)(
            ("_PyBytes_Resize", api))
        self.decref = ctypes.PYFUNCTYPE(None, ctypes.c_void_p)(("Py_DecRef", api))
        self.pointer_box = ctypes.c_void_p
        self.byref = ctypes.byref
        self.object_at: Callable[[int], Any] = lambda ptr: ctypes.cast(ptr, ctypes.py_object).value  # a new reference


_capi: Optional[_CAPI] = None


def _c_api() -> _CAPI:
    global _capi
    if _capi is None:
        _capi = _CAPI()
    return _capi


def new_bytes(n: int) -> Tuple[bytes, int]:
    """Return a new, uninitialised ``bytes`` of length ``n`` and the address of its data.

    The caller must fill all ``n`` bytes before the object escapes. ``n == 0`` returns the shared
    empty ``bytes``, which must not be written (nothing is written for length 0).
    """
    if n == 0:
        return b"", 0
    out: bytes = (_capi or _c_api()).bytes_from_size(None, n)
    return out, id(out) + _BYTES_DATA_OFFSET


# From this capacity on, bytes_filled shrinks the object in place instead of slicing a copy: a
# slice copies the output into freshly faulted pages (4.5 ms of a 64 MiB level-0 compress_model's
# 117), while the resize hands the tail back without copying (realloc, mremap for large blocks).
# Below it, the slice is cheaper than the extra ctypes calls.
_RESIZE_MIN = 1 << 20


def bytes_filled(capacity: int, fill: Callable[[int], int]) -> bytes:
    """Return a new ``bytes`` that ``fill`` wrote: ``fill(address)`` gets the address of
    ``capacity`` uninitialised bytes and returns how many it wrote from the start (at most
    ``capacity``); the result holds exactly those. Exceptions from ``fill`` propagate and the
    memory is freed. For a large capacity the object is shrunk in place, so its bytes are never
    copied and the unwritten tail is never touched.
    """
    if capacity < _RESIZE_MIN:
        small, dst = new_bytes(capacity)
        written = fill(dst)
        return small if written == capacity else small[:written]
    api = _capi or _c_api()
    ptr = api.bytes_raw(None, capacity)  # the only reference, held by this function
    try:
        written = fill(ptr + _BYTES_DATA_OFFSET)
        if not 0 <= written <= capacity:
            raise RuntimeError(f"jarvis_rust_extensions: wrote {written} bytes into {capacity}")
    except BaseException:
        api.decref(ptr)
        raise
    if written != capacity:
        box = api.pointer_box(ptr)
        api.bytes_resize(api.byref(box), written)  # on failure it frees the object and raises
        ptr = box.value
    out: bytes = api.object_at(ptr)  # a second reference, for Python
    api.decref(ptr)
    return out


def address_of(arr: Any) -> int:
    """The data address of a numpy array (0 for an empty one)."""
    return int(arr.__array_interface__["data"][0]) if arr.size else 0


class PinnedBuffer:
    """A bytes-like object's buffer, exported with ``PyObject_GetBuffer`` and held until this
    object goes: the memory cannot move or be resized meanwhile (a ``bytearray`` refuses to grow).
    numpy is not needed: any object with the buffer protocol works."""

    __slots__ = ("_view", "address", "nbytes")

    def __init__(self, obj: Any) -> None:
        api = _capi or _c_api()
        view = api.new_view()
        api.get_buffer(obj, api.addressof(view), _PYBUF_SIMPLE)  # raises TypeError / BufferError
        self._view: Any = view
        self.nbytes = int(view.len)
        self.address = int(view.buf or 0) if self.nbytes else 0

    def __del__(self) -> None:
        view = getattr(self, "_view", None)
        if view is not None and _capi is not None:
            self._view = None
            _capi.release_buffer(_capi.addressof(view))


def _ndarray_type() -> Any:
    """numpy's ``ndarray`` when numpy is already imported, else None: an object cannot be an array
    of a numpy nobody imported, so this never imports numpy."""
    np = sys.modules.get("numpy")
    return None if np is None else getattr(np, "ndarray", None)


def input_buffer(obj: Any, what: str = "data") -> Tuple[Any, int, int]:
    """Export a bytes-like object for Go without copying it.

    Returns ``(keepalive, address, nbytes)``; hold ``keepalive`` until the Go call returns (it
    pins the memory: a ``bytearray`` cannot be resized meanwhile). A non-contiguous buffer is
    copied once into a contiguous one. ``str`` and other non-buffers raise ``TypeError``. numpy
    is used only for numpy arrays (C order, as ``arr.tobytes()``), and never imported here.
    """
    if type(obj) is bytes:
        return obj, id(obj) + _BYTES_DATA_OFFSET, len(obj)
    if isinstance(obj, str):
        raise TypeError(f"{what} must be a bytes-like object, not str (encode it first)")
    ndarray = _ndarray_type()
    if ndarray is not None and isinstance(obj, ndarray):
        if obj.dtype.hasobject:
            raise TypeError(f"{what} must be a bytes-like object, not an array of Python objects")
        arr = obj if obj.flags.c_contiguous else obj.copy(order="C")
        return arr, address_of(arr), int(arr.nbytes)
    try:
        pinned = PinnedBuffer(obj)
    except TypeError:
        raise TypeError(f"{what} must be a bytes-like object, not {type(obj).__name__}") from None
    except (ValueError, BufferError):
        try:
            view = memoryview(obj)
        except TypeError:
            raise TypeError(f"{what} must be a bytes-like object, not {type(obj).__name__}") from None
        copy = view.tobytes()  # not contiguous: one contiguous copy, in C order
        return copy, id(copy) + _BYTES_DATA_OFFSET, len(copy)
    return pinned, pinned.address, pinned.nbytes
