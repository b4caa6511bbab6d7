package lz4x

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// Fast compression, liblz4's LZ4_compress_fast at acceleration 1 less its indexing of the
// position two bytes before each match's end: one hash table slot per hash of 5 bytes, holding
// the last position that had it. The table has 2^fastHashLog slots; 12 bits
// (16 KiB of table, liblz4's default) stays in the L1 cache, which measured faster than 14 bits
// by more than the 1-3% of size the bigger table saves.
const fastHashLog = 12

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

// loadPtr32 and loadPtr64 read 4 and 8 little-endian bytes at sp+i, unchecked: one load on
// little-endian machines, correct on any.
func loadPtr32(sp unsafe.Pointer, i int) uint32 {
	return binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(sp, i))[:])
}

func loadPtr64(sp unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(sp, i))[:])
}

// compressFast writes src as LZ4 sequences into dst with the fast compressor and returns their
// length, or 0 if they do not fit in dst. t is scratch and need not be clean.
//
// The loop reads src and t and writes dst through unsafe pointers: with slices, Go keeps three
// words per slice live and checks every index, and the spills and checks tripled the instruction
// count. Every access is justified where it happens: reads stay below n by the end rules
// (probes hash 8 bytes at most at n-11, matches are compared up to n-5), table indexes are
// hashes of fastHashLog bits, and every write to dst is preceded by a check of the room it may
// touch. Short literal runs are copied 16 bytes at a time and may write up to 16 bytes past
// their end, never past dst.
func compressFast(dst, src []byte, t *fastTable) int {
	// A match must start at least mfLimit bytes before the end and end lastLiterals before it.
	if len(src) < mfLimit+1 {
		return putLastLiterals(dst, 0, src)
	}
	clear(t[:])
	var op, anchor int
	if asmOn.Load() {
		op, anchor = fastLoopAsm(dst, src, t)
	} else {
		op, anchor = fastLoop(dst, src, t)
	}
	if op < 0 {
		return 0
	}
	return putLastLiterals(dst, op, src[anchor:])
}

// fastLoop writes the sequences of src (len(src) > mfLimit) into dst until no match can start
// any more, with a clean table t, and returns the position after them and the start of the
// final literals, or op -1 when they do not fit in dst. fastLoopAsm does the same, byte for
// byte, in assembly.
func fastLoop(dst, src []byte, t *fastTable) (op, anchor int) {
	n := len(src)
	sp := unsafe.Pointer(unsafe.SliceData(src))
	tp := unsafe.Pointer(t)
	dp := unsafe.Pointer(unsafe.SliceData(dst))
	dn := len(dst)
	rd32 := func(i int) uint32 { return loadPtr32(sp, i) }
	hashAt := func(i int) uint32 { return fastHash(loadPtr64(sp, i)) }
	slot := func(h uint32) *uint32 { return (*uint32)(unsafe.Add(tp, uintptr(h)*4)) }
	mfl := n - mfLimit // last position a match may start at
	matchEnd := n - lastLiterals
	*slot(hashAt(0)) = 0
	ip := 1
	nextH := hashAt(ip)
	for {
		// Find a match, probing faster and faster while none turns up. The next probe's hash is
		// computed before this one's verdict, so the two overlap.
		var ref int
		next, probes := ip, 1<<fastSkipLog
		for {
			h := nextH
			ip = next
			next += probes >> fastSkipLog
			probes++
			if next > mfl+1 {
				return op, anchor
			}
			s := slot(h)
			ref = int(*s)
			nextH = hashAt(next) // next <= n-11: 8 bytes fit
			*s = uint32(ip)
			// ref < ip: the table only holds positions already passed.
			if ip-ref <= maxOffset && rd32(ref) == rd32(ip) {
				break
			}
		}
		// Extend backwards over literals the match also covers.
		for ip > anchor && ref > 0 && *(*byte)(unsafe.Add(sp, ip-1)) == *(*byte)(unsafe.Add(sp, ref-1)) {
			ip--
			ref--
		}
		// The literals. liblz4's room rule: the run, its length bytes, an offset and the final
		// literals' token and bytes must fit.
		lit := ip - anchor
		if op+lit+lit/255+1+2+1+lastLiterals > dn {
			return -1, 0
		}
		tok := op
		if lit < 15 && op+1+16 <= dn && anchor+16 <= n {
			*(*byte)(unsafe.Add(dp, op)) = byte(lit) << 4
			*(*[16]byte)(unsafe.Add(dp, op+1)) = *(*[16]byte)(unsafe.Add(sp, anchor))
			op += 1 + lit
		} else {
			op = putLiteralHeader(dst, op, lit, 0)
			op += copy(dst[op:], src[anchor:ip])
		}
		for {
			// The match: offset (room checked with the literals, or below), then its length
			// after the first minMatch bytes.
			*(*[2]byte)(unsafe.Add(dp, op)) = [2]byte{byte(ip - ref), byte((ip - ref) >> 8)}
			op += 2
			m := matchLenPtr(sp, ref+minMatch, ip+minMatch, matchEnd)
			ip += minMatch + m
			if m >= 15 {
				if op+m/255+1+lastLiterals > dn {
					return -1, 0
				}
				*(*byte)(unsafe.Add(dp, tok)) |= 15
				for m -= 15; m >= 255; m -= 255 {
					*(*byte)(unsafe.Add(dp, op)) = 255
					op++
				}
				*(*byte)(unsafe.Add(dp, op)) = byte(m)
				op++
			} else {
				*(*byte)(unsafe.Add(dp, tok)) |= byte(m)
			}
			anchor = ip
			if ip > mfl {
				return op, anchor
			}
			// See whether another match starts right here, which saves a token's worth of
			// literal bookkeeping. (liblz4 also indexes ip-2 first; on text that was 12% of
			// the instructions for 0.4% of the size.)
			s := slot(hashAt(ip))
			ref = int(*s)
			*s = uint32(ip)
			if ip-ref > maxOffset || rd32(ref) != rd32(ip) {
				break
			}
			if op+1+2+1+lastLiterals > dn {
				return -1, 0
			}
			tok = op
			*(*byte)(unsafe.Add(dp, op)) = 0
			op++
		}
		ip++
		nextH = hashAt(ip)
	}
}

// matchLenPtr is matchLen over the bytes at sp: how many bytes at a and b are equal before
// limit (a < b, so b reaches limit first). Callers keep limit within the buffer.
func matchLenPtr(sp unsafe.Pointer, a, b, limit int) int {
	n := 0
	for b+n+8 <= limit {
		x := loadPtr64(sp, a+n) ^ loadPtr64(sp, b+n)
		if x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for b+n < limit && *(*byte)(unsafe.Add(sp, a+n)) == *(*byte)(unsafe.Add(sp, b+n)) {
		n++
	}
	return n
}

// putLastLiterals writes lits as the block's final, literal-only sequence at dst[op:] and returns
// the block's length, or 0 if it does not fit.
func putLastLiterals(dst []byte, op int, lits []byte) int {
	op = putLiteralHeader(dst, op, len(lits), 0)
	if op < 0 || len(lits) > len(dst)-op {
		return 0
	}
	return op + copy(dst[op:], lits)
}
