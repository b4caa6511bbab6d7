package lz4x

import (
	"fmt"
	"sync"
)

// maxBlockInput is liblz4's LZ4_MAX_INPUT_SIZE: liblz4 refuses to encode or decode raw blocks of
// more than this many bytes, so producing one would break interop.
const maxBlockInput = 0x7E000000

// hcSegment is the input span compressed by one goroutine when CompressBlockHC splits a large
// input. A raw block is one sequence stream, but its sequences may be produced independently and
// joined (see joinSegments): each segment's matches may reach back into the 64 KiB before it, so
// the split costs only the few bytes around each boundary, while 16 MiB of input still spreads
// over 16 pieces.
const hcSegment = 1 << 20

// CompressBlockBound returns the most bytes CompressBlockHC can write for n input bytes (liblz4's
// LZ4_compressBound: n + n/255 + 16). It returns 0 when n is negative or above liblz4's raw-block
// limit of 0x7E000000 bytes, which CompressBlockHC refuses.
func CompressBlockBound(n int) int {
	if n < 0 || n > maxBlockInput {
		return 0
	}
	return n + n/255 + 16
}

// CompressBlockHC compresses src into dst as one raw LZ4 block (no frame, no size prefix) in
// high-compression mode at level 1..12 (liblz4's scale; the original extension used 12) and
// returns the block's length. The block decodes with liblz4's LZ4_decompress_safe and follows the
// format's end rules (the last 5 bytes are literals, no match starts in the last 12). At level
// 12, inputs up to 1 MiB give exactly the block liblz4's LZ4_compress_HC gives; empty input gives
// liblz4's one-byte block (0x00), and input that does not compress gives a literal-only block
// (or a byte or two less, where chance repeats pay, as with liblz4).
//
// dst must hold at least CompressBlockBound(len(src)) bytes, else ErrShortBuffer. src is read,
// dst is written; neither is retained. Inputs over 1 MiB are compressed in 1 MiB segments on up
// to GOMAXPROCS goroutines, each reaching back into the 64 KiB before it, so the block is within
// a few bytes of a single pass's; the output does not depend on the number of cores. Errors:
// ErrBadLevel, ErrShortBuffer, ErrTooLarge (src over 0x7E000000 bytes). Safe for concurrent use.
func CompressBlockHC(dst, src []byte, level int) (int, error) {
	c, err := blockLevel(level)
	if err != nil {
		return 0, err
	}
	if len(src) > maxBlockInput {
		return 0, fmt.Errorf("lz4x: %d bytes exceed the raw block limit of %d: %w", len(src), maxBlockInput, ErrTooLarge)
	}
	if bound := CompressBlockBound(len(src)); len(dst) < bound {
		return 0, fmt.Errorf("lz4x: dst holds %d bytes, block bound is %d: %w", len(dst), bound, ErrShortBuffer)
	}
	if len(src) <= hcSegment {
		n := compressSequences(dst, src, c)
		if n == 0 || n > literalBlockLen(len(src)) {
			n = putLiteralBlock(dst, src)
		}
		return n, nil
	}
	return compressSegments(dst, src, c.hc), nil
}

// literalBlockLen is the size of the block that stores n bytes as literals only.
func literalBlockLen(n int) int {
	if n < 15 {
		return 1 + n
	}
	return 1 + (n-15)/255 + 1 + n
}

// putLiteralHeader writes a token with litLen literals and the given match-length nibble, plus
// the literal length's extra bytes, at dst[pos:]. It returns the position after them, or -1 if
// dst is too short.
func putLiteralHeader(dst []byte, pos, litLen int, matchNibble byte) int {
	if litLen < 15 {
		if pos >= len(dst) {
			return -1
		}
		dst[pos] = byte(litLen)<<4 | matchNibble
		return pos + 1
	}
	rest := litLen - 15
	end := pos + 1 + rest/255 + 1
	if end > len(dst) {
		return -1
	}
	dst[pos] = 0xF0 | matchNibble
	pos++
	for ; rest >= 255; rest -= 255 {
		dst[pos] = 255
		pos++
	}
	dst[pos] = byte(rest)
	return pos + 1
}

// putLiteralBlock writes src as a literal-only block (a valid block for any input, since the
// format's end rules only constrain matches) and returns its length. dst must hold
// literalBlockLen(len(src)) bytes.
func putLiteralBlock(dst, src []byte) int {
	pos := putLiteralHeader(dst, 0, len(src), 0)
	return pos + copy(dst[pos:], src)
}

var segmentPool = sync.Pool{New: func() any {
	b := make([]byte, CompressBlockBound(hcSegment))
	return &b
}}

// compressSegments compresses src in hcSegment pieces concurrently and joins them into one block
// in dst, which holds CompressBlockBound(len(src)) bytes.
func compressSegments(dst, src []byte, p hcParams) int {
	nseg := (len(src) + hcSegment - 1) / hcSegment
	outs := make([][]byte, nseg)
	bufs := make([]*[]byte, nseg)
	parallelFor(nseg, func(i int) {
		seg := src[i*hcSegment : min((i+1)*hcSegment, len(src))]
		var buf []byte
		if i == 0 {
			// The first segment's sequences stay where they are, so it is built in place.
			buf = dst
		} else {
			bufs[i] = segmentPool.Get().(*[]byte)
			buf = *bufs[i]
		}
		n := compressHC(buf, src, i*hcSegment, i*hcSegment+len(seg), p)
		if n == 0 {
			n = putLiteralBlock(buf, seg)
		}
		outs[i] = buf[:n]
	})
	n := joinSegments(dst, src, outs)
	for _, b := range bufs {
		if b != nil {
			segmentPool.Put(b)
		}
	}
	if n < 0 || n > literalBlockLen(len(src)) {
		n = putLiteralBlock(dst, src)
	}
	return n
}

// joinSegments concatenates the blocks in outs, block i encoding src[i*hcSegment:...], into one
// block in dst and returns its length, or -1 if it does not fit or a block is malformed.
//
// Every block ends with a literal-only sequence, which is only legal at the very end, so each
// block's final literals are carried over and prepended to the next block's first sequence.
// Literals are verbatim input bytes and match offsets are relative, so the carried literals are
// simply src[carry:segStart] and the next block's sequences stay valid after the shift. outs[0]
// must live at the start of dst.
func joinSegments(dst, src []byte, outs [][]byte) int {
	pos, carry := 0, 0
	for i, b := range outs {
		segStart := i * hcSegment
		segEnd := min(segStart+hcSegment, len(src))
		last := i == len(outs)-1
		tok, lit, p, ok := readLiteralLen(b, 0)
		if !ok {
			return -1
		}
		afterLits := p + lit
		if afterLits == len(b) {
			// A literal-only block: its bytes join the carry.
			if last {
				pos = putLiteralHeader(dst, pos, len(src)-carry, 0)
				if pos < 0 || pos+len(src)-carry > len(dst) {
					return -1
				}
				return pos + copy(dst[pos:], src[carry:])
			}
			continue
		}
		finalStart, finalLit, ok := finalSequence(b, afterLits, tok)
		if !ok {
			return -1
		}
		if i == 0 {
			// Already in place: outs[0] is the start of dst.
			pos = finalStart
		} else {
			pos = putLiteralHeader(dst, pos, segStart-carry+lit, tok&0xF)
			if pos < 0 {
				return -1
			}
			n := segStart + lit - carry
			mid := finalStart - afterLits
			if last {
				mid = len(b) - afterLits
			}
			if pos+n+mid > len(dst) {
				return -1
			}
			pos += copy(dst[pos:], src[carry:segStart+lit])
			pos += copy(dst[pos:], b[afterLits:afterLits+mid])
		}
		if last {
			if i == 0 {
				return len(b)
			}
			return pos
		}
		carry = segEnd - finalLit
	}
	return pos
}

// readLiteralLen reads the token at b[i] and its literal length. It returns the token, the
// literal length, the index of the first literal, and whether the literals lie within b.
func readLiteralLen(b []byte, i int) (tok byte, lit, next int, ok bool) {
	if i >= len(b) {
		return 0, 0, 0, false
	}
	tok = b[i]
	i++
	lit = int(tok >> 4)
	if lit == 15 {
		for {
			if i >= len(b) {
				return 0, 0, 0, false
			}
			x := b[i]
			i++
			lit += int(x)
			if x != 255 {
				break
			}
		}
	}
	if lit > len(b)-i {
		return 0, 0, 0, false
	}
	return tok, lit, i, true
}

// finalSequence walks b from i, the offset field of a sequence whose token is tok, to the block's
// final literal-only sequence, and returns where that sequence starts and its literal count.
func finalSequence(b []byte, i int, tok byte) (start, lit int, ok bool) {
	for {
		i += 2 // match offset
		if tok&0xF == 15 {
			for {
				if i >= len(b) {
					return 0, 0, false
				}
				x := b[i]
				i++
				if x != 255 {
					break
				}
			}
		}
		start = i
		var next int
		tok, lit, next, ok = readLiteralLen(b, i)
		if !ok {
			return 0, 0, false
		}
		i = next + lit
		if i == len(b) {
			return start, lit, true
		}
	}
}
