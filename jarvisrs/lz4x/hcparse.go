package lz4x

// High-compression parsing: which matches, of those the match finder offers, become sequences.
// Levels up to 9 use a lazy parser (hclazy.go): take the longest match at a position unless one
// found near its end reaches further. Levels 10 to 12 use an optimal parser: over a stretch of
// up to optWindow positions it computes the cheapest encoding, in bytes, of every prefix, trying
// at each position every length of the longest match found there, and keeps the cheapest path.

// hcParams are a level's settings.
type hcParams struct {
	depth   int  // candidates the match finder examines per search
	optimal bool // optimal parser rather than lazy
	// enough is a match length taken at once without looking further (optimal parser).
	enough int
	// everyPos makes the optimal parser search at every position of its window, not only
	// where the path so far is cheapest.
	everyPos bool
	// partialSwitch lets the match finder change hash chains on candidates that match but are
	// not longer than the best so far (see hcMatcher.partial).
	partialSwitch bool
	// runs lets the match finder jump over runs of one byte value (see hcMatcher.runs).
	runs bool
}

// optWindow is how many positions the optimal parser plans ahead at most.
const optWindow = 1 << 12

// optTrail is how many literal-only positions the optimal parser prices past the end of its
// current best path, so that a later match can start there.
const optTrail = 3

// optCell is the cheapest known way to reach a position of the optimal parser's window.
type optCell struct {
	price  int32 // bytes to encode everything from the anchor to here
	mlen   int32 // length of the match ending here, or 1 for a literal
	offset int32 // that match's offset
	litlen int32 // literals since the last match, when reached by a literal
}

// hcEncoder holds one compression's scratch state; it is pooled, being large.
type hcEncoder struct {
	m   hcMatcher
	opt [optWindow + optTrail + 2]optCell
	// path collects the optimal parser's chosen matches, from last to first.
	path []optCell
}

// literalsPrice is the cost in bytes of a run of n literals, counting its length's extension
// bytes but not its token.
func literalsPrice(n int) int {
	if n < 15 {
		return n
	}
	return n + 1 + (n-15)/255
}

// sequencePrice is the cost in bytes of a sequence of litlen literals and a match of ml bytes.
func sequencePrice(litlen, ml int) int {
	p := 1 + 2 + literalsPrice(litlen)
	if ml >= 15+minMatch {
		p += 1 + (ml-15-minMatch)/255
	}
	return p
}

// compress writes the sequences for buf[start:end] into dst and returns their length, or 0 if
// they do not fit. buf[:start] is history that matches may reach into (its last 64 KiB), and the
// block ends at len(buf): the end rules hold for it, so when end < len(buf) the output is one
// segment of a block, ending with the trailing literals as a literal-only sequence, to be joined
// with the next segment's (see joinSegments). e is used by the optimal parser only: it may be nil
// when p.optimal is false.
func (e *hcEncoder) compress(dst, buf []byte, start, end int, p hcParams) int {
	w := seqWriter{dst: dst, ok: true}
	// mfl is the last position a match may start at, limit the end it may reach: within the
	// segment, and clear of the block's end.
	mfl := min(end-minMatch, len(buf)-mfLimit)
	limit := min(end, len(buf)-lastLiterals)
	anchor := start
	if mfl >= start {
		if p.optimal {
			e.m.reset(buf[:end], max(0, start-maxOffset))
			anchor = e.optimal(&w, buf, start, mfl, limit, p)
		} else {
			anchor = compressLazy(&w, buf, start, mfl, limit, p)
		}
	}
	w.last(buf[anchor:end])
	if !w.ok {
		return 0
	}
	return w.pos
}

// optimal parses buf[ip:] up to mfl and returns the anchor of the trailing literals.
func (e *hcEncoder) optimal(w *seqWriter, buf []byte, ip, mfl, limit int, p hcParams) int {
	anchor := ip
	opt := &e.opt
	e.m.partial, e.m.runs = p.partialSwitch, p.runs
	for ip <= mfl && w.ok {
		ml, off := e.m.longestMatch(ip, 0, limit, p.depth)
		if ml == 0 {
			ip++
			continue
		}
		if ml > p.enough {
			w.sequence(buf[anchor:ip], off, ml)
			ip += ml
			anchor = ip
			continue
		}
		llen := ip - anchor
		// Positions before a match can start are reached by literals.
		for r := range minMatch {
			opt[r] = optCell{price: int32(literalsPrice(llen + r)), mlen: 1, litlen: int32(llen + r)}
		}
		for n := minMatch; n <= ml; n++ {
			opt[n] = optCell{price: int32(sequencePrice(llen, n)), mlen: int32(n), offset: int32(off)}
		}
		last := ml
		e.trail(last)

		// Walk the window: from every position whose price can lead somewhere cheaper, try
		// the longest match there at all its lengths, and literals.
		var taken optCell
		cur := 1
		for ; cur < last; cur++ {
			pos := ip + cur
			if pos > mfl {
				break
			}
			if p.everyPos {
				// (Cells past last+optTrail are left over from earlier windows: never read them.)
				if opt[cur+1].price <= opt[cur].price && cur+minMatch <= last+optTrail && opt[cur+minMatch].price < opt[cur].price+3 {
					continue
				}
			} else if opt[cur+1].price <= opt[cur].price {
				continue
			}
			minLen := minMatch - 1
			if !p.everyPos {
				minLen = last - cur
			}
			nml, noff := e.m.longestMatch(pos, minLen, limit, p.depth)
			if nml == 0 {
				continue
			}
			if nml > p.enough || cur+nml >= optWindow {
				// Long enough to take as it is: the window ends with it.
				taken = optCell{mlen: int32(nml), offset: int32(noff)}
				break
			}
			base := opt[cur]
			for n := 1; n < minMatch; n++ {
				price := base.price - int32(literalsPrice(int(base.litlen))) + int32(literalsPrice(int(base.litlen)+n))
				if price < opt[cur+n].price {
					opt[cur+n] = optCell{price: price, mlen: 1, litlen: base.litlen + int32(n)}
				}
			}
			// The price of the literals before a match here, and what precedes them.
			before, lits := base.price, 0
			if base.mlen == 1 {
				lits = int(base.litlen)
				before = 0
				if cur > lits {
					before = opt[cur-lits].price
				}
			}
			if e.priceMatches(cur, nml, noff, before+int32(sequencePrice(lits, minMatch)), last+optTrail) && cur+nml > last {
				last = cur + nml
			}
			e.trail(last)
		}
		if taken.mlen == 0 {
			ip, anchor = e.emitPath(w, buf, ip, anchor, last)
			continue
		}
		ip, anchor = e.emitPath(w, buf, ip, anchor, cur)
		w.sequence(buf[anchor:ip], int(taken.offset), int(taken.mlen))
		ip += int(taken.mlen)
		anchor = ip
	}
	return anchor
}

// priceMatches offers a match of every length from minMatch to nml at distance off, starting at
// window position cur, to the cells where those lengths end: a cell takes it when it is no dearer
// than what the cell holds, and always past fresh (cells beyond it hold nothing of this window).
// price is the cost of the whole path with the match at its shortest length: a longer match costs
// one more byte from length 15+minMatch on, and again every 255 after. cur+nml < optWindow. It
// reports whether the longest length's cell took the match.
func (e *hcEncoder) priceMatches(cur, nml, off int, price int32, fresh int) bool {
	cells := e.opt[cur : cur+nml+1]        // cells[n] is where a match of length n ends
	known := cells[:min(nml, fresh-cur)+1] // lengths that end in cells priced in this window
	ext := 15 + minMatch                   // the next length whose field takes one more byte
	took := false
	n := minMatch
	for ; n < len(known); n++ {
		if n == ext {
			price++
			ext += 255
		}
		if took = price <= known[n].price; took {
			known[n] = optCell{price: price, mlen: int32(n), offset: int32(off)}
		}
	}
	for ; n < len(cells); n++ {
		if n == ext {
			price++
			ext += 255
		}
		cells[n] = optCell{price: price, mlen: int32(n), offset: int32(off)}
		took = true
	}
	return took
}

// trail prices the optTrail positions after last as literals following it (fewer than 15 of
// them, so each costs a byte).
func (e *hcEncoder) trail(last int) {
	t := (*[optTrail + 1]optCell)(e.opt[last : last+optTrail+1])
	for n := 1; n <= optTrail; n++ {
		t[n] = optCell{price: t[0].price + int32(n), mlen: 1, litlen: int32(n)}
	}
}

// emitPath writes the matches of the cheapest path to window position last and returns the new
// position (ip+last) and anchor (the end of the last match written; literals after it are left
// for the next sequence).
func (e *hcEncoder) emitPath(w *seqWriter, buf []byte, ip, anchor, last int) (int, int) {
	e.path = e.path[:0]
	for pos := last; pos > 0; {
		c := e.opt[pos]
		if c.mlen == 1 {
			pos--
			continue
		}
		c.litlen = int32(pos) // where the match ends, for the forward pass
		e.path = append(e.path, c)
		pos -= int(c.mlen)
	}
	for i := len(e.path) - 1; i >= 0; i-- {
		c := e.path[i]
		at := ip + int(c.litlen) - int(c.mlen)
		w.sequence(buf[anchor:at], int(c.offset), int(c.mlen))
		anchor = at + int(c.mlen)
	}
	return ip + last, anchor
}
