"""get_system_memory_info and RustMemoryMonitor against docs/API.md, with psutil as the outside reference."""

import math
import os
import time

import psutil
import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import RustMemoryMonitor, get_system_memory_info

MiB = 1024 * 1024
STATS_KEYS = {"total_mb", "available_mb", "used_mb", "system_percent", "process_mb", "ml_models_mb",
              "ml_models_count", "ml_percent", "limit_source"}


def test_system_memory_info_types_and_formula():
    total, available, percent = get_system_memory_info()
    assert type(total) is int and type(available) is int and type(percent) is float
    assert 0 < available <= total
    assert percent == pytest.approx((total - available) / total * 100, rel=1e-12)


def test_system_memory_info_matches_psutil_on_the_host():
    total, available, _ = get_system_memory_info()
    vm = psutil.virtual_memory()
    if jre.RustMemoryMonitor().get_memory_stats()["limit_source"] == "host":
        assert total == vm.total
    # Available memory moves while we look; allow 5% of the total.
    assert abs(available - vm.available) < 0.05 * vm.total


def test_default_and_custom_update_interval():
    assert RustMemoryMonitor().update_interval == 0.1
    assert RustMemoryMonitor(2.5).update_interval == 2.5
    assert RustMemoryMonitor(update_interval=0).update_interval == 0.0


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_bad_update_interval_raises_value_error(bad):
    with pytest.raises(ValueError):
        RustMemoryMonitor(bad)


def test_update_interval_wrong_type_raises_type_error():
    with pytest.raises(TypeError):
        RustMemoryMonitor("fast")


def test_stats_keys_types_and_formulas():
    stats = RustMemoryMonitor().get_memory_stats()
    assert set(stats) == STATS_KEYS
    for key in STATS_KEYS - {"ml_models_count", "limit_source"}:
        assert type(stats[key]) is float, key
    assert type(stats["ml_models_count"]) is int
    assert stats["limit_source"] in ("host", "cgroup")
    assert stats["used_mb"] == pytest.approx(stats["total_mb"] - stats["available_mb"])
    assert stats["system_percent"] == pytest.approx(stats["used_mb"] / stats["total_mb"] * 100)
    assert stats["ml_percent"] == 0.0 and stats["ml_models_mb"] == 0.0


def test_process_mb_is_filled_from_the_first_call_and_matches_psutil():
    stats = RustMemoryMonitor(60).get_memory_stats()
    rss_mb = psutil.Process().memory_info().rss / MiB
    assert stats["process_mb"] > 0
    assert abs(stats["process_mb"] - rss_mb) < 16


def test_total_matches_psutil():
    stats = RustMemoryMonitor().get_memory_stats()
    if stats["limit_source"] == "host":
        assert stats["total_mb"] == psutil.virtual_memory().total / MiB


def test_stats_are_cached_within_the_interval_and_refreshed_after():
    interval = 1.5  # generous: on a loaded machine touching 64 MiB can take a while
    mon = RustMemoryMonitor(update_interval=interval)
    started = time.monotonic()
    first = mon.get_memory_stats()
    ballast = bytearray(64 * MiB)  # RSS grows by 64 MiB once the pages are touched
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    if time.monotonic() - started < interval:
        assert mon.get_memory_stats()["process_mb"] == first["process_mb"]
    time.sleep(max(0.0, interval + 0.05 - (time.monotonic() - started)))
    assert mon.get_memory_stats()["process_mb"] > first["process_mb"] + 32
    del ballast


def test_zero_interval_refreshes_every_call():
    mon = RustMemoryMonitor(0)
    before = mon.get_memory_stats()["process_mb"]
    ballast = bytearray(48 * MiB)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    assert mon.get_memory_stats()["process_mb"] > before + 24
    del ballast


def test_update_ml_stats_survives_refreshes():
    mon = RustMemoryMonitor(0)
    stats = mon.get_memory_stats()
    assert mon.update_ml_stats(stats["ml_models_mb"] + 12.5, stats["ml_models_count"] + 1) is None
    for _ in range(3):
        stats = mon.get_memory_stats()
        assert stats["ml_models_mb"] == 12.5 and stats["ml_models_count"] == 1
        assert stats["ml_percent"] == pytest.approx(12.5 / stats["total_mb"] * 100)


def test_update_ml_stats_accepts_ints_and_rejects_nonsense():
    mon = RustMemoryMonitor()
    mon.update_ml_stats(100, 2)
    assert mon.get_memory_stats()["ml_models_mb"] == 100.0
    with pytest.raises(ValueError):
        mon.update_ml_stats(-1.0, 1)
    with pytest.raises(ValueError):
        mon.update_ml_stats(float("nan"), 1)
    with pytest.raises((ValueError, OverflowError)):
        mon.update_ml_stats(1.0, -1)
    with pytest.raises(TypeError):
        mon.update_ml_stats(1.0, 1.5)
    with pytest.raises(TypeError):
        mon.update_ml_stats(None, 1)


def _formula(stats, required, threshold):
    return ((stats["used_mb"] + required) / stats["total_mb"] * 100 < threshold
            and stats["available_mb"] > required)


@pytest.mark.parametrize("required,threshold", [
    (0.0, 100.0), (200.0, 70.0), (200.0, 0.0), (1e12, 100.0), (0.0, 1.0), (-5.0, 50.0), (100.0, 1000.0),
])
def test_is_memory_available_formula(required, threshold):
    mon = RustMemoryMonitor(3600)  # the cache never refreshes during the test
    stats = mon.get_memory_stats()
    assert mon.is_memory_available(required, threshold) is _formula(stats, required, threshold)


def test_is_memory_available_edges_around_threshold():
    mon = RustMemoryMonitor(3600)
    s = mon.get_memory_stats()
    exact = s["used_mb"] / s["total_mb"] * 100
    assert mon.is_memory_available(0.0, exact + 1e-6) is True
    assert mon.is_memory_available(0.0, exact) is False  # strictly below
    assert mon.is_memory_available(s["available_mb"], 100.0) is False  # strictly more available


def test_is_memory_available_reads_only_the_cache():
    mon = RustMemoryMonitor(3600)
    s = mon.get_memory_stats()
    ballast = bytearray(64 * MiB)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    # Same answers as the cached figures give, whatever the system did since.
    for req in (0.0, s["available_mb"] / 2):
        assert mon.is_memory_available(req, 99.0) is _formula(s, req, 99.0)
    del ballast


def test_is_memory_available_rejects_wrong_types():
    mon = RustMemoryMonitor()
    with pytest.raises(TypeError):
        mon.is_memory_available("200", 70.0)
    with pytest.raises(TypeError):
        mon.is_memory_available(None, 70.0)


def test_is_memory_available_nan_is_false():
    mon = RustMemoryMonitor()
    assert mon.is_memory_available(float("nan"), 70.0) is False
    assert mon.is_memory_available(10.0, float("nan")) is False


def test_get_memory_map_matches_psutil():
    info = RustMemoryMonitor().get_memory_map()
    assert set(info) == {"virtual_memory", "memory", "cpu_usage", "name"}
    assert type(info["virtual_memory"]) is int and type(info["memory"]) is int
    assert type(info["cpu_usage"]) is float and type(info["name"]) is str
    me = psutil.Process()
    assert info["name"] == me.name()
    mem = me.memory_info()
    assert abs(info["memory"] - mem.rss) < 16 * MiB
    assert abs(info["virtual_memory"] - mem.vms) < 64 * MiB
    assert info["cpu_usage"] >= 0.0


def test_cpu_usage_reflects_work_between_calls():
    mon = RustMemoryMonitor()
    mon.get_memory_map()
    deadline = time.perf_counter() + 0.3
    while time.perf_counter() < deadline:
        pass
    assert mon.get_memory_map()["cpu_usage"] > 30.0


def test_suggest_cleanup_shape_and_rules():
    result = RustMemoryMonitor().suggest_cleanup(1e9)
    assert set(result) == {"suggestions", "potential_freed_mb"}
    assert type(result["potential_freed_mb"]) is float
    found = result["suggestions"]
    assert len(found) <= 5
    sizes = [s["memory_mb"] for s in found]
    assert sizes == sorted(sizes, reverse=True)
    for s in found:
        assert type(s["process"]) is str and type(s["memory_mb"]) is float and type(s["pid"]) is int
        assert s["memory_mb"] > 50.0
        assert "jarvis" not in s["process"].lower() and "system" not in s["process"].lower()
        assert s["pid"] != os.getpid()
    assert result["potential_freed_mb"] == pytest.approx(sum(sizes))


def test_suggest_cleanup_finds_a_big_process_and_stops_at_the_target():
    import subprocess
    import sys
    code = "b = bytearray(160 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\nimport sys; print('ready', flush=True); sys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        found = RustMemoryMonitor().suggest_cleanup(1e9)["suggestions"]
        assert child.pid in [s["pid"] for s in found] or len(found) == 5
        one = RustMemoryMonitor().suggest_cleanup(1.0)["suggestions"]
        assert len(one) == 1  # the first suggestion already reaches 1 MiB
        assert RustMemoryMonitor().suggest_cleanup(0.0)["suggestions"] == []
    finally:
        child.stdin.close()
        child.wait(10)


def test_suggest_cleanup_rejects_nan():
    with pytest.raises(ValueError):
        RustMemoryMonitor().suggest_cleanup(float("nan"))


def test_monitor_is_usable_from_threads():
    import threading
    mon = RustMemoryMonitor(0.001)
    errors = []

    def work():
        try:
            for i in range(300):
                mon.update_ml_stats(float(i), i)
                s = mon.get_memory_stats()
                assert s["total_mb"] > 0 and math.isfinite(s["system_percent"])
                mon.is_memory_available(1.0, 90.0)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
