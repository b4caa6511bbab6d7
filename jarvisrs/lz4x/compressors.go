package lz4x

import (
	"sync"

	"github.com/pierrec/lz4/v4"
)

// The compressors' tables (64 KiB for the fast one, up to 768 KiB for pierrec's high-compression
// one) are pooled rather than allocated per block.
var (
	fastPool = sync.Pool{New: func() any { return new(fastTable) }}
	hcPool   = sync.Pool{New: func() any { return new(lz4.CompressorHC) }}
)

// compressSequences writes LZ4 sequences for src into dst with the fast compressor (depth 0) or
// the high-compression one (depth > 0). It returns 0 when the result does not fit in dst, which
// callers use to mean "store the input instead". With len(dst) >= CompressBlockBound(len(src))
// it always succeeds.
func compressSequences(dst, src []byte, depth int) int {
	if depth == 0 {
		t := fastPool.Get().(*fastTable)
		n := compressFast(dst, src, t)
		fastPool.Put(t)
		return n
	}
	c := hcPool.Get().(*lz4.CompressorHC)
	c.Level = lz4.CompressionLevel(depth)
	n, err := c.CompressBlock(src, dst)
	hcPool.Put(c)
	if err != nil {
		return 0
	}
	return n
}
