"""RustModelLoader.quantize_array_int8 and quantize_array_fp16 against docs/API.md, with numpy as the
outside reference.

quantize_array_int8 must be bit-identical to the original extension's float32 formula (data
quantized before keeps its meaning), so the reference below recomputes every step in np.float32.
quantize_array_fp16 must equal numpy's float32 -> '<f2' cast for every bit pattern, NaN payloads
included.
"""

import math
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import numpy as np
import pytest

from jarvis_rust_extensions import RustModelLoader

F32 = np.float32
INT8_KEYS = {"data", "scale", "zero_point", "min_val", "max_val"}


@pytest.fixture
def loader(tmp_path):
    return RustModelLoader(cache_dir=tmp_path / "cache")


# --- references -------------------------------------------------------------------------------

def round_half_away(v):
    """Round float32 values half away from zero, exactly.

    The brief's ``sign(v) * floor(|v| + 0.5)`` is not exact in float32: for v = 0.49999997
    (0.5 - 2^-25) the sum |v| + 0.5 rounds up to 1.0. Splitting off the integer part avoids any
    rounded addition: ``v - trunc(v)`` is exact for every float32, and so is ``trunc(v) ± 1``
    wherever the fraction is non-zero (|v| < 2^23).
    """
    v = np.asarray(v, dtype=F32)
    t = np.trunc(v)
    frac = v - t
    step = np.where(np.abs(frac) >= F32(0.5), np.sign(v), F32(0)).astype(F32)
    return (t + step).astype(F32)


def ref_original_int8(x):
    """docs/API.md's quantize_array_int8 formula, every step in np.float32.

    Returns (codes bytes, scale, zero_point, min_val, max_val) with the floats as np.float32.
    """
    x = np.asarray(x, dtype=F32).reshape(-1)
    if x.size == 0:
        return b"", F32(0), F32(0), F32(0), F32(0)
    mn, mx = x.min(), x.max()
    scale = F32(mx - mn) / F32(255)
    assert np.isfinite(scale), "reference inputs must not overflow max - min"
    if scale == 0:
        return np.full(x.size, -128, np.int8).tobytes(), F32(0), F32(0), mn, mx
    v = (x - mn) / scale
    assert v.dtype == F32
    q = np.clip(round_half_away(v).astype(np.float64) - 128, -128, 127).astype(np.int8)
    return q.tobytes(), scale, F32(-mn / scale), mn, mx


def check_int8(result, x):
    """Assert that quantize_array_int8's result equals the float32 reference for x."""
    data, scale, zp, mn, mx = ref_original_int8(x)
    assert set(result) == INT8_KEYS
    assert type(result["data"]) is bytes
    for key in INT8_KEYS - {"data"}:
        assert type(result[key]) is float, key
    if result["data"] != data:
        got = np.frombuffer(result["data"], np.int8)
        want = np.frombuffer(data, np.int8)
        assert got.shape == want.shape
        bad = np.flatnonzero(got != want)
        xs = np.asarray(x, F32).reshape(-1)
        pytest.fail(f"{bad.size} codes differ; first at {bad[0]}: x={xs[bad[0]]!r} got {got[bad[0]]} "
                    f"want {want[bad[0]]} (min={mn!r}, scale={scale!r})")
    assert result["scale"] == float(scale)
    assert result["zero_point"] == float(zp)
    assert result["min_val"] == float(mn)
    assert result["max_val"] == float(mx)


# --- the reference itself ---------------------------------------------------------------------

def _exact_round_half_away(value):
    f = Fraction(float(value))
    r = math.floor(abs(f) + Fraction(1, 2))
    return r if f >= 0 else -r


def test_reference_rounding_is_exact_at_the_edges():
    below_half = np.nextafter(F32(0.5), F32(0))
    edges = [0.0, -0.0, below_half, -below_half, 0.5, -0.5, np.nextafter(F32(0.5), F32(1)), 1.5, 2.5, -2.5,
             126.5, -127.5, np.nextafter(F32(127.5), F32(0)), 8388607.5, -8388607.5, 8388608.0, 16777215.0,
             1e30, -1e30, 1e-45, -1e-45, 254.49998, 254.5]
    vals = np.array(edges, dtype=F32)
    got = round_half_away(vals)
    for v, g in zip(vals, got):
        assert float(g) == _exact_round_half_away(v), v
    # The naive float32 formula the brief warns about really is wrong at 0.5 - 2^-25.
    naive = np.sign(below_half) * np.floor(np.abs(below_half) + F32(0.5))
    assert naive == 1.0 and round_half_away(below_half) == 0.0


def test_reference_rounding_matches_float64_on_random_values(rng):
    # float64 holds |v| + 0.5 exactly for every float32 v, so it is an independent exact oracle.
    v = (rng.standard_normal(200_000) * 300).astype(F32)
    v[:1000] = np.round(v[:1000]) + F32(0.5)  # exact ties
    want = np.sign(v.astype(np.float64)) * np.floor(np.abs(v.astype(np.float64)) + 0.5)
    np.testing.assert_array_equal(round_half_away(v).astype(np.float64), want)


# --- quantize_array_int8 ----------------------------------------------------------------------

def test_int8_keys_and_python_types(loader):
    r = loader.quantize_array_int8([0.25, -1.5, 3.0, 2.0])
    check_int8(r, [0.25, -1.5, 3.0, 2.0])
    q = np.frombuffer(r["data"], dtype=np.int8)
    assert q.min() == -128 and q.max() == 127  # the extremes map to the ends of the range


def test_int8_hand_computed_ties_round_away_from_zero(loader):
    # min 0, max 255: scale is exactly 1, so (x - min) / scale = x and k + 0.5 is an exact tie.
    # 0.49999997 (0.5 - 2^-25) rounds to 0: a float32 "floor(v + 0.5)" would make it 1.
    x = [0.0, 255.0, 0.5, 1.5, 2.5, 126.5, 127.5, 128.5, 254.5, 3.25, 3.75, 0.49999997, 1.4999999]
    r = loader.quantize_array_int8(x)
    assert r["scale"] == 1.0 and r["zero_point"] == 0.0
    want = [-128, 127, -127, -126, -125, -1, 0, 1, 127, -125, -124, -128, -127]
    assert list(np.frombuffer(r["data"], np.int8)) == want
    check_int8(r, x)


def test_int8_from_list_and_from_numpy_agree(loader, rng):
    x = (rng.standard_normal(5000) * 7 + 1).astype(F32)
    from_numpy = loader.quantize_array_int8(x)
    from_list = loader.quantize_array_int8(x.tolist())
    from_tuple = loader.quantize_array_int8(tuple(x.tolist()))
    check_int8(from_numpy, x)
    assert from_list == from_numpy and from_tuple == from_numpy


def test_int8_caller_pattern_from_api(loader, rng):
    arr = rng.standard_normal((16, 24)).astype(F32)
    r = loader.quantize_array_int8(arr.flatten().tolist())
    q = np.frombuffer(r["data"], dtype=np.int8).reshape(arr.shape)
    rec = (q.astype(F32) + F32(128)) * F32(r["scale"]) + F32(r["min_val"])
    assert np.max(np.abs(rec - arr)) <= r["scale"] * 0.5 + 1e-5


def test_int8_empty(loader):
    for empty in ([], (), np.array([], dtype=F32), np.zeros((0, 4), dtype=np.float64)):
        r = loader.quantize_array_int8(empty)
        assert r == {"data": b"", "scale": 0.0, "zero_point": 0.0, "min_val": 0.0, "max_val": 0.0}
        assert type(r["data"]) is bytes
        assert all(type(r[k]) is float for k in INT8_KEYS - {"data"})


@pytest.mark.parametrize("value", [0.0, 3.5, -2.25, 1e30, -1e-40])
@pytest.mark.parametrize("n", [1, 2, 7, 100_003])
def test_int8_constant_input(loader, value, n):
    r = loader.quantize_array_int8(np.full(n, value, dtype=F32))
    assert r["data"] == b"\x80" * n
    assert r["scale"] == 0.0 and r["zero_point"] == 0.0
    assert r["min_val"] == float(F32(value)) and r["max_val"] == float(F32(value))
    assert not any(math.isnan(r[k]) or math.isinf(r[k]) for k in INT8_KEYS - {"data"})


def test_int8_range_so_narrow_the_scale_underflows(loader):
    # max - min is the smallest subnormal; / 255 underflows to 0: treated like a constant input.
    x = np.array([0.0, 1e-45, 0.0], dtype=F32)
    r = loader.quantize_array_int8(x)
    assert r["data"] == b"\x80\x80\x80" and r["scale"] == 0.0 and r["zero_point"] == 0.0


@pytest.mark.parametrize("n", [1, 2, 3, 1000, 65_536, 65_537, 300_001])
def test_int8_random_sizes_match_reference(loader, rng, n):
    x = (rng.standard_normal(n) * rng.uniform(0.01, 1000) + rng.uniform(-50, 50)).astype(F32)
    check_int8(loader.quantize_array_int8(x), x)


@pytest.mark.parametrize("n", [1000, 300_001])
def test_int8_random_lists_match_reference(loader, rng, n):
    x = rng.uniform(-3, 5, n)
    # A list of Python floats is taken as float32 (the original's Vec<f32>).
    check_int8(loader.quantize_array_int8(x.tolist()), x.astype(F32))


def test_int8_many_exact_ties_across_parallel_chunks(loader, rng):
    # scale exactly 1 again, with half-integers everywhere, across several 64 Ki chunks.
    n = 300_001
    x = (rng.integers(0, 255, n) + 0.5).astype(F32)
    x[0], x[-1] = 0.0, 255.0
    check_int8(loader.quantize_array_int8(x), x)


def test_int8_values_whose_quotient_sits_next_to_a_tie(loader):
    # Quotients of 0.5 +- 1 ulp, k + 0.5 +- 1 ulp: a rounding done by adding 0.5 in float32, or a
    # multiplication by 1/scale instead of the true division, gets some of these wrong.
    ks = np.arange(0, 255, dtype=F32)
    half = ks + F32(0.5)
    around = np.concatenate([half, np.nextafter(half, F32(0)), np.nextafter(half, F32(1000))])
    x = np.concatenate([[0.0, 255.0], around]).astype(F32)
    check_int8(loader.quantize_array_int8(x), x)
    # Same with a scale that is not a power of two, where x / scale != x * (1 / scale) sometimes.
    for lo, hi in [(-1.0, 1.0), (-0.3, 7.1), (1e-3, 2e-3), (-12345.6, 0.1)]:
        scale = (F32(hi) - F32(lo)) / F32(255)
        targets = (np.arange(0, 255, dtype=F32) + F32(0.5)) * scale + F32(lo)
        xs = np.concatenate([[lo, hi], targets, np.nextafter(targets, F32(-np.inf)),
                             np.nextafter(targets, F32(np.inf))]).astype(F32)
        xs = np.clip(xs, F32(lo), F32(hi))
        check_int8(loader.quantize_array_int8(xs), xs)


def test_int8_extreme_but_finite_magnitudes(loader, rng):
    for x in (np.array([-1e38, 0.0, 1e38, 5e37], F32),
              (rng.standard_normal(1000) * 1e-38).astype(F32),  # subnormal inputs
              np.array([1e-45, 3e-45, 2e-45, 0.0], F32),
              np.array([-3.4e38, -3.3e38, -1e38], F32)):
        check_int8(loader.quantize_array_int8(x), x)


def test_int8_float64_input_is_taken_as_float32(loader, rng):
    x64 = rng.standard_normal(10_000) * 3
    x64[:4] = [0.1, 0.2, 1 / 3, 1e-9]  # values float32 cannot hold exactly
    r = loader.quantize_array_int8(x64)
    check_int8(r, x64.astype(F32))
    assert r == loader.quantize_array_int8(x64.astype(F32))
    assert r["min_val"] == float(F32(x64.min()))


def test_int8_integer_input(loader):
    check_int8(loader.quantize_array_int8([1, 5, -3, 200]), [1, 5, -3, 200])
    check_int8(loader.quantize_array_int8(np.arange(-10, 300, dtype=np.int64)), np.arange(-10, 300))


def test_int8_non_contiguous_numpy_input(loader, rng):
    base = rng.standard_normal((300, 400)).astype(F32)
    for view in (base[::3], base[:, ::7], base.T, base[::-1, ::-2], np.asfortranarray(base)):
        assert not view.flags.c_contiguous or view is base
        r = loader.quantize_array_int8(view)
        check_int8(r, np.ascontiguousarray(view).reshape(-1))
    # Read in place: the caller's array is untouched.
    before = base.copy()
    loader.quantize_array_int8(base[::2])
    np.testing.assert_array_equal(base, before)


def test_int8_multidimensional_array_is_read_row_major(loader, rng):
    x = rng.standard_normal((4, 5, 6)).astype(F32)
    r = loader.quantize_array_int8(x)
    check_int8(r, x.reshape(-1))


def _first_index_in_message(message, index):
    return re.search(rf"(?<![\d.]){index}(?![\d.])", message) is not None


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_int8_non_finite_raises_value_error_naming_the_first_index(loader, bad):
    x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, bad, 8.0, float("nan"), float("inf")]
    with pytest.raises(ValueError) as info:
        loader.quantize_array_int8(x)
    assert _first_index_in_message(str(info.value), 7), str(info.value)
    with pytest.raises(ValueError) as info:
        loader.quantize_array_int8(np.array(x, dtype=F32))
    assert _first_index_in_message(str(info.value), 7), str(info.value)


def test_int8_first_bad_index_across_parallel_chunks(loader, rng):
    x = rng.standard_normal(300_001).astype(F32)
    x[250_123] = np.nan   # a later chunk
    x[131_077] = np.inf   # the first bad index, in the third chunk
    x[299_999] = -np.inf
    with pytest.raises(ValueError) as info:
        loader.quantize_array_int8(x)
    assert _first_index_in_message(str(info.value), 131077), str(info.value)


def test_int8_float64_overflowing_float32_is_non_finite(loader):
    # 1e39 becomes inf as float32: the input the Go side sees is not finite.
    with pytest.raises(ValueError) as info, np.errstate(over="ignore"):
        loader.quantize_array_int8([1.0, 2.0, 1e39])
    assert _first_index_in_message(str(info.value), 2), str(info.value)


@pytest.mark.parametrize("bad", [
    "1.0, 2.0",
    b"\x00\x01",
    ["a", "b"],
    ["1.0", "2.0"],   # numeric strings: the original (PyO3 Vec<f32>) refused them with TypeError
    [1.0, "2.0"],
    [1.0, None],      # None is not a float; numpy would silently make it NaN
    [1.0, [2.0]],
    [1 + 2j],
    np.array(["1.0", "2.0"]),
    np.array([1 + 2j], dtype=np.complex64),
    np.array([1.0, "x"], dtype=object),
    None,
    3.5,
])
def test_int8_non_numeric_input_raises_type_error(loader, bad):
    with pytest.raises(TypeError):
        loader.quantize_array_int8(bad)


# --- quantize_array_fp16 ----------------------------------------------------------------------

def _numpy_fp16(x):
    with np.errstate(over="ignore"):
        return np.asarray(x, np.float32).astype("<f2").tobytes()


def _assert_same_bits(got, x32):
    """got (bytes) must equal numpy's '<f2' bytes for the float32 array x32, bit for bit."""
    want = _numpy_fp16(x32)
    assert type(got) is bytes and len(got) == len(want) == 2 * x32.size
    if got == want:
        return
    g = np.frombuffer(got, "<u2")
    w = np.frombuffer(want, "<u2")
    bad = np.flatnonzero(g != w)
    src = x32.reshape(-1).view(np.uint32)
    examples = ", ".join(f"0x{src[i]:08x}->got 0x{g[i]:04x} want 0x{w[i]:04x}" for i in bad[:8])
    pytest.fail(f"{bad.size} of {g.size} halves differ: {examples}")


def test_fp16_random_bit_patterns_of_every_kind(loader):
    rng = np.random.default_rng(20240611)
    bits = rng.integers(0, 1 << 32, size=3_000_000, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)
    # The sample really covers the interesting classes.
    exp = (bits >> 23) & 0xFF
    assert (exp == 0xFF).sum() > 5000          # NaNs (and possibly infinities)
    assert (exp == 0).sum() > 5000             # float32 subnormals
    assert ((exp >= 103) & (exp < 113)).sum() > 50_000  # half subnormals
    assert ((exp >= 113) & (exp < 143)).sum() > 200_000  # half normals
    _assert_same_bits(loader.quantize_array_fp16(x), x)


def _interesting_patterns():
    """Every sign and exponent, with mantissas at every rounding boundary a conversion can have."""
    mantissas = {0, 1, 2, 3, 0x7FFFFF, 0x7FFFFE, 0x400000, 0x400001, 0x3FFFFF}
    for k in range(1, 24):
        m = 1 << (k - 1)          # exactly half of bit k: a tie for a shift of k bits
        for base in (0, 1 << k, 3 << k, 0x7FFFFF & ~((1 << (k + 1)) - 1)):
            for d in (-1, 0, 1):
                mantissas.add((base | m) + d)
    mant = np.array(sorted(v & 0x7FFFFF for v in mantissas), dtype=np.uint32)
    sign_exp = np.arange(512, dtype=np.uint32) << np.uint32(23)
    return (sign_exp[:, None] | mant[None, :]).reshape(-1)


def test_fp16_every_exponent_at_rounding_boundaries(loader):
    bits = _interesting_patterns()
    x = bits.view(np.float32)
    _assert_same_bits(loader.quantize_array_fp16(x), x)


def test_fp16_overflow_threshold_exhaustively(loader):
    # Every float32 from 65504 (largest half) through 65536, both signs: 65519.996 rounds down to
    # 65504, 65520 is the tie that rounds to infinity.
    lo = np.array([65504.0], F32).view(np.uint32)[0]
    hi = np.array([65536.0], F32).view(np.uint32)[0]
    pos = np.arange(lo, hi + 1, dtype=np.uint32)
    bits = np.concatenate([pos, pos | np.uint32(0x80000000)])
    x = bits.view(np.float32)
    got = loader.quantize_array_fp16(x)
    _assert_same_bits(got, x)
    halves = np.frombuffer(got, "<u2")
    i_tie = int(np.flatnonzero(x == F32(65520.0))[0])
    assert halves[i_tie] == 0x7C00 and halves[i_tie - 1] == 0x7BFF


def test_fp16_half_subnormal_and_underflow_range(loader):
    # Random mantissas for every exponent from 2^-27 (all round to 0) to 2^-13 (normal halves),
    # where the rounding shift changes with each exponent. (numpy itself needs about 1 us per
    # value here, so a sample, not all 2^23 mantissas.)
    rng = np.random.default_rng(7)
    exps = np.arange(100, 115, dtype=np.uint32)
    mant = rng.integers(0, 1 << 23, size=(exps.size, 20_000), dtype=np.uint32)
    bits = (exps[:, None] << np.uint32(23)) | mant
    bits = np.concatenate([bits.reshape(-1), bits.reshape(-1) | np.uint32(0x80000000)])
    x = bits.view(np.float32)
    _assert_same_bits(loader.quantize_array_fp16(x), x)


def test_fp16_nan_payloads_match_numpy(loader):
    payloads = [1, 2, 0x1FFF, 0x2000, 0x2001, 0x3FFFFF, 0x400000, 0x400001, 0x7FE000, 0x7FFFFF, 0x00F000]
    bits = np.array([0x7F800000 | p for p in payloads] + [0xFF800000 | p for p in payloads], np.uint32)
    x = bits.view(np.float32)
    assert np.isnan(x).all()
    got = loader.quantize_array_fp16(x)
    _assert_same_bits(got, x)
    halves = np.frombuffer(got, "<u2")
    # Every NaN stays a NaN (never becomes an infinity), with its sign.
    assert np.all((halves & 0x7C00) == 0x7C00) and np.all((halves & 0x03FF) != 0)
    assert list(halves >> 15) == [0] * len(payloads) + [1] * len(payloads)


def test_fp16_specials(loader):
    x = np.array([0.0, -0.0, np.inf, -np.inf, 1.0, -2.0, 65504.0, 65520.0, -65520.0, 1e-8, 5.960464477539063e-08,
                  2.9802322387695312e-08, 2.980232594040899e-08, 6.103515625e-05, 1e10, 0.1], F32)
    got = loader.quantize_array_fp16(x)
    _assert_same_bits(got, x)
    assert np.frombuffer(got, "<u2")[:4].tolist() == [0x0000, 0x8000, 0x7C00, 0xFC00]


def test_fp16_list_input(loader, rng):
    vals = (rng.standard_normal(10_000) * 1000).tolist()
    vals += [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 65519.0, 65520.0, 1e-7, 3e-8, 1e300, -1e300]
    with np.errstate(over="ignore"):  # 1e300 becomes inf as float32, as it should
        got = loader.quantize_array_fp16(vals)
        _assert_same_bits(got, np.asarray(vals, np.float32))
        assert loader.quantize_array_fp16(tuple(vals)) == got


def test_fp16_float64_and_strided_numpy_input(loader, rng):
    x64 = rng.standard_normal((200, 300)) * 100
    got = loader.quantize_array_fp16(x64)
    assert got == _numpy_fp16(x64)  # float64 -> float32 -> half: the double rounding numpy does
    for view in (x64.astype(F32)[::3, ::2], x64.astype(F32).T, x64[::-1]):
        assert loader.quantize_array_fp16(view) == _numpy_fp16(view)


def test_fp16_empty(loader):
    assert loader.quantize_array_fp16([]) == b""
    assert loader.quantize_array_fp16(np.array([], F32)) == b""


@pytest.mark.parametrize("bad", ["abc", b"ab", ["1.0"], [1.0, None], [1j], np.array(["x"]), None])
def test_fp16_non_numeric_input_raises_type_error(loader, bad):
    with pytest.raises(TypeError):
        loader.quantize_array_fp16(bad)


# --- threads ----------------------------------------------------------------------------------

def test_results_do_not_depend_on_threads(loader, rng):
    inputs = [(rng.standard_normal(200_000 + 977 * i) * (i + 1)).astype(F32) for i in range(8)]
    want_int8 = [loader.quantize_array_int8(x) for x in inputs]
    want_fp16 = [loader.quantize_array_fp16(x) for x in inputs]
    start = threading.Barrier(8)

    def work(i):
        start.wait()
        out = []
        for _ in range(3):
            out.append((loader.quantize_array_int8(inputs[i]), loader.quantize_array_fp16(inputs[i])))
        return out

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    for i, runs in enumerate(results):
        for r8, r16 in runs:
            assert r8 == want_int8[i]
            assert r16 == want_fp16[i]
    check_int8(want_int8[0], inputs[0])
