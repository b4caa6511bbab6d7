"""Light to import (issue #16): numpy, and the other costly modules, are imported only by the calls
that need them.

Each check runs in a fresh interpreter (a child process), because this test process has imported
numpy long ago. The children print ``OK`` as their last line; any failed ``assert`` in them shows up
in the parent's message with the child's traceback.
"""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import jarvis_rust_extensions as jre

# Modules `import jarvis_rust_extensions` must not import: numpy (~60 ms, ~20 MiB) and what made up
# most of the rest of its cost. A new eager import of one of them fails here: import it inside the
# function that needs it, or (typing) put it under `if TYPE_CHECKING:` (annotations are strings).
HEAVY = ("numpy", "asyncio", "typing", "re", "json", "ctypes", "tempfile", "dataclasses", "sysconfig")


def run_child(code, tmp_path, env=None):
    """Run ``code`` in a fresh interpreter (cwd ``tmp_path``) and return its stdout; fail with its
    output if it did not end by printing OK."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("OK"), (
        f"child exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return proc.stdout


NO_NUMPY = """
import sys

def no_numpy(what):
    assert "numpy" not in sys.modules, f"{what} imported numpy"

def must_raise(exc, call, failure):  # call() must raise exc (returned for more checks), else fail
    try:
        call()
    except exc as e:
        return e
    raise AssertionError(failure)
"""


def test_import_brings_in_none_of_the_heavy_modules(tmp_path):
    out = run_child(f"""
        import sys
        before = set(sys.modules)
        import jarvis_rust_extensions
        loaded = sorted(m for m in {HEAVY!r} if m in sys.modules and m not in before)
        print(loaded)
        assert loaded == [], loaded
        print("OK")
    """, tmp_path)
    assert out.splitlines()[0] == "[]"


def test_monitor_without_numpy(tmp_path):
    run_child(NO_NUMPY + """
import asyncio, copy, pickle
from jarvis_rust_extensions import RustMemoryMonitor, get_system_memory_info
total, available, percent = get_system_memory_info()
assert total > 0 and 0 <= available <= total
mon = RustMemoryMonitor(0.0, pressure_thresholds_mb=[4000, 3000, 2000, 1000])
stats = mon.get_memory_stats()
assert stats["total_mb"] > 0 and stats["limit_source"] in ("host", "cgroup")
mon.update_ml_stats(12.5, 2)
assert mon.get_memory_stats()["ml_models_count"] == 2
assert isinstance(mon.is_memory_available(1.0, 100.0), bool)
assert set(mon.get_memory_map()) == {"virtual_memory", "memory", "cpu_usage", "name"}  # qemu-user reports 0 bytes
assert "suggestions" in mon.suggest_cleanup(1.0)
assert mon.get_memory_pressure()["level"] in ("low", "medium", "high", "critical", "emergency")
assert mon.wait_for_memory_pressure("low", timeout=1.0) is True
assert asyncio.run(mon.wait_for_memory_pressure_async("low", timeout=1.0)) is True
assert copy.deepcopy(mon).pressure_thresholds_mb == (4000.0, 3000.0, 2000.0, 1000.0)
assert pickle.loads(pickle.dumps(mon)).get_memory_stats()["ml_models_mb"] == 12.5
must_raise(ValueError, lambda: RustMemoryMonitor(-1.0), "a negative interval was accepted")
no_numpy("the monitor")
print("OK")
""", tmp_path)


def test_lz4_block_functions_without_numpy(tmp_path):
    run_child(NO_NUMPY + """
from array import array
from jarvis_rust_extensions import LZ4BlockError, compress_data_lz4, decompress_data_lz4
data = b"jarvis " * 5000 + bytes(range(256))
for inp in (data, bytearray(data), memoryview(data), memoryview(bytearray(data)).toreadonly()):
    packed = compress_data_lz4(inp)
    assert decompress_data_lz4(packed, len(data)) == data
    assert decompress_data_lz4(bytearray(packed), len(data)) == data
    assert decompress_data_lz4(len(data).to_bytes(4, "little") + packed) == data
strided = memoryview(data)[::3]  # not contiguous: copied once, in order
assert decompress_data_lz4(compress_data_lz4(strided), len(data)) == data[::3]
words = array("i", range(1000))
assert decompress_data_lz4(compress_data_lz4(words), 4000) == words.tobytes()
assert decompress_data_lz4(compress_data_lz4(b""), 0) == b""
for bad, exc in (("text", TypeError), (None, TypeError), (3.5, TypeError)):
    must_raise(exc, lambda: compress_data_lz4(bad), f"{bad!r} was accepted")
must_raise(LZ4BlockError, lambda: decompress_data_lz4(b"\\xff" * 40, 1000), "corrupt input was accepted")
no_numpy("the LZ4 block functions")
print("OK")
""", tmp_path)


def test_loader_bytes_list_and_mmap_paths_without_numpy(tmp_path):
    run_child(NO_NUMPY + """
import copy, gzip, os, pickle, struct
from array import array
from jarvis_rust_extensions import InvalidModelDataError, RustModelLoader
loader = RustModelLoader(cache_dir="cache", compression_level=3)
model = pickle.dumps({"w": list(range(20000)), "name": "encoder"})
with open("m.pkl", "wb") as f:
    f.write(model)
assert loader.load_quantized_model("m.pkl", False) == model
blob = loader.load_quantized_model("m.pkl", True)
assert loader.decompress_model(blob) == model == loader.decompress_model(bytearray(blob))
assert loader.decompress_model(loader.compress_model(memoryview(model))) == model
assert loader.decompress_model(gzip.compress(model)) == model
must_raise(InvalidModelDataError, lambda: loader.decompress_model(b"not a model"), "junk was accepted")

values = [-1.5, 0.0, 0.25, 3.0, 7.75]
want = loader.quantize_array_int8(values)
assert isinstance(want["data"], bytes) and len(want["data"]) == 5 and want["scale"] > 0
for same in (tuple(values), array("f", values), (v for v in values), array("d", values)):
    assert loader.quantize_array_int8(same) == want
assert loader.quantize_array_int8(range(10))["max_val"] == 9.0
assert loader.quantize_array_int8([])["data"] == b""
assert loader.quantize_array_fp16(values) == struct.pack("<5e", *values)
exc = must_raise(TypeError, lambda: loader.quantize_array_int8([1.0, "x"]), "a str element was accepted")
assert str(exc).startswith("data[1]: "), exc

view = loader.mmap_model("m.pkl")
assert isinstance(view, memoryview) and view.readonly and view.format == "B" and len(view) == len(model)
assert bytes(view) == model and view[0] == model[0] and bytes(view[-9:]) == model[-9:]
assert pickle.loads(view)["name"] == "encoder"
must_raise(TypeError, lambda: view.__setitem__(0, 1), "the mapping was writable")
assert loader.decompress_model(loader.compress_model(view)) == model
open("empty.bin", "wb").close()
empty = loader.mmap_model("empty.bin")
assert len(empty) == 0 and empty.readonly
must_raise(FileNotFoundError, lambda: loader.mmap_model("missing.bin"), "a missing file was mapped")

assert copy.copy(loader).cache_dir == loader.cache_dir
assert pickle.loads(pickle.dumps(loader)).compression_level == 3
loader.clear_cache()
assert RustModelLoader().cache_dir  # the default cache directory
no_numpy("RustModelLoader's bytes, list and mmap paths")
print("OK")
""", tmp_path)


def test_list_fallback_without_the_c_reader_needs_no_numpy(tmp_path):
    """The pure-Python path (a build without the C fast paths) reads lists without numpy too."""
    run_child(NO_NUMPY + """
import struct
from jarvis_rust_extensions import RustModelLoader, _fastpaths
loader = RustModelLoader(cache_dir="cache")
values = [0.1 * i - 2.0 for i in range(1001)]
native = loader.quantize_array_int8(values), loader.quantize_array_fp16(values)
_fastpaths.read_float32 = None
assert (loader.quantize_array_int8(values), loader.quantize_array_fp16(values)) == native
assert loader.quantize_array_fp16(tuple(values)) == struct.pack(f"<{len(values)}e", *values)
exc = must_raise(TypeError, lambda: loader.quantize_array_int8([1.0, 2.0, None]), "None was accepted")
assert str(exc).startswith("data[2]: "), exc
no_numpy("the list fallback")
print("OK")
""", tmp_path)


def test_lz4_files_and_model_quantization_files_without_numpy(tmp_path):
    run_child(NO_NUMPY + """
import json, struct
from jarvis_rust_extensions import compress_file, decompress_file, quantize_model_file
data = bytes(range(256)) * 4000
with open("src.bin", "wb") as f:
    f.write(data)
assert compress_file("src.bin", "src.lz4", level=1, progress=False) > 0
assert decompress_file("src.lz4", "back.bin", progress=False) == len(data)
with open("back.bin", "rb") as f:
    assert f.read() == data
# a .safetensors model written by hand: one 2x32 float32 tensor
header = json.dumps({"w": {"dtype": "F32", "shape": [2, 32], "data_offsets": [0, 256]}}).encode()
with open("model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + struct.pack("<64f", *[i / 8 - 4 for i in range(64)]))
assert quantize_model_file("model.safetensors", "q.safetensors", "int8", progress=False)["tensors"] >= 1
no_numpy("compress_file, decompress_file and quantize_model_file")
print("OK")
""", tmp_path)


@pytest.mark.parametrize("argv", [["stats"], ["stats", "--json"]])
def test_cli_stats_without_numpy(tmp_path, argv):
    out = run_child(NO_NUMPY + f"""
import contextlib, io
from jarvis_rust_extensions.cli import main
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    status = main({argv!r})
assert status == 0, status
print(buf.getvalue())
no_numpy("the CLI's stats")
print("OK")
""", tmp_path)
    if "--json" in argv:
        text = out.rsplit("OK", 1)[0]
        assert json.loads(text)["total_mb"] > 0


def test_the_cli_stats_command_itself_imports_no_numpy(tmp_path):
    """``python -m jarvis_rust_extensions stats --json``, run by runpy as ``-m`` runs it, under an
    import hook that refuses numpy."""
    code = textwrap.dedent("""
        import runpy, sys
        class NoNumpy:
            def find_spec(self, name, path=None, target=None):
                if name == "numpy" or name.startswith("numpy."):
                    raise ImportError("numpy is refused in this test")
        sys.meta_path.insert(0, NoNumpy())
        try:
            import numpy
        except ImportError:
            pass
        else:
            raise AssertionError("the hook let numpy in")
        sys.argv = ["jarvis_rust_extensions", "stats", "--json"]
        runpy.run_module("jarvis_rust_extensions", run_name="__main__", alter_sys=True)
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total_mb"] > 0


def test_numpy_paths_work_after_a_light_import(tmp_path):
    """numpy imported after the package: array inputs are still read, the engine loads on first use."""
    run_child(NO_NUMPY + """
import jarvis_rust_extensions as jre
loader = jre.RustModelLoader(cache_dir="cache")
values = [0.5 * i - 3.0 for i in range(40)]
by_list = loader.quantize_array_int8(values)
mon = jre.RustMemoryMonitor(pressure_thresholds_mb=(4000.0, 3000.0, 2000.0, 1000.0))
no_numpy("the light calls")

import numpy as np
arr = np.array(values, dtype=np.float32)
assert loader.quantize_array_int8(arr) == by_list
assert loader.quantize_array_int8(arr.astype(np.float64).reshape(4, 10)) == by_list
assert loader.quantize_array_fp16(arr[::-1]) == arr[::-1].astype("<f2").tobytes()
grid = np.arange(60, dtype=np.int16).reshape(6, 10)
for a in (grid, grid.T, grid[:, ::2], np.asfortranarray(grid)):  # bytes in C order, as tobytes()
    assert jre.decompress_data_lz4(jre.compress_data_lz4(a), a.nbytes) == a.tobytes()
must_raise(TypeError, lambda: jre.compress_data_lz4(np.array([1, "x"], dtype=object)), "an object array was accepted")
assert jre.RustMemoryMonitor(pressure_thresholds_mb=np.array([4e3, 3e3, 2e3, 1e3])).pressure_thresholds_mb[0] == 4e3
with open("w.bin", "wb") as f:
    f.write(arr.tobytes())
assert np.array_equal(np.frombuffer(loader.mmap_model("w.bin"), dtype=np.float32), arr)
qt = jre.quantize_int8(arr.reshape(4, 10), axis=0)
assert isinstance(qt, jre.QuantizedTensor) and jre.dequantize(qt).shape == (4, 10)
print("OK")
""", tmp_path)


def test_lazy_names_load_on_first_use(tmp_path):
    run_child("""
import sys
import jarvis_rust_extensions as jre
assert "jarvis_rust_extensions.quant" not in sys.modules and "numpy" not in sys.modules
names = dir(jre)
assert {"quantize_int8", "load_safetensors", "MemoryStats", "quant", "files"} <= set(names), names
assert "compress_file" in jre.__all__
fn = jre.quantize_int8
assert "numpy" in sys.modules and fn is jre.quant.quantize_int8 and fn is jre.quantize_int8
from jarvis_rust_extensions import load_npy, MemoryStats, QuantizedTensor
assert load_npy is jre.files.load_npy and MemoryStats.__name__ == "MemoryStats"
namespace = {}
exec("from jarvis_rust_extensions import *", namespace)
assert set(jre.__all__) <= set(namespace), set(jre.__all__) - set(namespace)
try:
    jre.no_such_name
except AttributeError as exc:
    assert "no_such_name" in str(exc)
else:
    raise AssertionError("an unknown name resolved")
try:
    from jarvis_rust_extensions import no_such_name
except ImportError:
    pass
else:
    raise AssertionError("an unknown name imported")
print("OK")
""", tmp_path)


def test_public_names_are_the_same_objects_as_in_their_modules():
    """In this process (numpy loaded): every public name resolves, to its defining module's object."""
    for name in jre.__all__:
        value = getattr(jre, name)
        module = sys.modules[value.__module__]
        assert getattr(module, name) is value, name


def test_pinned_buffer_holds_a_bytearray_until_released():
    from jarvis_rust_extensions import _native

    data = bytearray(b"abcdef")
    keep, address, n = _native.input_buffer(data)
    assert n == 6 and address != 0
    with pytest.raises(BufferError):
        data.extend(b"more")  # pinned while Go could be reading it
    del keep
    data.extend(b"more")
    keep, address, n = _native.input_buffer(bytearray())
    assert (address, n) == (0, 0)
    keep, address, n = _native.input_buffer(memoryview(b"abcdef")[::2])
    assert bytes(keep) == b"ace" and n == 3
    with pytest.raises(TypeError, match="must be a bytes-like object, not int"):
        _native.input_buffer(3)
    arr = np.arange(12, dtype=np.uint8).reshape(3, 4).T
    keep, address, n = _native.input_buffer(arr)
    assert n == 12 and bytes(keep) == arr.tobytes()
