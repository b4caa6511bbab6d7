package quant

import (
	"encoding/binary"
	"fmt"
	"math"

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
// integer cast is undefined (id overflowing to Inf for blocks below about 4e-37, giving NaN or
// infinite products) the codes are what numpy gives on x86-64: 0.
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
		in := src[b0*GGUFBlockLen : b1*GGUFBlockLen]
		if i := kernels.FirstNonFinite(in); i >= 0 {
			bad.offer(b0*GGUFBlockLen + i)
			return
		}
		out := dst[b0*bb : b1*bb]
		for b := range b1 - b0 {
			x := in[b*GGUFBlockLen : (b+1)*GGUFBlockLen]
			if kind == Q8_0 {
				q80Block(out[b*bb:(b+1)*bb], x)
			} else {
				q40Block(out[b*bb:(b+1)*bb], x)
			}
		}
	})
	if i := bad.get(); i >= 0 {
		return &NonFiniteError{Index: i, Value: src[i]}
	}
	return nil
}

// q80Block encodes one Q8_0 block of 32 values into 34 bytes.
func q80Block(out []byte, x []float32) {
	d := kernels.AbsMax(x) / 127
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putHalf(out, d)
	q := out[2 : 2+GGUFBlockLen]
	for j, v := range x[:GGUFBlockLen] {
		q[j] = numpyByte(roundHalfAway(v * id))
	}
}

// q40Block encodes one Q4_0 block of 32 values into 18 bytes.
func q40Block(out []byte, x []float32) {
	x = x[:GGUFBlockLen]
	imax, amax := 0, float32(0)
	for j, v := range x {
		if a := float32(math.Abs(float64(v))); a > amax {
			imax, amax = j, a
		}
	}
	d := x[imax] / -8
	var id float32
	if d != 0 {
		id = 1 / d
	}
	putHalf(out, d)
	q := out[2 : 2+GGUFBlockLen/2]
	for j := range q {
		q[j] = q40Code(x[j], id) | q40Code(x[j+GGUFBlockLen/2], id)<<4
	}
}

// q40Code is min(trunc(x*id + 8.5), 15) through numpy's cast to uint8. The conversion of the
// product keeps the compiler from fusing the multiply and add, which would round once, not
// twice as numpy does.
func q40Code(x, id float32) uint8 {
	v := float32(x*id) + 8.5
	return min(numpyByte(math.Trunc(float64(v))), 15)
}

// numpyByte is numpy's cast of an integer-valued float to int8 or uint8 on x86-64: the value
// truncated to int32, where anything outside int32 or NaN becomes -2^31, then its low byte.
// In range it is the plain conversion; outside, it wraps (300 -> 44) or gives 0.
func numpyByte(v float64) uint8 {
	if !(v >= math.MinInt32 && v < math.MaxInt32+1) {
		return 0
	}
	return uint8(int32(v))
}

// putHalf stores f as little-endian float16 bits (numpy's astype(np.float16)).
func putHalf(out []byte, f float32) {
	var h [1]uint16
	kernels.F32ToF16(h[:], []float32{f})
	binary.LittleEndian.PutUint16(out, h[0])
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
		for b := b0; b < b1; b++ {
			in := src[b*bb : (b+1)*bb]
			out := dst[b*GGUFBlockLen : (b+1)*GGUFBlockLen]
			var d [1]float32
			kernels.F16ToF32(d[:], []uint16{binary.LittleEndian.Uint16(in)})
			if kind == Q8_0 {
				for j, q := range in[2 : 2+GGUFBlockLen] {
					out[j] = float32(int8(q)) * d[0]
				}
				continue
			}
			for j, q := range in[2 : 2+GGUFBlockLen/2] {
				out[j] = d[0] * float32(int(q&0x0f)-8)
				out[j+GGUFBlockLen/2] = d[0] * float32(int(q>>4)-8)
			}
		}
	})
	return nil
}
