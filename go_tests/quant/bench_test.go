package quant_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
)

// benchSizes are element counts: one chunk (inline), 4 MiB and 64 MiB of float32.
var benchSizes = []int{quant.ChunkLen, 1 << 20, 16 << 20}

var (
	benchMu     sync.Mutex
	benchInputs = map[int][]float32{}
)

// benchInput returns a shared random input of n float32 (generated once; never written).
func benchInput(n int) []float32 {
	benchMu.Lock()
	defer benchMu.Unlock()
	if x, ok := benchInputs[n]; ok {
		return x
	}
	x := randFloats(42, n, 1)
	benchInputs[n] = x
	return x
}

// benchEach runs fn over every size, reporting throughput in bytes of float32 input (or, for
// the decoders, of float32 output).
func benchEach(b *testing.B, fn func(b *testing.B, n int, x []float32)) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			x := benchInput(n)
			b.SetBytes(int64(4 * n))
			b.ReportAllocs()
			fn(b, n, x)
		})
	}
}

func must(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkOriginalInt8(b *testing.B) {
	benchEach(b, func(b *testing.B, n int, x []float32) {
		dst := make([]int8, n)
		for b.Loop() {
			_, err := quant.OriginalInt8(dst, x)
			must(b, err)
		}
	})
}

func BenchmarkFP16(b *testing.B) {
	benchEach(b, func(b *testing.B, n int, x []float32) {
		dst := make([]uint16, n)
		for b.Loop() {
			must(b, quant.FP16(dst, x))
		}
	})
}

func BenchmarkFP16ToF32(b *testing.B) {
	benchEach(b, func(b *testing.B, n int, x []float32) {
		h := make([]uint16, n)
		must(b, quant.FP16(h, x))
		dst := make([]float32, n)
		for b.Loop() {
			must(b, quant.FP16ToF32(dst, h))
		}
	})
}

// benchLayouts are the per-channel views benchmarked: per tensor, weight rows (axis 0) and
// channels last.
var benchLayouts = []struct {
	name     string
	channels int
	last     bool
}{
	{"tensor", 1, false},
	{"axis0x4096", 4096, false},
	{"last4096", 4096, true},
}

func benchLayout(n, channels int, last bool) (outer, inner int) {
	if last {
		return n / channels, 1
	}
	return 1, n / channels
}

func BenchmarkSymmetricInt8(b *testing.B) {
	for _, lay := range benchLayouts {
		b.Run(lay.name, func(b *testing.B) {
			benchEach(b, func(b *testing.B, n int, x []float32) {
				outer, inner := benchLayout(n, lay.channels, lay.last)
				dst, scales := make([]int8, n), make([]float32, lay.channels)
				for b.Loop() {
					must(b, quant.SymmetricInt8(dst, scales, x, outer, lay.channels, inner))
				}
			})
		})
	}
}

func BenchmarkAsymmetricInt8(b *testing.B) {
	for _, lay := range benchLayouts {
		b.Run(lay.name, func(b *testing.B) {
			benchEach(b, func(b *testing.B, n int, x []float32) {
				outer, inner := benchLayout(n, lay.channels, lay.last)
				dst, scales, zps := make([]int8, n), make([]float32, lay.channels), make([]int8, lay.channels)
				for b.Loop() {
					must(b, quant.AsymmetricInt8(dst, scales, zps, x, outer, lay.channels, inner))
				}
			})
		})
	}
}

func BenchmarkDequantizeInt8(b *testing.B) {
	for _, lay := range benchLayouts {
		b.Run(lay.name, func(b *testing.B) {
			benchEach(b, func(b *testing.B, n int, x []float32) {
				outer, inner := benchLayout(n, lay.channels, lay.last)
				q, scales, zps := make([]int8, n), make([]float32, lay.channels), make([]int8, lay.channels)
				must(b, quant.AsymmetricInt8(q, scales, zps, x, outer, lay.channels, inner))
				dst := make([]float32, n)
				for b.Loop() {
					must(b, quant.DequantizeInt8(dst, q, scales, zps, outer, lay.channels, inner))
				}
			})
		})
	}
}

func BenchmarkInt4(b *testing.B) {
	benchEach(b, func(b *testing.B, n int, x []float32) {
		dst, scales := make([]uint8, n/2), make([]float32, n/32)
		for b.Loop() {
			must(b, quant.Int4(dst, scales, x, 32))
		}
	})
}

func BenchmarkDequantizeInt4(b *testing.B) {
	benchEach(b, func(b *testing.B, n int, x []float32) {
		packed, scales := make([]uint8, n/2), make([]float32, n/32)
		must(b, quant.Int4(packed, scales, x, 32))
		dst := make([]float32, n)
		for b.Loop() {
			must(b, quant.DequantizeInt4(dst, packed, scales, 32))
		}
	})
}

func BenchmarkPackInt4(b *testing.B) {
	benchEach(b, func(b *testing.B, n int, x []float32) {
		codes := make([]int8, n)
		for i := range codes {
			codes[i] = int8(i%16 - 8)
		}
		dst := make([]uint8, n/2)
		b.SetBytes(int64(n)) // one byte of codes per element
		for b.Loop() {
			must(b, quant.PackInt4(dst, codes))
		}
	})
}

func BenchmarkUnpackInt4(b *testing.B) {
	benchEach(b, func(b *testing.B, n int, x []float32) {
		packed := make([]uint8, n/2)
		for i := range packed {
			packed[i] = uint8(i)
		}
		dst := make([]int8, n)
		b.SetBytes(int64(n))
		for b.Loop() {
			must(b, quant.UnpackInt4(dst, packed))
		}
	})
}

func BenchmarkQuantizeGGUF(b *testing.B) {
	for _, k := range []quant.GGUFKind{quant.Q8_0, quant.Q4_0} {
		b.Run(k.String(), func(b *testing.B) {
			benchEach(b, func(b *testing.B, n int, x []float32) {
				size, _ := k.BytesFor(n)
				dst := make([]byte, size)
				for b.Loop() {
					must(b, quant.QuantizeGGUF(dst, x, 4096, k))
				}
			})
		})
	}
}

func BenchmarkDequantizeGGUF(b *testing.B) {
	for _, k := range []quant.GGUFKind{quant.Q8_0, quant.Q4_0} {
		b.Run(k.String(), func(b *testing.B) {
			benchEach(b, func(b *testing.B, n int, x []float32) {
				size, _ := k.BytesFor(n)
				data := make([]byte, size)
				must(b, quant.QuantizeGGUF(data, x, 4096, k))
				dst := make([]float32, n)
				for b.Loop() {
					must(b, quant.DequantizeGGUF(dst, data, 4096, k))
				}
			})
		})
	}
}
