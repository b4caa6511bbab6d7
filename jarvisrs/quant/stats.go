package quant

import (
	"math"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// maxWorkerChannels bounds the per-worker statistics arrays (one entry per channel per
// goroutine). Beyond it each work item owns a block of whole channels instead, so no array
// proportional to the channel count is allocated; below it a flat chunk split parallelises
// even a tensor of one huge channel.
const maxWorkerChannels = 16 << 10

// statsPlan is how the statistics pass over a layout is cut into work items.
type statsPlan struct {
	l              layout
	blocks         bool // work items are blocks of whole channels rather than flat chunks
	perBlock       int  // channels per block
	items, workers int
}

func planStats(l layout) statsPlan {
	if l.channels <= maxWorkerChannels {
		items := chunks(l.n)
		return statsPlan{l: l, items: items, workers: workersFor(items)}
	}
	perChannel := l.outer * l.inner // elements in one channel, > 0 since channels > 1 and n > 0
	cb := min(l.channels, max(1, ChunkLen/perChannel))
	items := (l.channels + cb - 1) / cb
	return statsPlan{l: l, blocks: true, perBlock: cb, items: items, workers: workersFor(items)}
}

// blockRange is the element range of outer slice o of channel block [c0, c1), clipped to n
// (INT4's last group may be short).
func (l layout) blockRange(o, c0, c1 int) (lo, hi int) {
	base := o * l.channels
	return min(l.n, (base+c0)*l.inner), min(l.n, (base+c1)*l.inner)
}

// scanStats feeds every element of src to folders and returns a *NonFiniteError for the first
// NaN or ±Inf. In chunk mode folders[w] sees worker w's share of every channel and the caller
// merges them. In block mode each item is a block [c0, c1) of whole channels: begin(w, c0, c1)
// prepares folders[w], the folder sees the whole block, then end(w, c0, c1) consumes it.
func scanStats[F spanner](src []float32, p statsPlan, folders []F, begin, end func(w, c0, c1 int)) error {
	bad := newFirstIndex()
	l := p.l
	if !p.blocks {
		run(p.workers, p.items, func(w, item int) {
			lo, hi := chunkBounds(item, l.n)
			if bad.before(lo) {
				return
			}
			if i := kernels.FirstNonFinite(src[lo:hi]); i >= 0 {
				bad.offer(lo + i)
				return
			}
			split(l, lo, hi, folders[w])
		})
	} else {
		run(p.workers, p.items, func(w, item int) {
			c0 := item * p.perBlock
			c1 := min(c0+p.perBlock, l.channels)
			begin(w, c0, c1)
			for o := 0; o < l.outer; o++ {
				lo, hi := l.blockRange(o, c0, c1)
				if bad.before(lo) {
					return
				}
				if i := kernels.FirstNonFinite(src[lo:hi]); i >= 0 {
					bad.offer(lo + i)
					return
				}
				split(l, lo, hi, folders[w])
			}
			end(w, c0, c1)
		})
	}
	if i := bad.get(); i >= 0 {
		return &NonFiniteError{Index: i, Value: src[i]}
	}
	return nil
}

// absMaxFolder folds |x| into m[c-base] for each channel c.
type absMaxFolder struct {
	src, m []float32
	base   int
	l      layout
}

func (f *absMaxFolder) span(c, p, e int) {
	if f.l.columns() {
		w := f.l.runWidth(p, e)
		kernels.AbsMaxColumns(f.m[c-f.base:c-f.base+w], f.src[p:e])
		return
	}
	if v := kernels.AbsMax(f.src[p:e]); v > f.m[c-f.base] {
		f.m[c-f.base] = v
	}
}

// absMaxPerChannel sets out[c] to the largest |x| of channel c (0 for an empty channel), or
// returns a *NonFiniteError. len(out) == l.channels.
func absMaxPerChannel(src []float32, l layout, out []float32) error {
	clear(out)
	if l.n == 0 {
		return nil
	}
	p := planStats(l)
	folders := make([]*absMaxFolder, p.workers)
	for w := range folders {
		m := out
		if w > 0 && !p.blocks {
			m = make([]float32, l.channels) // bounded by maxWorkerChannels
		}
		folders[w] = &absMaxFolder{src: src, m: m, l: l}
	}
	nop := func(w, c0, c1 int) {}
	if err := scanStats(src, p, folders, nop, nop); err != nil {
		return err
	}
	if !p.blocks {
		for _, f := range folders[1:] {
			for c, v := range f.m {
				out[c] = max(out[c], v)
			}
		}
	}
	return nil
}

// minMaxFolder folds x into lo[c-base] and hi[c-base] with kernels.MinMax's order, which is
// also that of Go's built-in min and max on numbers: -0 below +0, so the result never depends on
// how the input was chunked. (The folders never see NaN: each range is checked first.)
type minMaxFolder struct {
	src, lo, hi []float32
	base        int
	l           layout
}

func (f *minMaxFolder) span(c, p, e int) {
	i := c - f.base
	if f.l.columns() {
		w := f.l.runWidth(p, e)
		kernels.MinMaxColumns(f.lo[i:i+w], f.hi[i:i+w], f.src[p:e])
		return
	}
	mn, mx := kernels.MinMax(f.src[p:e])
	f.lo[i], f.hi[i] = min(f.lo[i], mn), max(f.hi[i], mx)
}

func (f *minMaxFolder) reset(base, n int) {
	f.base = base
	f.lo, f.hi = f.lo[:n], f.hi[:n]
	for i := range f.lo {
		f.lo[i], f.hi[i] = float32(math.Inf(1)), float32(math.Inf(-1))
	}
}

// minMaxPerChannel computes the minimum and maximum of every channel and hands them to
// fin(c, min, max), once per channel. fin may run concurrently for different channels. It
// returns a *NonFiniteError instead when src holds NaN or ±Inf (fin may have run for some
// channels by then). Channels must be non-empty (l.n > 0).
func minMaxPerChannel(src []float32, l layout, fin func(c int, mn, mx float32)) error {
	p := planStats(l)
	width := l.channels
	if p.blocks {
		width = p.perBlock
	}
	folders := make([]*minMaxFolder, p.workers)
	for w := range folders {
		f := &minMaxFolder{src: src, lo: make([]float32, width), hi: make([]float32, width), l: l}
		f.reset(0, width)
		folders[w] = f
	}
	begin := func(w, c0, c1 int) { folders[w].reset(c0, c1-c0) }
	end := func(w, c0, c1 int) {
		f := folders[w]
		for c := c0; c < c1; c++ {
			fin(c, f.lo[c-c0], f.hi[c-c0])
		}
	}
	if err := scanStats(src, p, folders, begin, end); err != nil {
		return err
	}
	if !p.blocks {
		acc := folders[0]
		for _, f := range folders[1:] {
			for c := range acc.lo {
				acc.lo[c], acc.hi[c] = min(acc.lo[c], f.lo[c]), max(acc.hi[c], f.hi[c])
			}
		}
		for c := range acc.lo {
			fin(c, acc.lo[c], acc.hi[c])
		}
	}
	return nil
}
