package quant

import (
	"fmt"
)

// PackInt4 packs signed 4-bit codes two to a byte: codes[2i] in the low nibble of dst[i] and
// codes[2i+1] in the high nibble, two's complement; an odd count leaves the last high nibble 0.
// This is the layout of the original Python quantizer and of Int4.
//
// dst must hold at least (len(codes)+1)/2 bytes; that prefix is written. Errors: ErrRange when a
// code is outside -8..7 (the message names the first), ErrShape for a short dst.
func PackInt4(dst []uint8, codes []int8) error {
	n := len(codes)
	if len(dst) < (n+1)/2 {
		return fmt.Errorf("PackInt4: dst holds %d bytes, need %d: %w", len(dst), (n+1)/2, ErrShape)
	}
	bad := newFirstIndex()
	forChunks(n, func(lo, hi int) {
		for i, c := range codes[lo:hi] {
			if c < -8 || c > 7 {
				bad.offer(lo + i)
				return
			}
		}
		packNibbles(dst[lo/2:], codes[lo:hi])
	})
	if i := bad.get(); i >= 0 {
		return fmt.Errorf("PackInt4: code %d at index %d is outside -8..7: %w", codes[i], i, ErrRange)
	}
	return nil
}

// UnpackInt4 is the inverse of PackInt4: it writes len(dst) sign-extended codes, taking
// element 2i from the low nibble of packed[i] and element 2i+1 from its high nibble. For an
// odd count the last high nibble is ignored.
//
// packed must hold at least (len(dst)+1)/2 bytes; only that prefix is read. The only error is
// ErrShape for a short packed.
func UnpackInt4(dst []int8, packed []uint8) error {
	n := len(dst)
	if len(packed) < (n+1)/2 {
		return fmt.Errorf("UnpackInt4: packed holds %d bytes, need %d: %w", len(packed), (n+1)/2, ErrShape)
	}
	forChunks(n, func(lo, hi int) {
		out := dst[lo:hi]
		in := packed[lo/2:]
		for i := 0; i+1 < len(out); i += 2 {
			b := in[i>>1]
			out[i], out[i+1] = int8(b<<4)>>4, int8(b)>>4
		}
		if len(out)%2 == 1 {
			out[len(out)-1] = int8(in[len(out)>>1]<<4) >> 4
		}
	})
	return nil
}

// packNibbles packs codes (each already in -8..7) into dst from its start; len(codes) is even
// except possibly for the last piece of an input, whose final high nibble is left 0.
func packNibbles(dst []uint8, codes []int8) {
	n := len(codes)
	out := dst[:(n+1)/2]
	for i := 0; i+1 < n; i += 2 {
		out[i>>1] = uint8(codes[i])&0x0f | uint8(codes[i+1])<<4
	}
	if n%2 == 1 {
		out[n>>1] = uint8(codes[n-1]) & 0x0f
	}
}
