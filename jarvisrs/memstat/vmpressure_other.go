//go:build !darwin

package memstat

import "fmt"

// sysctlVMPressure exists only on macOS.
func sysctlVMPressure() (uint32, error) {
	return 0, fmt.Errorf("%s exists only on macOS: %w", VMPressureSysctl, ErrUnavailable)
}
