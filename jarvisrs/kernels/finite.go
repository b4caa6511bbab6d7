package kernels

import "math"

// FirstNonFinite returns the index of the first NaN or ±Inf in src, or -1 when every element
// is finite. src is only read and not retained. Safe for concurrent use.
func FirstNonFinite(src []float32) int {
	base := 0
	if useSIMD() {
		i, done := firstNonFiniteVec(src)
		if i >= 0 {
			return i
		}
		base = done
	}
	if i := firstNonFiniteScalar(src[base:]); i >= 0 {
		return base + i
	}
	return -1
}

func firstNonFiniteScalar(src []float32) int {
	for i, x := range src {
		if math.Float32bits(x)&0x7f800000 == 0x7f800000 {
			return i
		}
	}
	return -1
}
