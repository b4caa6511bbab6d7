#!/usr/bin/env python3
"""Time RustMemoryMonitor.get_memory_pressure against get_memory_stats (the issue asks that it cost
no more) and against what a user would write otherwise: psutil.virtual_memory() plus reading and
parsing /proc/pressure/memory in Python. Medians of rounds after a warm-up; the machine is shared,
so trust ratios, not absolutes.

    python benchmarks/pressure.py
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Callable

import jarvis_rust_extensions as jre

PSI = "/proc/pressure/memory"


def median_call(fn: Callable[[], object], rounds: int = 9, number: int = 2000) -> float:
    """Median over `rounds` of the mean time of one call in a round of `number` calls, in seconds."""
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def python_peer() -> dict:
    import psutil
    vm = psutil.virtual_memory()
    out = {"available_mb": vm.available / 1048576}
    if os.path.exists(PSI):
        with open(PSI) as f:
            for line in f:
                kind, *fields = line.split()
                for field in fields:
                    key, value = field.split("=")
                    out[f"{kind}_{key}"] = int(value) if key == "total" else float(value)
    return out


def main() -> None:
    cached = jre.RustMemoryMonitor(3600)
    fresh = jre.RustMemoryMonitor(0)
    rows = [
        ("get_memory_pressure (cached)", median_call(cached.get_memory_pressure, number=20000),
         "get_memory_stats (cached)", median_call(cached.get_memory_stats, number=20000)),
        ("get_memory_pressure (refreshing)", median_call(fresh.get_memory_pressure),
         "get_memory_stats (refreshing)", median_call(fresh.get_memory_stats)),
        ("get_memory_pressure (refreshing)", median_call(fresh.get_memory_pressure),
         "psutil + PSI parsed in Python", median_call(python_peer, number=500)),
    ]
    print(f"{'call':34} {'ours':>10}   {'peer':32} {'peer time':>10} {'peer/ours':>9}")
    for name, ours, peer_name, peer in rows:
        print(f"{name:34} {ours * 1e6:>8.2f}us   {peer_name:32} {peer * 1e6:>8.2f}us {peer / ours:>9.2f}")


if __name__ == "__main__":
    main()
