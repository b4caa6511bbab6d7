"""copy, deepcopy and pickle of the two classes give independent, working objects (their
configuration and ML accounting, never a shared Go handle), and spawn/forkserver workers can receive
them as arguments. The crash cases run in a child interpreter so that a regression fails the test
instead of killing the suite."""

import copy
import gc
import multiprocessing as mp
import os
import pickle
import subprocess
import sys

import pytest

from jarvis_rust_extensions import RustMemoryMonitor, RustModelLoader
from jarvis_rust_extensions import _native


def _run_child(code, tmp_path):
    proc = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr[-3000:]}"
    return proc.stdout


@pytest.mark.parametrize("how", ["copy.copy", "copy.deepcopy", "pickle"])
def test_copy_then_drop_the_original_keeps_the_copy_working(how, tmp_path):
    # Before: the copy shared the raw handle number, the original released it, and the copy's
    # next call segfaulted.
    out = _run_child(f"""
import copy, gc, pickle
from jarvis_rust_extensions import RustMemoryMonitor, RustModelLoader
dup = (lambda o: pickle.loads(pickle.dumps(o))) if {how!r} == "pickle" else {how}
mon = RustMemoryMonitor(0.25)
mon.update_ml_stats(123.5, 3)
loader = RustModelLoader(cache_dir="cache", compression_level=7)
mon2, loader2 = dup(mon), dup(loader)
del mon, loader
gc.collect()
s = mon2.get_memory_stats()
assert s["ml_models_mb"] == 123.5 and s["ml_models_count"] == 3 and s["total_mb"] > 0, s
assert mon2.update_interval == 0.25
assert loader2.compression_level == 7 and loader2.cache_dir.endswith("cache")
assert loader2.decompress_model(loader2.compress_model(b"x" * 1000)) == b"x" * 1000
print("ok")
""", tmp_path)
    assert out.strip() == "ok"


@pytest.mark.parametrize("dup", [copy.copy, copy.deepcopy, lambda o: pickle.loads(pickle.dumps(o))])
def test_monitor_copy_is_independent(dup):
    mon = RustMemoryMonitor(0.5)
    mon.update_ml_stats(10.0, 1)
    twin = dup(mon)
    assert twin is not mon
    assert twin.update_interval == 0.5
    twin.update_ml_stats(99.0, 9)
    assert mon.get_memory_stats()["ml_models_mb"] == 10.0
    assert mon.get_memory_stats()["ml_models_count"] == 1
    assert twin.get_memory_stats()["ml_models_count"] == 9
    assert isinstance(twin.is_memory_available(1.0, 100.0), bool)


@pytest.mark.parametrize("dup", [copy.copy, copy.deepcopy, lambda o: pickle.loads(pickle.dumps(o))])
def test_loader_copy_is_independent(dup, tmp_path):
    loader = RustModelLoader(cache_dir=str(tmp_path / "c"), compression_level=3)
    twin = dup(loader)
    assert twin is not loader
    assert (twin.cache_dir, twin.compression_level) == (loader.cache_dir, 3)
    del loader
    gc.collect()
    model = tmp_path / "m.bin"
    model.write_bytes(b"abc" * 1000)
    assert twin.decompress_model(twin.load_quantized_model(str(model), True)) == b"abc" * 1000


def test_copies_of_containers_copy_each_object_once():
    mon = RustMemoryMonitor()
    a, b = copy.deepcopy([mon, mon])
    assert a is b and a is not mon


def test_raw_handles_refuse_to_be_copied_or_pickled():
    handle = _native.Handle(_native.call("jarvisrs_NewRustMemoryMonitor", 0.1))
    for dup in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError, match="handle"):
            dup(handle)
    assert _native.lib.jarvisrs_RustMemoryMonitor_UpdateInterval(handle.value) == 0.1  # still valid


def _stats_in_worker(mon, loader):
    s = mon.get_memory_stats()
    return (s["ml_models_mb"], s["ml_models_count"], mon.update_interval, s["total_mb"] > 0,
            loader.compression_level, loader.decompress_model(loader.compress_model(b"y" * 5000)) == b"y" * 5000,
            os.getpid())


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_workers_receive_monitor_and_loader_as_arguments(method, tmp_path):
    mon = RustMemoryMonitor(0.3)
    mon.update_ml_stats(42.25, 2)
    loader = RustModelLoader(cache_dir=str(tmp_path / "c"), compression_level=5)
    with mp.get_context(method).Pool(1) as pool:
        got = pool.apply_async(_stats_in_worker, (mon, loader)).get(timeout=120)
    assert got[:6] == (42.25, 2, 0.3, True, 5, True)
    assert got[6] != os.getpid()


def test_unknown_handle_raises_and_the_interpreter_lives(tmp_path):
    # Before: gopy's wrapper released the GIL, saw the unknown handle and returned without taking
    # it back; the interpreter died (segfault / fatal error) on its next step. Both wrapper shapes
    # are called: (value, error) methods and plain-value methods.
    out = _run_child("""
from array import array
from jarvis_rust_extensions import _native
lib = _native.lib
buf = array("d", bytes(8 * 16))
calls = [
    ("jarvisrs_RustMemoryMonitor_ReadStats", (987654321, buf.buffer_info()[0], 6)),
    ("jarvisrs_RustMemoryMonitor_SuggestCleanup", (987654321, 1.0)),
    ("jarvisrs_RustMemoryMonitor_FillPressure", (987654321, buf.buffer_info()[0], 17)),
    ("jarvisrs_Blob_CopyTo", (987654321, 0, 0)),
    ("jarvisrs_RustModelLoader_Compress", (987654321, 0, 0, 0, 0)),
    ("jarvisrs_RustMemoryMonitor_UpdateInterval", (987654321,)),
    ("jarvisrs_Blob_Len", (987654321,)),
    ("jarvisrs_Mapping_Len", (987654321,)),
]
for name, args in calls:
    try:
        getattr(lib, name)(*args)
    except RuntimeError as exc:
        assert "987654321" in str(exc), (name, exc)
    else:
        raise AssertionError(name + " returned without raising")
from jarvis_rust_extensions import RustMemoryMonitor
assert RustMemoryMonitor().get_memory_stats()["total_mb"] > 0
print("alive")
""", tmp_path)
    assert out.strip() == "alive"
