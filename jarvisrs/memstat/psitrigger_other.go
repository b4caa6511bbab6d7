//go:build !linux

package memstat

import (
	"fmt"
	"time"
)

// PSITrigger is a Linux PSI trigger; elsewhere none can be opened.
type PSITrigger struct{}

// OpenPSITrigger always fails outside Linux, with an error wrapping ErrUnavailable.
func OpenPSITrigger(path string, stall, window time.Duration) (*PSITrigger, error) {
	return nil, fmt.Errorf("PSI triggers exist only on Linux: %w", ErrUnavailable)
}

// Wait never fires outside Linux.
func (t *PSITrigger) Wait(timeout time.Duration) (bool, error) {
	return false, fmt.Errorf("PSI triggers exist only on Linux: %w", ErrUnavailable)
}

// Close does nothing outside Linux. It always returns nil.
func (t *PSITrigger) Close() error { return nil }
