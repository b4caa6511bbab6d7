"""RustModelLoader against docs/API.md: LZ4 frames (compress_model / decompress_model) checked against
python-lz4's lz4.frame, the `lz4` command and gzip; the compressed-model cache
(load_quantized_model, clear_cache) and its safety fixes. Every test uses its own cache directory
under tmp_path, never the shared temp dir."""

import gzip
import os
import pathlib
import pickle
import shutil
import stat
import subprocess
import tempfile
import threading

import lz4.block
import lz4.frame
import numpy as np
import pytest

from jarvis_rust_extensions import InvalidModelDataError, RustModelLoader

KiB = 1024
MiB = 1024 * KiB
LZ4_CLI = shutil.which("lz4") or "/usr/bin/lz4"
FRAME_MAGIC = b"\x04\x22\x4d\x18"


@pytest.fixture
def loader(tmp_path):
    return RustModelLoader(cache_dir=tmp_path / "cache")


def _model_bytes(rng, n_layers=8) -> bytes:
    """A pickled model: a dict of float32 arrays plus metadata, as the memory manager stores."""
    layers = {f"layer{i}.weight": rng.standard_normal((128, 64)).astype(np.float32) for i in range(n_layers)}
    layers["config"] = {"hidden": 64, "names": [f"block.{i}" for i in range(300)]}
    return pickle.dumps(layers, protocol=pickle.HIGHEST_PROTOCOL)


def _weights_then_tokenizer(rng) -> bytes:
    """A checkpoint as pickle lays it out: incompressible weights first, then compressible text."""
    import inspect
    words = inspect.getsource(pickle).split()
    tokenizer = {"vocab": {w: i for i, w in enumerate(dict.fromkeys(words))},
                 "merges": [" ".join(words[i:i + 2]) for i in range(0, 4000, 2)]}
    weights = {"encoder.weight": rng.standard_normal((128, 64)).astype(np.float32),
               "encoder.bias": rng.standard_normal(64).astype(np.float32),
               "decoder.weight": rng.standard_normal((64, 128)).astype(np.float16),
               "step": np.int64(1200), "meta": {"name": "tiny", "vocab": [f"tok{i}" for i in range(200)]}}
    return pickle.dumps({"weights": weights, "tokenizer": tokenizer})


def _text(n: int) -> bytes:
    src = b"".join(pathlib.Path(m.__file__).read_bytes() for m in (os, pathlib, pickle, gzip, threading, subprocess))
    return (src * (n // len(src) + 1))[:n]


@pytest.fixture(scope="module")
def samples():
    rng = np.random.default_rng(99)
    return {
        "empty": b"",
        "one": b"x",
        "text": _text(300 * KiB),
        "random": rng.bytes(200 * KiB),
        "zeros": bytes(5 * MiB),  # more than one 4 MiB block of the default frame
        "weights": rng.standard_normal(300_000).astype(np.float32).tobytes(),
        "model": _model_bytes(rng),
        "weights_then_tokenizer": _weights_then_tokenizer(rng),
    }


# ---------------------------------------------------------------------------------------------
# compress_model: the frame we write


SAMPLE_NAMES = ["empty", "one", "text", "random", "zeros", "weights", "model", "weights_then_tokenizer"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_frame_magic_checksum_flag_and_python_lz4_decodes(loader, samples, name):
    data = samples[name]
    frame = loader.compress_model(data)
    assert type(frame) is bytes
    assert frame[:4] == FRAME_MAGIC
    flg = frame[4]
    assert flg >> 6 == 0b01, "frame version must be 01"
    assert flg & 0x04, "content checksum flag must be set"
    info = lz4.frame.get_frame_info(frame)
    assert info["content_checksum"] is True
    assert lz4.frame.decompress(frame) == data


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_frame_round_trips_through_decompress_model(loader, samples, name):
    data = samples[name]
    assert loader.decompress_model(loader.compress_model(data)) == data


@pytest.mark.parametrize("name", ["empty", "text", "random", "zeros", "model"])
def test_lz4_command_decodes_our_frame_from_stdin(loader, samples, name):
    data = samples[name]
    proc = subprocess.run([LZ4_CLI, "-d", "-c"], input=loader.compress_model(data), capture_output=True, check=True)
    assert proc.stdout == data


@pytest.mark.parametrize("name", ["text", "zeros", "model"])
def test_lz4_command_decodes_and_tests_our_frame_from_a_file(loader, samples, name, tmp_path):
    data = samples[name]
    src = tmp_path / "model.pkl.lz4"
    src.write_bytes(loader.compress_model(data))
    subprocess.run([LZ4_CLI, "-t", "-q", str(src)], check=True, capture_output=True)
    out = tmp_path / "model.pkl"
    subprocess.run([LZ4_CLI, "-d", "-q", "-f", str(src), str(out)], check=True, capture_output=True)
    assert out.read_bytes() == data


@pytest.mark.parametrize("kind", ["bytearray", "memoryview", "numpy", "numpy_2d_float32", "readonly_numpy"])
def test_compress_model_accepts_bytes_like(loader, samples, kind):
    weights = np.frombuffer(samples["weights"], dtype=np.float32)
    obj = {
        "bytearray": bytearray(samples["model"]),
        "memoryview": memoryview(samples["model"]),
        "numpy": np.frombuffer(samples["model"], dtype=np.uint8).copy(),
        "numpy_2d_float32": weights[: 1000 * 30].reshape(1000, 30),
        "readonly_numpy": np.frombuffer(samples["model"], dtype=np.uint8),
    }[kind]
    want = memoryview(obj).tobytes()
    assert lz4.frame.decompress(loader.compress_model(obj)) == want


@pytest.mark.parametrize("bad", ["model bytes", 42, None])
def test_compress_and_decompress_model_reject_non_bytes_with_type_error(loader, bad):
    with pytest.raises(TypeError):
        loader.compress_model(bad)
    with pytest.raises(TypeError):
        loader.decompress_model(bad)


@pytest.mark.parametrize("name", ["text", "random", "zeros", "weights", "model", "weights_then_tokenizer"])
def test_default_level_size_within_2_percent_of_python_lz4(loader, samples, name):
    data = samples[name]
    ours = len(loader.compress_model(data))
    ref = len(lz4.frame.compress(data))
    assert ours <= 1.02 * ref, f"{ours} bytes vs lz4.frame {ref}"


# ---------------------------------------------------------------------------------------------
# compression_level


def test_default_level_is_zero(tmp_path):
    assert RustModelLoader(cache_dir=tmp_path).compression_level == 0
    assert RustModelLoader(cache_dir=tmp_path, compression_level=None).compression_level == 0


@pytest.fixture(scope="module", params=["text", "weights_then_tokenizer"])
def sizes_by_level(request, samples, tmp_path_factory):
    cache = tmp_path_factory.mktemp("levels")
    data = samples[request.param]
    frames = [RustModelLoader(cache_dir=cache, compression_level=level).compress_model(data) for level in range(13)]
    return data, frames


@pytest.mark.parametrize("level", range(13))
def test_every_level_writes_a_valid_frame(sizes_by_level, level, tmp_path):
    data, frames = sizes_by_level
    frame = frames[level]
    assert frame[:4] == FRAME_MAGIC and frame[4] & 0x04
    assert lz4.frame.decompress(frame) == data
    assert RustModelLoader(cache_dir=tmp_path, compression_level=level).decompress_model(frame) == data


def test_higher_level_is_never_larger_on_compressible_data(sizes_by_level):
    data, frames = sizes_by_level
    sizes = [len(f) for f in frames]
    for level in range(12):
        assert sizes[level + 1] <= sizes[level], f"level {level + 1} gave {sizes[level + 1]} > level {level} {sizes[level]}: {sizes}"
    assert sizes[12] < sizes[0], f"high compression must beat the fast level on compressible data: {sizes}"


@pytest.mark.parametrize("level", [9, 12])
@pytest.mark.parametrize("name", ["text", "model", "weights_then_tokenizer"])
def test_high_levels_within_5_percent_of_python_lz4(samples, tmp_path, name, level):
    data = samples[name]
    ours = len(RustModelLoader(cache_dir=tmp_path, compression_level=level).compress_model(data))
    ref = len(lz4.frame.compress(data, compression_level=level))
    assert ours <= 1.05 * ref, f"{ours} bytes vs lz4.frame level {level} {ref} ({ours / ref:.3f}x)"


@pytest.mark.parametrize("level", [13, -1, 100, -(2**40)])
def test_level_out_of_range_raises_value_error(tmp_path, level):
    with pytest.raises(ValueError):
        RustModelLoader(cache_dir=tmp_path, compression_level=level)


@pytest.mark.parametrize("level", [True, False, "3", 3.0, b"3"])
def test_level_of_wrong_type_raises_type_error(tmp_path, level):
    with pytest.raises(TypeError):
        RustModelLoader(cache_dir=tmp_path, compression_level=level)


def test_level_accepts_numpy_integer(tmp_path):
    assert RustModelLoader(cache_dir=tmp_path, compression_level=np.int32(9)).compression_level == 9


def test_level_is_keyword_or_positional(tmp_path):
    assert RustModelLoader(tmp_path, 5).compression_level == 5
    assert RustModelLoader(cache_dir=str(tmp_path), compression_level=12).compression_level == 12


# ---------------------------------------------------------------------------------------------
# decompress_model: reading frames other tools wrote


FRAME_VARIANTS = [
    dict(block_size=bs, block_linked=linked, content_checksum=cc, store_size=ss, block_checksum=bc)
    for bs in (lz4.frame.BLOCKSIZE_MAX64KB, lz4.frame.BLOCKSIZE_MAX256KB, lz4.frame.BLOCKSIZE_MAX1MB, lz4.frame.BLOCKSIZE_MAX4MB)
    for linked in (True, False)
    for cc, ss, bc in ((True, True, False), (False, False, False), (True, False, True), (False, True, True))
]


@pytest.mark.parametrize("opts", FRAME_VARIANTS, ids=lambda o: "bs{block_size}-linked{block_linked:d}-cc{content_checksum:d}-size{store_size:d}-bc{block_checksum:d}".format(**o))
def test_reads_python_lz4_frames(loader, samples, opts):
    data = samples["text"] + samples["random"][:100 * KiB] + samples["text"]
    assert loader.decompress_model(lz4.frame.compress(data, **opts)) == data


@pytest.mark.parametrize("level", [0, 3, 9, 12, -5])
def test_reads_python_lz4_frames_at_any_level(loader, samples, level):
    data = samples["model"]
    assert loader.decompress_model(lz4.frame.compress(data, compression_level=level)) == data


def test_reads_python_lz4_empty_frames(loader):
    assert loader.decompress_model(lz4.frame.compress(b"")) == b""
    assert loader.decompress_model(lz4.frame.compress(b"", store_size=False)) == b""


def test_reads_concatenated_frames(loader):
    a, b = b"first frame " * 1000, b"second frame " * 1000
    assert loader.decompress_model(lz4.frame.compress(a) + lz4.frame.compress(b, store_size=False)) == a + b


SKIPPABLE = b"\x5a\x2a\x4d\x18\x04\x00\x00\x00abcd"


def test_reads_skippable_frames_like_the_lz4_command(loader):
    a, b = lz4.frame.compress(b"first"), lz4.frame.compress(b"second")
    for data, want in ((SKIPPABLE, b""), (a + SKIPPABLE + b, b"firstsecond"), (SKIPPABLE + a, b"first")):
        cli = subprocess.run([LZ4_CLI, "-d", "-c"], input=data, capture_output=True, check=True).stdout
        assert cli == want
        assert loader.decompress_model(data) == want


def test_legacy_frame_decodes_or_raises_invalid_model_data_error(loader):
    data = b"legacy format written by lz4 -l " * 1000
    legacy = subprocess.run([LZ4_CLI, "-l", "-c"], input=data, capture_output=True, check=True).stdout
    assert legacy[:4] == b"\x02\x21\x4c\x18"
    try:
        got = loader.decompress_model(legacy)
    except InvalidModelDataError as err:
        assert isinstance(err, OSError) and isinstance(err, ValueError)
    else:
        assert got == data


def test_frame_needing_a_dictionary_raises_invalid_model_data_error(loader):
    frame = bytearray(lz4.frame.compress(b"needs a dictionary " * 100, store_size=False))
    assert frame[4] & 0x09 == 0
    descriptor = bytes([frame[4] | 0x01, frame[5]]) + (0xDEADBEEF).to_bytes(4, "little")
    frame = frame[:4] + descriptor + bytes([_header_checksum(descriptor)]) + frame[7:]
    with pytest.raises(InvalidModelDataError) as exc_info:
        loader.decompress_model(bytes(frame))
    _check_invalid(exc_info)


def test_reads_a_streamed_frame_without_content_size(loader, samples):
    data = samples["text"]
    with lz4.frame.LZ4FrameCompressor(block_size=lz4.frame.BLOCKSIZE_MAX64KB) as comp:
        frame = comp.begin() + comp.compress(data[:1000]) + comp.compress(data[1000:]) + comp.flush()
    assert loader.decompress_model(frame) == data


CLI_FLAGS = [["-1"], ["-9"], ["-12"], ["-BD"], ["-B4"], ["-B5"], ["-B6"], ["-B7"], ["--no-frame-crc"],
             ["--content-size"], ["-BX"], ["-9", "-BD", "-B4", "--content-size"], ["--favor-decSpeed", "-12"]]


@pytest.mark.parametrize("flags", CLI_FLAGS, ids=" ".join)
def test_reads_frames_the_lz4_command_writes(loader, samples, flags):
    data = samples["text"] + samples["zeros"][: 300 * KiB] + samples["weights"][: 300 * KiB]
    frame = subprocess.run([LZ4_CLI, "-c", *flags], input=data, capture_output=True, check=True).stdout
    assert frame[:4] == FRAME_MAGIC
    assert loader.decompress_model(frame) == data


def test_reads_a_file_the_lz4_command_wrote(loader, samples, tmp_path):
    src = tmp_path / "weights.bin"
    src.write_bytes(samples["model"])
    subprocess.run([LZ4_CLI, "-q", "-9", str(src), str(tmp_path / "weights.bin.lz4")], check=True, capture_output=True)
    assert loader.decompress_model((tmp_path / "weights.bin.lz4").read_bytes()) == samples["model"]


@pytest.mark.parametrize("level", [1, 6, 9])
@pytest.mark.parametrize("name", ["empty", "text", "model"])
def test_reads_gzip_like_the_original_cache(loader, samples, name, level):
    data = samples[name]
    assert loader.decompress_model(gzip.compress(data, compresslevel=level)) == data


def test_reads_gzip_written_by_gzip_module_file(loader, samples, tmp_path):
    path = tmp_path / "old_cache_entry.gz"
    with gzip.open(path, "wb") as f:
        f.write(samples["model"])
    assert loader.decompress_model(path.read_bytes()) == samples["model"]


@pytest.mark.parametrize("kind", ["bytearray", "memoryview", "numpy"])
def test_decompress_model_accepts_bytes_like(loader, samples, kind):
    frame = lz4.frame.compress(samples["model"])
    obj = {"bytearray": bytearray(frame), "memoryview": memoryview(frame), "numpy": np.frombuffer(frame, np.uint8)}[kind]
    assert loader.decompress_model(obj) == samples["model"]


# ---------------------------------------------------------------------------------------------
# decompress_model: errors


def _check_invalid(exc_info):
    err = exc_info.value
    assert isinstance(err, InvalidModelDataError)
    assert isinstance(err, OSError) and isinstance(err, ValueError)


GARBAGE = {
    "empty": b"",
    "one_byte": b"\x04",
    "text": b"this is not compressed data at all",
    "pickle": pickle.dumps({"a": 1}),
    "magic_only": FRAME_MAGIC,
    "zlib_not_gzip": __import__("zlib").compress(b"data" * 100),
    "gzip_magic_only": b"\x1f\x8b",
    "raw_block": lz4.block.compress(b"data" * 100, store_size=False),
    "frame_version_00": b"\x04\x22\x4d\x18\x24\x70\x00" + bytes(8),
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_garbage_raises_invalid_model_data_error(loader, name):
    with pytest.raises(InvalidModelDataError) as exc_info:
        loader.decompress_model(GARBAGE[name])
    _check_invalid(exc_info)


def test_random_garbage_raises_invalid_model_data_error(loader):
    rng = np.random.default_rng(5)
    for n in (1, 3, 7, 15, 100, 4096):
        for _ in range(20):
            with pytest.raises(InvalidModelDataError):
                loader.decompress_model(rng.bytes(n))


def test_random_bytes_after_a_valid_header_raise(loader):
    rng = np.random.default_rng(6)
    header = lz4.frame.compress(b"x" * 100000)[:7]
    for _ in range(200):
        junk = header + rng.bytes(int(rng.integers(1, 300)))
        with pytest.raises(InvalidModelDataError):
            loader.decompress_model(junk)


@pytest.mark.parametrize("source", ["ours", "python_lz4", "python_lz4_no_size", "gzip"])
def test_truncated_data_raises(loader, samples, source):
    data = samples["model"]
    whole = {
        "ours": loader.compress_model(data),
        "python_lz4": lz4.frame.compress(data, block_size=lz4.frame.BLOCKSIZE_MAX64KB),
        "python_lz4_no_size": lz4.frame.compress(data, block_size=lz4.frame.BLOCKSIZE_MAX64KB, store_size=False),
        "gzip": gzip.compress(data),
    }[source]
    for cut in sorted({1, 4, 5, 7, 11, 15, 19, 100, len(whole) // 2, len(whole) - 5, len(whole) - 4, len(whole) - 1}):
        with pytest.raises(InvalidModelDataError) as exc_info:
            loader.decompress_model(whole[:cut])
        _check_invalid(exc_info)


@pytest.mark.parametrize("source", ["ours", "python_lz4_checksums", "gzip"])
def test_flipped_bytes_raise(loader, samples, source):
    data = samples["text"]
    whole = {
        "ours": loader.compress_model(data),
        "python_lz4_checksums": lz4.frame.compress(data, content_checksum=True, block_checksum=True),
        "gzip": gzip.compress(data),
    }[source]
    rng = np.random.default_rng(11)
    # gzip's header bytes 4..9 (mtime, flags, OS) carry no checksum: no gzip reader notices them.
    first = 10 if source == "gzip" else 4
    positions = sorted({first, first + 1, first + 2, len(whole) // 3, len(whole) // 2, len(whole) - 6, len(whole) - 2, len(whole) - 1}
                       | {int(p) for p in rng.integers(12, len(whole) - 8, 40)})
    for pos in positions:
        bad = bytearray(whole)
        bad[pos] ^= 0x20
        with pytest.raises(InvalidModelDataError) as exc_info:
            loader.decompress_model(bytes(bad))
        _check_invalid(exc_info)


def test_trailing_garbage_after_a_frame_raises(loader):
    frame = lz4.frame.compress(b"payload " * 1000)
    with pytest.raises(InvalidModelDataError):
        loader.decompress_model(frame + b"junk")


def test_our_xxh32_matches_real_frame_headers():
    for opts in (dict(store_size=True), dict(store_size=False), dict(block_size=lz4.frame.BLOCKSIZE_MAX64KB)):
        frame = lz4.frame.compress(b"header check", **opts)
        end = 7 if not frame[4] & 0x08 else 15
        assert _header_checksum(frame[4:end - 1]) == frame[end - 1]


@pytest.mark.parametrize("delta", [1, -1, 1000])
def test_content_size_that_lies_raises(loader, delta):
    data = b"abcdefgh" * 10000
    frame = bytearray(lz4.frame.compress(data, store_size=True, content_checksum=False))
    frame[6:14] = (len(data) + delta).to_bytes(8, "little")
    frame[14] = _header_checksum(bytes(frame[4:14]))
    with pytest.raises(InvalidModelDataError):
        loader.decompress_model(bytes(frame))


def test_huge_content_size_in_header_raises_without_allocating(loader):
    """A 7-byte frame whose header claims 2**60 bytes of content must be refused before allocating."""
    frame = bytearray(lz4.frame.compress(b"tiny", store_size=True, content_checksum=False))
    assert frame[4] & 0x08
    frame[6:14] = (2**60).to_bytes(8, "little")
    frame[14] = _header_checksum(bytes(frame[4:14]))
    with pytest.raises(InvalidModelDataError):
        loader.decompress_model(bytes(frame))


def _header_checksum(descriptor: bytes) -> int:
    """The frame header checksum: second byte of xxh32(descriptor, seed 0)."""
    return (_xxh32(descriptor) >> 8) & 0xFF


def _xxh32(data: bytes, seed: int = 0) -> int:
    p1, p2, p3, p4, p5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
    mask = 0xFFFFFFFF

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & mask

    def round_(acc, lane):
        return (rotl((acc + lane * p2) & mask, 13) * p1) & mask

    n, i = len(data), 0
    if n >= 16:
        v = [(seed + p1 + p2) & mask, (seed + p2) & mask, seed, (seed - p1) & mask]
        while i + 16 <= n:
            for k in range(4):
                v[k] = round_(v[k], int.from_bytes(data[i + 4 * k:i + 4 * k + 4], "little"))
            i += 16
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & mask
    else:
        h = (seed + p5) & mask
    h = (h + n) & mask
    while i + 4 <= n:
        h = (rotl((h + int.from_bytes(data[i:i + 4], "little") * p3) & mask, 17) * p4) & mask
        i += 4
    while i < n:
        h = (rotl((h + data[i] * p5) & mask, 11) * p1) & mask
        i += 1
    h ^= h >> 15
    h = (h * p2) & mask
    h ^= h >> 13
    h = (h * p3) & mask
    h ^= h >> 16
    return h


# ---------------------------------------------------------------------------------------------
# the cache directory


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_default_cache_dir_is_under_tempfile_gettempdir(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert tempfile.gettempdir() == str(tmp_path)
    loader = RustModelLoader()
    want = os.path.join(str(tmp_path), "jarvis_ml_cache")
    assert loader.cache_dir == want
    assert os.path.isdir(want) and not os.path.islink(want)
    assert _mode(want) == 0o700


def test_default_cache_dir_follows_tmpdir_changes(tmp_path, monkeypatch):
    for sub in ("one", "two"):
        (tmp_path / sub).mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / sub))
        assert RustModelLoader().cache_dir == str(tmp_path / sub / "jarvis_ml_cache")


def test_cache_dir_is_created_mode_0700_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        loader = RustModelLoader(cache_dir=tmp_path / "a" / "b" / "c")
    finally:
        os.umask(old)
    for part in ("a", "a/b", "a/b/c"):
        assert (tmp_path / part).is_dir()
    assert _mode(tmp_path / "a" / "b" / "c") == 0o700
    assert loader.cache_dir == str(tmp_path / "a" / "b" / "c")


def test_cache_dir_is_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loader = RustModelLoader(cache_dir="rel/cache")
    assert loader.cache_dir == str(tmp_path / "rel" / "cache")
    assert os.path.isabs(loader.cache_dir)


def test_existing_own_cache_dir_is_reused(tmp_path):
    d = tmp_path / "cache"
    d.mkdir(mode=0o700)
    (d / "keep.txt").write_bytes(b"x")
    RustModelLoader(cache_dir=d)
    assert (d / "keep.txt").read_bytes() == b"x"


def test_symlinked_cache_dir_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(OSError):
        RustModelLoader(cache_dir=link)


def test_dangling_symlink_cache_dir_is_refused(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "planted_later")
    with pytest.raises(OSError):
        RustModelLoader(cache_dir=link)
    assert not (tmp_path / "planted_later").exists(), "the loader created a directory where the link pointed"


def test_cache_dir_owned_by_another_user_is_refused(tmp_path):
    if os.geteuid() == 0:
        other = tmp_path / "other"
        other.mkdir(mode=0o700)
        os.chown(other, 12345, 12345)
    else:
        other = pathlib.Path("/")  # owned by root, not by us
        assert os.stat(other).st_uid != os.geteuid()
    with pytest.raises(OSError) as exc_info:
        RustModelLoader(cache_dir=other)
    assert str(exc_info.value)


def test_explicit_cache_dir_planted_by_another_user_is_refused(tmp_path):
    # (A planted *default* directory makes the loader fall back instead: test_default_cache_dir.py.)
    planted = tmp_path / "jarvis_ml_cache"
    if os.geteuid() == 0:
        planted.mkdir(mode=0o777)
        os.chown(planted, 12345, 12345)
    else:
        planted.symlink_to("/")
    with pytest.raises(OSError):
        RustModelLoader(cache_dir=planted)


def test_cache_dir_that_is_a_regular_file_is_refused(tmp_path):
    f = tmp_path / "not_a_dir"
    f.write_bytes(b"x")
    with pytest.raises(OSError):
        RustModelLoader(cache_dir=f)
    with pytest.raises(OSError):
        RustModelLoader(cache_dir=f / "below")
    assert f.read_bytes() == b"x"


@pytest.mark.parametrize("kind", ["str", "bytes", "Path"])
def test_cache_dir_accepts_str_bytes_and_path(tmp_path, kind):
    d = tmp_path / "cache"
    arg = {"str": str(d), "bytes": os.fsencode(str(d)), "Path": d}[kind]
    assert RustModelLoader(cache_dir=arg).cache_dir == str(d)
    assert d.is_dir()


@pytest.mark.parametrize("bad", [123, 1.5, ["x"]])
def test_cache_dir_of_wrong_type_raises_type_error(bad):
    with pytest.raises(TypeError):
        RustModelLoader(cache_dir=bad)


# ---------------------------------------------------------------------------------------------
# load_quantized_model and the cache


@pytest.fixture
def model_dict():
    rng = np.random.default_rng(42)
    return {
        "embed": rng.standard_normal((256, 32)).astype(np.float32),
        "proj": rng.standard_normal((32, 32)).astype(np.float64),
        "vocab": [f"token{i}" for i in range(500)],
    }


@pytest.fixture
def model_file(tmp_path, model_dict):
    path = tmp_path / "models" / "model.pkl"
    path.parent.mkdir()
    path.write_bytes(pickle.dumps(model_dict))
    return path


def _assert_model_equal(got, want):
    assert set(got) == set(want)
    for k, v in want.items():
        if isinstance(v, np.ndarray):
            assert got[k].dtype == v.dtype and np.array_equal(got[k], v)
        else:
            assert got[k] == v


def _entries(loader):
    return sorted(pathlib.Path(loader.cache_dir).iterdir())


def _identity(path):
    st_ = os.stat(path)
    return st_.st_ino, st_.st_mtime_ns, st_.st_size


def test_load_without_compression_returns_the_file_bytes(loader, model_file):
    got = loader.load_quantized_model(model_file, False)
    assert type(got) is bytes
    assert got == model_file.read_bytes()
    assert _entries(loader) == [], "the plain read must not touch the cache"


def test_load_empty_file(loader, tmp_path):
    empty = tmp_path / "empty.pkl"
    empty.write_bytes(b"")
    assert loader.load_quantized_model(empty, False) == b""
    frame = loader.load_quantized_model(empty, True)
    assert frame[:4] == FRAME_MAGIC and loader.decompress_model(frame) == b""


def test_load_with_compression_round_trips_through_decompress_model_and_pickle(loader, model_file, model_dict):
    blob = loader.load_quantized_model(model_file, True)
    assert type(blob) is bytes
    assert blob[:4] == FRAME_MAGIC and blob[4] & 0x04
    assert lz4.frame.decompress(blob) == model_file.read_bytes()
    _assert_model_equal(pickle.loads(loader.decompress_model(blob)), model_dict)


def test_quantize_flag_is_taken_by_truthiness(loader, model_file):
    raw = model_file.read_bytes()
    assert loader.load_quantized_model(model_file, 0) == raw
    assert loader.load_quantized_model(model_file, quantize_to_int8=1)[:4] == FRAME_MAGIC


def test_second_call_is_served_from_the_cache(loader, model_file):
    first = loader.load_quantized_model(model_file, True)
    entries = _entries(loader)
    assert len(entries) == 1
    before = _identity(entries[0])
    second = loader.load_quantized_model(model_file, True)
    assert second == first
    assert _entries(loader) == entries
    assert _identity(entries[0]) == before, "the entry was rewritten instead of served"


def test_a_new_loader_on_the_same_dir_is_served_from_the_cache(tmp_path, model_file):
    first = RustModelLoader(cache_dir=tmp_path / "cache").load_quantized_model(model_file, True)
    [entry] = _entries(RustModelLoader(cache_dir=tmp_path / "cache"))
    before = _identity(entry)
    again = RustModelLoader(cache_dir=tmp_path / "cache").load_quantized_model(model_file, True)
    assert again == first and _identity(entry) == before


def test_cache_files_are_mode_0600(loader, model_file):
    old = os.umask(0)
    try:
        loader.load_quantized_model(model_file, True)
    finally:
        os.umask(old)
    [entry] = _entries(loader)
    assert entry.is_file() and _mode(entry) == 0o600


def test_levels_do_not_share_entries(tmp_path, model_file):
    fast = RustModelLoader(cache_dir=tmp_path / "cache", compression_level=0)
    small = RustModelLoader(cache_dir=tmp_path / "cache", compression_level=12)
    a = fast.load_quantized_model(model_file, True)
    b = small.load_quantized_model(model_file, True)
    assert a == fast.compress_model(model_file.read_bytes())
    assert b == small.compress_model(model_file.read_bytes())
    assert fast.decompress_model(a) == small.decompress_model(b) == model_file.read_bytes()


def test_two_files_with_the_same_name_in_different_folders_do_not_collide(loader, tmp_path):
    a, b = tmp_path / "a" / "model.pkl", tmp_path / "b" / "model.pkl"
    a.parent.mkdir()
    b.parent.mkdir()
    a.write_bytes(pickle.dumps({"which": "a", "w": np.ones(100)}))
    b.write_bytes(pickle.dumps({"which": "b", "w": np.zeros(100)}))
    for _ in range(2):
        assert pickle.loads(loader.decompress_model(loader.load_quantized_model(a, True)))["which"] == "a"
        assert pickle.loads(loader.decompress_model(loader.load_quantized_model(b, True)))["which"] == "b"
    assert len(_entries(loader)) == 2


def test_a_source_rewritten_with_a_different_size_invalidates(loader, model_file):
    loader.load_quantized_model(model_file, True)
    model_file.write_bytes(pickle.dumps({"version": 2, "w": np.arange(10)}))
    got = pickle.loads(loader.decompress_model(loader.load_quantized_model(model_file, True)))
    assert got["version"] == 2
    assert len(_entries(loader)) == 1, "a changed source should replace its entry, not add one"


def test_a_source_rewritten_with_the_same_size_and_a_new_mtime_invalidates(loader, model_file):
    old = model_file.read_bytes()
    loader.load_quantized_model(model_file, True)
    st_ = os.stat(model_file)
    new = bytearray(old)
    new[-20:-2] = b"Z" * 18  # same length, different content (inside the pickled vocab strings)
    assert len(new) == len(old) and new != old
    model_file.write_bytes(bytes(new))
    os.utime(model_file, ns=(st_.st_atime_ns, st_.st_mtime_ns + 2_000_000_000))
    assert os.stat(model_file).st_size == st_.st_size
    assert loader.decompress_model(loader.load_quantized_model(model_file, True)) == bytes(new)


def test_only_the_mtime_changing_rebuilds_the_entry(loader, model_file):
    loader.load_quantized_model(model_file, True)
    [entry] = _entries(loader)
    before = _identity(entry)
    st_ = os.stat(model_file)
    os.utime(model_file, ns=(st_.st_atime_ns, st_.st_mtime_ns - 3_000_000_000))
    assert loader.decompress_model(loader.load_quantized_model(model_file, True)) == model_file.read_bytes()
    assert _identity(_entries(loader)[0]) != before


def test_a_symlink_to_the_source_shares_its_entry(loader, model_file, tmp_path):
    first = loader.load_quantized_model(model_file, True)
    [entry] = _entries(loader)
    before = _identity(entry)
    link = tmp_path / "link_to_model.pkl"
    link.symlink_to(model_file)
    assert loader.load_quantized_model(link, True) == first
    assert _entries(loader) == [entry] and _identity(entry) == before


def test_relative_and_absolute_paths_share_an_entry(loader, model_file, monkeypatch):
    first = loader.load_quantized_model(str(model_file), True)
    [entry] = _entries(loader)
    before = _identity(entry)
    monkeypatch.chdir(model_file.parent)
    assert loader.load_quantized_model("model.pkl", True) == first
    assert loader.load_quantized_model("./../models/model.pkl", True) == first
    assert _entries(loader) == [entry] and _identity(entry) == before


DAMAGE = {
    "flip_first_byte": lambda b: b"\x00" + b[1:] if b[:1] != b"\x00" else b"\x01" + b[1:],
    **{f"flip_byte_{i}": (lambda i: lambda b: b[:i] + bytes([b[i] ^ 0x01]) + b[i + 1:])(i) for i in (9, 17, 25, 33, 40, 60)},
    "flip_middle": lambda b: b[:len(b) // 2] + bytes([b[len(b) // 2] ^ 0x80]) + b[len(b) // 2 + 1:],
    "flip_last_byte": lambda b: b[:-1] + bytes([b[-1] ^ 0x01]),
    "truncate_to_zero": lambda b: b"",
    "truncate_to_10": lambda b: b[:10],
    "truncate_half": lambda b: b[:len(b) // 2],
    "truncate_last_byte": lambda b: b[:-1],
    "append_byte": lambda b: b + b"\x00",
    "replaced_by_gzip_of_other_data": lambda b: gzip.compress(pickle.dumps({"evil": True})),
    "replaced_by_valid_frame_of_other_data": lambda b: lz4.frame.compress(pickle.dumps({"evil": True})),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_cache_entry_is_detected_and_rebuilt(loader, model_file, model_dict, damage):
    good = loader.load_quantized_model(model_file, True)
    [entry] = _entries(loader)
    damaged = DAMAGE[damage](entry.read_bytes())
    assert damaged != entry.read_bytes()
    entry.write_bytes(damaged)
    got = loader.load_quantized_model(model_file, True)
    assert got == good
    _assert_model_equal(pickle.loads(loader.decompress_model(got)), model_dict)
    [rebuilt] = _entries(loader)
    assert rebuilt.read_bytes() != damaged, "the damaged entry was left in place"
    after = _identity(rebuilt)
    assert loader.load_quantized_model(model_file, True) == good
    assert _identity(rebuilt) == after, "the rebuilt entry is not served from the cache"


def test_an_entry_replaced_by_a_directory_is_handled(loader, model_file):
    good = loader.load_quantized_model(model_file, True)
    [entry] = _entries(loader)
    entry.unlink()
    entry.mkdir()
    try:
        got = loader.load_quantized_model(model_file, True)
    except OSError:
        return  # refusing is acceptable; returning wrong data is not
    assert got == good


def test_concurrent_loads_share_one_intact_entry(tmp_path, model_file):
    want = model_file.read_bytes()
    results, errors = [], []
    barrier = threading.Barrier(8)

    def work():
        loader = RustModelLoader(cache_dir=tmp_path / "cache")
        barrier.wait()
        try:
            for _ in range(5):
                results.append(loader.decompress_model(loader.load_quantized_model(model_file, True)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 40 and all(r == want for r in results)
    entries = _entries(RustModelLoader(cache_dir=tmp_path / "cache"))
    assert len(entries) == 1, f"temporary files left behind: {entries}"


def test_concurrent_processes_share_one_intact_entry(tmp_path, model_file):
    script = (
        "import sys, pickle\n"
        "from jarvis_rust_extensions import RustModelLoader\n"
        "l = RustModelLoader(cache_dir=sys.argv[1])\n"
        "for _ in range(10):\n"
        "    assert l.decompress_model(l.load_quantized_model(sys.argv[2], True)) == open(sys.argv[2], 'rb').read()\n"
    )
    import sys
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "cache"), str(model_file)]) for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert len(list((tmp_path / "cache").iterdir())) == 1


# ---------------------------------------------------------------------------------------------
# load_quantized_model errors and path types


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("kind", ["str", "bytes", "Path"])
def test_missing_file_raises_file_not_found_with_the_filename(loader, tmp_path, compress, kind):
    missing = tmp_path / "nope" / "model.pkl"
    arg = {"str": str(missing), "bytes": os.fsencode(str(missing)), "Path": missing}[kind]
    with pytest.raises(FileNotFoundError) as exc_info:
        loader.load_quantized_model(arg, compress)
    assert exc_info.value.filename == str(missing)
    assert exc_info.value.errno == 2


def test_dangling_symlink_raises_file_not_found(loader, tmp_path):
    link = tmp_path / "dangling.pkl"
    link.symlink_to(tmp_path / "gone.pkl")
    with pytest.raises(FileNotFoundError):
        loader.load_quantized_model(link, True)


@pytest.mark.parametrize("compress", [False, True])
def test_directory_raises_os_error(loader, tmp_path, compress):
    with pytest.raises(OSError) as exc_info:
        loader.load_quantized_model(tmp_path, compress)
    assert not isinstance(exc_info.value, FileNotFoundError)
    assert isinstance(exc_info.value, IsADirectoryError) or exc_info.value.errno is not None


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("kind", ["str", "bytes", "Path"])
def test_paths_as_str_bytes_and_pathlib(loader, model_file, compress, kind):
    arg = {"str": str(model_file), "bytes": os.fsencode(str(model_file)), "Path": model_file}[kind]
    got = loader.load_quantized_model(arg, compress)
    raw = model_file.read_bytes()
    assert (loader.decompress_model(got) if compress else got) == raw


@pytest.mark.parametrize("bad", [123, None, ["x"]])
def test_path_of_wrong_type_raises_type_error(loader, bad):
    with pytest.raises(TypeError):
        loader.load_quantized_model(bad, True)


def test_path_with_nul_raises_value_error(loader):
    with pytest.raises(ValueError):
        loader.load_quantized_model("model\x00.pkl", True)


# ---------------------------------------------------------------------------------------------
# clear_cache


def test_clear_cache_empties_the_directory_and_keeps_it(loader, tmp_path, model_file):
    other = tmp_path / "other.pkl"
    other.write_bytes(pickle.dumps(list(range(1000))))
    loader.load_quantized_model(model_file, True)
    loader.load_quantized_model(other, True)
    assert len(_entries(loader)) == 2
    assert loader.clear_cache() is None
    assert os.path.isdir(loader.cache_dir) and not os.path.islink(loader.cache_dir)
    assert _entries(loader) == []
    assert _mode(loader.cache_dir) == 0o700
    assert loader.decompress_model(loader.load_quantized_model(model_file, True)) == model_file.read_bytes()
    assert len(_entries(loader)) == 1


def test_clear_cache_removes_foreign_files_and_subdirectories(loader):
    d = pathlib.Path(loader.cache_dir)
    (d / "stray.txt").write_bytes(b"x")
    (d / "sub").mkdir()
    (d / "sub" / "deep.bin").write_bytes(b"y")
    loader.clear_cache()
    assert d.is_dir() and list(d.iterdir()) == []


def test_clear_cache_twice_and_on_an_empty_cache(loader):
    loader.clear_cache()
    loader.clear_cache()
    assert os.path.isdir(loader.cache_dir)


def test_clear_cache_recreates_a_directory_removed_behind_its_back(loader, model_file):
    shutil.rmtree(loader.cache_dir)
    loader.clear_cache()
    assert os.path.isdir(loader.cache_dir) and _mode(loader.cache_dir) == 0o700


def test_clear_cache_refuses_a_cache_dir_swapped_for_a_symlink(loader, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_bytes(b"keep me")
    shutil.rmtree(loader.cache_dir)
    os.symlink(victim, loader.cache_dir)
    with pytest.raises(OSError):
        loader.clear_cache()
    assert (victim / "precious.txt").read_bytes() == b"keep me"


def test_repr_and_properties(loader, tmp_path):
    assert loader.cache_dir == str(tmp_path / "cache")
    assert "RustModelLoader" in repr(loader)
