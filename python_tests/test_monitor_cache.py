"""The monitor's cache and ML accounting (_fastpaths.StatsCache, C called directly, and its
pure-Python twin PyStatsCache): the same documented semantics from both, checked on controlled
readings, plus the real RustMemoryMonitor from many threads and in a forked child."""

import math
import time

import numpy as np
import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import ForkedProcessError, RustMemoryMonitor, _fastpaths
from jarvis_rust_extensions._stats_cache import PyStatsCache

KEYS = ["total_mb", "available_mb", "used_mb", "system_percent", "process_mb", "ml_models_mb", "ml_models_count",
        "ml_percent", "limit_source"]
BASES = [pytest.param(_fastpaths.StatsCache, id="native"), pytest.param(PyStatsCache, id="python")]


def reading(total=16384.0, available=12288.0, process=100.0, source="host"):
    used = total - available
    return (total, available, used, used / total * 100 if total > 0 else 0.0, process, source)


def fake_monitor(base, readings, interval):
    """A cache whose _refresh publishes the given readings in turn (an exception is raised)."""
    class Fake(base):
        __slots__ = ("readings", "calls")

        def _refresh(self):
            self.calls += 1
            r = self.readings[min(self.calls, len(self.readings)) - 1]
            if isinstance(r, Exception):
                raise r
            self._publish(*r)

    mon = Fake()
    mon.readings, mon.calls = list(readings), 0
    mon._configure(interval)
    return mon


def test_the_installed_wheel_has_the_c_fast_paths():
    # The wheel is built with the jarvis_cpython tag (build_support/gopy_build.py); without it
    # every call here would silently take the slower pure-Python fallback.
    assert _fastpaths.native and _fastpaths.read_float32 is not None
    assert isinstance(RustMemoryMonitor(), _fastpaths.StatsCache)


@pytest.mark.parametrize("base", BASES)
def test_cache_age_and_interval(base):
    mon = fake_monitor(base, [reading(process=1.0), reading(process=2.0), reading(process=3.0)], 0.3)
    started = time.monotonic()  # before the filling call: bounds the cached reading's age
    assert mon.get_memory_stats()["process_mb"] == 1.0 and mon.calls == 1  # empty cache: filled at once
    again = mon.get_memory_stats()
    if time.monotonic() - started < 0.3:
        assert again["process_mb"] == 1.0 and mon.calls == 1
    time.sleep(0.35)
    assert mon.get_memory_stats()["process_mb"] == 2.0 and mon.calls == 2


@pytest.mark.parametrize("base", BASES)
def test_zero_interval_refreshes_on_every_call(base):
    mon = fake_monitor(base, [reading(process=float(i)) for i in range(1, 6)], 0.0)
    assert [mon.get_memory_stats()["process_mb"] for _ in range(5)] == [1.0, 2.0, 3.0, 4.0, 5.0]


@pytest.mark.parametrize("base", BASES)
def test_stats_dict_is_a_fresh_copy_with_the_documented_keys(base):
    mon = fake_monitor(base, [reading(total=8000.0, available=2000.0, source="cgroup")], 3600)
    first = mon.get_memory_stats()
    assert list(first) == KEYS
    assert first["used_mb"] == 6000.0 and first["system_percent"] == 6000.0 / 8000.0 * 100
    assert first["limit_source"] == "cgroup" and type(first["ml_models_count"]) is int
    first["total_mb"] = -1.0
    first.clear()
    assert mon.get_memory_stats()["total_mb"] == 8000.0


@pytest.mark.parametrize("base", BASES)
def test_ml_accounting_survives_refreshes_and_ml_percent_is_exact(base):
    mon = fake_monitor(base, [reading(total=16384.0), reading(total=8000.0)], 0.0)
    assert mon.update_ml_stats(1234.5, 3) is None
    for total in (16384.0, 8000.0, 8000.0):
        s = mon.get_memory_stats()
        assert s["total_mb"] == total
        assert s["ml_models_mb"] == 1234.5 and s["ml_models_count"] == 3
        assert s["ml_percent"] == 1234.5 / total * 100  # the documented formula, bit for bit
    mon.update_ml_stats(models_count=0, models_mb=0)
    s = mon.get_memory_stats()
    assert (s["ml_models_mb"], s["ml_models_count"], s["ml_percent"]) == (0.0, 0, 0.0)
    assert type(s["ml_models_mb"]) is float


@pytest.mark.parametrize("base", BASES)
def test_update_ml_stats_validation(base):
    mon = fake_monitor(base, [reading()], 3600)
    mon.update_ml_stats(np.float64(2.5), np.int64(4))
    mon.update_ml_stats(7, 1)
    for mb in (-1.0, -1e-300, float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError):
            mon.update_ml_stats(mb, 1)
    with pytest.raises(ValueError):
        mon.update_ml_stats(1.0, -1)
    with pytest.raises(OverflowError):
        mon.update_ml_stats(1.0, 2**63)
    for mb, count in [(None, 1), ("1", 1), (b"1", 1), (1.0, 1.5), (1.0, True), (1.0, "1"), (1.0, None), (1j, 1)]:
        with pytest.raises(TypeError):
            mon.update_ml_stats(mb, count)
    with pytest.raises(TypeError):
        mon.update_ml_stats(1.0)
    with pytest.raises(TypeError):
        mon.update_ml_stats(1.0, 2, 3)
    with pytest.raises(TypeError):
        mon.update_ml_stats(1.0, models_cnt=2)
    s = mon.get_memory_stats()  # every refusal left the last good accounting in place
    assert (s["ml_models_mb"], s["ml_models_count"]) == (7.0, 1)


@pytest.mark.parametrize("base", BASES)
def test_is_memory_available_formula_from_the_cache_only(base):
    total, available = 16384.0, 4096.0
    mon = fake_monitor(base, [reading(total=total, available=available), reading(total=1.0, available=1.0)], 0.0)
    assert mon.is_memory_available(0.0, 100.0) is False and mon.calls == 0  # nothing read yet
    mon.get_memory_stats()
    used = total - available
    for required, threshold in [(0.0, 100.0), (200.0, 70.0), (200.0, 76.0), (4096.0, 100.0), (4095.0, 100.0),
                                (-5.0, 50.0), (1e12, 1e12), (100, 99)]:
        want = (used + required) / total * 100 < threshold and available > required
        assert mon.is_memory_available(required, threshold) is want
        assert mon.is_memory_available(threshold_percent=threshold, required_mb=required) is want
    exact = used / total * 100
    assert mon.is_memory_available(0.0, exact) is False and mon.is_memory_available(0.0, math.nextafter(exact, 200))
    assert mon.is_memory_available(float("nan"), 70.0) is False
    assert mon.is_memory_available(1.0, float("nan")) is False
    assert mon.is_memory_available(np.float64(1.0), np.float32(99.0)) is True
    assert mon.calls == 1  # never refreshed, although the interval is 0
    for bad in [("200", 70.0), (None, 70.0), (1.0, "x"), (1j, 1.0)]:
        with pytest.raises(TypeError):
            mon.is_memory_available(*bad)
    with pytest.raises(TypeError):
        mon.is_memory_available(1.0)


@pytest.mark.parametrize("base", BASES)
def test_zero_total_is_never_available(base):
    mon = fake_monitor(base, [reading(total=0.0, available=0.0)], 3600)
    s = mon.get_memory_stats()
    mon.update_ml_stats(5.0, 1)
    assert mon.get_memory_stats()["ml_percent"] == 0.0 and s["total_mb"] == 0.0
    assert mon.is_memory_available(-1.0, 1e9) is False


@pytest.mark.parametrize("base", BASES)
def test_a_failed_refresh_raises_and_keeps_the_previous_reading(base):
    mon = fake_monitor(base, [reading(available=1000.0), OSError(5, "unreadable"), reading(available=2000.0)], 0.0)
    assert mon.get_memory_stats()["available_mb"] == 1000.0
    with pytest.raises(OSError):
        mon.get_memory_stats()
    assert mon.is_memory_available(999.0, 100.0) is True  # still the first reading
    assert mon.get_memory_stats()["available_mb"] == 2000.0


@pytest.mark.parametrize("base", BASES)
def test_never_filled_cache_retries_and_raises(base):
    mon = fake_monitor(base, [OSError(5, "no /proc")], 3600)
    for _ in range(2):
        with pytest.raises(OSError):
            mon.get_memory_stats()
    assert mon.calls == 2 and mon.is_memory_available(0.0, 100.0) is False


def _hammer(race_threads, mon, seconds=1.0, threads=8):
    """Threads record ML figures as (float(k), k) pairs and read them back: a reader must never
    see the size of one update with the count of another."""
    errors, stop = [], time.monotonic() + seconds

    def work(t):
        k = t
        try:
            while time.monotonic() < stop:
                mon.update_ml_stats(float(k), k)
                s = mon.get_memory_stats()
                assert s["ml_models_mb"] == float(s["ml_models_count"]), s
                assert s["ml_percent"] == s["ml_models_mb"] / s["total_mb"] * 100
                assert isinstance(mon.is_memory_available(1.0, 90.0), bool)
                k += threads
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    race_threads(work, threads)
    assert errors == []


@pytest.mark.parametrize("base", BASES)
def test_threads_never_see_half_an_update(base, race_threads):
    _hammer(race_threads, fake_monitor(base, [reading()], 0.0))


def test_real_monitor_from_many_threads_refreshing(race_threads):
    _hammer(race_threads, RustMemoryMonitor(0.0005))


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")  # Go's threads, 3.12+
def test_forked_child_answers_from_the_cache_and_raises_on_refresh(run_forked):
    cached, fresh = RustMemoryMonitor(3600), RustMemoryMonitor(0)
    cached.update_ml_stats(10.0, 1)
    want = cached.is_memory_available(1.0, 99.0)

    def child():
        assert cached.is_memory_available(1.0, 99.0) is want
        cached.update_ml_stats(20.0, 2)
        assert cached.get_memory_stats()["ml_models_count"] == 2
        with pytest.raises(ForkedProcessError):
            fresh.get_memory_stats()
        return 0

    assert run_forked(child) == 0
    assert cached.get_memory_stats()["ml_models_count"] == 1  # the parent's accounting is its own


def test_methods_have_signatures_for_help():
    import inspect
    assert list(inspect.signature(RustMemoryMonitor.is_memory_available).parameters) == [
        "self", "required_mb", "threshold_percent"]
    assert list(inspect.signature(RustMemoryMonitor.update_ml_stats).parameters) == [
        "self", "models_mb", "models_count"]
    assert RustMemoryMonitor.get_memory_stats.__doc__ and jre.RustMemoryMonitor.__doc__
