package kernels_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// References: the dequantization formulas restated element by element.

func refDequantInt8(codes []int8, scale float32, zp int32) []float32 {
	out := make([]float32, len(codes))
	for i, q := range codes {
		out[i] = float32(int32(q)-zp) * scale
	}
	return out
}

func refDequantCols(codes []int8, scales []float32, zps []int8) []float32 {
	out := make([]float32, len(codes))
	for i, q := range codes {
		j := i % len(scales)
		z := int32(0)
		if zps != nil {
			z = int32(zps[j])
		}
		out[i] = float32(int32(q)-z) * scales[j]
	}
	return out
}

func refDequantInt4(packed []uint8, scales []float32, groupSize, n int) []float32 {
	out := make([]float32, n)
	for k := range out {
		nib := int(packed[k/2]>>(4*(k%2))) & 0x0f
		if nib >= 8 {
			nib -= 16
		}
		out[k] = float32(nib) * scales[k/groupSize]
	}
	return out
}

// dequantScales mixes ordinary scales with every special a multiplication can meet.
func dequantScales(r *rand.Rand, n int) []float32 {
	specialScales := []float32{0, negZero, inf, -inf, qNaN, f32(0x7f800001), f32(0xffa00000), f32(1),
		math.MaxFloat32, f32(0x00000001), -1}
	s := make([]float32, n)
	for i := range s {
		if r.IntN(4) == 0 {
			s[i] = specialScales[r.IntN(len(specialScales))]
		} else {
			s[i] = float32(r.ExpFloat64() / 100)
		}
	}
	return s
}

func randCodes(r *rand.Rand, n int) []int8 {
	c := make([]int8, n)
	for i := range c {
		c[i] = int8(r.Uint32())
	}
	return c
}

func TestDequantInt8(t *testing.T) {
	requireSIMD(t)
	r := rand.New(rand.NewPCG(31, 32))
	zps := []int32{0, -128, 127, 5, -77, 1 << 20, 1<<24 + 1, math.MinInt32 + 3, math.MaxInt32}
	for _, n := range sizes() {
		codes := randCodes(r, n+3)
		for _, scale := range dequantScales(r, 6) {
			zp := zps[r.IntN(len(zps))]
			for _, off := range []int{0, 1, 3} {
				in := codes[off : off+n]
				want := refDequantInt8(in, scale, zp)
				scalar, simd := bothPaths(func() []float32 {
					dst := make([]float32, n+off)
					kernels.DequantInt8(dst[off:], in, scale, zp)
					return dst[off:]
				})
				require.Equal(t, bitsOf(want), bitsOf(scalar), "scalar n=%d scale=%v zp=%d", n, scale, zp)
				require.Equal(t, bitsOf(want), bitsOf(simd), "simd n=%d scale=%v zp=%d", n, scale, zp)
			}
		}
	}
}

func TestDequantInt8Columns(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	for _, cols := range []int{1, 2, 3, 7, 8, 9, 31, 255, 256, 257, 600} {
		for _, rows := range []int{0, 1, 2, 5, 33} {
			scales := dequantScales(r, cols)
			codes := randCodes(r, rows*cols+1)[1:] // unaligned
			for _, zps := range [][]int8{nil, randCodes(r, cols)} {
				want := refDequantCols(codes, scales, zps)
				scalar, simd := bothPaths(func() []float32 {
					dst := make([]float32, len(codes)+1)
					kernels.DequantInt8Columns(dst[1:], codes, scales, zps)
					return dst[1:]
				})
				name := fmt.Sprintf("cols=%d rows=%d zps=%v", cols, rows, zps != nil)
				require.Equal(t, bitsOf(want), bitsOf(scalar), "scalar "+name)
				require.Equal(t, bitsOf(want), bitsOf(simd), "simd "+name)
			}
		}
	}
}

func TestDequantInt4(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	for _, n := range append(sizes(), 2048, 4097) {
		for _, gs := range []int{1, 2, 3, 7, 8, 16, 24, 32, 33, 48, 64, 100, 128, n + 5} {
			if gs < 1 {
				continue
			}
			packed := make([]uint8, (n+1)/2+1)
			for i := range packed {
				packed[i] = uint8(r.Uint32())
			}
			in := packed[1:] // unaligned
			scales := dequantScales(r, n/gs+1)
			want := refDequantInt4(in, scales, gs, n)
			scalar, simd := bothPaths(func() []float32 {
				dst := make([]float32, n+1)
				kernels.DequantInt4(dst[1:], in, scales, gs)
				return dst[1:]
			})
			require.Equal(t, bitsOf(want), bitsOf(scalar), "scalar n=%d gs=%d", n, gs)
			require.Equal(t, bitsOf(want), bitsOf(simd), "simd n=%d gs=%d", n, gs)
		}
	}
}

func TestDequantLengthPanics(t *testing.T) {
	require.Panics(t, func() { kernels.DequantInt8(make([]float32, 3), make([]int8, 4), 1, 0) })
	require.Panics(t, func() { kernels.DequantInt8Columns(make([]float32, 8), make([]int8, 8), make([]float32, 3), nil) })
	require.Panics(t, func() {
		kernels.DequantInt8Columns(make([]float32, 8), make([]int8, 8), make([]float32, 4), make([]int8, 3))
	})
	require.Panics(t, func() { kernels.DequantInt8Columns(make([]float32, 8), make([]int8, 8), nil, nil) })
	require.Panics(t, func() { kernels.DequantInt8Columns(make([]float32, 7), make([]int8, 8), make([]float32, 4), nil) })
	require.Panics(t, func() { kernels.DequantInt4(make([]float32, 8), make([]uint8, 4), make([]float32, 1), 0) })
	require.Panics(t, func() { kernels.DequantInt4(make([]float32, 9), make([]uint8, 4), make([]float32, 1), 9) })
	require.Panics(t, func() { kernels.DequantInt4(make([]float32, 9), make([]uint8, 5), make([]float32, 1), 8) })
	kernels.DequantInt4(nil, nil, nil, 1)
	kernels.DequantInt8Columns(nil, nil, nil, nil)
}

// FuzzDequant compares the paths of the three dequantizers on arbitrary codes and parameters.
func FuzzDequant(f *testing.F) {
	for i, s := range fuzzSeeds() {
		f.Add(s, uint32(0x3c000000), int32(i-3), uint16(i+1), uint16(32))
		f.Add(s, uint32(0x7fc00001), int32(1<<25), uint16(300), uint16(7))
	}
	f.Fuzz(func(t *testing.T, data []byte, scaleBits uint32, zp int32, width, group uint16) {
		codes := make([]int8, len(data))
		for i, b := range data {
			codes[i] = int8(b)
		}
		scale := math.Float32frombits(scaleBits)
		s, v := bothPaths(func() []float32 {
			dst := make([]float32, len(codes))
			kernels.DequantInt8(dst, codes, scale, zp)
			return dst
		})
		require.Equal(t, bitsOf(refDequantInt8(codes, scale, zp)), bitsOf(s))
		require.Equal(t, bitsOf(s), bitsOf(v))

		// Columns: the scales and zero points come from the data too.
		cols := int(width)%300 + 1
		if len(data) >= 5*cols {
			scales := make([]float32, cols)
			for j := range scales {
				scales[j] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*j:]) ^ scaleBits)
			}
			zps, body := codes[4*cols:5*cols], codes[5*cols:]
			body = body[:len(body)/cols*cols]
			for _, z := range [][]int8{nil, zps} {
				s, v := bothPaths(func() []float32 {
					dst := make([]float32, len(body))
					kernels.DequantInt8Columns(dst, body, scales, z)
					return dst
				})
				require.Equal(t, bitsOf(refDequantCols(body, scales, z)), bitsOf(s))
				require.Equal(t, bitsOf(s), bitsOf(v))
			}
		}

		gs := int(group)%200 + 1
		n := 2 * len(data)
		if n > 0 && len(data)%2 == 1 {
			n-- // odd counts too
		}
		scales := make([]float32, n/gs+1)
		for g := range scales {
			scales[g] = scale * float32(g%5-2)
		}
		s, v = bothPaths(func() []float32 {
			dst := make([]float32, n)
			kernels.DequantInt4(dst, data, scales, gs)
			return dst
		})
		require.Equal(t, bitsOf(refDequantInt4(data, scales, gs, n)), bitsOf(s))
		require.Equal(t, bitsOf(s), bitsOf(v))
	})
}
