package lz4x

import "fmt"

// Levels keep liblz4's meaning: 0 is the fast compressor and larger levels trade speed for size
// up to 12. pierrec/lz4's high-compression matcher is greedy and has no optimal parser, so at a
// given chain depth it compresses less than liblz4; each level therefore gets the search depth
// at which pierrec's output size comes closest to liblz4's at that level, measured on 4 MiB of
// English-like text (output/input):
//
//	level          1,2    3      4      5      6      7      8      9     10     11     12
//	liblz4 1.9.4 .2842  .2628  .2468  .2341  .2233  .2150  .2106  .2074  .1918  .1854  .1848
//	lz4x depth      24     32     48     80    144    224    288    352   1024   2048   4096
//	lz4x          ~.28  .2613  .2476  ~.236  ~.224  ~.215  ~.210  ~.207  .1966  ~.196  ~.196
//
// Levels 10 to 12 use liblz4's optimal parser, which pierrec lacks: there lz4x stays about 6%
// larger. On float32 weights every level gives ratio ~1.00 and all are fast.
var hcDepths = [...]int{1: 24, 2: 24, 3: 32, 4: 48, 5: 80, 6: 144, 7: 224, 8: 288, 9: 352, 10: 1024, 11: 2048, 12: 4096}

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
