"""Time numpy on the work each kernel does, on 64 MiB of float32 (16M values), for comparing
with `go test -bench . -run XXX` in go_tests/kernels (the 64MiB rows).

Run: python3 numpy_bench.py   (prints numpy's version and the median of 7 runs per op, in ms)
"""
import timeit

import numpy as np

N = 64 << 20 >> 2
rng = np.random.default_rng(15)
x = rng.standard_normal(N, dtype=np.float32)
h = x.astype(np.float16)
w = x.reshape(-1, 1024)
mn, mx = x.min(), x.max()
scale = (mx - mn) / np.float32(255)
sym_scale = np.abs(x).max() / np.float32(127)
col_scales = np.abs(w).max(axis=0) / np.float32(127)

ops = {
    # Kernel-for-kernel: the step each Go kernel does on its own.
    "F32ToF16 astype(float16)": lambda: x.astype(np.float16),
    "F16ToF32 astype(float32)": lambda: h.astype(np.float32),
    "FirstNonFinite isfinite.all": lambda: np.isfinite(x).all(),
    "MinMax min+max": lambda: (x.min(), x.max()),
    "AbsMax abs.max": lambda: np.abs(x).max(),
    "AffineInt8 clip(round((x-min)/s)-128)": lambda: np.clip(np.round((x - mn) / scale) - 128, -128, 127).astype(np.int8),
    "SymInt8 clip(round(x/s))": lambda: np.clip(np.round(x / sym_scale), -127, 127).astype(np.int8),
    "SymInt8Columns 1024 cols": lambda: np.clip(np.round(w / col_scales), -127, 127).astype(np.int8),
    "AbsMaxColumns 1024 cols": lambda: np.abs(w).max(axis=0),
    # Whole quantizations, as a numpy user writes them.
    "int8 asym total (minmax+affine)": lambda: np.clip(np.round((x - x.min()) / ((x.max() - x.min()) / np.float32(255))) - 128, -128, 127).astype(np.int8),
    "int8 sym total (absmax+sym)": lambda: np.clip(np.round(x / (np.abs(x).max() / np.float32(127))), -127, 127).astype(np.int8),
    "int8 per-channel total": lambda: np.clip(np.round(w / (np.abs(w).max(axis=0) / np.float32(127))), -127, 127).astype(np.int8),
}

print(f"numpy {np.__version__}, {N} float32")
with np.errstate(all="ignore"):
    for name, op in ops.items():
        op()
        times = sorted(timeit.repeat(op, number=1, repeat=7))
        print(f"{name:40s} {times[3] * 1e3:8.1f} ms (min {times[0] * 1e3:.1f})")
