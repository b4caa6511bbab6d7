//go:build linux

package memstat

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// PSITrigger is a Linux PSI trigger on a pressure file: the kernel wakes its waiter when tasks
// stalled on memory for at least the stall time within one window. It is safe for concurrent
// use, except Close, which must not overlap a Wait. A trigger dropped without Close is closed
// when it becomes unreachable. Closing one costs the kernel an RCU grace period (about 13 ms
// measured here), so a waiter keeps one open for a whole wait.
type PSITrigger struct {
	fd *triggerFD // its own allocation, so the cleanup does not keep the PSITrigger alive
}

// triggerFD is the trigger's descriptor, closed exactly once (by Close or the cleanup).
type triggerFD struct {
	fd     int
	closed atomic.Bool
}

func (f *triggerFD) close() {
	if f.closed.CompareAndSwap(false, true) {
		unix.Close(f.fd)
	}
}

// OpenPSITrigger registers the trigger "some <stall> <window>" on the pressure file at path
// (/proc/pressure/memory or a cgroup's memory.pressure). stall and window are whole microseconds;
// the kernel wants window in 500 ms-10 s and stall below it, and refuses unprivileged triggers
// unless window is a multiple of 2 s. Any refusal (no write access, EINVAL, no PSI) returns an
// error wrapping ErrUnavailable: callers then poll instead.
func OpenPSITrigger(path string, stall, window time.Duration) (*PSITrigger, error) {
	if path == "" {
		return nil, fmt.Errorf("no pressure file: %w", ErrUnavailable)
	}
	var fd int
	var err error
	for {
		fd, err = unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s for a PSI trigger: %v: %w", path, err, ErrUnavailable)
	}
	trigger := fmt.Sprintf("some %d %d", stall.Microseconds(), window.Microseconds())
	// The kernel takes the trigger from one write including its terminating NUL.
	if _, err := unix.Write(fd, append([]byte(trigger), 0)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("PSI trigger %q on %s refused: %v: %w", trigger, path, err, ErrUnavailable)
	}
	t := &PSITrigger{fd: &triggerFD{fd: fd}}
	runtime.AddCleanup(t, (*triggerFD).close, t.fd)
	return t, nil
}

// Wait blocks until the trigger fires (true) or timeout passes (false); timeout is rounded down
// to whole milliseconds and capped so the call stays short (callers wait in slices, checking for
// interrupts between them). A trigger whose file went away (its cgroup removed) returns an error
// wrapping ErrUnavailable.
func (t *PSITrigger) Wait(timeout time.Duration) (bool, error) {
	if t.fd.closed.Load() {
		return false, fmt.Errorf("PSI trigger is closed: %w", ErrUnavailable)
	}
	defer runtime.KeepAlive(t)
	ms := int(min(max(timeout.Milliseconds(), 0), 10_000))
	fds := []unix.PollFd{{Fd: int32(t.fd.fd), Events: unix.POLLPRI}}
	for {
		n, err := unix.Poll(fds, ms)
		if err == unix.EINTR {
			continue // a signal for the runtime; the slice restarts, which callers bound anyway
		}
		if err != nil {
			return false, fmt.Errorf("waiting on a PSI trigger: %v: %w", err, ErrUnavailable)
		}
		if n == 0 {
			return false, nil
		}
		if fds[0].Revents&(unix.POLLERR|unix.POLLNVAL|unix.POLLHUP) != 0 {
			return false, fmt.Errorf("PSI trigger closed by the kernel (events %#x): %w", fds[0].Revents, ErrUnavailable)
		}
		return fds[0].Revents&unix.POLLPRI != 0, nil
	}
}

// Close unregisters the trigger; later calls do nothing. It always returns nil.
func (t *PSITrigger) Close() error {
	t.fd.close()
	return nil
}
