package kernels_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// repeat repeats src until it fills at least one vector, which changes no reduction.
func repeat(src []float32) []float32 {
	out := append([]float32{}, src...)
	for len(src) > 0 && len(out) < 8 {
		out = append(out, src...)
	}
	return out
}

// padNaN appends NaNs so that short inputs still reach the SIMD path without changing the
// answer of the reductions that skip NaN.
func padNaN(src []float32) []float32 {
	out := append([]float32{}, src...)
	for range 8 {
		out = append(out, qNaN)
	}
	return out
}

func TestMinMaxTable(t *testing.T) {
	cases := []struct {
		name     string
		in       []float32
		min, max uint32
	}{
		{"plain", []float32{3, -1, 2}, math.Float32bits(-1), math.Float32bits(3)},
		{"zeros either order", []float32{0, negZero}, 0x80000000, 0},
		{"zeros other order", []float32{negZero, 0}, 0x80000000, 0},
		{"only negative zero", []float32{negZero}, 0x80000000, 0x80000000},
		{"NaN skipped", []float32{qNaN, 5, f32(0x7f800001), -5}, math.Float32bits(-5), math.Float32bits(5)},
		{"infinities", []float32{-inf, 1, inf}, math.Float32bits(-inf), math.Float32bits(inf)},
		{"subnormals", []float32{f32(1), f32(0x80000001)}, 0x80000001, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, in := range [][]float32{c.in, padNaN(c.in), repeat(c.in)} {
				scalar, simd := bothPaths(func() [2]uint32 {
					mn, mx := kernels.MinMax(in)
					return [2]uint32{math.Float32bits(mn), math.Float32bits(mx)}
				})
				assert.Equal(t, [2]uint32{c.min, c.max}, scalar, "scalar")
				assert.Equal(t, [2]uint32{c.min, c.max}, simd, "simd")
			}
		})
	}
	for _, in := range [][]float32{nil, {qNaN}, padNaN(nil)} {
		scalar, simd := bothPaths(func() [2]float32 {
			mn, mx := kernels.MinMax(in)
			return [2]float32{mn, mx}
		})
		for _, v := range append(scalar[:], simd[:]...) {
			assert.True(t, math.IsNaN(float64(v)), "no numbers in %v: want NaN", in)
		}
	}
}

// refMinMax is MinMax's definition stated with float64 comparisons: skip NaN, -0 below +0.
func refMinMax(src []float32) (mn, mx float32, ok bool) {
	less := func(a, b float32) bool {
		if a == b {
			return math.Signbit(float64(a)) && !math.Signbit(float64(b))
		}
		return a < b
	}
	for _, x := range src {
		if math.IsNaN(float64(x)) {
			continue
		}
		if !ok {
			mn, mx, ok = x, x, true
			continue
		}
		if less(x, mn) {
			mn = x
		}
		if less(mx, x) {
			mx = x
		}
	}
	return mn, mx, ok
}

func refAbsMax(src []float32) float32 {
	var m float32
	for _, x := range src {
		if a := float32(math.Abs(float64(x))); a > m {
			m = a
		}
	}
	return m
}

func refFirstNonFinite(src []float32) int {
	for i, x := range src {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return i
		}
	}
	return -1
}

// TestReductionsMatchReference compares MinMax, AbsMax and FirstNonFinite with their
// references on both paths, for every length 0..67 and unaligned starts, on data with and
// without non-finite values (and with the non-finite value placed at every position).
func TestReductionsMatchReference(t *testing.T) {
	requireSIMD(t)
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range sizes() {
		for off := range 3 {
			for _, src := range [][]float32{randFloats(r, n+off)[off:], randFinite(r, n+off)[off:]} {
				wantMin, wantMax, ok := refMinMax(src)
				got, gotSIMD := bothPaths(func() [5]uint32 {
					mn, mx := kernels.MinMax(src)
					return [5]uint32{math.Float32bits(mn), math.Float32bits(mx),
						math.Float32bits(kernels.AbsMax(src)), uint32(int32(kernels.FirstNonFinite(src)))}
				})
				require.Equalf(t, got, gotSIMD, "paths differ n=%d off=%d", n, off)
				if ok {
					require.Equalf(t, math.Float32bits(wantMin), got[0], "min n=%d", n)
					require.Equalf(t, math.Float32bits(wantMax), got[1], "max n=%d", n)
				} else {
					require.Truef(t, math.IsNaN(float64(f32(got[0]))), "min of no numbers n=%d", n)
				}
				require.Equalf(t, math.Float32bits(refAbsMax(src)), got[2], "absmax n=%d", n)
				require.Equalf(t, int32(refFirstNonFinite(src)), int32(got[3]), "first non-finite n=%d", n)
			}
		}
		finite := randFinite(r, n)
		for pos := range n {
			src := append([]float32{}, finite...)
			src[pos] = []float32{inf, -inf, qNaN, f32(0xff800001)}[pos%4]
			got, gotSIMD := bothPaths(func() int { return kernels.FirstNonFinite(src) })
			require.Equalf(t, pos, got, "scalar n=%d pos=%d", n, pos)
			require.Equalf(t, pos, gotSIMD, "simd n=%d pos=%d", n, pos)
		}
	}
}

func TestAbsMaxTable(t *testing.T) {
	cases := []struct {
		in   []float32
		want float32
	}{
		{nil, 0},
		{[]float32{negZero}, 0},
		{[]float32{-3, 2}, 3},
		{[]float32{qNaN, -1}, 1},
		{[]float32{-inf}, inf},
		{[]float32{f32(0x80000001)}, f32(1)},
	}
	for _, c := range cases {
		for _, in := range [][]float32{c.in, padNaN(c.in), repeat(c.in)} {
			scalar, simd := bothPaths(func() uint32 { return math.Float32bits(kernels.AbsMax(in)) })
			assert.Equalf(t, math.Float32bits(c.want), scalar, "scalar %v", in)
			assert.Equalf(t, math.Float32bits(c.want), simd, "simd %v", in)
		}
	}
}

func TestAbsMaxColumnsMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	widths := []int{1, 2, 3, 5, 7, 8, 9, 16, 31, 33, 100, 255, 256, 257, 300, 1024}
	for _, cols := range widths {
		for _, rows := range []int{0, 1, 2, 3, 7, 20, 300} {
			src := randFloats(r, rows*cols+1)[1:]
			start := make([]float32, cols)
			for j := range start {
				// Mostly zero, sometimes a value the data must beat, a -0 or a NaN to keep.
				switch r.IntN(8) {
				case 0:
					start[j] = float32(math.Abs(r.NormFloat64()) * 100)
				case 1:
					start[j] = negZero
				case 2:
					start[j] = qNaN
				}
			}
			want := append([]float32{}, start...)
			for i, x := range src {
				if a := float32(math.Abs(float64(x))); a > want[i%cols] {
					want[i%cols] = a
				}
			}
			scalar, simd := bothPaths(func() []float32 {
				acc := append([]float32{}, start...)
				kernels.AbsMaxColumns(acc, src)
				return acc
			})
			require.Truef(t, sameBits(want, scalar), "scalar cols=%d rows=%d", cols, rows)
			require.Truef(t, sameBits(want, simd), "simd cols=%d rows=%d", cols, rows)

			// Feeding the rows in two chunks gives the same accumulators.
			cut := rows / 3 * cols
			acc := append([]float32{}, start...)
			kernels.AbsMaxColumns(acc, src[:cut])
			kernels.AbsMaxColumns(acc, src[cut:])
			require.Truef(t, sameBits(want, acc), "chunked cols=%d rows=%d", cols, rows)
		}
	}
}

func TestReductionPreconditions(t *testing.T) {
	assert.Panics(t, func() { kernels.AbsMaxColumns(make([]float32, 3), make([]float32, 4)) })
	assert.Panics(t, func() { kernels.AbsMaxColumns(nil, make([]float32, 4)) })
	assert.NotPanics(t, func() { kernels.AbsMaxColumns(nil, nil) })
	assert.Equal(t, -1, kernels.FirstNonFinite(nil))
}
