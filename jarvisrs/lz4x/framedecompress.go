package lz4x

import (
	"errors"
	"fmt"
)

// linkedWindow is how far back a match in a linked-block frame may reach into earlier blocks.
const linkedWindow = 64 << 10

// FrameContentSize returns the total decompressed size, in bytes, of the LZ4 frames in src, read
// from their headers. known is false when a frame does not record its size. Only the frame and
// block headers are walked (nothing is decompressed), so truncation and impossible sizes are
// found here: ErrNotLZ4Frame, ErrCorrupt, ErrTooLarge (a size the blocks cannot hold),
// ErrUnsupported. src is not retained. Safe for concurrent use.
func FrameContentSize(src []byte) (size int64, known bool, err error) {
	frames, err := scanFrames(src)
	if err != nil {
		return 0, false, err
	}
	for i := range frames {
		if !frames[i].hasSize() {
			return 0, false, nil
		}
		size += int64(frames[i].contentSize)
	}
	return size, true, nil
}

// DecompressFrame decodes the LZ4 frames in src (one or more, concatenated, with optional
// skippable frames between them; any block size, linked or independent blocks, with or without
// checksums) into dst and returns the number of bytes written. Checksums and declared content
// sizes are verified. Size dst with FrameContentSize; output that does not fit in dst gives
// ErrShortBuffer.
//
// Errors: ErrNotLZ4Frame, ErrCorrupt (malformed, truncated, checksum or size mismatch, trailing
// bytes), ErrShortBuffer, ErrTooLarge, ErrUnsupported (legacy frames, dictionaries). On error
// dst holds partial output. src is read and dst written; neither is retained. Independent blocks
// are decoded on up to GOMAXPROCS goroutines. Safe for concurrent use.
func DecompressFrame(dst, src []byte) (int, error) {
	frames, err := scanFrames(src)
	if err != nil {
		return 0, err
	}
	return decodeFrames(dst, src, frames)
}

// DecompressFrameAlloc decodes the LZ4 frames in src, as DecompressFrame does, into a new slice
// of at most limit bytes. When every frame records its size the output is allocated once at that
// size; otherwise the buffer grows geometrically from a guess, never beyond what the blocks could
// hold nor beyond limit, so a hostile input cannot make it allocate more than the lesser of
// limit and about 255 times len(src). The result's capacity may exceed its length. Errors are
// those of DecompressFrame, plus ErrTooLarge when the output would exceed limit. src is not
// retained. Safe for concurrent use.
func DecompressFrameAlloc(src []byte, limit int64) ([]byte, error) {
	frames, err := scanFrames(src)
	if err != nil {
		return nil, err
	}
	limit = max(limit, 0)
	var total, most int64
	known := true
	for i := range frames {
		most += frames[i].maxOut
		if frames[i].hasSize() {
			total += int64(frames[i].contentSize)
		} else {
			known = false
		}
	}
	if known {
		if total > limit {
			return nil, fmt.Errorf("lz4x: frames declare %d bytes, limit is %d: %w", total, limit, ErrTooLarge)
		}
		out := make([]byte, total)
		n, err := decodeFrames(out, src, frames)
		if err != nil {
			return nil, err
		}
		return out[:n], nil
	}
	ceiling := min(most, limit)
	// Typical data compresses less than 4:1, so this guess usually needs no regrowth; highly
	// compressible data regrows a few times, each time decoding again, which at most doubles
	// the work.
	size := min(ceiling, max(4*int64(len(src)), 1<<20))
	for {
		out := make([]byte, size)
		n, err := decodeFrames(out, src, frames)
		if err == nil {
			return out[:n], nil
		}
		if !errors.Is(err, ErrShortBuffer) {
			return nil, err
		}
		if size >= ceiling {
			if most > limit {
				return nil, fmt.Errorf("lz4x: frames decode to more than the limit of %d bytes: %w", limit, ErrTooLarge)
			}
			return nil, err
		}
		size = min(2*size, ceiling)
	}
}

func decodeFrames(dst, src []byte, frames []frameRef) (int, error) {
	pos := 0
	for i := range frames {
		n, err := decodeFrame(dst[pos:], src, &frames[i])
		if err != nil {
			return 0, fmt.Errorf("lz4x: frame %d: %w", i, err)
		}
		pos += n
	}
	return pos, nil
}

// decodeFrame decodes one scanned frame into out and verifies its size and checksum.
func decodeFrame(out, src []byte, f *frameRef) (int, error) {
	if f.hasSize() {
		if f.contentSize > uint64(len(out)) {
			return 0, fmt.Errorf("declares %d bytes, %d bytes of dst left: %w", f.contentSize, len(out), ErrShortBuffer)
		}
		out = out[:f.contentSize]
	}
	d := blockDecoder{src: src, out: out, f: f, h: newXXH32()}
	var n int
	var err error
	// The parallel path lists the blocks, so it is only taken when they average at least 1 KiB:
	// a hostile frame of millions of tiny blocks is decoded sequentially, in constant memory.
	if f.independent() && f.nblocks >= 2 && len(out) >= parallelMinBytes &&
		f.nblocks <= len(src)/1024+2 && workers(f.nblocks) > 1 {
		n, err = d.parallel()
	} else {
		n, err = d.sequential(0, f.firstBlock)
	}
	if err != nil {
		return 0, err
	}
	if f.hasSize() && uint64(n) != f.contentSize {
		return 0, fmt.Errorf("decoded %d bytes, header declares %d: %w", n, f.contentSize, ErrCorrupt)
	}
	if f.contentChecksum() {
		if got := d.h.Sum32(); got != f.checksum {
			return 0, fmt.Errorf("content checksum %#08x, frame says %#08x: %w", got, f.checksum, ErrCorrupt)
		}
	}
	return n, nil
}

// blockDecoder decodes the blocks of one frame into out, hashing the output in order.
type blockDecoder struct {
	src, out []byte
	f        *frameRef
	h        xxh32
}

// sequential decodes the blocks from the one whose size word is at src[blockPos:] on, writing
// from out[pos:], and returns the end of the output.
func (d *blockDecoder) sequential(pos, blockPos int) (int, error) {
	for {
		b, next, end, err := readBlock(d.src, blockPos, &d.f.frameHeader)
		if err != nil {
			return 0, err
		}
		if end {
			return pos, nil
		}
		blockPos = next
		m, hashed, err := d.block(pos, b, true)
		if err != nil {
			return 0, err
		}
		if d.f.contentChecksum() && !hashed {
			d.h.Write(d.out[pos : pos+m])
		}
		pos += m
	}
}

// block decodes b into out[pos:], at most one block size, and returns the bytes written. When
// inOrder is set, the caller hashes output in frame order, so a stored block is copied and hashed
// in one pass and reported as hashed.
func (d *blockDecoder) block(pos int, b blockRef, inOrder bool) (m int, hashed bool, err error) {
	data := d.src[b.off : b.off+b.n]
	if d.f.blockChecksum() {
		if got := xxh32Sum(data); got != b.sum {
			return 0, false, fmt.Errorf("block checksum %#08x, frame says %#08x: %w", got, b.sum, ErrCorrupt)
		}
	}
	room := d.out[pos:min(len(d.out), pos+d.f.blockMax)]
	if b.stored {
		if len(data) > len(room) {
			return 0, false, d.overflow(pos)
		}
		if inOrder && d.f.contentChecksum() {
			d.h.WriteCopy(room, data)
			return len(data), true, nil
		}
		return copy(room, data), false, nil
	}
	lo := pos
	if !d.f.independent() {
		lo = max(0, pos-linkedWindow)
	}
	if end := decodeBlock(d.out[lo:pos+len(room)], pos-lo, data); end >= 0 {
		return end - (pos - lo), false, nil
	}
	if len(room) < d.f.blockMax {
		// The block may be valid and merely not fit: decode it with a full block of room to tell.
		hist := d.out[lo:pos]
		scratch := make([]byte, len(hist)+d.f.blockMax)
		copy(scratch, hist)
		if decodeBlock(scratch, len(hist), data) >= 0 {
			return 0, false, d.overflow(pos)
		}
	}
	return 0, false, fmt.Errorf("block at byte %d does not decode: %w", b.off, ErrCorrupt)
}

// overflow reports output that does not fit: the caller's fault when the frame's size is
// unknown, the frame's when it declared a smaller size.
func (d *blockDecoder) overflow(pos int) error {
	if d.f.hasSize() {
		return fmt.Errorf("blocks decode to more than the declared %d bytes: %w", d.f.contentSize, ErrCorrupt)
	}
	return fmt.Errorf("output exceeds the %d bytes of dst left at byte %d: %w", len(d.out), pos, ErrShortBuffer)
}

// parallel decodes independent blocks concurrently. Output positions are speculative: every
// compressed block but the last is assumed to fill the frame's block size, which is what liblz4,
// the lz4 tool and this package write. The calling goroutine checks each block in order as it
// finishes and hashes it; at the first block that breaks the assumption (or fails), it stops the
// workers and finishes sequentially from that block, whose position is still exact. Stored
// blocks are left to the calling goroutine, which copies them while hashing.
func (d *blockDecoder) parallel() (int, error) {
	blocks := make([]blockRef, 0, d.f.nblocks)
	starts := make([]int, 0, d.f.nblocks) // output position of each block
	bp, pos := d.f.firstBlock, 0
	for {
		b, next, end, err := readBlock(d.src, bp, &d.f.frameHeader)
		if err != nil {
			return 0, err
		}
		if end {
			break
		}
		blocks = append(blocks, b)
		starts = append(starts, pos)
		if b.stored {
			pos += b.n
		} else {
			pos += d.f.blockMax
		}
		bp = next
	}
	nb := len(blocks)
	if starts[nb-1] > len(d.out) {
		// The speculative layout does not fit, so the blocks cannot all be full; let the
		// sequential path find out where it goes wrong.
		return d.sequential(0, d.f.firstBlock)
	}
	sizes := make([]int, nb)
	errs := make([]error, nb)
	end := 0
	failed := -1
	orderedParallel(nb,
		func(k int) {
			if !blocks[k].stored {
				sizes[k], _, errs[k] = d.block(starts[k], blocks[k], false)
			}
		},
		func(k int) bool {
			hashed := false
			if blocks[k].stored {
				sizes[k], hashed, errs[k] = d.block(starts[k], blocks[k], true)
			}
			full := blocks[k].stored || sizes[k] == d.f.blockMax || k == nb-1
			if errs[k] != nil || !full {
				failed = k
				return false
			}
			if d.f.contentChecksum() && !hashed {
				d.h.Write(d.out[starts[k] : starts[k]+sizes[k]])
			}
			end = starts[k] + sizes[k]
			return true
		})
	if failed >= 0 {
		return d.sequential(starts[failed], blocks[failed].off-4)
	}
	return end, nil
}
