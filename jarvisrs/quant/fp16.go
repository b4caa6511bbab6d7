package quant

import (
	"fmt"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// FP16 converts src to IEEE binary16 bits in dst, the same values as numpy's
// astype(np.float16): round to nearest even, subnormals, overflow to ±Inf. NaN and ±Inf are
// converted, not refused (quantize_array_fp16 must equal numpy on every input).
//
// dst must hold at least len(src) elements; dst[:len(src)] is written. The only error is
// ErrShape for a short dst.
func FP16(dst []uint16, src []float32) error {
	if len(dst) < len(src) {
		return fmt.Errorf("FP16: dst holds %d halves, need %d: %w", len(dst), len(src), ErrShape)
	}
	forChunks(len(src), func(lo, hi int) { kernels.F32ToF16(dst[lo:hi], src[lo:hi]) })
	return nil
}

// FP16ToF32 converts IEEE binary16 bits to float32 in dst, exactly (as numpy's
// astype(np.float32)).
//
// dst must hold at least len(src) elements; dst[:len(src)] is written. The only error is
// ErrShape for a short dst.
func FP16ToF32(dst []float32, src []uint16) error {
	if len(dst) < len(src) {
		return fmt.Errorf("FP16ToF32: dst holds %d floats, need %d: %w", len(dst), len(src), ErrShape)
	}
	forChunks(len(src), func(lo, hi int) { kernels.F16ToF32(dst[lo:hi], src[lo:hi]) })
	return nil
}
