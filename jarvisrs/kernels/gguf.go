package kernels

import (
	"encoding/binary"
	"math"
)

// llama.cpp's Q8_0 and Q4_0 block formats, as the gguf Python package's numpy code writes and
// reads them. A block is 32 consecutive values: a float16 scale d (little-endian) followed by
// the codes.
const (
	// GGUFBlockLen is the number of values in one Q8_0 or Q4_0 block.
	GGUFBlockLen = 32
	// Q8_0BlockBytes is the size of one Q8_0 block: d, then 32 signed bytes.
	Q8_0BlockBytes = 2 + GGUFBlockLen
	// Q4_0BlockBytes is the size of one Q4_0 block: d, then 16 bytes of two 4-bit codes.
	Q4_0BlockBytes = 2 + GGUFBlockLen/2
)

// EncodeQ8_0 encodes src, len(src)/32 blocks of 32 values, into Q8_0 blocks in dst. Per block,
// in float32 arithmetic:
//
//	d  = max|x| / 127                      (a true division)
//	id = 1/d, or 0 when d is 0 or 1/d overflows to +Inf
//	q  = roundHalfAway(x * id)             (|x*id| <= 127 plus a hair, so no clamp is needed)
//
// and the block is d as float16 (F32ToF16's rounding) followed by the 32 codes. This is
// gguf.quants.quantize's Q8_0 for finite input; where its id overflows, numpy's undefined
// float-to-int cast gives 0 on x86-64, which id = 0 reproduces.
//
// It returns false, having written unspecified bytes, when src holds a NaN or ±Inf (the caller
// finds the index with FirstNonFinite): the vector code detects them for free on the way.
//
// len(src) must be a multiple of 32 and len(dst) at least len(src)/32*Q8_0BlockBytes (it panics
// otherwise); that prefix of dst is written, nothing is retained. Safe for concurrent use on
// disjoint dst.
func EncodeQ8_0(dst []byte, src []float32) (finite bool) {
	blocks := ggufBlocks("EncodeQ8_0", len(src), len(dst), Q8_0BlockBytes)
	if blocks == 0 {
		return true
	}
	if useSIMD() {
		if finite, done := encodeQ8_0Vec(dst, src, blocks); done {
			return finite
		}
	}
	if firstNonFiniteScalar(src) >= 0 {
		return false
	}
	for b := range blocks {
		encodeQ8_0Block(dst[b*Q8_0BlockBytes:(b+1)*Q8_0BlockBytes], src[b*GGUFBlockLen:(b+1)*GGUFBlockLen])
	}
	return true
}

// EncodeQ4_0 encodes src, len(src)/32 blocks of 32 values, into Q4_0 blocks in dst. Per block,
// in float32 arithmetic:
//
//	m  = the value of largest magnitude, signed; the first one on ties (numpy's argmax)
//	d  = m / -8                            (exact: a power-of-two division)
//	id = 1/d, or 0 when d is 0
//	q  = min(trunc(x*id + 8.5), 15)        (product and sum each rounded, as numpy does)
//
// and the block is d as float16 followed by 16 bytes, byte j holding code j in its low nibble
// and code j+16 in its high nibble. This is gguf.quants.quantize's Q4_0 for finite input; when
// 1/d overflows to ±Inf for a non-zero d (|m| below about 2.3e-38), numpy's undefined cast of
// the infinite or NaN products gives 0 on x86-64, and so every code byte of that block is 0.
//
// The return value, the panics, the ownership and the concurrency are those of EncodeQ8_0,
// with Q4_0BlockBytes per block.
func EncodeQ4_0(dst []byte, src []float32) (finite bool) {
	blocks := ggufBlocks("EncodeQ4_0", len(src), len(dst), Q4_0BlockBytes)
	if blocks == 0 {
		return true
	}
	if useSIMD() {
		if finite, done := encodeQ4_0Vec(dst, src, blocks); done {
			return finite
		}
	}
	if firstNonFiniteScalar(src) >= 0 {
		return false
	}
	for b := range blocks {
		encodeQ4_0Block(dst[b*Q4_0BlockBytes:(b+1)*Q4_0BlockBytes], src[b*GGUFBlockLen:(b+1)*GGUFBlockLen])
	}
	return true
}

// DecodeQ8_0 decodes len(dst)/32 Q8_0 blocks from src: value j of a block is float32(q_j) * d,
// one float32 multiplication, with d the block's float16 scale widened exactly (F16ToF32), as
// gguf.quants.dequantize does. Any bytes are valid: a NaN or infinite d gives NaN or infinite
// values, as in numpy.
//
// len(dst) must be a multiple of 32 and len(src) at least len(dst)/32*Q8_0BlockBytes (it panics
// otherwise); dst is written whole, src only read, nothing retained. Safe for concurrent use on
// disjoint dst.
func DecodeQ8_0(dst []float32, src []byte) {
	blocks := ggufBlocks("DecodeQ8_0", len(dst), len(src), Q8_0BlockBytes)
	if blocks == 0 {
		return
	}
	if useSIMD() && decodeQ8_0Vec(dst, src, blocks) {
		return
	}
	for b := range blocks {
		blk := src[b*Q8_0BlockBytes : (b+1)*Q8_0BlockBytes]
		d := f16ToF32One(binary.LittleEndian.Uint16(blk))
		out := dst[b*GGUFBlockLen : (b+1)*GGUFBlockLen]
		for j, q := range blk[2:] {
			out[j] = float32(int8(q)) * d
		}
	}
}

// DecodeQ4_0 decodes len(dst)/32 Q4_0 blocks from src: value j of a block is d * float32(q_j - 8)
// with q_j the low nibble of code byte j for j < 16 and the high nibble of byte j-16 otherwise,
// and d the block's float16 scale widened exactly, as gguf.quants.dequantize does.
//
// The panics, the ownership and the concurrency are those of DecodeQ8_0, with Q4_0BlockBytes
// per block.
func DecodeQ4_0(dst []float32, src []byte) {
	blocks := ggufBlocks("DecodeQ4_0", len(dst), len(src), Q4_0BlockBytes)
	if blocks == 0 {
		return
	}
	if useSIMD() && decodeQ4_0Vec(dst, src, blocks) {
		return
	}
	for b := range blocks {
		blk := src[b*Q4_0BlockBytes : (b+1)*Q4_0BlockBytes]
		d := f16ToF32One(binary.LittleEndian.Uint16(blk))
		out := dst[b*GGUFBlockLen : (b+1)*GGUFBlockLen]
		lo, hi := out[:GGUFBlockLen/2], out[GGUFBlockLen/2:]
		for j, q := range blk[2:] {
			lo[j] = d * float32(int32(q&0x0f)-8)
			hi[j] = d * float32(int32(q>>4)-8)
		}
	}
}

// ggufBlocks checks the lengths of a GGUF kernel call and returns the block count.
func ggufBlocks(fn string, values, bytes, blockBytes int) int {
	if values%GGUFBlockLen != 0 {
		panic("kernels: " + fn + ": value count is not a multiple of 32")
	}
	blocks := values / GGUFBlockLen
	if bytes/blockBytes < blocks {
		panic("kernels: " + fn + ": block buffer too short")
	}
	return blocks
}

// encodeQ8_0Block is one block of EncodeQ8_0's formula for finite x.
func encodeQ8_0Block(blk []byte, x []float32) {
	// Magnitude bits order like the magnitudes (see encodeQ4_0Block).
	var m uint32
	for _, v := range x[:GGUFBlockLen] {
		m = max(m, math.Float32bits(v)&^(1<<31))
	}
	d := math.Float32frombits(m) / 127
	id := 1 / d
	if math.IsInf(float64(id), 0) { // d == 0 included
		id = 0
	}
	binary.LittleEndian.PutUint16(blk, f32ToF16One(d))
	q := blk[2 : 2+GGUFBlockLen]
	for j, v := range x[:GGUFBlockLen] {
		q[j] = uint8(roundToInt32(v * id))
	}
}

// encodeQ4_0Block is one block of EncodeQ4_0's formula for finite x.
func encodeQ4_0Block(blk []byte, x []float32) {
	// For non-negative floats the bit patterns order like the values, so the first index of
	// the largest |x| is the first strict maximum of the magnitude bits.
	imax, best := 0, uint32(0)
	for j, v := range x[:GGUFBlockLen] {
		if b := math.Float32bits(v) &^ (1 << 31); b > best {
			imax, best = j, b
		}
	}
	d := x[imax] / -8
	var id float32
	if d != 0 {
		id = 1 / d
	}
	binary.LittleEndian.PutUint16(blk, f32ToF16One(d))
	q := blk[2 : 2+GGUFBlockLen/2]
	if math.IsInf(float64(id), 0) {
		clear(q)
		return
	}
	lo, hi := x[:GGUFBlockLen/2], x[GGUFBlockLen/2:GGUFBlockLen]
	for j := range q {
		q[j] = q4Code(lo[j], id) | q4Code(hi[j], id)<<4
	}
}

// q4Code is min(trunc(x*id + 8.5), 15) for a finite id, where the sum lies in [0.49, 16.51].
// Converting the product to float32 keeps the compiler from fusing the multiply and add, which
// would round once, not twice as numpy does.
func q4Code(x, id float32) uint8 {
	return min(uint8(int32(float32(x*id)+8.5)), 15)
}

// roundToInt32 rounds v half away from zero; v must be finite with |v| < 2^31. Adding ±0.5 in
// float64 is exact for every such float32 (for |v| < 0.5 the sum may round, but never up to
// 1), and the conversion truncates toward zero.
func roundToInt32(v float32) int32 {
	f := float64(v)
	return int32(f + math.Copysign(0.5, f))
}
