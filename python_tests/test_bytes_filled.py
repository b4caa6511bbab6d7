"""_native.bytes_filled: the output buffer of compress_model and compress_data_lz4.

Large outputs are shrunk in place (CPython's _PyBytes_Resize) rather than sliced into a copy;
these tests check that the result is an ordinary, exactly sized bytes object with one owner, that
the unused capacity goes back to the allocator, and that nothing leaks when the filler fails.
"""

from __future__ import annotations

import ctypes
import sys
import tracemalloc

import lz4.block
import lz4.frame
import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import _native

MiB = 1 << 20


def _fill_with(data: bytes):
    def fill(address: int) -> int:
        ctypes.memmove(address, data, len(data))
        return len(data)
    return fill


@pytest.mark.parametrize("capacity", [100, _native._RESIZE_MIN - 1, _native._RESIZE_MIN, 8 * MiB])
@pytest.mark.parametrize("written", [0, 1, 100])
def test_result_is_exact_and_singly_owned(capacity, written):
    data = bytes(range(256)) * (written // 256 + 1)
    data = data[:written]
    out = _native.bytes_filled(capacity, _fill_with(data))
    assert type(out) is bytes and out == data and len(out) == written
    assert hash(out) == hash(bytes(bytearray(data)))
    if written > 1:  # b"" and one-byte bytes are shared singletons
        assert sys.getrefcount(out) == 2  # `out` and getrefcount's argument


def test_full_capacity_is_returned_whole():
    data = b"x" * (2 * MiB)
    out = _native.bytes_filled(len(data), _fill_with(data))
    assert out == data and sys.getrefcount(out) == 2


def test_large_result_gives_back_its_unused_capacity():
    tracemalloc.start()
    try:
        out = _native.bytes_filled(32 * MiB, _fill_with(b"y" * 1000))
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out == b"y" * 1000
    assert current < MiB, f"{current} bytes still allocated for a 1000-byte result"


@pytest.mark.parametrize("capacity", [1000, 4 * MiB])
def test_failing_fill_frees_the_buffer(capacity):
    def boom(address: int) -> int:
        raise ZeroDivisionError("filler failed")

    def overrun(address: int) -> int:
        return capacity + 1

    tracemalloc.start()
    try:
        for _ in range(20):
            with pytest.raises(ZeroDivisionError):
                _native.bytes_filled(capacity, boom)
            if capacity >= _native._RESIZE_MIN:
                with pytest.raises(RuntimeError):
                    _native.bytes_filled(capacity, overrun)
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # One leaked buffer would show for the large capacity, 20 of them for the small one (whose
    # bound leaves room for pytest's own bookkeeping).
    limit = capacity if capacity >= MiB else 10 * capacity
    assert current < limit, f"{current} bytes left allocated after 20 failed fills of {capacity}"


@pytest.mark.parametrize("size", [1000, 3 * MiB])
def test_compressors_return_exact_single_owner_bytes(size, tmp_path):
    data = b"".join(b"layer.%d.weight %f\n" % (i, i * 0.5) for i in range(size // 20))[:size]
    frame = jre.RustModelLoader(cache_dir=tmp_path).compress_model(data)
    assert sys.getrefcount(frame) == 2 and lz4.frame.decompress(frame) == data
    block = jre.compress_data_lz4(data)
    assert sys.getrefcount(block) == 2
    assert lz4.block.decompress(block, uncompressed_size=size) == data
