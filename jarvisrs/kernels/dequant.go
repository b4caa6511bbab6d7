package kernels

// DequantInt8 writes the float values of INT8 codes with one scale and zero point:
//
//	dst[i] = float32(int32(codes[i]) - zp) * scale
//
// an integer difference (wrapping like Go's int32 arithmetic, which only matters for |zp|
// near 2^31), its conversion to float32 (exact below 2^24) and one float32 multiplication.
// Symmetric codes use zp = 0. Any scale gives a defined result (NaN and ±Inf propagate as
// in the multiplication).
//
// len(dst) must be at least len(codes) (it panics otherwise); dst[:len(codes)] is written,
// neither slice is retained. Safe for concurrent use on disjoint dst.
func DequantInt8(dst []float32, codes []int8, scale float32, zp int32) {
	if len(dst) < len(codes) {
		panic("kernels: DequantInt8: dst shorter than codes")
	}
	dst = dst[:len(codes)]
	if useSIMD() && dequantInt8Vec(dst, codes, scale, zp) {
		return
	}
	for i, q := range codes {
		dst[i] = float32(int32(q)-zp) * scale
	}
}

// DequantInt8Columns is DequantInt8 per column: codes are rows of len(scales) (the last axis is
// the channel axis), and element j of each row uses scales[j] and zps[j]:
//
//	dst[i] = float32(int32(q) - int32(zps[j])) * scales[j]
//
// A nil zps means zero points 0 (symmetric codes).
//
// len(codes) must be a multiple of len(scales), len(zps) (unless nil) equal to len(scales), and
// len(dst) at least len(codes) (it panics otherwise; empty scales need empty codes).
// dst[:len(codes)] is written; nothing is retained. Safe for concurrent use on disjoint dst.
func DequantInt8Columns(dst []float32, codes []int8, scales []float32, zps []int8) {
	cols := len(scales)
	switch {
	case len(dst) < len(codes):
		panic("kernels: DequantInt8Columns: dst shorter than codes")
	case zps != nil && len(zps) != cols:
		panic("kernels: DequantInt8Columns: zps and scales differ in length")
	case cols == 0 && len(codes) != 0:
		panic("kernels: DequantInt8Columns: non-empty codes with empty scales")
	case cols != 0 && len(codes)%cols != 0:
		panic("kernels: DequantInt8Columns: len(codes) is not a multiple of len(scales)")
	}
	if cols == 0 {
		return
	}
	dst = dst[:len(codes)]
	if useSIMD() && dequantInt8ColumnsVec(dst, codes, scales, zps) {
		return
	}
	dequantInt8ColumnsScalar(dst, codes, scales, zps)
}

func dequantInt8ColumnsScalar(dst []float32, codes []int8, scales []float32, zps []int8) {
	cols := len(scales)
	for len(codes) >= cols {
		row, out := codes[:cols], dst[:cols]
		if zps == nil {
			for j, q := range row {
				out[j] = float32(int32(q)) * scales[j]
			}
		} else {
			for j, q := range row {
				out[j] = float32(int32(q)-int32(zps[j])) * scales[j]
			}
		}
		codes, dst = codes[cols:], dst[cols:]
	}
}

// DequantInt4 writes the float values of packed signed 4-bit codes in groups:
//
//	dst[k] = float32(q_k) * scales[k / groupSize]
//
// where q_k is nibble k of packed (element 2i in the low nibble of packed[i], 2i+1 in the high
// one, two's complement: -8..7), one float32 multiplication.
//
// groupSize must be at least 1, packed hold at least (len(dst)+1)/2 bytes and scales at least
// ceil(len(dst)/groupSize) entries (it panics otherwise). dst is written whole, packed and
// scales only read; nothing is retained. Safe for concurrent use on disjoint dst.
func DequantInt4(dst []float32, packed []uint8, scales []float32, groupSize int) {
	n := len(dst)
	if groupSize < 1 {
		panic("kernels: DequantInt4: group size below 1")
	}
	if len(packed) < n/2+n%2 {
		panic("kernels: DequantInt4: packed too short")
	}
	if groups := n/groupSize + min(1, n%groupSize); len(scales) < groups {
		panic("kernels: DequantInt4: scales too short")
	}
	if n == 0 {
		return
	}
	if !useSIMD() {
		dequantInt4Scalar(dst, packed, scales, groupSize, 0, n)
		return
	}
	if groupSize%8 == 0 {
		// Every vector of 8 values lies in one group: the assembly walks the scales itself.
		done := dequantInt4Vec(dst, packed, scales, groupSize/8)
		dequantInt4Scalar(dst, packed, scales, groupSize, done, n)
		return
	}
	// Other group sizes: one vector run per group, from its first even element.
	for g, p := 0, 0; p < n; g++ {
		e := min(n, p+groupSize)
		s := p
		if s%2 == 1 {
			dequantInt4Scalar(dst, packed, scales, groupSize, s, s+1)
			s++
		}
		if s < e {
			done := s + dequantInt4Vec(dst[s:e], packed[s/2:], scales[g:g+1], vecOneGroup)
			dequantInt4Scalar(dst, packed, scales, groupSize, done, e)
		}
		p = e
	}
}

// vecOneGroup, as dequantInt4Vec's vectors per group, never moves to the next scale.
const vecOneGroup = 1 << 60

// dequantInt4Scalar is DequantInt4's formula for elements [lo, hi).
func dequantInt4Scalar(dst []float32, packed []uint8, scales []float32, groupSize, lo, hi int) {
	for k := lo; k < hi; {
		g := k / groupSize
		e := min(hi, (g+1)*groupSize)
		s := scales[g]
		for ; k < e; k++ {
			b := packed[k>>1]
			if k%2 == 0 {
				b <<= 4
			}
			dst[k] = float32(int8(b)>>4) * s
		}
	}
}
