package quant

import "math"

// Rounding for the scalar loops of this package (GGUF blocks, per-column zero points).
// math.Round is a bit-twiddling function call on amd64; roundToInt32 compiles to an add and a
// truncating conversion.

// roundHalfAway rounds a float32 half away from zero; the widening is exact, and so is the
// result in float64 (it is the float32 rounding, representable in both). For the rare, cold
// paths; the loops use roundToInt32.
func roundHalfAway(v float32) float64 { return math.Round(float64(v)) }

// roundToInt32 rounds v half away from zero. v must be finite with |v| < 2^31. Adding ±0.5 in
// float64 is exact for every such float32 (for |v| < 0.5 the sum may round, but never up to
// 1), and the conversion truncates toward zero.
func roundToInt32(v float32) int32 {
	f := float64(v)
	return int32(f + math.Copysign(0.5, f))
}

// zeroPointCode is clamp(round(v) + zp, -128, 127) with NaN giving -128, exactly as
// kernels.ZeroPointInt8 defines it. Clamping v to ±256 first changes nothing (|zp| <= 128, so
// beyond ±256 the sum clamps either way) and keeps the rounding in int32.
func zeroPointCode(v float32, zp int32) int8 {
	if !(v >= -256) {
		v = -256
	}
	if v > 256 {
		v = 256
	}
	return int8(min(max(roundToInt32(v)+zp, -128), 127))
}

// clampCode clamps r to [lo, hi] (NaN to lo) and converts it, as the kernels do; for the cold
// per-channel parameter paths.
func clampCode(r, lo, hi float64) int8 {
	if !(r >= lo) {
		r = lo
	}
	if r > hi {
		r = hi
	}
	return int8(r)
}
