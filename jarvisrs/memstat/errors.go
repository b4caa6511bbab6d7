package memstat

import (
	"errors"
	"fmt"
)

var (
	// ErrUnavailable is returned when the host's memory figures or this process's own /proc
	// entries cannot be read or parsed (for example /proc/meminfo is missing, reports a zero
	// total, or /proc/self/statm is malformed). Missing cgroup files never cause it.
	ErrUnavailable = errors.New("memstat: memory figures unavailable")

	// ErrUnsupported is returned by a figure this platform does not provide yet. It wraps
	// ErrUnavailable, so errors.Is(err, ErrUnavailable) holds for it too.
	ErrUnsupported = fmt.Errorf("memstat: not supported on this platform: %w", ErrUnavailable)

	// ErrInvalidArgument is returned when an argument cannot mean anything, such as a NaN
	// cleanup target.
	ErrInvalidArgument = errors.New("memstat: invalid argument")
)
