package lz4x

import "fmt"

// Levels keep liblz4's meaning: 0 is the fast compressor and larger levels trade speed for size
// up to 12. Each high-compression level is a parser and a search depth (match candidates examined
// per search). Levels 1 to 9 use the lazy parser (hclazy.go), built as liblz4's hash-chain parser
// with liblz4's depths (2, 2, 4, 8, ..., 256): on a single-segment input (up to 1 MiB) its raw
// blocks are byte for byte those of liblz4 1.9.4 (python-lz4 4.4.5's) at the same level, so
// their size ratio is exactly 1. Per core (GOMAXPROCS=1, process CPU time), liblz4's time over
// ours (lz4.block.compress against CompressBlockHC on the same bytes, 3 interleaved runs of 10
// calls per side; the median of the medians, and the ratio of the two sides' fastest calls,
// which is steadier on this shared 2-core machine, loaded by other work when this was measured):
//
//	level                       1     2     3     4     5     6     7     8     9
//	text 1 MiB, median        0.85  0.74  1.32  1.20  1.34  1.13  1.20  0.97  1.17
//	text 1 MiB, minimum       1.01  1.04  1.16  1.19  1.27  1.27  1.27  1.19  1.19
//	weights 1 MiB, median     1.71  1.61  1.28  1.21  1.15  1.21  1.22  1.24  1.13
//	weights 1 MiB, minimum    1.84  1.86  1.27  1.22  1.17  1.22  1.18  1.20  1.18
//	source 96 KiB, median     0.85  0.82  1.11  1.17  1.17  1.15  1.19  1.19  0.94
//	source 96 KiB, minimum    1.04  1.05  1.14  1.20  1.22  1.24  1.22  1.19  1.13
//	text, lz4x ms (median)    10.8  11.1   9.7  14.2  21.0  37.6  51.1  81.3  99.5
//
// Counted under valgrind the lazy levels execute 8-12% more instructions than liblz4 for the same
// blocks, so where both are bound by instruction throughput (levels 1 and 2 on small text) they
// are about even and a run can go either way. As frames (compress_model, 1 MiB of text: ours one
// block, liblz4's 64 KiB linked blocks) levels 3 to 9 are 150-170 bytes smaller than liblz4's at
// 1.07-1.29x its per-core speed (benchmarks/compare.py --lz4-one-core, median of 3).
// go_tests/lz4x BenchmarkCompressBlockLazyLevels reports per-call CPU time (median and minimum);
// LZ4X_BENCH_FILES points it at the files a Python timing reads. liblz4 1.10 replaces levels 1
// and 2 with a different, faster parser (lz4mid) with larger output: against a python-lz4 built
// on 1.10 those two levels compare differently.
//
// Levels 10 to 12 use liblz4's optimal parser, its depths (96, 512, 16384) and the match length
// taken at once (enough); level 11 also switches hash chains on partial matches, which gives
// depth 1024's output on text in about 30% less time. Per core (GOMAXPROCS=1, CPU time, six
// interleaved rounds on text, medians): level 10 1.08x liblz4 as a 1 MiB block and 1.17x as a
// frame, at 0.999x its size; level 11 1.82x and 1.72x; level 12 1.15x (1 MiB) and 1.12x (4 MiB)
// as blocks, about 1.0-1.1x as a 1 MiB frame. On long runs of few byte values ("runs" in the
// interop test) levels 10 and 11 come out up to 0.05% bigger than liblz4's. Level 12 is liblz4's level 12 exactly: raw blocks up to 1 MiB come out byte for byte
// as liblz4 writes them. Every level is at least as small as the one below on compressible
// data; on float32 weights every level gives ratio ~1.00.
var hcLevels = [...]hcParams{
	1:  {depth: 2},
	2:  {depth: 2},
	3:  {depth: 4},
	4:  {depth: 8},
	5:  {depth: 16},
	6:  {depth: 32},
	7:  {depth: 64},
	8:  {depth: 128},
	9:  {depth: 256},
	10: {depth: 96, optimal: true, enough: 64},
	11: {depth: 512, optimal: true, enough: 128, partialSwitch: true},
	12: {depth: 16384, optimal: true, enough: optWindow - 1, everyPos: true},
}

const (
	// MinBlockLevel and MaxBlockLevel bound the level of CompressBlockHC.
	MinBlockLevel = 1
	MaxBlockLevel = 12
	// MinFrameLevel and MaxFrameLevel bound the level of CompressFrame and CompressFile. As in
	// liblz4's frame API, levels 0 to 2 use the fast compressor and 3 to 12 the
	// high-compression one.
	MinFrameLevel = 0
	MaxFrameLevel = 12
)

// compressor selects a block compressor: the fast one, or high compression with its settings.
type compressor struct {
	fast bool
	hc   hcParams
}

// blockLevel returns the compressor for a CompressBlockHC level.
func blockLevel(level int) (compressor, error) {
	if level < MinBlockLevel || level > MaxBlockLevel {
		return compressor{}, fmt.Errorf("lz4x: block level %d outside %d..%d: %w", level, MinBlockLevel, MaxBlockLevel, ErrBadLevel)
	}
	return compressor{hc: hcLevels[level]}, nil
}

// frameLevel returns the compressor for a frame level.
func frameLevel(level int) (compressor, error) {
	if level < MinFrameLevel || level > MaxFrameLevel {
		return compressor{}, fmt.Errorf("lz4x: frame level %d outside %d..%d: %w", level, MinFrameLevel, MaxFrameLevel, ErrBadLevel)
	}
	if level < 3 {
		return compressor{fast: true}, nil
	}
	return compressor{hc: hcLevels[level]}, nil
}
