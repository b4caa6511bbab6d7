"""Bad input everywhere: each public call, given the wrong thing, raises the documented exception
type (never crashes, hangs or allocates absurdly), and odd-but-valid inputs work."""

import errno
import os
import subprocess
import sys

import numpy as np
import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import InvalidModelDataError, LZ4BlockError, RustModelLoader

NOT_BYTES = [None, "text", 123, 1.5, [1, 2, 3], object()]


@pytest.fixture
def loader(tmp_path):
    return RustModelLoader(cache_dir=str(tmp_path / "cache"))


@pytest.mark.parametrize("bad", NOT_BYTES)
def test_bulk_inputs_reject_non_buffers_with_type_error(bad, loader):
    for fn in (jre.compress_data_lz4, loader.compress_model, loader.decompress_model):
        with pytest.raises(TypeError):
            fn(bad)
    with pytest.raises(TypeError):
        jre.decompress_data_lz4(bad, 10)


@pytest.mark.parametrize("make", [
    lambda b: b,
    bytearray,
    memoryview,
    lambda b: memoryview(b).toreadonly(),
    lambda b: memoryview(bytearray(b) * 2)[::2],          # non-contiguous
    lambda b: np.frombuffer(b, np.uint8),
    lambda b: np.frombuffer(b + b"\0" * (-len(b) % 4), np.float32),
    lambda b: np.frombuffer(b, np.uint8)[::-1][::-1],     # a view with negative-stride history
])
def test_every_bytes_like_input_round_trips(make, loader):
    raw = bytes(range(256)) * 64
    data = make(raw)
    expected = memoryview(data).tobytes() if not isinstance(data, np.ndarray) else data.tobytes()
    assert jre.decompress_data_lz4(jre.compress_data_lz4(data), len(expected)) == expected
    assert loader.decompress_model(loader.compress_model(data)) == expected


def test_bytearray_cannot_be_resized_while_go_reads_it(loader):
    # The export that pins a buffer during the call is released afterwards.
    buf = bytearray(b"x" * 1000)
    loader.compress_model(buf)
    buf.extend(b"more")  # no BufferError: nothing still holds it
    assert len(buf) == 1004


def test_empty_inputs(loader):
    assert jre.decompress_data_lz4(jre.compress_data_lz4(b""), 0) == b""
    assert loader.decompress_model(loader.compress_model(b"")) == b""
    with pytest.raises(LZ4BlockError):
        jre.decompress_data_lz4(b"")  # no size prefix to read
    with pytest.raises(InvalidModelDataError):
        loader.decompress_model(b"")


@pytest.mark.parametrize("size", [-1, -(2**40)])
def test_negative_sizes_raise_value_error(size):
    with pytest.raises(ValueError):
        jre.decompress_data_lz4(jre.compress_data_lz4(b"abc"), size)


@pytest.mark.parametrize("size", [2**31, 2**40, 2**62, 2**63 - 1])
def test_absurd_sizes_raise_before_allocating(size):
    block = jre.compress_data_lz4(b"abc" * 10)
    with pytest.raises(LZ4BlockError):
        jre.decompress_data_lz4(block, size)


def test_size_beyond_int64_raises_a_clear_error():
    with pytest.raises((LZ4BlockError, OverflowError, ValueError)):
        jre.decompress_data_lz4(b"\x00", 2**80)


@pytest.mark.parametrize("size", [1.5, "10", None.__class__])
def test_wrong_size_types(size):
    with pytest.raises(TypeError):
        jre.decompress_data_lz4(b"\x00", size)


def test_prefix_claiming_gigabytes_raises_fast():
    hostile = (4 * 2**30 - 1).to_bytes(4, "little") + b"\x00"
    with pytest.raises(LZ4BlockError):
        jre.decompress_data_lz4(hostile)


@pytest.mark.parametrize("level", [-1, 13, 100])
def test_bad_compression_level_raises_value_error(tmp_path, level):
    with pytest.raises(ValueError):
        RustModelLoader(cache_dir=str(tmp_path), compression_level=level)


@pytest.mark.parametrize("level", ["3", 3.0, True])
def test_wrong_compression_level_type_raises_type_error(tmp_path, level):
    with pytest.raises(TypeError):
        RustModelLoader(cache_dir=str(tmp_path), compression_level=level)


@pytest.mark.parametrize("cache_dir,exc", [(123, TypeError), ("", ValueError), ("a\x00b", ValueError)])
def test_bad_cache_dir_values(cache_dir, exc):
    with pytest.raises(exc):
        RustModelLoader(cache_dir=cache_dir)


def test_cache_dir_that_is_a_file_raises_os_error(tmp_path):
    f = tmp_path / "file"
    f.write_bytes(b"")
    with pytest.raises(OSError):
        RustModelLoader(cache_dir=str(f))
    with pytest.raises(OSError) as info:
        RustModelLoader(cache_dir=str(f / "below"))
    assert info.value.errno == errno.ENOTDIR


def test_paths_of_every_kind(loader, tmp_path):
    weird = os.fsencode(str(tmp_path)) + b"/model-\xff\xfe-\xe9.bin"  # not UTF-8
    with open(weird, "wb") as f:
        f.write(b"payload")
    assert loader.load_quantized_model(weird, False) == b"payload"
    assert loader.decompress_model(loader.load_quantized_model(weird, True)) == b"payload"
    assert bytes(loader.mmap_model(weird)) == b"payload"
    import pathlib
    assert loader.load_quantized_model(pathlib.Path(os.fsdecode(weird)), False) == b"payload"
    relative = os.path.relpath(os.fsdecode(weird))
    assert loader.load_quantized_model(relative, False) == b"payload"
    unicode = tmp_path / "modèle-模型.bin"
    unicode.write_bytes(b"u")
    assert bytes(loader.mmap_model(unicode)) == b"u"
    cache = RustModelLoader(cache_dir=os.fsencode(str(tmp_path)) + b"/cache-\xff")
    assert os.path.isdir(os.fsencode(cache.cache_dir)) or os.path.isdir(cache.cache_dir)


@pytest.mark.parametrize("call", ["load", "load_q", "mmap"])
def test_path_errors_raise_the_precise_os_error(loader, tmp_path, call):
    fn = {"load": lambda p: loader.load_quantized_model(p, False),
          "load_q": lambda p: loader.load_quantized_model(p, True),
          "mmap": loader.mmap_model}[call]
    missing = str(tmp_path / "missing.pkl")
    with pytest.raises(FileNotFoundError) as info:
        fn(missing)
    assert info.value.filename == missing
    with pytest.raises(IsADirectoryError):
        fn(str(tmp_path))
    f = tmp_path / "plain"
    f.write_bytes(b"x")
    with pytest.raises(NotADirectoryError):
        fn(str(f / "below"))
    with pytest.raises(OSError) as info:
        fn("/" + "x" * 5000)
    assert info.value.errno == errno.ENAMETOOLONG
    loop = tmp_path / "loop"
    os.symlink(loop, loop)
    with pytest.raises(OSError) as info:
        fn(str(loop))
    assert info.value.errno == errno.ELOOP
    for bad, exc in ((None, TypeError), (42, TypeError), ("a\x00b", ValueError), ("", ValueError)):
        with pytest.raises(exc):
            fn(bad)


def test_unreadable_file_raises_permission_error(tmp_path):
    """Root reads everything, so as root the check runs in a subprocess without the capabilities
    that bypass file permissions (util-linux's setpriv)."""
    import shutil
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"x")
    os.chmod(secret, 0)
    code = ("import sys, jarvis_rust_extensions as j\n"
            "l = j.RustModelLoader(cache_dir=sys.argv[2])\n"
            "for f in (lambda p: l.load_quantized_model(p, False), lambda p: l.load_quantized_model(p, True), l.mmap_model):\n"
            "    try:\n        f(sys.argv[1])\n    except PermissionError:\n        continue\n"
            "    print('no PermissionError'); sys.exit(1)\n"
            "print('ok')\n")
    cmd = [sys.executable, "-c", code, str(secret), str(tmp_path / "cache")]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to drop root's file-permission override"
        drop = "-dac_override,-dac_read_search"
        cmd = [setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}"] + cmd
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "ok", proc.stderr


def test_quantize_array_bad_inputs(loader):
    for fn in (loader.quantize_array_int8, loader.quantize_array_fp16):
        for bad in (None, "1.0", b"\x00\x00\x80\x3f", ["a", "b"], [1.0, None], object()):
            with pytest.raises(TypeError):
                fn(bad)
        assert isinstance(fn([]), (dict, bytes))
    with pytest.raises(ValueError, match="2"):
        loader.quantize_array_int8([1.0, 2.0, float("inf"), float("nan")])
    with pytest.raises(TypeError):
        loader.quantize_array_int8(np.array(["x"]))
    with pytest.raises(TypeError):
        loader.quantize_array_int8(np.array([1 + 2j]))


def test_engine_bad_inputs():
    x = np.ones((4, 32), np.float32)
    for fn in (jre.quantize_int8, jre.quantize_int4, jre.quantize_fp16):
        for bad in (np.arange(4), np.array(["a"]), np.array([object()]), None, "x"):
            with pytest.raises(TypeError):
                fn(bad)
    with pytest.raises(ValueError):
        jre.quantize_int8(x, axis=2)
    with pytest.raises(ValueError):
        jre.quantize_int8(np.float32(1.0), axis=0)
    with pytest.raises(TypeError):
        jre.quantize_int8(x, axis=1.0)
    with pytest.raises(ValueError):
        jre.quantize_int4(x, group_size=0)
    with pytest.raises(ValueError):
        jre.quantize_gguf(x[:, :31], "Q8_0")
    with pytest.raises(ValueError):
        jre.quantize_gguf(x, "Q5_1")
    with pytest.raises(TypeError):
        jre.quantize_gguf(x, 8)
    with pytest.raises(ValueError):
        jre.dequantize_gguf(b"\x00" * 10, "Q8_0", (1, 32))
    with pytest.raises(ValueError):
        jre.dequantize_gguf(b"", "Q8_0", (1, -32))
    with pytest.raises(TypeError):
        jre.dequantize("not a tensor")
    with pytest.raises(ValueError):
        jre.unpack_int4(np.zeros(2, np.uint8), 5)
    with pytest.raises(ValueError):
        jre.pack_int4(np.array([8]))
    big = np.full((2, 64), 1e30, np.float32)
    big[1, 5] = np.inf
    with pytest.raises(ValueError, match="69"):
        jre.quantize_int8(big)
