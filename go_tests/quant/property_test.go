package quant_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
)

// The round trip error of every format is bounded by half a quantization step (plus float32
// rounding of the step itself), on inputs whose range includes zero.

func absf(v float32) float64 { return math.Abs(float64(v)) }

// within reports |got - want| <= bound, with a relative slack for the float32 rounding of the
// scale division and the dequantizing multiplication.
func within(t *testing.T, want, got float32, bound float64, what string, i int) {
	t.Helper()
	slack := 1e-6*(absf(want)+bound) + 1e-44
	if d := math.Abs(float64(got) - float64(want)); d > bound+slack {
		require.Failf(t, "round trip error", "%s[%d]: x=%g back=%g |err|=%g > %g", what, i, want, got, d, bound)
	}
}

func propertyInputs() map[string][]float32 {
	return map[string][]float32{
		"normal":    randFloats(1, 4096, 1),
		"wide":      randFloats(2, 4096, 1e6),
		"small":     randFloats(3, 4096, 1e-20),
		"subnormal": randFloats(4, 4096, 1e-41),
		"odd":       randFloats(5, 999, 7),
	}
}

func TestRoundTripSymmetricAndAsymmetric(t *testing.T) {
	onBothPaths(t, testRoundTripSymmetricAndAsymmetric)
}

func testRoundTripSymmetricAndAsymmetric(t *testing.T) {
	for name, x := range propertyInputs() {
		for _, s := range []shape{{"tensor", 1, 1, len(x)}, {"rows", len(x) / 3, 3, 1}, {"cols", 1, 3, len(x) / 3}} {
			t.Run(name+"/"+s.name, func(t *testing.T) {
				x := x[:s.n()]
				q := make([]int8, len(x))
				back := make([]float32, len(x))
				scales := make([]float32, s.channels)
				require.NoError(t, quant.SymmetricInt8(q, scales, x, s.outer, s.channels, s.inner))
				require.NoError(t, quant.DequantizeInt8(back, q, scales, nil, s.outer, s.channels, s.inner))
				for i := range x {
					sc := scales[channelOf(i, s.channels, s.inner)]
					// A scale that underflowed to 0 leaves the values as zeros: error <= 127*2^-149.
					within(t, x[i], back[i], max(float64(sc)/2, 127*math.SmallestNonzeroFloat32), "symmetric", i)
				}

				zps := make([]int8, s.channels)
				require.NoError(t, quant.AsymmetricInt8(q, scales, zps, x, s.outer, s.channels, s.inner))
				require.NoError(t, quant.DequantizeInt8(back, q, scales, zps, s.outer, s.channels, s.inner))
				for i := range x {
					sc := scales[channelOf(i, s.channels, s.inner)]
					// The zero point is rounded, which moves the grid by up to half a step.
					within(t, x[i], back[i], max(float64(sc), 255*math.SmallestNonzeroFloat32), "asymmetric", i)
				}
			})
		}
	}
}

func TestRoundTripInt4(t *testing.T) { onBothPaths(t, testRoundTripInt4) }

func testRoundTripInt4(t *testing.T) {
	for name, x := range propertyInputs() {
		for _, gs := range []int{1, 5, 32, 128} {
			t.Run(fmt.Sprintf("%s/g%d", name, gs), func(t *testing.T) {
				packed := make([]uint8, (len(x)+1)/2)
				scales := make([]float32, (len(x)+gs-1)/gs)
				back := make([]float32, len(x))
				require.NoError(t, quant.Int4(packed, scales, x, gs))
				require.NoError(t, quant.DequantizeInt4(back, packed, scales, gs))
				for i := range x {
					within(t, x[i], back[i], max(float64(scales[i/gs])/2, 7*math.SmallestNonzeroFloat32), "int4", i)
				}
			})
		}
	}
}

func TestRoundTripGGUF(t *testing.T) { onBothPaths(t, testRoundTripGGUF) }

func testRoundTripGGUF(t *testing.T) {
	for name, x := range propertyInputs() {
		x := x[:len(x)/32*32]
		for _, k := range []quant.GGUFKind{quant.Q8_0, quant.Q4_0} {
			t.Run(name+"/"+k.String(), func(t *testing.T) {
				size, err := k.BytesFor(len(x))
				require.NoError(t, err)
				data := make([]byte, size)
				back := make([]float32, len(x))
				require.NoError(t, quant.QuantizeGGUF(data, x, 32, k))
				require.NoError(t, quant.DequantizeGGUF(back, data, 32, k))
				for b := 0; b < len(x); b += 32 {
					blk := x[b : b+32]
					var amax float64
					for _, v := range blk {
						amax = max(amax, absf(v))
					}
					// The float16 scale is d rounded to 11 bits (or flushed/saturated outside
					// float16's range, where no bound holds).
					steps, codes := 127.0, 127.0
					if k == quant.Q4_0 {
						steps, codes = 8, 8
					}
					d := amax / steps
					if d < 6.2e-5 || d > 65504 {
						continue
					}
					bound := d/2 + codes*d*math.Pow(2, -11)
					if k == quant.Q4_0 {
						bound = d + codes*d*math.Pow(2, -11) // +8 clips to +7: a full step
					}
					for j := range blk {
						within(t, blk[j], back[b+j], bound, "gguf", b+j)
					}
				}
			})
		}
	}
}
