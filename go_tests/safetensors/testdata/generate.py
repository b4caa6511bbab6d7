#!/usr/bin/env python3
"""Regenerate the reference safetensors files the Go tests read.

Run from anywhere: python3 generate.py. Needs numpy and safetensors (the reference
implementation). Writes *.safetensors beside this script plus expected.json, which records what
an independent reading of each file (json.loads of the header, hashes of each tensor's bytes)
says the Go reader must report. Data is arange-based so reruns give the same bytes.
"""
import hashlib
import json
import os
import struct

import numpy as np
import safetensors
from safetensors import TensorSpec, serialize
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def ramp(shape, dtype, start=0):
    n = int(np.prod(shape, dtype=np.int64))
    if np.dtype(dtype) == np.bool_:
        return (np.arange(start, start + n) % 3 == 0).reshape(shape)
    return (np.arange(start, start + n) % 251 - 100).astype(dtype).reshape(shape)


def mixed():
    return {
        "w.f64": ramp((3, 2), np.float64, 1),
        "w.f32": ramp((2, 3, 4), np.float32, 2) / 7,
        "w.f16": ramp((5,), np.float16, 3),
        "i64": ramp((2,), np.int64, 4),
        "i32": ramp((3,), np.int32, 5),
        "i16": ramp((3,), np.int16, 6),
        "i8": ramp((7,), np.int8, 7),
        "u64": ramp((1,), np.uint8, 8).astype(np.uint64),
        "u32": ramp((2,), np.uint8, 9).astype(np.uint32),
        "u16": ramp((2,), np.uint8, 10).astype(np.uint16),
        "u8": ramp((3,), np.uint8, 11),
        "mask": ramp((2, 2), np.bool_, 12),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((2, 0, 3), dtype=np.float32),
        "b.empty_u8": np.zeros((0,), dtype=np.uint8),
    }


def write_bf16(path):
    # numpy has no bfloat16 without ml_dtypes, so go through the package's low-level serializer
    # with raw uint16 bits; this is the only way the reference writes BF16 here.
    bits = ramp((4,), np.uint16, 13)
    f16 = ramp((3,), np.float16, 14)
    i32 = ramp((2,), np.int32, 15)
    specs = {
        "bf": TensorSpec(dtype="bfloat16", shape=[4], data_ptr=bits.ctypes.data, data_len=bits.nbytes),
        "h": TensorSpec(dtype="float16", shape=[3], data_ptr=f16.ctypes.data, data_len=f16.nbytes),
        "z": TensorSpec(dtype="int32", shape=[2], data_ptr=i32.ctypes.data, data_len=i32.nbytes),
    }
    with open(path, "wb") as f:
        f.write(bytes(serialize(specs, {"kind": "bf16"})))


FILES = {
    # name: (tensors, metadata); metadata of more than one key is written in hash-map order by the
    # reference, so only ref_metadata.safetensors is not expected to be byte-identical.
    "ref_mixed": (mixed, {"format": "np"}),
    "ref_no_metadata": (lambda: {"a": ramp((4,), np.float32), "b": ramp((2, 2), np.int64)}, None),
    "ref_empty": (lambda: {}, None),
    "ref_metadata_empty": (lambda: {"x": ramp((1,), np.uint8)}, {}),
    "ref_metadata": (lambda: {"x": ramp((3,), np.float64)}, {"a": "1", "b": "two", "c": "é\n\"\\"}),
    "ref_escaped": (
        lambda: {
            'q"uote\\back/slash<>&': ramp((1,), np.uint8),
            "ctl\x01\x08\t\n\x0c\r\x1f\x7f": ramp((1,), np.uint8, 1),
            "unicode é 汉 \u2028": ramp((2,), np.int16, 2),
            "": ramp((1,), np.int8, 3),
        },
        {"k\x00": "v\u2029"},
    ),
}


def describe(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    start = 8 + n
    tensors = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        tensors.append(
            {
                "name": name,
                "dtype": info["dtype"],
                "shape": info["shape"],
                "offset": start + b,
                "length": e - b,
                "sha256": hashlib.sha256(raw[start + b : start + e]).hexdigest(),
            }
        )
    tensors.sort(key=lambda t: (t["offset"], t["length"], t["name"]))
    return {
        "size": len(raw),
        "data_start": start,
        "metadata": header.get("__metadata__"),
        "tensors": tensors,
    }


def main():
    expected = {"safetensors_version": safetensors.__version__, "numpy_version": np.__version__, "files": {}}
    for name, (make, metadata) in FILES.items():
        path = os.path.join(HERE, name + ".safetensors")
        save_file(make(), path, metadata=metadata)
        expected["files"][name + ".safetensors"] = describe(path)
    path = os.path.join(HERE, "ref_bf16.safetensors")
    write_bf16(path)
    expected["files"]["ref_bf16.safetensors"] = describe(path)
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=True, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
