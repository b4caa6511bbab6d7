"""Float inputs for Go: any sequence or numpy array as one contiguous float32 vector."""

from __future__ import annotations

from typing import Any

import numpy as np


def float32_vector(data: Any, name: str) -> np.ndarray:
    """``data`` as a C-contiguous 1-D float32 array: a no-copy view when it already is one.

    Lists and tuples are converted once (``np.asarray``); float64 and strided arrays are converted
    or copied once. Raises ``TypeError`` for non-numeric data (strings, objects, complex, bool).
    """
    if isinstance(data, np.ndarray):
        if data.dtype.kind not in "fiu":
            raise TypeError(f"{name} must hold real numbers, not {data.dtype}")
        if data.dtype == np.float32 and data.flags.c_contiguous:
            return data.reshape(-1)
        return np.ascontiguousarray(data, dtype=np.float32).reshape(-1)
    if isinstance(data, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be a sequence of numbers, not {type(data).__name__}")
    try:
        vec = np.asarray(data, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a sequence of numbers: {exc}") from None
    return vec.reshape(-1)
