"""The quantization engine ("Beyond the original" in docs/API.md) against numpy reference formulas and,
for GGUF, the gguf package's own quantizer (itself bit-exact with llama.cpp's reference).

Every reference computes in np.float32 with true division (x / scale, never x * (1 / scale)) and
rounds half away from zero exactly.
"""

import dataclasses
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from gguf import GGMLQuantizationType
from gguf import quants as gguf_quants

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import (QuantizedTensor, dequantize, dequantize_gguf, pack_int4, quantize_fp16,
                                    quantize_gguf, quantize_int4, quantize_int8, unpack_int4)

F32 = np.float32
Q8_0, Q4_0 = GGMLQuantizationType.Q8_0, GGMLQuantizationType.Q4_0


# --- references -------------------------------------------------------------------------------

def round_half_away(v):
    """Round float32 values half away from zero, exactly (no rounded ``|v| + 0.5``: it turns
    0.5 - 2^-25 into 1). ``v - trunc(v)`` is exact for every float32."""
    v = np.asarray(v, dtype=F32)
    t = np.trunc(v)
    with np.errstate(invalid="ignore"):  # inf - inf for the infinite quotients callers mask out
        step = np.where(np.abs(v - t) >= F32(0.5), np.sign(v), F32(0)).astype(F32)
    return (t + step).astype(F32)


def _channel_view(x, axis):
    """x as (channels, rest) rows with axis first, and the broadcast shape of per-channel values."""
    if axis is None:
        return x.reshape(1, -1), ()
    axis %= x.ndim
    bshape = [1] * x.ndim
    bshape[axis] = x.shape[axis]
    return np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1), tuple(bshape)


def _per_channel(values, axis, bshape):
    return values.reshape(()) if axis is None else values.reshape(bshape)


def ref_symmetric(x, axis):
    """docs/API.md: scale = max|x| / 127 per tensor or per slice; q = clamp(round(x / scale), -127, 127);
    a slice whose scale is 0 gets codes 0."""
    x = np.asarray(x, dtype=F32)
    rows, bshape = _channel_view(x, axis)
    amax = np.abs(rows).max(axis=1, initial=F32(0)).astype(F32)
    scale = (amax / F32(127)).astype(F32)
    sb = _per_channel(scale, axis, bshape)
    with np.errstate(divide="ignore", invalid="ignore"):
        quot = (x / sb).astype(F32)
    q = np.where(sb == 0, F32(0), np.clip(round_half_away(quot), -127, 127)).astype(np.int8)
    return q, _per_channel(scale, axis, ()).astype(F32) if axis is None else scale


def ref_asymmetric(x, axis):
    """docs/API.md: scale = (max - min) / 255, zp = clamp(round(-min / scale) - 128, -128, 127),
    q = clamp(round(x / scale) + zp, -128, 127), with [min, max] widened to include 0 as PyTorch
    and ONNX do (so x ~ (q - zp) * scale holds for ranges that exclude 0). All-zero slices get
    scale 0, zp 0, codes 0."""
    x = np.asarray(x, dtype=F32)
    rows, bshape = _channel_view(x, axis)
    mn = rows.min(axis=1, initial=F32(np.inf)) if rows.shape[1] else np.zeros(rows.shape[0], F32)
    mx = rows.max(axis=1, initial=F32(-np.inf)) if rows.shape[1] else np.zeros(rows.shape[0], F32)
    mn, mx = np.minimum(mn.astype(F32), F32(0)), np.maximum(mx.astype(F32), F32(0))
    scale = ((mx - mn) / F32(255)).astype(F32)
    allzero = (mn == 0) & (mx == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        zp = np.clip(round_half_away((-mn / scale).astype(F32)).astype(np.float64) - 128, -128, 127)
        zp = np.where(allzero, 0, zp).astype(np.int8)
        sb, zb = _per_channel(scale, axis, bshape), _per_channel(zp, axis, bshape)
        quot = (x / sb).astype(F32)
        q = np.clip(round_half_away(quot).astype(np.float64) + zb, -128, 127)
    q = np.where(sb == 0, 0, q).astype(np.int8)
    if axis is None:
        return q, scale.reshape(()), zp.reshape(())
    return q, scale, zp


def ref_dequantize_int8(q, scale, zp, axis, shape):
    """docs/API.md: q * scale, or (q - zero_point) * scale, in float32 (q - zp is an exact integer)."""
    bshape = () if axis is None else tuple(shape[i] if i == axis else 1 for i in range(len(shape)))
    s = np.asarray(scale, F32).reshape(bshape)
    codes = q.astype(np.int16)
    if zp is not None:
        codes = codes - np.asarray(zp, np.int16).reshape(bshape)
    return (codes.astype(F32) * s).astype(F32)


def ref_int4(x, group_size):
    """docs/API.md: groups of group_size consecutive elements; scale = max|x| / 7;
    q = clamp(round(x / scale), -8, 7) (codes 0 when scale is 0). Returns (codes, scales)."""
    flat = np.asarray(x, dtype=F32).reshape(-1)
    n = flat.size
    groups = -(-n // group_size)
    padded = np.zeros(groups * group_size, F32)
    padded[:n] = flat
    g = padded.reshape(groups, group_size)
    scale = (np.abs(g).max(axis=1, initial=F32(0)) / F32(7)).astype(F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        quot = (g / scale[:, None]).astype(F32)
    q = np.where(scale[:, None] == 0, 0, np.clip(round_half_away(quot), -8, 7)).astype(np.int8)
    return q.reshape(-1)[:n], scale


def ref_pack(codes):
    """Element 2i in the low nibble, 2i+1 in the high nibble, two's complement."""
    c = np.asarray(codes, np.int64).reshape(-1)
    if c.size % 2:
        c = np.concatenate([c, [0]])
    nib = (c & 0xF).astype(np.uint8)
    return (nib[0::2] | (nib[1::2] << 4)).astype(np.uint8)


def gguf_reference(x, kind):
    with np.errstate(all="ignore"):  # gguf divides by zero for all-zero blocks, on purpose
        return gguf_quants.quantize(np.asarray(x), kind).tobytes()


def gguf_dequant_reference(data, kind, shape):
    block_bytes = {Q8_0: 34, Q4_0: 18}[kind]
    row_bytes = shape[-1] // 32 * block_bytes
    raw = np.frombuffer(bytes(data), np.uint8).reshape(*shape[:-1], row_bytes)
    with np.errstate(all="ignore"):
        return gguf_quants.dequantize(raw, kind)


def assert_same_floats(got, want):
    """Bit-identical float32 arrays, except that any NaN matches any NaN."""
    assert got.dtype == F32 and got.shape == want.shape
    g, w = got.view(np.uint32), np.asarray(want, F32).view(np.uint32)
    both_nan = np.isnan(got) & np.isnan(want)
    bad = np.flatnonzero((g != w) & ~both_nan.reshape(g.shape))
    if bad.size:
        i = bad[0]
        pytest.fail(f"{bad.size} floats differ; first at flat {i}: got {got.reshape(-1)[i]!r} want "
                    f"{np.asarray(want).reshape(-1)[i]!r}")


def assert_codes_equal(got, want, x=None):
    assert got.shape == want.shape, (got.shape, want.shape)
    bad = np.flatnonzero(got.reshape(-1) != want.reshape(-1))
    if bad.size:
        i = bad[0]
        extra = "" if x is None else f" x={np.asarray(x, F32).reshape(-1)[i]!r}"
        pytest.fail(f"{bad.size} codes differ; first at flat {i}: got {got.reshape(-1)[i]} want "
                    f"{want.reshape(-1)[i]}{extra}")


def names_index(message, index):
    return re.search(rf"(?<![\d.]){index}(?![\d.])", message) is not None


def test_reference_rounding_is_exact():
    below_half = np.nextafter(F32(0.5), F32(0))
    v = np.array([below_half, -below_half, 0.5, -0.5, 1.5, -2.5, 6.5, -7.5, 126.5, 8388607.5, 1e20], F32)
    assert round_half_away(v).tolist() == [0, 0, 1, -1, 2, -3, 7, -8, 127, 8388608, float(F32(1e20))]


# --- INT8, symmetric --------------------------------------------------------------------------

SHAPE_3D = (6, 7, 9)


@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2, -3])
def test_int8_symmetric_matches_reference(rng, axis):
    x = (rng.standard_normal(SHAPE_3D) * rng.uniform(0.1, 10, SHAPE_3D[0])[:, None, None]).astype(F32)
    qt = quantize_int8(x, axis=axis)
    q, scale = ref_symmetric(x, axis)
    assert_codes_equal(qt.data, q, x)
    assert_same_floats(qt.scale, scale)
    assert qt.zero_point is None
    assert qt.axis == (None if axis is None else axis % 3)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_int8_symmetric_large_tensor_crosses_parallel_chunks(rng, axis):
    x = rng.standard_normal((301, 1001)).astype(F32) * F32(3)
    qt = quantize_int8(x, axis=axis)
    q, scale = ref_symmetric(x, axis)
    assert_codes_equal(qt.data, q, x)
    assert_same_floats(qt.scale, scale)


def test_int8_symmetric_exact_ties_and_neighbours():
    # max|x| = 127 makes scale exactly 1: k + 0.5 are exact ties, and their float32 neighbours
    # are exactly not. A rounding by float32 "+ 0.5" or a multiplication by 1/scale shows here.
    half = np.arange(-126, 126, dtype=F32) + F32(0.5)
    x = np.concatenate([[127.0, -127.0], half, np.nextafter(half, F32(0)), np.nextafter(half, F32(200)),
                        [np.nextafter(F32(0.5), F32(0)), -np.nextafter(F32(0.5), F32(0))]]).astype(F32)
    qt = quantize_int8(x)
    assert qt.scale == 1.0
    assert_codes_equal(qt.data, ref_symmetric(x, None)[0], x)
    assert qt.data[2:5].tolist() == [-126, -125, -124]  # -125.5 -> -126, -124.5 -> -125 ...
    # A scale that is not a power of two: 7 / 127.
    x7 = np.concatenate([[7.0], (np.arange(-126, 127, dtype=F32) + F32(0.5)) * (F32(7) / F32(127))]).astype(F32)
    x7 = np.clip(x7, F32(-7), F32(7))
    assert_codes_equal(quantize_int8(x7).data, ref_symmetric(x7, None)[0], x7)


# Data on which shortcuts give different codes. Random data almost never lands close enough to a
# half step for x * (1 / scale) to round differently from x / scale, so these values are chosen:
# every half step of the scale within [lo, hi] and its float32 neighbours, keeping those where the
# two computations disagree, plus some exact ties.

def near_half_steps(scale, lo, hi):
    scale = F32(scale)
    k = np.arange(np.floor(lo / scale) - 1, np.ceil(hi / scale) + 1) + 0.5
    t = (k.astype(F32) * scale).astype(F32)
    up1, dn1 = np.nextafter(t, F32(np.inf)), np.nextafter(t, F32(-np.inf))
    c = np.concatenate([t, up1, dn1, np.nextafter(up1, F32(np.inf)), np.nextafter(dn1, F32(-np.inf))])
    return c[(c >= F32(lo)) & (c <= F32(hi))]


def division_sensitive(scale, lo, hi, rng, n):
    """n float32 values in [lo, hi]: those where round(x / scale) != round(x * (1 / scale)) first,
    then exact ties of x / scale, then other neighbours of half steps."""
    c = near_half_steps(scale, lo, hi)
    scale = F32(scale)
    quot = (c / scale).astype(F32)
    differ = round_half_away(quot) != round_half_away((c * (F32(1) / scale)).astype(F32))
    tie = np.abs(quot - np.trunc(quot)) == F32(0.5)
    ordered = np.concatenate([rng.permutation(c[differ]), rng.permutation(c[tie & ~differ]),
                              rng.permutation(c[~tie & ~differ])])
    return np.resize(ordered, n).astype(F32)


def crafted_symmetric_rows(rng, channels, width, kmax):
    """(channels, width): row c has largest magnitude amax_c (element 0, either sign), so its
    scale is amax_c / kmax, and the rest are division-sensitive values for that scale."""
    rows = np.empty((channels, width), F32)
    for c in range(channels):
        amax = F32(rng.uniform(0.3, 60))
        scale = amax / F32(kmax)
        rows[c, 1:] = division_sensitive(scale, -amax, amax, rng, width - 1)
        rows[c, 0] = amax if c % 2 else -amax
    return rows


def crafted_asymmetric_rows(rng, channels, width):
    rows = np.empty((channels, width), F32)
    for c in range(channels):
        lo, hi = F32(-rng.uniform(0.1, 20)), F32(rng.uniform(0.1, 20))
        scale = (hi - lo) / F32(255)
        rows[c, 2:] = division_sensitive(scale, lo, hi, rng, width - 2)
        rows[c, :2] = lo, hi
    return rows


def mul_and_div_disagree(x, scale):
    """How many codes a multiply-by-reciprocal implementation would get wrong on x."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return int(np.sum(round_half_away(x / scale) != round_half_away(x * (F32(1) / scale))))


@pytest.mark.parametrize("layout", ["rows", "columns", "middle"])
def test_int8_symmetric_division_sensitive_per_channel(rng, layout):
    channels = 24
    rows = crafted_symmetric_rows(rng, channels, 120, 127)
    if layout == "rows":
        x, axis = rows, 0
    elif layout == "columns":
        x, axis = np.ascontiguousarray(rows.T), 1   # the channel axis is the last one
    else:
        x, axis = np.ascontiguousarray(rows.reshape(channels, 8, 15).transpose(1, 0, 2)), 1
    q, scale = ref_symmetric(x, axis)
    _, bshape = _channel_view(x, axis)
    assert mul_and_div_disagree(x, scale.reshape(bshape)) > 50  # the data can tell them apart
    qt = quantize_int8(x, axis=axis)
    assert_same_floats(qt.scale, scale)
    assert_codes_equal(qt.data, q, x)
    # The same values per tensor, against one scale for everything.
    flat = division_sensitive(F32(60) / F32(127), -60, 60, rng, 5000)
    flat[0] = 60
    assert mul_and_div_disagree(flat, F32(60) / F32(127)) > 50
    assert_codes_equal(quantize_int8(flat).data, ref_symmetric(flat, None)[0], flat)


@pytest.mark.parametrize("layout", ["rows", "columns", "middle", "tensor"])
def test_int8_asymmetric_division_sensitive(rng, layout):
    channels = 24
    rows = crafted_asymmetric_rows(rng, channels, 120)
    if layout == "rows":
        x, axis = rows, 0
    elif layout == "columns":
        x, axis = np.ascontiguousarray(rows.T), -1
    elif layout == "middle":
        x, axis = np.ascontiguousarray(rows.reshape(channels, 8, 15).transpose(1, 0, 2)), 1
    else:
        x, axis = rows[:1], None
    q, scale, zp = ref_asymmetric(x, axis)
    _, bshape = _channel_view(x, axis)
    assert mul_and_div_disagree(x, scale.reshape(bshape) if axis is not None else scale) > 10
    qt = quantize_int8(x, axis=axis, symmetric=False)
    assert_same_floats(qt.scale, scale)
    np.testing.assert_array_equal(qt.zero_point, zp)
    assert_codes_equal(qt.data, q, x)


def test_int8_symmetric_all_zero_slices(rng):
    x = rng.standard_normal((4, 5, 6)).astype(F32)
    x[2] = 0.0
    x[:, 3] = -0.0
    for axis, zero_index in ((0, 2), (1, 3)):
        qt = quantize_int8(x, axis=axis)
        assert qt.scale[zero_index] == 0.0
        taken = np.take(qt.data, zero_index, axis=axis)
        assert np.all(taken == 0)
        q, scale = ref_symmetric(x, axis)
        assert_codes_equal(qt.data, q)
        assert_same_floats(qt.scale, scale)
        assert np.all(np.isfinite(dequantize(qt)))
    qt = quantize_int8(np.zeros((3, 4), F32))
    assert qt.scale == 0.0 and np.all(qt.data == 0) and np.all(dequantize(qt) == 0)


def test_int8_symmetric_scale_underflow_is_treated_as_zero():
    x = np.array([[1e-45, 0.0, -1e-45], [1.0, -0.5, 0.25]], F32)  # max|x| / 127 underflows in row 0
    qt = quantize_int8(x, axis=0)
    assert qt.scale[0] == 0.0 and qt.data[0].tolist() == [0, 0, 0]
    assert_codes_equal(qt.data, ref_symmetric(x, 0)[0])


@pytest.mark.parametrize("shape,axis", [((0, 3, 4), None), ((0, 3, 4), 1), ((0, 3, 4), 0), ((2, 0, 3), 1),
                                        ((2, 0, 3), -1), ((5, 4, 0), 2), ((0,), 0), ((0,), None)])
@pytest.mark.parametrize("symmetric", [True, False])
def test_int8_zero_size_dimensions(shape, axis, symmetric):
    x = np.zeros(shape, F32)
    qt = quantize_int8(x, axis=axis, symmetric=symmetric)
    assert qt.data.shape == shape and qt.data.dtype == np.int8
    want_scale_shape = () if axis is None else (shape[axis],)
    assert qt.scale.shape == want_scale_shape and qt.scale.dtype == F32
    assert np.all(qt.scale == 0)
    if symmetric:
        assert qt.zero_point is None
    else:
        assert qt.zero_point.shape == want_scale_shape and np.all(qt.zero_point == 0)
    out = dequantize(qt)
    assert out.shape == shape and out.dtype == F32


def test_int8_zero_dimensional_input():
    qt = quantize_int8(np.float32(2.5))
    assert qt.shape == () and qt.data.shape == () and qt.data == 127
    assert dequantize(qt) == np.float32(2.5) / F32(127) * F32(127)


@pytest.mark.parametrize("axis", [3, -4, 10, -100])
@pytest.mark.parametrize("symmetric", [True, False])
def test_int8_axis_out_of_range(axis, symmetric):
    with pytest.raises(ValueError):
        quantize_int8(np.ones(SHAPE_3D, F32), axis=axis, symmetric=symmetric)


def test_int8_axis_on_zero_dimensional_input():
    with pytest.raises(ValueError):
        quantize_int8(np.float32(1.0), axis=0)


@pytest.mark.parametrize("bad", [np.arange(6), np.arange(6, dtype=np.uint8), np.array([1.0, None], dtype=object),
                                 np.array([1 + 1j, 2], dtype=np.complex64), np.array([True, False]),
                                 np.array(["1.0", "2.0"])])
def test_int8_non_float_arrays_raise_type_error(bad):
    for kwargs in ({}, {"axis": 0}, {"symmetric": False}):
        with pytest.raises(TypeError):
            quantize_int8(bad, **kwargs)
    with pytest.raises(TypeError):
        quantize_int4(bad)
    with pytest.raises(TypeError):
        quantize_fp16(bad)
    with pytest.raises(TypeError):
        quantize_gguf(np.resize(bad, 32), "Q8_0")


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_int8_float64_and_strided_inputs_equal_contiguous_float32(rng, symmetric, axis):
    base = rng.standard_normal((20, 30, 40)) * 5
    views = [base, base[::2, :, ::3], base.transpose(2, 0, 1), np.asfortranarray(base), base[::-1]]
    for v in views + [v.astype(F32) for v in views]:
        want = quantize_int8(np.ascontiguousarray(v, dtype=F32), axis=axis, symmetric=symmetric)
        got = quantize_int8(v, axis=axis, symmetric=symmetric)
        np.testing.assert_array_equal(got.data, want.data)
        assert_same_floats(got.scale, want.scale)
        if symmetric:
            q, scale = ref_symmetric(v, axis)
        else:
            q, scale, zp = ref_asymmetric(v, axis)
            np.testing.assert_array_equal(got.zero_point, zp)
        assert_codes_equal(got.data, q)
        assert_same_floats(got.scale, scale)
    before = base.copy()
    quantize_int8(base[::2], axis=axis, symmetric=symmetric)
    np.testing.assert_array_equal(base, before)  # read in place, never written


def test_int8_float16_input(rng):
    x16 = rng.standard_normal((8, 64)).astype(np.float16)
    qt = quantize_int8(x16, axis=0)
    assert_codes_equal(qt.data, ref_symmetric(x16.astype(F32), 0)[0])


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("axis", [None, 1])
def test_int8_non_finite_raises_value_error_naming_first_flat_index(symmetric, axis):
    x = np.ones((4, 5), F32)
    x[2, 0] = np.nan   # flat 10: the first bad value of column 0
    x[1, 2] = np.inf   # flat 7: the first in C order
    x[3, 1] = -np.inf  # flat 16
    with pytest.raises(ValueError) as info:
        quantize_int8(x, axis=axis, symmetric=symmetric)
    assert names_index(str(info.value), 7), str(info.value)


def test_int8_non_finite_far_into_a_large_tensor():
    x = np.ones((300, 1000), F32)
    x[290, 5] = np.nan
    x[170, 999] = np.nan  # flat 170999, the first
    with pytest.raises(ValueError) as info:
        quantize_int8(x, axis=1)
    assert names_index(str(info.value), 170999), str(info.value)


# --- INT8, asymmetric -------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2, -3])
def test_int8_asymmetric_matches_reference(rng, axis):
    x = (rng.standard_normal(SHAPE_3D) * 3 + rng.uniform(-1, 1)).astype(F32)
    qt = quantize_int8(x, axis=axis, symmetric=False)
    q, scale, zp = ref_asymmetric(x, axis)
    assert_codes_equal(qt.data, q, x)
    assert_same_floats(qt.scale, scale)
    assert qt.zero_point.dtype == np.int8 and qt.zero_point.shape == scale.shape
    np.testing.assert_array_equal(qt.zero_point, zp)


@pytest.mark.parametrize("axis", [None, 0, -1])
def test_int8_asymmetric_large_and_skewed(rng, axis):
    # Skewed ranges (mostly positive, a little negative) give zero points far from 0.
    x = (rng.standard_normal((257, 1031)) * 2 + 1.5).astype(F32)
    x[np.arange(257), np.arange(257)] = -0.01
    qt = quantize_int8(x, axis=axis, symmetric=False)
    q, scale, zp = ref_asymmetric(x, axis)
    assert_codes_equal(qt.data, q, x)
    assert_same_floats(qt.scale, scale)
    np.testing.assert_array_equal(qt.zero_point, zp)


@pytest.mark.parametrize("low,high", [(1, 2), (-2, -1), (1000, 1001)])
def test_int8_asymmetric_range_away_from_zero_includes_zero(rng, low, high):
    # The range is widened to include 0, so the zero point never clamps into saturated codes.
    x = rng.uniform(low, high, (4, 64)).astype(F32)
    qt = quantize_int8(x, axis=0, symmetric=False)
    q, scale, zp = ref_asymmetric(x, 0)
    assert_codes_equal(qt.data, q, x)
    np.testing.assert_array_equal(qt.zero_point, zp)
    back = dequantize(qt)
    assert np.all(np.abs(back - x) <= qt.scale[:, None] / 2 * (1 + 1e-5))


def test_int8_asymmetric_hand_computed():
    # min -1, max 1.55: scale 0.01 (float32), zp = round(100.00000x) - 128 = -28.
    x = np.array([-1.0, 1.55, 0.0, 0.005, -0.005, 0.3], F32)
    qt = quantize_int8(x, symmetric=False)
    assert qt.scale == (F32(1.55) - F32(-1.0)) / F32(255)
    assert qt.zero_point == -28
    q, _, _ = ref_asymmetric(x, None)
    assert_codes_equal(qt.data, q)
    assert qt.data[0] == -128 and qt.data[2] == -28


def test_int8_asymmetric_all_zero_slice(rng):
    x = rng.standard_normal((3, 50)).astype(F32)
    x[1] = 0.0
    qt = quantize_int8(x, axis=0, symmetric=False)
    assert qt.scale[1] == 0.0 and qt.zero_point[1] == 0 and np.all(qt.data[1] == 0)
    q, scale, zp = ref_asymmetric(x, 0)
    assert_codes_equal(qt.data, q)
    out = dequantize(qt)
    assert np.all(out[1] == 0) and np.all(np.isfinite(out))


@pytest.mark.parametrize("c", [3.25, -7.5, 1e-30, -1e30])
def test_int8_asymmetric_constant_slice_has_no_nan_and_reconstructs(c):
    # docs/API.md gives no formula for a constant non-zero slice ((max - min) / 255 = 0); whatever is
    # chosen must stay finite and dequantize back to the constant within one step.
    x = np.full((2, 40), c, F32)
    x[1] = np.linspace(-1, 1, 40, dtype=F32)
    qt = quantize_int8(x, axis=0, symmetric=False)
    assert np.all(np.isfinite(qt.scale))
    out = dequantize(qt)
    assert np.all(np.isfinite(out))
    assert np.all(np.abs(out[0] - F32(c)) <= qt.scale[0] * 0.5 * (1 + 1e-5) + 1e-45)


# --- QuantizedTensor and dequantize -----------------------------------------------------------

@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("axis", [None, 1])
def test_quantized_tensor_fields(rng, symmetric, axis):
    x = rng.standard_normal(SHAPE_3D).astype(F32)
    qt = quantize_int8(x, axis=axis, symmetric=symmetric)
    assert isinstance(qt, QuantizedTensor) and dataclasses.is_dataclass(qt)
    assert qt.data.dtype == np.int8 and qt.data.shape == SHAPE_3D
    assert qt.scale.dtype == F32 and qt.scale.shape == (() if axis is None else (SHAPE_3D[axis],))
    if symmetric:
        assert qt.zero_point is None
    else:
        assert qt.zero_point.dtype == np.int8 and qt.zero_point.shape == qt.scale.shape
    assert qt.shape == SHAPE_3D and type(qt.shape) is tuple and all(type(d) is int for d in qt.shape)
    assert qt.axis == axis and qt.group_size is None and qt.bits == 8
    want_nbytes = qt.data.nbytes + qt.scale.nbytes + (0 if symmetric else qt.zero_point.nbytes)
    assert qt.nbytes == want_nbytes and type(qt.nbytes) is int
    assert qt.nbytes == x.size + 4 * qt.scale.size + (0 if symmetric else qt.scale.size)
    # Immutable: the record and its arrays.
    with pytest.raises(dataclasses.FrozenInstanceError):
        qt.scale = np.ones(1, F32)
    with pytest.raises(dataclasses.FrozenInstanceError):
        qt.bits = 4
    for arr in (qt.data, qt.scale) + (() if symmetric else (qt.zero_point,)):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[...] = 0


def test_quantized_tensor_int4_fields(rng):
    x = rng.standard_normal((5, 13)).astype(F32)
    qt = quantize_int4(x, group_size=8)
    assert qt.data.dtype == np.uint8 and qt.data.shape == ((65 + 1) // 2,)
    assert qt.scale.dtype == F32 and qt.scale.shape == (9,)
    assert qt.zero_point is None and qt.shape == (5, 13) and qt.axis is None
    assert qt.group_size == 8 and qt.bits == 4
    assert qt.nbytes == 33 + 9 * 4
    assert not qt.data.flags.writeable and not qt.scale.flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        qt.group_size = 16


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2, -3])
def test_dequantize_equals_numpy_formula_exactly(rng, symmetric, axis):
    x = (rng.standard_normal(SHAPE_3D) * 4 + (0 if symmetric else 0.7)).astype(F32)
    qt = quantize_int8(x, axis=axis, symmetric=symmetric)
    out = dequantize(qt)
    assert out.dtype == F32 and out.shape == SHAPE_3D
    want = ref_dequantize_int8(qt.data, qt.scale, qt.zero_point, qt.axis, SHAPE_3D)
    assert_same_floats(out, want)


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, 2, -3])
def test_dequantize_error_within_half_a_step(rng, symmetric, axis):
    # Ranges that contain 0 (asymmetric) so that the zero point never clamps.
    x = (rng.standard_normal((16, 33, 65)) * rng.uniform(0.01, 100)).astype(F32)
    qt = quantize_int8(x, axis=axis, symmetric=symmetric)
    out = dequantize(qt)
    _, bshape = _channel_view(x, axis)
    step = qt.scale.reshape(bshape) if axis is not None else qt.scale
    err = np.abs(out.astype(np.float64) - x.astype(np.float64))
    bound = step.astype(np.float64) * (0.5 + 1e-5) + 1e-30
    assert np.all(err <= bound), float(np.max(err / bound))


def test_dequantize_large_per_channel_matches_formula(rng):
    x = rng.standard_normal((1024, 777)).astype(F32)
    for axis in (0, 1):
        for symmetric in (True, False):
            qt = quantize_int8(x, axis=axis, symmetric=symmetric)
            assert_same_floats(dequantize(qt), ref_dequantize_int8(qt.data, qt.scale, qt.zero_point, axis, x.shape))


def test_dequantize_rejects_non_quantized_tensors():
    with pytest.raises(TypeError):
        dequantize(np.zeros(3, np.int8))


def test_dequantize_rejects_inconsistent_records():
    qt = quantize_int8(np.ones((4, 5), F32), axis=0)
    bad = dataclasses.replace(qt, scale=np.ones(3, F32))
    with pytest.raises(ValueError):
        dequantize(bad)


# --- INT4 -------------------------------------------------------------------------------------

@pytest.mark.parametrize("group_size", [1, 7, 32, 128])
@pytest.mark.parametrize("n", [1, 2, 3, 31, 33, 127, 1001, 200_001])
def test_int4_matches_reference(rng, group_size, n):
    x = (rng.standard_normal(n) * rng.uniform(0.1, 10)).astype(F32)
    qt = quantize_int4(x, group_size=group_size)
    q, scale = ref_int4(x, group_size)
    assert qt.data.dtype == np.uint8 and qt.data.shape == ((n + 1) // 2,)
    assert qt.scale.shape == (-(-n // group_size),)
    np.testing.assert_array_equal(qt.data, ref_pack(q))
    assert_same_floats(qt.scale, scale)
    assert_codes_equal(unpack_int4(qt.data, n), q, x)
    if n % 2:
        assert qt.data[-1] >> 4 == 0  # odd count: the last high nibble is 0


@pytest.mark.parametrize("shape", [(3, 5, 7), (4, 32), (1, 1), (0, 3)])
def test_int4_groups_follow_the_row_major_flattening(rng, shape):
    x = rng.standard_normal(shape)  # float64, strided below
    for view in (x, x.T if x.ndim == 2 else x[::-1]):
        qt = quantize_int4(view, group_size=7)
        q, scale = ref_int4(np.ascontiguousarray(view, dtype=F32), 7)
        np.testing.assert_array_equal(qt.data, ref_pack(q))
        assert_same_floats(qt.scale, scale)
        assert qt.shape == view.shape
        out = dequantize(qt)
        assert out.shape == view.shape and out.dtype == F32


def test_int4_nibble_layout_by_hand():
    # max|x| = 7 makes scale exactly 1: codes are the values themselves.
    x = np.array([1.0, -1.0, 7.0, -7.0, 3.0], F32)
    qt = quantize_int4(x, group_size=32)
    assert qt.scale.tolist() == [1.0]
    assert qt.data.tolist() == [0xF1, 0x97, 0x03]
    # Two groups of 3 with their own scales; the middle byte holds codes of both groups.
    y = np.array([7.0, 3.5, -1.0, 14.0, -14.0, 2.0], F32)   # scales 1 and 2
    qt = quantize_int4(y, group_size=3)
    assert qt.scale.tolist() == [1.0, 2.0]
    # codes: 7, round(3.5)=4, -1 | 7, -7, 1
    assert qt.data.tolist() == [0x47, 0x7F, 0x19]
    assert dequantize(qt).tolist() == [7.0, 4.0, -1.0, 14.0, -14.0, 2.0]


@pytest.mark.parametrize("group_size", [7, 32, 128])
def test_int4_division_sensitive_groups(rng, group_size):
    rows = crafted_symmetric_rows(rng, 40, group_size, 7)
    x = rows.reshape(-1)[: rows.size - 3]  # a short last group too
    q, scale = ref_int4(x, group_size)
    per_elem = np.repeat(scale, group_size)[: x.size]
    assert mul_and_div_disagree(x, per_elem) > 0
    qt = quantize_int4(x, group_size=group_size)
    assert_same_floats(qt.scale, scale)
    np.testing.assert_array_equal(qt.data, ref_pack(q))


def test_int4_ties_and_zero_groups():
    x = np.array([7.0, 0.5, -0.5, 1.5, -2.5, 6.5, 0.0, 0.0, 0.0, 0.0], F32)  # scale 1 then 0
    qt = quantize_int4(x, group_size=6)
    assert unpack_int4(qt.data, 10).tolist() == [7, 1, -1, 2, -3, 7, 0, 0, 0, 0]
    assert qt.scale.tolist() == [1.0, 0.0]
    assert np.all(np.isfinite(dequantize(qt)))


@pytest.mark.parametrize("group_size", [1, 7, 32, 128])
def test_int4_dequantize_equals_formula_and_error_bound(rng, group_size):
    x = rng.standard_normal((37, 61)).astype(F32)
    qt = quantize_int4(x, group_size=group_size)
    out = dequantize(qt)
    q, scale = ref_int4(x, group_size)
    per_elem_scale = np.repeat(scale, group_size)[: x.size].reshape(x.shape)
    assert_same_floats(out, (q.reshape(x.shape).astype(F32) * per_elem_scale).astype(F32))
    err = np.abs(out.astype(np.float64) - x)
    assert np.all(err <= per_elem_scale.astype(np.float64) * (0.5 + 1e-5) + 1e-30)


@pytest.mark.parametrize("group_size", [0, -1, -32])
def test_int4_bad_group_size_raises_value_error(group_size):
    with pytest.raises(ValueError):
        quantize_int4(np.ones(8, F32), group_size=group_size)


@pytest.mark.parametrize("group_size", [1.5, "32", None])
def test_int4_non_int_group_size_raises_type_error(group_size):
    with pytest.raises(TypeError):
        quantize_int4(np.ones(8, F32), group_size=group_size)


def test_int4_non_finite_raises_value_error():
    x = np.ones(100, F32)
    x[41] = np.nan
    x[77] = np.inf
    with pytest.raises(ValueError) as info:
        quantize_int4(x, group_size=32)
    assert names_index(str(info.value), 41), str(info.value)


# --- pack_int4 / unpack_int4 ------------------------------------------------------------------

def test_pack_layout_by_hand():
    packed = pack_int4(np.array([1, -1, 7, -8, 3], np.int8))
    assert packed.dtype == np.uint8 and packed.tolist() == [0xF1, 0x87, 0x03]
    assert pack_int4(np.array([-8, 7], np.int64)).tolist() == [0x78]
    assert pack_int4([0, 0, 0]).tolist() == [0, 0]
    assert pack_int4(np.array([], np.int8)).tolist() == []
    assert pack_int4(np.array([[1, 2], [3, 4]], np.int16)).tolist() == [0x21, 0x43]  # row-major
    unpacked = unpack_int4(np.array([0xF1, 0x87, 0x03], np.uint8), 5)
    assert unpacked.dtype == np.int8 and unpacked.tolist() == [1, -1, 7, -8, 3]
    assert unpack_int4(np.array([0xF1, 0x87, 0x03], np.uint8), 6).tolist() == [1, -1, 7, -8, 3, 0]
    assert unpack_int4(np.array([0xF1], np.uint8), 0).tolist() == []


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4097, 65_537, 200_001])
def test_pack_unpack_round_trip(rng, n):
    codes = rng.integers(-8, 8, n).astype(np.int8)
    packed = pack_int4(codes)
    assert packed.shape == ((n + 1) // 2,)
    np.testing.assert_array_equal(packed, ref_pack(codes))
    np.testing.assert_array_equal(unpack_int4(packed, n), codes)
    every_byte = np.arange(256, dtype=np.uint8)
    lo = (every_byte & 0xF).astype(np.int8)
    hi = (every_byte >> 4).astype(np.int8)
    want = np.stack([np.where(lo > 7, lo - 16, lo), np.where(hi > 7, hi - 16, hi)], axis=1).reshape(-1)
    np.testing.assert_array_equal(unpack_int4(every_byte, 512), want)
    np.testing.assert_array_equal(pack_int4(want), every_byte)


@pytest.mark.parametrize("bad", [[8], [-9], [0, 1, 16], np.array([127], np.int8), np.array([200], np.uint8),
                                 np.array([-128, 0], np.int8), np.array([1 << 40], np.int64)])
def test_pack_codes_out_of_range_raise_value_error(bad):
    with pytest.raises(ValueError):
        pack_int4(bad)


def test_pack_non_integer_codes_raise_type_error():
    with pytest.raises(TypeError):
        pack_int4(np.array([1.0, 2.0]))


@pytest.mark.parametrize("packed_len,count", [(0, 1), (1, 3), (3, 7), (10, 21), (10, 1 << 40)])
def test_unpack_count_too_large_raises_value_error(packed_len, count):
    with pytest.raises(ValueError):
        unpack_int4(np.zeros(packed_len, np.uint8), count)


def test_unpack_negative_count_raises_value_error():
    with pytest.raises(ValueError):
        unpack_int4(np.zeros(4, np.uint8), -1)


# --- FP16 -------------------------------------------------------------------------------------

def _numpy_half(x):
    with np.errstate(over="ignore"):
        return np.asarray(x).astype(F32).astype(np.float16)


@pytest.mark.parametrize("shape", [(), (0,), (1,), (7,), (3, 5), (2, 3, 4, 5), (300, 1001)])
def test_fp16_matches_numpy_bits(rng, shape):
    bits = rng.integers(0, 1 << 32, size=shape, dtype=np.uint64).astype(np.uint32)
    for x in (bits.view(F32), (rng.standard_normal(shape) * 1e3).astype(F32)):
        got = quantize_fp16(x)
        want = _numpy_half(x)
        assert got.dtype == np.float16 and got.shape == x.shape
        np.testing.assert_array_equal(got.view(np.uint16), want.view(np.uint16))


def test_fp16_float64_float16_and_strided_inputs(rng):
    x64 = rng.standard_normal((64, 96)) * 4e4  # some overflow past 65504
    x64[0, :4] = [65519.99, 65520.0, 1e-8, 2.98023223876953125e-08 * (1 + 2 ** -30)]  # double rounding
    with np.errstate(over="ignore"):
        x16 = x64.astype(np.float16)
    for x in (x64, x64[::2, ::3], x64.T, x16, x64.astype(F32)[:, ::-1]):
        got = quantize_fp16(x)
        assert got.shape == x.shape
        np.testing.assert_array_equal(got.view(np.uint16), _numpy_half(x).view(np.uint16))


def test_fp16_specials():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 65504.0, 65520.0, 5.96e-8, 1e-9], F32)
    np.testing.assert_array_equal(quantize_fp16(x).view(np.uint16), _numpy_half(x).view(np.uint16))


# --- GGUF -------------------------------------------------------------------------------------

GGUF_SHAPES = [(32,), (1, 32), (3, 64), (17, 256), (4, 5, 96), (2, 3, 4, 32), (300, 1024)]


@pytest.mark.parametrize("kind", [Q8_0, Q4_0])
@pytest.mark.parametrize("shape", GGUF_SHAPES)
def test_gguf_matches_gguf_package(rng, kind, shape):
    x = (rng.standard_normal(shape) * rng.uniform(0.01, 100)).astype(F32)
    got = quantize_gguf(x, kind.name)
    want = gguf_reference(x, kind)
    assert type(got) is bytes and len(got) == len(want)
    if got != want:
        g, w = np.frombuffer(got, np.uint8), np.frombuffer(want, np.uint8)
        i = int(np.flatnonzero(g != w)[0])
        pytest.fail(f"bytes differ first at {i} (block {i // (34 if kind == Q8_0 else 18)})")
    assert_same_floats(dequantize_gguf(got, kind.name, shape), gguf_dequant_reference(got, kind, shape))


@pytest.mark.parametrize("kind", [Q8_0, Q4_0])
def test_gguf_kind_spellings(rng, kind):
    x = rng.standard_normal((2, 64)).astype(F32)
    want = gguf_reference(x, kind)
    assert quantize_gguf(x, kind) == want  # the gguf enum itself
    assert quantize_gguf(x, kind.name) == want
    assert_same_floats(dequantize_gguf(want, kind, (2, 64)), dequantize_gguf(want, kind.name, (2, 64)))


@pytest.mark.parametrize("kind", ["Q5_0", "Q8_1", "F16", "", GGMLQuantizationType.Q4_1])
def test_gguf_unknown_kind_raises_value_error(kind):
    with pytest.raises(ValueError):
        quantize_gguf(np.ones(32, F32), kind)
    with pytest.raises(ValueError):
        dequantize_gguf(bytes(34), kind, (32,))


@pytest.mark.parametrize("kind", [Q8_0, Q4_0])
def test_gguf_float64_and_strided_input(rng, kind):
    x = rng.standard_normal((64, 96))
    for view in (x, x[::2], np.ascontiguousarray(x.T)[:, :64], x[:, ::-1], x.astype(F32)[::3]):
        assert quantize_gguf(view, kind) == gguf_reference(np.ascontiguousarray(view, dtype=F32), kind)


@pytest.mark.parametrize("kind", [Q8_0, Q4_0])
def test_gguf_all_zero_blocks(rng, kind):
    x = rng.standard_normal((4, 128)).astype(F32)
    x[1] = 0.0
    x[2, 32:64] = -0.0
    x[3, :32] = 0.0
    got = quantize_gguf(x, kind)
    assert got == gguf_reference(x, kind)
    assert_same_floats(dequantize_gguf(got, kind, x.shape), gguf_dequant_reference(got, kind, x.shape))
    assert quantize_gguf(np.zeros((2, 32), F32), kind) == gguf_reference(np.zeros((2, 32), F32), kind)


def test_gguf_q8_0_exact_ties():
    # max|x| = 127: d = 1, id = 1, so x * id = x and k + 0.5 are exact ties (round away from 0).
    half = np.arange(-126, 126, dtype=F32) + F32(0.5)
    vals = np.concatenate([half, np.nextafter(half, F32(0)), np.nextafter(half, F32(300))])
    blocks = []
    for i in range(0, vals.size, 31):
        chunk = vals[i:i + 31]
        block = np.zeros(32, F32)
        block[0] = 127.0 if i % 62 == 0 else -127.0
        block[1:1 + chunk.size] = chunk
        blocks.append(block)
    x = np.stack(blocks)
    got = quantize_gguf(x, "Q8_0")
    assert got == gguf_reference(x, Q8_0)
    codes = np.frombuffer(got, np.uint8).reshape(-1, 34)[:, 2:].view(np.int8)
    assert codes[0, 1:4].tolist() == [-126, -125, -124]   # -125.5, -124.5, -123.5
    # A scale that is not a power of two, with products landing next to .5 after the multiply.
    rng = np.random.default_rng(3)
    y = np.concatenate([np.full((64, 1), 1.0, F32), ((rng.integers(-126, 126, (64, 31)) + 0.5) / F32(127)).astype(F32)],
                       axis=1)
    assert quantize_gguf(y, "Q8_0") == gguf_reference(y, Q8_0)


def test_gguf_q4_0_exact_ties_and_sign_of_the_largest_magnitude():
    # The first value of largest magnitude is -8: d = 1, id = 1; x + 8.5 integral for x = k + 0.5.
    half = np.arange(-8, 8, dtype=F32) + F32(0.5)
    near = np.concatenate([half, np.nextafter(half, F32(-100)), np.nextafter(half, F32(100)),
                           [np.nextafter(F32(0.5), F32(0)), -np.nextafter(F32(0.5), F32(0))]])
    blocks = []
    for i in range(0, near.size, 31):
        chunk = near[i:i + 31]
        block = np.zeros(32, F32)
        block[0] = -8.0
        block[1:1 + chunk.size] = np.clip(chunk, -8, 8)
        blocks.append(block)
    # Ties for the largest magnitude: the first one decides the sign of d.
    a = np.linspace(-1, 1, 32, dtype=F32)
    a[3], a[20] = -5.0, 5.0
    b = a.copy()
    b[3], b[20] = 5.0, -5.0
    blocks += [a, b]
    x = np.stack(blocks)
    got = quantize_gguf(x, "Q4_0")
    assert got == gguf_reference(x, Q4_0)
    d = np.frombuffer(got, np.uint8).reshape(-1, 18)[:, :2].copy().view(np.float16).reshape(-1)
    assert d[-2] == np.float16(5.0 / 8) and d[-1] == np.float16(-5.0 / 8)
    y = np.stack([(np.arange(32, dtype=F32) - 16) * F32(0.37), (np.arange(32, dtype=F32) - 15) * F32(-1.3)])
    assert quantize_gguf(y, "Q4_0") == gguf_reference(y, Q4_0)


def test_gguf_q8_0_multiplication_sensitive(rng):
    # gguf multiplies by id = 1/d; values where x * id and x / d round differently tell whether
    # an implementation does the same.
    blocks = []
    for _ in range(64):
        amax = F32(rng.uniform(0.01, 100))
        d = amax / F32(127)
        blk = division_sensitive(d, -amax, amax, rng, 32)
        blk[rng.integers(32)] = amax if rng.integers(2) else -amax
        blocks.append(blk)
    x = np.stack(blocks).reshape(8, 256)
    d = (np.abs(x.reshape(-1, 32)).max(axis=1, keepdims=True) / F32(127)).astype(F32)
    assert mul_and_div_disagree(x.reshape(-1, 32), d) > 20
    assert quantize_gguf(x, "Q8_0") == gguf_reference(x, Q8_0)


def test_gguf_q4_0_multiplication_and_float32_sum_sensitive(rng):
    # Q4_0 computes trunc(x * id + 8.5) in float32: both the product and the rounded sum matter.
    blocks = []
    for _ in range(64):
        m = F32(rng.uniform(0.01, 100)) * F32(1 if rng.integers(2) else -1)
        d = m / F32(-8)
        blk = division_sensitive(abs(d), -abs(m), abs(m), rng, 32)
        blk = np.clip(blk, -abs(m) * F32(0.999), abs(m) * F32(0.999))
        blk[0] = m
        blocks.append(blk.astype(F32))
    x = np.stack(blocks).reshape(4, 512)
    blk = x.reshape(-1, 32)
    d = (blk[:, :1] / F32(-8)).astype(F32)
    mul = np.trunc(blk * (F32(1) / d) + F32(8.5))
    div = np.trunc(blk / d + F32(8.5))
    exact = np.floor(blk.astype(np.float64) * (1 / d.astype(np.float64)) + 8.5)
    assert np.sum(mul != div) > 10 and np.sum(mul != exact) > 10
    assert quantize_gguf(x, "Q4_0") == gguf_reference(x, Q4_0)


@pytest.mark.parametrize("kind", [Q8_0, Q4_0])
@pytest.mark.parametrize("magnitude", [1e-36, 1e-30, 1e-8, 6e-5, 1e-3, 1e4, 65504.0, 1e6, 1e20, 3e38])
def test_gguf_tiny_and_huge_magnitudes(rng, kind, magnitude):
    # Covers d underflowing float16 (to subnormal or 0) and overflowing it (to inf).
    x = (rng.uniform(-1, 1, (8, 64)) * magnitude).astype(F32)
    x[:, 0] = F32(magnitude)
    got = quantize_gguf(x, kind)
    assert got == gguf_reference(x, kind)
    assert_same_floats(dequantize_gguf(got, kind, x.shape), gguf_dequant_reference(got, kind, x.shape))


@pytest.mark.parametrize("kind", [Q8_0, Q4_0])
def test_gguf_subnormal_blocks(rng, kind):
    # Blocks whose largest magnitude is so small that 1/d overflows to inf. ggml's reference is
    # undefined here (a float -> int cast of NaN/inf); on x86-64 numpy gives code 0, the Go side
    # documents the same. The scale bytes are well defined either way.
    x = (rng.uniform(-1, 1, (4, 32)) * np.array([1e-37, 1e-38, 1e-40, 1e-45])[:, None]).astype(F32)
    got = quantize_gguf(x, kind)
    want = gguf_reference(x, kind)
    bb = 34 if kind == Q8_0 else 18
    g, w = np.frombuffer(got, np.uint8).reshape(-1, bb), np.frombuffer(want, np.uint8).reshape(-1, bb)
    np.testing.assert_array_equal(g[:, :2], w[:, :2])
    import platform
    if platform.machine() in ("x86_64", "AMD64"):
        assert got == want


@pytest.mark.parametrize("kind", [Q8_0, Q4_0])
@pytest.mark.parametrize("shape", [(32,), (5, 64), (3, 2, 96), (40, 4096)])
def test_dequantize_gguf_arbitrary_bytes_match_gguf(rng, kind, shape):
    # Any bytes are valid blocks, including float16 scales that are inf or NaN.
    bb = 34 if kind == Q8_0 else 18
    nbytes = int(np.prod(shape)) // 32 * bb
    data = rng.integers(0, 256, nbytes, dtype=np.uint8).tobytes()
    got = dequantize_gguf(data, kind, shape)
    assert got.dtype == F32 and got.shape == shape
    assert_same_floats(got, gguf_dequant_reference(data, kind, shape))
    # bytes-like inputs other than bytes.
    assert_same_floats(dequantize_gguf(bytearray(data), kind, shape), got)
    assert_same_floats(dequantize_gguf(np.frombuffer(data, np.uint8), kind, list(shape)), got)
    assert_same_floats(dequantize_gguf(memoryview(data), kind, shape), got)


@pytest.mark.parametrize("kind", [Q8_0, Q4_0])
@pytest.mark.parametrize("shape", [(31,), (33,), (2, 48), (4, 3, 16), (100,)])
def test_gguf_last_axis_not_a_multiple_of_32(kind, shape):
    with pytest.raises(ValueError):
        quantize_gguf(np.ones(shape, F32), kind)
    with pytest.raises(ValueError):
        dequantize_gguf(bytes(64), kind, shape)


@pytest.mark.parametrize("kind", [Q8_0, Q4_0])
def test_gguf_wrong_data_length(kind):
    bb = 34 if kind == Q8_0 else 18
    good = bytes(3 * bb)
    assert dequantize_gguf(good, kind, (3, 32)).shape == (3, 32)
    for n in (0, 1, 3 * bb - 1, 3 * bb + 1, 2 * bb, 4 * bb):
        with pytest.raises(ValueError):
            dequantize_gguf(bytes(n), kind, (3, 32))


def test_gguf_empty_and_negative_shapes():
    assert quantize_gguf(np.zeros((0, 32), F32), "Q8_0") == b""
    assert dequantize_gguf(b"", "Q4_0", (0, 64)).shape == (0, 64)
    with pytest.raises(ValueError):
        dequantize_gguf(b"", "Q8_0", (-1, 32))


def test_gguf_non_finite_raises_value_error():
    x = np.ones((4, 64), F32)
    x[2, 5] = np.nan
    x[1, 40] = -np.inf  # flat 104, the first
    for kind in ("Q8_0", "Q4_0"):
        with pytest.raises(ValueError) as info:
            quantize_gguf(x, kind)
        assert names_index(str(info.value), 104), str(info.value)


# --- threads ----------------------------------------------------------------------------------

def _all_results(x):
    return (
        quantize_int8(x).data.tobytes(),
        quantize_int8(x, axis=0).data.tobytes(),
        quantize_int8(x, axis=1, symmetric=False).data.tobytes(),
        quantize_int8(x, axis=1, symmetric=False).zero_point.tobytes(),
        quantize_int4(x, group_size=32).data.tobytes(),
        quantize_int4(x, group_size=7).scale.tobytes(),
        quantize_fp16(x).tobytes(),
        quantize_gguf(x, "Q8_0"),
        quantize_gguf(x, "Q4_0"),
        dequantize(quantize_int8(x, axis=1)).tobytes(),
        dequantize_gguf(quantize_gguf(x, "Q4_0"), "Q4_0", x.shape).tobytes(),
        pack_int4(unpack_int4(quantize_int4(x).data, x.size)).tobytes(),
    )


def test_results_do_not_depend_on_threads(rng):
    inputs = [(rng.standard_normal((257, 1024)) * (i + 1)).astype(F32) for i in range(8)]
    want = [_all_results(x) for x in inputs]
    start = threading.Barrier(8)

    def work(i):
        start.wait()
        return [_all_results(inputs[i]) for _ in range(2)]

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(work, range(8)))
    for i, runs in enumerate(got):
        for run in runs:
            for j, (a, b) in enumerate(zip(run, want[i])):
                assert a == b, f"input {i}, result {j} differs under threads"
    assert want[0][7] == gguf_reference(inputs[0], Q8_0)


def test_public_names():
    for name in ("QuantizedTensor", "quantize_int8", "quantize_int4", "pack_int4", "unpack_int4", "quantize_fp16",
                 "dequantize", "quantize_gguf", "dequantize_gguf"):
        assert name in jre.__all__ and hasattr(jre, name)
