#!/usr/bin/env python3
"""Times numpy (and gguf) doing the work of each go_tests/quant benchmark on 16M float32, to
compare with `go test ./go_tests/quant -bench . -run '^$'`. Prints the best of several runs in
milliseconds. numpy is single-threaded for these element-wise operations.

Run: python3 go_tests/quant/testdata/bench_numpy.py
"""
import timeit

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

N = 16 << 20
rng = np.random.default_rng(42)
x = rng.standard_normal(N, dtype=np.float32)
w = x.reshape(4096, -1)


def original_int8():
    mn, mx = x.min(), x.max()
    scale = (mx - mn) / np.float32(255)
    return np.clip(np.round((x - mn) / scale) - 128, -128, 127).astype(np.int8)


def symmetric_tensor():
    s = np.abs(x).max() / np.float32(127)
    return np.clip(np.round(x / s), -127, 127).astype(np.int8)


def symmetric_axis0():
    s = np.abs(w).max(axis=1, keepdims=True) / np.float32(127)
    return np.clip(np.round(w / s), -127, 127).astype(np.int8)


def asymmetric_tensor():
    mn, mx = x.min(), x.max()
    s = (mx - mn) / np.float32(255)
    zp = np.clip(np.round(-mn / s) - 128, -128, 127)
    return np.clip(np.round(x / s) + zp, -128, 127).astype(np.int8)


q8 = symmetric_tensor()
zp8 = np.int8(3)


def dequantize_int8():
    return (q8.astype(np.float32) - np.float32(zp8)) * np.float32(0.01)


def int4():
    g = x.reshape(-1, 32)
    s = np.abs(g).max(axis=1, keepdims=True) / np.float32(7)
    c = np.clip(np.round(g / s), -8, 7).astype(np.int8).reshape(-1).view(np.uint8) & 0x0F
    return c[0::2] | (c[1::2] << 4)


packed = int4()


def unpack_int4():
    out = np.empty(N, np.int8)
    out[0::2] = (packed << 4).view(np.int8) >> 4
    out[1::2] = packed.view(np.int8) >> 4
    return out


h = x.astype(np.float16)

cases = {
    "OriginalInt8": original_int8,
    "FP16": lambda: x.astype(np.float16),
    "FP16ToF32": lambda: h.astype(np.float32),
    "SymmetricInt8/tensor": symmetric_tensor,
    "SymmetricInt8/axis0x4096": symmetric_axis0,
    "AsymmetricInt8/tensor": asymmetric_tensor,
    "DequantizeInt8/tensor": dequantize_int8,
    "Int4": int4,
    "UnpackInt4": unpack_int4,
    "QuantizeGGUF/Q8_0": lambda: gguf.quants.quantize(w, T.Q8_0),
    "QuantizeGGUF/Q4_0": lambda: gguf.quants.quantize(w, T.Q4_0),
}
q80 = gguf.quants.quantize(w, T.Q8_0)
q40 = gguf.quants.quantize(w, T.Q4_0)
cases["DequantizeGGUF/Q8_0"] = lambda: gguf.quants.dequantize(q80, T.Q8_0)
cases["DequantizeGGUF/Q4_0"] = lambda: gguf.quants.dequantize(q40, T.Q4_0)

print(f"numpy {np.__version__}, 16M float32")
for name, fn in cases.items():
    reps = 2 if "GGUF" in name else 5
    best = min(timeit.repeat(fn, number=1, repeat=reps))
    print(f"{name:28s} {best * 1e3:9.1f} ms")
