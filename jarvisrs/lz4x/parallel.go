package lz4x

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// workers returns how many goroutines to use for n independent pieces of work.
func workers(n int) int {
	return max(1, min(n, runtime.GOMAXPROCS(0)))
}

// parallelFor runs fn(0..n-1) on up to GOMAXPROCS goroutines, handing out indexes in increasing
// order, and returns when every call has returned. fn must be safe to run concurrently with
// itself for different indexes.
func parallelFor(n int, fn func(i int)) {
	w := workers(n)
	if w <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

// orderedParallel runs work(i) for i in [0,n) on up to GOMAXPROCS goroutines while the calling
// goroutine runs consume(i) in increasing order, each as soon as work(i) has returned. Work is
// handed out in increasing order. The calling goroutine is one of the GOMAXPROCS: while the
// next index to consume is unfinished it takes on work itself instead of waiting, so no more
// threads are busy than there are Ps, which matters on a machine shared with other loads. If
// consume returns false, no new work starts and no further consume runs; orderedParallel
// returns after all started work has returned.
func orderedParallel(n int, work func(i int), consume func(i int) bool) {
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	var next atomic.Int64
	var stop atomic.Bool
	// claim runs the next unclaimed index, if any; it reports whether it ran one.
	claim := func() bool {
		if stop.Load() {
			return false
		}
		i := int(next.Add(1) - 1)
		if i >= n {
			return false
		}
		work(i)
		close(done[i])
		return true
	}
	var wg sync.WaitGroup
	for range workers(n) - 1 {
		wg.Go(func() {
			for claim() {
			}
		})
	}
	for i := range n {
	wait:
		for {
			select {
			case <-done[i]:
				break wait
			default:
			}
			if !claim() {
				<-done[i]
				break
			}
		}
		if !consume(i) {
			stop.Store(true)
			break
		}
	}
	wg.Wait()
}
