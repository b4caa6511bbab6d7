package quant

import (
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// ChunkLen is the number of elements in one parallel work item. It is a constant, not derived
// from the number of cores, so the split of an input (and with it every result) is the same on
// any machine. Inputs of at most ChunkLen elements run on the caller's goroutine. 64 Ki float32
// (256 KiB) stays in a core's L2 cache between the passes that read a chunk twice.
const ChunkLen = 64 << 10

// workersFor is how many goroutines run items work items.
func workersFor(items int) int {
	return max(1, min(items, runtime.GOMAXPROCS(0)))
}

// run calls fn(w, item) once for every item in [0, items), spread over workers goroutines
// (the caller's among them); w in [0, workers) names the goroutine, so fn may keep per-worker
// state indexed by it. Items are handed out in increasing order. A panic in fn is re-raised on
// the caller's goroutine after every worker has stopped, where the caller's recover sees it.
// Workers take on the caller's debug.SetPanicOnFault mode, so a fault reading a memory-mapped
// input panics (and is re-raised) as it would on the caller instead of aborting the process.
func run(workers, items int, fn func(w, item int)) {
	if workers <= 1 || items <= 1 {
		for i := 0; i < items; i++ {
			fn(0, i)
		}
		return
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		panicMu  sync.Mutex
		panicked any
	)
	work := func(w int) {
		defer func() {
			if r := recover(); r != nil {
				panicMu.Lock()
				if panicked == nil {
					panicked = r
				}
				panicMu.Unlock()
				next.Store(int64(items)) // the others stop at their next item
			}
		}()
		for {
			i := int(next.Add(1) - 1)
			if i >= items {
				return
			}
			fn(w, i)
		}
	}
	faults := debug.SetPanicOnFault(false)
	debug.SetPanicOnFault(faults)
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() {
			defer wg.Done()
			debug.SetPanicOnFault(faults)
			work(w)
		}()
	}
	work(0)
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}

// chunks is the number of ChunkLen work items covering n elements.
func chunks(n int) int { return (n + ChunkLen - 1) / ChunkLen }

// chunkBounds is the element range [lo, hi) of work item i over n elements.
func chunkBounds(i, n int) (lo, hi int) {
	lo = i * ChunkLen
	return lo, min(lo+ChunkLen, n)
}

// forChunks runs fn over every ChunkLen chunk of n elements.
func forChunks(n int, fn func(lo, hi int)) {
	items := chunks(n)
	run(workersFor(items), items, func(_, i int) {
		lo, hi := chunkBounds(i, n)
		fn(lo, hi)
	})
}

// firstIndex is the smallest index offered to it by concurrent workers: the first bad element
// of an input, whichever worker saw it. The zero value is not ready; use newFirstIndex.
type firstIndex struct{ v atomic.Int64 }

func newFirstIndex() *firstIndex {
	f := new(firstIndex)
	f.v.Store(math.MaxInt64)
	return f
}

// offer records i if it is smaller than every index offered so far.
func (f *firstIndex) offer(i int) {
	for {
		cur := f.v.Load()
		if int64(i) >= cur || f.v.CompareAndSwap(cur, int64(i)) {
			return
		}
	}
}

// before reports whether an index smaller than i is known, so work past i cannot change the
// outcome.
func (f *firstIndex) before(i int) bool { return f.v.Load() < int64(i) }

// get returns the smallest offered index, or -1.
func (f *firstIndex) get() int {
	if v := f.v.Load(); v != math.MaxInt64 {
		return int(v)
	}
	return -1
}
