package kernels_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

var columnWidths = []int{1, 2, 3, 5, 7, 8, 9, 16, 31, 33, 100, 255, 256, 257, 300, 1024}

func TestZeroPointInt8ColumnsTable(t *testing.T) {
	// Two rows of four channels: zero scale (gives the zero point), -0 scale, a zero point
	// that saturates, halfway quotients.
	src := []float32{2.5, 100, 3, -2.5, float32(math.NaN()), inf, -inf, 1.5}
	scales := []float32{1, 0, negZero, 0.5}
	zps := []int8{-3, 7, -128, 127}
	want := []int8{0, 7, -128, 122, -128, 7, -128, 127}
	scalar, simd := bothPaths(func() []int8 {
		dst := make([]int8, len(src))
		kernels.ZeroPointInt8Columns(dst, src, scales, zps)
		return dst
	})
	assert.Equal(t, want, scalar)
	assert.Equal(t, want, simd)
}

func TestZeroPointInt8ColumnsMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, cols := range columnWidths {
		for _, rows := range []int{0, 1, 2, 3, 7, 20, 300} {
			scales := make([]float32, cols)
			zps := make([]int8, cols)
			for j := range scales {
				zps[j] = int8(r.Uint32())
				switch r.IntN(6) {
				case 0:
					scales[j] = 0
				case 1:
					scales[j] = specials[r.IntN(len(specials))]
				default:
					scales[j] = float32(math.Abs(r.NormFloat64()) + 1e-3)
				}
			}
			src := randFloats(r, rows*cols+1)[1:]
			want := make([]int8, len(src))
			for i, x := range src {
				j := i % cols
				if s := scales[j]; s != 0 {
					want[i] = refCode(x/s, int64(zps[j]), -128, 127)
				} else {
					want[i] = zps[j]
				}
			}
			scalar, simd := bothPaths(func() []int8 {
				dst := make([]int8, len(src)+1)
				kernels.ZeroPointInt8Columns(dst[1:], src, scales, zps)
				return dst[1:]
			})
			require.Equalf(t, want, scalar, "scalar cols=%d rows=%d", cols, rows)
			require.Equalf(t, want, simd, "simd cols=%d rows=%d", cols, rows)
		}
	}
}

// refMinMax folds x into m with MinMax's order: NaN skipped, -0 below +0, a NaN start kept.
func refMin(m, x float32) float32 {
	switch {
	case math.IsNaN(float64(x)) || math.IsNaN(float64(m)):
		return m
	case x == 0 && m == 0:
		if math.Signbit(float64(x)) {
			return x
		}
		return m
	case x < m:
		return x
	}
	return m
}

func refMax(m, x float32) float32 {
	switch {
	case math.IsNaN(float64(x)) || math.IsNaN(float64(m)):
		return m
	case x == 0 && m == 0:
		if !math.Signbit(float64(x)) {
			return x
		}
		return m
	case x > m:
		return x
	}
	return m
}

func TestMinMaxColumnsMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	for _, cols := range columnWidths {
		for _, rows := range []int{0, 1, 2, 3, 7, 20, 300} {
			src := randFloats(r, rows*cols+1)[1:]
			lo, hi := make([]float32, cols), make([]float32, cols)
			for j := range lo {
				lo[j], hi[j] = inf, -inf
				// Sometimes a start the data must beat, a zero of either sign, or a NaN to keep.
				switch r.IntN(8) {
				case 0:
					lo[j], hi[j] = float32(r.NormFloat64()), float32(r.NormFloat64())
				case 1:
					lo[j], hi[j] = negZero, 0
				case 2:
					lo[j], hi[j] = 0, negZero
				case 3:
					lo[j], hi[j] = qNaN, qNaN
				}
			}
			wlo, whi := append([]float32{}, lo...), append([]float32{}, hi...)
			for i, x := range src {
				wlo[i%cols], whi[i%cols] = refMin(wlo[i%cols], x), refMax(whi[i%cols], x)
			}
			scalar, simd := bothPaths(func() [2][]float32 {
				l, h := append([]float32{}, lo...), append([]float32{}, hi...)
				kernels.MinMaxColumns(l, h, src)
				return [2][]float32{l, h}
			})
			for _, got := range [][2][]float32{scalar, simd} {
				require.Truef(t, sameBits(wlo, got[0]), "lo cols=%d rows=%d", cols, rows)
				require.Truef(t, sameBits(whi, got[1]), "hi cols=%d rows=%d", cols, rows)
			}

			// Feeding the rows in two chunks gives the same result.
			cut := rows / 3 * cols
			l, h := append([]float32{}, lo...), append([]float32{}, hi...)
			kernels.MinMaxColumns(l, h, src[:cut])
			kernels.MinMaxColumns(l, h, src[cut:])
			require.Truef(t, sameBits(wlo, l) && sameBits(whi, h), "chunked cols=%d rows=%d", cols, rows)
		}
	}
}

func TestColumnsLengthPanics(t *testing.T) {
	assert.Panics(t, func() {
		kernels.ZeroPointInt8Columns(make([]int8, 4), make([]float32, 4), make([]float32, 2), make([]int8, 1))
	})
	assert.Panics(t, func() {
		kernels.ZeroPointInt8Columns(make([]int8, 4), make([]float32, 4), make([]float32, 3), make([]int8, 3))
	})
	assert.Panics(t, func() {
		kernels.ZeroPointInt8Columns(make([]int8, 3), make([]float32, 4), make([]float32, 2), make([]int8, 2))
	})
	assert.Panics(t, func() { kernels.ZeroPointInt8Columns(make([]int8, 4), make([]float32, 4), nil, nil) })
	assert.NotPanics(t, func() { kernels.ZeroPointInt8Columns(nil, nil, nil, nil) })
	assert.Panics(t, func() { kernels.MinMaxColumns(make([]float32, 2), make([]float32, 3), make([]float32, 6)) })
	assert.Panics(t, func() { kernels.MinMaxColumns(make([]float32, 4), make([]float32, 4), make([]float32, 6)) })
	assert.Panics(t, func() { kernels.MinMaxColumns(nil, nil, make([]float32, 6)) })
	assert.NotPanics(t, func() { kernels.MinMaxColumns(nil, nil, nil) })
}
