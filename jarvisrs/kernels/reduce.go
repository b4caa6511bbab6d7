package kernels

import "math"

// MinMax returns the minimum and maximum of src. The caller is expected to have checked that
// src is non-empty and finite; for other inputs the result is still defined and the same on
// every path: NaN elements are skipped, -0 counts as less than +0 (so the result never depends
// on element order), and when src has no non-NaN element (empty or all NaN) both results are
// NaN. src is only read and not retained. Safe for concurrent use.
func MinMax(src []float32) (min, max float32) {
	min, max = float32(math.Inf(1)), float32(math.Inf(-1))
	if useSIMD() {
		if lo, hi, n := minMaxVec(src); n > 0 {
			min, max, src = lo, hi, src[n:]
		}
	}
	for _, x := range src {
		min, max = minStep(min, x), maxStep(max, x)
	}
	if min > max {
		nan := float32(math.NaN())
		return nan, nan
	}
	return min, max
}

// minStep and maxStep are one step of MinMax's order: NaN x is skipped, and on a tie the sign
// bits are OR-ed (min) or AND-ed (max) so -0 wins a minimum and +0 a maximum. Equal non-zero
// floats have equal bits, so the tie rule only ever changes zeros.
func minStep(m, x float32) float32 {
	if x < m {
		return x
	}
	if x == m {
		return math.Float32frombits(math.Float32bits(m) | math.Float32bits(x))
	}
	return m
}

func maxStep(m, x float32) float32 {
	if x > m {
		return x
	}
	if x == m {
		return math.Float32frombits(math.Float32bits(m) & math.Float32bits(x))
	}
	return m
}

// MinMaxColumns folds src, read as rows of len(lo) elements, into lo and hi: lo[j] and hi[j]
// become the minimum and maximum of themselves and every row's element j, in MinMax's order
// (NaN elements skipped, -0 below +0; a NaN already in lo or hi stays). Start them at +Inf and
// -Inf for plain per-column extremes; passing the same lo and hi over successive row chunks
// gives the result of one call over all of them.
//
// len(hi) must equal len(lo) and len(src) be a multiple of it (it panics otherwise; empty lo
// needs an empty src). lo and hi are read and written, src only read; nothing is retained. Not
// safe for concurrent use on the same lo or hi.
func MinMaxColumns(lo, hi, src []float32) {
	cols := len(lo)
	switch {
	case len(hi) != cols:
		panic("kernels: MinMaxColumns: lo and hi differ in length")
	case cols == 0 && len(src) != 0:
		panic("kernels: MinMaxColumns: non-empty src with empty lo")
	case cols != 0 && len(src)%cols != 0:
		panic("kernels: MinMaxColumns: len(src) is not a multiple of len(lo)")
	}
	if cols == 0 {
		return
	}
	if useSIMD() && minMaxColumnsVec(lo, hi, src) {
		return
	}
	minMaxColumnsScalar(lo, hi, src)
}

func minMaxColumnsScalar(lo, hi, src []float32) {
	cols := len(lo)
	hi = hi[:cols]
	for len(src) >= cols {
		for j, x := range src[:cols] {
			lo[j], hi[j] = minStep(lo[j], x), maxStep(hi[j], x)
		}
		src = src[cols:]
	}
}

// AbsMax returns the largest |x| over src, or 0 for an empty src. NaN elements are skipped
// (the scalar definition is "if |x| > m then m = |x|", starting from m = +0); an infinity gives
// +Inf. src is only read and not retained. Safe for concurrent use.
func AbsMax(src []float32) float32 {
	var m float32
	if useSIMD() {
		var n int
		m, n = absMaxVec(src)
		src = src[n:]
	}
	for _, x := range src {
		if a := abs32(x); a > m {
			m = a
		}
	}
	return m
}

// AbsMaxColumns folds the absolute values of src, read as rows of len(acc) elements, into acc:
// acc[j] = |src[row*len(acc)+j]| wherever that is greater than acc[j], over every row. NaN
// elements are skipped; acc's own values (even NaN or -0) are kept unless exceeded. Start acc
// at zero for a plain per-column maximum; passing the same acc over successive row chunks gives
// the same result as one call over all of them.
//
// len(src) must be a multiple of len(acc) (it panics otherwise; an empty acc needs an empty
// src). acc is read and written, src only read; neither is retained. Not safe for concurrent
// use on the same acc.
func AbsMaxColumns(acc []float32, src []float32) {
	cols := len(acc)
	if cols == 0 {
		if len(src) != 0 {
			panic("kernels: AbsMaxColumns: non-empty src with empty acc")
		}
		return
	}
	if len(src)%cols != 0 {
		panic("kernels: AbsMaxColumns: len(src) is not a multiple of len(acc)")
	}
	if useSIMD() && absMaxColumnsVec(acc, src) {
		return
	}
	absMaxColumnsScalar(acc, src)
}

func absMaxColumnsScalar(acc []float32, src []float32) {
	cols := len(acc)
	for len(src) >= cols {
		row := src[:cols]
		for j, x := range row {
			if a := abs32(x); a > acc[j] {
				acc[j] = a
			}
		}
		src = src[cols:]
	}
}

func abs32(x float32) float32 {
	return math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
}
