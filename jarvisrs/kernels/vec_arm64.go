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

// absMaxVec takes the integer maxima of the magnitude bits, which order like the magnitudes.
// They cannot skip a NaN (a key above +Inf's), so a slice holding one goes through the
// column kernel instead, as rows of 8 lanes that start at +0 and skip NaNs as the scalar
// comparison does; the lanes then fold with that comparison.
func absMaxVec(src []float32) (m float32, n int) {
	if len(src) < vecMin {
		return 0, 0
	}
	if k := absMaxKeyNEON(&src[0], len(src)); k <= 0x7f800000 {
		return math.Float32frombits(k), len(src)
	}
	var lanes [vecMin]float32
	n = len(src) / vecMin * vecMin
	absMaxColumnsVec(lanes[:], src[:n])
	for _, a := range lanes {
		if a > m {
			m = a
		}
	}
	return m, n
}

// minMaxVec takes the integer minimum and maximum of keys in MinMax's order; a NaN among
// them (a key beyond ±Inf's) sends the slice through the column kernel instead, as rows of 8
// lanes starting at ±Inf, folded afterwards with the same order (see minMaxColumnsVec).
func minMaxVec(src []float32) (min, max float32, n int) {
	if len(src) < vecMin {
		return 0, 0, 0
	}
	kmin, kmax := minMaxKeysNEON(&src[0], len(src))
	if kmin >= keyNegInf && kmax <= keyPosInf {
		return fromKey(kmin), fromKey(kmax), len(src)
	}
	var lo, hi [vecMin]float32
	for i := range lo {
		lo[i], hi[i] = float32(math.Inf(1)), float32(math.Inf(-1))
	}
	n = len(src) / vecMin * vecMin
	minMaxColumnsVec(lo[:], hi[:], src[:n])
	min, max = lo[0], hi[0]
	for i := 1; i < vecMin; i++ {
		min, max = minStep(min, lo[i]), maxStep(max, hi[i])
	}
	return min, max, n
}
