//go:build arm64 && !purego

package kernels

import "math"

// hasSIMD is always true on arm64: ASIMD (NEON), all the kernels use, is part of the
// ARMv8-A base architecture, and FCVTN/FCVTL to and from half precision are in its base set.
const hasSIMD = true

// The assembly kernels need at least vecMin elements: like the AVX2 ones they finish a slice
// with a block of 8 that overlaps the previous one instead of a scalar tail.
const vecMin = 8

//go:noescape
func firstNonFiniteNEON(src *float32, n int) int

//go:noescape
func absMaxKeyNEON(src *float32, n int) uint32

//go:noescape
func minMaxKeysNEON(src *float32, n int) (kmin, kmax int32)

//go:noescape
func f32ToF16NEON(dst *uint16, src *float32, n int) int

//go:noescape
func f16ToF32NEON(dst *float32, src *uint16, n int) int

func firstNonFiniteVec(src []float32) (index, done int) {
	if len(src) < vecMin {
		return -1, 0
	}
	i := firstNonFiniteNEON(&src[0], len(src))
	if i == len(src) {
		return -1, i
	}
	if j := firstNonFiniteScalar(src[i:]); j >= 0 {
		return i + j, i
	}
	return -1, len(src) // unreachable: the block at i holds one
}

// absMaxVec returns n = 0 (the scalar code does it all) when src holds a NaN, which the
// integer maxima cannot skip; AbsMax is meant for finite input, so that path is rare.
func absMaxVec(src []float32) (m float32, n int) {
	if len(src) < vecMin {
		return 0, 0
	}
	k := absMaxKeyNEON(&src[0], len(src))
	if k > 0x7f800000 {
		return 0, 0
	}
	return math.Float32frombits(k), len(src)
}

// The keys of ±Inf in minMaxKeysNEON's order; a NaN's key lies outside them.
const (
	keyNegInf = -0x7f800001 // int32(0xff800000 ^ 0x7fffffff)
	keyPosInf = 0x7f800000
)

// minMaxVec returns n = 0 (the scalar code does it all) when src holds a NaN, as absMaxVec.
func minMaxVec(src []float32) (min, max float32, n int) {
	if len(src) < vecMin {
		return 0, 0, 0
	}
	kmin, kmax := minMaxKeysNEON(&src[0], len(src))
	if kmin < keyNegInf || kmax > keyPosInf {
		return 0, 0, 0
	}
	return fromKey(kmin), fromKey(kmax), len(src)
}

// fromKey inverts minMaxKeysNEON's key: flipping the magnitude bits of a negative is its own
// inverse.
func fromKey(k int32) float32 {
	return math.Float32frombits(uint32(k) ^ uint32(k>>31)&0x7fffffff)
}

// f32ToF16Vec converts what it can with FCVTN and hands each block of 8 holding a
// signalling NaN to the scalar code. Returns the count done, which is len(src) unless
// len(src) < vecMin.
func f32ToF16Vec(dst []uint16, src []float32) int {
	i := 0
	for len(src)-i >= vecMin {
		i += f32ToF16NEON(&dst[i], &src[i], len(src)-i)
		if i < len(src) {
			end := min(i+vecMin, len(src))
			f32ToF16Scalar(dst[i:end], src[i:end])
			i = end
		}
	}
	return i
}

// f16ToF32Vec is f32ToF16Vec's mirror with FCVTL.
func f16ToF32Vec(dst []float32, src []uint16) int {
	i := 0
	for len(src)-i >= vecMin {
		i += f16ToF32NEON(&dst[i], &src[i], len(src)-i)
		if i < len(src) {
			end := min(i+vecMin, len(src))
			f16ToF32Scalar(dst[i:end], src[i:end])
			i = end
		}
	}
	return i
}

// Not written for NEON yet: the scalar code runs.

func absMaxColumnsVec(acc, src []float32) bool { return false }
func dequantInt8ColumnsVec(dst []float32, codes []int8, scales []float32, zps []int8) bool {
	return false
}
func dequantInt4Vec(dst []float32, packed []uint8, scales []float32, vecPerGroup int) int { return 0 }
func quantColumnsVec(dst []int8, src []float32, scales []float32, zps []int8) bool        { return false }
func minMaxColumnsVec(lo, hi, src []float32) bool                                         { return false }
