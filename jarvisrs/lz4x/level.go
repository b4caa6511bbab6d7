package lz4x

import "fmt"

// Levels keep liblz4's meaning: 0 is the fast compressor and larger levels trade speed for size
// up to 12. Each high-compression level is a parser and a search depth (match candidates examined
// per search). Levels 1 to 9 use the lazy parser (hclazy.go), built as liblz4's hash-chain parser
// with liblz4's depths (2, 2, 4, 8, ..., 256): on a single-segment input (up to 1 MiB) its raw
// blocks are byte for byte those of liblz4 1.9.4 (python-lz4 4.4.5's) at the same level, so
// their size ratio is exactly 1. Per core (GOMAXPROCS=1, process CPU time), liblz4's time over
// ours (lz4.block.compress against CompressBlockHC on the same bytes, compare.py's text_like and
// float32 weights, 1 MiB each; 5 alternating runs of 11 calls per side; the median of the runs'
// median ratios, and the ratio of the two sides' fastest calls, steadier on this shared 2-core
// machine, heavily loaded by other work when this was measured: single runs' medians ranged
// 0.7-1.7):
//
//	level                       1     2     3     4     5     6     7     8     9
//	text 1 MiB, median        1.13  1.37  1.35  1.22  1.31  1.26  1.29  1.29  1.20
//	text 1 MiB, minimum       1.04  1.03  1.16  1.24  1.27  1.29  1.29  1.27  1.17
//	weights 1 MiB, median     1.51  1.61  1.16  1.10  1.10  1.19  1.13  1.10  0.95
//	weights 1 MiB, minimum    1.68  1.67  1.19  1.15  1.13  1.15  1.14  1.13  1.14
//	text, lz4x ms (median)     7.8   7.9   9.5  14.7  20.0  36.9  47.8  54.5  90.4
//	text, instructions/liblz4 1.10  1.10  1.08  1.06  1.03  1.01  1.01  1.02  1.10
//
// The last row is counted under valgrind (callgrind, the same 1 MiB text block on both sides).
// Most candidates on text pass the two-byte quick check and match forward far enough to need
// the backward count; one 8-byte comparison before each side rejects those whose bytes just
// before differ (wider and widerRuns, hclazy_match.go), which took levels 5 to 8 to within 3%
// of liblz4's count and levels 1-4 and 9 to 5-10% above it (before: 14-16% above it at levels 1
// to 8, 24% at level 9). Where both are bound by instruction throughput (levels 1 and 2 on small text: insertion and
// the parse loop itself) a run can still go either way. As frames (compress_model from the
// wheel against lz4.frame.compress, 1 MiB of text: ours one block, liblz4's 64 KiB linked
// blocks, 0.9994x its size) levels 3 to 9 ran at 0.99, 1.12, 1.18, 1.22, 1.25, 1.24 and 1.20x
// liblz4's per-core speed (median of 5 interleaved runs of 7 calls; before these changes 0.94,
// 1.03, 1.09, 1.14, 1.16, 1.12 and 1.10x in the same conditions); float32 weights 1.04-1.09x
// both before and after.
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
// as blocks, about 1.0-1.1x as a 1 MiB frame. Levels 10 and 11 jump over runs of one byte value as
// liblz4's optimal parser does (hcmatch.go, chainWalk); on the interop test's inputs level 11's raw
// blocks are then liblz4's byte for byte and level 10's no bigger (smaller on text: its 16-bit hash
// spends fewer attempts on false candidates). Searching exactly as liblz4 does, on its 15-bit hash,
// gives its level 10 blocks too, but costs about 10% at level 10 and 1.9x at level 11 (partial
// switching is not liblz4's), leaving both at liblz4's own speed per core. Level 12 is liblz4's
// level 12 exactly: raw blocks up to 1 MiB come out byte for byte as liblz4 writes them. Every
// level is at least as small as the one below on compressible data; on float32 weights every level
// gives ratio ~1.00.
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
	10: {depth: 96, optimal: true, enough: 64, runs: true},
	11: {depth: 512, optimal: true, enough: 128, partialSwitch: true, runs: true},
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
