package memstat

import "fmt"

// ProcessRSS returns the resident set size of the calling process in bytes.
func ProcessRSS() (uint64, error) {
	return 0, fmt.Errorf("process RSS: %w", ErrUnsupported)
}

// SelfInfo returns the calling process's virtual size, RSS, CPU percent and name.
func SelfInfo() (ProcessInfo, error) {
	return ProcessInfo{}, fmt.Errorf("process info: %w", ErrUnsupported)
}
