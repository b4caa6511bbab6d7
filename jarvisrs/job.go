package jarvisrs

import (
	"context"
	"errors"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// errCancelled ends a job whose Cancel was called; Python never shows it (it re-raises the
// KeyboardInterrupt that made it cancel), so it carries no code of its own.
var errCancelled = errors.New("cancelled")

// Job is a long file operation (quantizing a model, compressing a file) run on its own goroutine,
// so that Python can show progress and stop it. The Start* functions only validate their
// arguments and prepare the work; Python then calls Run inside the block that handles
// KeyboardInterrupt (so a Ctrl-C can never leave work running that nobody will cancel), polls
// Wait with a short timeout (gopy releases the GIL during the call, and Ctrl-C is noticed between
// polls), reads Done and Total for a progress bar, calls Cancel on KeyboardInterrupt, and finally
// reads Result.
//
// A cancelled job stops at its next checkpoint and removes its temporary files; its destination
// is left as it was. All methods are safe for concurrent use.
type Job struct {
	ctx      context.Context
	cancel   context.CancelFunc
	fn       func(ctx context.Context, j *Job) (string, error)
	started  atomic.Bool
	done     atomic.Int64
	total    atomic.Int64
	finished chan struct{}
	result   string // written before finished is closed, read only after
	err      error
}

// newJob prepares fn to run when Run is called. total is the initial Total (bytes the job expects
// to process); fn reports progress through j.progress.
func newJob(total int64, fn func(ctx context.Context, j *Job) (string, error)) *Job {
	ctx, cancel := context.WithCancel(context.Background())
	j := &Job{ctx: ctx, cancel: cancel, fn: fn, finished: make(chan struct{})}
	j.total.Store(total)
	return j
}

// Run starts the work on a new goroutine and reports whether this call started it (false when it
// was already started, or is a job that needs no work). A job cancelled before Run still runs its
// function, which sees the cancellation at its first checkpoint and does nothing. A panic in the
// work becomes the job's error rather than killing the interpreter.
func (j *Job) Run() bool {
	if j.fn == nil || !j.started.CompareAndSwap(false, true) {
		return false
	}
	go func() {
		debug.SetPanicOnFault(true) // jobs read memory-mapped models (faults.go)
		defer close(j.finished)
		defer recoverPanic(&j.err)
		j.result, j.err = j.fn(j.ctx, j)
	}()
	return true
}

// finishedJob is a Job that completed before it started: a cache hit has nothing to wait for.
func finishedJob(result string) *Job {
	j := newJob(0, nil)
	j.result = result
	j.started.Store(true)
	close(j.finished)
	return j
}

// progress records that done of total bytes are processed (the signature lz4x's file functions
// call back with).
func (j *Job) progress(done, total int64) {
	j.done.Store(done)
	j.total.Store(total)
}

// Wait blocks until the job finishes or timeoutMs milliseconds pass, whichever is first, and
// reports whether it has finished. timeoutMs <= 0 only checks. A job never Run never finishes.
func (j *Job) Wait(timeoutMs int) bool {
	if timeoutMs <= 0 {
		select {
		case <-j.finished:
			return true
		default:
			return false
		}
	}
	t := time.NewTimer(time.Duration(timeoutMs) * time.Millisecond)
	defer t.Stop()
	select {
	case <-j.finished:
		return true
	case <-t.C:
		return false
	}
}

// Done is the number of input bytes processed so far.
func (j *Job) Done() int { return int(j.done.Load()) }

// Total is the number of input bytes the job processes in all (the source's size, or the size of
// a model's tensor data).
func (j *Job) Total() int { return int(j.total.Load()) }

// Cancel asks the job to stop and reports whether it was still running. It returns at once;
// Wait tells when the job has stopped and cleaned up. Cancelling a finished job does nothing.
func (j *Job) Cancel() bool {
	j.cancel()
	return !j.Wait(0)
}

// Result is the job's outcome, a JSON object whose fields depend on the job, or its error. It
// fails with a ValueError-coded error while the job is still running (or was never Run).
func (j *Job) Result() (string, error) {
	select {
	case <-j.finished:
		return j.result, j.err
	default:
		return "", valueErrorf("the job is still running (call Wait until it returns true)")
	}
}
