package quant

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// ggufBlocksPerItem keeps a GGUF work item at ChunkLen values. The float16 scales of an item
// are converted in one kernel call through a buffer of this many entries on the stack.
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
		in := src[b0*GGUFBlockLen : b1*GGUFBlockLen]
		if i := kernels.FirstNonFinite(in); i >= 0 {
			bad.offer(b0*GGUFBlockLen + i)
			return
		}
		out := dst[b0*bb : b1*bb]
		var ds [ggufBlocksPerItem]float32
		var hs [ggufBlocksPerItem]uint16
		for b := range b1 - b0 {
			x := in[b*GGUFBlockLen : (b+1)*GGUFBlockLen]
			if kind == Q8_0 {
				ds[b] = q80Block(out[b*bb+2:(b+1)*bb], x)
			} else {
				ds[b] = q40Block(out[b*bb+2:(b+1)*bb], x)
			}
		}
		kernels.F32ToF16(hs[:b1-b0], ds[:b1-b0])
		for b, h := range hs[:b1-b0] {
			binary.LittleEndian.PutUint16(out[b*bb:], h)
		}
	})
	if i := bad.get(); i >= 0 {
		return &NonFiniteError{Index: i, Value: src[i]}
	}
	return nil
}

// Both encoders rely on one fact: when id is finite, |x*id| stays within a hair of the code
// range (d = m/127 or m/-8 is at worst a subnormal at or above 2^-128, still exact to 2^-21, so
// |x*id| <= 127*(1+2^-20) or 8*(1+2^-20)), and the conversions below are the plain ones. When id
// overflows to Inf, every product is ±Inf or NaN (0*Inf), numpy's cast turns all of them into 0
// on x86-64, and so the whole block of codes is 0.

// q80Block writes the 32 codes of one Q8_0 block to q and returns its scale d.
func q80Block(q []byte, x []float32) float32 {
	d := kernels.AbsMax(x) / 127
	var id float32
	if d != 0 {
		id = 1 / d
	}
	q = q[:GGUFBlockLen]
	if math.IsInf(float64(id), 0) {
		clear(q)
		return d
	}
	for j, v := range x[:GGUFBlockLen] {
		q[j] = uint8(roundToInt32(v * id))
	}
	return d
}

// q40Block writes the 16 code bytes of one Q4_0 block to q and returns its scale d.
func q40Block(q []byte, x []float32) float32 {
	x = x[:GGUFBlockLen]
	// The first index of the largest |x|: for non-negative floats the bit patterns order like
	// the values, so compare them as integers.
	imax, best := 0, uint32(0)
	for j, v := range x {
		if b := math.Float32bits(v) &^ (1 << 31); b > best {
			imax, best = j, b
		}
	}
	d := x[imax] / -8
	var id float32
	if d != 0 {
		id = 1 / d
	}
	q = q[:GGUFBlockLen/2]
	if math.IsInf(float64(id), 0) {
		clear(q)
		return d
	}
	lo, hi := x[:GGUFBlockLen/2], x[GGUFBlockLen/2:]
	for j := range q {
		q[j] = q40Code(lo[j], id) | q40Code(hi[j], id)<<4
	}
	return d
}

// q40Code is min(trunc(x*id + 8.5), 15) for a finite id, where the sum lies in [0.49, 16.51]
// and the conversion truncates. Converting the product to float32 keeps the compiler from
// fusing the multiply and add, which would round once, not twice as numpy does.
func q40Code(x, id float32) uint8 {
	return min(uint8(int32(float32(x*id)+8.5)), 15)
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
		var hs [ggufBlocksPerItem]uint16
		var ds [ggufBlocksPerItem]float32
		for b := b0; b < b1; b++ {
			hs[b-b0] = binary.LittleEndian.Uint16(src[b*bb:])
		}
		kernels.F16ToF32(ds[:b1-b0], hs[:b1-b0])
		for b := b0; b < b1; b++ {
			in := src[b*bb+2 : (b+1)*bb]
			out := dst[b*GGUFBlockLen : (b+1)*GGUFBlockLen]
			d := ds[b-b0]
			if kind == Q8_0 {
				for j, q := range in[:GGUFBlockLen] {
					out[j] = float32(int8(q)) * d
				}
				continue
			}
			lo, hi := out[:GGUFBlockLen/2], out[GGUFBlockLen/2:]
			for j, q := range in[:GGUFBlockLen/2] {
				lo[j] = d * float32(int(q&0x0f)-8)
				hi[j] = d * float32(int(q>>4)-8)
			}
		}
	})
	return nil
}
