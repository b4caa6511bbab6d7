"""RustMemoryMonitor's memory pressure: thresholds, get_memory_pressure, the level table, the
trend, the kernel figures (PSI or macOS) and wait_for_memory_pressure (sync and asyncio)."""

import asyncio
import math
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from jarvis_rust_extensions import RustMemoryMonitor, _native, _pressure

LEVELS = ("low", "medium", "high", "critical", "emergency")
DEFAULT = (4096.0, 2048.0, 1024.0, 512.0)
# Thresholds no machine reaches (emergency at 1 MiB available) and ones every machine is past
# (emergency below a million GiB).
UNREACHABLE = (4.0, 3.0, 2.0, 1.0)
EVERYWHERE = (4e9, 3e9, 2e9, 1e9)
PSI_KEYS = {"source", "some_avg10", "some_avg60", "some_avg300", "some_total_us", "full_avg10", "full_avg60",
            "full_avg300", "full_total_us"}
# CI on a kernel known to have PSI sets JRX_REQUIRE_PSI=1: a missing /proc/pressure/memory then fails.
REQUIRE_PSI = os.environ.get("JRX_REQUIRE_PSI") == "1"


# --- thresholds -----------------------------------------------------------------------------

def test_default_thresholds_and_positional_use_unchanged():
    assert RustMemoryMonitor().pressure_thresholds_mb == DEFAULT
    mon = RustMemoryMonitor(0.5)
    assert mon.update_interval == 0.5 and mon.pressure_thresholds_mb == DEFAULT
    assert RustMemoryMonitor(None, pressure_thresholds_mb=[8, 4, 2, 1]).pressure_thresholds_mb == (8.0, 4.0, 2.0, 1.0)
    t = RustMemoryMonitor(pressure_thresholds_mb=np.array([8.5, 4, 2, 1e-3])).pressure_thresholds_mb
    assert t == (8.5, 4.0, 2.0, 1e-3) and all(type(v) is float for v in t)


def test_thresholds_are_keyword_only():
    with pytest.raises(TypeError):
        RustMemoryMonitor(0.1, DEFAULT)


@pytest.mark.parametrize("bad", [
    (4096, 2048, 1024), (4096, 2048, 1024, 512, 256), (), (512, 1024, 2048, 4096), (4096, 2048, 2048, 512),
    (4096, 2048, 1024, 0), (4096, 2048, 1024, -1), (float("nan"), 2048, 1024, 512), (float("inf"), 2048, 1024, 512),
    (4096, "2048", 1024, 512), (4096, None, 1024, 512), (True, 0.5, 0.25, 0.125), [[4096], 2048, 1024, 512],
])
def test_bad_thresholds_raise_value_error(bad):
    with pytest.raises(ValueError):
        RustMemoryMonitor(pressure_thresholds_mb=bad)


@pytest.mark.parametrize("bad", [None, 4096, 4096.0, "4096", b"abcd", {4096, 2048, 1024, 512}, {1: 2}, iter(DEFAULT)])
def test_non_sequence_thresholds_raise_type_error(bad):
    with pytest.raises(TypeError):
        RustMemoryMonitor(pressure_thresholds_mb=bad)


# --- the level table ------------------------------------------------------------------------

def _up(v):
    return math.nextafter(v, math.inf)


@pytest.mark.parametrize("thresholds", [DEFAULT, (100.0, 10.0, 1.0, 0.1)])
def test_level_table_at_every_boundary(thresholds):
    t = thresholds
    expected = [(math.inf, "low"), (_up(t[0]), "low"), (t[0], "medium"), (_up(t[1]), "medium"), (t[1], "high"),
                (_up(t[2]), "high"), (t[2], "critical"), (_up(t[3]), "critical"), (t[3], "emergency"), (0.0, "emergency"),
                (-5.0, "emergency"), (math.nan, "emergency")]
    for available, level in expected:
        assert _pressure.level_for(available, t) == level, (available, t)


def test_level_for_validates_its_thresholds():
    with pytest.raises(ValueError):
        _pressure.level_for(100.0, (1, 2, 3, 4))
    with pytest.raises(TypeError):
        _pressure.level_for(100.0, 5)


# --- get_memory_pressure ----------------------------------------------------------------------

def test_pressure_dict_shape_and_same_reading_as_stats():
    mon = RustMemoryMonitor(1e6, pressure_thresholds_mb=(9e5, 8e5, 7e5, 6e5))
    p = mon.get_memory_pressure()
    assert set(p) == {"level", "available_mb", "thresholds_mb", "trend_mb_per_s", "kernel"}
    assert p["level"] in LEVELS
    assert type(p["available_mb"]) is float and p["available_mb"] > 0
    assert p["available_mb"] == mon.get_memory_stats()["available_mb"]  # one cached reading
    assert p["thresholds_mb"] == (9e5, 8e5, 7e5, 6e5) and type(p["thresholds_mb"]) is tuple
    assert p["level"] == _pressure.level_for(p["available_mb"], p["thresholds_mb"])
    assert p["trend_mb_per_s"] is None  # the cache was filled once: one reading


def test_levels_follow_thresholds_on_the_real_reading():
    assert RustMemoryMonitor(pressure_thresholds_mb=UNREACHABLE).get_memory_pressure()["level"] == "low"
    assert RustMemoryMonitor(pressure_thresholds_mb=EVERYWHERE).get_memory_pressure()["level"] == "emergency"


def test_trend_appears_after_two_refreshes():
    mon = RustMemoryMonitor(0)  # every call refreshes; the constructor's reading is the first
    p = mon.get_memory_pressure()
    assert type(p["trend_mb_per_s"]) is float and math.isfinite(p["trend_mb_per_s"])
    for _ in range(20):
        p = mon.get_memory_pressure()
    assert type(p["trend_mb_per_s"]) is float


def test_kernel_figures_on_linux():
    k = RustMemoryMonitor().get_memory_pressure()["kernel"]
    if sys.platform == "darwin":
        assert k is not None and k["source"] == "kern.memorystatus_vm_pressure_level"
        assert k["level"] in ("normal", "warn", "critical")
        return
    if k is None:
        assert not REQUIRE_PSI, "JRX_REQUIRE_PSI=1 but the monitor found no PSI file"
        assert not os.path.exists("/proc/pressure/memory")
        pytest.skip("/proc/pressure/memory does not exist: this kernel has no PSI")
    assert set(k) == PSI_KEYS
    assert k["source"] == "/proc/pressure/memory" or k["source"].endswith("/memory.pressure")
    for key in PSI_KEYS - {"source", "some_total_us", "full_total_us"}:
        assert type(k[key]) is float and 0.0 <= k[key] <= 100.0, key
    assert type(k["some_total_us"]) is int and type(k["full_total_us"]) is int
    assert k["some_total_us"] >= k["full_total_us"] >= 0
    # The figures are the file's: totals only grow, so a read afterwards is at least as large.
    with open(k["source"]) as f:
        fields = dict(line.split(" ", 1) for line in f.read().splitlines())
    total_after = int(fields["some"].rsplit("total=", 1)[1])
    assert total_after >= k["some_total_us"]


def test_real_psi_file_exists_when_required():
    if not REQUIRE_PSI and not os.path.exists("/proc/pressure/memory"):
        pytest.skip("/proc/pressure/memory does not exist: this kernel has no PSI (JRX_REQUIRE_PSI unset)")
    assert os.path.exists("/proc/pressure/memory")


# --- wait_for_memory_pressure -------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["LOW", "severe", "", None, 3, "low "])
def test_wait_unknown_level_raises_value_error(bad):
    mon = RustMemoryMonitor()
    with pytest.raises(ValueError):
        mon.wait_for_memory_pressure(bad, timeout=0)
    with pytest.raises(ValueError):
        asyncio.run(mon.wait_for_memory_pressure_async(bad, timeout=0))


@pytest.mark.parametrize("bad, exc", [(-1, ValueError), (float("nan"), ValueError), ("1", TypeError)])
def test_wait_bad_timeout(bad, exc):
    with pytest.raises(exc):
        RustMemoryMonitor().wait_for_memory_pressure("high", timeout=bad)


def test_wait_returns_at_once_when_already_there():
    mon = RustMemoryMonitor(pressure_thresholds_mb=EVERYWHERE)
    t0 = time.monotonic()
    for level in LEVELS:
        assert mon.wait_for_memory_pressure(level) is True  # no timeout: it must not block
    assert RustMemoryMonitor(pressure_thresholds_mb=UNREACHABLE).wait_for_memory_pressure("low") is True
    assert time.monotonic() - t0 < 2.0


def test_wait_times_out():
    mon = RustMemoryMonitor(pressure_thresholds_mb=UNREACHABLE)
    assert mon.wait_for_memory_pressure("emergency", timeout=0) is False
    t0 = time.monotonic()
    assert mon.wait_for_memory_pressure("high", timeout=0.3) is False
    elapsed = time.monotonic() - t0
    assert 0.3 <= elapsed < 3.0, elapsed


@pytest.fixture(params=["trigger where accepted", "polling"])
def wait_path(request, monkeypatch):
    """Run a test through both waits: the PSI trigger (where this kernel accepts one) and the
    polling fallback (forced by offering no trigger forms)."""
    if request.param == "polling":
        monkeypatch.setattr(_pressure, "_TRIGGERS", ())
    return request.param


def test_trigger_availability_is_reported(wait_path):
    mon = RustMemoryMonitor()
    trigger = _pressure._open_trigger(mon)
    if wait_path == "polling":
        assert trigger is None
    elif trigger is not None:
        _native.call("jarvisrs_PressureTrigger_Close", trigger.value)
    elif sys.platform.startswith("linux") and REQUIRE_PSI and os.geteuid() == 0:
        # Root may be refused the 1 s window (no CAP_SYS_RESOURCE), never the 2 s one.
        pytest.fail("no PSI trigger accepted although PSI is required and we are root")


def test_wait_times_out_on_both_paths(wait_path):
    mon = RustMemoryMonitor(pressure_thresholds_mb=UNREACHABLE)
    t0 = time.monotonic()
    assert mon.wait_for_memory_pressure("critical", timeout=0.25) is False
    assert 0.25 <= time.monotonic() - t0 < 3.0


def test_wait_releases_the_gil(wait_path):
    mon = RustMemoryMonitor(pressure_thresholds_mb=UNREACHABLE)
    count = 0
    stop = threading.Event()

    def spin():
        nonlocal count
        while not stop.is_set():
            count += 1

    worker = threading.Thread(target=spin)
    worker.start()
    try:
        before = count
        assert mon.wait_for_memory_pressure("critical", timeout=0.5) is False
        during = count - before
    finally:
        stop.set()
        worker.join()
    assert during > 10_000, during  # a wait holding the GIL would leave the counter nearly still


class _ScriptedMonitor:
    """Stands in for a monitor whose readings follow a script; waits only read get_memory_pressure
    and, for a PSI trigger, the real monitor handle ``_h``."""

    def __init__(self, script):
        self._real = RustMemoryMonitor()
        self._h = self._real._h
        self.script = list(script)
        self.calls = []

    def get_memory_pressure(self):
        self.calls.append(time.monotonic())
        level, available, trend = self.script[min(len(self.calls), len(self.script)) - 1]
        return {"level": level, "available_mb": available, "thresholds_mb": DEFAULT, "trend_mb_per_s": trend,
                "kernel": None}


def test_wait_returns_when_the_level_arrives(monkeypatch):
    # Polling only: a real PSI trigger firing on this machine's own memory stalls would end a
    # pause early and break the timing asserted below.
    monkeypatch.setattr(_pressure, "_TRIGGERS", ())
    mon = _ScriptedMonitor([("low", 5000.0, None), ("low", 4500.0, -10.0), ("medium", 2100.0, -400.0),
                            ("high", 2000.0, -400.0)])
    assert _pressure.wait_for(mon, "high", 30) is True
    assert len(mon.calls) == 4
    # Far from the threshold and slowly falling: a long pause; close and falling fast: the shortest.
    assert mon.calls[1] - mon.calls[0] >= 0.9
    assert mon.calls[3] - mon.calls[2] < 0.5


def test_async_wait_returns_when_the_level_arrives():
    mon = _ScriptedMonitor([("low", 5000.0, None), ("medium", 3000.0, -1e6), ("critical", 900.0, -1e6)])
    assert asyncio.run(_pressure.wait_for_async(mon, "critical", 30)) is True
    assert len(mon.calls) == 3


def test_async_wait_does_not_block_the_event_loop():
    mon = RustMemoryMonitor(pressure_thresholds_mb=UNREACHABLE)
    ticks = []

    async def ticker():
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    async def main():
        t = asyncio.ensure_future(ticker())
        assert await mon.wait_for_memory_pressure_async("emergency", timeout=0.4) is False
        assert await RustMemoryMonitor(pressure_thresholds_mb=EVERYWHERE).wait_for_memory_pressure_async("high") is True
        t.cancel()
        # Cancelling a waiting task stops it.
        w = asyncio.ensure_future(mon.wait_for_memory_pressure_async("high"))
        await asyncio.sleep(0.05)
        w.cancel()
        with pytest.raises(asyncio.CancelledError):
            await w

    asyncio.run(main())
    assert len(ticks) > 15, len(ticks)


CHILD = textwrap.dedent("""
    import sys, time
    from jarvis_rust_extensions import RustMemoryMonitor, _pressure
    if sys.argv[1] == "polling":
        _pressure._TRIGGERS = ()
    mon = RustMemoryMonitor(pressure_thresholds_mb=(4.0, 3.0, 2.0, 1.0))
    print("waiting", flush=True)
    t0 = time.monotonic()
    try:
        mon.wait_for_memory_pressure("emergency", timeout=60)
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - t0:.2f}", flush=True)
        sys.exit(42)
    sys.exit(1)
""")


@pytest.mark.parametrize("path", ["trigger", "polling"])
def test_wait_is_interrupted_by_ctrl_c(path):
    child = subprocess.Popen([sys.executable, "-c", CHILD, path], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "waiting"
        time.sleep(0.5)  # well inside the wait
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        rc = child.wait(timeout=30)
        latency = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert rc == 42
    assert "interrupted" in child.stdout.read()
    assert latency < 5.0, latency


def test_stub_typed_dicts_name_the_runtime_keys():
    import ast
    import jarvis_rust_extensions as jre
    with open(os.path.join(os.path.dirname(jre.__file__), "__init__.pyi")) as f:
        tree = ast.parse(f.read())
    fields = {node.name: {n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
              for node in tree.body if isinstance(node, ast.ClassDef)}
    p = RustMemoryMonitor().get_memory_pressure()
    assert set(p) == fields["_MemoryPressure"]
    assert PSI_KEYS == fields["_PSIFigures"]
    assert fields["_VMPressure"] == {"source", "level"}
    if p["kernel"] is not None:
        assert set(p["kernel"]) in (fields["_PSIFigures"], fields["_VMPressure"])


def test_readme_pressure_example_runs(repo_root):
    with open(os.path.join(repo_root, "README.md")) as f:
        text = f.read()
    start = text.index("```python", text.index("Choosing a model size by level"))
    code = text[start + len("```python"):text.index("```", start + 3)]
    assert "timeout=60" in code
    unloaded = []
    ns = {"unload_largest_model": lambda: unloaded.append(True)}
    exec(compile(code.replace("timeout=60", "timeout=0.1"), "README.md", "exec"), ns)
    assert ns["model"] in ("7b-q4", "3b-q4", "1b-q8", "tiny", None)
    assert ns["p"]["level"] in LEVELS


@pytest.mark.parametrize("stall, window", [(0, 1_000_000), (-1, 1_000_000), (2_000_000, 1_000_000),
                                           (150_000, 150_000), (150_000, 10_000_001), (1, 2**62)])
def test_trigger_arguments_are_checked_in_go(stall, window):
    mon = RustMemoryMonitor()
    with pytest.raises(ValueError):
        _native.call("jarvisrs_RustMemoryMonitor_OpenPressureTrigger", mon._h, stall, window)


def test_go_level_names_match_the_python_table():
    assert tuple(_native.call("jarvisrs_MemoryPressureLevelName", i) for i in range(5)) == LEVELS == _pressure.LEVELS
    for bad in (-1, 5):
        with pytest.raises(ValueError):
            _native.call("jarvisrs_MemoryPressureLevelName", bad)
