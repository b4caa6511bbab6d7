package quant

import (
	"fmt"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// ggufBlocksPerItem keeps a GGUF work item at ChunkLen values.
const ggufBlocksPerItem = ChunkLen / GGUFBlockLen

// QuantizeGGUF encodes src, a C-contiguous tensor whose last axis has rowLen values, in kind's
// block format, byte for byte as gguf.quants.quantize(x, kind) of the gguf Python package
// (itself bit-exact with ggml's reference quantizer) does for float32 input:
//
//	Q8_0: d = max|x|/127, id = 1/d (0 when d is 0), q = round(x*id), stored d as float16 then
//	      32 int8 codes.
//	Q4_0: m = the first value of largest magnitude, signed, d = m/-8, id = 1/d (0 when d is 0),
//	      q = min(trunc(x*id + 8.5), 15), stored d as float16 then 16 bytes holding values
//	      j (low nibble) and j+16 (high nibble).
//
// Every step is float32 (a multiplication by id, not a division by d). Where numpy's float to
// integer cast is undefined (id overflows to Inf for blocks whose largest magnitude is below
// about 4e-37 (Q8_0) or 2.3e-38 (Q4_0), giving NaN or infinite products) the codes are what
// numpy gives on x86-64: 0.
//
// dst must hold at least kind.BytesFor(len(src)) bytes; that prefix is written. Errors:
// a *NonFiniteError (ErrNonFinite) for the first NaN or ±Inf of src, ErrKind for an unknown
// kind, ErrShape when rowLen is not a positive multiple of 32 dividing len(src) or dst is short.
func QuantizeGGUF(dst []byte, src []float32, rowLen int, kind GGUFKind) error {
	size, err := ggufRows("QuantizeGGUF", kind, len(src), rowLen)
	if err != nil {
		return err
	}
	if len(dst) < size {
		return fmt.Errorf("QuantizeGGUF: dst holds %d bytes, need %d: %w", len(dst), size, ErrShape)
	}
	bb := kind.blockBytes()
	blocks := len(src) / GGUFBlockLen
	bad := newFirstIndex()
	items := (blocks + ggufBlocksPerItem - 1) / ggufBlocksPerItem
	run(workersFor(items), items, func(_, item int) {
		b0 := item * ggufBlocksPerItem
		b1 := min(b0+ggufBlocksPerItem, blocks)
		in, out := src[b0*GGUFBlockLen:b1*GGUFBlockLen], dst[b0*bb:b1*bb]
		var finite bool
		if kind == Q8_0 {
			finite = kernels.EncodeQ8_0(out, in)
		} else {
			finite = kernels.EncodeQ4_0(out, in)
		}
		if !finite {
			bad.offer(b0*GGUFBlockLen + kernels.FirstNonFinite(in))
		}
	})
	if i := bad.get(); i >= 0 {
		return &NonFiniteError{Index: i, Value: src[i]}
	}
	return nil
}

// DequantizeGGUF decodes kind's blocks from src into dst, value for value as
// gguf.quants.dequantize of the gguf Python package: d (float16 widened exactly) times each
// code, one float32 multiplication (Q8_0: d*q; Q4_0: d*(q-8), values j and j+16 from the low
// and high nibbles of byte j). Any bytes are accepted: a NaN or infinite d gives NaN or
// infinite values, as in numpy. len(dst) is the value count; rowLen is the last axis, checked
// as in QuantizeGGUF.
//
// src must hold at least kind.BytesFor(len(dst)) bytes; only that prefix is read, and dst is
// written whole. Errors: ErrKind for an unknown kind, ErrShape for a bad rowLen or short src.
func DequantizeGGUF(dst []float32, src []byte, rowLen int, kind GGUFKind) error {
	size, err := ggufRows("DequantizeGGUF", kind, len(dst), rowLen)
	if err != nil {
		return err
	}
	if len(src) < size {
		return fmt.Errorf("DequantizeGGUF: src holds %d bytes, need %d: %w", len(src), size, ErrShape)
	}
	bb := kind.blockBytes()
	blocks := len(dst) / GGUFBlockLen
	items := (blocks + ggufBlocksPerItem - 1) / ggufBlocksPerItem
	run(workersFor(items), items, func(_, item int) {
		b0 := item * ggufBlocksPerItem
		b1 := min(b0+ggufBlocksPerItem, blocks)
		in, out := src[b0*bb:b1*bb], dst[b0*GGUFBlockLen:b1*GGUFBlockLen]
		if kind == Q8_0 {
			kernels.DecodeQ8_0(out, in)
		} else {
			kernels.DecodeQ4_0(out, in)
		}
	})
	return nil
}
