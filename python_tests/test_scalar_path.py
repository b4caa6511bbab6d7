"""GODEBUG=cpu.avx2=off (set before the interpreter starts) switches the quantization kernels to
their pure-Go path (CI runs the whole suite once that way), and that path gives the same bytes as
the assembly one."""

import hashlib
import os
import subprocess
import sys

from jarvis_rust_extensions import _native

DIGEST = r"""
import hashlib
import numpy as np
import jarvis_rust_extensions as jre
from jarvis_rust_extensions import _native
x = np.random.default_rng(11).standard_normal((64, 1024)).astype(np.float32) * 3
h = hashlib.sha256()
for qt in (jre.quantize_int8(x), jre.quantize_int8(x, axis=0), jre.quantize_int8(x, axis=1, symmetric=False),
           jre.quantize_int4(x)):
    h.update(qt.data.tobytes()); h.update(qt.scale.tobytes()); h.update(jre.dequantize(qt).tobytes())
h.update(jre.quantize_fp16(x).tobytes())
for kind in ("Q8_0", "Q4_0"):
    blocks = jre.quantize_gguf(x, kind)
    h.update(blocks); h.update(jre.dequantize_gguf(blocks, kind, x.shape).tobytes())
loader = jre.RustModelLoader(cache_dir="cache")
h.update(loader.quantize_array_int8(x)["data"]); h.update(loader.quantize_array_fp16(x))
print(_native.lib.jarvisrs_SIMDKernels(), h.hexdigest())
"""


def _run(tmp_path, godebug):
    env = dict(os.environ)
    env.pop("GODEBUG", None)
    if godebug:
        env["GODEBUG"] = godebug
    out = subprocess.run([sys.executable, "-c", DIGEST], cwd=str(tmp_path), env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    return out[0] == "True", out[1]


def test_godebug_avx2_off_selects_the_scalar_path_with_identical_results(tmp_path):
    simd, default_digest = _run(tmp_path, None)
    scalar, scalar_digest = _run(tmp_path, "cpu.avx2=off")
    assert scalar is False
    assert scalar_digest == default_digest
    # This process: the assembly path unless CI switched it off for the whole run.
    assert _native.lib.jarvisrs_SIMDKernels() is (simd and "cpu.avx2=off" not in os.environ.get("GODEBUG", ""))
