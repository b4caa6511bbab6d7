package lz4x

import (
	"encoding/binary"
	"math/bits"
)

// xxHash32 (seed 0) is the checksum the LZ4 frame format uses for its descriptor, blocks and
// content. pierrec/lz4 keeps its implementation internal, so the frame code here has its own.

const (
	xxPrime1 uint32 = 2654435761
	xxPrime2 uint32 = 2246822519
	xxPrime3 uint32 = 3266489917
	xxPrime4 uint32 = 668265263
	xxPrime5 uint32 = 374761393
)

// xxh32 is a streaming xxHash32 state with seed 0. The zero value is not ready: use newXXH32.
type xxh32 struct {
	v     [4]uint32 // the four lanes
	total uint64
	buf   [16]byte
	nbuf  int
}

func newXXH32() xxh32 {
	p1 := xxPrime1 // a variable, so the seed arithmetic wraps as the algorithm requires
	return xxh32{v: [4]uint32{p1 + xxPrime2, xxPrime2, 0, -p1}}
}

func xxRound(acc, lane uint32) uint32 {
	return bits.RotateLeft32(acc+lane*xxPrime2, 13) * xxPrime1
}

// Write absorbs p; it never fails and never retains p.
func (x *xxh32) Write(p []byte) {
	x.total += uint64(len(p))
	if x.nbuf > 0 {
		n := copy(x.buf[x.nbuf:], p)
		x.nbuf += n
		p = p[n:]
		if x.nbuf < len(x.buf) {
			return
		}
		x.stripes(x.buf[:])
		x.nbuf = 0
	}
	full := len(p) &^ 15
	if full > 0 {
		x.stripes(p[:full])
	}
	x.nbuf = copy(x.buf[:], p[full:])
}

// stripes consumes p, whose length is a multiple of 16. The four lanes are kept in locals so the
// loop runs from registers; they are independent, which lets the CPU overlap their multiplies.
func (x *xxh32) stripes(p []byte) {
	if len(p) >= 16 && asmOn.Load() {
		xxhStripesAsm(&x.v, &p[0], len(p)&^15)
		return
	}
	v1, v2, v3, v4 := x.v[0], x.v[1], x.v[2], x.v[3]
	for len(p) >= 16 {
		v1 = xxRound(v1, binary.LittleEndian.Uint32(p[0:]))
		v2 = xxRound(v2, binary.LittleEndian.Uint32(p[4:]))
		v3 = xxRound(v3, binary.LittleEndian.Uint32(p[8:]))
		v4 = xxRound(v4, binary.LittleEndian.Uint32(p[12:]))
		p = p[16:]
	}
	x.v = [4]uint32{v1, v2, v3, v4}
}

// WriteCopy absorbs p like Write and copies it into dst (len(dst) >= len(p)) in the same pass.
// xxHash32 is bound by multiply latency, leaving the CPU idle slots that absorb the stores, so
// stored blocks are copied and checksummed for little more than the checksum alone.
func (x *xxh32) WriteCopy(dst, p []byte) {
	dst = dst[:len(p)]
	if x.nbuf > 0 {
		n := min(len(p), len(x.buf)-x.nbuf)
		copy(dst, p[:n])
		x.Write(p[:n])
		p, dst = p[n:], dst[n:]
	}
	full := len(p) &^ 15
	if full > 0 {
		x.total += uint64(full)
		x.stripesCopy(dst[:full], p[:full])
	}
	copy(dst[full:], p[full:])
	x.Write(p[full:])
}

// stripesCopy is stripes that also copies p to dst; len(dst) == len(p), a multiple of 16.
func (x *xxh32) stripesCopy(dst, p []byte) {
	if len(p) >= 16 && len(dst) >= len(p) && asmOn.Load() {
		xxhStripesCopyAsm(&x.v, &dst[0], &p[0], len(p)&^15)
		return
	}
	v1, v2, v3, v4 := x.v[0], x.v[1], x.v[2], x.v[3]
	for len(p) >= 16 && len(dst) >= 16 {
		a := binary.LittleEndian.Uint64(p)
		b := binary.LittleEndian.Uint64(p[8:])
		binary.LittleEndian.PutUint64(dst, a)
		binary.LittleEndian.PutUint64(dst[8:], b)
		v1 = xxRound(v1, uint32(a))
		v2 = xxRound(v2, uint32(a>>32))
		v3 = xxRound(v3, uint32(b))
		v4 = xxRound(v4, uint32(b>>32))
		p, dst = p[16:], dst[16:]
	}
	x.v = [4]uint32{v1, v2, v3, v4}
}

// Sum32 returns the digest of everything written so far; the state is not modified.
func (x *xxh32) Sum32() uint32 {
	var h uint32
	if x.total >= 16 {
		h = bits.RotateLeft32(x.v[0], 1) + bits.RotateLeft32(x.v[1], 7) +
			bits.RotateLeft32(x.v[2], 12) + bits.RotateLeft32(x.v[3], 18)
	} else {
		h = xxPrime5
	}
	h += uint32(x.total)
	p := x.buf[:x.nbuf]
	for ; len(p) >= 4; p = p[4:] {
		h += binary.LittleEndian.Uint32(p) * xxPrime3
		h = bits.RotateLeft32(h, 17) * xxPrime4
	}
	for _, b := range p {
		h += uint32(b) * xxPrime5
		h = bits.RotateLeft32(h, 11) * xxPrime1
	}
	h ^= h >> 15
	h *= xxPrime2
	h ^= h >> 13
	h *= xxPrime3
	h ^= h >> 16
	return h
}

// xxh32Sum returns the xxHash32 (seed 0) of p.
func xxh32Sum(p []byte) uint32 {
	x := newXXH32()
	x.Write(p)
	return x.Sum32()
}
