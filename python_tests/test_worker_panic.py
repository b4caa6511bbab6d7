"""A panic on any goroutine the package starts (lz4x's block, frame and file workers) becomes the
call's RuntimeError; before, it aborted the interpreter. Injected through the test-only
``SetWorkerPanicForTests`` hook, in a child interpreter so a regression fails this test instead of
killing the suite."""

import os
import subprocess
import sys

CHILD = r"""
import os
import jarvis_rust_extensions as jre
from jarvis_rust_extensions import RustModelLoader, _native

set_kind = _native.lib.jarvisrs_SetWorkerPanicForTests
data = b"".join(b"line %d: the quick brown fox jumps over the lazy dog\n" % i for i in range(200_000))
assert len(data) > 9 << 20  # several HC segments, several frame blocks
loader = RustModelLoader(cache_dir="cache")
frame = loader.compress_model(data)
with open("in.bin", "wb") as f:
    f.write(data)
jre.compress_file("in.bin", "in.lz4", progress=False)

calls = {
    1: [("compress_data_lz4", lambda: jre.compress_data_lz4(data[:4 << 20])),
        ("compress_model", lambda: loader.compress_model(data)),
        ("decompress_model", lambda: loader.decompress_model(frame)),
        ("compress_file", lambda: jre.compress_file("in.bin", "out.lz4", progress=False)),
        ("decompress_file", lambda: jre.decompress_file("in.lz4", "out.bin", progress=False))],
    2: [("compress_file", lambda: jre.compress_file("in.bin", "out.lz4", progress=False)),
        ("decompress_file", lambda: jre.decompress_file("in.lz4", "out.bin", progress=False))],
}
for kind, named in calls.items():
    for name, call in named:
        assert set_kind(kind) == 0
        try:
            call()
        except RuntimeError as exc:
            assert "injected panic" in str(exc), (name, kind, str(exc)[:300])
        else:
            raise AssertionError(f"{name} (kind {kind}) returned without raising")
        finally:
            set_kind(0)
        assert not os.path.exists("out.lz4") and not os.path.exists("out.bin"), name
# Everything still works afterwards.
assert loader.decompress_model(loader.compress_model(data)) == data
assert jre.decompress_data_lz4(jre.compress_data_lz4(data[:4 << 20]), 4 << 20) == data[:4 << 20]
jre.decompress_file("in.lz4", "out.bin", progress=False)
assert open("out.bin", "rb").read() == data
print("alive")
"""


def test_worker_goroutine_panics_become_runtime_errors(tmp_path):
    env = dict(os.environ, GOMAXPROCS="2")  # helper goroutines exist even on a one-core machine
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=str(tmp_path), env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "alive", \
        f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr[-3000:]}"


def test_the_hook_refuses_unknown_kinds():
    import pytest
    from jarvis_rust_extensions import _native
    with pytest.raises(ValueError):
        _native.call("jarvisrs_SetWorkerPanicForTests", 3)
    assert _native.lib.jarvisrs_SetWorkerPanicForTests(0) == 0
