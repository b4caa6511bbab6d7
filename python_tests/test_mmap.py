"""RustModelLoader.mmap_model against docs/API.md: a zero-copy, read-only, bytes-like memory map whose
mapping lives exactly as long as some view of it. Memory is checked through /proc/self."""

import gc
import os
import pickle
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from jarvis_rust_extensions import RustModelLoader

KiB = 1024
MiB = 1024 * KiB
PAGE = os.sysconf("SC_PAGE_SIZE")


@pytest.fixture
def loader(tmp_path):
    return RustModelLoader(cache_dir=tmp_path / "cache")


@pytest.fixture
def weights_file(tmp_path, rng):
    arr = rng.standard_normal(100_003).astype(np.float32)
    path = tmp_path / "encoder.onnx"
    path.write_bytes(arr.tobytes())
    return path, arr


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def _maps_lines_for(path) -> list:
    """Lines of /proc/self/maps that map ``path`` (also once it is deleted)."""
    ino = os.stat(path).st_ino if os.path.exists(path) else None
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split(None, 5)
            if len(fields) == 6 and fields[5].rstrip("\n").removesuffix(" (deleted)") == str(path):
                if ino is None or int(fields[4]) == ino:
                    out.append(line)
    return out


def test_returns_a_read_only_memoryview_of_the_file(loader, weights_file):
    path, arr = weights_file
    view = loader.mmap_model(path)
    assert isinstance(view, memoryview)
    assert view.readonly
    assert len(view) == view.nbytes == os.path.getsize(path)
    assert bytes(view) == path.read_bytes()
    assert view.tobytes() == path.read_bytes()


def test_slicing_indexing_and_comparison(loader, weights_file):
    path, _ = weights_file
    raw = path.read_bytes()
    view = loader.mmap_model(path)
    assert view[0] == raw[0] and view[-1] == raw[-1]
    assert bytes(view[10:20]) == raw[10:20]
    assert bytes(view[::1000]) == raw[::1000]
    assert bytes(view[-7:]) == raw[-7:]
    assert view == raw
    assert raw.startswith(view[:16])


def test_numpy_frombuffer_reads_the_file_in_place(loader, weights_file):
    path, arr = weights_file
    view = loader.mmap_model(path)
    got = np.frombuffer(view, dtype=np.float32)
    assert np.array_equal(got, arr)
    assert not got.flags.writeable
    with pytest.raises(ValueError):
        got.flags.writeable = True
    part = np.frombuffer(view, dtype=np.float32, count=10, offset=4 * 100)
    assert np.array_equal(part, arr[100:110])


def test_zero_copy(loader, weights_file):
    path, _ = weights_file
    view = loader.mmap_model(path)
    a = np.frombuffer(view, dtype=np.uint8)
    b = np.frombuffer(loader.mmap_model(path), dtype=np.uint8)
    # The data lives in a file mapping, not in the Python heap: its address is inside a maps line for the file.
    addr = a.__array_interface__["data"][0]
    spans = [tuple(int(x, 16) for x in line.split()[0].split("-")) for line in _maps_lines_for(path)]
    assert any(lo <= addr < hi for lo, hi in spans)
    assert np.shares_memory(a, np.frombuffer(view, dtype=np.uint8))
    assert not np.shares_memory(a, b)  # two calls, two mappings


def test_pickle_loads_straight_from_the_map(loader, tmp_path, rng):
    model = {"w": rng.standard_normal((64, 16)).astype(np.float32), "name": "encoder", "layers": list(range(50))}
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    got = pickle.loads(loader.mmap_model(path))
    assert got["name"] == "encoder" and got["layers"] == model["layers"]
    assert np.array_equal(got["w"], model["w"])


@pytest.mark.parametrize("write", [
    lambda v: v.__setitem__(0, 1),
    lambda v: v.__setitem__(slice(0, 2), b"ab"),
    lambda v: v[4:8].__setitem__(0, 0),
])
def test_writing_raises_type_error_and_changes_nothing(loader, weights_file, write):
    path, _ = weights_file
    raw = path.read_bytes()
    view = loader.mmap_model(path)
    with pytest.raises(TypeError):
        write(view)
    assert bytes(view) == raw == path.read_bytes()


def test_cannot_be_turned_writable_through_the_buffer_protocol(loader, weights_file):
    path, _ = weights_file
    view = loader.mmap_model(path)
    with pytest.raises((TypeError, BufferError, ValueError)):
        import ctypes
        ctypes.c_char.from_buffer(view)


def test_nothing_reachable_from_the_view_can_write_the_mapping(loader, weights_file):
    # A writable exporter behind a read-only view (a ctypes array over the mapping, say) would let
    # ``view.obj`` write to read-only pages and kill the process: run in a child so a regression
    # shows up as a failure, not a dead test run.
    path, _ = weights_file
    code = textwrap.dedent(f"""
        import ctypes
        from jarvis_rust_extensions import RustModelLoader
        view = RustModelLoader(cache_dir={str(path.parent / "cache")!r}).mmap_model({str(path)!r})
        refused = 0
        for target in (view, view.obj, view[8:16], view[8:16].obj):
            try:
                ctypes.c_char.from_buffer(target)
            except TypeError:
                refused += 1
            try:
                memoryview(target)[0] = 1
            except TypeError:
                refused += 1
        print(refused)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["8"]
    assert path.read_bytes() == weights_file[1].tobytes()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_raises_instead_of_waiting_for_a_writer(loader, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code = textwrap.dedent(f"""
        from jarvis_rust_extensions import RustModelLoader
        try:
            RustModelLoader(cache_dir={str(tmp_path / "cache")!r}).mmap_model({str(fifo)!r})
        except OSError as exc:
            print(type(exc).__name__, exc.filename)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["OSError", str(fifo)]


def test_empty_file_gives_an_empty_view(loader, tmp_path):
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    view = loader.mmap_model(empty)
    assert len(view) == 0 and bytes(view) == b""
    assert view.readonly
    assert np.frombuffer(view, dtype=np.uint8).size == 0


@pytest.mark.parametrize("size", [1, PAGE - 1, PAGE, PAGE + 1, 3 * PAGE + 17])
def test_odd_sizes(loader, tmp_path, size):
    data = bytes((i * 7 + 3) & 0xFF for i in range(size))
    path = tmp_path / f"f{size}.bin"
    path.write_bytes(data)
    view = loader.mmap_model(path)
    assert len(view) == size and bytes(view) == data


def test_missing_file_raises_file_not_found(loader, tmp_path):
    missing = tmp_path / "missing.onnx"
    with pytest.raises(FileNotFoundError) as exc_info:
        loader.mmap_model(missing)
    assert exc_info.value.filename == str(missing)


def test_directory_raises_os_error(loader, tmp_path):
    with pytest.raises(OSError) as exc_info:
        loader.mmap_model(tmp_path)
    assert isinstance(exc_info.value, IsADirectoryError) or not isinstance(exc_info.value, FileNotFoundError)


def test_unreadable_file_raises_permission_error_for_non_root(loader, tmp_path):
    path = tmp_path / "secret.bin"
    path.write_bytes(b"secret")
    path.chmod(0)
    try:
        if os.geteuid() == 0:
            assert bytes(loader.mmap_model(path)) == b"secret"  # root reads anything
        else:
            with pytest.raises(PermissionError):
                loader.mmap_model(path)
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize("kind", ["str", "bytes", "Path"])
def test_paths_as_str_bytes_and_pathlib(loader, weights_file, kind):
    path, _ = weights_file
    arg = {"str": str(path), "bytes": os.fsencode(str(path)), "Path": path}[kind]
    assert bytes(loader.mmap_model(arg)) == path.read_bytes()


def test_view_outlives_the_loader_and_the_file(tmp_path, weights_file):
    path, arr = weights_file
    loader = RustModelLoader(cache_dir=tmp_path / "cache")
    view = loader.mmap_model(path)
    del loader
    os.remove(path)
    shutil.rmtree(tmp_path / "cache")
    gc.collect()
    assert not path.exists()
    assert np.array_equal(np.frombuffer(view, dtype=np.float32), arr)


def test_a_slice_keeps_the_mapping_alive(loader, weights_file):
    path, arr = weights_file
    view = loader.mmap_model(path)
    part = view[400:440]
    del view
    gc.collect()
    assert _maps_lines_for(path), "the file was unmapped while a slice of it was alive"
    assert np.array_equal(np.frombuffer(part, dtype=np.float32), arr[100:110])
    del part
    gc.collect()
    assert not _maps_lines_for(path)


def test_a_numpy_array_keeps_the_mapping_alive(loader, weights_file):
    path, arr = weights_file
    a = np.frombuffer(loader.mmap_model(path), dtype=np.float32)
    gc.collect()
    assert _maps_lines_for(path)
    assert np.array_equal(a, arr)
    del a
    gc.collect()
    assert not _maps_lines_for(path)


def test_many_maps_are_all_released(loader, weights_file):
    path, _ = weights_file
    for _ in range(300):
        view = loader.mmap_model(path)
        assert view[0] == path.read_bytes()[0]
        del view
    gc.collect()
    assert not _maps_lines_for(path)


def test_big_file_costs_no_memory_until_touched_and_is_unmapped_after(loader, tmp_path):
    path = tmp_path / "big.bin"
    size = 256 * MiB
    with open(path, "wb") as f:
        f.write(b"HEAD")
        f.seek(size - 4)
        f.write(b"TAIL")  # sparse: costs no disk, and nothing is in memory until read
    gc.collect()
    before = _rss()
    view = loader.mmap_model(path)
    after_map = _rss()
    assert len(view) == size
    assert after_map - before < 32 * MiB, f"mapping grew RSS by {(after_map - before) / MiB:.1f} MiB"
    assert bytes(view[:4]) == b"HEAD" and bytes(view[-4:]) == b"TAIL"
    assert len(_maps_lines_for(path)) >= 1

    # Touching every page does bring it in: the measurement above could have seen it.
    touched = int(np.frombuffer(view, dtype=np.uint8)[::PAGE].sum())
    assert touched >= 0
    assert _rss() - before > 128 * MiB

    del view
    gc.collect()
    assert not _maps_lines_for(path), "the mapping outlived its last view"
    assert _rss() - before < 32 * MiB
