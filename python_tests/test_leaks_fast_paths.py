"""Leak checks (test_leaks.py's method) for the C fast paths: the monitor's cache and accounting
calls, success and error paths, and the list reader behind quantize_array_int8/fp16."""

import numpy as np
import pytest

import jarvis_rust_extensions as jre
from test_leaks import _assert_no_leak, _raises


@pytest.fixture(scope="module")
def loader(tmp_path_factory):
    return jre.RustModelLoader(cache_dir=str(tmp_path_factory.mktemp("cache")))


def test_monitor_fast_paths_cached_and_failing():
    mon = jre.RustMemoryMonitor(3600)
    _assert_no_leak(mon.get_memory_stats)  # the cached path (test_leaks covers refreshes)
    _assert_no_leak(lambda: mon.is_memory_available(required_mb=10, threshold_percent=90.0))
    _assert_no_leak(lambda: mon.update_ml_stats(models_mb=2, models_count=np.int64(1)))
    _assert_no_leak(_raises(TypeError, mon.is_memory_available, "10", 90.0))
    _assert_no_leak(_raises(TypeError, mon.update_ml_stats, 1.0, 1.5))
    _assert_no_leak(_raises(TypeError, mon.update_ml_stats, None, 1))
    _assert_no_leak(_raises(ValueError, mon.update_ml_stats, float("nan"), 1))
    _assert_no_leak(_raises(OverflowError, mon.update_ml_stats, 1.0, 2**64))


def test_list_reader(loader):
    values = np.random.default_rng(3).standard_normal(200).tolist() + [1, True, np.float32(2.5)]
    bad = values[:100] + ["x"] + values[100:]
    _assert_no_leak(lambda: loader.quantize_array_int8(values), calls=40_000)
    _assert_no_leak(lambda: loader.quantize_array_fp16(tuple(values)), calls=40_000)
    _assert_no_leak(_raises(TypeError, loader.quantize_array_fp16, bad), calls=40_000)
    _assert_no_leak(_raises(OverflowError, loader.quantize_array_int8, [1.0, 10**400]), calls=40_000)
