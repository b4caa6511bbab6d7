"""Print numpy's digests that half_test.go checks F32ToF16 and F16ToF32 against.

F32ToF16: every float32 bit pattern, in order, converted with astype(float16), in 256 chunks
of 2**24 patterns; the digest is the CRC-32 (zlib) of the 256 chunk CRC-32s, each written as a
little-endian uint32. F16ToF32: the CRC-32 of all 65536 halves, in order, as float32 bytes.

Run: python3 numpy_digests.py   (about a minute; prints numpy's version and both digests)
"""
import struct
import zlib

import numpy as np

CHUNK = 1 << 24

chunk_crcs = bytearray()
base = np.arange(CHUNK, dtype=np.uint32)
with np.errstate(all="ignore"):
    for c in range(1 << 8):
        bits = base + np.uint32(c * CHUNK)
        half = bits.view(np.float32).astype("<f2")
        chunk_crcs += struct.pack("<I", zlib.crc32(half.tobytes()))
f32_to_f16 = zlib.crc32(bytes(chunk_crcs))

halves = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view("<f2")
f16_to_f32 = zlib.crc32(halves.astype("<f4").tobytes())

print(f"numpy {np.__version__}")
print(f"F32ToF16 0x{f32_to_f16:08x}")
print(f"F16ToF32 0x{f16_to_f32:08x}")
