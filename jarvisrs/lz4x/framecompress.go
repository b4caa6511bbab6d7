package lz4x

import (
	"encoding/binary"
	"fmt"
)

// frameBlockIndex selects the block size of the frames this package writes (BD index: 4 = 64 KiB,
// 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB). Measured from 64 KiB to 4 MiB on 16 MiB of text and of
// float32 weights, speed was flat within the noise and text output shrank 1.1% from 64 KiB to
// 1 MiB blocks but only 0.05% more at 4 MiB. 1 MiB blocks still spread a 4 MiB input over four
// cores, keep a just-decoded block in L2 for its checksum, and cost 2 MiB per block in flight
// when streaming files.
const frameBlockIndex = 6

// frameBlockSize is the uncompressed size of every block but the last in frames written here.
const frameBlockSize = 1 << (8 + 2*frameBlockIndex)

// parallelMinBytes is the input size below which goroutines cost more than they save.
const parallelMinBytes = 256 << 10

// CompressFrameBound returns the most bytes CompressFrame writes for n input bytes: the 15-byte
// header, each block stored at worst (4-byte size word plus its bytes), the end mark and the
// content checksum. Negative n counts as 0.
func CompressFrameBound(n int) int {
	n = max(n, 0)
	blocks := (n + frameBlockSize - 1) / frameBlockSize
	return ourHeaderLen + blocks*4 + n + ourTrailerLen
}

// CompressFrame writes src as one LZ4 frame into dst and returns the frame's length. The frame
// has independent 1 MiB blocks, the content size in its header (so readers can size their output
// exactly) and a content checksum; lz4 -d, python-lz4 and liblz4 read it. level is 0..12 with
// liblz4's meaning: 0 to 2 use the fast compressor, 3 to 12 the high-compression one with
// growing search depth. Blocks that do not shrink are stored verbatim.
//
// dst must hold at least CompressFrameBound(len(src)) bytes, else ErrShortBuffer; src is read
// and dst written, neither is retained. Blocks are compressed on up to GOMAXPROCS goroutines
// and the output does not depend on their number. Errors: ErrBadLevel, ErrShortBuffer. Safe for
// concurrent use.
func CompressFrame(dst, src []byte, level int) (int, error) {
	c, err := frameLevel(level)
	if err != nil {
		return 0, err
	}
	if bound := CompressFrameBound(len(src)); len(dst) < bound {
		return 0, fmt.Errorf("lz4x: dst holds %d bytes, frame bound is %d: %w", len(dst), bound, ErrShortBuffer)
	}
	putFrameHeader(dst, frameBlockIndex, int64(len(src)))
	nb := (len(src) + frameBlockSize - 1) / frameBlockSize
	var pos int
	var sum uint32
	if nb < 2 || len(src) < parallelMinBytes || workers(nb) < 2 {
		pos, sum = compressBlocksSeq(dst, src, c)
	} else {
		pos, sum = compressBlocksParallel(dst, src, c, nb)
	}
	binary.LittleEndian.PutUint32(dst[pos:], 0)
	binary.LittleEndian.PutUint32(dst[pos+4:], sum)
	return pos + ourTrailerLen, nil
}

// compressBlockTo compresses blk into dst[at+4:], keeping the result only if it is smaller than
// blk, and returns its length, or 0 when blk should be stored. It writes nothing else.
func compressBlockTo(dst []byte, at int, blk []byte, c compressor) int {
	if len(blk) < 2 {
		return 0
	}
	return compressSequences(dst[at+4:at+4+len(blk)-1], blk, c)
}

// putBlock finishes the block at dst[at:] whose compressed length is m, hashing blk into h, and
// returns the position after it. m == 0 means blk is stored: it is copied in the hashing pass.
func putBlock(dst []byte, at int, blk []byte, m int, h *xxh32) int {
	if m == 0 {
		binary.LittleEndian.PutUint32(dst[at:], uint32(len(blk))|storedBit)
		h.WriteCopy(dst[at+4:], blk)
		return at + 4 + len(blk)
	}
	h.Write(blk)
	binary.LittleEndian.PutUint32(dst[at:], uint32(m))
	return at + 4 + m
}

// compressBlocksSeq writes the blocks of src after the header and returns the position after the
// last one and the content checksum.
func compressBlocksSeq(dst, src []byte, c compressor) (int, uint32) {
	h := newXXH32()
	pos := ourHeaderLen
	for off := 0; off < len(src); off += frameBlockSize {
		blk := src[off:min(off+frameBlockSize, len(src))]
		pos = putBlock(dst, pos, blk, compressBlockTo(dst, pos, blk, c), &h)
	}
	return pos, h.Sum32()
}

// compressBlocksParallel is compressBlocksSeq on all cores. Block k is compressed in place at
// the position it would have if every earlier block were stored (the bound's layout), so workers
// never need scratch space or each other; the calling goroutine then moves each finished block
// down to its final position and checksums the input, in order, copying stored blocks in the
// same pass. A block moved down ends at or before the start of the next block's worst-case
// slot, so moves never touch work in progress.
func compressBlocksParallel(dst, src []byte, c compressor, nb int) (int, uint32) {
	slot := func(k int) int { return ourHeaderLen + k*(4+frameBlockSize) }
	block := func(k int) []byte { return src[k*frameBlockSize : min((k+1)*frameBlockSize, len(src))] }
	sizes := make([]int, nb)
	h := newXXH32()
	pos := ourHeaderLen
	orderedParallel(nb,
		func(k int) { sizes[k] = compressBlockTo(dst, slot(k), block(k), c) },
		func(k int) bool {
			blk, m := block(k), sizes[k]
			if m > 0 && pos != slot(k) {
				copy(dst[pos+4:], dst[slot(k)+4:slot(k)+4+m])
			}
			pos = putBlock(dst, pos, blk, m, &h)
			return true
		})
	return pos, h.Sum32()
}
