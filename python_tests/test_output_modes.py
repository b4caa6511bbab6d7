"""Output files of compress_file, decompress_file and quantize_model_file get the mode open() would
give under the caller's umask (0o666 & ~umask); before they were always 0644. Cache entries stay
0600 whatever the umask."""

import os
import stat

import numpy as np
import pytest

import jarvis_rust_extensions as jre


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    from safetensors.numpy import save_file
    tmp = tmp_path_factory.mktemp("modes")
    save_file({"w": np.ones((8, 32), np.float32)}, str(tmp / "m.safetensors"))
    (tmp / "blob.bin").write_bytes(b"abc" * 10_000)
    jre.compress_file(str(tmp / "blob.bin"), str(tmp / "blob.lz4"), progress=False)
    return tmp


WRITERS = {
    "compress_file": lambda s, dst: jre.compress_file(str(s / "blob.bin"), dst, progress=False),
    "decompress_file": lambda s, dst: jre.decompress_file(str(s / "blob.lz4"), dst, progress=False),
    "quantize_model_file": lambda s, dst: jre.quantize_model_file(str(s / "m.safetensors"), dst, "int8",
                                                                  progress=False),
}


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077, 0o027])
@pytest.mark.parametrize("call", list(WRITERS))
def test_output_mode_is_what_open_gives_under_the_umask(call, umask, sources, tmp_path):
    old = os.umask(umask)
    try:
        with open(tmp_path / "reference", "w"):
            pass
        WRITERS[call](sources, str(tmp_path / "out"))
    finally:
        os.umask(old)
    expected = 0o666 & ~umask
    assert stat.S_IMODE(os.stat(tmp_path / "reference").st_mode) == expected
    assert stat.S_IMODE(os.stat(tmp_path / "out").st_mode) == expected
