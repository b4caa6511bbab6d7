"""Float inputs for Go: any sequence or numpy array as one contiguous float32 vector."""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np


def float32_vector(data: Any, name: str) -> np.ndarray:
    """``data`` as a C-contiguous, aligned 1-D float32 array: a no-copy view when it already is one.

    Other sequences and iterables are converted once, item by item like the original's ``Vec<f32>``
    (float32 ``array.array`` buffers are used as they are); float64, strided and misaligned arrays
    (``np.frombuffer(buf, np.float32, offset=1)``) are converted or copied once. Raises ``TypeError`` for non-numeric data (strings, None, objects, complex).
    """
    if isinstance(data, np.ndarray):
        if data.dtype.kind not in "fiu":
            raise TypeError(f"{name} must hold real numbers, not {data.dtype}")
        if data.dtype == np.float32 and data.flags.c_contiguous and data.flags.aligned:
            return data.reshape(-1)
        return np.require(data, np.float32, "CA").reshape(-1)
    if isinstance(data, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be a sequence of numbers, not {type(data).__name__}")
    if isinstance(data, array) and data.typecode == "f":
        buf = data
    else:
        # array('f', ...) converts each item like the original's Vec<f32> did: ints, floats and
        # anything with __float__ pass; str, None and nested sequences raise TypeError. It is also
        # faster than np.asarray(list, np.float32).
        try:
            buf = array("f", data)
        except TypeError as exc:
            raise TypeError(f"{name} must be a sequence of numbers: {exc}") from None
    return np.frombuffer(buf, dtype=np.float32)
