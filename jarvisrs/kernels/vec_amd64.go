//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// hasSIMD gates every assembly kernel: they use AVX2 and, for float16, F16C. x/sys/cpu only
// reports AVX2 when the OS saves the YMM registers.
var hasSIMD = cpu.X86.HasAVX2 && cpu.X86.HasF16C

//go:noescape
func quantAVX2(dst *int8, src *float32, n int, sub, scale, add, lo, hi float32)

//go:noescape
func absMaxAVX2(src *float32, n int) float32

//go:noescape
func minMaxKeysAVX2(src *float32, n int) (kmin, kmax int32)

//go:noescape
func minMaxAVX2(src *float32, n int, lanes *[32]float32)

// quantVec computes clamp(roundHalfAway((x-sub)/scale) + add, lo, hi) with a NaN going to lo,
// for the whole of src, and reports whether it did (false: too short, use the scalar code).
// len(dst) == len(src).
func quantVec(dst []int8, src []float32, sub, scale, add, lo, hi float32) bool {
	if len(src) < vecMin {
		return false
	}
	quantAVX2(&dst[0], &src[0], len(src), sub, scale, add, lo, hi)
	return true
}

func absMaxVec(src []float32) (m float32, n int) {
	if len(src) < vecMin {
		return 0, 0
	}
	return absMaxAVX2(&src[0], len(src)), len(src)
}

func minMaxVec(src []float32) (min, max float32, n int) {
	if len(src) < vecMin {
		return 0, 0, 0
	}
	kmin, kmax := minMaxKeysAVX2(&src[0], len(src))
	if kmin >= keyNegInf && kmax <= keyPosInf {
		return fromKey(kmin), fromKey(kmax), len(src)
	}
	var lanes [32]float32
	minMaxAVX2(&src[0], len(src), &lanes)
	min, max = lanes[0], lanes[16]
	for i := 1; i < 16; i++ {
		min, max = minStep(min, lanes[i]), maxStep(max, lanes[16+i])
	}
	return min, max, len(src)
}
