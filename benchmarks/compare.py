#!/usr/bin/env python3
"""Time every public call of jarvis_rust_extensions against the tool a user would otherwise use,
on the same data in the same process, and print the ratios (peer time / our time; > 1 means we
are faster). Best of N after a warm-up; the machine is shared, so trust ratios, not absolutes.

    python benchmarks/compare.py            # the table
    python benchmarks/compare.py --json     # machine-readable
    python benchmarks/compare.py --quick    # smaller inputs, for a smoke run

Needs the test requirements (numpy, psutil, lz4, safetensors, gguf).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import timeit
from typing import Callable, List, Optional

import numpy as np

import jarvis_rust_extensions as jre

MiB = 1 << 20


def best_of(fn: Callable[[], object], repeat: int, number: int = 1) -> float:
    """Best wall time of one call, in seconds, over `repeat` rounds of `number` calls (after a warm-up)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


class Table:
    def __init__(self) -> None:
        self.rows: List[dict] = []

    def add(self, name: str, ours: float, peer_name: str, peer: float, target: Optional[float],
            note: str = "", higher_is_better: bool = True) -> None:
        ratio = peer / ours if ours > 0 else float("inf")
        ok = None if target is None else (ratio >= target if higher_is_better else ratio <= target)
        self.rows.append({"call": name, "ours_s": ours, "peer": peer_name, "peer_s": peer, "ratio": ratio,
                          "target": target, "met": ok, "note": note})

    def add_value(self, name: str, value: float, unit: str, limit: Optional[float], note: str = "") -> None:
        self.rows.append({"call": name, "value": value, "unit": unit, "limit": limit,
                          "met": None if limit is None else value < limit, "note": note})

    def print(self) -> None:
        print(f"{'call':44} {'ours':>10} {'peer':>30} {'peer time':>10} {'ratio':>8} {'target':>8}  ok")
        for r in self.rows:
            mark = {True: "yes", False: "NO", None: "-"}[r["met"]]
            if "value" in r:
                limit = "-" if r["limit"] is None else f"< {r['limit']:g}"
                print(f"{r['call']:44} {r['value']:>9.1f}{r['unit']:<1} {'':>30} {'':>10} {'':>8} {limit:>8}  {mark}  {r['note']}")
                continue
            target = "-" if r["target"] is None else f">= {r['target']:g}" if r["target"] >= 1 or r["call"].find("list") < 0 else f"{r['target']:g}"
            print(f"{r['call']:44} {_fmt(r['ours_s']):>10} {r['peer']:>30} {_fmt(r['peer_s']):>10} {r['ratio']:>8.2f} "
                  f"{target:>8}  {mark}  {r['note']}")


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e3:.2f} ms"


def bench_monitor(t: Table) -> None:
    import psutil
    mon = jre.RustMemoryMonitor(3600)
    mon.get_memory_stats()
    vm = best_of(psutil.virtual_memory, 7, 300)
    t.add("is_memory_available", best_of(lambda: mon.is_memory_available(200.0, 70.0), 7, 100_000),
          "psutil.virtual_memory()", vm, 30)
    t.add("get_memory_stats (cached)", best_of(mon.get_memory_stats, 7, 50_000), "psutil.virtual_memory()", vm, 10)
    fresh = jre.RustMemoryMonitor(0)
    proc = psutil.Process()
    t.add("get_memory_stats (refreshing)", best_of(fresh.get_memory_stats, 7, 300),
          "virtual_memory()+memory_info()", best_of(lambda: (psutil.virtual_memory(), proc.memory_info()), 7, 300), 1)
    t.add("get_system_memory_info", best_of(jre.get_system_memory_info, 7, 300), "psutil.virtual_memory()", vm, 1)
    bench_monitor_vs_python(t)


def _round_half_away(v: np.ndarray) -> np.ndarray:
    return np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))


def numpy_original_int8(x: np.ndarray) -> np.ndarray:
    mn, mx = x.min(), x.max()
    scale = (mx - mn) / np.float32(255)
    return np.clip(_round_half_away((x - mn) / scale) - 128, -128, 127).astype(np.int8)


def numpy_symmetric_int8(x: np.ndarray, axis=None) -> np.ndarray:
    if axis is None:
        scale = np.abs(x).max() / np.float32(127)
    else:
        scale = np.abs(x).max(axis=tuple(i for i in range(x.ndim) if i != axis), keepdims=True) / np.float32(127)
    return np.clip(np.round(x / scale), -127, 127).astype(np.int8)


def bench_quant(t: Table, n: int, repeat: int) -> None:
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(n, dtype=np.float32) * np.float32(0.02))
    loader = jre.RustModelLoader()
    mib = n * 4 // MiB
    t.add(f"quantize_array_int8 (numpy, {mib} MiB)", best_of(lambda: loader.quantize_array_int8(x), repeat),
          "numpy, same formula", best_of(lambda: numpy_original_int8(x), repeat), 2)
    t.add(f"quantize_int8 per tensor ({mib} MiB)", best_of(lambda: jre.quantize_int8(x), repeat),
          "numpy abs-max/divide/round/clip", best_of(lambda: numpy_symmetric_int8(x), repeat), 2)
    w = x.reshape(4096, -1)
    t.add(f"quantize_int8 per channel axis 0 ({mib} MiB)", best_of(lambda: jre.quantize_int8(w, axis=0), repeat),
          "numpy, per-channel", best_of(lambda: numpy_symmetric_int8(w, axis=0), repeat), 2)
    t.add(f"quantize_fp16 ({mib} MiB)", best_of(lambda: jre.quantize_fp16(x), repeat),
          "numpy astype(float16)", best_of(lambda: x.astype(np.float16), repeat), 1.5)
    t.add(f"quantize_array_fp16 ({mib} MiB)", best_of(lambda: loader.quantize_array_fp16(x), repeat),
          "numpy astype('<f2').tobytes()", best_of(lambda: x.astype("<f2").tobytes(), repeat), 1.5)
    t.add(f"quantize_int4 group 32 ({mib} MiB)", best_of(lambda: jre.quantize_int4(x), repeat),
          "numpy, same formula + packing", best_of(lambda: _numpy_int4(x), repeat), None)
    bench_list_inputs(t, loader, x[:1_000_000].tolist(), repeat)
    try:
        import gguf
        g = x.reshape(-1, 4096)
        for kind in ("Q8_0", "Q4_0"):
            qt = getattr(gguf.GGMLQuantizationType, kind)
            t.add(f"quantize_gguf {kind} ({g.nbytes // MiB} MiB)", best_of(lambda: jre.quantize_gguf(g, kind), repeat),
                  f"gguf.quants.quantize {kind}", best_of(lambda: gguf.quants.quantize(g, qt), 2), 10)
    except ImportError:
        print("gguf not installed: GGUF rows skipped", file=sys.stderr)


def _numpy_int4(x: np.ndarray) -> np.ndarray:
    g = x.reshape(-1, 32)
    scale = np.abs(g).max(axis=1, keepdims=True) / np.float32(7)
    q = np.clip(np.round(g / scale), -8, 7).astype(np.int8).reshape(-1)
    return ((q[0::2] & 0xF) | ((q[1::2] & 0xF) << 4)).astype(np.uint8)


def best_pair(ours: str, peer: str, env: dict, number: int, rounds: int = 60) -> "tuple[float, float]":
    """Best per-call seconds of two statements timed in alternation, `number` calls a round, no
    lambda around either (on a shared machine the same interference reaches both)."""
    timers = [timeit.Timer(ours, globals=env), timeit.Timer(peer, globals=env)]
    best = [float("inf"), float("inf")]
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for i, timer in enumerate(timers):
                best[i] = min(best[i], timer.timeit(number) / number)
    finally:
        if was_enabled:
            gc.enable()
    return best[0], best[1]


class PythonMonitor:
    """The monitor's hot paths as plain Python methods: the same arithmetic on cached figures, the
    same two stores, and a cache-age check with time.monotonic() returning a copy of a cached dict.
    What each call would cost if it were written in Python (no validation, no Go)."""

    __slots__ = ("used_mb", "total_mb", "available_mb", "ml_models_mb", "ml_models_count", "at", "interval",
                 "stats")

    def __init__(self, stats: dict, interval: float) -> None:
        self.used_mb, self.total_mb, self.available_mb = stats["used_mb"], stats["total_mb"], stats["available_mb"]
        self.ml_models_mb, self.ml_models_count = 0.0, 0
        self.at, self.interval, self.stats = time.monotonic(), interval, dict(stats)

    def is_memory_available(self, required_mb, threshold_percent):
        return (self.used_mb + required_mb) / self.total_mb * 100 < threshold_percent and self.available_mb > required_mb

    def update_ml_stats(self, models_mb, models_count):
        self.ml_models_mb = models_mb
        self.ml_models_count = models_count

    def get_memory_stats(self):
        if time.monotonic() - self.at < self.interval:
            return self.stats.copy()
        raise AssertionError("the benchmark keeps the cache fresh")


def bench_monitor_vs_python(t: Table) -> None:
    """Issue 15: the hot paths against the same work in pure Python (ratio = Python time / ours)."""
    mon = jre.RustMemoryMonitor(3600)
    env = {"mon": mon, "py": PythonMonitor(mon.get_memory_stats(), 3600)}
    for call, args, target in (("is_memory_available", "(200.0, 70.0)", 1 / 1.3),
                               ("update_ml_stats", "(12.5, 3)", 1 / 1.3),
                               ("get_memory_stats", "()", 1 / 1.5)):
        ours, peer = best_pair(f"mon.{call}{args}", f"py.{call}{args}", env, 20_000)
        name = call + (" (cached)" if call == "get_memory_stats" else "")
        t.add(f"{name} vs Python", ours, "pure-Python method, same work", peer, target,
              note=f"ratio >= {target:.3f} means <= {1 / target:.1f}x the Python method")


def bench_pressure_cost(t: Table) -> None:
    """Issue 13: get_memory_pressure costs no more than get_memory_stats, cached (a copy of the
    cached dicts, no Go) and refreshing (one Go call reads both; PSI at most every 2 s), timed in
    alternation (ratio = stats time / pressure time)."""
    env = {"cached": jre.RustMemoryMonitor(3600), "fresh": jre.RustMemoryMonitor(0)}
    for mon, number, target in (("cached", 20_000, 1 / 1.3), ("fresh", 300, 1 / 1.05)):
        ours, peer = best_pair(f"{mon}.get_memory_pressure()", f"{mon}.get_memory_stats()", env, number)
        kind = "cached" if mon == "cached" else "refreshing"
        t.add(f"get_memory_pressure ({kind})", ours, f"get_memory_stats ({kind})", peer, target,
              note=f"ratio >= {target:.3f} means <= {1 / target:.2f}x get_memory_stats")


def bench_list_inputs(t: Table, loader, lst: list, repeat: int) -> None:
    """Issue 15: 1M Python floats in (read natively, GIL held) against converting them alone."""
    from array import array
    conv = best_of(lambda: np.asarray(lst, np.float32), repeat)
    arr_f = best_of(lambda: array("f", lst), repeat)
    for name, fn in (("quantize_array_int8", loader.quantize_array_int8), ("quantize_array_fp16", loader.quantize_array_fp16)):
        ours = best_of(lambda: fn(lst), repeat)
        t.add(f"{name} (1M-element list)", ours, "np.asarray(list, float32) alone", conv, 1 / 0.6,
              note="ratio >= 1.67 means <= 0.6x the conversion alone")
        t.add(f"{name} (1M-element list)", ours, "array('f', list) alone", arr_f, None)


def _memmap_safetensors(path: str) -> dict:
    """Every tensor of a .safetensors file as an np.memmap: what numpy alone offers."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    dtypes = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32,
              "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        if end > begin:
            out[name] = np.memmap(path, dtype=dtypes[info["dtype"]], mode="r", offset=8 + n + begin,
                                  shape=tuple(info["shape"]))
    return out


def _touch_every_page(tensors: dict) -> int:
    total = 0
    for a in tensors.values():
        total += int(a.reshape(-1).view(np.uint8)[::4096].sum())
    return total


def bench_safetensors_peers(t: Table, path: str, size_mb: int) -> None:
    """Issue 15: load_safetensors against its fair peers, for mapping alone and for mapping plus the
    first touch of every page (each round maps afresh, so every page faults in again)."""
    from safetensors import safe_open

    def safe_open_all():
        with safe_open(path, framework="np") as f:
            return {k: f.get_tensor(k) for k in f.keys()}

    ours_map = best_of(lambda: jre.load_safetensors(path), 7)
    t.add(f"load_safetensors map ({size_mb} MiB)", ours_map, "np.memmap per tensor",
          best_of(lambda: _memmap_safetensors(path), 7), None)
    read_all = best_of(safe_open_all, 3)
    t.add(f"load_safetensors map ({size_mb} MiB)", ours_map, "safe_open, get_tensor for all", read_all, None)
    ours_touch = best_of(lambda: _touch_every_page(jre.load_safetensors(path)), 3)
    t.add(f"load_safetensors + touch ({size_mb} MiB)", ours_touch, "np.memmap + touch every page",
          best_of(lambda: _touch_every_page(_memmap_safetensors(path)), 3), None)
    t.add(f"load_safetensors + touch ({size_mb} MiB)", ours_touch, "safe_open, get_tensor + touch",
          best_of(lambda: _touch_every_page(safe_open_all()), 3), None)


def bench_lz4(t: Table, n: int, repeat: int) -> None:
    import lz4.block
    import lz4.frame
    rng = np.random.default_rng(1)
    weights = (rng.standard_normal(n // 4, dtype=np.float32) * np.float32(0.02)).tobytes()
    loader = jre.RustModelLoader()
    ours_frame = loader.compress_model(weights)
    peer_frame = lz4.frame.compress(weights)
    ours_compress = best_of(lambda: loader.compress_model(weights), repeat)
    t.add(f"compress_model ({len(weights) // MiB} MiB weights)", ours_compress,
          "lz4.frame.compress", best_of(lambda: lz4.frame.compress(weights), repeat), 1,
          note=f"size {len(ours_frame) / len(peer_frame):.3f}x peer (<= 1.02); peer has no checksum")
    peer_summed = lz4.frame.compress(weights, content_checksum=True)
    t.add(f"compress_model ({len(weights) // MiB} MiB weights)", ours_compress,
          "lz4.frame.compress content_checksum",
          best_of(lambda: lz4.frame.compress(weights, content_checksum=True), repeat), 1,
          note=f"size {len(ours_frame) / len(peer_summed):.3f}x peer; both checksummed")
    t.add("decompress_model", best_of(lambda: loader.decompress_model(ours_frame), repeat),
          "lz4.frame.decompress", best_of(lambda: lz4.frame.decompress(peer_frame), repeat), 1)
    text = (b"".join(b"layer.%d.attention.weight %f\n" % (i, i * 0.001) for i in range(n // 48)))[: n // 4]
    hc_data = text[: 16 * MiB]
    ours_block = jre.compress_data_lz4(hc_data)
    peer_block = lz4.block.compress(hc_data, mode="high_compression", compression=12, store_size=False)
    t.add(f"compress_data_lz4 HC12 ({len(hc_data) // MiB} MiB text)", best_of(lambda: jre.compress_data_lz4(hc_data), 3),
          "lz4.block HC level 12", best_of(lambda: lz4.block.compress(hc_data, mode="high_compression", compression=12,
                                                                        store_size=False), 3), 1,
          note=f"size {len(ours_block) / len(peer_block):.3f}x peer (<= 1.05)")
    size = len(hc_data)
    t.add("decompress_data_lz4", best_of(lambda: jre.decompress_data_lz4(ours_block, size), repeat),
          "lz4.block.decompress", best_of(lambda: lz4.block.decompress(peer_block, uncompressed_size=size), repeat), 0.9)


def best_wall_cpu(fn: Callable[[], object], repeat: int) -> "tuple[float, float]":
    """Best wall time and best CPU time (all threads of the process, Go's included) of one call,
    in seconds, over `repeat` calls after a warm-up."""
    fn()
    wall = cpu = float("inf")
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - w)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu


_TEXT_WORDS = np.array(b"""model weight tensor layer cache memory jarvis quantize float int8 scale zero point block
    frame checksum the of and to in is a for with pickle numpy array""".split())


def text_like(n: int, seed: int = 3) -> bytes:
    """n bytes of text-like data: random words of a small vocabulary, separated by spaces and now
    and then a newline (LZ4 level 0 about 2.3:1, like configs, logs and pickled metadata)."""
    rng = np.random.default_rng(seed)
    vocab = [w + b" " for w in _TEXT_WORDS] + [w + b"\n" for w in _TEXT_WORDS]
    flat = np.frombuffer(b"".join(vocab), dtype=np.uint8)
    lens = np.array([len(v) for v in vocab])
    starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
    parts, have = [], 0
    while have < n:  # 4 MiB at a time keeps the gather indexes small
        k = (4 * MiB) // 6
        idx = rng.integers(0, len(_TEXT_WORDS), k) + len(_TEXT_WORDS) * (rng.integers(0, 12, k) == 0)
        ln = lens[idx]
        pos = np.cumsum(ln) - ln
        gather = np.repeat(starts[idx] - pos, ln) + np.arange(int(ln.sum()))
        parts.append(flat[gather].tobytes())
        have += len(parts[-1])
    return b"".join(parts)[:n]


def lz4_core_rows(n: int, repeat: int, cores: str, levels: bool) -> List[dict]:
    """The LZ4 targets of issue 15 as rows: wall-time ratios (with targets when Go runs on one
    core) and CPU-time ratios (per core: all threads' CPU time, ours against python-lz4's one
    thread). `cores` labels the rows ("1 core" when GOMAXPROCS=1). Level 0 and decompression on
    n bytes of text, HC12 blocks on up to 4 MiB and, with `levels`, frames at levels 3-12 on up to
    1 MiB (where every level's output must not exceed liblz4's)."""
    import lz4.block
    import lz4.frame
    one = cores == "1 core"
    target = 1.0 if one else None
    t = Table()

    def pair(name, ours_fn, peer_name, peer_fn, note="", reps=repeat, more_peers=()):
        """Time ours and the peer; more_peers are (name, fn, note) timed against the same ours."""
        ow, oc = best_wall_cpu(ours_fn, reps)
        for p_name, p_fn, p_note in ((peer_name, peer_fn, note), *more_peers):
            pw, pc = best_wall_cpu(p_fn, reps)
            t.add(f"{name} [{cores}]", ow, p_name, pw, target, note=p_note)
            t.add(f"{name} [{cores}, CPU]", oc, p_name + " CPU", pc, None, note="per core: CPU-time ratio")

    text = text_like(n)
    loader = jre.RustModelLoader()
    ours_frame = loader.compress_model(text)
    peer_frame = lz4.frame.compress(text)
    peer_summed = lz4.frame.compress(text, content_checksum=True)
    # Our frames always carry a content checksum (the contract); python-lz4's default frame has
    # none, so the row is shown against both.
    pair(f"compress_model L0 ({n // MiB} MiB text)", lambda: loader.compress_model(text),
         "lz4.frame.compress", lambda: lz4.frame.compress(text),
         note=f"size {len(ours_frame) / len(peer_frame):.3f}x peer (<= 1.02); peer has no checksum",
         more_peers=[("lz4.frame.compress content_checksum", lambda: lz4.frame.compress(text, content_checksum=True),
                      f"size {len(ours_frame) / len(peer_summed):.3f}x peer; both checksummed")])
    pair("decompress_model (our frame)", lambda: loader.decompress_model(ours_frame),
         "lz4.frame.decompress (same)", lambda: lz4.frame.decompress(ours_frame),
         note="1 MiB blocks, content checksum")
    pair("decompress_model (lz4.frame's frame)", lambda: loader.decompress_model(peer_frame),
         "lz4.frame.decompress (same)", lambda: lz4.frame.decompress(peer_frame),
         note="64 KiB linked blocks, no checksum")
    hc = text[: min(n, 4 * MiB)]
    ours_block = jre.compress_data_lz4(hc)
    peer_block = lz4.block.compress(hc, mode="high_compression", compression=12, store_size=False)
    pair(f"compress_data_lz4 HC12 ({len(hc) // MiB} MiB text)", lambda: jre.compress_data_lz4(hc),
         "lz4.block HC level 12", lambda: lz4.block.compress(hc, mode="high_compression", compression=12,
                                                             store_size=False),
         note=f"size {len(ours_block) / len(peer_block):.3f}x peer", reps=min(repeat, 3))
    small = text[: min(n, MiB)]
    for level in range(3, 13) if levels else ():
        lo = jre.RustModelLoader(compression_level=level)
        size = len(lo.compress_model(small)) / len(lz4.frame.compress(small, compression_level=level))
        pair(f"compress_model L{level} ({len(small) // MiB} MiB text)", lambda: lo.compress_model(small),
             f"lz4.frame.compress level {level}", lambda: lz4.frame.compress(small, compression_level=level),
             note=f"size {size:.3f}x peer (<= 1.0)", reps=min(repeat, 3))
    return t.rows


def bench_lz4_cores(t: Table, n: int, repeat: int) -> None:
    """lz4_core_rows with Go on one core (a child process with GOMAXPROCS=1: the Go runtime reads
    it once, at start) and then on all cores in this process."""
    args = [sys.executable, os.path.abspath(__file__), "--lz4-one-core", str(n), str(repeat)]
    out = subprocess.run(args, env=dict(os.environ, GOMAXPROCS="1"), check=True, capture_output=True, text=True)
    t.rows.extend(json.loads(out.stdout))
    t.rows.extend(lz4_core_rows(n, repeat, f"{os.cpu_count()} cores", levels=False))


def bench_threads(t: Table) -> None:
    """Two Python threads doing bulk work at once, against the same work done twice in one thread.
    Each call is single-threaded in Go (a 512 KiB HC block is one segment), so a ratio near 2 on two
    idle cores shows the GIL is released during the Go call."""
    text = b"".join(b"layer.%d.mlp.weight %.6f\n" % (i, i * 0.37) for i in range(20000))[: 512 * 1024]

    def one():
        for _ in range(4):
            jre.compress_data_lz4(text)

    def two():
        threads = [threading.Thread(target=one) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()

    single = best_of(one, 3)
    double = best_of(two, 3)
    t.add("2 threads compressing at once", double, "same work, 1 thread", 2 * single, None,
          note="~2 on two idle cores: the GIL is released during Go calls")


_PEAK_HELPERS = """
def reset_peak():
    # ru_maxrss would include the pre-exec memory of the forked parent: use VmHWM, reset by clear_refs.
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')
def peak_mb():
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmHWM')) / 1024
def rss_mb():
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmRSS')) / 1024
"""


def _rss_child(code: str) -> float:
    """Run `code` in a fresh interpreter that prints one number (MiB); return it."""
    script = _PEAK_HELPERS + textwrap.dedent(code)
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def bench_memory(t: Table, size_mb: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.bin")
        with open(path, "wb") as f:
            chunk = np.random.default_rng(3).standard_normal(MiB // 4, dtype=np.float32).tobytes()
            for _ in range(size_mb):
                f.write(chunk)
        grow = _rss_child(f"""
            import jarvis_rust_extensions as jre
            loader = jre.RustModelLoader()
            before = rss_mb()
            view = loader.mmap_model({path!r})
            assert len(view) == {size_mb} * 2**20
            print(rss_mb() - before)
        """)
        t.add_value(f"mmap_model {size_mb} MiB: RSS added", grow, "M", 32)
        if hasattr(jre, "compress_file"):
            peak = _rss_child(f"""
                import jarvis_rust_extensions as jre
                base = rss_mb()
                reset_peak()
                jre.compress_file({path!r}, {path + '.lz4'!r}, progress=False)
                print(peak_mb() - base)
            """)
            t.add_value(f"compress_file {size_mb} MiB: peak RSS added", peak, "M", 64)
            lz4_cmd = best_of(lambda: subprocess.run(["lz4", "-q", "-f", "-1", path, path + ".cmd.lz4"], check=True), 2)
            ours = best_of(lambda: jre.compress_file(path, path + ".lz4", progress=False), 2)
            t.add(f"compress_file {size_mb} MiB", ours, "lz4 command (-1)", lz4_cmd, None)
        if hasattr(jre, "load_safetensors"):
            _bench_safetensors(t, tmp, size_mb)


def _bench_safetensors(t: Table, tmp: str, size_mb: int) -> None:
    try:
        from safetensors.numpy import load_file, save_file
    except ImportError:
        print("safetensors not installed: its rows skipped", file=sys.stderr)
        return
    rng = np.random.default_rng(4)
    per = size_mb // 16
    tensors = {f"layer.{i}.weight": rng.standard_normal((per * MiB // 4 // 1024, 1024), dtype=np.float32) for i in range(16)}
    path = os.path.join(tmp, "model.safetensors")
    save_file(tensors, path)
    del tensors
    gc.collect()
    t.add(f"load_safetensors ({size_mb} MiB)", best_of(lambda: jre.load_safetensors(path), 5),
          "safetensors.numpy.load_file", best_of(lambda: load_file(path), 3), 10)
    bench_safetensors_peers(t, path, size_mb)
    grow = _rss_child(f"""
        import jarvis_rust_extensions as jre
        import numpy  # imported by the first array-returning call: not the mapping's cost
        before = rss_mb()
        tensors = jre.load_safetensors({path!r})
        print(rss_mb() - before)
    """)
    t.add_value(f"load_safetensors {size_mb} MiB: RSS added", grow, "M", 32)
    if hasattr(jre, "quantize_model_file"):
        out = os.path.join(tmp, "model.int8.safetensors")
        peak = _rss_child(f"""
            import jarvis_rust_extensions as jre
            base = rss_mb()
            reset_peak()
            jre.quantize_model_file({path!r}, {out!r}, "int8", progress=False)
            print(peak_mb() - base)
        """)
        out_mb = os.path.getsize(out) / MiB
        t.add_value(f"quantize_model_file int8 {size_mb} MiB: peak RSS added", peak, "M", out_mb + 64,
                    note=f"output {out_mb:.0f} MiB")


def bench_import(t: Table, runs: int = 20) -> None:
    """Issue 16, light to import: in fresh interpreters (numpy not imported), the median of `runs`
    `python -X importtime -c "import X"` cumulative times, ours, `import json` (the reference,
    timed in the same rounds) and numpy (context); the resident memory the import adds over the
    bare interpreter (/proc/self/statm); and the part the Go extension alone costs (its shared
    library loaded by hand: dlopen, the Go runtime's start-up, gopy's module init)."""
    import statistics

    def importtime_s(module: str, cwd: str) -> float:
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=cwd, check=True,
                             capture_output=True, text=True)
        for line in out.stderr.splitlines():
            fields = line.split("|")
            if len(fields) == 3 and fields[2] == f" {module}":  # the top-level line: cumulative microseconds
                return int(fields[1]) * 1e-6
        raise RuntimeError(f"no -X importtime line for {module}: {out.stderr[-500:]}")

    def child_numbers(code: str, cwd: str) -> List[float]:
        script = textwrap.dedent(statm) + textwrap.dedent(code)
        out = subprocess.run([sys.executable, "-c", script], cwd=cwd, check=True, capture_output=True, text=True)
        return [float(v) for v in out.stdout.split()]

    statm = """
        import os, sys, time
        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    """
    with tempfile.TemporaryDirectory() as cwd:  # not the source folder: the installed package
        times: dict = {"jarvis_rust_extensions": [], "json": [], "numpy": []}
        for _ in range(runs):  # interleaved, so a busy moment weighs on all three alike
            for module in times:
                times[module].append(importtime_s(module, cwd))
        ours, ref, numpy_s = (statistics.median(times[m]) for m in ("jarvis_rust_extensions", "json", "numpy"))
        t.add_value("import jarvis_rust_extensions (median)", ours * 1e3, "ms", 15,
                    note=f"import json {ref * 1e3:.1f} ms in the same rounds; {runs} runs of -X importtime")
        t.add("import jarvis_rust_extensions", ours, "import json", ref, None)
        t.add("import jarvis_rust_extensions", ours, "import numpy (context)", numpy_s, None)
        rss = [child_numbers("""
            before = rss()
            import jarvis_rust_extensions
            assert "numpy" not in sys.modules
            print(rss() - before)
        """, cwd)[0] for _ in range(5)]
        t.add_value("import jarvis_rust_extensions: RSS added", statistics.median(rss), "MiB", 8,
                    note="over the bare interpreter, /proc/self/statm, median of 5")
        alone = [child_numbers("""
            import glob, importlib.machinery, importlib.util
            package = os.path.dirname(importlib.util.find_spec("jarvis_rust_extensions").origin)
            path = glob.glob(os.path.join(package, "_gopy", "_jarvisrs*.so"))[0]
            before, start = rss(), time.perf_counter()
            loader = importlib.machinery.ExtensionFileLoader("jarvis_rust_extensions._gopy._jarvisrs", path)
            module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
            loader.exec_module(module)
            loaded = time.perf_counter()
            module.jarvisrs_Version()  # the first call waits for the Go runtime's start-up (its own thread)
            print(loaded - start, time.perf_counter() - loaded, rss() - before)
        """, cwd) for _ in range(5)]
        t.add_value("  of which the Go extension: dlopen + init", statistics.median(a[0] for a in alone) * 1e3, "ms",
                    None, note="the shared library loaded by hand, median of 5")
        t.add_value("  of which the Go extension: first call", statistics.median(a[1] for a in alone) * 1e3, "ms",
                    None, note="waits for the Go runtime's start-up and package inits")
        t.add_value("  of which the Go extension: RSS", statistics.median(a[2] for a in alone), "MiB", None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--quick", action="store_true", help="small inputs (a smoke run, ratios less meaningful)")
    parser.add_argument("--lz4-one-core", nargs=2, type=int, metavar=("BYTES", "REPEAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.lz4_one_core:  # the child of bench_lz4_cores, run with GOMAXPROCS=1
        print(json.dumps(lz4_core_rows(args.lz4_one_core[0], args.lz4_one_core[1], "1 core", levels=True)))
        return 0
    n = (1 << 20) if args.quick else (16 << 20)  # float32 elements: 64 MiB unless --quick
    repeat = 3 if args.quick else 7
    t = Table()
    started = time.perf_counter()
    bench_import(t)
    bench_monitor(t)
    bench_pressure_cost(t)
    bench_quant(t, n, repeat)
    bench_lz4(t, n * 4, repeat)
    bench_lz4_cores(t, n * 4, repeat)
    bench_threads(t)
    bench_memory(t, 32 if args.quick else 256)
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps({"machine": _machine(), "seconds": elapsed, "rows": t.rows}, indent=2))
    else:
        print(f"# {_machine()}; numpy {np.__version__}; {elapsed:.0f} s\n")
        t.print()
    return 0


def _machine() -> str:
    cpu = "unknown cpu"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.machine()} {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


if __name__ == "__main__":
    sys.exit(main())
