//go:build arm64 && !purego

package kernels

import "math"

// hasSIMD is always true on arm64: ASIMD (NEON), all the kernels use, is part of the
// ARMv8-A base architecture, and FCVTN/FCVTL to and from half precision are in its base set.
const hasSIMD = true

//go:noescape
func absMaxKeyNEON(src *float32, n int) uint32

//go:noescape
func minMaxKeysNEON(src *float32, n int) (kmin, kmax int32)

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
