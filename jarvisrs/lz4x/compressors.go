package lz4x

import "sync"

// The compressors' state (64 KiB of table for the fast one, about 450 KiB for high compression)
// is pooled rather than allocated per block.
var (
	fastPool = sync.Pool{New: func() any { return new(fastTable) }}
	hcPool   = sync.Pool{New: func() any { return new(hcEncoder) }}
)

// compressSequences writes src as one LZ4 block into dst with compressor c. It returns 0 when the
// result does not fit in dst, which callers use to mean "store the input instead". With
// len(dst) >= CompressBlockBound(len(src)) it always succeeds.
func compressSequences(dst, src []byte, c compressor) int {
	if c.fast {
		t := fastPool.Get().(*fastTable)
		n := compressFast(dst, src, t)
		fastPool.Put(t)
		return n
	}
	return compressHC(dst, src, 0, len(src), c.hc)
}

// compressHC is hcEncoder.compress with a pooled encoder for the optimal parser. The lazy levels
// need none (their matcher has its own, smaller pool), so they leave the encoder's 450 KiB alone.
func compressHC(dst, buf []byte, start, end int, p hcParams) int {
	if !p.optimal {
		return (*hcEncoder)(nil).compress(dst, buf, start, end, p)
	}
	e := hcPool.Get().(*hcEncoder)
	n := e.compress(dst, buf, start, end, p)
	hcPool.Put(e)
	return n
}
