package lz4x

import "sync"

// The lazy parser of levels 1 to 9, designed as liblz4's (lz4hc.c, LZ4HC_compress_hashChain): a
// match is not written as soon as it is found. The parser first searches near its end (two
// bytes before it) for a match that, widened backwards, reaches further; while such matches keep
// appearing it holds up to three overlapping ones, trims the earlier ones so they do not
// overlap, and writes the first when the third cannot displace it. Each search examines at most
// hcParams.depth candidates (liblz4's nbSearches: 2 at levels 1 and 2, then 4 doubling to 256 at
// level 9); at depths above 128 (level 9) runs of one byte value are crossed in one step, as
// liblz4 does.

// lazyShortMatch is liblz4's OPTIMAL_ML: the longest match whose length fits in the token's
// nibble. A first match is trimmed to about this when a later one overlaps it.
const lazyShortMatch = 15 - 1 + minMatch

// lazyRepeatsAbove is the depth above which the match finder crosses runs of one byte in a step.
const lazyRepeatsAbove = 128

var lazyPool = sync.Pool{New: func() any { return new(lazyMatcher) }}

// compressLazy parses buf[ip:] up to mfl (the last position a match may start at; matches end by
// limit) with the lazy parser, writes the sequences to w and returns the anchor of the trailing
// literals. buf[:ip] is history that matches may reach into, from its last 64 KiB. limit must be
// below len(buf) (the block's end rules keep it 5 bytes short; a segment of a larger block ends
// before its next one): the match finder may read the byte at limit, never match it.
func compressLazy(w *seqWriter, buf []byte, ip, mfl, limit int, p hcParams) int {
	m := lazyPool.Get().(*lazyMatcher)
	m.reset(buf, max(0, ip-maxOffset))
	anchor := m.parse(w, ip, mfl, limit, p.depth, p.depth > lazyRepeatsAbove)
	m.buf = nil
	lazyPool.Put(m)
	return anchor
}

// parse is compressLazy's loop. m1 is the match about to be written, m2 and m3 later ones that
// may overlap it; m0 remembers m1 as first found, should m1 be pushed forward and then prove
// to have been better where it was.
func (m *lazyMatcher) parse(w *seqWriter, ip, mfl, limit, depth int, repeats bool) int {
	buf := m.buf
	anchor := ip
	var m0, m1, m2, m3 lazyMatch
	emit := func(x lazyMatch) {
		w.lazySequence(buf, anchor, x.start, x.offset, x.length)
		anchor = x.start + x.length
	}
	for ip <= mfl && w.ok {
		if m1 = m.first(ip, mfl, limit, depth, repeats); m1.length == 0 {
			break
		}
		m0 = m1

	search2:
		// Is there a longer match two bytes before m1's end, widened back no further than m1?
		if m1.start+m1.length > mfl {
			emit(m1)
			ip = anchor
			continue
		}
		if m2 = m.wider(m1.start+m1.length-2, m1.start, limit, m1.length, depth, repeats); m2.length == 0 {
			emit(m1)
			ip = anchor
			continue
		}
		if m0.start < m1.start && m2.start < m1.start+m0.length {
			// m1 moved forward but m2 overlaps where m0 would end: m0 squeezes in between.
			m1 = m0
		}
		if m2.start-m1.start < 3 {
			// m2 starts so soon that m1 would be too short to pay: m2 replaces it.
			m1 = m2
			goto search2
		}

	search3:
		if m2.start-m1.start < lazyShortMatch {
			// Let m1 keep up to lazyShortMatch bytes, pushing m2's start past them, as
			// long as m2 keeps minMatch.
			n := min(m1.length, lazyShortMatch)
			if m1.start+n > m2.start+m2.length-minMatch {
				n = m2.start - m1.start + m2.length - minMatch
			}
			if c := n - (m2.start - m1.start); c > 0 {
				m2.start += c
				m2.length -= c
			}
		}
		m3 = lazyMatch{}
		if m2.start+m2.length <= mfl {
			m3 = m.wider(m2.start+m2.length-3, m2.start, limit, m2.length, depth, repeats)
		}
		if m3.length == 0 {
			// No better third match: write m1, cut where m2 begins, then m2.
			if m2.start < m1.start+m1.length {
				m1.length = m2.start - m1.start
			}
			emit(m1)
			emit(m2)
			ip = anchor
			continue
		}
		if m3.start < m1.start+m1.length+3 {
			// m3 leaves m2 too little room after m1.
			if m3.start >= m1.start+m1.length {
				// m1 ends before m3: write m1 and go on with m3 as the current match, m2 (or
				// what is left of it after m1) remembered as m0.
				if m2.start < m1.start+m1.length {
					c := m1.start + m1.length - m2.start
					m2.start += c
					m2.length -= c
					if m2.length < minMatch {
						m2 = m3
					}
				}
				emit(m1)
				m1, m0 = m3, m2
				goto search2
			}
			m2 = m3
			goto search3
		}
		// Three matches in ascending order: write m1, trimmed to end where m2 begins.
		if m2.start < m1.start+m1.length {
			if m2.start-m1.start < lazyShortMatch {
				m1.length = min(m1.length, lazyShortMatch)
				if m1.start+m1.length > m2.start+m2.length-minMatch {
					m1.length = m2.start - m1.start + m2.length - minMatch
				}
				if c := m1.length - (m2.start - m1.start); c > 0 {
					m2.start += c
					m2.length -= c
				}
			} else {
				m1.length = m2.start - m1.start
			}
		}
		emit(m1)
		m1, m2 = m2, m3
		goto search3
	}
	return anchor
}
