"""Float inputs for Go: any sequence or numpy array as one contiguous float32 vector.

numpy is used only for numpy arrays (and then it is already imported); lists, tuples, other
iterables and ``array('f')`` are read into memory Python owns without it.
"""

from __future__ import annotations

import sys
from array import array
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any, Tuple

from . import _fastpaths, _native


def float32_vector(data: Any, name: str) -> Tuple[Any, int, int]:
    """``data`` as C-contiguous, aligned float32 values: ``(values, address, count)``.

    ``values`` is a float32 buffer (a numpy array, or a memoryview of format ``"f"``) holding the
    ``count`` floats at ``address``; keep it until Go has read them. A C-contiguous, aligned
    float32 numpy array (any shape) or ``array('f')`` is read in place, with no copy.

    Other sequences and iterables are converted once, item by item like the original's ``Vec<f32>``
    and exactly as ``array('f', data)`` converts (lists and tuples by the C reader of
    ``_fastpaths``, with the GIL held); float64, strided and misaligned arrays
    (``np.frombuffer(buf, np.float32, offset=1)``) are converted or copied once. Raises
    ``TypeError`` for non-numeric data (strings, None, objects, complex), naming the index of the
    first bad element (``"data[3]: must be real number, not str"``); ``OverflowError`` for ints
    beyond float range.
    """
    np = sys.modules.get("numpy")  # if numpy was never imported, data cannot be a numpy array
    if np is not None and isinstance(data, np.ndarray):
        if data.dtype.kind not in "fiu":
            raise TypeError(f"{name} must hold real numbers, not {data.dtype}")
        if data.dtype == np.float32 and data.flags.c_contiguous and data.flags.aligned:
            vec = data.reshape(-1)
        else:
            vec = np.require(data, np.float32, ("C", "A")).reshape(-1)
        return vec, _native.address_of(vec), int(vec.size)
    if isinstance(data, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be a sequence of numbers, not {type(data).__name__}")
    if isinstance(data, array) and data.typecode == "f":
        return _array_vector(data)
    if _fastpaths.read_float32 is not None:
        return _read_natively(data, name)
    # array('f', ...) converts each item like the original's Vec<f32> did: ints, floats and
    # anything with __float__ pass; str, None and nested sequences raise TypeError.
    try:
        buf = array("f", data)
    except (TypeError, OverflowError, ValueError) as exc:
        raise _name_bad_element(data, name, exc) from None
    return _array_vector(buf)


def _array_vector(buf: "array[float]") -> Tuple[Any, int, int]:
    """An ``array('f')`` read in place (the memoryview pins it: it cannot be resized meanwhile)."""
    return memoryview(buf), buf.buffer_info()[0], len(buf)


def _read_natively(data: Any, name: str) -> Tuple[Any, int, int]:
    """A list or tuple read by the C reader with the GIL held (about 3 ns an element, 3-6x faster
    than ``array('f', ...)`` or ``np.asarray``) into a private, uninitialised ``bytes`` that no
    one else sees; other iterables are listed first."""
    seq = data if type(data) is list or type(data) is tuple else list(data)
    n = len(seq)
    out, address = _native.new_bytes(4 * n)
    reader = _fastpaths.read_float32
    assert reader is not None  # only called when the C reader is installed
    reader(seq, address, n, name)
    return memoryview(out).cast("f"), address, n


def _name_bad_element(data: Any, name: str, exc: Exception) -> Exception:
    """The exception array('f', data) raised, with ``name[index]`` of the first bad element."""
    try:
        for i, item in enumerate(data):
            try:
                array("f", (item,))
            except type(exc) as item_exc:
                return type(exc)(f"{name}[{i}]: {item_exc}")
    except Exception:  # an iterator that cannot be replayed: keep the original message
        pass
    return type(exc)(f"{name} must be a sequence of numbers: {exc}")
