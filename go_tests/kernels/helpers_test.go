package kernels_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// withPath runs f with the SIMD kernels switched on or off and restores the setting. Tests
// that use it must not run in parallel with each other: the switch is package-wide.
func withPath(simd bool, f func()) {
	prev := kernels.UseSIMD(simd)
	defer kernels.UseSIMD(prev)
	f()
}

// bothPaths returns f's result on the scalar path and on the SIMD path. Without SIMD on this
// machine both are the scalar result, and the comparison is trivially true.
func bothPaths[T any](f func() T) (scalar, simd T) {
	withPath(false, func() { scalar = f() })
	withPath(true, func() { simd = f() })
	return scalar, simd
}

func requireSIMD(t testing.TB) {
	t.Helper()
	if !kernels.SIMDAvailable() {
		t.Log("no AVX2/F16C or NEON here: the SIMD path is the scalar path")
	}
}

func f32(bits uint32) float32 { return math.Float32frombits(bits) }

var (
	negZero = f32(0x80000000)
	inf     = float32(math.Inf(1))
	qNaN    = f32(0x7fc00000)
)

// specials are the float32 values that find bugs in rounding and conversion code.
var specials = []float32{
	0, negZero, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997, 127.5, -127.5,
	128.5, -128.5, 7.5, -7.5, 8.5, -8.5,
	f32(0x00000001), f32(0x80000001), f32(0x007fffff), f32(0x00800000), f32(0x80800000),
	math.MaxFloat32, -math.MaxFloat32, 1e30, -1e30, 1e-30, -1e-30, 1 << 23, 1<<23 + 1, 1<<24 + 2,
	65504, 65519.996, 65520, -65520, 65536, f32(0x33000000), f32(0x33000001), f32(0x387fc000),
	f32(0x38800000), 1 + 1.0/2048, 1 + 3.0/2048,
	inf, -inf, qNaN, f32(0xffc00000), f32(0x7f800001), f32(0xff800001), f32(0x7fa00000),
	f32(0x7f802000), f32(0x7fffffff), f32(0x7f801fff),
}

// randFloats returns n float32 values mixing specials, random bit patterns and values of a
// moderate range, so both the common and the awkward cases appear in every slice.
func randFloats(r *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		switch r.IntN(4) {
		case 0:
			out[i] = specials[r.IntN(len(specials))]
		case 1:
			out[i] = f32(r.Uint32())
		default:
			out[i] = float32(r.NormFloat64() * 100)
		}
	}
	return out
}

// randFinite is randFloats without NaN and ±Inf.
func randFinite(r *rand.Rand, n int) []float32 {
	out := randFloats(r, n)
	for i, x := range out {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			out[i] = float32(r.NormFloat64())
		}
	}
	return out
}

// sameBits reports whether two float32 slices hold the same bit patterns (NaN payloads too).
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// bytesToFloats reinterprets little-endian bytes as float32, dropping a ragged tail.
func bytesToFloats(data []byte) []float32 {
	out := make([]float32, len(data)/4)
	for i := range out {
		b := data[4*i:]
		out[i] = f32(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
	}
	return out
}

// sizes are the lengths every kernel is compared on: all of 0..67, so every tail length and
// both sides of the 8- and 32-element blocks, plus a few longer slices for the main loops.
func sizes() []int {
	s := make([]int, 0, 80)
	for n := 0; n <= 67; n++ {
		s = append(s, n)
	}
	return append(s, 95, 96, 97, 255, 256, 257, 1000, 4099)
}
