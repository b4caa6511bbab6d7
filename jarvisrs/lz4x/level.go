package lz4x

import "fmt"

// Levels keep liblz4's meaning: 0 is the fast compressor and larger levels trade speed for size
// up to 12. pierrec/lz4's high-compression matcher is greedy and has no optimal parser, so at a
// given chain depth it compresses less than liblz4; each level therefore gets the search depth
// at which pierrec's output size comes closest to liblz4's at that level (measured on text; on
// float32 weights every level gives ratio ~1.00 and all are fast).
//
//	level:         1  2  3  4  5  6  7   8   9   10   11   12
//	liblz4 depth:  2  2  4  8 16 32 64 128 256  opt  opt  opt
//	lz4x depth:    8 16 32 48 64 96 128 192 256 512 1024 4096
var hcDepths = [...]int{1: 8, 2: 16, 3: 32, 4: 48, 5: 64, 6: 96, 7: 128, 8: 192, 9: 256, 10: 512, 11: 1024, 12: 4096}

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

// blockLevelDepth returns the high-compression search depth for a CompressBlockHC level.
func blockLevelDepth(level int) (int, error) {
	if level < MinBlockLevel || level > MaxBlockLevel {
		return 0, fmt.Errorf("lz4x: block level %d outside %d..%d: %w", level, MinBlockLevel, MaxBlockLevel, ErrBadLevel)
	}
	return hcDepths[level], nil
}

// frameLevelDepth returns the high-compression search depth for a frame level, or 0 for the fast
// compressor.
func frameLevelDepth(level int) (int, error) {
	if level < MinFrameLevel || level > MaxFrameLevel {
		return 0, fmt.Errorf("lz4x: frame level %d outside %d..%d: %w", level, MinFrameLevel, MaxFrameLevel, ErrBadLevel)
	}
	if level < 3 {
		return 0, nil
	}
	return hcDepths[level], nil
}
