package lz4x

import "unsafe"

// The LZ4 block format's constants (lz4_Block_format.md).
const (
	minMatch = 4 // shortest match; the token's match nibble counts from it
	// lastLiterals is how many bytes at the end of a block must be literals.
	lastLiterals = 5
	// mfLimit is how close to the end of a block a match may start at the latest: the last
	// match starts at least 12 bytes before the end.
	mfLimit = 12
	// fastRoom is how much output room the decoder's fast loop keeps free, so that it can copy
	// in whole words without checking each length against the end.
	fastRoom = 64
)

// decodeBlock decodes the raw LZ4 block src into dst[start:], where dst[:start] is earlier output
// that matches may reach back into (a linked frame's history; empty for a lone block), and
// returns the end of the output in dst, or -1 if the block is rejected. len(dst) is the capacity
// bound.
//
// It accepts exactly the blocks liblz4 1.9.4's LZ4_decompress_safe accepts for the same
// capacity, and decodes them to the same bytes. liblz4 does not check blocks against the format
// description but against what its two decoding loops can afford to read and write, so its
// verdict depends on where each sequence falls relative to the ends of the input and of the
// output capacity. The rules below were derived from its behaviour and are checked against it
// (the go tests' reference corpus, the Python tests' random garbage). In short:
//
//   - A sequence whose literals end within 8 bytes of the input's end, or 12 bytes of the
//     capacity, must be the last: its literals must end exactly at the end of the input and
//     fit in the capacity. Such a sequence ends the block whatever its match nibble says.
//   - While there is room, liblz4 takes shortcuts that skip those checks for short literal runs
//     (fewer than 15 literals starting 17 or more bytes before the input's end, with 64 bytes of
//     output room, or 16 and 32 on the slower path), so a non-final sequence may come closer to
//     the end there.
//   - A match may not end within the last 5 bytes of the capacity, except one that a shortcut
//     copies (at most 18 bytes, with 32 bytes of room before it).
//   - Length extension bytes may not run past 15 bytes (literals) or 4 bytes (matches) before
//     the input's end.
//   - A match may not reach back before the start of the output (or of the history). Offset 0
//     is not rejected: liblz4 decodes it as zeros, and so does this decoder.
//
// It never panics and never writes outside dst[start:], whatever src holds.
func decodeBlock(dst []byte, start int, src []byte) int {
	iend, oend := len(src), len(dst)
	if start < 0 || start > oend {
		return -1
	}
	if oend == start {
		if len(src) == 1 && src[0] == 0 {
			return start
		}
		return -1
	}
	if iend == 0 {
		return -1
	}
	ip, op := 0, start
	var token, lit, ml, offset int

	// The fast loop runs while at least fastRoom bytes of capacity are left. It hands over to
	// the careful loop below, at one of its entry points, as soon as a sequence comes near either
	// end.
	//
	// Its hot paths read and write through unsafe pointers, justified by its invariants: at the
	// top of every round ip < iend (every path leaves at least the next token in src) and
	// op <= oend-fastRoom (a match that would end within fastRoom of oend leaves the loop before
	// it is copied); a short literal run is taken here only with 18 bytes of src left.
	entry := entryToken
	if oend-op >= fastRoom {
		sp := unsafe.Pointer(unsafe.SliceData(src))
		dp := unsafe.Pointer(unsafe.SliceData(dst))
	fast:
		for {
			token = int(*(*byte)(unsafe.Add(sp, ip)))
			lit = token >> 4
			if lit < 15 {
				if ip > iend-18 {
					ip++
					entry = entryLiterals
					break fast
				}
				// The token, 16 bytes of literals (at most 14 are real) and the offset lie
				// within src[ip:ip+18]; op+16 <= oend.
				*(*[16]byte)(unsafe.Add(dp, op)) = *(*[16]byte)(unsafe.Add(sp, ip+1))
				o := (*[2]byte)(unsafe.Add(sp, ip+lit+1))
				offset = int(o[0]) | int(o[1])<<8
				ip += lit + 3
				op += lit
			} else {
				ip++
				n, next := readLength(src, ip, iend-15, true)
				if n < 0 {
					return -1
				}
				lit += n
				ip = next
				if op+lit > oend-32 || ip+lit > iend-32 {
					entry = entryLiterals
					break fast
				}
				copy(dst[op:op+lit], src[ip:ip+lit])
				ip += lit
				op += lit
				offset = int(src[ip]) | int(src[ip+1])<<8
				ip += 2
			}
			ml = token & 15
			if ml == 15 {
				// One extension byte below 255 is the common case: readLength's rule for it
				// is that it ends by iend-4.
				if b := int(*(*byte)(unsafe.Add(sp, ip))); b < 255 && ip+1 <= iend-4 {
					ml += b + minMatch
					ip++
				} else {
					n, next := readLength(src, ip, iend-4, false)
					if n < 0 {
						return -1
					}
					ml += n + minMatch
					ip = next
				}
				if offset > op {
					return -1
				}
				if op+ml >= oend-fastRoom {
					entry = entryMatchChecked
					break fast
				}
				if offset >= 16 {
					// 16-byte chunks read only final bytes; the last may run 15 bytes past
					// the match, inside the fastRoom left after it.
					from := op - offset
					for i := 0; i < ml; i += 16 {
						*(*[16]byte)(unsafe.Add(dp, op+i)) = *(*[16]byte)(unsafe.Add(dp, from+i))
					}
					op += ml
					continue
				}
			} else {
				ml += minMatch
				if op+ml >= oend-fastRoom {
					entry = entryMatchChecked
					break fast
				}
				if offset >= 8 && offset <= op {
					// op+24 < oend: the match ends fastRoom before it.
					from := op - offset
					*(*[8]byte)(unsafe.Add(dp, op)) = *(*[8]byte)(unsafe.Add(dp, from))
					*(*[8]byte)(unsafe.Add(dp, op+8)) = *(*[8]byte)(unsafe.Add(dp, from+8))
					*(*[8]byte)(unsafe.Add(dp, op+16)) = *(*[8]byte)(unsafe.Add(dp, from+16))
					op += ml
					continue
				}
			}
			if offset > op {
				return -1
			}
			copyMatchRoomy(dst, op, offset, ml)
			op += ml
		}
	}

	for {
		switch entry {
		case entryToken:
			if ip >= iend {
				return -1 // cannot happen: every path leaves a byte for the next token
			}
			token = int(src[ip])
			ip++
			lit = token >> 4
			if lit != 15 && ip < iend-16 && op <= oend-32 {
				// liblz4's shortcut: no end checks for a short literal run and a short match
				// with room for both.
				copy(dst[op:op+lit], src[ip:ip+lit])
				ip += lit
				op += lit
				offset = int(src[ip]) | int(src[ip+1])<<8
				ip += 2
				ml = token & 15
				if ml != 15 && offset >= 8 && offset <= op {
					ml += minMatch
					copyMatch(dst, op, offset, ml)
					op += ml
					continue
				}
				break // to the match length, as entryMatchLength
			}
			if lit == 15 {
				n, next := readLength(src, ip, iend-15, true)
				if n < 0 {
					return -1
				}
				lit += n
				ip = next
			}
			fallthrough
		case entryLiterals:
			cpy := op + lit
			if cpy > oend-mfLimit || ip+lit > iend-(2+1+lastLiterals) {
				// This must be the last sequence: literals only, up to the input's end.
				if ip+lit != iend || cpy > oend {
					return -1
				}
				copy(dst[op:cpy], src[ip:iend])
				return cpy
			}
			copy(dst[op:cpy], src[ip:ip+lit])
			ip += lit
			op = cpy
			offset = int(src[ip]) | int(src[ip+1])<<8
			ip += 2
			ml = token & 15
		}
		if entry != entryMatchChecked {
			if ml == 15 {
				n, next := readLength(src, ip, iend-4, false)
				if n < 0 {
					return -1
				}
				ml += n
				ip = next
			}
			ml += minMatch
		}
		if offset > op {
			return -1
		}
		cpy := op + ml
		if cpy > oend-lastLiterals {
			return -1
		}
		copyMatch(dst, op, offset, ml)
		op = cpy
		entry = entryToken
	}
}

// Entry points of decodeBlock's careful loop.
const (
	entryToken        = iota // read the next token
	entryLiterals            // token, literal length and ip known; copy the literals
	entryMatchChecked        // offset and full match length known; copy the match
)

// readLength reads a length's extension bytes from src[ip:] (each 255 means another follows) and
// returns their sum and the position after them, or -1 if they run past limit as liblz4 sees
// it: with initial set, no byte may start at or after limit; and no byte may end after it.
func readLength(src []byte, ip, limit int, initial bool) (int, int) {
	if initial && ip >= limit {
		return -1, 0
	}
	n := 0
	for {
		if ip >= len(src) {
			return -1, 0
		}
		s := int(src[ip])
		ip++
		n += s
		if ip > limit {
			return -1, 0
		}
		if s != 255 {
			return n, ip
		}
	}
}

// copyMatch writes the ml bytes of a match at distance offset to dst[op:], with LZ77 semantics
// (an offset below ml repeats the last offset bytes) and liblz4's for offset 0 (zeros). It
// writes nothing past op+ml.
func copyMatch(dst []byte, op, offset, ml int) {
	end := op + ml
	switch {
	case offset >= ml:
		copy(dst[op:end], dst[op-offset:])
	case offset == 0:
		clear(dst[op:end])
	default:
		// The output is periodic from op-offset on: copy whole periods, doubling each time,
		// so no copy overlaps its own source.
		from := op - offset
		for p := op; p < end; {
			p += copy(dst[p:end], dst[from:p])
		}
	}
}

// copyMatchRoomy is copyMatch for the fast loop, which has fastRoom bytes of room after the
// match and may write up to 15 bytes past its end. With an offset of 16 or more, 16-byte chunks
// read only bytes already final; with 8 to 15, 8-byte chunks do. The chunks go through unsafe
// pointers after one explicit check that the whole span, overrun included, lies in dst.
func copyMatchRoomy(dst []byte, op, offset, ml int) {
	from := op - offset
	if offset >= 8 && from >= 0 && op+ml+16 <= len(dst) {
		p := unsafe.Pointer(unsafe.SliceData(dst))
		if offset >= 16 {
			for i := 0; i < ml; i += 16 {
				*(*[16]byte)(unsafe.Add(p, op+i)) = *(*[16]byte)(unsafe.Add(p, from+i))
			}
			return
		}
		for i := 0; i < ml; i += 8 {
			*(*[8]byte)(unsafe.Add(p, op+i)) = *(*[8]byte)(unsafe.Add(p, from+i))
		}
		return
	}
	copyMatch(dst, op, offset, ml)
}
