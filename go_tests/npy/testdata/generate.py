#!/usr/bin/env python3
"""Regenerate the .npy files the Go tests read.

Run from anywhere: python3 generate.py. Needs numpy. Writes *.npy beside this script and
expected.json, which records what numpy itself says about each file (dtype.str, fortran order,
shape, where the data starts, a hash of the data bytes) or, for files the Go reader must refuse,
which error it must give. Data is arange-based so reruns give the same bytes.
"""
import hashlib
import json
import os
import struct

import numpy as np
from numpy.lib import format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))


def ramp(shape, dtype):
    n = int(np.prod(shape, dtype=np.int64))
    return (np.arange(n) % 97 - 40).astype(dtype).reshape(shape)


SUPPORTED = {
    "f4_2d": lambda: ramp((3, 4), np.float32) / 3,
    "f8_fortran": lambda: np.asfortranarray(ramp((3, 4), np.float64) / 7),
    "f8_scalar": lambda: np.array(2.5),
    "i1_empty": lambda: np.zeros((0,), np.int8),
    "f4_empty_2d": lambda: np.zeros((2, 0), np.float32),
    "u1": lambda: ramp((5,), np.uint8),
    "i2": lambda: ramp((2, 3), np.int16),
    "u2": lambda: ramp((4,), np.uint16),
    "i4": lambda: ramp((4,), np.int32),
    "u4": lambda: ramp((4,), np.uint32),
    "i8": lambda: ramp((2, 2), np.int64),
    "u8": lambda: ramp((3,), np.uint64),
    "f2": lambda: ramp((3,), np.float16),
    "c16": lambda: ramp((2,), np.complex128) * 1j,
    "b1_3d": lambda: ramp((2, 3, 4), np.int8) % 2 == 0,
}

VERSIONED = {  # name: (array, format version)
    "b1_v2": (lambda: ramp((6,), np.int8) > 0, (2, 0)),
    "c8_v3": (lambda: ramp((3,), np.complex64), (3, 0)),
    "f4_v2_fortran": (lambda: np.asfortranarray(ramp((2, 3), np.float32)), (2, 0)),
}

REFUSED = {  # name: (array, error the Go reader must return)
    "big_endian": (lambda: ramp((3,), ">i4"), "unsupported"),
    "object": (lambda: np.array([1, "a", None], dtype=object), "unsupported"),
    "structured": (lambda: np.zeros(2, dtype=[("x", "<f4"), ("y", "<i2")]), "unsupported"),
    "unicode": (lambda: np.array(["ab", "c"]), "unsupported"),
    "datetime": (lambda: np.array(["2024-01-01"], dtype="datetime64[ns]"), "unsupported"),
    "float128": (lambda: np.zeros(2, dtype=np.longdouble), "unsupported"),
}


def describe(path):
    with open(path, "rb") as f:
        version = npformat.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = npformat.read_array_header_1_0(f)
        else:  # 3.0 differs only in allowing UTF-8, which none of these headers use
            shape, fortran, dtype = npformat.read_array_header_2_0(f)
        offset = f.tell()
        raw = f.read()
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    arr = np.load(path, mmap_mode="r")
    assert arr.shape == shape and arr.dtype == dtype
    return {
        "descr": dtype.str,
        "fortran_order": fortran,
        "shape": list(shape),
        "data_offset": offset,
        "item_size": dtype.itemsize,
        "size": offset + len(raw),
        "sha256": hashlib.sha256(raw[:nbytes]).hexdigest(),
    }


def python2_header():
    # Files from Python 2 numpy wrote longs as 3L; numpy still reads them for versions 1.0/2.0.
    header = "{'descr': '<i2', 'fortran_order': False, 'shape': (2L, 3L), }"
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    data = ramp((2, 3), np.int16).tobytes()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data


def main():
    expected = {"numpy_version": np.__version__, "files": {}}
    for name, make in SUPPORTED.items():
        path = os.path.join(HERE, name + ".npy")
        np.save(path, make())
        expected["files"][name + ".npy"] = describe(path)
    for name, (make, version) in VERSIONED.items():
        path = os.path.join(HERE, name + ".npy")
        with open(path, "wb") as f:
            npformat.write_array(f, make(), version=version)
        expected["files"][name + ".npy"] = describe(path)
    path = os.path.join(HERE, "py2_long.npy")
    with open(path, "wb") as f:
        f.write(python2_header())
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected["files"]["py2_long.npy"] = describe(path)
    for name, (make, err) in REFUSED.items():
        path = os.path.join(HERE, name + ".npy")
        np.save(path, make(), allow_pickle=True)
        expected["files"][name + ".npy"] = {"error": err}
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
