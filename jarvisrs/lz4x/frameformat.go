package lz4x

import (
	"encoding/binary"
	"fmt"
	"math"
)

// LZ4 frame layout (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md):
//
//	magic(4) FLG(1) BD(1) [content size(8)] [dict ID(4)] HC(1)
//	{ block size(4, high bit = stored) data [block checksum(4)] }...
//	end mark(4 zero bytes) [content checksum(4)]
//
// Skippable frames (magic 0x184D2A50..5F, then a 4-byte length) may appear between frames.
const (
	frameMagic        = 0x184D2204
	legacyMagic       = 0x184C2102
	skippableMagic    = 0x184D2A50
	skippableMask     = 0xFFFFFFF0
	storedBit         = 0x80000000
	flgVersion        = 0x40
	flgVersionMask    = 0xC0
	flgBlockIndep     = 0x20
	flgBlockChecksum  = 0x10
	flgContentSize    = 0x08
	flgContentSum     = 0x04
	flgReserved       = 0x02
	flgDictID         = 0x01
	bdReservedMask    = 0x8F
	maxFrameHeaderLen = 4 + 2 + 8 + 4 + 1
	// ourHeaderLen is the header CompressFrame writes: magic, FLG, BD, content size, HC.
	ourHeaderLen = 4 + 2 + 8 + 1
	// ourTrailerLen is the end mark and the content checksum.
	ourTrailerLen = 4 + 4
)

// blockMaxSizes maps the BD byte's block-size index to bytes; indexes 0 to 3 are reserved.
var blockMaxSizes = [8]int{4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20}

// frameHeader is a parsed frame descriptor.
type frameHeader struct {
	flg         byte
	blockMax    int
	contentSize uint64 // valid when hasSize
	headerLen   int
}

func (h *frameHeader) hasSize() bool         { return h.flg&flgContentSize != 0 }
func (h *frameHeader) independent() bool     { return h.flg&flgBlockIndep != 0 }
func (h *frameHeader) blockChecksum() bool   { return h.flg&flgBlockChecksum != 0 }
func (h *frameHeader) contentChecksum() bool { return h.flg&flgContentSum != 0 }

// headerLenFor returns the descriptor length implied by the FLG byte, counting the magic.
func headerLenFor(flg byte) int {
	n := 4 + 2 + 1
	if flg&flgContentSize != 0 {
		n += 8
	}
	if flg&flgDictID != 0 {
		n += 4
	}
	return n
}

// parseFrameHeader parses the frame descriptor at the start of b, whose first 4 bytes are the
// frame magic. b must hold at least headerLenFor(b[4]) bytes.
func parseFrameHeader(b []byte) (frameHeader, error) {
	flg, bd := b[4], b[5]
	h := frameHeader{flg: flg, headerLen: headerLenFor(flg)}
	if len(b) < h.headerLen {
		return h, fmt.Errorf("lz4x: frame header truncated: %w", ErrCorrupt)
	}
	if flg&flgVersionMask != flgVersion || flg&flgReserved != 0 || bd&bdReservedMask != 0 {
		return h, fmt.Errorf("lz4x: frame descriptor FLG=%#02x BD=%#02x has an unknown version or reserved bits: %w", flg, bd, ErrCorrupt)
	}
	h.blockMax = blockMaxSizes[bd>>4&7]
	if h.blockMax == 0 {
		return h, fmt.Errorf("lz4x: frame block size index %d is reserved: %w", bd>>4&7, ErrCorrupt)
	}
	desc := b[4 : h.headerLen-1]
	if want := byte(xxh32Sum(desc) >> 8); b[h.headerLen-1] != want {
		return h, fmt.Errorf("lz4x: frame header checksum %#02x, expected %#02x: %w", b[h.headerLen-1], want, ErrCorrupt)
	}
	if flg&flgDictID != 0 {
		return h, fmt.Errorf("lz4x: frame needs dictionary %#x: %w", binary.LittleEndian.Uint32(b[h.headerLen-5:]), ErrUnsupported)
	}
	if h.hasSize() {
		h.contentSize = binary.LittleEndian.Uint64(b[6:])
		if h.contentSize > math.MaxInt64 {
			return h, fmt.Errorf("lz4x: frame content size %d: %w", h.contentSize, ErrTooLarge)
		}
	}
	return h, nil
}

// putFrameHeader writes the header of the frames this package makes (independent blocks,
// content checksum) into dst, with the content size when contentSize >= 0, and returns its
// length: ourHeaderLen with the size, 8 bytes less without.
func putFrameHeader(dst []byte, blockIndex byte, contentSize int64) int {
	binary.LittleEndian.PutUint32(dst, frameMagic)
	dst[4] = flgVersion | flgBlockIndep | flgContentSum
	dst[5] = blockIndex << 4
	n := 6
	if contentSize >= 0 {
		dst[4] |= flgContentSize
		binary.LittleEndian.PutUint64(dst[6:], uint64(contentSize))
		n += 8
	}
	dst[n] = byte(xxh32Sum(dst[4:n]) >> 8)
	return n + 1
}

// blockRef locates one data block of a frame in the source.
type blockRef struct {
	off, n int // data is src[off : off+n]
	stored bool
	sum    uint32 // block checksum, when the frame has them
}

// frameRef is one parsed frame of an in-memory source. Blocks are not listed, so that a hostile
// input made of millions of tiny blocks costs no memory; readBlock walks them again.
type frameRef struct {
	frameHeader
	firstBlock int // position of the first block's size word
	nblocks    int
	checksum   uint32 // content checksum, when the frame has one
	// maxOut bounds the frame's decoded size: stored blocks count exactly, compressed ones as
	// the least of the block size and what their bytes could expand to.
	maxOut int64
}

// readBlock reads the block whose size word is at src[pos:]. It returns the block, the position
// after it, and end=true at the end mark. The error wraps ErrCorrupt.
func readBlock(src []byte, pos int, h *frameHeader) (b blockRef, next int, end bool, err error) {
	if len(src)-pos < 4 {
		return b, 0, false, fmt.Errorf("truncated before end mark: %w", ErrCorrupt)
	}
	word := binary.LittleEndian.Uint32(src[pos:])
	pos += 4
	if word == 0 {
		return b, pos, true, nil
	}
	b = blockRef{off: pos, n: int(word &^ storedBit), stored: word&storedBit != 0}
	if b.n > h.blockMax {
		return b, 0, false, fmt.Errorf("block of %d bytes exceeds the frame's %d-byte blocks: %w", b.n, h.blockMax, ErrCorrupt)
	}
	if b.n > len(src)-pos {
		return b, 0, false, fmt.Errorf("block truncated: %w", ErrCorrupt)
	}
	pos += b.n
	if h.blockChecksum() {
		if len(src)-pos < 4 {
			return b, 0, false, fmt.Errorf("block checksum truncated: %w", ErrCorrupt)
		}
		b.sum = binary.LittleEndian.Uint32(src[pos:])
		pos += 4
	}
	return b, pos, false, nil
}

// scanFrames walks every frame in src without decoding anything, checking that the structure is
// complete and that declared sizes are possible. Data between frames must be skippable frames;
// anything else after the first frame is corruption.
func scanFrames(src []byte) ([]frameRef, error) {
	if len(src) == 0 {
		return nil, fmt.Errorf("lz4x: empty input: %w", ErrNotLZ4Frame)
	}
	var frames []frameRef
	pos := 0
	for pos < len(src) {
		if len(src)-pos < 4 {
			return nil, fmt.Errorf("lz4x: %d stray bytes after frame data: %w", len(src)-pos, ErrCorrupt)
		}
		magic := binary.LittleEndian.Uint32(src[pos:])
		switch {
		case magic == frameMagic:
		case magic&skippableMask == skippableMagic:
			if len(src)-pos < 8 {
				return nil, fmt.Errorf("lz4x: skippable frame truncated: %w", ErrCorrupt)
			}
			skip := int64(binary.LittleEndian.Uint32(src[pos+4:]))
			if skip > int64(len(src)-pos-8) {
				return nil, fmt.Errorf("lz4x: skippable frame of %d bytes truncated: %w", skip, ErrCorrupt)
			}
			pos += 8 + int(skip)
			continue
		case magic == legacyMagic:
			return nil, fmt.Errorf("lz4x: legacy LZ4 frame (lz4 -l): %w", ErrUnsupported)
		case pos == 0:
			return nil, fmt.Errorf("lz4x: magic %#08x: %w", magic, ErrNotLZ4Frame)
		default:
			return nil, fmt.Errorf("lz4x: data after frame %d is not a frame (magic %#08x): %w", len(frames), magic, ErrCorrupt)
		}
		f, next, err := scanFrame(src, pos)
		if err != nil {
			return nil, fmt.Errorf("lz4x: frame %d at byte %d: %w", len(frames), pos, err)
		}
		frames = append(frames, f)
		pos = next
	}
	return frames, nil
}

// scanFrame parses the frame whose magic is at src[pos:] and returns it with the position after
// it.
func scanFrame(src []byte, pos int) (frameRef, int, error) {
	var f frameRef
	if len(src)-pos < 7 {
		return f, 0, fmt.Errorf("header truncated: %w", ErrCorrupt)
	}
	h, err := parseFrameHeader(src[pos:])
	if err != nil {
		return f, 0, err
	}
	f.frameHeader = h
	pos += h.headerLen
	f.firstBlock = pos
	for {
		b, next, end, err := readBlock(src, pos, &f.frameHeader)
		if err != nil {
			return f, 0, fmt.Errorf("block %d: %w", f.nblocks, err)
		}
		pos = next
		if end {
			break
		}
		if b.stored {
			f.maxOut += int64(b.n)
		} else {
			f.maxOut += min(int64(h.blockMax), MaxBlockDecompressedSize(b.n))
		}
		f.nblocks++
	}
	if h.contentChecksum() {
		if len(src)-pos < 4 {
			return f, 0, fmt.Errorf("content checksum truncated: %w", ErrCorrupt)
		}
		f.checksum = binary.LittleEndian.Uint32(src[pos:])
		pos += 4
	}
	if h.hasSize() && h.contentSize > uint64(f.maxOut) {
		return f, 0, fmt.Errorf("declares %d bytes but its blocks hold at most %d: %w", h.contentSize, f.maxOut, ErrTooLarge)
	}
	return f, pos, nil
}
