package quant

import (
	"fmt"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// Int4 quantizes src in groups of groupSize consecutive elements (the last group may be short)
// to packed signed 4-bit codes:
//
//	scale = max|x| / 7 over the group,  q = clamp(round(x / scale), -8, 7)
//
// in float32 with a true division; a group whose scale is 0 gets codes 0. Codes are packed as
// PackInt4 does: element 2i in the low nibble of dst[i], element 2i+1 in the high nibble, two's
// complement, and an odd count leaves the last high nibble 0. Any groupSize >= 1 works; with an
// odd one a byte may hold codes of two groups.
//
// dst must hold at least (len(src)+1)/2 bytes and scales at least ceil(len(src)/groupSize)
// entries; those prefixes are written. Errors: a *NonFiniteError (ErrNonFinite) for the first
// NaN or ±Inf of src, ErrShape for groupSize < 1 or a short output.
func Int4(dst []uint8, scales []float32, src []float32, groupSize int) error {
	n := len(src)
	groups, err := int4Groups("Int4", n, groupSize, len(scales))
	if err != nil {
		return err
	}
	if len(dst) < (n+1)/2 {
		return fmt.Errorf("Int4: dst holds %d bytes, need %d: %w", len(dst), (n+1)/2, ErrShape)
	}
	scales = scales[:groups]
	if n == 0 {
		return nil
	}
	if groupSize > ChunkLen {
		return int4LargeGroups(dst, scales, src, groupSize)
	}
	// Each work item owns whole groups, so it finds their scales and writes their codes in one
	// visit while the values are still in cache. An item starts on an even element (a byte of
	// dst): with an odd group size it holds an even number of groups.
	perItem := ChunkLen / groupSize
	if groupSize%2 == 1 {
		perItem = max(2, perItem&^1)
	}
	items := (groups + perItem - 1) / perItem
	bad := newFirstIndex()
	run(workersFor(items), items, func(_, item int) {
		g0 := item * perItem
		g1 := min(g0+perItem, groups)
		lo, hi := g0*groupSize, min(n, g1*groupSize)
		if i := kernels.FirstNonFinite(src[lo:hi]); i >= 0 {
			bad.offer(lo + i)
			return
		}
		for g := g0; g < g1; g++ {
			scales[g] = kernels.AbsMax(src[g*groupSize:min(n, (g+1)*groupSize)]) / 7
		}
		int4Codes(dst, scales, src, groupSize, lo, hi)
	})
	if i := bad.get(); i >= 0 {
		return &NonFiniteError{Index: i, Value: src[i]}
	}
	return nil
}

// int4LargeGroups is Int4 for groups longer than a work item: the scales come from a parallel
// pass over all groups, then the codes from a second one.
func int4LargeGroups(dst []uint8, scales []float32, src []float32, groupSize int) error {
	n := len(src)
	l := layout{n: n, outer: 1, channels: len(scales), inner: groupSize}
	if err := absMaxPerChannel(src, l, scales); err != nil {
		return err
	}
	for g, m := range scales {
		scales[g] = m / 7
	}
	// ChunkLen is even, so every chunk starts on a byte of dst.
	forChunks(n, func(lo, hi int) { int4Codes(dst, scales, src, groupSize, lo, hi) })
	return nil
}

// int4Codes quantizes and packs elements [lo, hi) (lo even) with the groups' scales.
func int4Codes(dst []uint8, scales []float32, src []float32, groupSize, lo, hi int) {
	var codes [4096]int8 // even, so each piece starts on a byte too
	for a := lo; a < hi; a += len(codes) {
		b := min(a+len(codes), hi)
		for p := a; p < b; {
			g := p / groupSize
			e := min(b, (g+1)*groupSize)
			if s := scales[g]; s != 0 {
				kernels.SymInt8(codes[p-a:e-a], src[p:e], s, -8, 7)
			} else {
				clear(codes[p-a : e-a])
			}
			p = e
		}
		packNibbles(dst[a/2:], codes[:b-a])
	}
}

// int4Groups checks groupSize and the scales length for n elements and returns the number of
// groups.
func int4Groups(fn string, n, groupSize, nScales int) (int, error) {
	if groupSize < 1 {
		return 0, fmt.Errorf("%s: group size %d is below 1: %w", fn, groupSize, ErrShape)
	}
	groups := n / groupSize
	if n%groupSize != 0 {
		groups++
	}
	if nScales < groups {
		return 0, fmt.Errorf("%s: scales holds %d entries, need %d: %w", fn, nScales, groups, ErrShape)
	}
	return groups, nil
}

// DequantizeInt4 is the inverse of Int4: dst[i] = q_i * scales[i/groupSize] in float32, where
// q_i is the signed nibble of element i in packed (see PackInt4). len(dst) is the element
// count.
//
// packed must hold at least (len(dst)+1)/2 bytes and scales at least ceil(len(dst)/groupSize)
// entries; only those prefixes are read, and dst is written whole. Errors: a *NonFiniteError
// (ErrNonFinite) for the first NaN or ±Inf in scales (Index counts scales), ErrShape for
// groupSize < 1 or a short input.
func DequantizeInt4(dst []float32, packed []uint8, scales []float32, groupSize int) error {
	n := len(dst)
	groups, err := int4Groups("DequantizeInt4", n, groupSize, len(scales))
	if err != nil {
		return err
	}
	if len(packed) < (n+1)/2 {
		return fmt.Errorf("DequantizeInt4: packed holds %d bytes, need %d: %w", len(packed), (n+1)/2, ErrShape)
	}
	scales = scales[:groups]
	if i := kernels.FirstNonFinite(scales); i >= 0 {
		return &NonFiniteError{Index: i, Value: scales[i]}
	}
	if n == 0 {
		return nil
	}
	if groupSize > ChunkLen {
		// Chunks cut groups: each chunk is runs of one scale, the first from the middle of a
		// group, maybe at an odd element (the high nibble of a byte), done on its own.
		forChunks(n, func(lo, hi int) {
			for p := lo; p < hi; {
				g := p / groupSize
				e := min(hi, (g+1)*groupSize)
				if p%2 == 1 {
					dst[p] = float32(int8(packed[p/2])>>4) * scales[g]
					p++
				}
				if p < e {
					kernels.DequantInt4(dst[p:e], packed[p/2:], scales[g:g+1], e-p)
				}
				p = e
			}
		})
		return nil
	}
	// Work items of whole groups starting on a byte, as in Int4.
	perItem := ChunkLen / groupSize
	if groupSize%2 == 1 {
		perItem = max(2, perItem&^1)
	}
	items := (groups + perItem - 1) / perItem
	run(workersFor(items), items, func(_, item int) {
		g0 := item * perItem
		g1 := min(g0+perItem, groups)
		lo, hi := g0*groupSize, min(n, g1*groupSize)
		kernels.DequantInt4(dst[lo:hi], packed[lo/2:], scales[g0:g1], groupSize)
	})
	return nil
}
