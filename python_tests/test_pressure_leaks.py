"""Leak checks for the pressure calls, as test_leaks.py does for the others: success and error
paths, many times, with handles, Go heap, C heap, Python blocks and RSS flat."""

import gc
import os
import time

import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import _native, _pressure

from test_leaks import _assert_no_leak, _raises


def test_pressure_calls_do_not_leak():
    mon = jre.RustMemoryMonitor(0.0)  # every call refreshes, the PSI file included
    _assert_no_leak(mon.get_memory_pressure, calls=40_000)
    cached = jre.RustMemoryMonitor(1e6)
    _assert_no_leak(cached.get_memory_pressure)
    _assert_no_leak(lambda: _pressure.level_for(1000.0))
    _assert_no_leak(_raises(ValueError, _native.call, "jarvisrs_MemoryPressureLevel", 1.0, 1.0, 2.0, 3.0, 4.0))
    _assert_no_leak(_raises(ValueError, _native.call, "jarvisrs_MemoryPressureLevelName", 9), calls=20_000)
    _assert_no_leak(lambda: cached.wait_for_memory_pressure("low"), calls=20_000)


def test_pressure_triggers_release_descriptors_and_handles():
    """Where the kernel accepts a PSI trigger (here: the 2 s window form), each wait opens one and
    closes it; closing costs the kernel an RCU grace period (~13 ms), so this counts descriptors
    and handles over a few dozen rounds instead of timing 100,000."""
    mon = jre.RustMemoryMonitor()
    if _pressure._open_trigger(mon) is None:
        pytest.skip("this kernel accepts no PSI trigger here: the waits poll")
    quiet = jre.RustMemoryMonitor(pressure_thresholds_mb=(4.0, 3.0, 2.0, 1.0))
    gc.collect()
    fds, handles = len(os.listdir("/proc/self/fd")), _native.lib.NumHandles()
    for _ in range(30):
        trigger = _pressure._open_trigger(mon)
        assert _native.call("jarvisrs_PressureTrigger_Wait", trigger.value, 0) in (True, False)
        _native.call("jarvisrs_PressureTrigger_Close", trigger.value)
        del trigger
    for _ in range(5):  # dropped without Close: the Go cleanup closes them
        _pressure._open_trigger(mon)
    for _ in range(5):
        assert quiet.wait_for_memory_pressure("emergency", timeout=0.01) is False
    gc.collect()
    _native.lib.jarvisrs_GoHeapBytes()  # runs a Go GC, which runs the cleanups
    for _ in range(100):
        if len(os.listdir("/proc/self/fd")) <= fds:
            break
        _native.lib.jarvisrs_GoHeapBytes()
        time.sleep(0.02)
    assert len(os.listdir("/proc/self/fd")) <= fds
    assert _native.lib.NumHandles() == handles
