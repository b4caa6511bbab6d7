//go:build darwin

package memstat

import "golang.org/x/sys/unix"

// sysctlVMPressure reads kern.memorystatus_vm_pressure_level.
func sysctlVMPressure() (uint32, error) {
	return unix.SysctlUint32(VMPressureSysctl)
}
