package lz4x

import (
	"sync"

	"github.com/pierrec/lz4/v4"
)

// pierrec's compressors carry hash tables of 136 KiB (fast) and up to 768 KiB (high
// compression), so they are pooled rather than allocated per block.
var (
	fastPool = sync.Pool{New: func() any { return new(lz4.Compressor) }}
	hcPool   = sync.Pool{New: func() any { return new(lz4.CompressorHC) }}
)

// compressSequences writes LZ4 sequences for src into dst with the fast compressor (depth 0) or
// the high-compression one (depth > 0). It returns 0 when the result does not fit in dst, which
// callers use to mean "store the input instead". With len(dst) >= CompressBlockBound(len(src))
// it always succeeds.
func compressSequences(dst, src []byte, depth int) int {
	var n int
	var err error
	if depth == 0 {
		c := fastPool.Get().(*lz4.Compressor)
		n, err = c.CompressBlock(src, dst)
		fastPool.Put(c)
	} else {
		c := hcPool.Get().(*lz4.CompressorHC)
		c.Level = lz4.CompressionLevel(depth)
		n, err = c.CompressBlock(src, dst)
		hcPool.Put(c)
	}
	if err != nil {
		return 0
	}
	return n
}
