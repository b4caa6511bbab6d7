package quant

import "math"

// Rounding for the cold per-channel parameter paths (the loops are in jarvisrs/kernels).

// roundHalfAway rounds a float32 half away from zero; the widening is exact, and so is the
// result in float64 (it is the float32 rounding, representable in both).
func roundHalfAway(v float32) float64 { return math.Round(float64(v)) }

// clampCode clamps r to [lo, hi] (NaN to lo) and converts it, as the kernels do.
func clampCode(r, lo, hi float64) int8 {
	if !(r >= lo) {
		r = lo
	}
	if r > hi {
		r = hi
	}
	return int8(r)
}
