package kernels_test

import (
	"encoding/binary"
	"fmt"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// Symmetric INT8 of a small tensor: the scale from the largest magnitude, then the codes.
func ExampleSymInt8() {
	x := []float32{-1.5, -0.25, 0, 0.5, 3}
	scale := kernels.AbsMax(x) / 127
	q := make([]int8, len(x))
	kernels.SymInt8(q, x, scale, -127, 127)
	fmt.Println(q)
	// Output: [-64 -11 0 21 127]
}

// The original extension's asymmetric INT8: codes from -128 at the minimum to 127 at the
// maximum.
func ExampleAffineInt8() {
	x := []float32{-1, 0, 1, 2}
	lo, hi := kernels.MinMax(x)
	q := make([]int8, len(x))
	kernels.AffineInt8(q, x, lo, (hi-lo)/255)
	fmt.Println(q)
	// Output: [-128 -43 42 127]
}

// Float16 round trip: 0.1 is not a half, so it comes back as the nearest one.
func ExampleF32ToF16() {
	h := make([]uint16, 2)
	kernels.F32ToF16(h, []float32{0.1, 65520})
	back := make([]float32, 2)
	kernels.F16ToF32(back, h)
	fmt.Printf("%#04x %#04x %v %v\n", h[0], h[1], back[0], back[1])
	// Output: 0x2e66 0x7c00 0.099975586 +Inf
}

// Per-channel INT8 of a 2x3 matrix whose last axis holds the channels.
func ExampleSymInt8Columns() {
	w := []float32{1, -20, 0, 0.5, 10, 0}
	scales := make([]float32, 3)
	kernels.AbsMaxColumns(scales, w)
	for j := range scales {
		scales[j] /= 127
	}
	q := make([]int8, len(w))
	kernels.SymInt8Columns(q, w, scales)
	fmt.Println(q)
	// Output: [127 -127 0 64 64 0]
}

// A Q8_0 block: d = 15.5/127 as float16, codes -127..127, and back.
func Example_ggufQ8_0() {
	x := make([]float32, 32)
	for i := range x {
		x[i] = float32(i) - 15.5
	}
	blk := make([]byte, kernels.Q8_0BlockBytes)
	kernels.EncodeQ8_0(blk, x)
	back := make([]float32, 32)
	kernels.DecodeQ8_0(back, blk)
	fmt.Printf("d=%#04x q[0]=%d q[31]=%d back[31]=%.3f\n", binary.LittleEndian.Uint16(blk), int8(blk[2]), int8(blk[33]), back[31])
	// Output: d=0x2fd0 q[0]=-127 q[31]=127 back[31]=15.503
}
