"""The quantization engine the original promised: numpy in, numpy out, work done in parallel Go.

Arrays are read in place when they are C-contiguous float32; float64, float16 and strided arrays
are converted to contiguous float32 once (every formula is float32 arithmetic, as the original's
was). ``round`` is round-half-away-from-zero. See README.md for the formulas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Tuple

import numpy as np

from . import _native
from ._convert import as_int

__all__ = ["QuantizedTensor", "quantize_int8", "quantize_int4", "pack_int4", "unpack_int4", "quantize_fp16",
           "dequantize", "quantize_gguf", "dequantize_gguf"]

GGUF_BLOCK = 32  # llama.cpp's QK8_0 / QK4_0


@dataclass(frozen=True)
class QuantizedTensor:
    """An immutable quantized tensor (its arrays are read-only).

    Attributes:
        data: ``np.int8`` codes shaped like the original (INT8), or ``np.uint8`` packed nibbles
            (INT4: element ``2i`` in the low nibble, ``2i+1`` in the high nibble).
        scale: ``np.float32`` scales: shape ``()`` per tensor, ``(shape[axis],)`` per channel,
            ``(n_groups,)`` for INT4.
        zero_point: ``np.int8`` zero points shaped like ``scale`` (asymmetric INT8), else ``None``.
        shape: the original shape.
        axis: the per-channel axis (non-negative), or ``None``.
        group_size: INT4 group size, or ``None``.
        bits: 8 or 4.
    """

    data: np.ndarray
    scale: np.ndarray
    zero_point: Optional[np.ndarray]
    shape: Tuple[int, ...]
    axis: Optional[int] = None
    group_size: Optional[int] = None
    bits: int = 8

    def __post_init__(self) -> None:
        for arr in (self.data, self.scale, self.zero_point):
            if arr is not None:
                arr.setflags(write=False)

    @property
    def nbytes(self) -> int:
        """Bytes held: ``data`` plus ``scale`` plus ``zero_point``."""
        return int(self.data.nbytes + self.scale.nbytes + (0 if self.zero_point is None else self.zero_point.nbytes))


def _float_input(x: Any, name: str = "x") -> Tuple[np.ndarray, Tuple[int, ...]]:
    """``x`` as a C-contiguous, aligned float32 array (no copy when it already is one) and its shape."""
    arr = np.asarray(x)
    if arr.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating-point array (float16/32/64), not {arr.dtype}")
    if arr.dtype != np.float32 or not arr.flags.c_contiguous or not arr.flags.aligned:
        arr = np.require(arr, np.float32, ("C", "A"))  # one copy: converted, contiguous and aligned
    return arr, tuple(int(d) for d in arr.shape)


def _layout(shape: Tuple[int, ...], axis: Optional[int]) -> Tuple[Optional[int], int, int, int]:
    """(normalised axis, outer, channels, inner) for a per-channel view of a C-contiguous shape."""
    n = math.prod(shape)
    if axis is None:
        return None, 1, 1, n
    axis = as_int(axis, "axis")
    if not -len(shape) <= axis < len(shape):
        raise ValueError(f"axis {axis} is out of range for an array of {len(shape)} dimension(s)")
    axis %= len(shape)
    return axis, math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1:])


def quantize_int8(x: Any, *, axis: Optional[int] = None, symmetric: bool = True) -> QuantizedTensor:
    """Quantize to INT8, per tensor or per channel, symmetric or with zero points.

    Args:
        x: a floating-point array of any shape.
        axis: ``None`` for one scale for the whole tensor, or the channel axis (PyTorch's
            per-channel meaning: one scale per index along ``axis``; negative counts from the end).
        symmetric: ``True``: ``scale = max|x| / 127``, ``q = clamp(round(x / scale), -127, 127)``
            (all-zero slices get scale 0). ``False`` (dynamic/activation quantization):
            ``scale = (max - min) / 255``, ``zero_point = clamp(round(-min / scale) - 128, -128, 127)``,
            ``q = clamp(round(x / scale) + zero_point, -128, 127)``, where ``[min, max]`` is widened
            to include 0 (as PyTorch and ONNX do) so ``(q - zero_point) * scale`` stays within half a
            step of ``x`` even for slices entirely above or below 0.

    Returns:
        A ``QuantizedTensor`` with ``bits == 8``; ``dequantize`` inverts it.

    Raises:
        ValueError: NaN or infinity (naming the first bad flat index), or a bad ``axis``.
        TypeError: a non-floating array.
    """
    arr, shape = _float_input(x)
    ax, outer, channels, inner = _layout(shape, axis)
    data = np.empty(shape, dtype=np.int8)
    scale = np.zeros(() if ax is None else (channels,), dtype=np.float32)
    src, dst, sc = _native.address_of(arr), _native.address_of(data), _native.address_of(scale)
    if symmetric:
        _native.call("jarvisrs_QuantizeInt8Symmetric", src, arr.size, dst, sc, outer, channels, inner)
        zero_point = None
    else:
        zero_point = np.zeros(scale.shape, dtype=np.int8)
        _native.call("jarvisrs_QuantizeInt8Asymmetric", src, arr.size, dst, sc, _native.address_of(zero_point),
                     outer, channels, inner)
    return QuantizedTensor(data=data, scale=scale, zero_point=zero_point, shape=shape, axis=ax, bits=8)


def quantize_int4(x: Any, *, group_size: int = 32) -> QuantizedTensor:
    """Quantize to packed INT4 in groups of ``group_size`` consecutive elements (row-major order).

    Per group ``scale = max|x| / 7`` and ``q = clamp(round(x / scale), -8, 7)``; the last group may
    be short. Codes are packed two per byte (element ``2i`` low nibble, ``2i+1`` high nibble,
    two's complement; an odd count leaves the last high nibble 0).

    Raises:
        ValueError: NaN/infinity, or ``group_size < 1``.
        TypeError: a non-floating array or a non-int ``group_size``.
    """
    arr, shape = _float_input(x)
    gs = as_int(group_size, "group_size")
    if gs < 1:
        raise ValueError(f"group_size must be >= 1, got {gs}")
    n = arr.size
    groups = -(-n // gs)
    data = np.empty((n + 1) // 2, dtype=np.uint8)
    scale = np.zeros((groups,), dtype=np.float32)
    _native.call("jarvisrs_QuantizeInt4", _native.address_of(arr), n, _native.address_of(data), data.size,
                 _native.address_of(scale), groups, gs)
    return QuantizedTensor(data=data, scale=scale, zero_point=None, shape=shape, group_size=gs, bits=4)


def pack_int4(codes: Any) -> np.ndarray:
    """Pack INT4 codes (integers in -8..7, any shape, row-major) two per byte into ``np.uint8``.

    Raises:
        ValueError: a code outside -8..7. TypeError: non-integer input.
    """
    arr = np.asarray(codes)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"codes must be integers, not {arr.dtype}")
    if arr.size and (arr.min() < -8 or arr.max() > 7):
        raise ValueError("INT4 codes must be between -8 and 7")
    flat = np.ascontiguousarray(arr, dtype=np.int8).reshape(-1)
    out = np.empty((flat.size + 1) // 2, dtype=np.uint8)
    _native.call("jarvisrs_PackInt4", _native.address_of(flat), flat.size, _native.address_of(out), out.size)
    return out


def unpack_int4(packed: Any, count: int) -> np.ndarray:
    """Unpack ``count`` INT4 codes from ``np.uint8`` nibbles (the ``pack_int4`` layout) to ``np.int8``.

    Raises:
        ValueError: ``count`` negative or more than ``2 * len(packed)``.
    """
    arr = np.asarray(packed)
    if arr.dtype != np.uint8:
        if arr.dtype.kind not in "iu":
            raise TypeError(f"packed must be uint8, not {arr.dtype}")
        arr = arr.astype(np.uint8)
    flat = np.ascontiguousarray(arr).reshape(-1)
    n = as_int(count, "count")
    if not 0 <= n <= 2 * flat.size:
        raise ValueError(f"count must be between 0 and {2 * flat.size} for {flat.size} packed bytes, got {n}")
    out = np.empty(n, dtype=np.int8)
    _native.call("jarvisrs_UnpackInt4", _native.address_of(flat), flat.size, _native.address_of(out), n)
    return out


def quantize_fp16(x: Any) -> np.ndarray:
    """Convert to ``np.float16``, the same values as ``x.astype(np.float32).astype(np.float16)``."""
    arr, shape = _float_input(x)
    out = np.empty(shape, dtype=np.float16)
    _native.call("jarvisrs_QuantizeArrayFP16", _native.address_of(arr), arr.size, _native.address_of(out), 2 * arr.size)
    return out


def dequantize(qt: QuantizedTensor) -> np.ndarray:
    """Reconstruct float32 values in the original shape: ``q * scale`` or ``(q - zero_point) * scale``."""
    if not isinstance(qt, QuantizedTensor):
        raise TypeError(f"dequantize takes a QuantizedTensor, not {type(qt).__name__}")
    out = np.empty(qt.shape, dtype=np.float32)
    n = out.size
    data = np.ascontiguousarray(qt.data)
    scale = np.require(qt.scale, np.float32, ("C", "A"))
    if qt.bits == 4:
        gs = qt.group_size or 0
        _native.call("jarvisrs_DequantizeInt4", _native.address_of(data), data.size, _native.address_of(scale), scale.size,
                     gs, _native.address_of(out), n)
        return out
    _, outer, channels, inner = _layout(qt.shape, qt.axis)
    if data.size != n or scale.size != channels:
        raise ValueError("QuantizedTensor fields do not match its shape")
    zp = 0
    if qt.zero_point is not None:
        zpa = np.ascontiguousarray(qt.zero_point, dtype=np.int8)
        if zpa.size != channels:
            raise ValueError("QuantizedTensor zero_point does not match its scale")
        zp = _native.address_of(zpa)
    _native.call("jarvisrs_DequantizeInt8", _native.address_of(data), n, _native.address_of(scale), zp, outer, channels, inner,
                 _native.address_of(out))
    return out


def _gguf_kind(kind: Any) -> str:
    name = getattr(kind, "name", kind)
    if not isinstance(name, str):
        raise TypeError(f"kind must be 'Q8_0' or 'Q4_0', not {kind!r}")
    upper = name.upper()
    if upper not in ("Q8_0", "Q4_0"):
        raise ValueError(f"kind must be 'Q8_0' or 'Q4_0', not {kind!r}")
    return upper


def quantize_gguf(x: Any, kind: Any) -> bytes:
    """Quantize to llama.cpp's Q8_0 or Q4_0 blocks, byte-identical to ``gguf.quants.quantize``.

    Args:
        x: a floating-point array whose last axis is a multiple of 32.
        kind: ``"Q8_0"`` or ``"Q4_0"`` (or a ``gguf.GGMLQuantizationType`` member).

    Raises:
        ValueError: NaN/infinity, a last axis that is not a multiple of 32, or an unknown kind.
    """
    arr, shape = _float_input(x)
    k = _gguf_kind(kind)
    row = shape[-1] if shape else 1
    if row % GGUF_BLOCK:
        raise ValueError(f"the last axis ({row}) must be a multiple of {GGUF_BLOCK} for {k}")
    size = _native.call("jarvisrs_GGUFSize", arr.size, row, k)
    out, dst = _native.new_bytes(size)
    _native.call("jarvisrs_QuantizeGGUF", _native.address_of(arr), arr.size, row, k, dst, size)
    return out


def dequantize_gguf(data: Any, kind: Any, shape: Any) -> np.ndarray:
    """Decode Q8_0 or Q4_0 blocks into a float32 array of ``shape``, equal to ``gguf.quants.dequantize``.

    Raises:
        ValueError: ``data`` is not exactly the size ``shape`` needs, or a bad shape or kind.
    """
    k = _gguf_kind(kind)
    shp = tuple(as_int(d, "shape") for d in (shape if isinstance(shape, (tuple, list)) else (shape,)))
    if any(d < 0 for d in shp):
        raise ValueError(f"shape must not have negative dimensions: {shp}")
    row = shp[-1] if shp else 1
    if row % GGUF_BLOCK:
        raise ValueError(f"the last axis ({row}) must be a multiple of {GGUF_BLOCK} for {k}")
    keep, src, nbytes = _native.input_buffer(data)
    out = np.empty(shp, dtype=np.float32)
    _native.call("jarvisrs_DequantizeGGUF", src, nbytes, row, k, _native.address_of(out), out.size)
    del keep
    return out
