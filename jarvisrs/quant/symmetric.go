package quant

import (
	"fmt"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// SymmetricInt8 quantizes src, a C-contiguous tensor viewed as [outer][channels][inner] (see
// the package documentation), with one scale per channel:
//
//	scale = max|x| / 127 over the channel,  q = clamp(round(x / scale), -127, 127)
//
// in float32 with a true division. A channel whose scale is 0 (all zeros, or values so small
// that max|x| / 127 underflows) gets scale 0 and codes 0. Per tensor is outer = 1,
// channels = 1, inner = len(src).
//
// dst must hold at least len(src) codes and scales at least channels entries; dst[:len(src)]
// and scales[:channels] are written. Errors: a *NonFiniteError (ErrNonFinite) for the first NaN
// or ±Inf of src, ErrShape when the dimensions do not describe len(src) elements or an output
// is too short.
func SymmetricInt8(dst []int8, scales []float32, src []float32, outer, channels, inner int) error {
	l, err := newLayout(len(src), outer, channels, inner)
	if err != nil {
		return fmt.Errorf("SymmetricInt8: %w", err)
	}
	if err := checkInt8Outputs("SymmetricInt8", len(dst), len(scales), len(src), channels); err != nil {
		return err
	}
	scales = scales[:channels]
	if err := absMaxPerChannel(src, l, scales); err != nil {
		return err
	}
	for c, m := range scales {
		scales[c] = m / 127
	}
	q := symInt8Spans{dst: dst, src: src, scales: scales, l: l}
	forChunks(l.n, func(lo, hi int) { split(l, lo, hi, q) })
	return nil
}

// checkInt8Outputs is the length check every per-channel INT8 entry point shares.
func checkInt8Outputs(fn string, nDst, nScales, n, channels int) error {
	if nDst < n {
		return fmt.Errorf("%s: dst holds %d codes, need %d: %w", fn, nDst, n, ErrShape)
	}
	if nScales < channels {
		return fmt.Errorf("%s: scales holds %d entries, need %d: %w", fn, nScales, channels, ErrShape)
	}
	return nil
}

// symInt8Spans writes the symmetric codes of each run.
type symInt8Spans struct {
	dst    []int8
	src    []float32
	scales []float32
	l      layout
}

func (q symInt8Spans) span(c, p, e int) {
	if q.l.columns() {
		kernels.SymInt8Columns(q.dst[p:e], q.src[p:e], q.scales[c:c+q.l.runWidth(p, e)])
		return
	}
	if s := q.scales[c]; s != 0 {
		kernels.SymInt8(q.dst[p:e], q.src[p:e], s, -127, 127)
	} else {
		clear(q.dst[p:e])
	}
}
