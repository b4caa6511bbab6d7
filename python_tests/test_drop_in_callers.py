"""The original extension's callers, played exactly as docs/API.md shows them: the ML memory manager
(load, decompress, unpickle; mmap), the model quantizer (QVLZ files of LZ4 blocks) and the
quantize_array_int8 round trip. If these break, existing code breaks."""

import pickle
import struct
import tempfile

import lz4.block
import numpy as np
import pytest

# docs/API.md's usage block, verbatim (the lines that the callers run today).
API_USAGE = '''
import jarvis_rust_extensions
from jarvis_rust_extensions import RustMemoryMonitor, RustModelLoader
from jarvis_rust_extensions import compress_data_lz4, decompress_data_lz4, get_system_memory_info

mon = RustMemoryMonitor()                       # update_interval defaults to 0.1 s
stats = mon.get_memory_stats()                   # dict, see below
mon.update_ml_stats(stats["ml_models_mb"] + 12.5, stats["ml_models_count"] + 1)
ok = mon.is_memory_available(200.0, 70.0)

loader = RustModelLoader()                       # cache dir defaults to <tempdir>/jarvis_ml_cache
blob = loader.load_quantized_model("m.pkl", quantize_to_int8=True)
model = pickle.loads(loader.decompress_model(blob))
view = loader.mmap_model("encoder.onnx")
r = RustModelLoader().quantize_array_int8(arr.flatten().tolist())
q = np.frombuffer(r["data"], dtype=np.int8).reshape(arr.shape); scale = r["scale"]

packed = compress_data_lz4(pickled)              # then written after a b'QVLZ' + <Q size header
data = decompress_data_lz4(packed, uncompressed_size)
'''


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Run in tmp_path with tempfile's temp dir there too, so the default cache stays private."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def model(rng):
    return {
        "encoder.weight": rng.standard_normal((128, 64)).astype(np.float32),
        "encoder.bias": rng.standard_normal(64).astype(np.float32),
        "decoder.weight": rng.standard_normal((64, 128)).astype(np.float16),
        "step": np.int64(1200),
        "meta": {"name": "tiny", "vocab": [f"tok{i}" for i in range(200)]},
    }


def _assert_same_model(got, want):
    assert set(got) == set(want)
    for k, v in want.items():
        if isinstance(v, np.ndarray):
            assert got[k].dtype == v.dtype and got[k].shape == v.shape and np.array_equal(got[k], v), k
        else:
            assert got[k] == v, k


def test_every_import_line_from_api_md_works():
    import jarvis_rust_extensions  # noqa: F401
    from jarvis_rust_extensions import RustMemoryMonitor, RustModelLoader  # noqa: F401
    from jarvis_rust_extensions import compress_data_lz4, decompress_data_lz4, get_system_memory_info  # noqa: F401
    assert callable(compress_data_lz4) and callable(decompress_data_lz4) and callable(get_system_memory_info)
    assert isinstance(RustModelLoader, type) and isinstance(RustMemoryMonitor, type)


def test_the_api_md_usage_block_runs_as_written(private_tmp, model, rng):
    (private_tmp / "m.pkl").write_bytes(pickle.dumps(model))
    onnx = rng.bytes(50_000)
    (private_tmp / "encoder.onnx").write_bytes(onnx)
    arr = rng.standard_normal((16, 24)).astype(np.float32)
    pickled = pickle.dumps(model)
    ns = {"pickle": pickle, "np": np, "arr": arr, "pickled": pickled, "uncompressed_size": len(pickled)}
    exec(compile(API_USAGE, "docs/API.md", "exec"), ns)

    assert isinstance(ns["stats"], dict) and type(ns["ok"]) is bool
    assert ns["loader"].cache_dir == str(private_tmp / "jarvis_ml_cache")
    _assert_same_model(ns["model"], model)
    assert bytes(ns["view"]) == onnx
    assert ns["q"].shape == arr.shape and ns["q"].dtype == np.int8
    assert type(ns["scale"]) is float and ns["scale"] > 0
    assert ns["data"] == pickled
    assert lz4.block.decompress(ns["packed"], uncompressed_size=len(pickled)) == pickled


def test_memory_manager_loads_a_pickled_dict_of_arrays(private_tmp, model):
    from jarvis_rust_extensions import RustModelLoader

    path = private_tmp / "models" / "model.pkl"
    path.parent.mkdir()
    path.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    loader = RustModelLoader()
    for _ in range(2):  # built, then served from the cache
        _assert_same_model(pickle.loads(loader.decompress_model(loader.load_quantized_model(str(path), True))), model)
    _assert_same_model(pickle.loads(loader.load_quantized_model(str(path), False)), model)
    _assert_same_model(pickle.loads(loader.mmap_model(str(path))), model)


def _original_int8(x: np.ndarray):
    """docs/API.md's formula for the original quantize_array_int8, every step in float32."""
    x = np.asarray(x, dtype=np.float32).ravel()
    mn, mx = np.float32(x.min()), np.float32(x.max())
    scale = np.float32((mx - mn) / np.float32(255))
    v = ((x - mn) / scale).astype(np.float32)
    r = np.round(v)  # half to even; move exact halves away from zero instead
    ties = np.abs(v - np.trunc(v)) == np.float32(0.5)
    r[ties] = np.trunc(v[ties]) + np.sign(v[ties])
    q = np.clip(r - np.float32(128), -128, 127).astype(np.int8)
    return q, scale, np.float32(-mn / scale), mn, mx


@pytest.mark.parametrize("shape", [(1000,), (32, 48), (4, 5, 6)])
def test_quantize_array_int8_as_the_memory_manager_calls_it(rng, shape):
    from jarvis_rust_extensions import RustModelLoader

    arr = (rng.standard_normal(shape) * 3 + 0.5).astype(np.float32)
    r = RustModelLoader().quantize_array_int8(arr.flatten().tolist())
    q = np.frombuffer(r["data"], dtype=np.int8).reshape(arr.shape)
    scale = r["scale"]
    assert set(r) == {"data", "scale", "zero_point", "min_val", "max_val"}
    assert type(r["data"]) is bytes and len(r["data"]) == arr.size
    want_q, want_scale, want_zp, mn, mx = _original_int8(arr)
    assert np.array_equal(q.ravel(), want_q)
    assert np.float32(scale) == want_scale
    assert np.float32(r["zero_point"]) == want_zp
    assert np.float32(r["min_val"]) == mn and np.float32(r["max_val"]) == mx
    # What the caller does next: dequantize; every value is back within half a step.
    back = (q.astype(np.float32) + 128) * np.float32(scale) + np.float32(r["min_val"])
    assert np.max(np.abs(back - arr)) <= scale * 0.5 + 1e-5


def _write_qvlz(path, obj):
    """The quantizer's file format: b'QVLZ' + <Q uncompressed size + raw LZ4 block."""
    from jarvis_rust_extensions import compress_data_lz4

    pickled = pickle.dumps(obj)
    with open(path, "wb") as f:
        f.write(b"QVLZ" + struct.pack("<Q", len(pickled)) + compress_data_lz4(pickled))
    return pickled


def _read_qvlz(path):
    from jarvis_rust_extensions import decompress_data_lz4

    with open(path, "rb") as f:
        blob = f.read()
    assert blob[:4] == b"QVLZ"
    (size,) = struct.unpack("<Q", blob[4:12])
    return size, blob[12:], pickle.loads(decompress_data_lz4(blob[12:], size))


@pytest.mark.parametrize("kind", ["model", "int8_codes", "empty_dict", "large"])
def test_quantizer_qvlz_file_round_trip(tmp_path, model, rng, kind):
    obj = {
        "model": model,
        "int8_codes": {"q": np.clip(np.round(rng.standard_normal(200_000) * 25), -128, 127).astype(np.int8),
                       "scale": np.float32(0.02), "shape": (400, 500)},
        "empty_dict": {},
        "large": {"w": rng.standard_normal(1_500_000).astype(np.float32)},
    }[kind]
    path = tmp_path / f"{kind}.qvlz"
    pickled = _write_qvlz(path, obj)
    size, payload, got = _read_qvlz(path)
    assert size == len(pickled)
    # The payload is a plain liblz4 block: the file stays readable by tools built on liblz4.
    assert lz4.block.decompress(payload, uncompressed_size=size) == pickled
    if kind == "model":
        _assert_same_model(got, obj)
    elif kind == "empty_dict":
        assert got == {}
    else:
        for k, v in obj.items():
            assert (np.array_equal(got[k], v) and got[k].dtype == v.dtype) if isinstance(v, np.ndarray) else got[k] == v


def test_qvlz_written_by_python_lz4_reads_back(tmp_path, model):
    """Files written before the switch (python-lz4 in the quantizer, or the Rust crate) still load."""
    pickled = pickle.dumps(model)
    block = lz4.block.compress(pickled, mode="high_compression", compression=12, store_size=False)
    path = tmp_path / "old.qvlz"
    path.write_bytes(b"QVLZ" + struct.pack("<Q", len(pickled)) + block)
    size, _, got = _read_qvlz(path)
    assert size == len(pickled)
    _assert_same_model(got, model)


def test_a_truncated_qvlz_file_raises_the_original_error_type(tmp_path, model):
    from jarvis_rust_extensions import decompress_data_lz4

    path = tmp_path / "cut.qvlz"
    _write_qvlz(path, model)
    blob = path.read_bytes()
    (size,) = struct.unpack("<Q", blob[4:12])
    with pytest.raises(RuntimeError):  # the original raised RuntimeError for a bad block
        decompress_data_lz4(blob[12:-200], size)


def test_a_qvlz_file_cut_anywhere_decodes_exactly_as_liblz4_would(tmp_path, model):
    """A partly written file fails at decompress_data_lz4 wherever liblz4 (the original's decoder)
    fails, and nowhere else. A cut that falls exactly at the end of a literal run is itself a valid
    shorter block, which liblz4 accepts too: with a size that is only a capacity bound (docs/API.md), no
    decoder can tell it apart, so the result is the same short bytes liblz4 gives."""
    import lz4.block

    from jarvis_rust_extensions import decompress_data_lz4

    import inspect
    words = inspect.getsource(pickle).split()
    tokenizer = {"vocab": {w: i for i, w in enumerate(dict.fromkeys(words))}, "merges": [" ".join(words[i:i + 2]) for i in range(0, 4000, 2)]}
    path = tmp_path / "model.qvlz"
    _write_qvlz(path, {"tokenizer": tokenizer, "weights": model})
    blob = path.read_bytes()
    (size,) = struct.unpack("<Q", blob[4:12])
    payload = blob[12:]
    assert len(payload) < 0.9 * size, "the block should hold matches, not only literals, for this test to mean something"
    disagreements, rejected = [], 0
    for cut in range(1, len(payload), max(1, len(payload) // 2000)):
        try:
            ours = decompress_data_lz4(payload[:cut], size)
        except RuntimeError:
            ours = None
        try:
            ref = lz4.block.decompress(payload[:cut], uncompressed_size=size)
        except lz4.block.LZ4BlockError:
            ref = None
        rejected += ref is None
        if ours != ref:
            disagreements.append(cut)
    assert not disagreements, f"{len(disagreements)} cuts decoded differently from liblz4, e.g. {disagreements[:5]}"
    assert rejected > 0.9 * (len(payload) // max(1, len(payload) // 2000)), "most cuts must fail"
