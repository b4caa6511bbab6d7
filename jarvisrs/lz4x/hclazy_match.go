package lz4x

import (
	"encoding/binary"
	"math"
	"math/bits"
	"unsafe"
)

// The lazy parser's match finder, built the way liblz4's levels 1 to 9 find matches: a 32768-entry
// hash table of 4-byte sequences heads chains that link every position of the last 64 KiB to the
// previous one with the same hash. A search walks one chain, newest candidate first, for at most
// a level's number of attempts, and may widen a match backwards, down to a given low position,
// over bytes that both sides share. It is a separate type from hcMatcher (levels 10 to 12) because
// liblz4's lazy levels use the smaller hash, plain chain walking and their own repeat handling,
// and reproducing those is what makes the blocks come out as liblz4's do.
const (
	lazyHashLog = 15
	lazyWindow  = 1 << 16
)

type lazyMatcher struct {
	// head holds positions plus base; see hcMatcher.head for why base rises with every use.
	head  [1 << lazyHashLog]int32
	chain [lazyWindow]uint16 // distance to the previous position with the same hash, at most maxOffset
	buf   []byte
	base  int
	end   int  // len(buf) of the previous use
	used  bool // head has been initialised
	next  int  // positions below next are in the tables
	low   int  // no position below low is in the tables or referenced
}

// lazyMatch is a match found by wider: buf[start:start+length] equals the bytes offset earlier.
type lazyMatch struct {
	start, length, offset int
}

func lazyHash(u uint32) uint32 { return u * 2654435761 >> (32 - lazyHashLog) }

func loadPtr16(sp unsafe.Pointer, i int) uint16 {
	return binary.LittleEndian.Uint16((*[2]byte)(unsafe.Add(sp, i))[:])
}

// reset prepares m to find matches in buf from position low on: buf[:low] is never referenced.
func (m *lazyMatcher) reset(buf []byte, low int) {
	m.base += m.end + lazyWindow
	if !m.used || m.base+len(buf) >= math.MaxInt32 {
		for i := range m.head {
			m.head[i] = math.MinInt32
		}
		m.base, m.used = 0, true
	}
	m.buf, m.end = buf, len(buf)
	m.low, m.next = low, low
}

// insertUpTo adds every position below ip (that has 4 bytes to hash) to the tables.
func (m *lazyMatcher) insertUpTo(ip int) {
	end := min(ip, len(m.buf)-3)
	p := m.next
	if p >= end {
		m.next = max(p, ip)
		return
	}
	// p and p+3 lie in buf: p >= 0 and p < end <= len(buf)-3.
	bp := unsafe.Pointer(unsafe.SliceData(m.buf))
	base := m.base
	head, chain := &m.head, &m.chain
	for ; p < end; p++ {
		h := binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(bp, p))[:]) * 2654435761 >> (32 - lazyHashLog)
		d := p + base - int(head[h])
		if d > maxOffset {
			d = maxOffset
		}
		chain[uint16(p)] = uint16(d) // uint16(p) is p modulo lazyWindow (1<<16)
		head[h] = int32(p + base)
	}
	m.next = ip
}

// first returns the match that wider(ip, ip, limit, minMatch-1, attempts, repeats) would find at
// the first position from ip to mfl where there is one, or a zero lazyMatch if there is none. It
// is wider's loop specialised for the parser's main search (no widening back), with the
// insertion of each position fused in, because on data that hardly compresses nearly every
// position is searched.
func (m *lazyMatcher) first(ip, mfl, limit, attempts int, repeats bool) lazyMatch {
	m.insertUpTo(ip)
	bp := unsafe.Pointer(unsafe.SliceData(m.buf))
	base, low := m.base, m.low
	head, chain := &m.head, &m.chain
	for ; ip <= mfl; ip++ {
		pattern := loadPtr32(bp, ip)
		h := lazyHash(pattern)
		c := int(head[h]) - base
		// After the search ip itself is inserted: every later search wants it, and its hash
		// and chain link are at hand.
		link := uint16(min(ip-c, maxOffset))
		lowest := max(low, ip-maxOffset)
		tail := loadPtr16(bp, ip+minMatch-2)
		bestLen, bestOff := minMatch-1, 0
		for a := attempts; a > 0 && c >= lowest; a-- {
			if loadPtr16(bp, c+bestLen-1) == tail && loadPtr32(bp, c) == pattern {
				// The match length, counted here rather than by a call, which would make
				// the compiler keep this loop's variables in memory.
				n := minMatch
				for ip+n+8 <= limit {
					if x := loadPtr64(bp, c+n) ^ loadPtr64(bp, ip+n); x != 0 {
						n += bits.TrailingZeros64(x) >> 3
						goto counted
					}
					n += 8
				}
				for ip+n < limit && *(*byte)(unsafe.Add(bp, c+n)) == *(*byte)(unsafe.Add(bp, ip+n)) {
					n++
				}
			counted:
				if n > bestLen {
					bestLen, bestOff = n, ip-c
					tail = loadPtr16(bp, ip+n-1)
				}
			}
			d := int(chain[c&(lazyWindow-1)])
			if repeats && d == 1 {
				// A run of one byte value: wider's shortcut applies. Searching again from
				// the start with ip not yet inserted finds what wider would have.
				r := m.wider(ip, ip, limit, minMatch-1, attempts, true)
				bestLen, bestOff = r.length, r.offset
				break
			}
			c -= d
		}
		chain[ip&(lazyWindow-1)] = link
		head[h] = int32(ip + base)
		m.next = ip + 1
		if bestOff != 0 {
			return lazyMatch{start: ip, length: bestLen, offset: bestOff}
		}
	}
	return lazyMatch{}
}

// wider searches at most attempts candidates for a match of buf[ip:] that, widened backwards as
// far as iLow allows, is longer than longest, and returns the longest found (length 0 if none).
// Matches end by limit. The caller guarantees iLow <= ip, ip+minMatch <= limit <= len(buf)-1,
// and ip-iLow < longest (so the quick check below reads inside each candidate's window); when
// repeats is set, runs of one byte value are followed the way liblz4's level 9 does
// (widerRuns).
func (m *lazyMatcher) wider(ip, iLow, limit, longest, attempts int, repeats bool) lazyMatch {
	if repeats {
		return m.widerRuns(ip, iLow, limit, longest, attempts)
	}
	bp := unsafe.Pointer(unsafe.SliceData(m.buf))
	if p := m.next; p < ip {
		// insertUpTo's loop, here rather than called, so that the arguments need not be
		// saved around a call (ip <= len(buf)-4 here, so every p up to ip has 4 bytes).
		base := m.base
		for ; p < ip; p++ {
			h := binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(bp, p))[:]) * 2654435761 >> (32 - lazyHashLog)
			d := p + base - int(m.head[h])
			if d > maxOffset {
				d = maxOffset
			}
			m.chain[uint16(p)] = uint16(d)
			m.head[h] = int32(p + base)
		}
		m.next = ip
	}
	low := m.low
	lowest := max(low, ip-maxOffset)
	back := ip - iLow
	pattern := loadPtr32(bp, ip)
	best := lazyMatch{length: longest}
	c := int(m.head[lazyHash(pattern)]) - m.base
	// A candidate can only win if it agrees with ip at the last two bytes the best match so far
	// covers (counted from iLow): one comparison rejects most of them. Every index read is at
	// least c+1 (best.length > back) and below ip+best.length-back <= limit.
	at := best.length - 1 - back
	tail := loadPtr16(bp, ip+at)
	for {
		// Candidates that fail the quick check are skipped in a loop of their own, which
		// keeps c and attempts in registers.
		for {
			if attempts <= 0 || c < lowest {
				goto done
			}
			if loadPtr16(bp, c+at) == tail && loadPtr32(bp, c) == pattern {
				break
			}
			c -= int(m.chain[c&(lazyWindow-1)])
			attempts--
		}
		{
			// Both counts are inline, as in first.
			n := minMatch
			for ip+n+8 <= limit {
				if x := loadPtr64(bp, c+n) ^ loadPtr64(bp, ip+n); x != 0 {
					n += bits.TrailingZeros64(x) >> 3
					goto forward
				}
				n += 8
			}
			for ip+n < limit && *(*byte)(unsafe.Add(bp, c+n)) == *(*byte)(unsafe.Add(bp, ip+n)) {
				n++
			}
		forward:
			if n+back > best.length {
				// The candidate wins only if at least need bytes before ip and c agree
				// (need <= back). Most candidates fail that, and one comparison of the 8
				// bytes before each (all in buf, as ip > c >= 8) rejects them without
				// counting: of that word, the top need bytes, or all 8 if need > 8.
				need := best.length + 1 - n
				if need > c-low || need > 0 && c >= 8 &&
					(loadPtr64(bp, ip-8)^loadPtr64(bp, c-8))>>uint(max(64-8*need, 0)) != 0 {
					goto rejected
				}
				// Widen backwards: b bytes before ip and c agree, at most back and not
				// below low. Eight bytes are compared at a time while they lie in buf
				// (c-b-8 >= 0, and ip > c), even if below low: the count is cut after.
				most, b := min(back, c-low), 0
				for b < most && c-b >= 8 {
					if x := loadPtr64(bp, ip-b-8) ^ loadPtr64(bp, c-b-8); x != 0 {
						b += bits.LeadingZeros64(x) >> 3
						goto backward
					}
					b += 8
				}
				for b < most && *(*byte)(unsafe.Add(bp, ip-b-1)) == *(*byte)(unsafe.Add(bp, c-b-1)) {
					b++
				}
			backward:
				b = min(b, most)
				if n+b > best.length {
					best = lazyMatch{start: ip - b, length: n + b, offset: ip - c}
					at = best.length - 1 - back
					tail = loadPtr16(bp, ip+at)
				}
			}
		}
	rejected:
		c -= int(m.chain[c&(lazyWindow-1)])
		attempts--
	}
done:
	if best.offset == 0 {
		return lazyMatch{}
	}
	return best
}

// widerRuns is wider for level 9 (repeats set): runs of one byte value are followed the way
// liblz4's level 9 does. It is a copy of wider's search so that wider, for levels 1 to 8, has no
// call in its loop: around a call every value in registers is saved, and wider's loop, short of
// registers already, would store more of them on every candidate.
func (m *lazyMatcher) widerRuns(ip, iLow, limit, longest, attempts int) lazyMatch {
	bp := unsafe.Pointer(unsafe.SliceData(m.buf))
	if p := m.next; p < ip {
		// insertUpTo's loop, here rather than called, so that the arguments need not be
		// saved around a call (ip <= len(buf)-4 here, so every p up to ip has 4 bytes).
		base := m.base
		for ; p < ip; p++ {
			h := binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(bp, p))[:]) * 2654435761 >> (32 - lazyHashLog)
			d := p + base - int(m.head[h])
			if d > maxOffset {
				d = maxOffset
			}
			m.chain[uint16(p)] = uint16(d)
			m.head[h] = int32(p + base)
		}
		m.next = ip
	}
	low := m.low
	lowest := max(low, ip-maxOffset)
	back := ip - iLow
	pattern := loadPtr32(bp, ip)
	best := lazyMatch{length: longest}
	runLen := -1 // length of the run of one byte value at ip: -1 untested, 0 not a run
	c := int(m.head[lazyHash(pattern)]) - m.base
	// A candidate can only win if it agrees with ip at the last two bytes the best match so far
	// covers (counted from iLow): one comparison rejects most of them. Every index read is at
	// least c+1 (best.length > back) and below ip+best.length-back <= limit.
	at := best.length - 1 - back
	tail := loadPtr16(bp, ip+at)
	for ; attempts > 0 && c >= lowest; attempts-- {
		if loadPtr16(bp, c+at) == tail && loadPtr32(bp, c) == pattern {
			// Both counts are inline, as in first.
			n := minMatch
			for ip+n+8 <= limit {
				if x := loadPtr64(bp, c+n) ^ loadPtr64(bp, ip+n); x != 0 {
					n += bits.TrailingZeros64(x) >> 3
					goto forward
				}
				n += 8
			}
			for ip+n < limit && *(*byte)(unsafe.Add(bp, c+n)) == *(*byte)(unsafe.Add(bp, ip+n)) {
				n++
			}
		forward:
			if n+back > best.length {
				// The candidate wins only if at least need bytes before ip and c agree
				// (need <= back). Most candidates fail that, and one comparison of the 8
				// bytes before each (all in buf, as ip > c >= 8) rejects them without
				// counting: of that word, the top need bytes, or all 8 if need > 8.
				need := best.length + 1 - n
				if need > c-low || need > 0 && c >= 8 &&
					(loadPtr64(bp, ip-8)^loadPtr64(bp, c-8))>>uint(max(64-8*need, 0)) != 0 {
					goto rejected
				}
				// Widen backwards: b bytes before ip and c agree, at most back and not
				// below low. Eight bytes are compared at a time while they lie in buf
				// (c-b-8 >= 0, and ip > c), even if below low: the count is cut after.
				most, b := min(back, c-low), 0
				for b < most && c-b >= 8 {
					if x := loadPtr64(bp, ip-b-8) ^ loadPtr64(bp, c-b-8); x != 0 {
						b += bits.LeadingZeros64(x) >> 3
						goto backward
					}
					b += 8
				}
				for b < most && *(*byte)(unsafe.Add(bp, ip-b-1)) == *(*byte)(unsafe.Add(bp, c-b-1)) {
					b++
				}
			backward:
				b = min(b, most)
				if n+b > best.length {
					best = lazyMatch{start: ip - b, length: n + b, offset: ip - c}
					at = best.length - 1 - back
					tail = loadPtr16(bp, ip+at)
				}
			}
		}
	rejected:
		d := int(m.chain[c&(lazyWindow-1)])
		if d == 1 {
			if runLen < 0 {
				runLen = 0
				if pattern&0xFFFF == pattern>>16 && pattern&0xFF == pattern>>24 {
					runLen = minMatch + runForward(bp, ip+minMatch, limit, byte(pattern))
				}
			}
			if next, ok := m.acrossRun(bp, c-1, ip, limit, lowest, back, runLen, byte(pattern), pattern, &best); ok {
				c = next
				continue
			}
		}
		c -= d
	}
	if best.offset == 0 {
		return lazyMatch{}
	}
	return best
}

// acrossRun is the level 9 shortcut through a run of one byte value, where every chain link is 1
// and walking it would spend all attempts a byte at a time. cand (c-1) is the candidate's
// predecessor; runLen is the length of the run at ip (0 if ip is not in a run). It returns the
// next candidate and true when it took the shortcut, possibly recording a longer match in best;
// a next candidate below lowest ends the search.
func (m *lazyMatcher) acrossRun(bp unsafe.Pointer, cand, ip, limit, lowest, back, runLen int, v byte, pattern uint32, best *lazyMatch) (int, bool) {
	if runLen == 0 || cand < lowest || loadPtr32(bp, cand) != pattern {
		return 0, false
	}
	fwd := minMatch + runForward(bp, cand+minMatch, limit, v)
	behind := cand - max(cand-runBackward(bp, cand, m.low, v), lowest)
	seg := behind + fwd
	if seg >= runLen && fwd <= runLen {
		// The candidate's run holds the whole run at ip: align their ends, so that what
		// follows the run can match too.
		return cand + fwd - runLen, true
	}
	next := cand - behind
	if back == 0 {
		if n := min(seg, runLen); best.length < n {
			if ip-next > maxOffset {
				return lowest - 1, true
			}
			*best = lazyMatch{start: ip, length: n, offset: ip - next}
		}
		next -= int(m.chain[next&(lazyWindow-1)])
	}
	return next, true
}

// runForward counts the bytes equal to v from p up to limit.
func runForward(bp unsafe.Pointer, p, limit int, v byte) int {
	pat := uint64(v) * 0x0101010101010101
	n := 0
	for p+n+8 <= limit {
		if x := loadPtr64(bp, p+n) ^ pat; x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for p+n < limit && *(*byte)(unsafe.Add(bp, p+n)) == v {
		n++
	}
	return n
}

// runBackward counts the bytes equal to v before p, down to low.
func runBackward(bp unsafe.Pointer, p, low int, v byte) int {
	pat := uint32(v) * 0x01010101
	n := 0
	for p-n-4 >= low && loadPtr32(bp, p-n-4) == pat {
		n += 4
	}
	for p-n > low && *(*byte)(unsafe.Add(bp, p-n-1)) == v {
		n++
	}
	return n
}
