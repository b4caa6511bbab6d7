"""Misaligned float32 arrays (``np.frombuffer(buf, np.float32, offset=1)``, what reading a packed
file gives) are copied once and accepted by every call that takes float arrays, with the same
result as the aligned array; before they raised ValueError("must be 4-byte aligned")."""

import numpy as np
import pytest

import jarvis_rust_extensions as jre


def _misaligned(x):
    buf = bytearray(x.nbytes + 1)
    out = np.frombuffer(buf, np.float32, offset=1, count=x.size).reshape(x.shape)
    out[...] = x  # numpy writes unaligned memory itself
    assert not out.flags.aligned and out.flags.c_contiguous
    return out


@pytest.fixture(scope="module")
def pair():
    x = np.random.default_rng(3).standard_normal((16, 64)).astype(np.float32)
    return x, _misaligned(x)


def _same(a, b):
    if isinstance(a, jre.QuantizedTensor):
        assert np.array_equal(a.data, b.data) and np.array_equal(a.scale, b.scale)
        assert (a.zero_point is None) == (b.zero_point is None)
        if a.zero_point is not None:
            assert np.array_equal(a.zero_point, b.zero_point)
    elif isinstance(a, dict):
        assert a.keys() == b.keys() and all(a[k] == b[k] for k in a)
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b, equal_nan=True)
    else:
        assert a == b


CALLS = {
    "quantize_int8": lambda x: jre.quantize_int8(x),
    "quantize_int8 axis=1 asymmetric": lambda x: jre.quantize_int8(x, axis=1, symmetric=False),
    "quantize_int4": lambda x: jre.quantize_int4(x),
    "quantize_fp16": lambda x: jre.quantize_fp16(x),
    "quantize_gguf Q8_0": lambda x: jre.quantize_gguf(x, "Q8_0"),
    "quantize_gguf Q4_0": lambda x: jre.quantize_gguf(x, "Q4_0"),
    "quantize_array_int8": lambda x: jre.RustModelLoader(cache_dir=_CACHE[0]).quantize_array_int8(x),
    "quantize_array_fp16": lambda x: jre.RustModelLoader(cache_dir=_CACHE[0]).quantize_array_fp16(x),
}
_CACHE = [None]


@pytest.mark.parametrize("name", list(CALLS))
def test_misaligned_float32_is_accepted_with_the_same_result(name, pair, tmp_path):
    _CACHE[0] = str(tmp_path / "cache")
    aligned, misaligned = pair
    _same(CALLS[name](aligned), CALLS[name](misaligned))


def test_dequantize_accepts_a_misaligned_scale(pair):
    aligned, _ = pair
    qt = jre.quantize_int8(aligned, axis=0)
    moved = jre.QuantizedTensor(data=qt.data, scale=_misaligned(qt.scale), zero_point=None, shape=qt.shape,
                                axis=qt.axis, group_size=None, bits=8)
    assert np.array_equal(jre.dequantize(moved), jre.dequantize(qt))
