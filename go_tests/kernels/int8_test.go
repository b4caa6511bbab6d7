package kernels_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// refCode restates the INT8 formulas independently of the package: round half away from
// zero of the float32 quotient, then an exact integer offset and clamp, first to lo then to
// hi (a NaN counts as below lo).
func refCode(q float32, add int64, lo, hi int64) int8 {
	r := math.Round(float64(q))
	if math.IsNaN(r) || r < -1<<40 {
		return int8(min(lo, hi))
	}
	if r > 1<<40 {
		return int8(hi)
	}
	return int8(min(max(int64(r)+add, lo), hi))
}

// runInt8 pads src to at least one vector so both paths really run, and returns the codes
// for src on the scalar and SIMD paths.
func runInt8(src []float32, kernel func(dst []int8, src []float32)) (scalar, simd []int8) {
	padded := append(append([]float32{}, src...), make([]float32, 8)...)
	return bothPaths(func() []int8 {
		dst := make([]int8, len(padded))
		kernel(dst, padded)
		return dst[:len(src)]
	})
}

func TestSymInt8Table(t *testing.T) {
	nan := float32(math.NaN())
	cases := []struct {
		name   string
		scale  float32
		lo, hi int8
		in     []float32
		want   []int8
	}{
		{"halves round away", 1, -127, 127,
			[]float32{0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997, 0, negZero},
			[]int8{1, -1, 2, -2, 3, -3, 0, 0, 0, 0}},
		{"quotient lands on .5", 2, -127, 127,
			[]float32{5, -5, 7, -7, 1, -1}, []int8{3, -3, 4, -4, 1, -1}},
		{"clamps", 1, -127, 127,
			[]float32{126.5, 127.5, -127.5, -128, 1e30, -1e30, math.MaxFloat32, inf, -inf},
			[]int8{127, 127, -127, -127, 127, -127, 127, 127, -127}},
		{"tiny", 1, -127, 127, []float32{1e-30, -1e-30, f32(1)}, []int8{0, 0, 0}},
		{"tiny scale", 1e-30, -127, 127, []float32{3e-30, -3e-30, 1}, []int8{3, -3, 127}},
		{"NaN gives lo", 1, -127, 127, []float32{nan, f32(0xffc00000)}, []int8{-127, -127}},
		{"int4", 2, -8, 7, []float32{13, 15, -15, -16, -17, 1e9}, []int8{7, 7, -8, -8, -8, 7}},
		{"subnormal quotient", 2, -127, 127, []float32{f32(0x00000001)}, []int8{0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			scalar, simd := runInt8(c.in, func(dst []int8, src []float32) {
				kernels.SymInt8(dst, src, c.scale, c.lo, c.hi)
			})
			assert.Equal(t, c.want, scalar, "scalar")
			assert.Equal(t, c.want, simd, "simd")
		})
	}
}

func TestAffineInt8Table(t *testing.T) {
	// The original's formula on [-1, 1]: scale = 2/255 in float32.
	scale := float32(2) / 255
	in := []float32{-1, 1, 0, -0.5, 0.5, 2, -2, float32(math.NaN()), inf, -inf}
	want := make([]int8, len(in))
	for i, x := range in {
		want[i] = refCode((x-(-1))/scale, -128, -128, 127)
	}
	scalar, simd := runInt8(in, func(dst []int8, src []float32) { kernels.AffineInt8(dst, src, -1, scale) })
	assert.Equal(t, want, scalar)
	assert.Equal(t, want, simd)
	// numpy gives the same in float32: 1/(2/255) is 127.49999, so 0 maps to -1.
	assert.Equal(t, []int8{-128, 127, -1, -64, 63}, want[:5], "reference sanity")

	// A quotient of exactly 127.5 rounds away to 128, code 0.
	scalar, simd = runInt8([]float32{127.5, 126.5}, func(dst []int8, src []float32) {
		kernels.AffineInt8(dst, src, 0, 1)
	})
	assert.Equal(t, []int8{0, -1}, scalar)
	assert.Equal(t, []int8{0, -1}, simd)
}

func TestZeroPointInt8Table(t *testing.T) {
	cases := []struct {
		name  string
		scale float32
		zp    int32
		in    []float32
		want  []int8
	}{
		{"offset", 1, 10, []float32{2.5, -2.5, 117, 117.5, -138, -138.5}, []int8{13, 7, 127, 127, -128, -128}},
		{"negative zero point", 1, -128, []float32{0, 255, 255.5, -1, float32(math.NaN())}, []int8{-128, 127, 127, -128, -128}},
		{"zero point outside the vector range", 1, 1 << 21, []float32{-(1 << 21) + 5, 0, -1e30}, []int8{5, 127, -128}},
		{"extreme zero points", 1, math.MaxInt32, []float32{-(1 << 31), 0}, []int8{-1, 127}},
		{"min zero point", 1, math.MinInt32, []float32{1 << 31, 1e30, 0}, []int8{0, 127, -128}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			scalar, simd := runInt8(c.in, func(dst []int8, src []float32) {
				kernels.ZeroPointInt8(dst, src, c.scale, c.zp)
			})
			assert.Equal(t, c.want, scalar, "scalar")
			assert.Equal(t, c.want, simd, "simd")
		})
	}
}

func TestSymInt8ColumnsTable(t *testing.T) {
	// Two rows of three channels; the middle channel's scale is zero, the last is -0.
	src := []float32{2.5, 100, 3, -2.5, float32(math.NaN()), inf, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	scales := []float32{1, 0, negZero, 0.5}
	want := []int8{3, 0, 0, -5, -127, 0, 0, 4, 3, 0, 0, 12, 7, 0, 0, 20}
	scalar, simd := bothPaths(func() []int8 {
		dst := make([]int8, len(src))
		kernels.SymInt8Columns(dst, src, scales)
		return dst
	})
	assert.Equal(t, want, scalar)
	assert.Equal(t, want, simd)
}

// TestInt8MatchesReference compares every INT8 kernel with the independent reference on
// random data with specials, on both paths, for every length 0..67 and unaligned starts.
func TestInt8MatchesReference(t *testing.T) {
	requireSIMD(t)
	r := rand.New(rand.NewPCG(3, 4))
	type kernel struct {
		name string
		run  func(dst []int8, src []float32)
		ref  func(x float32) int8
	}
	for _, n := range sizes() {
		for off := range 3 {
			src := randFloats(r, n+off)[off:]
			scale := float32(math.Abs(r.NormFloat64())*2 + 1e-3)
			mn := float32(r.NormFloat64() * 50)
			zp := int32(r.IntN(301) - 150)
			kernelsUnderTest := []kernel{
				{"AffineInt8", func(d []int8, s []float32) { kernels.AffineInt8(d, s, mn, scale) },
					func(x float32) int8 { return refCode((x-mn)/scale, -128, -128, 127) }},
				{"SymInt8", func(d []int8, s []float32) { kernels.SymInt8(d, s, scale, -127, 127) },
					func(x float32) int8 { return refCode(x/scale, 0, -127, 127) }},
				{"SymInt8/int4", func(d []int8, s []float32) { kernels.SymInt8(d, s, scale, -8, 7) },
					func(x float32) int8 { return refCode(x/scale, 0, -8, 7) }},
				{"ZeroPointInt8", func(d []int8, s []float32) { kernels.ZeroPointInt8(d, s, scale, zp) },
					func(x float32) int8 { return refCode(x/scale, int64(zp), -128, 127) }},
			}
			for _, k := range kernelsUnderTest {
				want := make([]int8, n)
				for i, x := range src {
					want[i] = k.ref(x)
				}
				scalar, simd := bothPaths(func() []int8 {
					dst := make([]int8, n+2)
					k.run(dst[1:n+1], src)
					return dst
				})
				require.Equalf(t, want, scalar[1:n+1], "%s scalar n=%d off=%d", k.name, n, off)
				require.Equalf(t, want, simd[1:n+1], "%s simd n=%d off=%d", k.name, n, off)
				require.Equalf(t, []int8{0, 0}, []int8{simd[0], simd[n+1]}, "%s wrote outside dst", k.name)
			}
		}
	}
}

// TestSymInt8ColumnsMatchesReference covers narrow rows (tiled internally), wide rows (one
// row at a time) and the widths around the switch between them.
func TestSymInt8ColumnsMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	widths := []int{1, 2, 3, 5, 7, 8, 9, 16, 31, 33, 100, 255, 256, 257, 300, 1024}
	for _, cols := range widths {
		for _, rows := range []int{0, 1, 2, 3, 7, 20, 300} {
			scales := make([]float32, cols)
			for j := range scales {
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
				if s := scales[i%cols]; s != 0 {
					want[i] = refCode(x/s, 0, -127, 127)
				}
			}
			scalar, simd := bothPaths(func() []int8 {
				dst := make([]int8, len(src))
				kernels.SymInt8Columns(dst, src, scales)
				return dst
			})
			require.Equalf(t, want, scalar, "scalar cols=%d rows=%d", cols, rows)
			require.Equalf(t, want, simd, "simd cols=%d rows=%d", cols, rows)
		}
	}
}

// TestZeroPointRoundingNearLargeOffsets checks rounding where a large zero point makes it
// visible: quotients within ±130 of -zp, at every half-integer and its float32 neighbours.
// (With the usual small offsets the clamp hides how large quotients round.)
func TestZeroPointRoundingNearLargeOffsets(t *testing.T) {
	for _, zp := range []int32{1 << 20, -(1 << 20), 1<<20 - 1, 77777, -5000, 1 << 21, -(1 << 24) - 3} {
		var src []float32
		for k := -130; k <= 130; k++ {
			half := float32(-int64(zp)+int64(k)) + 0.5
			src = append(src, half, float32(-int64(zp)+int64(k)))
			up, down := half, half
			for range 3 {
				up = math.Nextafter32(up, inf)
				down = math.Nextafter32(down, -inf)
				src = append(src, up, down)
			}
		}
		want := make([]int8, len(src))
		for i, x := range src {
			want[i] = refCode(x, int64(zp), -128, 127)
		}
		scalar, simd := runInt8(src, func(dst []int8, src []float32) { kernels.ZeroPointInt8(dst, src, 1, zp) })
		require.Equalf(t, want, scalar, "scalar zp=%d", zp)
		require.Equalf(t, want, simd, "simd zp=%d", zp)
	}
}

// TestRoundingAcrossBinades checks round-half-away-from-zero on both paths in every binade
// where it can show in a code (|q| < 2^21, reachable through a zero point): around each
// binade's ends, around random half-integers, and at random points, eight float32 neighbours
// either side. The zero point brings each neighbourhood's codes into range.
func TestRoundingAcrossBinades(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	var centres []float32
	for e := -3; e <= 20; e++ {
		lo := float32(math.Ldexp(1, e))
		centres = append(centres, lo, lo*2, -lo, -lo*2)
		for range 64 {
			x := float32(math.Ldexp(1+r.Float64(), e))
			half := float32(math.Floor(float64(x))) + 0.5
			centres = append(centres, x, -x, half, -half)
		}
	}
	for _, c := range centres {
		src := []float32{c}
		up, down := c, c
		for range 8 {
			up, down = math.Nextafter32(up, inf), math.Nextafter32(down, -inf)
			src = append(src, up, down)
		}
		zp := -int32(math.Round(float64(c)))
		want := make([]int8, len(src))
		for i, x := range src {
			want[i] = refCode(x, int64(zp), -128, 127)
		}
		scalar, simd := runInt8(src, func(dst []int8, src []float32) { kernels.ZeroPointInt8(dst, src, 1, zp) })
		require.Equalf(t, want, scalar, "scalar around %v", c)
		require.Equalf(t, want, simd, "simd around %v", c)
	}
}

// TestInt8Chunking checks that splitting a slice at arbitrary row boundaries never changes a
// code, the property callers rely on when they parallelise.
func TestInt8Chunking(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	src := randFloats(r, 3*1001)
	scales := []float32{0.5, 1, 0}
	whole := make([]int8, len(src))
	kernels.SymInt8Columns(whole, src, scales)
	sym := make([]int8, len(src))
	kernels.SymInt8(sym, src, 0.25, -127, 127)
	for _, cut := range []int{0, 3, 9, 30, 1500, 3000} {
		parts := make([]int8, len(src))
		kernels.SymInt8Columns(parts[:cut], src[:cut], scales)
		kernels.SymInt8Columns(parts[cut:], src[cut:], scales)
		require.Equal(t, whole, parts, "SymInt8Columns cut=%d", cut)
		kernels.SymInt8(parts[:cut+1], src[:cut+1], 0.25, -127, 127)
		kernels.SymInt8(parts[cut+1:], src[cut+1:], 0.25, -127, 127)
		require.Equal(t, sym, parts, "SymInt8 cut=%d", cut+1)
	}
}

func TestInt8Preconditions(t *testing.T) {
	assert.Panics(t, func() { kernels.AffineInt8(make([]int8, 1), make([]float32, 2), 0, 1) })
	assert.Panics(t, func() { kernels.SymInt8(make([]int8, 1), make([]float32, 2), 1, -127, 127) })
	assert.Panics(t, func() { kernels.ZeroPointInt8(make([]int8, 1), make([]float32, 2), 1, 0) })
	assert.Panics(t, func() { kernels.SymInt8Columns(make([]int8, 4), make([]float32, 4), make([]float32, 3)) })
	assert.Panics(t, func() { kernels.SymInt8Columns(make([]int8, 4), make([]float32, 4), nil) })
	assert.Panics(t, func() { kernels.SymInt8Columns(make([]int8, 3), make([]float32, 4), make([]float32, 2)) })
	assert.NotPanics(t, func() { kernels.SymInt8Columns(nil, nil, nil) })
	assert.NotPanics(t, func() { kernels.AffineInt8(nil, nil, 0, 1) })
}
