package lz4x

import (
	"encoding/binary"
	"unsafe"
)

// lazySequence writes the literals buf[anchor:start] and a match of ml bytes at offset, as
// seqWriter.sequence does, but for the short literal runs that the lazy parser mostly writes it
// copies them eight bytes at a time, possibly past their end (the bytes beyond are overwritten
// by what follows, or lie past the block's end and are never part of it). It falls back to
// sequence when dst or buf lacks the room for that.
func (w *seqWriter) lazySequence(buf []byte, anchor, start, offset, ml int) {
	lit, m := start-anchor, ml-minMatch
	// Room for at most 32 literals: token, a literal length byte, the literals and 8 bytes
	// copied past them, offset, match length bytes (m/255+1 of them, and m>>7 >= m/255).
	if lit > 32 || !w.ok || 1+1+32+8+2+m>>7+1 > len(w.dst)-w.pos || start+8 > len(buf) {
		w.sequence(buf[anchor:start], offset, ml)
		return
	}
	dp := unsafe.Pointer(unsafe.SliceData(w.dst))
	sp := unsafe.Pointer(unsafe.SliceData(buf))
	op := w.pos + 1
	tok := byte(lit) << 4
	if lit >= 15 {
		tok = 0xF0
		*(*byte)(unsafe.Add(dp, op)) = byte(lit - 15) // lit <= 32: one length byte
		op++
	}
	for i := 0; i < lit; i += 8 {
		binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(dp, op+i))[:], loadPtr64(sp, anchor+i))
	}
	op += lit
	binary.LittleEndian.PutUint16((*[2]byte)(unsafe.Add(dp, op))[:], uint16(offset))
	op += 2
	if m >= 15 {
		tok |= 15
		for m -= 15; m >= 255; m -= 255 {
			*(*byte)(unsafe.Add(dp, op)) = 255
			op++
		}
		*(*byte)(unsafe.Add(dp, op)) = byte(m)
		op++
	} else {
		tok |= byte(m)
	}
	*(*byte)(unsafe.Add(dp, w.pos)) = tok
	w.pos = op
}
