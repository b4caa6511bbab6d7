"""A process killed (SIGKILL) while writing a cache entry leaves either no entry or a complete one,
never a torn file; leftovers are cleaned later; two processes filling one entry both get correct data."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from jarvis_rust_extensions import RustModelLoader

WRITER = textwrap.dedent("""
    import sys
    from jarvis_rust_extensions import RustModelLoader
    loader = RustModelLoader(cache_dir=sys.argv[1])
    print("start", flush=True)
    loader.load_quantized_model(sys.argv[2], True)
    print("done", flush=True)
""")


@pytest.fixture(scope="module")
def big_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.bin"
    rng = np.random.default_rng(0)
    with open(path, "wb") as f:
        for _ in range(12):  # 96 MiB of float32 weights: compressing it takes a moment
            f.write(rng.standard_normal(2 * 2**20, dtype=np.float32).tobytes())
    return str(path)


def _assert_complete_entry(path):
    """Entry layout (jarvisrs/cache/entry.go): magic, source size, mtime, payload length, CRC-32C, payload."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"JRXCACH1"
    (length,) = struct.unpack_from("<Q", data, 24)
    assert len(data) == 36 + length, "torn cache entry"
    assert data[36:40] == b"\x04\x22\x4d\x18"  # an LZ4 frame follows


def _entries(cache_dir):
    return sorted(os.listdir(cache_dir)) if os.path.isdir(cache_dir) else []


def _temporaries(directory):
    return [e for e in _entries(directory) if ".jrx-tmp-" in e]


def _kill(child, directory, moment):
    """SIGKILL the writer ``child`` at ``moment``: "early" right after it started, "mid-write" as
    soon as its temporary file (``.jrx-tmp-`` in ``directory``) has data. Returns the temporaries
    left after the kill: for "mid-write" they prove the kill landed before the rename."""
    assert child.stdout.readline().strip() == "start"
    if moment == "mid-write":
        deadline = time.monotonic() + 60
        while not any(os.path.getsize(os.path.join(directory, t)) > 0 for t in _temporaries(directory)
                      if os.path.exists(os.path.join(directory, t))):
            assert child.poll() is None, "the writer finished before anything was seen mid-write"
            assert time.monotonic() < deadline, "no temporary file appeared"
            time.sleep(0.0005)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    return _temporaries(directory)


def _killed_mid_write(start, directory, attempts=3):
    """Run ``start()`` (which starts a writer) until a kill lands mid-write, at most ``attempts``
    times; every attempt's aftermath is returned for checking. Fails if no kill landed mid-write."""
    for attempt in range(attempts):
        left = _kill(start(), directory, "mid-write")
        yield left
        if left:
            return
    raise AssertionError(f"none of {attempts} kills landed mid-write (the write finished first every time)")


def _check_cache_after_kill(cache_dir, big_model):
    visible = [e for e in _entries(cache_dir) if not e.startswith(".")]
    assert len(visible) <= 1
    for name in visible:  # a visible entry is complete: its header's payload length is all there
        _assert_complete_entry(os.path.join(cache_dir, name))
    return visible


@pytest.mark.parametrize("moment", ["early", "mid-write"])
def test_sigkill_while_writing_never_leaves_a_torn_entry(tmp_path, big_model, moment):
    cache_dir = str(tmp_path / "cache")
    os.makedirs(cache_dir, mode=0o700)

    def start():
        return subprocess.Popen([sys.executable, "-c", WRITER, cache_dir, big_model], stdout=subprocess.PIPE, text=True)

    if moment == "early":
        _kill(start(), cache_dir, "early")
        _check_cache_after_kill(cache_dir, big_model)
    else:
        for left in _killed_mid_write(start, cache_dir):
            visible = _check_cache_after_kill(cache_dir, big_model)
            if left:  # killed before the rename: the entry must not be visible at all
                assert visible == []
    loader = RustModelLoader(cache_dir=cache_dir)
    with open(big_model, "rb") as f:
        original = f.read()
    # Whatever the kill left, the loader answers correctly (a complete entry, or a rebuilt one).
    assert loader.decompress_model(loader.load_quantized_model(big_model, True)) == original
    assert [e for e in _entries(cache_dir) if not e.startswith(".")] != []


def test_leftover_temporaries_are_removed_later(tmp_path):
    cache_dir = tmp_path / "cache"
    RustModelLoader(cache_dir=str(cache_dir))
    leftover = cache_dir / ".0123abcd.lz4c.jrx-tmp-999"  # what a killed writer leaves
    leftover.write_bytes(b"partial")
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    fresh = cache_dir / ".4567.lz4c.jrx-tmp-111"  # a live writer's: too young to touch
    fresh.write_bytes(b"in progress")
    RustModelLoader(cache_dir=str(cache_dir))
    assert not leftover.exists()
    assert fresh.exists()


def test_two_processes_filling_the_same_entry_both_get_correct_data(tmp_path, big_model):
    cache_dir = str(tmp_path / "cache")
    check = WRITER.replace('print("done", flush=True)', "") + textwrap.dedent("""
        data = loader.decompress_model(loader.load_quantized_model(sys.argv[2], True))
        print("ok" if data == open(sys.argv[2], "rb").read() else "BAD", flush=True)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", check, cache_dir, big_model], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert [o[-1] for o in outs] == ["ok", "ok"]
    assert len([e for e in _entries(cache_dir) if not e.startswith(".")]) == 1


OUTPUT_WRITER = textwrap.dedent("""
    import sys
    import jarvis_rust_extensions as jre
    print("start", flush=True)
    if sys.argv[1] == "compress":
        jre.compress_file(sys.argv[2], sys.argv[3], progress=False)
    else:
        jre.quantize_model_file(sys.argv[2], sys.argv[3], "int8", progress=False)
    print("done", flush=True)
""")


@pytest.fixture(scope="module")
def big_safetensors(tmp_path_factory):
    import json
    import struct
    path = tmp_path_factory.mktemp("st") / "model.safetensors"
    rng = np.random.default_rng(1)
    tensors = {f"layer.{i}.weight": rng.standard_normal((1024, 2048), dtype=np.float32) for i in range(12)}
    header, offset = {}, 0
    for name, arr in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
        for arr in tensors.values():
            f.write(arr.tobytes())
    return str(path)


def _check_output_after_kill(dst, src, kind):
    content = dst.read_bytes()
    if content != b"the previous content":  # the writer finished first: then the file is whole
        if kind == "compress":
            import lz4.frame
            with open(src, "rb") as f:
                assert lz4.frame.decompress(content) == f.read()
        else:
            from safetensors.numpy import load_file
            assert len(load_file(str(dst))) == 24  # 12 codes + 12 scales
    return content


@pytest.mark.parametrize("kind", ["compress", "quantize"])
@pytest.mark.parametrize("moment", ["early", "mid-write"])
def test_sigkill_while_writing_an_output_leaves_the_old_file(tmp_path, big_model, big_safetensors, kind, moment):
    src = big_model if kind == "compress" else big_safetensors
    dst = tmp_path / "out.bin"
    dst.write_bytes(b"the previous content")

    def start():
        return subprocess.Popen([sys.executable, "-c", OUTPUT_WRITER, kind, src, str(dst)], stdout=subprocess.PIPE,
                                text=True)

    if moment == "early":
        _kill(start(), str(tmp_path), "early")
        _check_output_after_kill(dst, src, kind)
        return
    for left in _killed_mid_write(start, str(tmp_path)):
        content = _check_output_after_kill(dst, src, kind)
        if left:  # killed before the rename: the old content is untouched
            assert content == b"the previous content"
        else:
            dst.write_bytes(b"the previous content")


def test_a_dead_writers_temporaries_beside_an_output_are_removed_by_the_next_write(tmp_path, big_model):
    import jarvis_rust_extensions as jre
    dst = tmp_path / "out.lz4"
    leftovers = [tmp_path / ".out.lz4.jrx-tmp-123", tmp_path / "..out.lz4.jrx-tmp-123.jrx-tmp-456"]
    old = time.time() - 3600
    for f in leftovers:
        f.write_bytes(b"partial")
        os.utime(f, (old, old))
    jre.compress_file(big_model, str(dst), progress=False)
    assert not any(f.exists() for f in leftovers)
    assert sorted(os.listdir(tmp_path)) == ["out.lz4"]
