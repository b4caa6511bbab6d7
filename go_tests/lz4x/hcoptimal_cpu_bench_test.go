package lz4x_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
)

// BenchmarkCompressBlockOptimalLevels times CompressBlockHC at the optimal parser's levels (10 to
// 12) on the lazy benchmark's inputs (LZ4X_BENCH_FILES, or 1 MiB of text and of weights), reporting
// per-call CPU time like BenchmarkCompressBlockLazyLevels (median cpu-ns/op, min-cpu-ns/op) so
// that it compares with python-lz4's lz4.block.compress(mode="high_compression") timed on the
// same files: run it with GOMAXPROCS=1.
func BenchmarkCompressBlockOptimalLevels(b *testing.B) {
	inputs := lazyBenchInputs(b)
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		src := inputs[name]
		for level := 10; level <= 12; level++ {
			b.Run(fmt.Sprintf("%s/L%d", name, level), func(b *testing.B) {
				dst := make([]byte, lz4x.CompressBlockBound(len(src)))
				b.SetBytes(int64(len(src)))
				n, _ := lz4x.CompressBlockHC(dst, src, level)
				var times []time.Duration
				for b.Loop() {
					start := cpuTime(b)
					n, _ = lz4x.CompressBlockHC(dst, src, level)
					times = append(times, cpuTime(b)-start)
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2]), "cpu-ns/op")
				b.ReportMetric(float64(times[0]), "min-cpu-ns/op")
				b.ReportMetric(float64(n), "out-bytes")
			})
		}
	}
}

// BenchmarkCompressFrameOptimalLevelsCPU is BenchmarkCompressBlockOptimalLevels for frames
// (CompressFrame, as compress_model writes them), to compare with
// lz4.frame.compress(compression_level=L) on the same files.
func BenchmarkCompressFrameOptimalLevelsCPU(b *testing.B) {
	inputs := lazyBenchInputs(b)
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		src := inputs[name]
		for level := 10; level <= 12; level++ {
			b.Run(fmt.Sprintf("%s/L%d", name, level), func(b *testing.B) {
				dst := make([]byte, lz4x.CompressFrameBound(len(src)))
				b.SetBytes(int64(len(src)))
				n, _ := lz4x.CompressFrame(dst, src, level)
				var times []time.Duration
				for b.Loop() {
					start := cpuTime(b)
					n, _ = lz4x.CompressFrame(dst, src, level)
					times = append(times, cpuTime(b)-start)
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2]), "cpu-ns/op")
				b.ReportMetric(float64(times[0]), "min-cpu-ns/op")
				b.ReportMetric(float64(n), "out-bytes")
			})
		}
	}
}
