"""LZ4 block functions of the original module: ``compress_data_lz4`` and ``decompress_data_lz4``.

The block format is raw LZ4 (no frame, no size prefix), as liblz4's ``LZ4_compress_HC`` writes it
and ``lz4.block.decompress(data, uncompressed_size=n)`` reads it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any, Optional

from . import _native
from ._convert import as_int
from ._errors import LZ4BlockError

__all__ = ["compress_data_lz4", "decompress_data_lz4"]

_SIZE_PREFIX = 4  # python-lz4's store_size=True layout: a little-endian uint32 size first


def compress_data_lz4(data: Any) -> bytes:
    """Compress ``data`` into a raw LZ4 block in high-compression mode (level 12).

    Args:
        data: any bytes-like object (bytes, bytearray, memoryview, numpy array); read in place.

    Returns:
        The block. Incompressible input still yields a valid (literal-only) block.

    Raises:
        TypeError: ``data`` is not bytes-like (a ``str`` must be encoded first).
    """
    keep, src, n = _native.input_buffer(data)
    bound = _native.call("jarvisrs_CompressBlockBound", n)
    out = _native.bytes_filled(bound, lambda dst: _native.call("jarvisrs_CompressBlockHC", src, n, dst, bound))
    del keep
    return out


def decompress_data_lz4(data: Any, uncompressed_size: Optional[int] = None) -> bytes:
    """Decompress a raw LZ4 block.

    Args:
        data: any bytes-like object holding the block.
        uncompressed_size: the capacity bound: the result may be shorter, never longer. When
            ``None``, the first 4 bytes of ``data`` are the little-endian size (python-lz4's
            ``store_size=True`` layout).

    Returns:
        The decompressed bytes.

    Raises:
        LZ4BlockError: (a ``RuntimeError`` and a ``ValueError``) corrupt input, output longer than
            the bound, or a size the input could not possibly expand to (raised before allocating).
        ValueError: a negative ``uncompressed_size``.
        TypeError: ``data`` is not bytes-like or the size is not an int.
    """
    keep, src, n = _native.input_buffer(data)
    if uncompressed_size is None:
        size = _native.call("jarvisrs_BlockSizePrefix", src, n, corrupt=LZ4BlockError)
        skip = _SIZE_PREFIX
    else:
        size = as_int(uncompressed_size, "uncompressed_size")
        if size < 0:
            raise ValueError(f"uncompressed_size must not be negative, got {size}")
        _native.call("jarvisrs_CheckBlockSize", size, n, corrupt=LZ4BlockError)
        skip = 0
    out, dst = _native.new_bytes(size)
    written = _native.call("jarvisrs_DecompressBlock", src, n, skip, dst, size, corrupt=LZ4BlockError)
    del keep
    return out if written == size else out[:written]
