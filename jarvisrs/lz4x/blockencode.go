package lz4x

import (
	"encoding/binary"
	"math/bits"
)

// maxOffset is the farthest back an LZ4 match can reach: offsets are 16-bit and 0 is not used.
const maxOffset = 65535

// seqWriter appends LZ4 sequences to a block. Every write checks the room left, so a block that
// would not fit in dst is abandoned rather than overrun: ok turns false and stays false.
type seqWriter struct {
	dst []byte
	pos int
	ok  bool
}

// lengthBytes is how many extension bytes a literal or match length field of n takes beyond its
// token nibble (n counted from the nibble's base).
func lengthBytes(n int) int {
	if n < 15 {
		return 0
	}
	return (n-15)/255 + 1
}

// putLength writes the extension bytes of a length field of n (n >= 15) at w.pos.
func (w *seqWriter) putLength(n int) {
	n -= 15
	for ; n >= 255; n -= 255 {
		w.dst[w.pos] = 255
		w.pos++
	}
	w.dst[w.pos] = byte(n)
	w.pos++
}

// sequence writes the literals lits followed by a match of length ml (at least minMatch) at
// distance offset (1..maxOffset).
func (w *seqWriter) sequence(lits []byte, offset, ml int) {
	lit, m := len(lits), ml-minMatch
	need := 1 + lengthBytes(lit) + lit + 2 + lengthBytes(m)
	if !w.ok || need > len(w.dst)-w.pos {
		w.ok = false
		return
	}
	tok := byte(min(lit, 15))<<4 | byte(min(m, 15))
	w.dst[w.pos] = tok
	w.pos++
	if lit >= 15 {
		w.putLength(lit)
	}
	w.pos += copy(w.dst[w.pos:], lits)
	binary.LittleEndian.PutUint16(w.dst[w.pos:], uint16(offset))
	w.pos += 2
	if m >= 15 {
		w.putLength(m)
	}
}

// last writes the final, literal-only sequence.
func (w *seqWriter) last(lits []byte) {
	lit := len(lits)
	if !w.ok || 1+lengthBytes(lit)+lit > len(w.dst)-w.pos {
		w.ok = false
		return
	}
	w.dst[w.pos] = byte(min(lit, 15)) << 4
	w.pos++
	if lit >= 15 {
		w.putLength(lit)
	}
	w.pos += copy(w.dst[w.pos:], lits)
}

// matchLen returns how many bytes src[a:] and src[b:] have in common before limit (a < b, so b
// reaches limit first).
func matchLen(src []byte, a, b, limit int) int {
	n := 0
	for b+n+8 <= limit {
		x := binary.LittleEndian.Uint64(src[a+n:]) ^ binary.LittleEndian.Uint64(src[b+n:])
		if x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for b+n < limit && src[a+n] == src[b+n] {
		n++
	}
	return n
}
