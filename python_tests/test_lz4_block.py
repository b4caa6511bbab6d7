"""compress_data_lz4 / decompress_data_lz4 against docs/API.md, with python-lz4 (liblz4) as the outside
reference: raw LZ4 blocks, no frame, no size prefix unless python-lz4's store_size layout is asked
for."""

import array
import functools
import gc
import json
import os
import pathlib
import pickle
import threading
import time
import tracemalloc

import lz4.block
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import LZ4BlockError, compress_data_lz4, decompress_data_lz4

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


def _stdlib_source() -> bytes:
    """Real text: a few standard-library modules, present wherever Python is."""
    import collections
    import email.message
    import json.decoder
    mods = (os, pathlib, pickle, collections, email.message, json.decoder, threading)
    return b"".join(pathlib.Path(m.__file__).read_bytes() for m in mods)


@functools.lru_cache(maxsize=None)
def payload(name: str) -> bytes:
    """The test inputs, built once per session (high-compression level 12 is slow on big text)."""
    rng = np.random.default_rng(20240611)
    if name == "empty":
        return b""
    if name == "one_byte":
        return b"\x7f"
    if name == "text":
        return _stdlib_source()
    if name == "json":
        rows = [{"id": i, "name": f"user{i}", "score": round(float(rng.random()), 6), "tags": ["a", "bb", "ccc"][: i % 4]}
                for i in range(6000)]
        return json.dumps(rows).encode()
    if name == "random":
        return rng.bytes(256 * KiB)
    if name == "zeros":
        return bytes(1 * MiB)
    if name == "pickled_float32_dict":
        # What the memory manager and the quantizer actually compress: a pickled dict of arrays.
        layers = {f"layer.{i}.weight": np.round(rng.standard_normal((64, 64)), 2).astype(np.float32) for i in range(24)}
        layers["names"] = [f"encoder.block.{i}.attention" for i in range(2000)]
        return pickle.dumps(layers)
    if name == "int8_codes":
        # Quantized weights: int8 codes concentrated near 0, as INT8 quantization of normal weights gives.
        codes = np.clip(np.round(rng.standard_normal(512 * KiB) * 20), -128, 127).astype(np.int8)
        return pickle.dumps({"q": codes, "scale": np.float32(0.01)})
    if name == "pickled_weights_then_tokenizer":
        # A checkpoint as pickle lays it out: incompressible weights first, then very compressible
        # text (a tokenizer). An encoder that gives up after the weights loses the text's gain.
        import inspect
        words = inspect.getsource(pickle).split()
        tokenizer = {"vocab": {w: i for i, w in enumerate(dict.fromkeys(words))},
                     "merges": [" ".join(words[i:i + 2]) for i in range(0, 4000, 2)]}
        weights = {"encoder.weight": rng.standard_normal((128, 64)).astype(np.float32),
                   "encoder.bias": rng.standard_normal(64).astype(np.float32),
                   "decoder.weight": rng.standard_normal((64, 128)).astype(np.float16),
                   "step": np.int64(1200), "meta": {"name": "tiny", "vocab": [f"tok{i}" for i in range(200)]}}
        return pickle.dumps({"weights": weights, "tokenizer": tokenizer})
    if name.startswith("text_"):
        n = int(name[5:])
        return (_stdlib_source() * 2)[:n]
    if name == "several_mib":
        # 5 MiB mixing every kind of content, so segment joins of a large block meet each of them.
        weights = rng.standard_normal(768 * KiB // 4 * 4).astype(np.float32).tobytes()
        return weights + _stdlib_source()[: 512 * KiB] + bytes(2 * MiB) + rng.bytes(1 * MiB) + weights[: 1 * MiB]
    raise KeyError(name)


@functools.lru_cache(maxsize=None)
def ours(name: str) -> bytes:
    return compress_data_lz4(payload(name))


@functools.lru_cache(maxsize=None)
def liblz4_hc12(name: str) -> bytes:
    return lz4.block.compress(payload(name), mode="high_compression", compression=12, store_size=False)


ALL = ["empty", "one_byte", "text", "json", "random", "zeros", "pickled_float32_dict", "int8_codes",
       "pickled_weights_then_tokenizer", "text_65535", "text_65536", "text_65537", "several_mib"]


# ---------------------------------------------------------------------------------------------
# compress_data_lz4


@pytest.mark.parametrize("name", ALL)
def test_block_decodes_with_liblz4(name):
    data = payload(name)
    out = ours(name)
    assert type(out) is bytes
    assert lz4.block.decompress(out, uncompressed_size=len(data)) == data


@pytest.mark.parametrize("name", ALL)
def test_block_round_trips_through_our_decoder(name):
    data = payload(name)
    assert decompress_data_lz4(ours(name), len(data)) == data


@pytest.mark.parametrize("name", ALL)
def test_block_size_within_5_percent_of_liblz4_hc12(name):
    ref = liblz4_hc12(name)
    got = ours(name)
    assert len(got) <= 1.05 * len(ref), f"{len(got)} bytes vs liblz4 HC12 {len(ref)} ({len(got) / len(ref):.4f}x)"


def test_block_has_no_frame_and_no_size_prefix():
    data = payload("text_65536")
    out = ours("text_65536")
    assert out[:4] != b"\x04\x22\x4d\x18"
    # A size prefix would make the block fail to decode as a raw block.
    with pytest.raises(lz4.block.LZ4BlockError):
        lz4.block.decompress(len(data).to_bytes(4, "little") + out, uncompressed_size=len(data))


def test_incompressible_input_stays_within_liblz4_bound():
    data = payload("random")
    out = ours("random")
    assert len(data) < len(out) <= len(data) + len(data) // 255 + 16


def test_empty_input_is_the_one_byte_block_liblz4_writes():
    assert compress_data_lz4(b"") == lz4.block.compress(b"", store_size=False) == b"\x00"


def test_compression_is_deterministic():
    data = payload("text_65537")
    assert compress_data_lz4(data) == compress_data_lz4(bytearray(data)) == ours("text_65537")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096) | st.lists(st.sampled_from([b"ab", b"abc", b"\x00" * 7, b"xyzw"]), max_size=600).map(b"".join))
def test_round_trip_property_against_liblz4(data):
    out = compress_data_lz4(data)
    assert lz4.block.decompress(out, uncompressed_size=len(data)) == data
    assert decompress_data_lz4(out, len(data)) == data


# ---------------------------------------------------------------------------------------------
# decompress_data_lz4 reading python-lz4's blocks


REFERENCE_MODES = [
    dict(mode="default"),
    dict(mode="fast", acceleration=8),
    dict(mode="high_compression", compression=9),
    dict(mode="high_compression", compression=12),
]


@pytest.mark.parametrize("mode", REFERENCE_MODES, ids=lambda m: "-".join(map(str, m.values())))
@pytest.mark.parametrize("name", ["empty", "one_byte", "text", "random", "zeros", "text_65537"])
def test_reads_python_lz4_blocks_with_explicit_size(name, mode):
    data = payload(name)
    block = lz4.block.compress(data, store_size=False, **mode)
    assert decompress_data_lz4(block, len(data)) == data
    assert decompress_data_lz4(block, uncompressed_size=len(data)) == data


@pytest.mark.parametrize("name", ["empty", "one_byte", "text", "random", "zeros", "text_65537"])
def test_reads_python_lz4_store_size_layout_without_a_size(name):
    data = payload(name)
    block = lz4.block.compress(data, store_size=True)
    assert decompress_data_lz4(block) == data
    assert decompress_data_lz4(block, None) == data
    assert decompress_data_lz4(block, uncompressed_size=None) == data


def test_returns_bytes():
    block = lz4.block.compress(b"abc" * 100, store_size=False)
    assert type(decompress_data_lz4(block, 300)) is bytes
    assert type(decompress_data_lz4(b"\x00", 0)) is bytes


# ---------------------------------------------------------------------------------------------
# the size is a capacity bound


@pytest.mark.parametrize("extra", [1, 100, 4096])
def test_bigger_bound_gives_exact_data(extra):
    data = payload("text")
    block = lz4.block.compress(data, store_size=False)
    out = decompress_data_lz4(block, len(data) + extra)
    assert out == data and len(out) == len(data)


def test_bound_twice_the_size_gives_exact_data():
    data = payload("json")
    block = lz4.block.compress(data, store_size=False)
    assert decompress_data_lz4(block, 2 * len(data)) == data


@pytest.mark.parametrize("short", [1, 2, 1000])
def test_smaller_bound_raises(short):
    data = payload("text")
    block = lz4.block.compress(data, store_size=False)
    with pytest.raises(LZ4BlockError):
        decompress_data_lz4(block, len(data) - short)


def test_zero_bound_for_nonempty_data_raises():
    with pytest.raises(LZ4BlockError):
        decompress_data_lz4(lz4.block.compress(b"a", store_size=False), 0)


def test_size_prefix_smaller_than_the_data_raises():
    data = b"0123456789" * 50
    block = bytearray(lz4.block.compress(data, store_size=True))
    block[:4] = (len(data) - 1).to_bytes(4, "little")
    with pytest.raises(LZ4BlockError):
        decompress_data_lz4(bytes(block))


# ---------------------------------------------------------------------------------------------
# any bytes-like input


def _inputs_for(data: bytes):
    """Every bytes-like shape a caller may hand over, each holding exactly ``data``'s bytes."""
    ro = np.frombuffer(data, dtype=np.uint8)  # read-only: numpy views over bytes are not writeable
    assert not ro.flags.writeable
    return {
        "bytes": data,
        "bytearray": bytearray(data),
        "memoryview": memoryview(data),
        "memoryview_of_bytearray": memoryview(bytearray(data)),
        "readonly_memoryview": memoryview(bytearray(data)).toreadonly(),
        "readonly_numpy": ro,
        "array.array": array.array("B", data),
    }


def test_compress_accepts_every_bytes_like():
    data = payload("text_65535")
    for kind, obj in _inputs_for(data).items():
        out = compress_data_lz4(obj)
        assert lz4.block.decompress(out, uncompressed_size=len(data)) == data, kind


def test_decompress_accepts_every_bytes_like():
    data = payload("text_65535")
    block = lz4.block.compress(data, store_size=False)
    prefixed = lz4.block.compress(data, store_size=True)
    for kind, obj in _inputs_for(block).items():
        assert decompress_data_lz4(obj, len(data)) == data, kind
    for kind, obj in _inputs_for(prefixed).items():
        assert decompress_data_lz4(obj) == data, kind


def test_non_contiguous_memoryview_compress():
    base = bytes(range(256)) * 64
    view = memoryview(base)[::3]
    assert not view.contiguous
    want = view.tobytes()
    out = compress_data_lz4(view)
    assert lz4.block.decompress(out, uncompressed_size=len(want)) == want


def test_non_contiguous_memoryview_decompress():
    data = b"the same words again and again " * 40
    block = lz4.block.compress(data, store_size=False)
    spread = bytearray(2 * len(block))
    spread[::2] = block
    view = memoryview(spread)[::2]
    assert not view.contiguous and view.tobytes() == block
    assert decompress_data_lz4(view, len(data)) == data


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint16, np.int32, np.int64, np.float16, np.float32,
                                   np.float64, np.complex64, np.bool_])
def test_numpy_arrays_of_any_dtype_compress_as_their_bytes(dtype, rng):
    arr = (rng.standard_normal(3001) * 50).astype(dtype)
    want = arr.tobytes()
    out = compress_data_lz4(arr)
    assert lz4.block.decompress(out, uncompressed_size=len(want)) == want
    assert decompress_data_lz4(out, arr.nbytes) == want


@pytest.mark.parametrize("layout", ["2d", "fortran", "strided", "readonly", "0d"])
def test_numpy_array_layouts_compress_in_c_order(layout, rng):
    base = rng.standard_normal((40, 30)).astype(np.float32)
    arr = {
        "2d": base,
        "fortran": np.asfortranarray(base),
        "strided": base[::2, ::3],
        "readonly": base.copy(),
        "0d": np.array(3.5, dtype=np.float64),
    }[layout]
    if layout == "readonly":
        arr.flags.writeable = False
    want = arr.tobytes()  # C order, as memoryview(arr).tobytes() gives it
    assert want == memoryview(np.ascontiguousarray(arr)).tobytes()
    assert lz4.block.decompress(compress_data_lz4(arr), uncompressed_size=len(want)) == want


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.float32])
def test_decompress_reads_numpy_arrays(dtype):
    data = payload("text_65537")
    block = lz4.block.compress(data, store_size=False)
    pad = (-len(block)) % np.dtype(dtype).itemsize
    arr = np.frombuffer(block + bytes(pad), dtype=dtype)
    if pad:
        # The trailing padding is not part of the block: liblz4 rejects it, and so must we.
        with pytest.raises(LZ4BlockError):
            decompress_data_lz4(arr, len(data))
    else:
        assert decompress_data_lz4(arr, len(data)) == data


@pytest.mark.parametrize("bad", ["text", 123, 1.5, None, ["a"], object()])
def test_compress_rejects_non_bytes_like_with_type_error(bad):
    with pytest.raises(TypeError):
        compress_data_lz4(bad)


@pytest.mark.parametrize("bad", ["text", 123, None, ["a"]])
def test_decompress_rejects_non_bytes_like_with_type_error(bad):
    with pytest.raises(TypeError):
        decompress_data_lz4(bad, 10)


@pytest.mark.parametrize("size", ["10", 10.0, b"10"])
def test_decompress_rejects_non_int_size_with_type_error(size):
    with pytest.raises(TypeError):
        decompress_data_lz4(b"\x10a", size)


def test_decompress_accepts_numpy_integer_size():
    assert decompress_data_lz4(b"\x10a", np.int64(1)) == b"a"


# ---------------------------------------------------------------------------------------------
# corrupt input


def _assert_block_error(exc_info):
    err = exc_info.value
    assert isinstance(err, LZ4BlockError)
    assert isinstance(err, RuntimeError) and isinstance(err, ValueError)
    assert str(err)


CORRUPT = {
    "empty": (b"", 10),
    "match_offset_zero": (b"\x40abcd\x00\x00\x10z", 100),
    "offset_before_output_start": (b"\x14a\x10\x00\x10z", 100),
    "literal_length_past_end": (b"\xf0\xff\xff", 2000),
    "token_only_promises_literals": (b"\x50", 100),
    # The format's end rules: the last sequence is literals only, the last match starts at least
    # 12 bytes before the end. liblz4 rejects blocks that break them, which is how it notices most
    # truncations (a block cut right after a match).
    "ends_with_a_match": (b"\x14a\x01\x00", 100),
    "match_within_12_bytes_of_the_end": (b"\x14a\x01\x00\x10z", 100),
}


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_corrupt_blocks_raise_lz4_block_error(name):
    block, size = CORRUPT[name]
    with pytest.raises(lz4.block.LZ4BlockError):
        lz4.block.decompress(block, uncompressed_size=size)  # the reference agrees it is corrupt
    with pytest.raises(LZ4BlockError) as exc_info:
        decompress_data_lz4(block, size)
    _assert_block_error(exc_info)


@pytest.mark.parametrize("source", ["ours", "liblz4"])
def test_truncated_blocks_raise_like_liblz4(source):
    # With the size only a capacity bound, a truncated block that still decoded would silently
    # give short data; liblz4's end-of-block rules catch the cut, and so must we.
    data = payload("text_65536")
    block = ours("text_65536") if source == "ours" else lz4.block.compress(data, store_size=False)
    accepted = []
    for cut in range(1, len(block), 7):
        part = block[:cut]
        if _liblz4(part, len(data)) is None and _ours(part, len(data)) is not None:
            accepted.append(cut)
    assert not accepted, f"{len(accepted)} truncations decoded without error, e.g. cut at {accepted[:5]} of {len(block)}"


def test_truncated_store_size_block_raises():
    block = lz4.block.compress(payload("text_65535"), store_size=True)
    for cut in (0, 1, 3, 4, 5, len(block) // 2, len(block) - 1):
        with pytest.raises(LZ4BlockError):
            decompress_data_lz4(block[:cut])


def _liblz4(block, size):
    try:
        return lz4.block.decompress(block, uncompressed_size=size)
    except lz4.block.LZ4BlockError:
        return None


def _ours(block, size):
    try:
        return decompress_data_lz4(block, size)
    except LZ4BlockError as err:
        assert isinstance(err, RuntimeError) and isinstance(err, ValueError)
        return None


garbage_blocks = st.binary(min_size=1, max_size=300) | st.lists(
    st.sampled_from([b"\x00", b"\x10", b"\x14", b"\xf0", b"\x01\x00", b"\x04\x00", b"abcd", b"\xff"]), min_size=1,
    max_size=60).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbage_blocks, st.integers(min_value=0, max_value=4096))
def test_random_garbage_never_crashes_and_respects_the_bound(garbage, size):
    got = _ours(garbage, size)  # only LZ4BlockError may escape, and _ours checks its type
    assert got is None or len(got) <= size


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbage_blocks, st.integers(min_value=0, max_value=4096))
def test_random_garbage_liblz4_accepts_decodes_the_same(garbage, size):
    want = _liblz4(garbage, size)
    if want is not None and size <= 255 * len(garbage):
        assert _ours(garbage, size) == want


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbage_blocks, st.integers(min_value=0, max_value=4096))
def test_random_garbage_liblz4_rejects_is_rejected(garbage, size):
    if _liblz4(garbage, size) is None:
        assert _ours(garbage, size) is None, "liblz4 rejects this block as corrupt; we decoded it"


def test_flipped_bytes_never_crash_and_never_exceed_the_bound():
    data = payload("text_65536")
    block = bytearray(ours("text_65536"))
    rng = np.random.default_rng(7)
    for pos in rng.integers(0, len(block), 200):
        bad = bytearray(block)
        bad[pos] ^= 1 << int(rng.integers(0, 8))
        try:
            out = decompress_data_lz4(bytes(bad), len(data))
        except LZ4BlockError:
            continue
        assert len(out) <= len(data)


# ---------------------------------------------------------------------------------------------
# sizes: negative, absurd


def test_negative_size_raises_value_error():
    with pytest.raises(ValueError):
        decompress_data_lz4(b"\x10a", -1)


def _peak_python_allocation(fn):
    gc.collect()
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def _vm_peak() -> int:
    """Peak virtual size of this process in bytes: an allocation Go made and never touched still counts."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmPeak in /proc/self/status")


@pytest.mark.parametrize("call", [
    pytest.param(lambda: decompress_data_lz4(b"\x10a", 10**12), id="size_1e12"),
    pytest.param(lambda: decompress_data_lz4(b"\x1fa\x01\x00\xff\xff\xff\xff\xff\xff\xff", 2**31 - 1), id="size_2GiB"),
    pytest.param(lambda: decompress_data_lz4(b"\xff\xff\xff\xff\x10a"), id="prefix_4GiB"),
    pytest.param(lambda: decompress_data_lz4(b"\xff\xff\xff\x7f\x10a"), id="prefix_2GiB"),
    pytest.param(lambda: decompress_data_lz4(b"\x00\x00\x00\x40" + b"\x00" * 100), id="prefix_1GiB"),
])
def test_absurd_size_raises_without_allocating_it(call):
    before = _vm_peak()
    holder = {}

    def run():
        with pytest.raises(LZ4BlockError) as exc_info:
            call()
        holder["exc"] = exc_info

    peak = _peak_python_allocation(run)
    _assert_block_error(holder["exc"])
    assert peak < 1 * MiB, f"Python allocated {peak} bytes"
    assert _vm_peak() - before < 512 * MiB, "the process mapped hundreds of MiB for a size it refused"


@pytest.mark.parametrize("size", [2**63, 2**64, 10**30])
def test_size_beyond_64_bits_raises(size):
    with pytest.raises((LZ4BlockError, OverflowError)):
        decompress_data_lz4(b"\x10a", size)


def test_a_plausible_size_is_still_checked_against_the_data():
    # 100 bytes cannot decode to 1 MiB; refusing it costs nothing and allocates nothing.
    with pytest.raises(LZ4BlockError):
        decompress_data_lz4(bytes(100), 1 * MiB)


# ---------------------------------------------------------------------------------------------
# the input buffer is pinned while Go reads it


def test_bytearray_cannot_be_resized_during_the_call():
    # The Go call releases the GIL, so another thread can run while Go reads the buffer. The
    # worker holds the GIL from `entering.set()` until Go releases it after pinning the buffer, so
    # the first resize attempt normally already meets the pinned buffer; 8 MiB at level 12 keeps Go
    # busy for far longer than any scheduling delay (no sleep decides the outcome).
    text = payload("text")
    data = bytearray((text * (8 * MiB // len(text) + 1))[: 8 * MiB])
    want = bytes(data)
    result = {}
    entering = threading.Event()

    def compress():
        entering.set()
        result["out"] = compress_data_lz4(data)

    t = threading.Thread(target=compress)
    t.start()
    entering.wait()
    refused = 0
    while t.is_alive():
        try:
            data.append(33)
        except BufferError:
            refused += 1
            time.sleep(0.001)
            continue
        try:
            data.pop()  # not pinned: before the export or after the call
        except BufferError:
            t.join()  # pinned between append and pop: Go read the extra byte
            data.pop()
            want += b"!"
            refused += 1
        if refused:
            break
    t.join()
    assert refused > 0, "no resize attempt overlapped the call"
    assert lz4.block.decompress(result["out"], uncompressed_size=len(want)) == want
    assert bytes(data) == want[: 8 * MiB]


def test_module_exports():
    assert jre.compress_data_lz4 is compress_data_lz4
    assert jre.decompress_data_lz4 is decompress_data_lz4
    assert issubclass(jre.LZ4BlockError, RuntimeError) and issubclass(jre.LZ4BlockError, ValueError)
