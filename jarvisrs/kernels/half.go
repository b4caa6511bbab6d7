package kernels

import "math"

// F32ToF16 converts each float32 of src to IEEE binary16 bits in dst, exactly as numpy's
// astype(float16): round to nearest even, half subnormals, ±Inf for values that round past
// 65504, signed zeros kept. A NaN stays a NaN with its sign and the top ten bits of its
// payload; when those bits are all zero the lowest bit is set so the result is not Inf. Like
// numpy (and unlike F16C's VCVTPS2PH) a signalling NaN is not quietened.
//
// len(dst) must be at least len(src) (it panics otherwise); dst[:len(src)] is written, neither
// slice is retained. Safe for concurrent use on disjoint dst.
func F32ToF16(dst []uint16, src []float32) {
	if len(dst) < len(src) {
		panic("kernels: F32ToF16: dst shorter than src")
	}
	dst = dst[:len(src)]
	if useSIMD() {
		n := f32ToF16Vec(dst, src)
		dst, src = dst[n:], src[n:]
	}
	f32ToF16Scalar(dst, src)
}

// F16ToF32 converts IEEE binary16 bits to float32, exactly (every half is a float32): signed
// zeros and subnormals kept, NaN payloads moved to the top of the float32 payload unchanged,
// as numpy's astype(float32) does.
//
// len(dst) must be at least len(src) (it panics otherwise); dst[:len(src)] is written, neither
// slice is retained. Safe for concurrent use on disjoint dst.
func F16ToF32(dst []float32, src []uint16) {
	if len(dst) < len(src) {
		panic("kernels: F16ToF32: dst shorter than src")
	}
	dst = dst[:len(src)]
	if useSIMD() {
		n := f16ToF32Vec(dst, src)
		dst, src = dst[n:], src[n:]
	}
	f16ToF32Scalar(dst, src)
}

func f32ToF16Scalar(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, f := range src {
		dst[i] = f32ToF16One(f)
	}
}

func f32ToF16One(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	man := b & 0x7fffff
	if exp == 0xff {
		if man == 0 {
			return sign | 0x7c00
		}
		payload := uint16(man >> 13)
		if payload == 0 {
			payload = 1
		}
		return sign | 0x7c00 | payload
	}
	he := exp - 127 + 15 // the exponent field the value would have as a half
	if he >= 0x1f {
		return sign | 0x7c00
	}
	if he <= 0 {
		// Half subnormal: count in units of 2^-24. Below 2^-25 everything rounds to zero,
		// and float32 subnormals (exp 0) are far below it.
		if he < -10 {
			return sign
		}
		m := man | 0x800000
		shift := uint32(14 - he)
		q := m >> shift
		rem := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && q&1 == 1) {
			q++
		}
		return sign | uint16(q)
	}
	q := uint32(he)<<10 | man>>13
	rem := man & 0x1fff
	// A carry out of the mantissa bumps the exponent, up to 0x7c00 (Inf): the right answer.
	if rem > 0x1000 || (rem == 0x1000 && q&1 == 1) {
		q++
	}
	return sign | uint16(q)
}

func f16ToF32Scalar(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = f16ToF32One(h)
	}
}

func f16ToF32One(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	man := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp == 0:
		if man == 0 {
			return math.Float32frombits(sign)
		}
		e := uint32(113) // float32 exponent of 2^-14, the top half subnormal binade
		for man&0x400 == 0 {
			man <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (man&0x3ff)<<13)
	default:
		return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
	}
}
