package lz4x

import "fmt"

// Levels keep liblz4's meaning: 0 is the fast compressor and larger levels trade speed for size
// up to 12. Each high-compression level is a parser (lazy, or liblz4's optimal parser) and a
// search depth (match candidates examined per search; for the optimal parser also the match
// length taken without further thought). liblz4 uses the lazy parser up to level 9 with depths
// 2 to 256, but this package's lazy parser is simpler than liblz4's (it looks one and two bytes
// ahead, not at the end of each match), so from level 5 on it uses the optimal parser, with
// depths chosen so that each level's output is within 1.5% of liblz4's at that level, and from
// level 6 on as fast or faster. Measured as LZ4 frames of 300 KiB of Python source (one block)
// and of 16 MiB (1 MiB blocks; liblz4: 64 KiB linked blocks, as python-lz4 writes), time for the
// 16 MiB on 2 cores (liblz4 uses one):
//
//	level              3      4      5      6      7      8      9     10     11     12
//	liblz4 300 KiB  94129  92451  91440  90838  90559  90436  90348  89870  89290  89175
//	lz4x   300 KiB  93789  93035  91586  90936  90174  89732  89607  89463  89304  89139
//	liblz4 16 MiB   5.009  4.916  4.860  4.830  4.814  4.807  4.802  4.782  4.748  4.740 MB
//	lz4x   16 MiB   5.024  4.982  4.902  4.869  4.828  4.802  4.795  4.787  4.778  4.770 MB
//	liblz4 time       147    176    223    281    355    444    589    791   1792   1579 ms
//	lz4x   time       177    198    260    275    345    438    481    558    933    803 ms
//
// Every level is at least as small as the one below on compressible data. At 16 MiB lz4x loses
// about 0.6% to its independent blocks (each starts without history). Level 12 is liblz4's level
// 12 exactly: raw blocks up to 1 MiB come out byte for byte as liblz4 writes them. On float32
// weights every level gives ratio ~1.00.
var hcLevels = [...]hcParams{
	1:  {depth: 8},
	2:  {depth: 8},
	3:  {depth: 16},
	4:  {depth: 24},
	5:  {depth: 32, optimal: true, enough: 64},
	6:  {depth: 48, optimal: true, enough: 64},
	7:  {depth: 96, optimal: true, enough: 64},
	8:  {depth: 192, optimal: true, enough: 64},
	9:  {depth: 256, optimal: true, enough: 64},
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
