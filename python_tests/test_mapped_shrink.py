"""A memory-mapped file that shrinks under its mapping (``open(p, "wb")``, as
``safetensors.save_file`` does first) must not take the interpreter down when Go reads it: every call
raises ``OSError`` saying the file changed under the mapping. (numpy reading the same array gets a
Bus error; nothing can catch that, which the README says.) Runs in a child interpreter, because
before the fix the child died with SIGBUS."""

import os
import subprocess
import sys

CHILD = r"""
import numpy as np
from safetensors.numpy import save_file
import jarvis_rust_extensions as jre
from jarvis_rust_extensions import RustModelLoader

w = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)  # 16 quantization chunks
save_file({"w": w}, "m.safetensors")
with open("blob.bin", "wb") as f:
    f.write(w.tobytes())
t = jre.load_safetensors("m.safetensors")["w"]
loader = RustModelLoader(cache_dir="cache")
view = loader.mmap_model("blob.bin")
assert float(np.abs(t).max()) > 0 and len(view) == w.nbytes  # readable before
open("m.safetensors", "wb").close()   # what safetensors.save_file does first
open("blob.bin", "wb").close()
calls = {
    "quantize_int8": lambda: jre.quantize_int8(t),
    "quantize_int8 axis 0": lambda: jre.quantize_int8(t, axis=0),
    "quantize_int8 asymmetric": lambda: jre.quantize_int8(t, axis=1, symmetric=False),
    "quantize_int4": lambda: jre.quantize_int4(t),
    "quantize_fp16": lambda: jre.quantize_fp16(t),
    "quantize_gguf": lambda: jre.quantize_gguf(t, "Q8_0"),
    "quantize_array_int8": lambda: loader.quantize_array_int8(t),
    "quantize_array_fp16": lambda: loader.quantize_array_fp16(t),
    "compress_data_lz4": lambda: jre.compress_data_lz4(t),
    "compress_model (mmap_model view)": lambda: loader.compress_model(view),
    "compress_model (array)": lambda: loader.compress_model(t),
}
for name, call in calls.items():
    try:
        call()
    except OSError as exc:
        assert "changed under the mapping" in str(exc), (name, str(exc))
    else:
        raise AssertionError(name + " returned without raising")
assert jre.quantize_int8(w).data.shape == w.shape  # and everything else carries on
print("alive")
"""


def test_reading_a_shrunken_mapping_raises_oserror(tmp_path):
    env = dict(os.environ, GOMAXPROCS="2")  # worker goroutines read the mapping too
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=str(tmp_path), env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "alive", \
        f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr[-3000:]}"
