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

// Fast compression: one hash table slot per hash of 5 bytes, holding the last position that had
// it. The table has 2^fastHashLog slots; 14 bits (64 KiB of table) keeps it in L2 and was
// measured to give the best speed for the size on text and weights.
const fastHashLog = 14

// fastSkipLog sets how quickly the fast compressor speeds up through data that does not match:
// after 2^fastSkipLog failed probes in a row it advances 2 bytes per probe, after twice that 3,
// and so on. The count starts again at every match, so a long incompressible stretch does not
// blind it to the compressible data after it.
const fastSkipLog = 6

type fastTable [1 << fastHashLog]uint32

func fastHash(u uint64) uint32 {
	// The low 5 bytes, moved to the top and multiplied by an odd constant; the top bits mix them.
	return uint32((u << 24) * 0x9E3779B97F4A7C15 >> (64 - fastHashLog))
}

// compressFast writes src as LZ4 sequences into dst with the fast compressor and returns their
// length, or 0 if they do not fit in dst. t is scratch and need not be clean.
func compressFast(dst, src []byte, t *fastTable) int {
	w := seqWriter{dst: dst, ok: true}
	n := len(src)
	// A match must start at least mfLimit bytes before the end and end lastLiterals before it.
	if n < mfLimit+1 {
		w.last(src)
		if !w.ok {
			return 0
		}
		return w.pos
	}
	clear(t[:])
	mfl := n - mfLimit // last position a match may start at
	matchEnd := n - lastLiterals
	anchor := 0
	ip := 1
	t[fastHash(binary.LittleEndian.Uint64(src))] = 0
	for ip <= mfl {
		// Find a match, probing faster and faster while none turns up.
		var ref int
		probes := 1 << fastSkipLog
		cur := binary.LittleEndian.Uint64(src[ip:])
		h := fastHash(cur)
		for {
			ref = int(t[h])
			t[h] = uint32(ip)
			next := ip + probes>>fastSkipLog
			probes++
			if next > mfl {
				if ip-ref <= maxOffset && uint32(cur) == binary.LittleEndian.Uint32(src[ref:]) && ref < ip {
					break
				}
				w.last(src[anchor:])
				if !w.ok {
					return 0
				}
				return w.pos
			}
			// The next probe's hash is computed before this one's verdict, so the two overlap.
			nextCur := binary.LittleEndian.Uint64(src[next:])
			nextH := fastHash(nextCur)
			if ip-ref <= maxOffset && uint32(cur) == binary.LittleEndian.Uint32(src[ref:]) && ref < ip {
				break
			}
			ip, cur, h = next, nextCur, nextH
		}
		// Extend backwards over literals the match also covers.
		for ip > anchor && ref > 0 && src[ip-1] == src[ref-1] {
			ip--
			ref--
		}
		for {
			ml := minMatch + matchLen(src, ref+minMatch, ip+minMatch, matchEnd)
			w.sequence(src[anchor:ip], ip-ref, ml)
			ip += ml
			anchor = ip
			if ip > mfl {
				break
			}
			// Index a position inside the match, then see whether another match starts right
			// here, which saves a token's worth of literal bookkeeping.
			t[fastHash(binary.LittleEndian.Uint64(src[ip-2:]))] = uint32(ip - 2)
			cur := binary.LittleEndian.Uint64(src[ip:])
			h := fastHash(cur)
			ref = int(t[h])
			t[h] = uint32(ip)
			if !(ip-ref <= maxOffset && uint32(cur) == binary.LittleEndian.Uint32(src[ref:]) && ref < ip) {
				ip++
				break
			}
		}
		if !w.ok {
			return 0
		}
	}
	w.last(src[anchor:])
	if !w.ok {
		return 0
	}
	return w.pos
}
