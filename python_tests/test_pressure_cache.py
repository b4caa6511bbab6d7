"""get_memory_pressure's cache (C in _fastpaths.StatsCache, and its pure-Python twin PyStatsCache):
within update_interval it hands out copies of one cached dict (no call into Go), after it a fresh
reading; a refresh and its pressure come from one Go call; the kernel figures are read again at
most every 2 s. The same checks run on both bases with scripted readings, then on the real
monitor."""

import copy
import os
import sys
import time

import pytest

from jarvis_rust_extensions import RustMemoryMonitor, _fastpaths
from jarvis_rust_extensions._stats_cache import PyStatsCache

BASES = [pytest.param(_fastpaths.StatsCache, id="native"), pytest.param(PyStatsCache, id="python")]
EVERYWHERE = (4e9, 3e9, 2e9, 1e9)


def scripted(base, interval, kernel=True):
    """A cache whose refreshes publish reading 1, 2, 3... (available_mb = 1000 * n) and whose
    pressure dicts name the reading they describe; it counts each kind of call."""
    class Fake(base):
        __slots__ = ("n", "calls")

        def _publish_n(self):
            self.n += 1
            self._publish(16384.0, 1000.0 * self.n, 16384.0 - 1000.0 * self.n, 50.0, 10.0, "host")

        def _pressure_dict(self):
            k = {"source": "/fake", "some_total_us": self.n, "nested": [self.n]} if kernel else None
            return {"level": "low", "available_mb": 1000.0 * self.n, "thresholds_mb": (4.0, 3.0, 2.0, 1.0),
                    "trend_mb_per_s": None, "kernel": k}

        def _refresh(self):
            self.calls.append("refresh")
            self._publish_n()

        def _refresh_pressure(self):
            self.calls.append("refresh_pressure")
            self._publish_n()
            self._publish_pressure(self._pressure_dict())

        def _read_pressure(self):
            self.calls.append("read_pressure")
            self._publish_pressure(self._pressure_dict())

    mon = Fake()
    mon.n, mon.calls = 0, []
    mon._configure(interval)
    return mon


@pytest.mark.parametrize("base", BASES)
def test_equal_dicts_within_the_interval_and_a_fresh_reading_after(base):
    mon = scripted(base, 0.3)
    started = time.monotonic()  # before the filling call: bounds the cached reading's age
    first = mon.get_memory_pressure()
    assert first["available_mb"] == 1000.0 and mon.calls == ["refresh_pressure"]  # empty cache: filled
    again = mon.get_memory_pressure()
    if time.monotonic() - started < 0.3:
        assert again == first and again is not first and mon.calls == ["refresh_pressure"]
    time.sleep(0.35)
    later = mon.get_memory_pressure()
    assert later["available_mb"] == 2000.0 and later["kernel"]["some_total_us"] == 2
    assert mon.calls[-1] == "refresh_pressure"


@pytest.mark.parametrize("base", BASES)
def test_zero_interval_refreshes_on_every_call(base):
    mon = scripted(base, 0.0)
    assert [mon.get_memory_pressure()["available_mb"] for _ in range(4)] == [1000.0, 2000.0, 3000.0, 4000.0]
    assert mon.calls == ["refresh_pressure"] * 4


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("kernel", [True, False])
def test_mutating_a_result_does_not_change_the_next(base, kernel):
    mon = scripted(base, 3600, kernel=kernel)
    first = mon.get_memory_pressure()
    pristine = copy.deepcopy(first)
    if kernel:
        assert first["kernel"] is not mon.get_memory_pressure()["kernel"]
        first["kernel"]["source"] = "changed"
        first["kernel"]["extra"] = 1
        del first["kernel"]["some_total_us"]
    first["level"] = "emergency"
    first["kernel"] = "replaced" if kernel else {}
    first.clear()
    assert mon.get_memory_pressure() == pristine
    assert mon.calls == ["refresh_pressure"]


@pytest.mark.parametrize("base", BASES)
def test_a_stats_refresh_then_pressure_reads_the_same_reading_without_refreshing(base):
    mon = scripted(base, 3600)
    stats = mon.get_memory_stats()
    assert mon.calls == ["refresh"]
    p = mon.get_memory_pressure()
    assert p["available_mb"] == stats["available_mb"] == 1000.0
    assert mon.calls == ["refresh", "read_pressure"]
    mon.get_memory_pressure()
    assert mon.calls == ["refresh", "read_pressure"], "the pressure of that reading is cached now"


@pytest.mark.parametrize("base", BASES)
def test_a_new_reading_makes_the_cached_pressure_stale(base):
    mon = scripted(base, 3600)
    mon.get_memory_pressure()
    mon._refresh()  # a refresh from elsewhere (get_memory_stats of another thread, say)
    p = mon.get_memory_pressure()
    assert p["available_mb"] == 2000.0
    assert mon.calls == ["refresh_pressure", "refresh", "read_pressure"]


@pytest.mark.parametrize("base", BASES)
def test_forgetting_the_pressure_and_bad_publications(base):
    mon = scripted(base, 3600)
    mon.get_memory_pressure()
    mon._publish_pressure(None)
    mon.get_memory_pressure()
    assert mon.calls == ["refresh_pressure", "read_pressure"]
    for bad in ([], "x", 1, (("level", "low"),)):
        with pytest.raises(TypeError, match="dict or None"):
            mon._publish_pressure(bad)
    assert mon.get_memory_pressure()["available_mb"] == 1000.0, "a refused publication keeps the cache"


@pytest.mark.parametrize("base", BASES)
def test_a_fill_that_publishes_nothing_or_fails_raises(base):
    class Silent(base):
        def _refresh_pressure(self):
            self._publish(1.0, 1.0, 0.0, 0.0, 0.0, "host")

    mon = Silent()
    mon._configure(3600)
    with pytest.raises(RuntimeError, match="_refresh_pressure.*published no pressure"):
        mon.get_memory_pressure()

    class Failing(base):
        def _refresh_pressure(self):
            raise OSError("cannot read")

    mon = Failing()
    mon._configure(0)
    with pytest.raises(OSError, match="cannot read"):
        mon.get_memory_pressure()


# --- the real monitor ---------------------------------------------------------------------------

class Counting(RustMemoryMonitor):
    """The real monitor, counting the fills its cache asks for."""

    __slots__ = ("calls",)

    def _refresh(self):
        self.calls = getattr(self, "calls", []) + ["refresh"]
        super()._refresh()

    def _refresh_pressure(self):
        self.calls.append("refresh_pressure")
        super()._refresh_pressure()

    def _read_pressure(self):
        self.calls.append("read_pressure")
        super()._read_pressure()


def test_real_monitor_cached_calls_do_not_call_go():
    mon = Counting(3600)
    assert mon.calls == ["refresh"]  # the constructor's reading
    p = mon.get_memory_pressure()
    for _ in range(100):
        q = mon.get_memory_pressure()
        assert q == p and q is not p
        if p["kernel"] is not None:
            assert q["kernel"] is not p["kernel"]
    assert mon.calls == ["refresh", "read_pressure"]
    assert p["available_mb"] == mon.get_memory_stats()["available_mb"]


def test_real_monitor_results_survive_mutation():
    mon = RustMemoryMonitor(3600)
    first = mon.get_memory_pressure()
    pristine = copy.deepcopy(first)
    if first["kernel"] is not None:
        first["kernel"].clear()
    first.clear()
    assert mon.get_memory_pressure() == pristine
    fresh = RustMemoryMonitor(0)  # the kernel dict is kept across refreshes: still copied each time
    a = fresh.get_memory_pressure()
    if a["kernel"] is not None:
        source = a["kernel"]["source"]
        a["kernel"]["source"] = "changed"
        b = fresh.get_memory_pressure()
        assert b["kernel"]["source"] == source and b["kernel"] is not a["kernel"]


def test_real_monitor_zero_interval_refreshes_every_call_with_one_go_call():
    mon = Counting(0)
    for _ in range(5):
        mon.get_memory_pressure()
    assert mon.calls == ["refresh"] + ["refresh_pressure"] * 5
    p = mon.get_memory_pressure()
    assert type(p["trend_mb_per_s"]) is float, "every refresh feeds the trend"


def test_real_monitor_refreshes_after_the_interval():
    mon = Counting(0.05)
    mon.get_memory_pressure()
    time.sleep(0.06)
    mon.get_memory_pressure()
    assert mon.calls[-1] == "refresh_pressure"


@pytest.mark.skipif(sys.platform != "linux", reason="PSI is Linux's")
def test_real_kernel_figures_read_at_most_every_2s():
    started = time.monotonic()  # before the first reading: bounds the kernel figures' age
    mon = RustMemoryMonitor(0)
    first = mon.get_memory_pressure()
    if first["kernel"] is None:
        pytest.skip("no PSI file on this kernel")
    number = mon._kernel[0]
    for _ in range(50):
        p = mon.get_memory_pressure()
    if time.monotonic() - started < 1.5:
        assert mon._kernel[0] == number, "refreshes within 2 s reuse the kernel figures"
        assert p["kernel"] == first["kernel"]
    time.sleep(2.05)
    p = mon.get_memory_pressure()
    assert mon._kernel[0] > number, "2 s later a refresh reads the PSI file again"
    assert p["kernel"]["source"] == first["kernel"]["source"]
    assert p["kernel"]["some_total_us"] >= first["kernel"]["some_total_us"]


def test_new_thresholds_from_setstate_drop_the_cached_pressure():
    mon = RustMemoryMonitor(3600)
    assert mon.get_memory_pressure()["thresholds_mb"] == (4096.0, 2048.0, 1024.0, 512.0)
    mon.__setstate__({"ml_models_mb": 0.0, "ml_models_count": 0, "pressure_thresholds_mb": EVERYWHERE})
    p = mon.get_memory_pressure()
    assert p["thresholds_mb"] == EVERYWHERE and p["level"] == "emergency"


def test_copies_have_their_own_pressure_cache():
    mon = RustMemoryMonitor(3600, pressure_thresholds_mb=EVERYWHERE)
    mon.get_memory_pressure()
    twin = copy.copy(mon)
    assert twin.get_memory_pressure()["level"] == "emergency"
    assert twin.get_memory_pressure()["thresholds_mb"] == EVERYWHERE


def test_go_keeps_the_thresholds_and_refuses_bad_ones():
    from jarvis_rust_extensions import _native
    mon = RustMemoryMonitor(0, pressure_thresholds_mb=EVERYWHERE)
    assert mon.get_memory_pressure()["level"] == "emergency"  # judged in Go by the kept thresholds
    for bad in ((1.0, 2.0, 3.0, 4.0), (4.0, 3.0, 2.0, 0.0), (4.0, 3.0, float("nan"), 1.0)):
        with pytest.raises(ValueError, match="threshold"):
            _native.call("jarvisrs_RustMemoryMonitor_SetPressureThresholds", mon._h, *bad)
    assert mon.get_memory_pressure()["level"] == "emergency", "refused thresholds change nothing"
    _native.call("jarvisrs_RustMemoryMonitor_SetPressureThresholds", mon._h, 4.0, 3.0, 2.0, 1.0)
    assert mon.get_memory_pressure()["level"] == "low"


def test_real_monitor_from_many_threads(race_threads):
    """Threads refresh and read the pressure and the statistics at once: every pressure dict is
    whole and consistent (its level is its available memory's under its thresholds)."""
    from jarvis_rust_extensions import _pressure
    a = RustMemoryMonitor().get_memory_stats()["available_mb"]  # thresholds around it: levels vary
    mon = RustMemoryMonitor(0.0005, pressure_thresholds_mb=(a + 1.0, a, a - 1.0, a / 2))
    errors, stop = [], time.monotonic() + 1.0

    def work(t):
        try:
            while time.monotonic() < stop:
                p = mon.get_memory_pressure()
                assert set(p) == {"level", "available_mb", "thresholds_mb", "trend_mb_per_s", "kernel"}, p
                assert p["level"] == _pressure.LEVELS[sum(p["available_mb"] <= x for x in p["thresholds_mb"])], p
                if t % 2:
                    mon.get_memory_stats()
                    p["kernel"] = None  # a caller changing its copy
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    race_threads(work, 6)
    assert errors == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")  # Go's threads, 3.12+
def test_forked_child_answers_pressure_from_the_cache_and_raises_on_refresh(run_forked):
    from jarvis_rust_extensions import ForkedProcessError
    cached, fresh = RustMemoryMonitor(3600), RustMemoryMonitor(0)
    want = cached.get_memory_pressure()

    def child():
        assert cached.get_memory_pressure() == want
        with pytest.raises(ForkedProcessError):
            fresh.get_memory_pressure()
        return 0

    assert run_forked(child) == 0


def test_new_go_calls_with_an_unknown_handle_raise_and_the_interpreter_lives(tmp_path):
    """The Go methods added for the cache, called with a handle that names nothing: RuntimeError
    naming it (build_support/patch_generated.py mends gopy's wrappers), never a crash."""
    import subprocess
    code = """
from array import array
from jarvis_rust_extensions import _native
buf = array("d", bytes(8 * 23))
for name, args in [("jarvisrs_RustMemoryMonitor_ReadPressure", (987654321, buf.buffer_info()[0], 23)),
                   ("jarvisrs_RustMemoryMonitor_FillPressure", (987654321, buf.buffer_info()[0], 17)),
                   ("jarvisrs_RustMemoryMonitor_SetPressureThresholds", (987654321, 4.0, 3.0, 2.0, 1.0)),
                   ("jarvisrs_RustMemoryMonitor_KernelPressureSource", (987654321,))]:
    try:
        getattr(_native.lib, name)(*args)
    except RuntimeError as exc:
        assert "987654321" in str(exc), (name, exc)
    else:
        raise AssertionError(name + " returned without raising")
from jarvis_rust_extensions import RustMemoryMonitor
assert RustMemoryMonitor(0).get_memory_pressure()["available_mb"] > 0
print("alive")
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=str(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "alive", proc.stderr[-3000:]


def test_short_buffers_are_refused():
    from jarvis_rust_extensions import _native
    from array import array
    mon = RustMemoryMonitor()
    buf = array("d", bytes(8 * 23))
    with pytest.raises(ValueError, match="23"):
        _native.call("jarvisrs_RustMemoryMonitor_ReadPressure", mon._h, buf.buffer_info()[0], 17)
    with pytest.raises(ValueError, match="17"):
        _native.call("jarvisrs_RustMemoryMonitor_FillPressure", mon._h, buf.buffer_info()[0], 16)
