package memstat

import "fmt"

// VMPressureSysctl is the macOS sysctl whose value is the kernel's memory pressure level: the
// same signal as DISPATCH_SOURCE_TYPE_MEMORYPRESSURE and Activity Monitor's pressure graph.
const VMPressureSysctl = "kern.memorystatus_vm_pressure_level"

// ParseVMPressureLevel names a kern.memorystatus_vm_pressure_level value: 1 is "normal", 2
// "warn", 4 "critical" (DISPATCH_MEMORYPRESSURE_NORMAL, _WARN and _CRITICAL: the kernel reports
// its internal level converted to these flags). Any other value returns an error wrapping
// ErrUnavailable. It is pure, so it is tested on every OS.
func ParseVMPressureLevel(v uint32) (string, error) {
	switch v {
	case 1:
		return "normal", nil
	case 2:
		return "warn", nil
	case 4:
		return "critical", nil
	}
	return "", fmt.Errorf("%s = %d, not a known level: %w", VMPressureSysctl, v, ErrUnavailable)
}
