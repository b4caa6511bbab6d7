package lz4x

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// WorkerPanicForTests exists for tests only: while it holds InjectWorkPanic, every piece of work
// a helper goroutine of this package picks up panics; InjectDrainPanic makes the output stage of
// the file pipeline (CompressFile, DecompressFile) panic. It proves that a panic on a goroutine
// the package starts comes back to the caller's goroutine (where the exported functions recover
// it into an error) instead of aborting the process. Zero, the default, injects nothing; the
// check is one atomic load per block.
var WorkerPanicForTests atomic.Int32

// The values of WorkerPanicForTests.
const (
	InjectNothing    = 0 // no injected panic
	InjectWorkPanic  = 1 // helper goroutines panic on their next piece of work
	InjectDrainPanic = 2 // the file pipeline's output goroutine panics on its next block
)

// injected panics when tests asked for a panic of kind want.
func injected(want int32) {
	if WorkerPanicForTests.Load() == want {
		panic(fmt.Sprintf("lz4x: injected panic (WorkerPanicForTests=%d)", want))
	}
}

// workerPanic carries a helper goroutine's panic to the calling goroutine, with the helper's stack.
type workerPanic struct {
	value any
	stack []byte
}

func (p *workerPanic) Error() string {
	return fmt.Sprintf("panic in an lz4x worker goroutine: %v\n%s", p.value, p.stack)
}

// Unwrap exposes the original panic value when it is an error (a memory fault, for instance).
func (p *workerPanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}

// panicTrap collects the first panic of the goroutines it guards, so that the goroutine that
// started them can re-raise it (rethrow) once they have all stopped. Goroutines that did not
// panic see tripped and stop early; failed is closed at the first panic for waits to select on.
// Helpers also take on the caller's debug.SetPanicOnFault mode (see enter), so a fault while
// reading a caller's memory-mapped input panics on them exactly as it would on the caller.
type panicTrap struct {
	once   sync.Once
	failed chan struct{}
	value  *workerPanic
	faults bool
}

func newPanicTrap() *panicTrap {
	faults := debug.SetPanicOnFault(false)
	debug.SetPanicOnFault(faults)
	return &panicTrap{failed: make(chan struct{}), faults: faults}
}

// enter prepares a new helper goroutine: it takes on the caller's fault mode.
func (t *panicTrap) enter() {
	if t.faults {
		debug.SetPanicOnFault(true)
	}
}

// guard records a panic; use as `defer t.guard()` directly in the guarded goroutine.
func (t *panicTrap) guard() {
	if r := recover(); r != nil {
		t.once.Do(func() {
			t.value = &workerPanic{value: r, stack: debug.Stack()}
			close(t.failed)
		})
	}
}

// call runs fn, recording a panic instead of letting it unwind further; it reports whether fn
// returned normally.
func (t *panicTrap) call(fn func()) (ok bool) {
	defer t.guard()
	fn()
	return true
}

// tripped reports whether a guarded goroutine has panicked.
func (t *panicTrap) tripped() bool {
	select {
	case <-t.failed:
		return true
	default:
		return false
	}
}

// rethrow re-raises the recorded panic, if any, on the calling goroutine. Call it only after
// every guarded goroutine has stopped.
func (t *panicTrap) rethrow() {
	if t.tripped() {
		panic(t.value)
	}
}

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
	trap := newPanicTrap()
	for range w {
		wg.Go(func() {
			trap.enter()
			defer trap.guard()
			for !trap.tripped() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				injected(InjectWorkPanic)
				fn(i)
			}
		})
	}
	wg.Wait()
	trap.rethrow()
}

// orderedParallel runs work(i) for i in [0,n) on up to GOMAXPROCS goroutines while the calling
// goroutine runs consume(i) in increasing order, each as soon as work(i) has returned. Work is
// handed out in increasing order. The calling goroutine is one of the GOMAXPROCS: while the
// next index to consume is unfinished it takes on work itself instead of waiting, so no more
// threads are busy than there are Ps, which matters on a machine shared with other loads. If
// consume returns false, no new work starts and no further consume runs; orderedParallel
// returns after all started work has returned. A panic in work or consume, on any goroutine,
// stops new work and is re-raised on the calling goroutine once all started work has returned.
func orderedParallel(n int, work func(i int), consume func(i int) bool) {
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	var next atomic.Int64
	var stop atomic.Bool
	trap := newPanicTrap()
	// claim runs the next unclaimed index, if any; it reports whether it ran one. helper says
	// whether a helper goroutine (not the caller) is asking.
	claim := func(helper bool) bool {
		if stop.Load() || trap.tripped() {
			return false
		}
		i := int(next.Add(1) - 1)
		if i >= n {
			return false
		}
		if helper {
			injected(InjectWorkPanic)
		}
		work(i)
		close(done[i])
		return true
	}
	helpers := workers(n) - 1
	// While a test injects worker panics, the caller leaves all work to the helpers (when there
	// are any): otherwise a fast caller could finish every piece before a helper is scheduled,
	// and the injected panic would never happen.
	callerWorks := helpers == 0 || WorkerPanicForTests.Load() != InjectWorkPanic
	var wg sync.WaitGroup
	for range helpers {
		wg.Go(func() {
			trap.enter()
			defer trap.guard()
			for claim(true) {
			}
		})
	}
	trap.call(func() {
		for i := range n {
		wait:
			for {
				select {
				case <-done[i]:
					break wait
				case <-trap.failed:
					return
				default:
				}
				if !callerWorks || !claim(false) {
					select {
					case <-done[i]:
					case <-trap.failed:
						return
					}
					break
				}
			}
			if !consume(i) {
				break
			}
		}
	})
	stop.Store(true)
	wg.Wait()
	trap.rethrow()
}
