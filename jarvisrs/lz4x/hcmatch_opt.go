package lz4x

import "unsafe"

// The search of liblz4's optimal parser, which walks one hash chain with two shortcuts. A
// candidate that matches further than the best so far moves the walk to the chain, through one of
// its positions, that reaches furthest back (positions looked at more sparsely as the match gets
// longer, and not at all if the match overlaps ip); and where ip starts a run of one byte value,
// the walk jumps over the runs it meets instead of spending an attempt on each of their bytes
// (every chain link in a run is 1). hcMatcher searches this way where ip starts a run (levels 10
// and 11, hcMatcher.runs): at depths 96 and 512 a byte-by-byte walk through a run of a few
// thousand bytes spends every attempt there and misses the matches beyond. On liblz4's tables
// (a 15-bit hash, lazyMatcher's) this search at every position gives liblz4 1.9.4's level 10 and
// 11 blocks byte for byte, but per core it is then no faster than liblz4 (see level.go).

// chainWalk is one search's state: the tables it walks and what it looks for.
type chainWalk struct {
	bp     unsafe.Pointer // the buffer
	chain  *[hcWindow]uint16
	low    int // no position below low is referenced
	lowest int // the lowest candidate in reach
	ip     int
	limit  int
	// pattern is ip's first 4 bytes; runLen the length of the run of one byte value at ip, 0
	// if ip does not start one.
	pattern uint32
	runLen  int
}

// isRun reports whether the 4 bytes of pattern are one byte value.
func isRun(pattern uint32) bool {
	return pattern&0xFFFF == pattern>>16 && pattern&0xFF == pattern>>24
}

// search walks the chain from candidate c for at most attempts candidates and returns the
// longest match longer than longest (0, 0 if none). longest < limit-ip.
func (w *chainWalk) search(c, longest, attempts int) (ml, offset int) {
	bp, chain, ip, limit, lowest, pattern := w.bp, w.chain, w.ip, w.limit, w.lowest, w.pattern
	// shift is the position inside the candidate whose chain the walk follows.
	shift := 0
	// A candidate can only be longer if it agrees with ip over its first 4 bytes and the 4
	// ending one past the best length (liblz4 checks the last 2 of those: a candidate that
	// passes its check but not this one matches for fewer bytes, and then plays no part, as
	// longest < limit-ip). While longest < limit-ip those bytes lie below limit on both sides.
	tail := loadPtr32(bp, ip+longest-3)
	for {
		if w.runLen == 0 {
			c, attempts = skipToLonger(bp, chain, c, shift, lowest, attempts, longest, tail, pattern)
		}
		if attempts <= 0 || c < lowest {
			break
		}
		attempts--
		if loadPtr32(bp, c+longest-3) == tail && loadPtr32(bp, c) == pattern {
			if n := minMatch + matchLenPtr(bp, c+minMatch, ip+minMatch, limit); n > longest {
				longest, offset = n, ip-c
				if longest >= limit-ip {
					break
				}
				tail = loadPtr32(bp, ip+longest-3)
				if c+longest <= ip {
					// Move to the chain through the candidate's position that skips
					// furthest back; after every 16 positions without a better one, the
					// step grows by one.
					dist, step, accel := 1, 1, 16
					for pos := 0; pos <= longest-minMatch; pos += step {
						d := int(chain[uint16(c+pos)])
						step = accel >> 4
						accel++
						if d > dist {
							dist, shift, accel = d, pos, 16
						}
					}
					if dist > 1 {
						c -= dist
						continue
					}
				}
			}
		}
		if w.runLen > 0 && shift == 0 && chain[uint16(c)] == 1 {
			if next, n, off, ok := w.acrossRun(c-1, longest); ok {
				c = next
				if n > longest {
					longest, offset = n, off
					if longest >= limit-ip {
						break
					}
					tail = loadPtr32(bp, ip+longest-3)
				}
				continue
			}
		}
		c -= int(chain[uint16(c+shift)])
	}
	if offset == 0 {
		return 0, 0
	}
	return longest, offset
}

// acrossRun jumps over the run of one byte value (ip's) that candidate cand lies in, when cand
// agrees with ip over 4 bytes. If the candidate's run holds ip's whole run, the walk goes on at
// the candidate that ends its run where ip's ends (so that what follows may match too);
// otherwise at the start of the candidate's run (not below lowest), which matches the shorter
// of the two runs: that match is returned if it is longer than longest, and the walk goes on
// from its chain link. ok is false when cand does not qualify (the walk then follows the chain).
func (w *chainWalk) acrossRun(cand, longest int) (next, n, off int, ok bool) {
	if cand < w.lowest || loadPtr32(w.bp, cand) != w.pattern {
		return 0, 0, 0, false
	}
	v := byte(w.pattern)
	fwd := minMatch + runForward(w.bp, cand+minMatch, w.limit, v)
	behind := cand - max(cand-runBackward(w.bp, cand, w.low, v), w.lowest)
	seg := behind + fwd
	if seg >= w.runLen && fwd <= w.runLen {
		return cand + fwd - w.runLen, 0, 0, true
	}
	next = cand - behind
	if l := min(seg, w.runLen); l > longest {
		if w.ip-next > maxOffset {
			return w.lowest - 1, 0, 0, true
		}
		n, off = l, w.ip-next
	}
	return next - int(w.chain[uint16(next)]), n, off, true
}

// skipToLonger follows the chain from candidate c (its link read at c+shift) past every
// candidate that does not agree with ip over its first 4 bytes (pattern) and the 4 ending one
// past longest (tail), spending an attempt on each. It returns the candidate reached and the
// attempts left: the candidate is one to examine unless attempts is 0 or it lies below lowest. It
// is not inlined, so that its loop keeps everything in registers.
//
//go:noinline
func skipToLonger(bp unsafe.Pointer, chain *[hcWindow]uint16, c, shift, lowest, attempts, longest int, tail, pattern uint32) (int, int) {
	for ; attempts > 0; attempts-- {
		if c < lowest || loadPtr32(bp, c+longest-3) == tail && loadPtr32(bp, c) == pattern {
			break
		}
		c -= int(chain[uint16(c+shift)])
	}
	return c, attempts
}
