package memstat

import "errors"

var (
	// ErrUnavailable is returned when the host's memory figures or this process's own figures
	// cannot be read or parsed (for example /proc/meminfo is missing, reports a zero total, or
	// /proc/self/statm is malformed; on macOS, a Mach or sysctl call fails or returns a short
	// record). Missing cgroup files never cause it.
	ErrUnavailable = errors.New("memstat: memory figures unavailable")

	// ErrInvalidArgument is returned when an argument cannot mean anything, such as a NaN
	// cleanup target.
	ErrInvalidArgument = errors.New("memstat: invalid argument")
)
