package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// benchSizes are input sizes in bytes of float32 data; b.SetBytes always counts that side,
// so MB/s figures compare across kernels (F16ToF32 reads half as many bytes as it reports).
var benchSizes = []struct {
	name  string
	bytes int
}{
	{"4KiB", 4 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}, {"16MiB", 16 << 20}, {"64MiB", 64 << 20},
}

var benchInput = sync.OnceValue(func() []float32 {
	r := rand.New(rand.NewPCG(15, 16))
	src := make([]float32, 64<<20/4)
	for i := range src {
		src[i] = float32(r.NormFloat64())
	}
	return src
})

// benchPaths runs body as sub-benchmarks path/size: the scalar path, the SIMD path, and the
// SIMD path split over two goroutines the way a caller on two cores would run it. body gets
// the element range to work on.
func benchPaths(b *testing.B, body func(src []float32, lo, hi int)) {
	for _, path := range []struct {
		name  string
		simd  bool
		parts int
	}{{"scalar", false, 1}, {"simd", true, 1}, {"simd-2cores", true, 2}} {
		if path.simd && !kernels.SIMDAvailable() {
			continue
		}
		for _, size := range benchSizes {
			b.Run(path.name+"/"+size.name, func(b *testing.B) {
				src := benchInput()[:size.bytes/4]
				prev := kernels.UseSIMD(path.simd)
				defer kernels.UseSIMD(prev)
				b.SetBytes(int64(size.bytes))
				b.ReportAllocs()
				for b.Loop() {
					if path.parts == 1 {
						body(src, 0, len(src))
						continue
					}
					var wg sync.WaitGroup
					// Halves on a 4096-element boundary, a multiple of every row width used.
					mid := len(src) / 2 / 4096 * 4096
					wg.Go(func() { body(src, 0, mid) })
					body(src, mid, len(src))
					wg.Wait()
				}
			})
		}
	}
}

func BenchmarkF32ToF16(b *testing.B) {
	dst := make([]uint16, 64<<20/4)
	benchPaths(b, func(src []float32, lo, hi int) { kernels.F32ToF16(dst[lo:hi], src[lo:hi]) })
}

func BenchmarkF16ToF32(b *testing.B) {
	halves := make([]uint16, 64<<20/4)
	kernels.F32ToF16(halves, benchInput())
	dst := make([]float32, len(halves))
	benchPaths(b, func(_ []float32, lo, hi int) { kernels.F16ToF32(dst[lo:hi], halves[lo:hi]) })
}

func BenchmarkFirstNonFinite(b *testing.B) {
	benchPaths(b, func(src []float32, lo, hi int) {
		if kernels.FirstNonFinite(src[lo:hi]) != -1 {
			b.Fatal("non-finite in benchmark data")
		}
	})
}

func BenchmarkMinMax(b *testing.B) {
	benchPaths(b, func(src []float32, lo, hi int) { kernels.MinMax(src[lo:hi]) })
}

func BenchmarkAbsMax(b *testing.B) {
	benchPaths(b, func(src []float32, lo, hi int) { kernels.AbsMax(src[lo:hi]) })
}

func BenchmarkAffineInt8(b *testing.B) {
	dst := make([]int8, 64<<20/4)
	benchPaths(b, func(src []float32, lo, hi int) { kernels.AffineInt8(dst[lo:hi], src[lo:hi], -5, 10.0/255) })
}

func BenchmarkSymInt8(b *testing.B) {
	dst := make([]int8, 64<<20/4)
	benchPaths(b, func(src []float32, lo, hi int) { kernels.SymInt8(dst[lo:hi], src[lo:hi], 5.0/127, -127, 127) })
}

func BenchmarkZeroPointInt8(b *testing.B) {
	dst := make([]int8, 64<<20/4)
	benchPaths(b, func(src []float32, lo, hi int) { kernels.ZeroPointInt8(dst[lo:hi], src[lo:hi], 10.0/255, -3) })
}

// The per-channel benchmarks use rows of 1024 channels (a wide weight matrix) and of 4
// (narrow rows, which the kernels tile).
func BenchmarkSymInt8Columns(b *testing.B) {
	dst := make([]int8, 64<<20/4)
	for _, cols := range []int{1024, 4} {
		scales := make([]float32, cols)
		for j := range scales {
			scales[j] = float32(j%7+1) / 127
		}
		b.Run(fmt.Sprintf("cols%d", cols), func(b *testing.B) {
			benchPaths(b, func(src []float32, lo, hi int) {
				kernels.SymInt8Columns(dst[lo:hi], src[lo:hi], scales)
			})
		})
	}
}

func BenchmarkZeroPointInt8Columns(b *testing.B) {
	dst := make([]int8, 64<<20/4)
	for _, cols := range []int{1024, 4} {
		scales, zps := make([]float32, cols), make([]int8, cols)
		for j := range scales {
			scales[j], zps[j] = float32(j%7+1)/255, int8(j%9-4)
		}
		b.Run(fmt.Sprintf("cols%d", cols), func(b *testing.B) {
			benchPaths(b, func(src []float32, lo, hi int) {
				kernels.ZeroPointInt8Columns(dst[lo:hi], src[lo:hi], scales, zps)
			})
		})
	}
}

func BenchmarkMinMaxColumns(b *testing.B) {
	for _, cols := range []int{1024, 4} {
		b.Run(fmt.Sprintf("cols%d", cols), func(b *testing.B) {
			benchPaths(b, func(src []float32, lo, hi int) {
				kernels.MinMaxColumns(make([]float32, cols), make([]float32, cols), src[lo:hi])
			})
		})
	}
}

func BenchmarkAbsMaxColumns(b *testing.B) {
	for _, cols := range []int{1024, 4} {
		b.Run(fmt.Sprintf("cols%d", cols), func(b *testing.B) {
			benchPaths(b, func(src []float32, lo, hi int) {
				kernels.AbsMaxColumns(make([]float32, cols), src[lo:hi])
			})
		})
	}
}

// The GGUF benchmarks count float32 bytes on the value side (input of the encoders, output of
// the decoders); element lo of a slice is block lo/32.
func BenchmarkEncodeQ8_0(b *testing.B) {
	dst := make([]byte, 64<<20/4/32*kernels.Q8_0BlockBytes)
	benchPaths(b, func(src []float32, lo, hi int) {
		kernels.EncodeQ8_0(dst[lo/32*kernels.Q8_0BlockBytes:], src[lo:hi])
	})
}

func BenchmarkEncodeQ4_0(b *testing.B) {
	dst := make([]byte, 64<<20/4/32*kernels.Q4_0BlockBytes)
	benchPaths(b, func(src []float32, lo, hi int) {
		kernels.EncodeQ4_0(dst[lo/32*kernels.Q4_0BlockBytes:], src[lo:hi])
	})
}

func BenchmarkDecodeQ8_0(b *testing.B) {
	blocks := make([]byte, 64<<20/4/32*kernels.Q8_0BlockBytes)
	kernels.EncodeQ8_0(blocks, benchInput())
	dst := make([]float32, 64<<20/4)
	benchPaths(b, func(_ []float32, lo, hi int) {
		kernels.DecodeQ8_0(dst[lo:hi], blocks[lo/32*kernels.Q8_0BlockBytes:])
	})
}

func BenchmarkDecodeQ4_0(b *testing.B) {
	blocks := make([]byte, 64<<20/4/32*kernels.Q4_0BlockBytes)
	kernels.EncodeQ4_0(blocks, benchInput())
	dst := make([]float32, 64<<20/4)
	benchPaths(b, func(_ []float32, lo, hi int) {
		kernels.DecodeQ4_0(dst[lo:hi], blocks[lo/32*kernels.Q4_0BlockBytes:])
	})
}

// The dequantization benchmarks count float32 bytes of output.
var benchCodes = sync.OnceValue(func() []int8 {
	codes := make([]int8, 64<<20/4)
	kernels.SymInt8(codes, benchInput(), 4.0/127, -127, 127)
	return codes
})

func BenchmarkDequantInt8(b *testing.B) {
	dst := make([]float32, 64<<20/4)
	benchPaths(b, func(_ []float32, lo, hi int) { kernels.DequantInt8(dst[lo:hi], benchCodes()[lo:hi], 0.03, -3) })
}

func BenchmarkDequantInt8Columns(b *testing.B) {
	dst := make([]float32, 64<<20/4)
	for _, cols := range []int{1024, 4} {
		scales, zps := make([]float32, cols), make([]int8, cols)
		for j := range scales {
			scales[j], zps[j] = float32(j%7+1)/127, int8(j%5-2)
		}
		b.Run(fmt.Sprintf("cols%d", cols), func(b *testing.B) {
			benchPaths(b, func(_ []float32, lo, hi int) {
				kernels.DequantInt8Columns(dst[lo:hi], benchCodes()[lo:hi], scales, zps)
			})
		})
	}
}

func BenchmarkDequantInt4(b *testing.B) {
	packed := make([]uint8, 64<<20/8)
	for i := range packed {
		packed[i] = uint8(benchCodes()[2*i]&0x0f) | uint8(benchCodes()[2*i+1])<<4
	}
	dst := make([]float32, 64<<20/4)
	scales := make([]float32, len(dst)/32)
	for g := range scales {
		scales[g] = float32(g%9+1) / 7
	}
	benchPaths(b, func(_ []float32, lo, hi int) {
		kernels.DequantInt4(dst[lo:hi], packed[lo/2:], scales[lo/32:], 32)
	})
}
