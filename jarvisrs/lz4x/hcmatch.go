package lz4x

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// The high-compression match finder: hash chains over 4-byte sequences. head maps a hash to the
// latest position that had it; chain links every position of the last 64 KiB to the previous
// one with the same hash, by distance. Following the links visits earlier and earlier candidates,
// newest first, which is what an LZ4 encoder wants: nearer matches cost the same, and the chain
// ends where the window does.
const (
	// hcHashLog: a 16-bit hash leaves few false candidates (positions whose different bytes
	// hash alike) in the chains; every true one is there whatever the hash size.
	hcHashLog = 16
	// hcWindow is the reach of an LZ4 match; chain is indexed by position modulo it.
	hcWindow = 1 << 16
)

type hcMatcher struct {
	buf []byte
	// head holds positions plus base. Each use of the matcher raises base past every position
	// the previous use stored, so old entries read as more than a window away and end their
	// chains, without clearing the 256 KiB table for every (possibly tiny) input.
	head [1 << hcHashLog]int32
	// chain holds the distance to the previous position with the same hash, maxOffset when
	// there is none within reach: following it then leaves the window, so the walks need no
	// separate test for a chain's end.
	chain [hcWindow]uint16
	base  int
	end   int  // len(buf) of the previous use
	used  bool // head has been initialised
	next  int  // positions below next are in the tables
	low   int  // no position below low is in the tables
	// partial makes longestMatch switch chains on every candidate that matches ip for more than
	// minMatch bytes, not only on a new best: a search that must beat a long minLen (the
	// optimal parser's, away from every-position mode) then skips the many short matches on
	// its chain. Output differs from liblz4's (better for a given depth), so level 12 leaves it
	// off. reset turns it off.
	partial bool
	// runs makes longestMatch search as liblz4's optimal parser does (chainWalk.search) where
	// ip starts a run of one byte value, jumping over the runs on its chain: without that,
	// depths 96 and 512 are spent a byte at a time in long runs. reset turns it off.
	runs bool
}

func hcHash(u uint32) uint32 { return u * 2654435761 >> (32 - hcHashLog) }

// reset prepares m to find matches in buf from position low on: buf[:low] is never referenced.
func (m *hcMatcher) reset(buf []byte, low int) {
	m.base += m.end + hcWindow
	if !m.used || m.base+len(buf) >= math.MaxInt32 {
		for i := range m.head {
			m.head[i] = math.MinInt32
		}
		m.base, m.used = 0, true
	}
	m.buf, m.end = buf, len(buf)
	m.low = low
	m.next = low
	m.partial, m.runs = false, false
}

// insertUpTo adds every position below ip (that has 4 bytes to hash) to the tables.
func (m *hcMatcher) insertUpTo(ip int) {
	buf := m.buf
	end := min(ip, len(buf)-3)
	for p := m.next; p < end; p++ {
		h := hcHash(binary.LittleEndian.Uint32(buf[p:]))
		d := min(p+m.base-int(m.head[h]), maxOffset)
		m.chain[p&(hcWindow-1)] = uint16(d)
		m.head[h] = int32(p + m.base)
	}
	m.next = max(m.next, ip)
}

// farthestChain picks the hash chain to follow from candidate cand, which a longer match must
// agree with over its first span+minMatch bytes (span < ip-cand, so every position cand+k,
// k <= span, is in the tables). Such a match lies on the chain through cand+k for every k <= span,
// shifted by k, so the chain that skips furthest back from cand is as good as any and wastes the
// fewest candidates. It returns the chain position and shift to continue with; if a chain ends
// (maxOffset), that leaves the window and the search ends: nothing longer exists. A choice known
// so far, distance d at shift k, is passed as d, k (d < 0 for none); of equal distances the
// smallest shift wins. A longer distance turns up rarely as k rises, so the test is a branch that
// is nearly always predicted, not a data dependency from one position to the next.
func (m *hcMatcher) farthestChain(cand, span, d, k int) (c, shift int) {
	chain := &m.chain
	if d >= 0 {
		// Only a shift below k can tie with the choice passed in and win.
		for i := range min(k, span+1) {
			if di := int(chain[(cand+i)&(hcWindow-1)]); di >= d {
				d, k = di, i
				break
			}
		}
	} else {
		d, k = int(chain[cand&(hcWindow-1)]), 0
	}
	for i := k + 1; i <= span; i++ {
		if di := int(chain[(cand+i)&(hcWindow-1)]); di > d {
			d, k = di, i
		}
	}
	return cand + k - d, k
}

// longestMatch returns the longest match for buf[ip:] that is longer than minLen, searching at
// most depth candidates, with the match ending by limit; ml is 0 if there is none. Positions
// below ip are inserted first. limit must be at most len(buf) and ip+minMatch <= limit.
func (m *hcMatcher) longestMatch(ip, minLen, limit, depth int) (ml, offset int) {
	m.insertUpTo(ip)
	buf := m.buf
	lowest := max(m.low, ip-maxOffset)
	cur := binary.LittleEndian.Uint32(buf[ip:])
	best := max(minLen, minMatch-1)
	maxLen := limit - ip
	if best >= maxLen {
		return 0, 0
	}
	if m.runs && isRun(cur) {
		return m.inRun(ip, best, limit, depth, cur)
	}
	// c walks a hash chain; the candidate it stands for is c-shift. shift starts at 0 (the chain
	// of ip's own 4 bytes) and moves inside the best match so far, see below.
	c := int(m.head[hcHash(cur)]) - m.base
	shift := 0
	// Candidates are read through an unsafe pointer: lowest <= cand < ip and best < maxLen, so
	// the 4 bytes at cand+best-3 end by cand+best+1 <= ip+best < limit <= len(buf) (those at
	// ip+best-3 by ip+best+1 <= limit), and the 4 bytes at cand end by ip+4 <= limit.
	bp := unsafe.Pointer(unsafe.SliceData(buf))
	// A candidate can only win if it agrees with ip over the last 4 bytes the best match so far
	// reached (best >= minMatch-1, so they start at or after the candidate): one comparison
	// rejects nearly all the others, and rarely mispredicts.
	tail := loadPtr32(bp, ip+best-3)
	partial := m.partial
	for {
		// Skip the candidates that cannot matter in a tight loop; the rare one that may is
		// handled here. skipToMatch is a function of its own (not inlined) so that its loop
		// keeps everything in registers, which makes level 12 about 10% faster; inlined here
		// the loop spills around the matchLenPtr calls below. skipToHead (level 11) stops
		// often enough that the call costs more than the spills: it is inlined.
		if partial {
			c, depth = m.skipToHead(bp, c, shift, lowest, depth, cur)
		} else {
			c, depth = m.skipToMatch(bp, c, shift, lowest, depth, best, tail, cur)
		}
		if depth <= 0 || c-shift < lowest {
			break
		}
		depth--
		cand := c - shift
		n := 0
		if loadPtr32(bp, cand+best-3) == tail && loadPtr32(bp, cand) == cur {
			if n = minMatch + matchLenPtr(bp, cand+minMatch, ip+minMatch, limit); n > best {
				best, offset = n, ip-cand
				if n >= maxLen {
					break // nothing can be longer
				}
				tail = loadPtr32(bp, ip+best-3)
				c, shift = m.farthestChain(cand, min(best-minMatch, offset-1), -1, 0)
				continue
			}
		} else if partial {
			// skipToHead stopped here: cand agrees with ip over its first 4 bytes.
			n = minMatch + matchLenPtr(bp, cand+minMatch, ip+minMatch, limit)
		}
		if partial && n > minMatch {
			// Anything longer than best also agrees with cand over its first n bytes.
			c, shift = m.farthestChain(cand, min(n-minMatch, ip-cand-1), int(m.chain[c&(hcWindow-1)]), shift)
			continue
		}
		c -= int(m.chain[c&(hcWindow-1)])
	}
	if offset == 0 {
		return 0, 0
	}
	return best, offset
}

// inRun is longestMatch for ip starting a run of one byte value (pattern, its first 4 bytes),
// with runs set: best < limit-ip.
func (m *hcMatcher) inRun(ip, best, limit, depth int, pattern uint32) (ml, offset int) {
	w := chainWalk{bp: unsafe.Pointer(unsafe.SliceData(m.buf)), chain: &m.chain, low: m.low,
		lowest: max(m.low, ip-maxOffset), ip: ip, limit: limit, pattern: pattern}
	w.runLen = minMatch + runForward(w.bp, ip+minMatch, limit, byte(pattern))
	return w.search(int(m.head[hcHash(pattern)])-m.base, best, depth)
}

// skipToMatch follows the chain from c (candidate c-shift) past every candidate that does not
// agree with ip over its first 4 bytes (cur) and the 4 ending at best (tail), spending depth on
// each. It returns the chain position and the depth left: the candidate there is one to examine
// unless depth is 0 or it lies below lowest. Candidates are read as in longestMatch.
//
//go:noinline
func (m *hcMatcher) skipToMatch(bp unsafe.Pointer, c, shift, lowest, depth, best int, tail, cur uint32) (int, int) {
	chain := &m.chain
	for ; depth > 0; depth-- {
		cand := c - shift
		if cand < lowest || loadPtr32(bp, cand+best-3) == tail && loadPtr32(bp, cand) == cur {
			break
		}
		c -= int(chain[c&(hcWindow-1)])
	}
	return c, depth
}

// skipToHead is skipToMatch for partial mode: it stops at every candidate that agrees with ip
// over its first 4 bytes.
func (m *hcMatcher) skipToHead(bp unsafe.Pointer, c, shift, lowest, depth int, cur uint32) (int, int) {
	chain := &m.chain
	for ; depth > 0; depth-- {
		cand := c - shift
		if cand < lowest || loadPtr32(bp, cand) == cur {
			break
		}
		c -= int(chain[c&(hcWindow-1)])
	}
	return c, depth
}

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
