package kernels_test

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// numpy 2.4.6's digests of astype over every pattern, from testdata/numpy_digests.py.
const (
	numpyF32ToF16CRC = 0xf43782fb
	numpyF16ToF32CRC = 0xe0c069f3
)

func TestF32ToF16Table(t *testing.T) {
	cases := []struct {
		name string
		in   float32
		want uint16
	}{
		{"one", 1, 0x3c00},
		{"minus two", -2, 0xc000},
		{"third", 1.0 / 3, 0x3555},
		{"max half", 65504, 0x7bff},
		{"below overflow tie", 65519.996, 0x7bff},
		{"overflow tie goes to even Inf", 65520, 0x7c00},
		{"overflow", 1e10, 0x7c00},
		{"negative overflow", -1e10, 0xfc00},
		{"zero", 0, 0},
		{"negative zero", negZero, 0x8000},
		{"smallest subnormal", f32(0x33800000), 0x0001},
		{"half of smallest subnormal ties to zero", f32(0x33000000), 0x0000},
		{"just above half of smallest subnormal", f32(0x33000001), 0x0001},
		{"1.5 subnormal units ties to even 2", f32(0x33c00000), 0x0002},
		{"largest subnormal", f32(0x387fc000), 0x03ff},
		{"smallest normal", f32(0x38800000), 0x0400},
		{"tie to even down", 1 + 1.0/2048, 0x3c00},
		{"tie to even up", 1 + 3.0/2048, 0x3c02},
		{"float32 subnormal", f32(0x00000001), 0x0000},
		{"negative float32 subnormal", f32(0x80000001), 0x8000},
		{"inf", inf, 0x7c00},
		{"minus inf", -inf, 0xfc00},
		{"quiet NaN", qNaN, 0x7e00},
		{"negative quiet NaN", f32(0xffc00000), 0xfe00},
		{"signalling NaN with low payload keeps a set bit", f32(0x7f800001), 0x7c01},
		{"signalling NaN stays signalling", f32(0x7fa00000), 0x7d00},
		{"payload truncated", f32(0x7f803fff), 0x7c01},
		{"all payload bits", f32(0x7fffffff), 0x7fff},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			scalar, simd := bothPaths(func() uint16 {
				// Pad to a full vector so the SIMD path really runs.
				src := make([]float32, 9)
				for i := range src {
					src[i] = c.in
				}
				dst := make([]uint16, len(src))
				kernels.F32ToF16(dst, src)
				return dst[8]
			})
			assert.Equalf(t, c.want, scalar, "scalar %#04x", scalar)
			assert.Equalf(t, c.want, simd, "simd %#04x", simd)
		})
	}
}

func TestF16ToF32Table(t *testing.T) {
	cases := []struct {
		in   uint16
		want uint32
	}{
		{0x3c00, 0x3f800000}, {0x8000, 0x80000000}, {0x0001, 0x33800000}, {0x8001, 0xb3800000},
		{0x03ff, 0x387fc000}, {0x0400, 0x38800000}, {0x7bff, 0x477fe000}, {0x7c00, 0x7f800000},
		{0xfc00, 0xff800000}, {0x7e00, 0x7fc00000}, {0x7c01, 0x7f802000}, {0xfd00, 0xffa00000},
		{0x7fff, 0x7fffe000},
	}
	for _, c := range cases {
		scalar, simd := bothPaths(func() uint32 {
			src := make([]uint16, 9)
			for i := range src {
				src[i] = c.in
			}
			dst := make([]float32, len(src))
			kernels.F16ToF32(dst, src)
			return math.Float32bits(dst[8])
		})
		assert.Equalf(t, c.want, scalar, "scalar %#04x -> %#08x", c.in, scalar)
		assert.Equalf(t, c.want, simd, "simd %#04x -> %#08x", c.in, simd)
	}
}

// halfValue decodes half bits by arithmetic, independently of the package's bit shuffling.
func halfValue(h uint16) float64 {
	mag := float64(h&0x3ff) / 1024
	exp := int(h>>10) & 0x1f
	var v float64
	switch exp {
	case 0x1f:
		if h&0x3ff != 0 {
			return math.NaN()
		}
		v = math.Inf(1)
	case 0:
		v = math.Ldexp(mag, -14)
	default:
		v = math.Ldexp(1+mag, exp-15)
	}
	if h&0x8000 != 0 {
		v = -v
	}
	return v
}

// halfBoundaries returns, for each finite positive half h (0..0x7bff), the float32 bits of the
// midpoint between h and the next half up (65536 standing in past 0x7bff). Every midpoint has
// 12 significant bits, so float32 holds it exactly; with them, rounding to nearest even is a
// search: magnitudes below boundary h round to at most h, and one equal to it goes to
// whichever of h and h+1 is even.
func halfBoundaries() []uint32 {
	b := make([]uint32, 0x7c00)
	for h := range b {
		next := 65536.0
		if h < 0x7bff {
			next = halfValue(uint16(h + 1))
		}
		mid := (halfValue(uint16(h)) + next) / 2
		if float64(float32(mid)) != mid {
			panic("midpoint not exact in float32")
		}
		b[h] = math.Float32bits(float32(mid))
	}
	return b
}

// checkF32ToF16Chunk compares dst, the conversion of the consecutive bit patterns starting at
// first, with the boundary reference, and returns the first mismatch or -1. The reference
// walks the boundaries as the patterns grow, which costs a comparison or two per pattern.
func checkF32ToF16Chunk(bounds []uint32, first uint32, dst []uint16) int {
	sign := uint16(first>>16) & 0x8000
	mag := first &^ (1 << 31)
	h := uint32(sort.Search(len(bounds), func(i int) bool { return bounds[i] >= mag }))
	for i, got := range dst {
		m := mag + uint32(i)
		var want uint16
		switch {
		case m > 0x7f800000:
			payload := uint16(m>>13) & 0x3ff
			want = 0x7c00 | max(payload, 1)
		case m == 0x7f800000:
			want = 0x7c00
		default:
			for h < 0x7c00 && m > bounds[h] {
				h++
			}
			want = uint16(h)
			if h < 0x7c00 && m == bounds[h] && h&1 == 1 {
				want++
			}
		}
		if got != want|sign {
			return i
		}
	}
	return -1
}

// TestF32ToF16Exhaustive converts every one of the 2^32 float32 bit patterns on each path and
// checks each result against the boundary reference, and the SIMD output as a whole against
// numpy's digest. It takes about half a minute on two cores.
//
// Under -short on arm64 (where CI runs it under qemu-user, and all 2^32 take several minutes)
// only the chunks of 2^24 patterns that hold the interesting cases are converted: zero and
// float32 subnormals, the half subnormal range, the overflow boundary near 65504, and Inf and
// the NaNs, each with both signs; the numpy digest, which needs every chunk, is skipped there.
func TestF32ToF16Exhaustive(t *testing.T) {
	requireSIMD(t)
	bounds := halfBoundaries()
	const chunk = 1 << 24
	const chunks = 1 << 8
	todo := make([]int, chunks)
	for c := range todo {
		todo[c] = c
	}
	sampled := testing.Short() && runtime.GOARCH == "arm64"
	if sampled {
		todo = []int{0x00, 0x33, 0x38, 0x47, 0x7f, 0x80, 0xb3, 0xb8, 0xc7, 0xff}
	}
	for _, simd := range []bool{true, false} {
		crcs := make([]uint32, chunks)
		withPath(simd, func() {
			var wg sync.WaitGroup
			next := make(chan int)
			var mu sync.Mutex
			var failures []string
			for range runtime.GOMAXPROCS(0) {
				wg.Go(func() {
					src := make([]float32, chunk)
					dst := make([]uint16, chunk)
					raw := make([]byte, 2*chunk)
					for c := range next {
						first := uint32(c) * chunk
						for i := range src {
							src[i] = f32(first + uint32(i))
						}
						kernels.F32ToF16(dst, src)
						if i := checkF32ToF16Chunk(bounds, first, dst); i >= 0 {
							mu.Lock()
							failures = append(failures, sprintfBits(first+uint32(i), dst[i]))
							mu.Unlock()
						}
						for i, h := range dst {
							binary.LittleEndian.PutUint16(raw[2*i:], h)
						}
						crcs[c] = crc32.ChecksumIEEE(raw)
					}
				})
			}
			for _, c := range todo {
				next <- c
			}
			close(next)
			wg.Wait()
			require.Emptyf(t, failures, "simd=%v: first mismatch per chunk", simd)
		})
		if sampled {
			continue
		}
		all := make([]byte, 0, 4*chunks)
		for _, c := range crcs {
			all = binary.LittleEndian.AppendUint32(all, c)
		}
		assert.Equalf(t, uint32(numpyF32ToF16CRC), crc32.ChecksumIEEE(all),
			"simd=%v: digest differs from numpy's", simd)
	}
}

func sprintfBits(in uint32, out uint16) string {
	const hex = "0123456789abcdef"
	b := []byte("0x........ -> 0x....")
	for i := range 8 {
		b[2+i] = hex[in>>(28-4*i)&0xf]
	}
	for i := range 4 {
		b[16+i] = hex[out>>(12-4*i)&0xf]
	}
	return string(b)
}

// TestF16ToF32Exhaustive converts all 65536 halves on both paths and checks them against
// arithmetic decoding (NaN payloads by their bits) and against numpy's digest.
func TestF16ToF32Exhaustive(t *testing.T) {
	src := make([]uint16, 1<<16)
	for i := range src {
		src[i] = uint16(i)
	}
	scalar, simd := bothPaths(func() []float32 {
		dst := make([]float32, len(src))
		kernels.F16ToF32(dst, src)
		return dst
	})
	require.True(t, sameBits(scalar, simd), "paths differ")
	raw := make([]byte, 0, 4*len(src))
	for i, got := range scalar {
		h := uint16(i)
		want := halfValue(h)
		if math.IsNaN(want) {
			wantBits := uint32(h&0x8000)<<16 | 0x7f800000 | uint32(h&0x3ff)<<13
			require.Equalf(t, wantBits, math.Float32bits(got), "half %#04x", h)
		} else {
			require.Equalf(t, math.Float64bits(want), math.Float64bits(float64(got)), "half %#04x", h)
		}
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(got))
	}
	assert.Equal(t, uint32(numpyF16ToF32CRC), crc32.ChecksumIEEE(raw), "digest differs from numpy's")
}

// TestHalfSizesAndOffsets runs both conversions on every length 0..67 (and longer) at
// unaligned starts, comparing the two paths, and checks that a round trip through float16
// is the identity on halves.
func TestHalfSizesAndOffsets(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range sizes() {
		for off := range 4 {
			src := randFloats(r, n+off)[off:]
			scalar, simd := bothPaths(func() []uint16 {
				dst := make([]uint16, n+3)
				kernels.F32ToF16(dst[3:], src)
				return dst
			})
			require.Equalf(t, scalar, simd, "F32ToF16 n=%d off=%d", n, off)
			require.Equal(t, []uint16{0, 0, 0}, simd[:3], "wrote before dst")

			halves := make([]uint16, n+off)
			for i := range halves {
				halves[i] = uint16(r.Uint32())
			}
			back, backSIMD := bothPaths(func() []float32 {
				dst := make([]float32, n+1)
				kernels.F16ToF32(dst[1:], halves[off:])
				return dst
			})
			require.Truef(t, sameBits(back, backSIMD), "F16ToF32 n=%d off=%d", n, off)
			again := make([]uint16, n)
			kernels.F32ToF16(again, back[1:])
			require.Equalf(t, halves[off:], again, "round trip n=%d off=%d", n, off)
		}
	}
}

func TestHalfShortDstPanics(t *testing.T) {
	assert.Panics(t, func() { kernels.F32ToF16(make([]uint16, 3), make([]float32, 4)) })
	assert.Panics(t, func() { kernels.F16ToF32(make([]float32, 3), make([]uint16, 4)) })
	assert.NotPanics(t, func() { kernels.F32ToF16(nil, nil) })
}
