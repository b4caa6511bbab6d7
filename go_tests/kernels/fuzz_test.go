package kernels_test

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// fuzzSeeds are byte strings that plain `go test` runs through every fuzz target: empty,
// ragged, exactly one vector, the specials, and random data of a few lengths.
func fuzzSeeds() [][]byte {
	var all []byte
	for _, x := range specials {
		all = binary.LittleEndian.AppendUint32(all, math.Float32bits(x))
	}
	r := rand.New(rand.NewPCG(13, 14))
	seeds := [][]byte{nil, {1, 2, 3}, all[:32], all}
	for _, n := range []int{7, 8, 33, 100, 1000} {
		b := make([]byte, 4*n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// FuzzInt8 compares the scalar and SIMD paths of the three flat INT8 kernels, and both with
// the reference, on arbitrary bytes read as float32 and arbitrary parameters.
func FuzzInt8(f *testing.F) {
	for i, s := range fuzzSeeds() {
		f.Add(s, float32(0.01)*float32(i+1), float32(-float32(i)), int8(-127), int8(127), int32(i*7-20))
		f.Add(s, float32(1), float32(0), int8(-8), int8(7), int32(1<<21))
	}
	f.Fuzz(func(t *testing.T, data []byte, scale, mn float32, lo, hi int8, zp int32) {
		src := bytesToFloats(data)
		check := func(name string, run func(dst []int8), ref func(x float32) int8) {
			scalar, simd := bothPaths(func() []int8 {
				dst := make([]int8, len(src))
				run(dst)
				return dst
			})
			require.Equal(t, scalar, simd, name)
			for i, x := range src {
				require.Equalf(t, ref(x), scalar[i], "%s x=%#08x", name, math.Float32bits(x))
			}
		}
		check("AffineInt8", func(d []int8) { kernels.AffineInt8(d, src, mn, scale) },
			func(x float32) int8 { return refCode((x-mn)/scale, -128, -128, 127) })
		check("SymInt8", func(d []int8) { kernels.SymInt8(d, src, scale, lo, hi) },
			func(x float32) int8 { return refCode(x/scale, 0, int64(lo), int64(hi)) })
		check("ZeroPointInt8", func(d []int8) { kernels.ZeroPointInt8(d, src, scale, zp) },
			func(x float32) int8 { return refCode(x/scale, int64(zp), -128, 127) })
	})
}

// FuzzColumns compares the paths of the column kernels (SymInt8Columns, ZeroPointInt8Columns,
// AbsMaxColumns, MinMaxColumns); the first cols floats
// are the scales (and the starting accumulators), the rest whole rows of data.
func FuzzColumns(f *testing.F) {
	for i, s := range fuzzSeeds() {
		f.Add(s, uint16(i+1))
		f.Add(s, uint16(300))
	}
	f.Fuzz(func(t *testing.T, data []byte, width uint16) {
		floats := bytesToFloats(data)
		cols := int(width)%600 + 1
		if len(floats) < cols {
			return
		}
		scales, src := floats[:cols], floats[cols:]
		src = src[:len(src)/cols*cols]
		scalar, simd := bothPaths(func() []int8 {
			dst := make([]int8, len(src))
			kernels.SymInt8Columns(dst, src, scales)
			return dst
		})
		require.Equal(t, scalar, simd, "SymInt8Columns")
		accScalar, accSIMD := bothPaths(func() []float32 {
			acc := append([]float32{}, scales...)
			kernels.AbsMaxColumns(acc, src)
			return acc
		})
		require.True(t, sameBits(accScalar, accSIMD), "AbsMaxColumns")
		zps := make([]int8, cols)
		for j := range zps {
			zps[j] = int8(math.Float32bits(scales[j]) >> 7)
		}
		zpScalar, zpSIMD := bothPaths(func() []int8 {
			dst := make([]int8, len(src))
			kernels.ZeroPointInt8Columns(dst, src, scales, zps)
			return dst
		})
		require.Equal(t, zpScalar, zpSIMD, "ZeroPointInt8Columns")
		mmScalar, mmSIMD := bothPaths(func() []float32 {
			lo, hi := append([]float32{}, scales...), append([]float32{}, scales...)
			kernels.MinMaxColumns(lo, hi, src)
			return append(lo, hi...)
		})
		require.True(t, sameBits(mmScalar, mmSIMD), "MinMaxColumns")
	})
}

// FuzzHalf compares the paths of both float16 conversions, bit for bit.
func FuzzHalf(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := bytesToFloats(data)
		scalar, simd := bothPaths(func() []uint16 {
			dst := make([]uint16, len(src))
			kernels.F32ToF16(dst, src)
			return dst
		})
		require.Equal(t, scalar, simd, "F32ToF16")
		halves := make([]uint16, len(data)/2)
		for i := range halves {
			halves[i] = binary.LittleEndian.Uint16(data[2*i:])
		}
		back, backSIMD := bothPaths(func() []float32 {
			dst := make([]float32, len(halves))
			kernels.F16ToF32(dst, halves)
			return dst
		})
		require.True(t, sameBits(back, backSIMD), "F16ToF32")
	})
}

// FuzzReductions compares the paths of MinMax, AbsMax and FirstNonFinite, bit for bit.
func FuzzReductions(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := bytesToFloats(data)
		scalar, simd := bothPaths(func() [4]uint32 {
			mn, mx := kernels.MinMax(src)
			return [4]uint32{math.Float32bits(mn), math.Float32bits(mx),
				math.Float32bits(kernels.AbsMax(src)), uint32(int32(kernels.FirstNonFinite(src)))}
		})
		require.Equal(t, scalar, simd)
	})
}
