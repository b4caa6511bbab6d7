"""Leak tests in the manner of psutil's test_memleaks.py: call each public function many times,
success and error paths, and check that nothing grows: live gopy handles, live Go heap (after a full
Go GC), the C heap (glibc's mallinfo2, where gopy's C strings would leak), Python's allocated
blocks, and RSS."""

import ctypes
import gc
import os
import sys

import numpy as np
import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import _native

CALLS = 100_000
RSS_TOLERANCE_MB = 8.0   # RSS also moves with allocator and Go-heap caching: a coarse bound
HEAP_TOLERANCE_BYTES = 256 * 1024   # live heaps must be flat: 100 bytes a call would be 5 MB


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


_libc = ctypes.CDLL(None)
_libc.mallinfo2.restype = _MallInfo2


def _c_heap_bytes():
    info = _libc.mallinfo2()
    return info.uordblks + info.hblkhd


def _go_heap_bytes():
    return _native.lib.jarvisrs_GoHeapBytes()


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _handles():
    return _native.lib.NumHandles()


def _assert_no_leak(fn, calls=CALLS):
    """Run `calls` calls in two halves: the first lets caches, pools and the Go heap reach their
    steady size; the second must then add (almost) nothing. A leak of even 100 bytes a call
    shows up as 5 MiB over the second half of 100,000 calls."""
    half = calls // 2
    gc.collect()  # finalise garbage left by earlier tests first, so it is not counted here
    before_handles = _handles()
    for _ in range(half):
        fn()
    gc.collect()
    rss, go, c, py = _rss_mb(), _go_heap_bytes(), _c_heap_bytes(), sys.getallocatedblocks()
    for _ in range(calls - half):
        fn()
    gc.collect()
    assert _handles() == before_handles, "gopy handles leaked"
    assert _go_heap_bytes() - go < HEAP_TOLERANCE_BYTES, "live Go heap grew"
    assert _c_heap_bytes() - c < HEAP_TOLERANCE_BYTES, "C heap (malloc) grew"
    assert sys.getallocatedblocks() - py < 1000, "Python objects leaked"
    grew = _rss_mb() - rss
    assert grew < RSS_TOLERANCE_MB, f"RSS grew by {grew:.1f} MiB over the second {calls - half} calls"


def _raises(exc, fn, *args):
    def call():
        try:
            fn(*args)
        except exc:
            return
        raise AssertionError("did not raise")
    return call


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("leaks")
    model = tmp / "model.bin"
    model.write_bytes(os.urandom(4096))
    return {"tmp": tmp, "model": str(model), "loader": jre.RustModelLoader(cache_dir=str(tmp / "cache")),
            "mon": jre.RustMemoryMonitor(0.0)}


def test_monitor_calls(env):
    mon = env["mon"]
    _assert_no_leak(mon.get_memory_stats)
    _assert_no_leak(lambda: mon.is_memory_available(10.0, 90.0))
    _assert_no_leak(lambda: mon.update_ml_stats(1.0, 1))
    _assert_no_leak(mon.get_memory_map, calls=20_000)
    _assert_no_leak(jre.get_system_memory_info)
    _assert_no_leak(_raises(ValueError, mon.update_ml_stats, -1.0, 1))


def test_monitor_and_loader_objects_release_their_handles(env):
    _assert_no_leak(lambda: jre.RustMemoryMonitor(1.0), calls=20_000)
    cache = str(env["tmp"] / "cache")
    _assert_no_leak(lambda: jre.RustModelLoader(cache_dir=cache), calls=20_000)
    _assert_no_leak(_raises(ValueError, jre.RustModelLoader, cache, 99), calls=20_000)


def test_lz4_block_calls():
    data = os.urandom(512) + bytes(512)
    block = jre.compress_data_lz4(data)
    _assert_no_leak(lambda: jre.compress_data_lz4(data))
    _assert_no_leak(lambda: jre.decompress_data_lz4(block, len(data)))
    _assert_no_leak(_raises(jre.LZ4BlockError, jre.decompress_data_lz4, b"\xff" * 16, 100))
    _assert_no_leak(_raises(jre.LZ4BlockError, jre.decompress_data_lz4, b"\x00", 10**12))
    _assert_no_leak(_raises(TypeError, jre.compress_data_lz4, "text"))


def test_loader_calls(env):
    loader, model = env["loader"], env["model"]
    data = os.urandom(1024)
    frame = loader.compress_model(data)
    _assert_no_leak(lambda: loader.compress_model(data))
    _assert_no_leak(lambda: loader.decompress_model(frame))
    _assert_no_leak(_raises(jre.InvalidModelDataError, loader.decompress_model, b"not a frame at all"))
    _assert_no_leak(lambda: loader.load_quantized_model(model, True), calls=20_000)
    _assert_no_leak(lambda: loader.load_quantized_model(model, False), calls=20_000)
    _assert_no_leak(_raises(FileNotFoundError, loader.load_quantized_model, model + ".missing", True), calls=20_000)
    _assert_no_leak(lambda: loader.mmap_model(model), calls=20_000)
    _assert_no_leak(_raises(FileNotFoundError, loader.mmap_model, model + ".missing"), calls=20_000)
    values = np.linspace(-1, 1, 256, dtype=np.float32)
    _assert_no_leak(lambda: loader.quantize_array_int8(values))
    _assert_no_leak(lambda: loader.quantize_array_fp16(values))
    _assert_no_leak(_raises(ValueError, loader.quantize_array_int8, [1.0, float("nan")]))


def test_mmap_views_unmap_when_dropped(env):
    loader, model = env["loader"], env["model"]

    def maps_of_model():
        with open("/proc/self/maps") as f:
            return sum(1 for line in f if line.rstrip().endswith(model))

    base = maps_of_model()
    views = [loader.mmap_model(model) for _ in range(50)]
    assert maps_of_model() == base + 50
    del views
    gc.collect()
    assert maps_of_model() == base


def test_quantization_engine_calls():
    x = np.random.default_rng(0).standard_normal((8, 64)).astype(np.float32)
    qt8 = jre.quantize_int8(x, axis=0)
    qt4 = jre.quantize_int4(x)
    q8 = jre.quantize_gguf(x, "Q8_0")
    _assert_no_leak(lambda: jre.quantize_int8(x, axis=0))
    _assert_no_leak(lambda: jre.quantize_int8(x, symmetric=False))
    _assert_no_leak(lambda: jre.quantize_int4(x))
    _assert_no_leak(lambda: jre.dequantize(qt8))
    _assert_no_leak(lambda: jre.dequantize(qt4))
    _assert_no_leak(lambda: jre.quantize_fp16(x))
    _assert_no_leak(lambda: jre.quantize_gguf(x, "Q8_0"))
    _assert_no_leak(lambda: jre.dequantize_gguf(q8, "Q8_0", x.shape))
    _assert_no_leak(lambda: jre.unpack_int4(jre.pack_int4(np.zeros(9, np.int8)), 9))
    bad = x.copy()
    bad[3, 3] = np.nan
    _assert_no_leak(_raises(ValueError, jre.quantize_int8, bad))
    _assert_no_leak(_raises(ValueError, jre.quantize_gguf, x[:, :30], "Q8_0"))
