package lz4x_test

import (
	"fmt"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
)

// BenchmarkCompressFrameOptimalLevels times the optimal parser's levels (10-12) on one 1 MiB
// block of text, as benchmarks/compare.py's per-core rows do against liblz4: run it with -cpu 1.
func BenchmarkCompressFrameOptimalLevels(b *testing.B) {
	src := benchInput("text", 1<<20)
	dst := make([]byte, lz4x.CompressFrameBound(len(src)))
	for _, level := range []int{10, 11, 12} {
		b.Run(fmt.Sprintf("L%d", level), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			var n int
			for b.Loop() {
				n, _ = lz4x.CompressFrame(dst, src, level)
			}
			b.ReportMetric(float64(n)/float64(len(src)), "ratio")
		})
	}
}
