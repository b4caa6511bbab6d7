package quant

import (
	"fmt"
	"math"
	"math/bits"
)

// layout is a C-contiguous tensor of n elements viewed as [outer][channels][inner]. INT4
// reuses it with outer = 1, one "channel" per group and inner = the group size, where the last
// group may be short: n <= outer*channels*inner, and positions at or past n do not exist.
type layout struct{ n, outer, channels, inner int }

// elementCount is outer*channels*inner, or ErrShape for a negative dimension or a product
// beyond the int range.
func elementCount(outer, channels, inner int) (int, error) {
	if outer < 0 || channels < 0 || inner < 0 {
		return 0, fmt.Errorf("negative dimension in [%d][%d][%d]: %w", outer, channels, inner, ErrShape)
	}
	hi, oc := bits.Mul64(uint64(outer), uint64(channels))
	hi2, total := bits.Mul64(oc, uint64(inner))
	if hi != 0 || hi2 != 0 || total > math.MaxInt {
		return 0, fmt.Errorf("[%d][%d][%d] overflows: %w", outer, channels, inner, ErrShape)
	}
	return int(total), nil
}

// newLayout checks that outer*channels*inner is exactly n and normalizes the view so that a
// single channel is one flat run.
func newLayout(n, outer, channels, inner int) (layout, error) {
	total, err := elementCount(outer, channels, inner)
	if err != nil {
		return layout{}, err
	}
	if total != n {
		return layout{}, fmt.Errorf("[%d][%d][%d] does not hold %d elements: %w", outer, channels, inner, n, ErrShape)
	}
	if channels == 1 {
		return layout{n: n, outer: 1, channels: 1, inner: n}, nil
	}
	return layout{n: n, outer: outer, channels: channels, inner: inner}, nil
}

// columns reports whether channels are the last axis, so a run of elements crosses channels
// and the *Columns kernels apply.
func (l layout) columns() bool { return l.inner == 1 && l.channels > 1 }

// spanner consumes the runs layout.split produces.
type spanner interface {
	// span handles elements [p, e) whose first element belongs to channel c. With inner > 1 (or
	// a single channel) every element of the run is in channel c. With channels as the last
	// axis the run is either part of one row (channels c, c+1, ..., c+e-p-1) or, when c == 0
	// and e-p >= channels, whole rows; either way it covers columns [c, c+min(e-p, channels)).
	span(c, p, e int)
}

// split cuts the element range [lo, hi) (hi <= l.n) into the runs span expects, in order.
func split[S spanner](l layout, lo, hi int, s S) {
	if lo >= hi {
		return
	}
	if l.columns() {
		ch := l.channels
		p := lo
		if c := p % ch; c != 0 {
			e := min(hi, p+ch-c)
			s.span(c, p, e)
			p = e
		}
		if full := p + (hi-p)/ch*ch; full > p {
			s.span(0, p, full)
			p = full
		}
		if p < hi {
			s.span(0, p, hi)
		}
		return
	}
	for p := lo; p < hi; {
		seg := p / l.inner
		e := min(hi, (seg+1)*l.inner)
		s.span(seg%l.channels, p, e)
		p = e
	}
}

// runWidth is how many columns a run [p, e) starting at column c covers (see spanner).
func (l layout) runWidth(p, e int) int { return min(e-p, l.channels) }
