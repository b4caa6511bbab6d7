"""The Go runtime does not survive fork(): a forked child must get a clear error at once, never a
hang, while spawn and forkserver workers work fully. And every call is safe from many threads."""

import gc
import multiprocessing as mp
import threading
import time

import numpy as np
import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import ForkedProcessError, RustMemoryMonitor, RustModelLoader


def _heavy_work(seed):
    """Work that schedules goroutines and triggers Go's GC: exactly what hangs a forked child."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((512, 1024)).astype(np.float32)
    qt = jre.quantize_int8(x, axis=0)
    packed = jre.compress_data_lz4(x.tobytes()[: 1 << 16])
    stats = RustMemoryMonitor().get_memory_stats()
    return int(qt.data.astype(np.int64).sum()), len(packed), stats["total_mb"] > 0


def _forked_child_outcome():
    """Run in a forked child: 0 if every call raised ForkedProcessError at once, 1 if one did not
    raise, 2 if raising took 5 s or more (timed around the calls alone: the child's numpy work and
    garbage collection are slow under emulation, the error must not be)."""
    started = time.monotonic()
    try:
        jre.get_system_memory_info()
    except ForkedProcessError as exc:
        assert "spawn" in str(exc) and "forkserver" in str(exc)
    else:
        return 1
    if time.monotonic() - started >= 5:
        return 2
    try:
        _heavy_work(0)
    except ForkedProcessError:
        pass
    else:
        return 1
    gc.collect()  # objects inherited from the parent are finalised without calling Go
    return 0


def test_forked_child_raises_instead_of_hanging(run_forked):
    keep = [RustMemoryMonitor(), RustModelLoader(), jre.quantize_int8(np.ones(10, np.float32))]
    _heavy_work(1)  # the Go runtime is fully up in the parent
    code = run_forked(_forked_child_outcome, 60)  # a hang never ends; 60 s leaves room for emulation
    assert code == 0, f"child exit code {code} (1: a call did not raise, 2: raising was slow)"
    assert keep[0].get_memory_stats()["total_mb"] > 0  # the parent keeps working
    assert _heavy_work(2)[2]


def test_fork_pool_with_heavy_work_fails_fast_with_a_clear_error():
    _heavy_work(3)
    ctx = mp.get_context("fork")
    with ctx.Pool(2) as pool:
        result = pool.map_async(_heavy_work, range(4))
        with pytest.raises(ForkedProcessError, match="spawn"):
            result.get(timeout=30)
    assert _heavy_work(4)[2]  # the parent still works


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_spawn_and_forkserver_pools_work_fully(method):
    expected = [_heavy_work(seed) for seed in range(3)]
    with mp.get_context(method).Pool(2) as pool:
        got = pool.map_async(_heavy_work, range(3)).get(timeout=120)
    assert got == expected


def test_fork_check_costs_nothing_in_the_parent():
    # The hot path still answers (and the fork hook did not replace the library in the parent).
    mon = RustMemoryMonitor()
    assert isinstance(mon.is_memory_available(1.0, 99.0), bool)


def test_many_threads_mixing_every_call(tmp_path):
    loader = RustModelLoader(cache_dir=str(tmp_path / "cache"))
    mon = RustMemoryMonitor(0.001)
    model = tmp_path / "model.bin"
    payload = np.random.default_rng(7).standard_normal(51_200).astype(np.float32)
    model.write_bytes(payload.tobytes())
    raw = payload.tobytes()
    expected_int8 = loader.quantize_array_int8(payload)["data"]
    expected_fp16 = loader.quantize_array_fp16(payload)
    expected_q8 = jre.quantize_gguf(payload.reshape(-1, 32), "Q8_0")
    errors = []

    def work(i):
        try:
            for _ in range(15):
                assert jre.decompress_data_lz4(jre.compress_data_lz4(raw[:20_000]), 20_000) == raw[:20_000]
                assert loader.decompress_model(loader.compress_model(raw)) == raw
                assert loader.decompress_model(loader.load_quantized_model(str(model), True)) == raw
                assert bytes(loader.mmap_model(str(model))[:64]) == raw[:64]
                assert loader.quantize_array_int8(payload)["data"] == expected_int8
                assert loader.quantize_array_fp16(payload) == expected_fp16
                assert jre.quantize_gguf(payload.reshape(-1, 32), "Q8_0") == expected_q8
                qt = jre.quantize_int8(payload.reshape(50, -1), axis=1, symmetric=bool(i % 2))
                assert jre.dequantize(qt).shape == (50, 1024)
                mon.update_ml_stats(float(i), i)
                assert mon.get_memory_stats()["total_mb"] > 0
                mon.is_memory_available(10.0, 90.0)
                jre.get_system_memory_info()
        except Exception as exc:  # reported below with the thread number
            errors.append((i, repr(exc)))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
