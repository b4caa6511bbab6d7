#!/usr/bin/env python3
"""Writes golden.json: reference vectors for go_tests/quant, computed with numpy and the gguf
package, so the Go tests need no Python.

Run from any directory: python3 go_tests/quant/testdata/gen_golden.py
The output is deterministic (fixed seeds). Arrays are stored as base64 of their little-endian
bytes, scalars float32 as their bit patterns, so every value is compared bit for bit.

The INT8/INT4 references are straightforward numpy transcriptions of the formulas in
docs/API.md (float32 arithmetic, true division, round half away from zero), written
independently of the Go code. GGUF references are gguf.quants itself.
"""
import base64
import json
import os

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

F32 = np.float32


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def bits(f):
    return int(np.array(f, F32).view(np.uint32))


def rnd(v):
    """round half away from zero of a float32 array, exact, as float64."""
    v = np.asarray(v, F32).astype(np.float64)
    return np.trunc(v + np.copysign(0.5, v))


# ---------------------------------------------------------------- inputs

def inputs(rng):
    cases = []
    cases.append(("randn_1000", rng.standard_normal(1000).astype(F32)))
    cases.append(("randn_odd_777", (rng.standard_normal(777) * 3).astype(F32)))
    cases.append(("uniform_pos_513", rng.uniform(0.5, 2.0, 513).astype(F32)))
    cases.append(("uniform_neg_64", rng.uniform(-9, -1, 64).astype(F32)))
    cases.append(("single", np.array([2.5], F32)))
    cases.append(("single_zero", np.array([0.0], F32)))
    cases.append(("constant_pos", np.full(37, 1.75, F32)))
    cases.append(("constant_neg", np.full(37, -3.0, F32)))
    cases.append(("zeros", np.zeros(96, F32)))
    cases.append(("neg_zeros", np.full(33, -0.0, F32)))
    cases.append(("ties", np.array([-127, -63.5, -2.5, -1.5, -0.5, 0, 0.5, 1.5, 2.5, 63.5, 127, 0.25, -0.75] * 5, F32)))
    cases.append(("ints_-127_127", np.arange(-127, 128, dtype=F32)))
    cases.append(("tiny", (rng.standard_normal(300) * 1e-38).astype(F32)))
    cases.append(("subnormal", (rng.standard_normal(200) * 1e-42).astype(F32)))
    cases.append(("huge", (rng.standard_normal(300) * 1e37).astype(F32)))
    cases.append(("max_float", np.array([3.4e38, -1e38, 1.0, 0.0], F32)))
    cases.append(("mixed_scale", np.concatenate([rng.standard_normal(64) * 1e-3, rng.standard_normal(64) * 1e3]).astype(F32)))
    return cases


# ---------------------------------------------------------------- references

def original_int8(x):
    if x.size == 0:
        return np.zeros(0, np.int8), 0, 0, 0, 0
    mn, mx = x.min(), x.max()
    with np.errstate(over="ignore"):
        if not np.isfinite(mx - mn):
            return None  # the Go code refuses this with ErrRange
    scale = F32((mx - mn) / F32(255))
    if scale == 0:
        return np.full(x.size, -128, np.int8), F32(0), F32(0), mn, mx
    zp = F32(-mn / scale)
    q = np.clip(rnd((x - mn) / scale) - 128, -128, 127).astype(np.int8)
    return q, scale, zp, mn, mx


def symmetric(x, outer, channels, inner):
    v = x.reshape(outer, channels, inner)
    m = np.abs(v).max(axis=(0, 2)) if x.size else np.zeros(channels, F32)
    scale = (m / F32(127)).astype(F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        quo = (v / scale[None, :, None]).astype(F32)
    q = np.clip(rnd(quo), -127, 127)
    q = np.where(scale[None, :, None] == 0, 0, q).astype(np.int8)
    return q.reshape(-1), scale


def asym_params(mn, mx):
    # The range is widened to include 0 (as PyTorch and ONNX do).
    mn, mx = min(mn, F32(0)), max(mx, F32(0))
    scale = F32((mx - mn) / F32(255))
    if scale == 0:
        return F32(0), 0
    zp = int(np.clip(rnd(F32(-mn / scale)) - 128, -128, 127))
    return scale, zp


def asymmetric(x, outer, channels, inner):
    v = x.reshape(outer, channels, inner)
    scales = np.zeros(channels, F32)
    zps = np.zeros(channels, np.int8)
    q = np.zeros_like(v, dtype=np.int8)
    for c in range(channels):
        sl = v[:, c, :]
        if sl.size == 0:
            continue
        s, z = asym_params(sl.min(), sl.max())
        scales[c], zps[c] = s, z
        if s == 0:
            q[:, c, :] = 0
        else:
            q[:, c, :] = np.clip(rnd((sl / s).astype(F32)) + z, -128, 127).astype(np.int8)
    return q.reshape(-1), scales, zps


def pack_int4(codes):
    c = codes.astype(np.int8).astype(np.uint8) & 0x0F
    if c.size % 2:
        c = np.concatenate([c, np.zeros(1, np.uint8)])
    return (c[0::2] | (c[1::2] << 4)).astype(np.uint8)


def int4(x, gs):
    n = x.size
    groups = -(-n // gs)
    scales = np.zeros(groups, F32)
    codes = np.zeros(n, np.int8)
    for g in range(groups):
        sl = x[g * gs:(g + 1) * gs]
        s = F32(np.abs(sl).max() / F32(7))
        scales[g] = s
        if s != 0:
            codes[g * gs:(g + 1) * gs] = np.clip(rnd((sl / s).astype(F32)), -8, 7)
    return pack_int4(codes), scales, codes


# ---------------------------------------------------------------- cases

def main():
    rng = np.random.default_rng(20261125)
    out = {"numpy": np.__version__, "gguf": getattr(gguf, "__version__", "0.19.0")}
    ins = inputs(rng)

    out["original_int8"] = []
    for name, x in ins + [("empty", np.zeros(0, F32))]:
        r = original_int8(x)
        if r is None:
            out["original_int8"].append(dict(name=name, x=b64(x), error="range"))
            continue
        q, s, z, mn, mx = r
        out["original_int8"].append(dict(name=name, x=b64(x), q=b64(q), scale=bits(s), zero_point=bits(z), min=bits(mn), max=bits(mx)))

    shapes = [  # (name, outer, channels, inner)
        ("tensor", None, None, None),
        ("axis0", 1, 8, None),
        ("last_axis", None, 8, 1),
        ("middle_axis", 3, 4, None),
    ]
    out["symmetric_int8"], out["asymmetric_int8"] = [], []
    for name, x in ins:
        n = x.size
        for sname, o, c, i in shapes:
            if sname == "tensor":
                o, c, i = 1, 1, n
            elif sname == "axis0":
                if n % 8:
                    continue
                i = n // 8
            elif sname == "last_axis":
                if n % 8:
                    continue
                o = n // 8
            elif sname == "middle_axis":
                if n % 12:
                    continue
                i = n // 12
            q, s = symmetric(x, o, c, i)
            out["symmetric_int8"].append(dict(name=f"{name}/{sname}", x=b64(x), outer=o, channels=c, inner=i, q=b64(q), scales=b64(s)))
            with np.errstate(over="ignore"):
                if not np.isfinite(x.max() - x.min()):
                    continue
            q, s, z = asymmetric(x, o, c, i)
            out["asymmetric_int8"].append(dict(name=f"{name}/{sname}", x=b64(x), outer=o, channels=c, inner=i, q=b64(q), scales=b64(s), zero_points=b64(z)))

    out["int4"] = []
    for name, x in ins:
        for gs in (32, 7, 1, 1000):
            p, s, codes = int4(x, gs)
            out["int4"].append(dict(name=f"{name}/g{gs}", x=b64(x), group_size=gs, packed=b64(p), scales=b64(s), codes=b64(codes)))

    fp = [np.array([0, -0.0, 1, -1, 65504, 65519.996, 65520, 1e9, -1e9, np.inf, -np.inf, 5.96e-8, 2.98e-8, 2.99e-8, 1e-45, 6.1e-5, 1.00048828125, 1.000732421875], F32)]
    nan_bits = np.array([0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00000, 0x7f802000, 0xff801fff, 0x7fffffff], np.uint32).view(F32)
    fp.append(nan_bits)
    fp.append(rng.standard_normal(1000).astype(F32) * F32(1000))
    fp.append(rng.integers(0, 2**32, 4000, dtype=np.uint64).astype(np.uint32).view(F32))
    out["fp16"] = []
    with np.errstate(over="ignore", invalid="ignore"):
        for k, x in enumerate(fp):
            out["fp16"].append(dict(name=f"fp16_{k}", x=b64(x), h=b64(x.astype("<f2"))))

    out["gguf_quant"] = []
    gblocks = []
    gblocks.append(("randn", rng.standard_normal((4, 64)).astype(F32)))
    gblocks.append(("zeros", np.zeros((2, 32), F32)))
    gblocks.append(("neg_zeros", np.full((1, 32), -0.0, F32)))
    ties = np.tile(np.array([127, -127, 63.5, -63.5, 0.5, -0.5, 1.5, -1.5], F32), 4)
    gblocks.append(("ties", ties.reshape(1, 32)))
    q4ties = np.tile(np.array([-8, 8, 4.5, -4.5, 0.5, -0.5, 7.5, -7.5], F32), 4)
    gblocks.append(("q4_ties", q4ties.reshape(1, 32)))
    neg_max = rng.standard_normal(32).astype(F32); neg_max[5] = -10; neg_max[9] = 10
    gblocks.append(("neg_max_first", neg_max.reshape(1, 32)))
    gblocks.append(("tiny", (rng.standard_normal((2, 32)) * 1e-38).astype(F32)))
    gblocks.append(("subnormal_d", (rng.standard_normal((2, 32)) * 3e-36).astype(F32)))
    gblocks.append(("d_inf_edge", (rng.standard_normal((4, 32)) * 4e-37).astype(F32)))
    gblocks.append(("huge", (rng.standard_normal((2, 32)) * 1e37).astype(F32)))
    gblocks.append(("f16_overflow_d", np.full((1, 32), 3e7, F32)))
    gblocks.append(("mixed_blocks", np.concatenate([rng.standard_normal(32) * 1e-6, np.zeros(32), rng.standard_normal(32) * 1e4]).astype(F32).reshape(1, 96)))
    gblocks.append(("rows3x128", rng.uniform(-1, 1, (3, 128)).astype(F32)))
    out["gguf_dequant"] = []
    for kind in (T.Q8_0, T.Q4_0):
        for name, x in gblocks:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                data = gguf.quants.quantize(x, kind)
                y = gguf.quants.dequantize(data, kind)
            out["gguf_quant"].append(dict(name=f"{kind.name}/{name}", kind=kind.name, x=b64(x), row_len=x.shape[-1], data=b64(data), y=b64(y)))
        # Arbitrary bytes, NaN/Inf scales included.
        bb = 34 if kind == T.Q8_0 else 18
        raw = rng.integers(0, 256, (8, bb), dtype=np.uint8)
        raw[0, :2] = np.array([0x7e00], np.uint16).view(np.uint8)  # NaN d
        raw[1, :2] = np.array([0x7c00], np.uint16).view(np.uint8)  # +Inf d
        raw[2, :2] = np.array([0x0001], np.uint16).view(np.uint8)  # subnormal d
        raw[3, :2] = np.array([0x8000], np.uint16).view(np.uint8)  # -0 d
        raw = raw.reshape(2, 4 * bb)
        with np.errstate(over="ignore", invalid="ignore"):
            y = gguf.quants.dequantize(raw, kind)
        out["gguf_dequant"].append(dict(name=f"{kind.name}/random_bytes", kind=kind.name, data=b64(raw), row_len=y.shape[-1], y=b64(y)))

    # More GGUF blocks, from their own generator so the vectors above stay as they were: ties
    # at every scale (a power-of-two d makes x*id exact, so products land on .5 for Q8_0 and on
    # integers for Q4_0's x*id + 8.5), equal magnitudes of both signs in either order (argmax
    # keeps the first), all-subnormal blocks, and longer rows.
    g2 = np.random.default_rng(2024)
    more = []
    k = g2.integers(-20, 21, 48)
    q8 = (g2.integers(-127, 127, (48, 32)) + 0.5).astype(F32)
    q8[np.arange(48), g2.integers(0, 32, 48)] = 127 * np.where(g2.random(48) < 0.5, 1, -1)
    more.append(("q8_pow2_ties", (q8 * np.exp2(k)[:, None]).astype(F32).reshape(3, 512)))
    q4 = (g2.integers(-16, 16, (48, 32)) / 2).astype(F32)
    q4[np.arange(48), g2.integers(0, 32, 48)] = -8
    more.append(("q4_pow2_ties", (q4 * np.exp2(k)[:, None]).astype(F32).reshape(3, 512)))
    eq = g2.standard_normal((16, 32)).astype(F32)
    for b in range(16):
        i, j = g2.choice(32, 2, replace=False)
        m = F32(5 + b)
        eq[b, min(i, j)], eq[b, max(i, j)] = (m, -m) if b % 2 else (-m, m)
    more.append(("equal_magnitudes", eq.reshape(2, 256)))
    sub_bits = g2.integers(0, 2**23, (4, 32)).astype(np.uint32) | (g2.integers(0, 2, (4, 32)).astype(np.uint32) << 31)
    sub = sub_bits.view(F32)
    more.append(("subnormal_blocks", sub.reshape(1, 128)))
    more.append(("rows2x1024", g2.standard_normal((2, 1024)).astype(F32)))
    for kind in (T.Q8_0, T.Q4_0):
        for name, x in more:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                data = gguf.quants.quantize(x, kind)
                y = gguf.quants.dequantize(data, kind)
            out["gguf_quant"].append(dict(name=f"{kind.name}/{name}", kind=kind.name, x=b64(x), row_len=x.shape[-1], data=b64(data), y=b64(y)))

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"wrote {path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
