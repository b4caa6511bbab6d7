//go:build arm64 && !purego

package kernels

//go:noescape
func quantNEON(dst *int8, src *float32, n int, sub, scale, add, lo, hi float32)

// quantVec computes clamp(roundHalfAway((x-sub)/scale) + add, lo, hi) with a NaN going to lo,
// for the whole of src, and reports whether it did (false: too short, use the scalar code).
// len(dst) == len(src).
func quantVec(dst []int8, src []float32, sub, scale, add, lo, hi float32) bool {
	if len(src) < vecMin {
		return false
	}
	quantNEON(&dst[0], &src[0], len(src), sub, scale, add, lo, hi)
	return true
}
