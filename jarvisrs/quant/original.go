package quant

import (
	"fmt"
	"math"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// Params are the float32 parameters of the original extension's quantize_array_int8.
type Params struct {
	// Scale is (Max - Min) / 255, or 0 for an empty or constant input.
	Scale float32
	// ZeroPoint is -Min / Scale, or 0 for an empty or constant input. It is a float, as the
	// original returned it; note -0 when Min is +0.
	ZeroPoint float32
	// Min and Max are the smallest and largest input values (0 for an empty input). Between
	// equal zeros -0 counts as the smaller.
	Min, Max float32
}

// OriginalInt8 quantizes src into dst with the original extension's formula, bit for bit:
//
//	scale = (max - min) / 255,  zero_point = -min / scale
//	q = clamp(round((x - min) / scale) - 128, -128, 127)
//
// all in float32, with a true division. An empty src gives zero Params. When scale is 0 (a
// constant input, or a range so narrow that dividing it by 255 underflows) every code is -128
// and Scale and ZeroPoint are 0, so the result holds no NaN or infinity.
//
// dst must hold at least len(src) codes; dst[:len(src)] is written. Errors: a *NonFiniteError
// (ErrNonFinite) for the first NaN or ±Inf of src, ErrRange when max - min overflows float32,
// ErrShape when dst is too short.
func OriginalInt8(dst []int8, src []float32) (Params, error) {
	n := len(src)
	if len(dst) < n {
		return Params{}, fmt.Errorf("OriginalInt8: dst holds %d codes, need %d: %w", len(dst), n, ErrShape)
	}
	if n == 0 {
		return Params{}, nil
	}
	var mn, mx float32
	l := layout{n: n, outer: 1, channels: 1, inner: n}
	if err := minMaxPerChannel(src, l, func(_ int, lo, hi float32) { mn, mx = lo, hi }); err != nil {
		return Params{}, err
	}
	span := mx - mn
	if math.IsInf(float64(span), 0) {
		return Params{}, fmt.Errorf("OriginalInt8: range [%v, %v] overflows float32: %w", mn, mx, ErrRange)
	}
	scale := span / 255
	if scale == 0 {
		forChunks(n, func(lo, hi int) {
			for i := range dst[lo:hi] {
				dst[lo+i] = -128
			}
		})
		return Params{Min: mn, Max: mx}, nil
	}
	forChunks(n, func(lo, hi int) { kernels.AffineInt8(dst[lo:hi], src[lo:hi], mn, scale) })
	return Params{Scale: scale, ZeroPoint: -mn / scale, Min: mn, Max: mx}, nil
}
