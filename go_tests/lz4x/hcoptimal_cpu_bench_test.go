package lz4x_test

import (
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
)

// BenchmarkCompressBlockOptimalLevels times CompressBlockHC at the optimal parser's levels (10 to
// 12) on the lazy benchmark's inputs (LZ4X_BENCH_FILES, or 1 MiB of text and of weights), reporting
// per-call CPU time like BenchmarkCompressBlockLazyLevels (median cpu-ns/op, min-cpu-ns/op) so
// that it compares with python-lz4's lz4.block.compress(mode="high_compression") timed on the
// same files: run it with GOMAXPROCS=1.
func BenchmarkCompressBlockOptimalLevels(b *testing.B) {
	benchLevelsCPU(b, 10, 12, lz4x.CompressBlockBound, lz4x.CompressBlockHC)
}

// BenchmarkCompressFrameOptimalLevelsCPU is BenchmarkCompressBlockOptimalLevels for frames
// (CompressFrame, as compress_model writes them), to compare with
// lz4.frame.compress(compression_level=L) on the same files.
func BenchmarkCompressFrameOptimalLevelsCPU(b *testing.B) {
	benchLevelsCPU(b, 10, 12, lz4x.CompressFrameBound, lz4x.CompressFrame)
}
