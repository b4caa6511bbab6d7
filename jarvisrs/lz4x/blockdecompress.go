package lz4x

import (
	"encoding/binary"
	"fmt"
	"math"
)

// MaxBlockExpansion is the most output bytes one byte of an LZ4 block can stand for: a match
// length grows by 255 per extra length byte, so no block decodes to more than about 255 times
// its size.
const MaxBlockExpansion = 255

// blockExpansionSlack covers the fixed bytes (token, offset, minimum match) that let a tiny block
// decode to slightly more than MaxBlockExpansion times its size.
const blockExpansionSlack = 64

// MaxBlockDecompressedSize returns an upper bound, in bytes, on what a raw LZ4 block of
// compressedLen bytes can decode to. Sizing an output from it never over-allocates by more than
// the format's worst case.
func MaxBlockDecompressedSize(compressedLen int) int64 {
	return int64(max(compressedLen, 0))*MaxBlockExpansion + blockExpansionSlack
}

// CheckClaimedSize reports whether claimed, a decompressed size in bytes that came with
// compressedLen bytes of raw LZ4 block, is possible. It returns an error wrapping ErrTooLarge
// when claimed exceeds MaxBlockDecompressedSize(compressedLen), and ErrCorrupt when it is
// negative. Call it before allocating claimed bytes. Safe for concurrent use.
func CheckClaimedSize(claimed int64, compressedLen int) error {
	if claimed < 0 {
		return fmt.Errorf("lz4x: negative decompressed size %d: %w", claimed, ErrCorrupt)
	}
	if limit := MaxBlockDecompressedSize(compressedLen); claimed > limit {
		return fmt.Errorf("lz4x: %d compressed bytes cannot decode to %d bytes (at most %d): %w",
			compressedLen, claimed, limit, ErrTooLarge)
	}
	return nil
}

// ReadSizePrefix splits python-lz4's store_size=True layout: a 4-byte little-endian decompressed
// size followed by the raw block. payload aliases src (nothing is copied or retained). Errors:
// ErrCorrupt when src is shorter than 4 bytes or the size is above math.MaxInt32 (python-lz4
// treats the field as a signed 32-bit int), ErrTooLarge when the size is more than the payload
// could decode to. Safe for concurrent use.
func ReadSizePrefix(src []byte) (size int, payload []byte, err error) {
	if len(src) < 4 {
		return 0, nil, fmt.Errorf("lz4x: %d bytes cannot hold the 4-byte size prefix: %w", len(src), ErrCorrupt)
	}
	s := binary.LittleEndian.Uint32(src)
	if s > math.MaxInt32 {
		return 0, nil, fmt.Errorf("lz4x: size prefix %#x is negative as a signed 32-bit size: %w", s, ErrCorrupt)
	}
	payload = src[4:]
	if err := CheckClaimedSize(int64(s), len(payload)); err != nil {
		return 0, nil, err
	}
	return int(s), payload, nil
}

// DecompressBlock decodes the raw LZ4 block src into dst and returns the number of bytes written.
// len(dst) is the capacity bound: the output may be shorter, never longer.
//
// It accepts exactly the blocks liblz4's LZ4_decompress_safe (1.9.4) accepts with a capacity of
// len(dst), and decodes them to the same bytes; everything else gives an error wrapping
// ErrCorrupt. In particular a block must end with a literal-only sequence that ends exactly at
// the end of src, so a block cut short anywhere is rejected rather than decoded to short output;
// matches may not reach before the start of the output; and output that would not fit in dst is
// an error. Like liblz4, it decodes a match offset of 0 as zeros rather than rejecting it.
//
// It never panics and never writes outside dst. src is read and dst written; neither is retained.
// Safe for concurrent use.
func DecompressBlock(dst, src []byte) (int, error) {
	n := decodeBlock(dst, 0, src)
	if n < 0 {
		return 0, fmt.Errorf("lz4x: block of %d bytes does not decode into %d bytes: %w", len(src), len(dst), ErrCorrupt)
	}
	return n, nil
}
