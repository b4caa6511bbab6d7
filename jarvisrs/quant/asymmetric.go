package quant

import (
	"fmt"
	"math"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// AsymmetricInt8 quantizes src, a C-contiguous tensor viewed as [outer][channels][inner] (see
// the package documentation), with a scale and an integer zero point per channel (dynamic or
// activation quantization), so that x ≈ (q - zp) * scale:
//
//	scale = (max - min) / 255
//	zp    = clamp(round(-min / scale) - 128, -128, 127)
//	q     = clamp(round(x / scale) + zp, -128, 127)
//
// in float32 with true divisions; the addition is exact. min and max are those of the channel's
// range widened to include 0, [min(min, 0), max(max, 0)], as PyTorch's and ONNX's dynamic
// quantizers do: then 0 is exactly representable and every value of the channel lies inside the
// representable range, so (q - zp) * scale is within half a step of x. (Taken literally on a
// channel entirely above or below 0, the formula would clamp the zero point and saturate every
// code: values in [1, 2] would all become 127 and dequantize to 1.) A constant c > 0 thus gets
// scale c/255, zp -128 and codes 127; c < 0 gets scale -c/255, zp 127 and codes -128; an
// all-zero channel (or one within about 1e-43 of 0) gets scale 0, zero point 0 and codes 0.
//
// dst must hold at least len(src) codes, scales and zeroPoints at least channels entries;
// dst[:len(src)], scales[:channels] and zeroPoints[:channels] are written. Errors: a
// *NonFiniteError (ErrNonFinite) for the first NaN or ±Inf of src, ErrRange when a channel's
// max - min overflows float32, ErrShape when the dimensions do not describe len(src) elements
// or an output is too short.
func AsymmetricInt8(dst []int8, scales []float32, zeroPoints []int8, src []float32, outer, channels, inner int) error {
	l, err := newLayout(len(src), outer, channels, inner)
	if err != nil {
		return fmt.Errorf("AsymmetricInt8: %w", err)
	}
	if err := checkInt8Outputs("AsymmetricInt8", len(dst), len(scales), len(src), channels); err != nil {
		return err
	}
	if len(zeroPoints) < channels {
		return fmt.Errorf("AsymmetricInt8: zeroPoints holds %d entries, need %d: %w", len(zeroPoints), channels, ErrShape)
	}
	scales, zeroPoints = scales[:channels], zeroPoints[:channels]
	if l.n == 0 {
		clear(scales)
		clear(zeroPoints)
		return nil
	}
	overflow := newFirstIndex()
	err = minMaxPerChannel(src, l, func(c int, mn, mx float32) {
		s, zp, ok := asymmetricParams(mn, mx)
		if !ok {
			overflow.offer(c)
		}
		scales[c], zeroPoints[c] = s, zp
	})
	if err != nil {
		return err
	}
	if c := overflow.get(); c >= 0 {
		return fmt.Errorf("AsymmetricInt8: channel %d: max - min overflows float32: %w", c, ErrRange)
	}
	q := zeroPointSpans{dst: dst, src: src, scales: scales, zps: zeroPoints, l: l}
	forChunks(l.n, func(lo, hi int) { split(l, lo, hi, q) })
	return nil
}

// asymmetricParams is one channel's scale and zero point (see AsymmetricInt8); ok is false
// when max - min overflows.
func asymmetricParams(mn, mx float32) (scale float32, zp int8, ok bool) {
	mn, mx = min(mn, 0), max(mx, 0)
	span := mx - mn
	if math.IsInf(float64(span), 0) {
		return 0, 0, false
	}
	if scale = span / 255; scale == 0 {
		return 0, 0, true
	}
	return scale, clampCode(roundHalfAway(-mn/scale)-128, -128, 127), true
}

// zeroPointSpans writes the asymmetric codes of each run.
type zeroPointSpans struct {
	dst    []int8
	src    []float32
	scales []float32
	zps    []int8
	l      layout
}

func (q zeroPointSpans) span(c, p, e int) {
	if q.l.columns() {
		w := q.l.runWidth(p, e)
		kernels.ZeroPointInt8Columns(q.dst[p:e], q.src[p:e], q.scales[c:c+w], q.zps[c:c+w])
		return
	}
	if s := q.scales[c]; s != 0 {
		kernels.ZeroPointInt8(q.dst[p:e], q.src[p:e], s, int32(q.zps[c]))
	} else {
		clear(q.dst[p:e]) // zero point 0
	}
}
