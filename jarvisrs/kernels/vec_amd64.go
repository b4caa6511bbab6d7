//go:build amd64 && !purego

package kernels

import (
	"math"

	"golang.org/x/sys/cpu"
)

// hasSIMD gates every assembly kernel: they use AVX2 and, for float16, F16C. x/sys/cpu only
// reports AVX2 when the OS saves the YMM registers.
var hasSIMD = cpu.X86.HasAVX2 && cpu.X86.HasF16C

// The assembly kernels need at least vecMin elements (one full vector): they finish a slice
// with a block that overlaps the previous one instead of a scalar tail.
const vecMin = 8

//go:noescape
func quantAVX2(dst *int8, src *float32, n int, sub, scale, add, lo, hi float32)

//go:noescape
func quantColsAVX2(dst *int8, src *float32, scales *float32, zps *int8, rows, p int, lo, hi float32)

//go:noescape
func minMaxColsAVX2(lo, hi *float32, src *float32, rows, p int)

//go:noescape
func absMaxColsAVX2(acc *float32, src *float32, rows, p int)

//go:noescape
func absMaxAVX2(src *float32, n int) float32

//go:noescape
func minMaxKeysAVX2(src *float32, n int) (kmin, kmax int32)

//go:noescape
func minMaxAVX2(src *float32, n int, lanes *[32]float32)

//go:noescape
func firstNonFiniteAVX2(src *float32, n int) int

//go:noescape
func f32ToF16AVX2(dst *uint16, src *float32, n int) int

//go:noescape
func f16ToF32AVX2(dst *float32, src *uint16, n int) int

// quantVec computes clamp(roundHalfAway((x-sub)/scale) + add, lo, hi) with a NaN going to lo,
// for the whole of src, and reports whether it did (false: too short, use the scalar code).
// len(dst) == len(src).
func quantVec(dst []int8, src []float32, sub, scale, add, lo, hi float32) bool {
	if len(src) < vecMin {
		return false
	}
	quantAVX2(&dst[0], &src[0], len(src), sub, scale, add, lo, hi)
	return true
}

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
		quantColsAVX2(&dst[0], &src[0], &scales[0], firstOrNil(zps), len(src)/cols, cols, lo, hi)
		return true
	}
	var tiled [2 * colsPeriod]float32
	var tiledZps [2 * colsPeriod]int8
	p := tile(tiled[:], scales)
	zp := tileInt8(tiledZps[:p], zps)
	full := len(src) / p * p
	if full > 0 {
		quantColsAVX2(&dst[0], &src[0], &tiled[0], zp, full/p, p, lo, hi)
	}
	// The rest is a whole number of rows, shorter than p: one more, shorter, tiled row.
	if rest := len(src) - full; rest >= vecMin {
		quantColsAVX2(&dst[full], &src[full], &tiled[0], zp, 1, rest, lo, hi)
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
		minMaxColsAVX2(&lo[0], &hi[0], &src[0], len(src)/cols, cols)
		return true
	}
	var tlo, thi [2 * colsPeriod]float32
	p := tile(tlo[:], lo)
	tile(thi[:], hi)
	full := len(src) / p * p
	if full > 0 {
		minMaxColsAVX2(&tlo[0], &thi[0], &src[0], full/p, p)
	}
	rest := len(src) - full
	if rest >= vecMin {
		minMaxColsAVX2(&tlo[0], &thi[0], &src[full], 1, rest)
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
		absMaxColsAVX2(&acc[0], &src[0], len(src)/cols, cols)
		return true
	}
	var tiled [2 * colsPeriod]float32
	p := tile(tiled[:], acc)
	full := len(src) / p * p
	if full > 0 {
		absMaxColsAVX2(&tiled[0], &src[0], full/p, p)
	}
	rest := len(src) - full
	if rest >= vecMin {
		absMaxColsAVX2(&tiled[0], &src[full], 1, rest)
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

func absMaxVec(src []float32) (m float32, n int) {
	if len(src) < vecMin {
		return 0, 0
	}
	return absMaxAVX2(&src[0], len(src)), len(src)
}

// The keys of ±Inf in minMaxKeysAVX2's order; a NaN's key lies outside them.
const (
	keyNegInf = -0x7f800001 // int32(0xff800000 ^ 0x7fffffff)
	keyPosInf = 0x7f800000
)

func minMaxVec(src []float32) (min, max float32, n int) {
	if len(src) < vecMin {
		return 0, 0, 0
	}
	kmin, kmax := minMaxKeysAVX2(&src[0], len(src))
	if kmin >= keyNegInf && kmax <= keyPosInf {
		return fromKey(kmin), fromKey(kmax), len(src)
	}
	var lanes [32]float32
	minMaxAVX2(&src[0], len(src), &lanes)
	min, max = lanes[0], lanes[16]
	for i := 1; i < 16; i++ {
		min, max = minStep(min, lanes[i]), maxStep(max, lanes[16+i])
	}
	return min, max, len(src)
}

// fromKey inverts minMaxKeysAVX2's key: flipping the magnitude bits of a negative is its own
// inverse.
func fromKey(k int32) float32 {
	return math.Float32frombits(uint32(k) ^ uint32(k>>31)&0x7fffffff)
}

func firstNonFiniteVec(src []float32) (index, done int) {
	if len(src) < vecMin {
		return -1, 0
	}
	i := firstNonFiniteAVX2(&src[0], len(src))
	if i == len(src) {
		return -1, i
	}
	if j := firstNonFiniteScalar(src[i:]); j >= 0 {
		return i + j, i
	}
	return -1, len(src) // unreachable: the block at i holds one
}

// f32ToF16Vec converts what it can with F16C and hands each block holding a NaN to the
// scalar code (numpy keeps signalling NaNs, F16C does not). Returns the count done, which is
// len(src) unless len(src) < vecMin.
func f32ToF16Vec(dst []uint16, src []float32) int {
	i := 0
	for len(src)-i >= vecMin {
		i += f32ToF16AVX2(&dst[i], &src[i], len(src)-i)
		if i < len(src) {
			end := min(i+vecMin, len(src))
			f32ToF16Scalar(dst[i:end], src[i:end])
			i = end
		}
	}
	return i
}

// f16ToF32Vec is f32ToF16Vec's mirror: F16C's VCVTPH2PS quietens signalling NaNs.
func f16ToF32Vec(dst []float32, src []uint16) int {
	i := 0
	for len(src)-i >= vecMin {
		i += f16ToF32AVX2(&dst[i], &src[i], len(src)-i)
		if i < len(src) {
			end := min(i+vecMin, len(src))
			f16ToF32Scalar(dst[i:end], src[i:end])
			i = end
		}
	}
	return i
}
