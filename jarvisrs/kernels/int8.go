package kernels

import "math"

// AffineInt8 quantizes src into dst with the original extension's asymmetric formula:
//
//	q = clamp(roundHalfAway((x - min) / scale) - 128, -128, 127)
//
// where the subtraction and the true division are float32 operations and roundHalfAway rounds
// the float32 quotient half away from zero. scale should be > 0; any value, NaN included, gives
// a defined result: a NaN quotient gives -128, ±Inf clamps.
//
// len(dst) must be at least len(src) (it panics otherwise); dst[:len(src)] is written, neither
// slice is retained. Safe for concurrent use on disjoint dst.
func AffineInt8(dst []int8, src []float32, min, scale float32) {
	if len(dst) < len(src) {
		panic("kernels: AffineInt8: dst shorter than src")
	}
	dst = dst[:len(src)]
	if useSIMD() && quantVec(dst, src, min, scale, -128, -128, 127) {
		return
	}
	for i, x := range src {
		dst[i] = code((x-min)/scale, -128, -128, 127)
	}
}

// SymInt8 quantizes src into dst symmetrically:
//
//	q = clamp(roundHalfAway(x / scale), lo, hi)
//
// with a true float32 division. (lo, hi) is (-127, 127) for symmetric INT8 and (-8, 7) for
// INT4 codes; lo <= hi is expected (otherwise every code is hi). scale should be > 0; any
// value gives a defined result: a NaN quotient gives lo, ±Inf clamps.
//
// len(dst) must be at least len(src) (it panics otherwise); dst[:len(src)] is written, neither
// slice is retained. Safe for concurrent use on disjoint dst.
func SymInt8(dst []int8, src []float32, scale float32, lo, hi int8) {
	if len(dst) < len(src) {
		panic("kernels: SymInt8: dst shorter than src")
	}
	dst = dst[:len(src)]
	if useSIMD() && quantVec(dst, src, 0, scale, 0, float32(lo), float32(hi)) {
		return
	}
	flo, fhi := float64(lo), float64(hi)
	for i, x := range src {
		dst[i] = code(x/scale, 0, flo, fhi)
	}
}

// ZeroPointInt8 quantizes src into dst with an integer zero point:
//
//	q = clamp(roundHalfAway(x / scale) + zp, -128, 127)
//
// with a true float32 division and the addition done exactly. scale should be > 0; any value
// gives a defined result: a NaN quotient gives -128, ±Inf clamps.
//
// len(dst) must be at least len(src) (it panics otherwise); dst[:len(src)] is written, neither
// slice is retained. Safe for concurrent use on disjoint dst.
func ZeroPointInt8(dst []int8, src []float32, scale float32, zp int32) {
	if len(dst) < len(src) {
		panic("kernels: ZeroPointInt8: dst shorter than src")
	}
	dst = dst[:len(src)]
	// Within ±2^20 the float32 sum round(q)+zp is exact wherever the clamp does not decide
	// the result, so the vector path (which adds in float32) agrees with the exact formula.
	if useSIMD() && zp >= -1<<20 && zp <= 1<<20 &&
		quantVec(dst, src, 0, scale, float32(zp), -128, 127) {
		return
	}
	fzp := float64(zp)
	for i, x := range src {
		dst[i] = code(x/scale, fzp, -128, 127)
	}
}

// SymInt8Columns quantizes src, read as rows of len(scales) elements (the last axis is the
// channel axis), symmetrically per column:
//
//	q = clamp(roundHalfAway(x / scales[j]), -127, 127)   for element j of each row
//
// with a true float32 division; a column whose scale is exactly zero (±0) gets code 0. A NaN
// quotient gives -127, ±Inf clamps.
//
// len(src) must be a multiple of len(scales) and len(dst) at least len(src) (it panics
// otherwise; empty scales need an empty src). dst[:len(src)] is written; nothing is retained.
// Safe for concurrent use on disjoint dst.
func SymInt8Columns(dst []int8, src []float32, scales []float32) {
	cols := len(scales)
	if len(dst) < len(src) {
		panic("kernels: SymInt8Columns: dst shorter than src")
	}
	if cols == 0 {
		if len(src) != 0 {
			panic("kernels: SymInt8Columns: non-empty src with empty scales")
		}
		return
	}
	if len(src)%cols != 0 {
		panic("kernels: SymInt8Columns: len(src) is not a multiple of len(scales)")
	}
	dst = dst[:len(src)]
	if useSIMD() && quantColumnsVec(dst, src, scales, nil) {
		return
	}
	quantColumnsScalar(dst, src, scales, nil)
}

// ZeroPointInt8Columns quantizes src, read as rows of len(scales) elements (the last axis is
// the channel axis), per column with an integer zero point:
//
//	q = clamp(roundHalfAway(x / scales[j]) + zps[j], -128, 127)   for element j of each row
//
// with a true float32 division and the addition done exactly; a column whose scale is exactly
// zero (±0) gets code zps[j]. A NaN quotient gives -128, ±Inf clamps. It is ZeroPointInt8
// applied column by column.
//
// len(zps) must equal len(scales), len(src) be a multiple of it and len(dst) at least len(src)
// (it panics otherwise; empty scales need an empty src). dst[:len(src)] is written; nothing is
// retained. Safe for concurrent use on disjoint dst.
func ZeroPointInt8Columns(dst []int8, src []float32, scales []float32, zps []int8) {
	cols := len(scales)
	switch {
	case len(dst) < len(src):
		panic("kernels: ZeroPointInt8Columns: dst shorter than src")
	case len(zps) != cols:
		panic("kernels: ZeroPointInt8Columns: zps and scales differ in length")
	case cols == 0 && len(src) != 0:
		panic("kernels: ZeroPointInt8Columns: non-empty src with empty scales")
	case cols != 0 && len(src)%cols != 0:
		panic("kernels: ZeroPointInt8Columns: len(src) is not a multiple of len(scales)")
	}
	if cols == 0 {
		return
	}
	dst = dst[:len(src)]
	if useSIMD() && quantColumnsVec(dst, src, scales, zps) {
		return
	}
	quantColumnsScalar(dst, src, scales, zps)
}

// quantColumnsScalar is SymInt8Columns (zps nil) or ZeroPointInt8Columns.
func quantColumnsScalar(dst []int8, src []float32, scales []float32, zps []int8) {
	cols := len(scales)
	for len(src) >= cols {
		row, out := src[:cols], dst[:cols]
		if zps == nil {
			for j, x := range row {
				if s := scales[j]; s == 0 {
					out[j] = 0
				} else {
					out[j] = code(x/s, 0, -127, 127)
				}
			}
		} else {
			for j, x := range row {
				if s := scales[j]; s == 0 {
					out[j] = zps[j]
				} else {
					out[j] = code(x/s, float64(zps[j]), -128, 127)
				}
			}
		}
		src, dst = src[cols:], dst[cols:]
	}
}

// code is the step every INT8 formula shares: clamp(roundHalfAway(q) + add, lo, hi), with a NaN
// going to lo. It adds in float64, where round(q)+add is exact for any |round(q)| < 2^52 and
// rounds monotonically beyond, so clamping after it matches clamping the exact integer sum.
func code(q float32, add, lo, hi float64) int8 {
	r := float64(roundHalfAway(q)) + add
	if !(r >= lo) {
		r = lo
	}
	if r > hi {
		r = hi
	}
	return int8(r)
}

// roundHalfAway rounds a float32 half away from zero. Widening to float64 is exact and every
// integer-valued float64 result fits back in float32 unchanged, so this is float32 rounding.
func roundHalfAway(v float32) float32 {
	return float32(math.Round(float64(v)))
}
