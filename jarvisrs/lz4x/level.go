package lz4x

import "fmt"

// Levels keep liblz4's meaning: 0 is the fast compressor and larger levels trade speed for size
// up to 12. Each high-compression level gets liblz4's parser kind for that level and a search
// depth (match candidates examined per position):
//
//	level    1,2   3    4    5    6    7    8    9     10     11      12
//	parser   lazy                                     optimal
//	depth     2    4    8   16   32   64  128  256     96    512   16384
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
	11: {depth: 512, optimal: true, enough: 128},
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
