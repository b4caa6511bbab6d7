package quant

import (
	"fmt"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// DequantizeInt8 is the inverse of SymmetricInt8 and AsymmetricInt8 on the same
// [outer][channels][inner] layout: dst[i] = q * scale, or (q - zp) * scale when zeroPoints is
// not nil, where scale and zp are those of element i's channel. q - zp is an exact integer
// difference (no int8 wrap-around) and the product is one float32 multiplication.
//
// codes and dst must hold at least outer*channels*inner elements, scales (and zeroPoints, when
// not nil) at least channels; only those prefixes are read or written. Errors: a
// *NonFiniteError (ErrNonFinite) for the first NaN or ±Inf in scales (Index counts scales),
// ErrShape for negative or overflowing dimensions or a short slice.
func DequantizeInt8(dst []float32, codes []int8, scales []float32, zeroPoints []int8, outer, channels, inner int) error {
	n, err := elementCount(outer, channels, inner)
	if err != nil {
		return fmt.Errorf("DequantizeInt8: %w", err)
	}
	switch {
	case len(codes) < n:
		return fmt.Errorf("DequantizeInt8: codes holds %d, need %d: %w", len(codes), n, ErrShape)
	case len(dst) < n:
		return fmt.Errorf("DequantizeInt8: dst holds %d floats, need %d: %w", len(dst), n, ErrShape)
	case len(scales) < channels:
		return fmt.Errorf("DequantizeInt8: scales holds %d, need %d: %w", len(scales), channels, ErrShape)
	case zeroPoints != nil && len(zeroPoints) < channels:
		return fmt.Errorf("DequantizeInt8: zeroPoints holds %d, need %d: %w", len(zeroPoints), channels, ErrShape)
	}
	scales = scales[:channels]
	if i := kernels.FirstNonFinite(scales); i >= 0 {
		return &NonFiniteError{Index: i, Value: scales[i]}
	}
	l, err := newLayout(n, outer, channels, inner)
	if err != nil {
		return fmt.Errorf("DequantizeInt8: %w", err)
	}
	d := dequantSpans{dst: dst, codes: codes, scales: scales, zps: zeroPoints, l: l}
	forChunks(n, func(lo, hi int) { split(l, lo, hi, d) })
	return nil
}

// dequantSpans writes the dequantized floats of each run.
type dequantSpans struct {
	dst    []float32
	codes  []int8
	scales []float32
	zps    []int8 // nil for symmetric codes
	l      layout
}

func (d dequantSpans) span(c, p, e int) {
	out, in := d.dst[p:e], d.codes[p:e]
	if d.l.columns() {
		w := d.l.runWidth(p, e)
		var zps []int8
		if d.zps != nil {
			zps = d.zps[c : c+w]
		}
		kernels.DequantInt8Columns(out, in, d.scales[c:c+w], zps)
		return
	}
	z := int32(0)
	if d.zps != nil {
		z = int32(d.zps[c])
	}
	kernels.DequantInt8(out, in, d.scales[c], z)
}
