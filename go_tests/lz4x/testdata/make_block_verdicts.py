"""Write liblz4's verdicts on raw LZ4 blocks, for go_tests/lz4x/verdict_test.go.

    python3 make_block_verdicts.py SEED COUNT OUT [--all]

Each record is: u32 block length, u32 capacity, i32 result (decoded length, or -1 when
lz4.block.decompress(block, uncompressed_size=capacity) raises), u32 CRC-32 of the output, then the
block; all little-endian. The blocks are random garbage, nearly valid sequence streams with lengths
chosen to land near the ends of the input and of the capacity, and truncations of real blocks.

By default only decisive records are kept: those where the verdict changes between neighbouring
capacities or cut points (where a decoder's end rules are tested), and a sample of the rest
(accepted records check the output bytes too). --all keeps every record, for large local
runs through LZ4X_VERDICTS.
"""

import os
import random
import struct
import sys
import zlib

import lz4.block


def verdict(block, cap):
    try:
        out = lz4.block.decompress(block, uncompressed_size=cap)
    except lz4.block.LZ4BlockError:
        return -1, 0
    return len(out), zlib.crc32(out)


PIECES = [b"\x00", b"\x10", b"\x14", b"\xf0", b"\x01\x00", b"\x04\x00", b"abcd", b"\xff"]


def garbage(r):
    if r.random() < 0.5:
        return r.randbytes(r.randint(1, 300))
    return b"".join(r.choice(PIECES) for _ in range(r.randint(1, 60)))


def length_bytes(n):
    return b"\xff" * (n // 255) + bytes([n % 255])


def sequences(r):
    """A nearly valid sequence stream and the length it would decode to."""
    out = bytearray()
    produced = 0
    for _ in range(r.randint(0, 8)):
        lit = r.choice([0, 1, 3, 8, 14, 15, 16, 30, r.randint(0, 40), r.randint(0, 300)])
        ml = r.choice([0, 1, 4, 10, 14, 15, 16, 40, r.randint(0, 600)])
        out.append(min(lit, 15) << 4 | min(ml, 15))
        if lit >= 15:
            out += length_bytes(lit - 15)
        out += r.randbytes(lit)
        produced += lit
        off = r.choice([0, 1, 2, 3, 5, 7, 8, 9, 16, r.randint(1, max(1, produced)), produced, produced + 1])
        out += struct.pack("<H", off & 0xFFFF)
        if ml >= 15:
            out += length_bytes(ml - 15)
        produced += ml + 4
    lit = r.choice([0, 1, 4, 5, 6, 8, 12, 15, 20, r.randint(0, 100)])
    out.append(min(lit, 15) << 4 | r.choice([0, 0, 0, 1, 15]))
    if lit >= 15:
        out += length_bytes(lit - 15)
    out += r.randbytes(lit)
    return bytes(out), produced + lit


def text_sources():
    import json.decoder
    import pickle
    return [open(m.__file__, "rb").read() for m in (os, pickle, json.decoder)]


def main():
    seed, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    keep_all = "--all" in sys.argv[4:]
    r = random.Random(seed)
    texts = text_sources()
    recs = []

    def add(block, cap, decisive):
        res, crc = verdict(block, cap)
        if keep_all or decisive or r.random() < (0.3 if res >= 0 else 0.03):
            recs.append(struct.pack("<IIiI", len(block), cap, res, crc) + block)
        return res

    def sweep_caps(block, n):
        """Capacities around n, keeping those where the verdict flips."""
        prev = None
        for cap in range(max(0, n - 70), n + 71):
            res, _ = verdict(block, cap)
            add(block, cap, prev is not None and (res < 0) != (prev < 0))
            prev = res

    while len(recs) < count:
        k = r.random()
        if k < 0.3:
            g = garbage(r)
            res = add(g, r.randint(0, 4096), False)
            if res >= 0:
                sweep_caps(g, res)
        elif k < 0.8:
            b, n = sequences(r)
            sweep_caps(b, n)
        else:
            t = r.choice(texts)
            a = r.randint(0, len(t) - 1)
            d = t[a:a + r.choice([0, 1, 5, 13, 20, 64, 100, 300])]
            mode = r.choice([dict(mode="default"), dict(mode="fast", acceleration=4),
                             dict(mode="high_compression", compression=9),
                             dict(mode="high_compression", compression=12)])
            b = lz4.block.compress(d, store_size=False, **mode)
            prev = None
            for cut in range(1, len(b) + 1):
                res, _ = verdict(b[:cut], len(d))
                add(b[:cut], len(d), prev is not None and (res < 0) != (prev < 0))
                prev = res
    with open(path, "wb") as f:
        f.write(b"".join(recs))


main()
