"""Model files and streams: load_safetensors / load_npy against the safetensors package and numpy,
quantize_model_file and load_quantized_model_file per scheme against the formulas (and gguf),
the loader's quantization cache, compress_file / decompress_file against the lz4 command, memory
bounds, atomic destinations, progress and cancellation."""

import json
import os
import shutil
import struct
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import _jobs, _native, files

safetensors_numpy = pytest.importorskip("safetensors.numpy")

try:
    import ml_dtypes
    BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:
    BF16 = np.dtype(np.uint16)

LZ4 = shutil.which("lz4")
MIB = 1024 * 1024


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def temp_leftovers(directory):
    return [n for n in os.listdir(directory) if ".jrx-tmp-" in os.fsdecode(n)]


def write_raw_safetensors(path, header, data=b""):
    """A safetensors file from a header object (or raw header bytes) and raw data."""
    blob = header if isinstance(header, bytes) else json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob + data)


def weights(rng, shape, dtype=np.float32):
    return (rng.standard_normal(shape) * 0.02).astype(dtype)


def bf16_bits(x):
    """float32 -> bfloat16 bits by truncation (any rounding gives valid test data)."""
    return (np.asarray(x, np.float32).view(np.uint32) >> 16).astype(np.uint16)


# --- load_safetensors ----------------------------------------------------------------------------

ALL_DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32,
              np.uint16, np.uint8, np.bool_]


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: np.dtype(d).name)
def test_load_safetensors_matches_reference_per_dtype(tmp_path, rng, dtype):
    shapes = [(3, 5), (7,), (), (0, 4), (2, 3, 4)]
    arrays = {f"t{i}": np.asarray(rng.standard_normal(s) * 50).astype(dtype) for i, s in enumerate(shapes)}
    path = tmp_path / "m.safetensors"
    safetensors_numpy.save_file(arrays, str(path))
    ours = jre.load_safetensors(path)
    ref = safetensors_numpy.load_file(str(path))
    assert set(ours) == set(ref)
    for name, want in ref.items():
        got = ours[name]
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
        assert not got.flags.writeable


def test_load_safetensors_bf16(tmp_path, rng):
    x = rng.standard_normal((4, 8)).astype(np.float32)
    bits = bf16_bits(x)
    header = {"w": {"dtype": "BF16", "shape": [4, 8], "data_offsets": [0, bits.nbytes]}}
    path = tmp_path / "bf16.safetensors"
    write_raw_safetensors(path, header, bits.tobytes())
    got = jre.load_safetensors(path)["w"]
    assert got.dtype == BF16 and got.shape == (4, 8)
    np.testing.assert_array_equal(got.view(np.uint16), bits)


def test_load_safetensors_is_zero_copy(tmp_path, rng):
    arrays = {"a": weights(rng, (256, 64)), "b": np.arange(1000, dtype=np.int64), "c": weights(rng, (8,), np.float16)}
    path = tmp_path / "m.safetensors"
    safetensors_numpy.save_file(arrays, str(path))
    ours = jre.load_safetensors(path)
    bases = set()
    for arr in ours.values():
        base = arr
        while isinstance(base.base, np.ndarray):
            base = base.base
        bases.add(id(base))
        assert not arr.flags.writeable and not arr.flags.owndata
        with pytest.raises(ValueError):
            arr[...] = 0
    assert len(bases) == 1, "every tensor views the same mapping"
    root = next(iter(ours.values()))
    while isinstance(root.base, np.ndarray):
        root = root.base
    assert root.nbytes == os.path.getsize(path)
    assert all(np.shares_memory(root, arr) for arr in ours.values() if arr.size)
    # The views keep the mapping alive after everything else is gone.
    b = ours["b"]
    del ours, root, arr
    import gc
    gc.collect()
    np.testing.assert_array_equal(b, np.arange(1000))


def test_load_safetensors_256mib_does_not_read_the_data(tmp_path):
    path = tmp_path / "big.safetensors"
    n = 256 * MIB
    header = {"__metadata__": {"k": "v"}, "w": {"dtype": "F32", "shape": [n // 4 // 1024, 1024], "data_offsets": [0, n]}}
    blob = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob)
        f.truncate(8 + len(blob) + n)  # sparse: nothing to read, and no page cache to fill
    before = rss_bytes()
    tensors = jre.load_safetensors(path)
    grown = rss_bytes() - before
    assert tensors["w"].shape == (n // 4 // 1024, 1024)
    assert grown < 16 * MIB, f"RSS grew by {grown / MIB:.1f} MiB for a 256 MiB file"
    assert float(tensors["w"][-1, -1]) == 0.0


def test_load_safetensors_unaligned_offsets(tmp_path):
    # The format does not require alignment: a 1-byte tensor first puts the F32 data off by one.
    vals = np.array([1.5, -2.25, 3.0], np.float32)
    header = {"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},
              "b": {"dtype": "F32", "shape": [3], "data_offsets": [1, 13]}}
    path = tmp_path / "u.safetensors"
    write_raw_safetensors(path, header, b"\x07" + vals.tobytes())
    got = jre.load_safetensors(path)
    np.testing.assert_array_equal(got["b"], vals)
    assert got["a"][0] == 7


def test_read_safetensors_header(tmp_path, rng):
    path = tmp_path / "m.safetensors"
    safetensors_numpy.save_file({"x": weights(rng, (2, 3))}, str(path), metadata={"author": "me"})
    h = files.read_safetensors_header(path)
    assert h["metadata"] == {"author": "me"}
    [t] = h["tensors"]
    assert t["name"] == "x" and t["dtype"] == "F32" and t["shape"] == [2, 3] and t["length"] == 24
    assert t["offset"] == h["data_start"]


def _valid_header():
    return {"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}


MALFORMED = [
    ("empty file", None, b""),
    ("short length prefix", None, b"\x01\x02\x03"),
    ("length past end", struct.pack("<Q", 1000) + b"{}", None),
    ("huge length", struct.pack("<Q", 200_000_000) + b"{}", None),
    ("not json", b"{not json", bytes(16)),
    ("not an object", b"[1, 2]", b""),
    ("bad utf-8", b'{"\xff": 1}', b""),
    ("unknown dtype", {"w": {"dtype": "F33", "shape": [2, 2], "data_offsets": [0, 16]}}, bytes(16)),
    ("offsets out of range", {"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}, bytes(8)),
    ("size mismatch", {"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 16]}}, bytes(16)),
    ("overlap", {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                 "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12)),
    ("gap", {"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, bytes(8)),
    ("negative shape", {"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}}, b""),
    ("duplicate key", b'{"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, '
                      b'"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}', b"\x00"),
    ("missing field", {"w": {"dtype": "F32", "data_offsets": [0, 16]}}, bytes(16)),
]


@pytest.mark.parametrize("header,data", [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_safetensors_raise_value_error(tmp_path, header, data):
    path = tmp_path / "bad.safetensors"
    if header is None:
        path.write_bytes(data)
    elif data is None:
        path.write_bytes(header)
    else:
        write_raw_safetensors(path, header, data)
    with pytest.raises(ValueError):
        jre.load_safetensors(path)
    with pytest.raises(ValueError):
        jre.quantize_model_file(path, tmp_path / "out.safetensors", "int8", progress=False)
    assert not (tmp_path / "out.safetensors").exists()
    assert temp_leftovers(tmp_path) == []


def test_load_safetensors_os_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        jre.load_safetensors(tmp_path / "missing.safetensors")
    with pytest.raises(IsADirectoryError):
        jre.load_safetensors(tmp_path)
    with pytest.raises(TypeError):
        jre.load_safetensors(12)


# --- load_npy ------------------------------------------------------------------------------------

NPY_DTYPES = [np.float32, np.float64, np.float16, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
              np.uint32, np.uint64, np.bool_, np.complex64, np.complex128]


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", NPY_DTYPES, ids=lambda d: np.dtype(d).name)
def test_load_npy_matches_numpy(tmp_path, rng, dtype, order):
    arr = np.asarray(rng.standard_normal((5, 7, 3)) * 40, order=order).astype(dtype, order=order)
    path = tmp_path / "a.npy"
    np.save(path, arr)
    got = jre.load_npy(path)
    want = np.load(path)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.flags.f_contiguous == want.flags.f_contiguous and got.flags.c_contiguous == want.flags.c_contiguous
    np.testing.assert_array_equal(got, want)
    assert not got.flags.writeable


@pytest.mark.parametrize("arr", [np.array(3.25), np.zeros((0, 3), np.float32), np.arange(10, dtype=np.int32)],
                         ids=["0-d", "empty", "1-d"])
def test_load_npy_shapes(tmp_path, arr):
    path = tmp_path / "a.npy"
    np.save(path, arr)
    got = jre.load_npy(path)
    assert got.shape == arr.shape and got.dtype == arr.dtype
    np.testing.assert_array_equal(got, arr)


def test_load_npy_refuses_what_it_cannot_map(tmp_path):
    path = tmp_path / "o.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        jre.load_npy(path)
    np.save(path, np.arange(4, dtype=">i4"))
    with pytest.raises(ValueError):
        jre.load_npy(path)
    path.write_bytes(b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f4'}")
    with pytest.raises(ValueError):
        jre.load_npy(path)
    good = tmp_path / "g.npy"
    np.save(good, np.arange(100, dtype=np.float64))
    good.write_bytes(good.read_bytes()[:-8])  # truncated data
    with pytest.raises(ValueError):
        jre.load_npy(good)
    with pytest.raises(FileNotFoundError):
        jre.load_npy(tmp_path / "missing.npy")


# --- quantize_model_file -------------------------------------------------------------------------

@pytest.fixture
def model(tmp_path, rng):
    """A small model mixing everything quantize_model_file distinguishes."""
    arrays = {
        "embed.weight": weights(rng, (96, 64)),
        "layer.0.q.weight": weights(rng, (64, 64)),
        "layer.0.mlp.weight": weights(rng, (128, 64), np.float16),
        "layer.0.odd.weight": weights(rng, (10, 33)),         # last axis not a multiple of 32
        "layer.0.conv.weight": weights(rng, (8, 4, 3, 32)),    # 4-D: channels along axis 0
        "layer.0.f64.weight": weights(rng, (16, 64), np.float64),
        "layer.0.norm.weight": np.ones(64, np.float32),        # 1-D: copied
        "layer.0.bias": weights(rng, (64,)),
        "position_ids": np.arange(96, dtype=np.int64).reshape(1, 96),
        "mask": rng.standard_normal((4, 32)) > 0,
        "empty.weight": np.zeros((0, 64), np.float32),
        "scalar": np.array(0.5, np.float32),
    }
    arrays["layer.0.q.weight"][3, :] = 0.0                     # an all-zero row: scale 0
    arrays["layer.0.q.weight"][5, 7] = 1.5                     # an outlier
    path = tmp_path / "model.safetensors"
    safetensors_numpy.save_file(arrays, str(path), metadata={"format": "pt", "origin": "test"})
    return path, arrays


def test_quantize_model_file_int8(tmp_path, model):
    src, arrays = model
    dst = tmp_path / "q.safetensors"
    result = jre.quantize_model_file(src, dst, "int8", progress=False)
    assert result["tensors"] == len(arrays)
    assert result["bytes_in"] == os.path.getsize(src) and result["bytes_out"] == os.path.getsize(dst)
    ref = safetensors_numpy.load_file(str(dst))
    for name, x in arrays.items():
        if x.dtype.kind == "f" and x.ndim >= 2 and x.size:
            q, scale = ref[name], ref[name + ".scale"]
            assert q.dtype == np.int8 and q.shape == x.shape
            assert scale.dtype == np.float32 and scale.shape == (x.shape[0],)
            qt = jre.quantize_int8(x.astype(np.float32), axis=0)
            np.testing.assert_array_equal(q, qt.data)
            np.testing.assert_array_equal(scale, qt.scale)
        else:
            np.testing.assert_array_equal(ref[name], x)
            assert name + ".scale" not in ref
    back = jre.load_quantized_model_file(dst)
    assert set(back) == set(arrays)
    for name, x in arrays.items():
        got = back[name]
        assert got.shape == x.shape
        if x.dtype.kind == "f":
            assert got.dtype == np.float32
            if x.ndim >= 2 and x.size:
                bound = np.abs(x.astype(np.float32)).reshape(x.shape[0], -1).max(axis=1) / 127 / 2 * 1.0001 + 1e-12
                err = np.abs(got - x.astype(np.float32)).reshape(x.shape[0], -1).max(axis=1)
                assert (err <= bound).all(), name
        else:
            assert got.dtype == x.dtype
            np.testing.assert_array_equal(got, x)


def test_quantize_model_file_metadata(tmp_path, model):
    src, arrays = model
    dst = tmp_path / "q.safetensors"
    jre.quantize_model_file(src, dst, "q8_0", progress=False)
    meta = files.read_safetensors_header(dst)["metadata"]
    assert meta["format"] == "pt" and meta["origin"] == "test"  # the source's own entries are kept
    assert meta["jrx.scheme"] == "q8_0"
    records = json.loads(meta["jrx.tensors"])
    assert set(records) == set(arrays)
    assert records["layer.0.mlp.weight"] == {"dtype": "F16", "shape": [128, 64], "method": "q8_0"}
    assert records["layer.0.odd.weight"]["method"] == "copy"
    assert "multiple of 32" in records["layer.0.odd.weight"]["reason"]
    assert records["position_ids"] == {"dtype": "I64", "shape": [1, 96], "method": "copy"}
    assert records["scalar"]["shape"] == []


@pytest.mark.parametrize("scheme", ["int4", "fp16", "q8_0", "q4_0"])
def test_quantize_model_file_schemes_round_trip(tmp_path, model, scheme):
    gguf_quants = pytest.importorskip("gguf.quants")
    from gguf import GGMLQuantizationType
    src, arrays = model
    dst = tmp_path / f"q-{scheme}.safetensors"
    jre.quantize_model_file(src, dst, scheme, progress=False)
    ref = safetensors_numpy.load_file(str(dst))
    back = jre.load_quantized_model_file(dst)
    assert set(back) == set(arrays)
    for name, x in arrays.items():
        got = back[name]
        assert got.shape == x.shape, name
        quantized = x.dtype.kind == "f" and x.ndim >= 2 and x.size > 0
        x32 = x.astype(np.float32)
        if not quantized:
            np.testing.assert_array_equal(got, x if x.dtype.kind != "f" else x32)
            continue
        if scheme == "int4":
            qt = jre.quantize_int4(x32, group_size=32)
            np.testing.assert_array_equal(ref[name], qt.data)
            np.testing.assert_array_equal(ref[name + ".scale"], qt.scale)
            flat = np.concatenate([x32.reshape(-1), np.zeros(-x32.size % 32, np.float32)]).reshape(-1, 32)
            bound = np.repeat(np.abs(flat).max(axis=1) / 7 / 2 * 1.0001 + 1e-12, 32)[: x32.size]
            assert (np.abs(got - x32).reshape(-1) <= bound).all(), name
        elif scheme == "fp16":
            assert ref[name].dtype == np.float16
            np.testing.assert_array_equal(got, x32.astype(np.float16).astype(np.float32))
        else:
            kind = GGMLQuantizationType.Q8_0 if scheme == "q8_0" else GGMLQuantizationType.Q4_0
            if x.shape[-1] % 32:
                np.testing.assert_array_equal(got, x32)  # copied, unquantized
                continue
            blocks = gguf_quants.quantize(x32, kind)
            assert ref[name].tobytes() == blocks.tobytes()
            np.testing.assert_array_equal(got, gguf_quants.dequantize(blocks, kind).reshape(x.shape))


def test_quantize_model_file_bf16_source(tmp_path, rng):
    x = weights(rng, (32, 64))
    bits = bf16_bits(x)
    src = tmp_path / "bf16.safetensors"
    write_raw_safetensors(src, {"w": {"dtype": "BF16", "shape": [32, 64], "data_offsets": [0, bits.nbytes]}},
                          bits.tobytes())
    widened = (bits.astype(np.uint32) << 16).view(np.float32)
    for scheme in ("int8", "fp16"):
        dst = tmp_path / f"q-{scheme}.safetensors"
        jre.quantize_model_file(src, dst, scheme, progress=False)
        back = jre.load_quantized_model_file(dst)["w"]
        if scheme == "fp16":
            np.testing.assert_array_equal(back, widened.astype(np.float16).astype(np.float32))
        else:
            np.testing.assert_array_equal(back, jre.dequantize(jre.quantize_int8(widened, axis=0)))


def test_quantize_model_file_large_tensor_in_chunks(tmp_path, rng):
    # Bigger than one chunk (2M values) so chunk boundaries are crossed for every scheme.
    x = weights(rng, (1100, 4096))
    src = tmp_path / "big.safetensors"
    safetensors_numpy.save_file({"w": x}, str(src))
    for scheme in ("int8", "int4", "q4_0"):
        dst = tmp_path / f"{scheme}.safetensors"
        jre.quantize_model_file(src, dst, scheme, progress=False)
        ref = safetensors_numpy.load_file(str(dst))
        if scheme == "int8":
            np.testing.assert_array_equal(ref["w"], jre.quantize_int8(x, axis=0).data)
        elif scheme == "int4":
            np.testing.assert_array_equal(ref["w"], jre.quantize_int4(x).data)
        else:
            assert ref["w"].tobytes() == jre.quantize_gguf(x, "Q4_0")


def test_quantize_model_file_errors(tmp_path, model, rng):
    src, _ = model
    dst = tmp_path / "q.safetensors"
    with pytest.raises(ValueError, match="scheme"):
        jre.quantize_model_file(src, dst, "int3")
    with pytest.raises(TypeError):
        jre.quantize_model_file(src, dst, 8)
    with pytest.raises(TypeError):
        jre.quantize_model_file(src, dst, "int8", progress=3)
    with pytest.raises(FileNotFoundError):
        jre.quantize_model_file(tmp_path / "missing.safetensors", dst, "int8")
    with pytest.raises(FileNotFoundError):
        jre.quantize_model_file(src, tmp_path / "no" / "such" / "dir.safetensors", "int8", progress=False)
    # A model that is already quantized is refused rather than mangled.
    jre.quantize_model_file(src, dst, "int8", progress=False)
    with pytest.raises(ValueError, match="already"):
        jre.quantize_model_file(dst, tmp_path / "again.safetensors", "int4", progress=False)
    # A tensor named like the scales of another cannot be stored.
    clash = tmp_path / "clash.safetensors"
    safetensors_numpy.save_file({"w": weights(rng, (4, 32)), "w.scale": np.ones(4, np.float32)}, str(clash))
    with pytest.raises(ValueError, match="w.scale"):
        jre.quantize_model_file(clash, tmp_path / "c.safetensors", "int8", progress=False)
    with pytest.raises(ValueError, match="not a quantized model"):
        jre.load_quantized_model_file(src)


@pytest.mark.parametrize("scheme", ["int8", "int4", "q8_0"])
def test_quantize_model_file_nan_fails_atomically(tmp_path, rng, scheme):
    x = weights(rng, (8, 64))
    x[2, 5] = np.nan
    src = tmp_path / "nan.safetensors"
    safetensors_numpy.save_file({"a": weights(rng, (4, 32)), "b.weight": x}, str(src))
    dst = tmp_path / "out.safetensors"
    dst.write_bytes(b"previous content")
    with pytest.raises(ValueError, match=r"b\.weight.*index 133"):
        jre.quantize_model_file(src, dst, scheme, progress=False)
    assert dst.read_bytes() == b"previous content"
    assert temp_leftovers(tmp_path) == []


def test_quantize_model_file_fp16_keeps_nan(tmp_path, rng):
    x = weights(rng, (4, 32))
    x[1, 1] = np.inf
    src = tmp_path / "inf.safetensors"
    safetensors_numpy.save_file({"w": x}, str(src))
    jre.quantize_model_file(src, tmp_path / "h.safetensors", "fp16", progress=False)
    back = jre.load_quantized_model_file(tmp_path / "h.safetensors")["w"]
    np.testing.assert_array_equal(back, x.astype(np.float16).astype(np.float32))


def test_quantize_model_file_progress(tmp_path, rng):
    arrays = {f"w{i}": weights(rng, (512, 2048)) for i in range(12)}  # 48 MiB
    src = tmp_path / "m.safetensors"
    safetensors_numpy.save_file(arrays, str(src))
    header = files.read_safetensors_header(src)
    data_bytes = os.path.getsize(src) - header["data_start"]
    calls = []
    jre.quantize_model_file(src, tmp_path / "q.safetensors", "int8", progress=lambda d, t: calls.append((d, t)))
    assert calls, "progress was never called"
    assert calls[-1] == (data_bytes, data_bytes)
    assert all(t == data_bytes for _, t in calls)
    dones = [d for d, _ in calls]
    assert dones == sorted(dones) and len(set(dones)) == len(dones)


def test_quantize_model_file_interrupted(tmp_path, rng, monkeypatch):
    monkeypatch.setattr(_jobs, "POLL_MS", 1)  # the first progress report comes long before the end
    arrays = {f"w{i}": weights(rng, (1024, 1024), np.float16) for i in range(24)}  # 48 MiB of F16
    src = tmp_path / "m.safetensors"
    safetensors_numpy.save_file(arrays, str(src))
    dst = tmp_path / "q.safetensors"
    dst.write_bytes(b"keep me")

    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        jre.quantize_model_file(src, dst, "int4", progress=interrupt)
    assert dst.read_bytes() == b"keep me"
    assert temp_leftovers(tmp_path) == []


def test_quantize_model_file_ctrl_c(tmp_path, rng, monkeypatch):
    """A real KeyboardInterrupt in the main thread (what Ctrl-C raises) while Go works.

    The interrupt is raised the moment Go reports the job still running (its first wait slice ends
    unfinished), not after a fixed delay a fast machine could outrun.
    """
    import _thread
    monkeypatch.setattr(_jobs, "POLL_MS", 1)
    src = tmp_path / "m.safetensors"
    safetensors_numpy.save_file({f"w{i}": weights(rng, (1024, 1024), np.float16) for i in range(32)}, str(src))
    dst = tmp_path / "q.safetensors"
    real = _native.lib
    seen_running = []

    class InterruptWhileRunning:
        def __getattr__(self, name):
            return getattr(real, name)

        def jarvisrs_Job_Wait(self, h, ms):
            finished = real.jarvisrs_Job_Wait(h, ms)
            if not finished and not seen_running:
                seen_running.append(True)
                _thread.interrupt_main()  # delivered at the caller's next bytecode
            return finished

    monkeypatch.setattr(_native, "lib", InterruptWhileRunning())
    with pytest.raises(KeyboardInterrupt):
        jre.quantize_model_file(src, dst, "q8_0", progress=False)
    assert seen_running, "the job finished within its first 1 ms wait"
    assert not dst.exists()
    assert temp_leftovers(tmp_path) == []


def test_quantize_model_file_replaces_dst_and_accepts_path_types(tmp_path, model):
    src, _ = model
    dst = tmp_path / "q.safetensors"
    dst.write_bytes(b"old")
    jre.quantize_model_file(str(src).encode(), str(dst), "FP16", progress=False)
    assert safetensors_numpy.load_file(str(dst))["embed.weight"].dtype == np.float16


# Peak RSS of a child process: VmHWM after resetting it to the current RSS (clear_refs "5"). Not
# ru_maxrss, which Linux carries across exec from the forking parent (pytest, already large).
PEAK_RSS_HELPERS = textwrap.dedent("""
    def peak_kib():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    def reset_peak():
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
""")

QUANTIZE_RSS_SCRIPT = PEAK_RSS_HELPERS + textwrap.dedent("""
    import json, sys
    import jarvis_rust_extensions as jre
    src, dst, scheme = sys.argv[1:4]
    jre.load_safetensors(src)  # warm up imports and the Go runtime
    reset_peak()
    base = peak_kib()
    jre.quantize_model_file(src, dst, scheme, progress=False)
    print(json.dumps({"base_kib": base, "peak_kib": peak_kib()}))
""")


def test_quantize_model_file_memory_stays_near_output(tmp_path, rng):
    """Peak RSS grows by about the largest output tensor, not by the 256 MiB model."""
    src = tmp_path / "m.safetensors"
    names = [f"w{i}" for i in range(16)]
    tensor = 16 * MIB
    header = {n: {"dtype": "F32", "shape": [1024, tensor // 4 // 1024], "data_offsets": [i * tensor, (i + 1) * tensor]}
              for i, n in enumerate(names)}
    blob = json.dumps(header).encode()
    blob += b" " * (-len(blob) % 8)
    with open(src, "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob)
        for _ in names:
            f.write(weights(rng, (tensor // 4,)).tobytes())
    out = subprocess.run([sys.executable, "-c", QUANTIZE_RSS_SCRIPT, str(src), str(tmp_path / "q.safetensors"), "int8"],
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    grown_mib = (r["peak_kib"] - r["base_kib"]) / 1024
    # Output tensor 4 MiB (INT8 of 16 MiB F32) plus one source tensor's pages at most in flight.
    assert grown_mib < 64, f"peak RSS grew by {grown_mib:.0f} MiB quantizing a 256 MiB model"


# --- RustModelLoader.load_quantized_tensors ------------------------------------------------------

def test_load_quantized_tensors_caches(tmp_path, model):
    src, arrays = model
    cache = tmp_path / "cache"
    loader = jre.RustModelLoader(cache_dir=cache)
    first = loader.load_quantized_tensors(src)
    assert set(first) == set(arrays)
    qt = first["embed.weight"]
    assert isinstance(qt, jre.QuantizedTensor) and qt.bits == 8 and qt.axis == 0 and qt.shape == (96, 64)
    np.testing.assert_array_equal(jre.dequantize(qt), jre.dequantize(jre.quantize_int8(arrays["embed.weight"], axis=0)))
    assert not qt.data.flags.writeable
    np.testing.assert_array_equal(first["position_ids"], arrays["position_ids"])
    [entry] = [cache / n for n in os.listdir(cache)]
    st = os.stat(entry)

    second = loader.load_quantized_tensors(src)
    st2 = os.stat(entry)
    assert (st2.st_ino, st2.st_mtime_ns) == (st.st_ino, st.st_mtime_ns), "an unchanged model was quantized again"
    np.testing.assert_array_equal(second["embed.weight"].data, qt.data)
    # Another loader on the same directory uses the same entry.
    jre.RustModelLoader(cache_dir=cache).load_quantized_tensors(str(src))
    assert os.stat(entry).st_ino == st.st_ino

    # A changed model (new mtime) is quantized again.
    os.utime(src, ns=(st.st_mtime_ns + 10**9, st.st_mtime_ns + 10**9))
    loader.load_quantized_tensors(src)
    assert os.stat(entry).st_ino != st.st_ino
    assert temp_leftovers(cache) == []


@pytest.mark.parametrize("scheme", ["int4", "fp16", "q8_0"])
def test_load_quantized_tensors_schemes(tmp_path, model, scheme):
    src, arrays = model
    loader = jre.RustModelLoader(cache_dir=tmp_path / "cache")
    got = loader.load_quantized_tensors(src, scheme=scheme)
    w = got["layer.0.q.weight"]
    x = arrays["layer.0.q.weight"]
    if scheme == "int4":
        assert isinstance(w, jre.QuantizedTensor) and w.bits == 4 and w.group_size == 32
        np.testing.assert_array_equal(jre.dequantize(w), jre.dequantize(jre.quantize_int4(x)))
    elif scheme == "fp16":
        assert w.dtype == np.float16 and w.shape == x.shape
    else:
        assert w.dtype == np.uint8
        np.testing.assert_array_equal(jre.dequantize_gguf(w, "Q8_0", x.shape),
                                      jre.dequantize_gguf(jre.quantize_gguf(x, "Q8_0"), "Q8_0", x.shape))
    # Each scheme is its own entry.
    loader.load_quantized_tensors(src, scheme="int8")
    assert len(os.listdir(tmp_path / "cache")) == 2


def test_load_quantized_tensors_rebuilds_a_damaged_entry(tmp_path, model):
    src, _ = model
    cache = tmp_path / "cache"
    loader = jre.RustModelLoader(cache_dir=cache)
    loader.load_quantized_tensors(src)
    [entry] = [cache / n for n in os.listdir(cache)]
    entry.write_bytes(b"garbage")
    got = loader.load_quantized_tensors(src)
    assert isinstance(got["embed.weight"], jre.QuantizedTensor)


def test_load_quantized_tensors_errors(tmp_path, model):
    src, _ = model
    loader = jre.RustModelLoader(cache_dir=tmp_path / "cache")
    with pytest.raises(FileNotFoundError):
        loader.load_quantized_tensors(tmp_path / "missing.safetensors")
    with pytest.raises(ValueError):
        loader.load_quantized_tensors(src, scheme="int2")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x00" * 4)
    with pytest.raises(ValueError):
        loader.load_quantized_tensors(bad)


CACHE_RSS_SCRIPT = textwrap.dedent("""
    import json, os, sys
    import jarvis_rust_extensions as jre
    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    loader = jre.RustModelLoader(cache_dir=sys.argv[2])
    jre.quant  # numpy and the engine, imported on first use (issue 16), are not what is measured
    before = rss()
    tensors = loader.load_quantized_tensors(sys.argv[1])
    print(json.dumps({"grown": rss() - before, "n": len(tensors)}))
""")


def test_load_quantized_tensors_cached_load_is_a_map(tmp_path, rng):
    """The second call (another process) maps the cached entry: RSS does not grow by the model."""
    src = tmp_path / "m.safetensors"
    safetensors_numpy.save_file({f"w{i}": weights(rng, (1024, 4096)) for i in range(8)}, str(src))  # 128 MiB
    cache = tmp_path / "cache"
    jre.RustModelLoader(cache_dir=cache).load_quantized_tensors(src)
    out = subprocess.run([sys.executable, "-c", CACHE_RSS_SCRIPT, str(src), str(cache)], capture_output=True, text=True,
                         check=True)
    r = json.loads(out.stdout)
    assert r["n"] == 8
    assert r["grown"] < 16 * MIB, f"RSS grew by {r['grown'] / MIB:.1f} MiB loading a cached 32 MiB INT8 model"


# --- compress_file / decompress_file -------------------------------------------------------------

def _sample_file(path, size, rng):
    """Compressible, model-like bytes: float weights with a repetitive text section. One 4 MiB
    pattern is repeated; LZ4's 64 KiB window cannot see the repetition, so every block is work."""
    text = b"".join(b"layer %d weight tensor with shape (4096, 4096)\n" % i for i in range(2000))
    pattern = weights(rng, (4 * MIB // 4,)).tobytes() + text
    with open(path, "wb") as f:
        written = 0
        while written < size:
            chunk = pattern[: size - written]
            f.write(chunk)
            written += len(chunk)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """A 200 MiB (and a bit) file shared by the streaming tests."""
    path = tmp_path_factory.mktemp("big") / "data.bin"
    _sample_file(path, 200 * MIB + 12345, np.random.default_rng(7))
    return path


@pytest.mark.skipif(LZ4 is None, reason="the lz4 command is not installed")
def test_compress_file_interop_with_lz4_command(tmp_path, big_file):
    src = big_file
    ours = tmp_path / "data.bin.lz4"
    written = jre.compress_file(src, ours, progress=False)
    assert written == os.path.getsize(ours) and written < os.path.getsize(src)
    subprocess.run([LZ4, "-d", "-q", "-f", str(ours), str(tmp_path / "by-lz4.bin")], check=True)
    assert _same_file(src, tmp_path / "by-lz4.bin")
    theirs = tmp_path / "theirs.lz4"
    subprocess.run([LZ4, "-q", "-f", str(src), str(theirs)], check=True)
    n = jre.decompress_file(theirs, tmp_path / "by-us.bin", progress=False)
    assert n == os.path.getsize(src)
    assert _same_file(src, tmp_path / "by-us.bin")


def _same_file(a, b):
    return subprocess.run(["cmp", "-s", str(a), str(b)]).returncode == 0


@pytest.mark.parametrize("level", [0, 1, 9, 12])
def test_compress_file_levels_and_python_lz4(tmp_path, rng, level):
    lz4_frame = pytest.importorskip("lz4.frame")
    src = tmp_path / "data.bin"
    _sample_file(src, 3 * MIB + 7, rng)
    dst = tmp_path / "out.lz4"
    jre.compress_file(src, dst, level=level, progress=False)
    assert lz4_frame.decompress(dst.read_bytes()) == src.read_bytes()
    framed = tmp_path / "py.lz4"
    framed.write_bytes(lz4_frame.compress(src.read_bytes(), block_linked=True, content_checksum=True))
    jre.decompress_file(framed, tmp_path / "back.bin", progress=False)
    assert (tmp_path / "back.bin").read_bytes() == src.read_bytes()


def test_compress_file_empty_and_small(tmp_path):
    for data in (b"", b"x", b"hello world " * 100):
        src = tmp_path / "s.bin"
        src.write_bytes(data)
        jre.compress_file(src, tmp_path / "s.lz4", progress=False)
        assert jre.decompress_file(tmp_path / "s.lz4", tmp_path / "s.out", progress=False) == len(data)
        assert (tmp_path / "s.out").read_bytes() == data


def test_compress_file_errors_keep_dst(tmp_path, rng):
    src = tmp_path / "s.bin"
    src.write_bytes(b"abc" * 1000)
    dst = tmp_path / "d.bin"
    dst.write_bytes(b"untouched")
    with pytest.raises(ValueError):
        jre.compress_file(src, dst, level=13)
    with pytest.raises(TypeError):
        jre.compress_file(src, dst, level=1.5)
    with pytest.raises(FileNotFoundError):
        jre.compress_file(tmp_path / "missing", dst)
    with pytest.raises(IsADirectoryError):
        jre.compress_file(tmp_path, dst)
    with pytest.raises(FileNotFoundError):
        jre.compress_file(src, tmp_path / "nope" / "d.lz4", progress=False)
    with pytest.raises(ValueError):  # not LZ4 at all
        jre.decompress_file(src, dst, progress=False)
    good = tmp_path / "g.lz4"
    jre.compress_file(src, good, progress=False)
    corrupt = bytearray(good.read_bytes())
    corrupt[-6] ^= 0xFF
    (tmp_path / "c.lz4").write_bytes(bytes(corrupt))
    with pytest.raises(ValueError):
        jre.decompress_file(tmp_path / "c.lz4", dst, progress=False)
    (tmp_path / "t.lz4").write_bytes(good.read_bytes()[:-9])
    with pytest.raises(ValueError):
        jre.decompress_file(tmp_path / "t.lz4", dst, progress=False)
    assert dst.read_bytes() == b"untouched"
    assert temp_leftovers(tmp_path) == []


def test_compress_file_progress(tmp_path, rng):
    src = tmp_path / "data.bin"
    _sample_file(src, 64 * MIB, rng)
    calls = []
    jre.compress_file(src, tmp_path / "d.lz4", progress=lambda d, t: calls.append((d, t)))
    size = os.path.getsize(src)
    assert calls and calls[-1] == (size, size)
    assert all(t == size for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    calls.clear()
    jre.decompress_file(tmp_path / "d.lz4", tmp_path / "back", progress=lambda d, t: calls.append((d, t)))
    zsize = os.path.getsize(tmp_path / "d.lz4")
    assert calls and calls[-1] == (zsize, zsize)


def test_compress_file_interrupted_keeps_dst(tmp_path, rng, monkeypatch):
    monkeypatch.setattr(_jobs, "POLL_MS", 1)
    src = tmp_path / "data.bin"
    _sample_file(src, 64 * MIB, rng)
    dst = tmp_path / "d.lz4"
    dst.write_bytes(b"keep")

    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        jre.compress_file(src, dst, progress=interrupt)
    assert dst.read_bytes() == b"keep"
    # The Go side stops at its next block and removes its temporary file before the call returns.
    assert temp_leftovers(tmp_path) == []
    assert dst.read_bytes() == b"keep"


LZ4_RSS_SCRIPT = PEAK_RSS_HELPERS + textwrap.dedent("""
    import json, sys
    import jarvis_rust_extensions as jre
    src, mid, out = sys.argv[1:4]
    jre.compress_data_lz4(b"warm up" * 1000)
    reset_peak()
    base = peak_kib()
    jre.compress_file(src, mid, progress=False)
    after_c = peak_kib()
    reset_peak()
    base_d = peak_kib()
    jre.decompress_file(mid, out, progress=False)
    after_d = peak_kib()
    print(json.dumps({"compress": after_c - base, "decompress": after_d - base_d}))
""")


def test_compress_file_bounded_memory(tmp_path, big_file):
    src = big_file
    out = subprocess.run([sys.executable, "-c", LZ4_RSS_SCRIPT, str(src), str(tmp_path / "m.lz4"), str(tmp_path / "o")],
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    assert r["compress"] / 1024 < 64, r
    assert r["decompress"] / 1024 < 64, r
    assert _same_file(src, tmp_path / "o")


# --- progress argument ---------------------------------------------------------------------------

def test_progress_bar_draws_and_ends_the_line():
    import io
    from jarvis_rust_extensions._progress import ProgressBar, resolve
    buf = io.StringIO()
    bar = ProgressBar("compress", stream=buf)
    bar(0, 100)
    bar(100, 100)
    bar.close()
    text = buf.getvalue()
    assert text.startswith("\rcompress [") and "100.0%" in text and text.endswith("\n")
    assert resolve(False, "x") is None
    fn = lambda d, t: None  # noqa: E731
    assert resolve(fn, "x") is fn
    assert resolve(None, "x") is None or sys.stderr.isatty()
    with pytest.raises(TypeError):
        resolve("yes", "x")


def test_exports():
    for name in ("load_safetensors", "load_npy", "quantize_model_file", "load_quantized_model_file", "compress_file",
                 "decompress_file"):
        assert name in jre.__all__ and callable(getattr(jre, name))
    assert hasattr(jre.RustModelLoader, "load_quantized_tensors")


def test_concurrent_jobs(tmp_path, model):
    src, _ = model
    errors = []

    def work(i):
        try:
            for scheme in files.SCHEMES:
                jre.quantize_model_file(src, tmp_path / f"q{i}-{scheme}.safetensors", scheme, progress=False)
                jre.load_quantized_model_file(tmp_path / f"q{i}-{scheme}.safetensors")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_non_utf8_and_relative_paths(tmp_path, rng, monkeypatch):
    base = os.fsencode(tmp_path) + b"/d\xff\xfe"
    os.mkdir(base)
    src = base + b"/m\xff.safetensors"
    x = weights(rng, (8, 32))
    safetensors_numpy.save_file({"w": x}, os.fsdecode(src))
    np.testing.assert_array_equal(jre.load_safetensors(src)["w"], x)
    dst = base + b"/q\xfe.safetensors"
    jre.quantize_model_file(src, dst, "int8", progress=False)
    assert jre.load_quantized_model_file(dst)["w"].shape == (8, 32)
    jre.compress_file(src, base + b"/z\xff.lz4", progress=False)
    assert jre.decompress_file(base + b"/z\xff.lz4", base + b"/back\xff", progress=False) == os.path.getsize(src)
    np.save(os.fsdecode(base + b"/a\xff.npy"), x)
    np.testing.assert_array_equal(jre.load_npy(base + b"/a\xff.npy"), x)
    loader = jre.RustModelLoader(cache_dir=base + b"/cache\xff")
    assert isinstance(loader.load_quantized_tensors(src)["w"], jre.QuantizedTensor)
    monkeypatch.chdir(base)
    jre.quantize_model_file(b"m\xff.safetensors", "rel.safetensors", "fp16", progress=False)
    assert os.path.exists(base + b"/rel.safetensors")
    assert temp_leftovers(base) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("call", ["load_safetensors", "load_npy"])
def test_mapping_a_fifo_raises_instead_of_blocking(tmp_path, call):
    # Mapping opens without blocking and maps regular files only (docs/API.md): a FIFO with no
    # writer used to hang the call forever. In a child, so a regression is a timeout, not a hang.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code = textwrap.dedent(f"""
        import jarvis_rust_extensions as jre
        try:
            jre.{call}({str(fifo)!r})
        except OSError as exc:
            print(type(exc).__name__)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["OSError"]
