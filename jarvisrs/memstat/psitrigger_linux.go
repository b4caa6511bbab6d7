//go:build linux

package memstat

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// PSITrigger is a Linux PSI trigger on a pressure file: the kernel wakes its waiter when tasks
// stalled on memory for at least the stall time within one window. It is safe for concurrent
// use, except Close, which must not overlap a Wait.
type PSITrigger struct {
	fd int
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
	return &PSITrigger{fd: fd}, nil
}

// Wait blocks until the trigger fires (true) or timeout passes (false); timeout is rounded down
// to whole milliseconds and capped so the call stays short (callers wait in slices, checking for
// interrupts between them). A trigger whose file went away (its cgroup removed) returns an error
// wrapping ErrUnavailable.
func (t *PSITrigger) Wait(timeout time.Duration) (bool, error) {
	ms := int(min(max(timeout.Milliseconds(), 0), 10_000))
	fds := []unix.PollFd{{Fd: int32(t.fd), Events: unix.POLLPRI}}
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

// Close unregisters the trigger. It always returns nil.
func (t *PSITrigger) Close() error {
	if t.fd >= 0 {
		unix.Close(t.fd)
		t.fd = -1
	}
	return nil
}
