package lz4x

import "unsafe"

// The match finder of the optimal levels 10 and 11, built the way liblz4 searches for its optimal
// parser: on the lazy levels' tables (a 15-bit hash, so that candidates whose different bytes hash
// alike spend attempts as they do in liblz4), walking one chain with two shortcuts. A candidate
// that matches as far as the best so far (a new best or a tie) moves the walk to the chain, through
// one of its positions, that reaches furthest back (positions looked at more sparsely as the match
// gets longer, unless the match overlaps ip); and inside a run of one byte value the walk jumps
// over the run (acrossRun, as at level 9). At depths 96 and 512 which candidates are examined
// decides the output: these rules give liblz4 1.9.4's blocks at those levels. Level 12 keeps
// hcMatcher, whose searches at its depth find what liblz4's do.

// longer returns the longest match for buf[ip:] that is longer than minLen (at least
// minMatch-1), searching at most attempts candidates, with the match ending by limit; ml is 0 if
// there is none. Positions below ip are inserted first. limit must be at most len(buf) and
// ip+minMatch <= limit.
func (m *lazyMatcher) longer(ip, minLen, limit, attempts int) (ml, offset int) {
	m.insertUpTo(ip)
	longest := max(minLen, minMatch-1)
	if longest >= limit-ip {
		return 0, 0 // nothing can be longer
	}
	bp := unsafe.Pointer(unsafe.SliceData(m.buf))
	lowest := max(m.low, ip-maxOffset)
	pattern := loadPtr32(bp, ip)
	chain := &m.chain
	c := int(m.head[lazyHash(pattern)]) - m.base
	// shift is the position inside the candidate whose chain the walk follows; runLen the
	// length of the run of one byte value at ip, 0 if ip does not start one: only then can the
	// walk jump over runs, and otherwise every candidate that cannot be longer is skipped in a
	// tight loop.
	shift, runLen := 0, 0
	if pattern&0xFFFF == pattern>>16 && pattern&0xFF == pattern>>24 {
		runLen = minMatch + runForward(bp, ip+minMatch, limit, byte(pattern))
	}
	// A candidate can only be longer if it agrees with ip over its first 4 bytes and the 4
	// ending one past the best length (liblz4 checks the last 2 of those: a candidate that
	// passes its check but not this one matches for fewer bytes, and then plays no part, as
	// longest < limit-ip). While longest < limit-ip those bytes lie below limit on both sides.
	tail := loadPtr32(bp, ip+longest-3)
	for {
		if runLen == 0 {
			c, attempts = m.skipToLonger(bp, c, shift, lowest, attempts, longest, tail, pattern)
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
		if runLen > 0 && shift == 0 && chain[uint16(c)] == 1 {
			best := lazyMatch{start: ip, length: longest, offset: offset}
			if next, ok := m.acrossRun(bp, c-1, ip, limit, lowest, 0, runLen, byte(pattern), pattern, &best); ok {
				c = next
				if best.length > longest {
					longest, offset = best.length, best.offset
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

// skipToLonger follows the chain from candidate c (its link read at c+shift) past every candidate that does not agree with ip over its first 4 bytes
// (pattern) and the 4 ending one past longest (tail), spending an attempt on each. It returns
// the candidate reached and the attempts left: the candidate is one to examine unless attempts
// is 0 or it lies below lowest. It is not inlined, so that its loop keeps everything in
// registers.
//
//go:noinline
func (m *lazyMatcher) skipToLonger(bp unsafe.Pointer, c, shift, lowest, attempts, longest int, tail, pattern uint32) (int, int) {
	chain := &m.chain
	for ; attempts > 0; attempts-- {
		if c < lowest || loadPtr32(bp, c+longest-3) == tail && loadPtr32(bp, c) == pattern {
			break
		}
		c -= int(chain[uint16(c+shift)])
	}
	return c, attempts
}
