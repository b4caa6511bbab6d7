"""Float inputs for Go: any sequence or numpy array as one contiguous float32 vector."""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

from . import _fastpaths, _native


def float32_vector(data: Any, name: str) -> np.ndarray:
    """``data`` as a C-contiguous, aligned 1-D float32 array: a no-copy view when it already is one.

    Other sequences and iterables are converted once, item by item like the original's ``Vec<f32>``
    and exactly as ``array('f', data)`` converts (lists and tuples by the C reader of
    ``_fastpaths``, with the GIL held; float32 ``array.array`` buffers are used as they are);
    float64, strided and misaligned arrays (``np.frombuffer(buf, np.float32, offset=1)``) are
    converted or copied once. Raises ``TypeError`` for non-numeric data (strings, None, objects,
    complex), naming the index of the first bad element (``"data[3]: must be real number, not
    str"``); ``OverflowError`` for ints beyond float range.
    """
    if isinstance(data, np.ndarray):
        if data.dtype.kind not in "fiu":
            raise TypeError(f"{name} must hold real numbers, not {data.dtype}")
        if data.dtype == np.float32 and data.flags.c_contiguous and data.flags.aligned:
            return data.reshape(-1)
        return np.require(data, np.float32, ("C", "A")).reshape(-1)
    if isinstance(data, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be a sequence of numbers, not {type(data).__name__}")
    if isinstance(data, array) and data.typecode == "f":
        return np.frombuffer(data, dtype=np.float32)
    if _fastpaths.read_float32 is not None:
        return _read_natively(data, name)
    # array('f', ...) converts each item like the original's Vec<f32> did: ints, floats and
    # anything with __float__ pass; str, None and nested sequences raise TypeError.
    try:
        buf = array("f", data)
    except (TypeError, OverflowError, ValueError) as exc:
        raise _name_bad_element(data, name, exc) from None
    return np.frombuffer(buf, dtype=np.float32)


def _read_natively(data: Any, name: str) -> np.ndarray:
    """A list or tuple read by the C reader with the GIL held (about 3 ns an element, 3-6x faster
    than ``array('f', ...)`` or ``np.asarray``); other iterables are listed first."""
    seq = data if type(data) is list or type(data) is tuple else list(data)
    out = np.empty(len(seq), dtype=np.float32)
    reader = _fastpaths.read_float32
    assert reader is not None  # only called when the C reader is installed
    reader(seq, _native.address_of(out), out.size, name)
    return out


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
