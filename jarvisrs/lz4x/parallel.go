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
// handed out in increasing order, so consume rarely waits long. If consume returns false, no new
// work starts and no further consume runs; orderedParallel returns after all started work has
// returned. It returns how many indexes were consumed successfully.
func orderedParallel(n int, work func(i int), consume func(i int) bool) int {
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	var next atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range workers(n) {
		wg.Go(func() {
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				work(i)
				close(done[i])
			}
		})
	}
	consumed := 0
	for i := range n {
		<-done[i]
		if !consume(i) {
			stop.Store(true)
			break
		}
		consumed++
	}
	wg.Wait()
	return consumed
}
