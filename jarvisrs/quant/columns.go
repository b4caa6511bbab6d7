package quant

// Per-column loops that jarvisrs/kernels does not provide (it has AbsMaxColumns and
// SymInt8Columns only). They are scalar and follow the kernels' definitions exactly, so a
// per-column result equals the per-slice kernel applied column by column.

// minMaxColumns folds src, read as rows of len(lo) elements, into lo and hi with MinMax's
// order (-0 below +0, as Go's built-in min and max). src holds no NaN. len(hi) == len(lo) and
// len(src) is a multiple of it.
func minMaxColumns(lo, hi, src []float32) {
	cols := len(lo)
	hi = hi[:cols]
	for len(src) >= cols {
		row := src[:cols]
		for j, x := range row {
			lo[j], hi[j] = min(lo[j], x), max(hi[j], x)
		}
		src = src[cols:]
	}
}

// zeroPointInt8Columns is kernels.ZeroPointInt8 per column: element j of each row of len(scales)
// gets clamp(round(x/scales[j]) + zps[j], -128, 127); a zero scale gives the zero point.
func zeroPointInt8Columns(dst []int8, src []float32, scales []float32, zps []int8) {
	cols := len(scales)
	zps = zps[:cols]
	for len(src) >= cols {
		row, out := src[:cols], dst[:cols]
		for j, x := range row {
			if s := scales[j]; s == 0 {
				out[j] = zps[j]
			} else {
				out[j] = zeroPointCode(x/s, int32(zps[j]))
			}
		}
		src, dst = src[cols:], dst[cols:]
	}
}
