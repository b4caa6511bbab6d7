package lz4x

import "sync"

// runPipeline streams work through a fixed set of nslots slots in three stages, keeping order:
// fill runs on the calling goroutine and loads the next piece of input into a free slot (it
// returns false, with the slot untouched, at the end of input); work runs on nworkers goroutines
// and may process slots in any order; drain runs on one goroutine and sees slots in fill order.
// A slot returns to the free list after drain, so memory is bounded by the slots themselves.
// The first error from fill or drain stops the pipeline; runPipeline returns once every
// goroutine has finished, with that error. A panic in fill, work or drain stops it the same way
// and is re-raised on the calling goroutine once every goroutine has finished.
func runPipeline(nslots, nworkers int, fill func(slot int) (bool, error), work func(slot int), drain func(slot int) error) error {
	free := make(chan int, nslots)
	for i := range nslots {
		free <- i
	}
	queue := make(chan int, nslots)
	order := make(chan int, nslots)
	done := make([]chan struct{}, nslots)
	for i := range done {
		done[i] = make(chan struct{}, 1)
	}
	stop := make(chan struct{})

	trap := newPanicTrap()
	var wg sync.WaitGroup
	for range nworkers {
		wg.Go(func() {
			trap.enter()
			for s := range queue {
				if !trap.tripped() {
					trap.call(func() {
						injected(InjectWorkPanic)
						work(s)
					})
				}
				done[s] <- struct{}{}
			}
		})
	}
	var drainErr error
	drained := make(chan struct{})
	go func() {
		trap.enter()
		defer close(drained)
		stopped := false
		for s := range order {
			<-done[s]
			if drainErr == nil && !trap.tripped() {
				trap.call(func() {
					injected(InjectDrainPanic)
					drainErr = drain(s)
				})
			}
			if !stopped && (drainErr != nil || trap.tripped()) {
				stopped = true
				close(stop)
			}
			free <- s
		}
	}()

	var fillErr error
fill:
	for {
		var s int
		select {
		case <-stop:
			break fill
		case s = <-free:
		}
		select {
		case <-stop:
			break fill
		default:
		}
		var more bool
		var err error
		if !trap.call(func() { more, err = fill(s) }) {
			break
		}
		if err != nil {
			fillErr = err
			break
		}
		if !more {
			break
		}
		queue <- s
		order <- s
	}
	close(queue)
	close(order)
	<-drained
	wg.Wait()
	trap.rethrow()
	if drainErr != nil {
		return drainErr
	}
	return fillErr
}
