"""Property-based round trips (hypothesis): whatever the bytes or floats, compression gives them
back exactly and quantization gives them back within half a quantization step."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import jarvis_rust_extensions as jre

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOADER = None


def loader():
    global LOADER
    if LOADER is None:
        LOADER = jre.RustModelLoader()
    return LOADER


# Bytes with structure (repeats) as well as noise, so matches of every length occur.
payloads = st.one_of(
    st.binary(max_size=4096),
    st.lists(st.binary(min_size=1, max_size=40), max_size=200).map(lambda parts: b"".join(p * 3 for p in parts)),
)

finite_floats = hnp.arrays(
    np.float32,
    hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=40),
    elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32),
)


@SETTINGS
@given(payloads)
def test_block_round_trip(data):
    block = jre.compress_data_lz4(data)
    assert jre.decompress_data_lz4(block, len(data)) == data


@SETTINGS
@given(payloads, st.integers(0, 12))
def test_frame_round_trip_at_every_level(data, level):
    frame = jre.RustModelLoader(compression_level=level).compress_model(data)
    assert loader().decompress_model(frame) == data


@SETTINGS
@given(st.binary(max_size=512))
def test_decoders_never_crash_on_arbitrary_bytes(data):
    for call in (lambda: jre.decompress_data_lz4(data, 4096), lambda: jre.decompress_data_lz4(data),
                 lambda: loader().decompress_model(data)):
        try:
            out = call()
        except (RuntimeError, ValueError, OSError):
            continue
        assert isinstance(out, bytes)


def _step_bound(scale):
    return np.asarray(scale, np.float32) / 2 * (1 + 1e-5) + 1e-30


@SETTINGS
@given(finite_floats, st.sampled_from([None, 0, -1]), st.booleans())
def test_int8_dequantize_within_half_a_step(x, axis, symmetric):
    qt = jre.quantize_int8(x, axis=axis, symmetric=symmetric)
    back = jre.dequantize(qt)
    assert back.shape == x.shape and back.dtype == np.float32
    scale = qt.scale if axis is None else np.expand_dims(qt.scale, tuple(i for i in range(x.ndim) if i != axis % x.ndim))
    err = np.abs(back.astype(np.float64) - x.astype(np.float64))
    assert np.all(err <= np.broadcast_to(_step_bound(scale), x.shape) * (2 if not symmetric else 1) + 1e-6 * np.abs(x))


@SETTINGS
@given(finite_floats, st.sampled_from([1, 2, 7, 32, 64]))
def test_int4_dequantize_within_half_a_step(x, group_size):
    qt = jre.quantize_int4(x, group_size=group_size)
    back = jre.dequantize(qt).reshape(-1)
    flat = x.reshape(-1)
    scales = np.repeat(qt.scale, group_size)[: flat.size]
    assert np.all(np.abs(back.astype(np.float64) - flat) <= _step_bound(scales) + 1e-6 * np.abs(flat))
    assert np.array_equal(jre.unpack_int4(qt.data, flat.size),
                          np.clip(np.round(back / np.where(scales == 0, 1, scales)), -8, 7).astype(np.int8))


@SETTINGS
@given(finite_floats)
@pytest.mark.filterwarnings("ignore:overflow encountered in cast")
def test_fp16_matches_numpy(x):
    assert np.array_equal(jre.quantize_fp16(x).view(np.uint16), x.astype(np.float16).view(np.uint16))


@SETTINGS
@given(hnp.arrays(np.float32, st.tuples(st.integers(1, 4), st.sampled_from([32, 64, 96])),
                  elements=st.floats(-1e4, 1e4, allow_nan=False, width=32)), st.sampled_from(["Q8_0", "Q4_0"]))
def test_gguf_round_trip_error_is_bounded(x, kind):
    data = jre.quantize_gguf(x, kind)
    back = jre.dequantize_gguf(data, kind, x.shape)
    blocks = np.abs(x.reshape(-1, 32)).max(axis=1, keepdims=True)
    steps = blocks / (127 if kind == "Q8_0" else 8)
    # Q8_0: half a step. Q4_0 codes reach -8 on the side of the largest magnitude but only +7 on
    # the other, so there the error can be a whole step (gguf's format, which we match exactly).
    # Plus the float16 rounding of the block scale.
    bound = steps * (0.5 if kind == "Q8_0" else 1.0) + steps * 2**-10 * (127 if kind == "Q8_0" else 8) + 1e-3
    assert np.all(np.abs(back.reshape(-1, 32) - x.reshape(-1, 32)) <= bound)


@SETTINGS
@given(st.lists(st.integers(-8, 7), max_size=301))
def test_pack_unpack_round_trip(codes):
    packed = jre.pack_int4(np.array(codes, dtype=np.int8))
    assert packed.size == (len(codes) + 1) // 2
    assert jre.unpack_int4(packed, len(codes)).tolist() == codes
