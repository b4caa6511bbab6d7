"""The path wire form between the facade and Go (jarvisrs/paths.go): both directions in _convert."""

import os

import pytest

from jarvis_rust_extensions._convert import as_path, path_from_wire, wire_path


@pytest.mark.parametrize("raw", [b"/tmp/model.safetensors", "/tmp/é/ü.bin".encode(), b"/tmp/\xff\xfe-latin1",
                                 b"/tmp/hex:not-a-prefix"])
def test_path_from_wire_inverts_wire_path(raw):
    back = path_from_wire(wire_path(raw))
    assert os.fsencode(back) == raw
    assert isinstance(back, bytes) == wire_path(raw).startswith("hex:")


def test_non_utf8_travels_as_hex_and_comes_back_as_bytes():
    assert wire_path(b"/a\xff") == "hex:" + b"/a\xff".hex()
    assert path_from_wire("hex:" + b"/a\xff".hex()) == b"/a\xff"
    assert path_from_wire(as_path("/abs/x")) == "/abs/x"
