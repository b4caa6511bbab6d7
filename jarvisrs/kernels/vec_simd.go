//go:build (amd64 || arm64) && !purego

package kernels

import "math"

// The Go side of the kernels whose assembly has the same contract on amd64 (AVX2, F16C) and
// arm64 (NEON): each *Asm function is declared here and written in vec_amd64.s /
// dequant_amd64.s and in vec_arm64.s, half_arm64.s and columns_arm64.s.

// The assembly kernels need at least vecMin elements (one full vector): they finish a slice
// with a block that overlaps the previous one instead of a scalar tail.
const vecMin = 8

//go:noescape
func quantColsAsm(dst *int8, src *float32, scales *float32, zps *int8, rows, p int, lo, hi float32)

//go:noescape
func minMaxColsAsm(lo, hi *float32, src *float32, rows, p int)

//go:noescape
func absMaxColsAsm(acc *float32, src *float32, rows, p int)

//go:noescape
func firstNonFiniteAsm(src *float32, n int) int

//go:noescape
func f32ToF16Asm(dst *uint16, src *float32, n int) int

//go:noescape
func f16ToF32Asm(dst *float32, src *uint16, n int) int

// colsPeriod is the shortest row the column kernels run on. Narrower rows are tiled: the
// scales (or accumulators) are repeated k times so that a "row" of k*cols elements still
// fills vectors, and the src rows are walked k at a time.
const colsPeriod = 256

// quantColumnsVec does all of SymInt8Columns (zps nil) or ZeroPointInt8Columns (len(src) a
// positive multiple of len(scales), len(dst) == len(src)) or reports false when src is too
// short to bother.
func quantColumnsVec(dst []int8, src []float32, scales []float32, zps []int8) bool {
	if len(src) < vecMin {
		return false
	}
	lo, hi := float32(-127), float32(127)
	if zps != nil {
		lo = -128
	}
	cols := len(scales)
	if cols >= colsPeriod {
		quantColsAsm(&dst[0], &src[0], &scales[0], firstOrNil(zps), len(src)/cols, cols, lo, hi)
		return true
	}
	var tiled [2 * colsPeriod]float32
	var tiledZps [2 * colsPeriod]int8
	p := tile(tiled[:], scales)
	zp := tileInt8(tiledZps[:p], zps)
	full := len(src) / p * p
	if full > 0 {
		quantColsAsm(&dst[0], &src[0], &tiled[0], zp, full/p, p, lo, hi)
	}
	// The rest is a whole number of rows, shorter than p: one more, shorter, tiled row.
	if rest := len(src) - full; rest >= vecMin {
		quantColsAsm(&dst[full], &src[full], &tiled[0], zp, 1, rest, lo, hi)
	} else if rest > 0 {
		quantColumnsScalar(dst[full:], src[full:], scales, zps)
	}
	return true
}

// minMaxColumnsVec does all of MinMaxColumns (len(src) a multiple of len(lo) > 0) or reports
// false when src is too short to bother.
func minMaxColumnsVec(lo, hi, src []float32) bool {
	if len(src) < vecMin {
		return false
	}
	cols := len(lo)
	if cols >= colsPeriod {
		minMaxColsAsm(&lo[0], &hi[0], &src[0], len(src)/cols, cols)
		return true
	}
	var tlo, thi [2 * colsPeriod]float32
	p := tile(tlo[:], lo)
	tile(thi[:], hi)
	full := len(src) / p * p
	if full > 0 {
		minMaxColsAsm(&tlo[0], &thi[0], &src[0], full/p, p)
	}
	rest := len(src) - full
	if rest >= vecMin {
		minMaxColsAsm(&tlo[0], &thi[0], &src[full], 1, rest)
		rest = 0
	}
	// Each copy is lo[j] (hi[j]) folded with some of its column's values; MinMax's order is
	// total on everything but NaN, which only a NaN start can hold (and keeps), so folding the
	// copies gives the fold over all values.
	for k := cols; k < p; k += cols {
		for j := range cols {
			tlo[j], thi[j] = minStep(tlo[j], tlo[k+j]), maxStep(thi[j], thi[k+j])
		}
	}
	copy(lo, tlo[:cols])
	copy(hi, thi[:cols])
	if rest > 0 {
		minMaxColumnsScalar(lo, hi, src[full:])
	}
	return true
}

// tileInt8 fills buf with copies of row (len(buf) a multiple of len(row)) and returns its
// first element, or nil for a nil row.
func tileInt8(buf []int8, row []int8) *int8 {
	if row == nil {
		return nil
	}
	for k := 0; k < len(buf); k += len(row) {
		copy(buf[k:], row)
	}
	return &buf[0]
}

func firstOrNil(s []int8) *int8 {
	if s == nil {
		return nil
	}
	return &s[0]
}

// absMaxColumnsVec does all of AbsMaxColumns (len(src) a multiple of len(acc) > 0) or reports
// false when src is too short to bother.
func absMaxColumnsVec(acc, src []float32) bool {
	if len(src) < vecMin {
		return false
	}
	cols := len(acc)
	if cols >= colsPeriod {
		absMaxColsAsm(&acc[0], &src[0], len(src)/cols, cols)
		return true
	}
	var tiled [2 * colsPeriod]float32
	p := tile(tiled[:], acc)
	full := len(src) / p * p
	if full > 0 {
		absMaxColsAsm(&tiled[0], &src[0], full/p, p)
	}
	rest := len(src) - full
	if rest >= vecMin {
		absMaxColsAsm(&tiled[0], &src[full], 1, rest)
		rest = 0
	}
	// Fold the copies back. Each copy is acc[j] raised by some of its column's values, so
	// the scalar rule over the copies gives the scalar rule over all values.
	for k := cols; k < p; k += cols {
		for j, a := range tiled[k : k+cols] {
			if a > tiled[j] {
				tiled[j] = a
			}
		}
	}
	copy(acc, tiled[:cols])
	if rest > 0 {
		absMaxColumnsScalar(acc, src[full:])
	}
	return true
}

// tile fills buf with whole copies of row, at least colsPeriod elements, and returns how many
// elements it used (a multiple of len(row)). len(row) < colsPeriod <= len(buf)/2.
func tile(buf []float32, row []float32) int {
	p := 0
	for p < colsPeriod {
		p += copy(buf[p:], row)
	}
	return p
}

// The keys of ±Inf in the order of minMaxKeysAVX2 and minMaxKeysNEON; a NaN's key lies
// outside them.
const (
	keyNegInf = -0x7f800001 // int32(0xff800000 ^ 0x7fffffff)
	keyPosInf = 0x7f800000
)

// fromKey inverts the key of minMaxKeysAVX2 and minMaxKeysNEON: flipping the magnitude bits
// of a negative is its own inverse.
func fromKey(k int32) float32 {
	return math.Float32frombits(uint32(k) ^ uint32(k>>31)&0x7fffffff)
}

// firstNonFiniteVec returns the index of the first NaN or ±Inf in src, or -1 and the length of
// the prefix it found finite (the caller scans the rest).
func firstNonFiniteVec(src []float32) (index, done int) {
	if len(src) < vecMin {
		return -1, 0
	}
	i := firstNonFiniteAsm(&src[0], len(src))
	if i == len(src) {
		return -1, i
	}
	if j := firstNonFiniteScalar(src[i:]); j >= 0 {
		return i + j, i
	}
	return -1, len(src) // unreachable: the block at i holds one
}

// f32ToF16Vec converts what it can with F16C or FCVTN and hands each block of 8 holding a
// signalling NaN to the scalar code (numpy keeps signalling NaNs, the hardware quietens
// them). Returns the count done, which is len(src) unless len(src) < vecMin.
func f32ToF16Vec(dst []uint16, src []float32) int {
	i := 0
	for len(src)-i >= vecMin {
		i += f32ToF16Asm(&dst[i], &src[i], len(src)-i)
		if i < len(src) {
			end := min(i+vecMin, len(src))
			f32ToF16Scalar(dst[i:end], src[i:end])
			i = end
		}
	}
	return i
}

// f16ToF32Vec is f32ToF16Vec's mirror: VCVTPH2PS and FCVTL quieten signalling NaNs too.
func f16ToF32Vec(dst []float32, src []uint16) int {
	i := 0
	for len(src)-i >= vecMin {
		i += f16ToF32Asm(&dst[i], &src[i], len(src)-i)
		if i < len(src) {
			end := min(i+vecMin, len(src))
			f16ToF32Scalar(dst[i:end], src[i:end])
			i = end
		}
	}
	return i
}

//go:noescape
func dequantI8ColsAsm(dst *float32, codes *int8, scales *float32, zps *int8, rows, p int)

// dequantInt8ColumnsVec does all of DequantInt8Columns (len(codes) a positive multiple of
// len(scales), len(dst) == len(codes)) or reports false when codes is too short. Rows
// narrower than colsPeriod are tiled as in quantColumnsVec.
func dequantInt8ColumnsVec(dst []float32, codes []int8, scales []float32, zps []int8) bool {
	if len(codes) < vecMin {
		return false
	}
	cols := len(scales)
	if cols >= colsPeriod {
		dequantI8ColsAsm(&dst[0], &codes[0], &scales[0], firstOrNil(zps), len(codes)/cols, cols)
		return true
	}
	var tiled [2 * colsPeriod]float32
	var tiledZps [2 * colsPeriod]int8
	p := tile(tiled[:], scales)
	zp := tileInt8(tiledZps[:p], zps)
	full := len(codes) / p * p
	if full > 0 {
		dequantI8ColsAsm(&dst[0], &codes[0], &tiled[0], zp, full/p, p)
	}
	if rest := len(codes) - full; rest >= vecMin {
		dequantI8ColsAsm(&dst[full], &codes[full], &tiled[0], zp, 1, rest)
	} else if rest > 0 {
		dequantInt8ColumnsScalar(dst[full:], codes[full:], scales, zps)
	}
	return true
}
